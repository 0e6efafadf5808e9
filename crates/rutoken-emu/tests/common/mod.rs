//! Shared helpers: a fresh state directory per test, the CLI, the built module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use cryptoki_sys::{CK_FUNCTION_LIST, CK_RV, CKR_OK};
use rutoken_sys::CK_FUNCTION_LIST_EXTENDED;

/// The module keeps process-wide state and reads `RUTOKEN_EMU_DIR` at C_Initialize:
/// tests that load it run one at a time.
static MODULE: Mutex<()> = Mutex::new(());

pub fn serial_guard() -> MutexGuard<'static, ()> {
    MODULE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A state directory removed at the end of the test.
pub struct TestDir(pub PathBuf);

impl TestDir {
    pub fn new(name: &str) -> TestDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("rutoken-emu-tests")
            .join(format!("{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TestDir(dir)
    }

    /// Points the module (loaded in this process) at this directory.
    pub fn activate(&self) {
        // SAFETY: tests that touch the environment hold `serial_guard`, and no other
        // thread of the test process reads it concurrently.
        unsafe { std::env::set_var("RUTOKEN_EMU_DIR", &self.0) };
    }

    /// Runs the CLI on this directory and returns its standard output.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_rutoken-emu"))
            .env("RUTOKEN_EMU_DIR", &self.0)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rutoken-emu {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A fresh token, inserted.
    pub fn token(&self, serial: &str) {
        self.cli(&["init", "--serial", serial, "--label", "test token"]);
        self.cli(&["insert", serial]);
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The cdylib cargo built for this package: target/<profile>/librutoken_emu.so, next to
/// the directory holding the test executable.
pub fn module_path() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let name = format!(
        "{}rutoken_emu{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    // Cargo copies the library up to target/<profile> when it builds this package; when
    // it builds it as another package's dependency it stays in deps/.
    let candidates = [
        profile_dir.join(&name),
        profile_dir.join("deps").join(&name),
    ];
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(|| panic!("module not built at {}", candidates[0].display()))
}

/// The module's function tables, for calls `cryptoki` cannot make.
pub struct Raw {
    _library: libloading::Library,
    pub f: CK_FUNCTION_LIST,
    pub ex: CK_FUNCTION_LIST_EXTENDED,
}

impl Raw {
    pub fn load() -> Raw {
        // SAFETY: loading our own module, which has no initialisers with side effects.
        let library = unsafe { libloading::Library::new(module_path()) }.unwrap();
        type GetList = unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST) -> CK_RV;
        type GetEx = unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST_EXTENDED) -> CK_RV;
        // SAFETY: the symbols have these types (PKCS#11 and rtpkcs11f.h).
        unsafe {
            let get: libloading::Symbol<GetList> = library.get(b"C_GetFunctionList").unwrap();
            let get_ex: libloading::Symbol<GetEx> =
                library.get(b"C_EX_GetFunctionListExtended").unwrap();
            let mut list = std::ptr::null_mut();
            assert_eq!(get(&mut list), CKR_OK);
            let mut ex = std::ptr::null_mut();
            assert_eq!(get_ex(&mut ex), CKR_OK);
            Raw {
                f: *list,
                ex: *ex,
                _library: library,
            }
        }
    }
}

use cryptoki_sys::*;

pub const CRYPTOPRO_A: &[u8] = &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01];
pub const TC26_512_A: &[u8] = &[
    0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01,
];
pub const STREEBOG_256: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02];
pub const STREEBOG_512: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03];

pub fn ul(v: CK_ULONG) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

/// Builds a C template over owned values (keep `values` alive while it is used).
pub fn c_template(values: &mut [(CK_ATTRIBUTE_TYPE, Vec<u8>)]) -> Vec<CK_ATTRIBUTE> {
    values
        .iter_mut()
        .map(|(ty, v)| CK_ATTRIBUTE {
            type_: *ty,
            pValue: v.as_mut_ptr().cast(),
            ulValueLen: v.len() as CK_ULONG,
        })
        .collect()
}

impl Raw {
    /// A GOST key pair with Aktiv's sample templates (256: CryptoPro-A, 512: TC26-512-A).
    pub fn gost_pair(
        &self,
        session: CK_SESSION_HANDLE,
        wide: bool,
        id: &[u8],
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE), CK_RV> {
        let (key_type, params, digest, mech) = if wide {
            (
                rutoken_sys::CKK_GOSTR3410_512,
                TC26_512_A,
                STREEBOG_512,
                rutoken_sys::CKM_GOSTR3410_512_KEY_PAIR_GEN,
            )
        } else {
            (
                rutoken_sys::CKK_GOSTR3410,
                CRYPTOPRO_A,
                STREEBOG_256,
                rutoken_sys::CKM_GOSTR3410_KEY_PAIR_GEN,
            )
        };
        let common = |class, private: bool, usage| {
            vec![
                (CKA_CLASS, ul(class)),
                (CKA_KEY_TYPE, ul(key_type)),
                (CKA_LABEL, b"gost key".to_vec()),
                (CKA_ID, id.to_vec()),
                (CKA_PRIVATE, vec![private as u8]),
                (rutoken_sys::CKA_GOSTR3410_PARAMS, params.to_vec()),
                (rutoken_sys::CKA_GOSTR3411_PARAMS, digest.to_vec()),
                (CKA_DERIVE, vec![1]),
                (CKA_TOKEN, vec![1]),
                (usage, vec![1]),
            ]
        };
        let mut public = common(CKO_PUBLIC_KEY, false, CKA_VERIFY);
        let mut private = common(CKO_PRIVATE_KEY, true, CKA_SIGN);
        let mut public_c = c_template(&mut public);
        let mut private_c = c_template(&mut private);
        let mut mechanism = CK_MECHANISM {
            mechanism: mech,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        let (mut p, mut s) = (0, 0);
        let rv = unsafe {
            (self.f.C_GenerateKeyPair.unwrap())(
                session,
                &mut mechanism,
                public_c.as_mut_ptr(),
                public_c.len() as CK_ULONG,
                private_c.as_mut_ptr(),
                private_c.len() as CK_ULONG,
                &mut p,
                &mut s,
            )
        };
        if rv == CKR_OK { Ok((p, s)) } else { Err(rv) }
    }

    /// One attribute's value.
    pub fn attribute(
        &self,
        session: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        ty: CK_ATTRIBUTE_TYPE,
    ) -> Result<Vec<u8>, CK_RV> {
        let get = self.f.C_GetAttributeValue.unwrap();
        let mut a = CK_ATTRIBUTE {
            type_: ty,
            pValue: std::ptr::null_mut(),
            ulValueLen: 0,
        };
        let rv = unsafe { get(session, object, &mut a, 1) };
        if rv != CKR_OK {
            return Err(rv);
        }
        let mut value = vec![0u8; a.ulValueLen as usize];
        a.pValue = value.as_mut_ptr().cast();
        let rv = unsafe { get(session, object, &mut a, 1) };
        if rv != CKR_OK {
            return Err(rv);
        }
        value.truncate(a.ulValueLen as usize);
        Ok(value)
    }

    /// C_SignInit + C_Sign with the two-call convention.
    pub fn sign(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
        data: &[u8],
    ) -> Result<Vec<u8>, CK_RV> {
        let mut parameter = parameter.to_vec();
        let mut m = CK_MECHANISM {
            mechanism,
            pParameter: if parameter.is_empty() {
                std::ptr::null_mut()
            } else {
                parameter.as_mut_ptr().cast()
            },
            ulParameterLen: parameter.len() as CK_ULONG,
        };
        let mut data = data.to_vec();
        unsafe {
            let rv = (self.f.C_SignInit.unwrap())(session, &mut m, key);
            if rv != CKR_OK {
                return Err(rv);
            }
            let sign = self.f.C_Sign.unwrap();
            let mut len = 0;
            let rv = sign(
                session,
                data.as_mut_ptr(),
                data.len() as CK_ULONG,
                std::ptr::null_mut(),
                &mut len,
            );
            if rv != CKR_OK {
                return Err(rv);
            }
            let mut signature = vec![0u8; len as usize];
            let rv = sign(
                session,
                data.as_mut_ptr(),
                data.len() as CK_ULONG,
                signature.as_mut_ptr(),
                &mut len,
            );
            if rv != CKR_OK {
                return Err(rv);
            }
            signature.truncate(len as usize);
            Ok(signature)
        }
    }

    /// C_EX_GetTokenInfoExtended.
    pub fn extended(&self, slot: CK_SLOT_ID) -> Result<rutoken_sys::CK_TOKEN_INFO_EXTENDED, CK_RV> {
        let mut info = rutoken_sys::CK_TOKEN_INFO_EXTENDED::default();
        let rv = unsafe { (self.ex.C_EX_GetTokenInfoExtended.unwrap())(slot, &mut info) };
        if rv == CKR_OK { Ok(info) } else { Err(rv) }
    }
}
