//! Direct PKCS#11 calls for what `cryptoki` cannot name: the GOST mechanisms and
//! attributes below the vendor range (CKM_GOSTR3410_KEY_PAIR_GEN 0x1200, CKM_GOSTR3410
//! 0x1201, CKA_GOSTR3410_PARAMS 0x250) and Rutoken's extended functions
//! (C_EX_GetTokenInfoExtended).
//!
//! The library is opened a second time by path; the loader hands back the same loaded
//! module, so session and object handles from `cryptoki` are valid here. All unsafe code
//! of the token layer is in this file.

use std::path::Path;
use std::ptr;

use cryptoki::context::Function;
use cryptoki::error::{Error as CkError, Rv};
use cryptoki_sys::{
    CK_ATTRIBUTE, CK_ATTRIBUTE_TYPE, CK_BBOOL, CK_FUNCTION_LIST, CK_MECHANISM, CK_MECHANISM_TYPE,
    CK_OBJECT_HANDLE, CK_RV, CK_SESSION_HANDLE, CK_SLOT_ID, CK_ULONG, CK_UNAVAILABLE_INFORMATION,
};
use rutoken_sys::{CK_FUNCTION_LIST_EXTENDED, CK_TOKEN_INFO_EXTENDED};

fn check(rv: CK_RV, function: Function) -> Result<(), CkError> {
    Rv::from(rv).into_result(function)
}

/// The raw function lists of a loaded module.
pub(crate) struct VendorCalls {
    _library: libloading::Library,
    list: *const CK_FUNCTION_LIST,
    extended: *const CK_FUNCTION_LIST_EXTENDED,
}

// SAFETY: the function lists are immutable tables owned by the loaded library, which
// lives as long as this value; PKCS#11 modules initialised with CKF_OS_LOCKING_OK are
// safe to call from several threads.
unsafe impl Send for VendorCalls {}
unsafe impl Sync for VendorCalls {}

/// One attribute to put in a template: its type and its bytes.
pub(crate) struct RawAttribute {
    pub kind: CK_ATTRIBUTE_TYPE,
    pub value: Vec<u8>,
}

impl RawAttribute {
    pub fn bytes(kind: CK_ATTRIBUTE_TYPE, value: &[u8]) -> Self {
        RawAttribute {
            kind,
            value: value.to_vec(),
        }
    }

    pub fn ulong(kind: CK_ATTRIBUTE_TYPE, value: CK_ULONG) -> Self {
        RawAttribute {
            kind,
            value: value.to_ne_bytes().to_vec(),
        }
    }

    pub fn flag(kind: CK_ATTRIBUTE_TYPE, value: bool) -> Self {
        RawAttribute {
            kind,
            value: vec![CK_BBOOL::from(value)],
        }
    }
}

fn template(attrs: &mut [RawAttribute]) -> Vec<CK_ATTRIBUTE> {
    attrs
        .iter_mut()
        .map(|a| CK_ATTRIBUTE {
            type_: a.kind,
            pValue: a.value.as_mut_ptr().cast(),
            ulValueLen: a.value.len() as CK_ULONG,
        })
        .collect()
}

impl VendorCalls {
    /// Opens the module at `path` again and reads its function lists. A module without
    /// Rutoken's extensions simply has no extended list.
    pub fn load(path: &Path) -> Result<VendorCalls, String> {
        // SAFETY: loading the PKCS#11 library runs its initialisers; it is the same library
        // cryptoki has just loaded successfully.
        let library = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
        let mut list: *mut CK_FUNCTION_LIST = ptr::null_mut();
        // SAFETY: the symbol has the PKCS#11 C_GetFunctionList signature by specification.
        unsafe {
            let get: libloading::Symbol<unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST) -> CK_RV> =
                library
                    .get(b"C_GetFunctionList\0")
                    .map_err(|e| e.to_string())?;
            let rv = get(&mut list);
            if rv != cryptoki_sys::CKR_OK || list.is_null() {
                return Err(format!("C_GetFunctionList returned {rv:#x}"));
            }
        }
        let mut extended: *mut CK_FUNCTION_LIST_EXTENDED = ptr::null_mut();
        // SAFETY: Rutoken's C_EX_GetFunctionListExtended has this signature; a module
        // without the symbol is a module without extensions.
        unsafe {
            type GetExtended = unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST_EXTENDED) -> CK_RV;
            if let Ok(get) = library.get::<GetExtended>(b"C_EX_GetFunctionListExtended\0")
                && get(&mut extended) != cryptoki_sys::CKR_OK
            {
                extended = ptr::null_mut();
            }
        }
        Ok(VendorCalls {
            _library: library,
            list,
            extended,
        })
    }

    fn list(&self) -> &CK_FUNCTION_LIST {
        // SAFETY: non-null (checked in load) and valid while the library is loaded.
        unsafe { &*self.list }
    }

    /// C_GenerateKeyPair with a mechanism cryptoki cannot name.
    pub fn generate_key_pair(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        public: &mut [RawAttribute],
        private: &mut [RawAttribute],
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE), CkError> {
        let f = self
            .list()
            .C_GenerateKeyPair
            .ok_or(CkError::NullFunctionPointer)?;
        let mut mech = CK_MECHANISM {
            mechanism,
            pParameter: ptr::null_mut(),
            ulParameterLen: 0,
        };
        let mut pub_t = template(public);
        let mut priv_t = template(private);
        let (mut hpub, mut hpriv) = (0, 0);
        // SAFETY: the templates point into `public`/`private`, alive for the call.
        let rv = unsafe {
            f(
                session,
                &mut mech,
                pub_t.as_mut_ptr(),
                pub_t.len() as CK_ULONG,
                priv_t.as_mut_ptr(),
                priv_t.len() as CK_ULONG,
                &mut hpub,
                &mut hpriv,
            )
        };
        check(rv, Function::GenerateKeyPair)?;
        Ok((hpub, hpriv))
    }

    /// One attribute's value; `None` when the object does not have it.
    pub fn attribute(
        &self,
        session: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        kind: CK_ATTRIBUTE_TYPE,
    ) -> Result<Option<Vec<u8>>, CkError> {
        let f = self
            .list()
            .C_GetAttributeValue
            .ok_or(CkError::NullFunctionPointer)?;
        let mut attr = CK_ATTRIBUTE {
            type_: kind,
            pValue: ptr::null_mut(),
            ulValueLen: 0,
        };
        // SAFETY: a size query: pValue is NULL.
        let rv = unsafe { f(session, object, &mut attr, 1) };
        if rv == cryptoki_sys::CKR_ATTRIBUTE_TYPE_INVALID
            || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION
        {
            return Ok(None);
        }
        check(rv, Function::GetAttributeValue)?;
        let mut value = vec![0u8; attr.ulValueLen as usize];
        attr.pValue = value.as_mut_ptr().cast();
        // SAFETY: pValue points to ulValueLen writable bytes.
        let rv = unsafe { f(session, object, &mut attr, 1) };
        check(rv, Function::GetAttributeValue)?;
        value.truncate(attr.ulValueLen as usize);
        Ok(Some(value))
    }

    /// C_SignInit + C_Sign with a mechanism cryptoki cannot name and no parameter.
    pub fn sign(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        key: CK_OBJECT_HANDLE,
        data: &[u8],
    ) -> Result<Vec<u8>, CkError> {
        let init = self.list().C_SignInit.ok_or(CkError::NullFunctionPointer)?;
        let sign = self.list().C_Sign.ok_or(CkError::NullFunctionPointer)?;
        let mut mech = CK_MECHANISM {
            mechanism,
            pParameter: ptr::null_mut(),
            ulParameterLen: 0,
        };
        // SAFETY: mech is a valid mechanism without parameters.
        check(unsafe { init(session, &mut mech, key) }, Function::SignInit)?;
        let mut input = data.to_vec();
        let mut len: CK_ULONG = 0;
        // SAFETY: a size query with a NULL output buffer; input is alive for the call.
        let rv = unsafe {
            sign(
                session,
                input.as_mut_ptr(),
                input.len() as CK_ULONG,
                ptr::null_mut(),
                &mut len,
            )
        };
        check(rv, Function::Sign)?;
        let mut out = vec![0u8; len as usize];
        // SAFETY: out has len writable bytes.
        let rv = unsafe {
            sign(
                session,
                input.as_mut_ptr(),
                input.len() as CK_ULONG,
                out.as_mut_ptr(),
                &mut len,
            )
        };
        check(rv, Function::Sign)?;
        out.truncate(len as usize);
        Ok(out)
    }

    /// Rutoken's extended token information, where the module offers it.
    pub fn token_info_extended(&self, slot: CK_SLOT_ID) -> Option<CK_TOKEN_INFO_EXTENDED> {
        if self.extended.is_null() {
            return None;
        }
        // SAFETY: non-null and valid while the library is loaded.
        let f = unsafe { (*self.extended).C_EX_GetTokenInfoExtended }?;
        let mut info = CK_TOKEN_INFO_EXTENDED::default();
        // SAFETY: info is a writable structure whose size field is set as the API requires.
        let rv = unsafe { f(slot, &mut info) };
        (rv == cryptoki_sys::CKR_OK).then_some(info)
    }
}
