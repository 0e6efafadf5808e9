//! A PKCS#11 module that lies: one slot with one token holding one RSA key pair, whose
//! answers turn hostile in the way `HOSTILE_PKCS11_MODE` names, read at every call:
//!
//! - `slots`: C_GetSlotList counts a reader for almost every number there is;
//! - `slots-growing`: the slot list grows by one every time it is read;
//! - `objects-overrun`: C_FindObjects says it wrote more handles than there was room for;
//! - `objects-endless`: C_FindObjects never runs out of objects;
//! - `attribute-huge`: every attribute value is said to be almost 2^64 bytes long;
//! - `attribute-overrun`: an attribute value is said to have grown past the room given;
//! - `signature-huge`: a signature is said to be almost 2^64 bytes long;
//! - anything else: plausible answers, with labels that are not UTF-8.
//!
//! And whatever the mode, when `HOSTILE_PKCS11_ENVIRON` names a file, C_Login runs `env`
//! and writes what that child process inherited there: a module may start helpers, and
//! none may inherit a PIN.
//!
//! It exists so that smartkey's tests can show that no number a module reports makes it
//! allocate without bound, read past a buffer, loop for ever or panic. Only the calls
//! smartkey makes on the way to listing tokens, listing key pairs and signing a request
//! are there; the others are absent from the function list.

#![allow(non_snake_case, clippy::missing_safety_doc)]

use std::ffi::c_void;
use std::sync::Mutex;

use cryptoki_sys::*;

/// Not UTF-8: a lone continuation byte and a byte no UTF-8 text has.
const BAD_TEXT: &[u8] = b"\x80hostile\xff";
const SLOT: CK_SLOT_ID = 7;
const SESSION: CK_SESSION_HANDLE = 1;
const PUBLIC_KEY: CK_OBJECT_HANDLE = 11;
const PRIVATE_KEY: CK_OBJECT_HANDLE = 12;
const KEY_ID: &[u8] = &[0x4b, 0x31];

fn mode() -> String {
    std::env::var("HOSTILE_PKCS11_MODE").unwrap_or_default()
}

/// `text` blank-padded into a fixed PKCS#11 text field.
fn padded<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut field = [b' '; N];
    let n = text.len().min(N);
    field[..n].copy_from_slice(&text[..n]);
    field
}

/// What the search begun by C_FindObjectsInit will find.
static SEARCH: Mutex<Vec<CK_OBJECT_HANDLE>> = Mutex::new(Vec::new());
/// How many times the slot list was read (for `slots-growing`).
static SLOT_READS: Mutex<CK_ULONG> = Mutex::new(0);

unsafe extern "C" fn initialize(_args: *mut c_void) -> CK_RV {
    CKR_OK
}

unsafe extern "C" fn finalize(_reserved: *mut c_void) -> CK_RV {
    CKR_OK
}

unsafe extern "C" fn get_info(info: *mut CK_INFO) -> CK_RV {
    if info.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let value = CK_INFO {
        cryptokiVersion: CK_VERSION {
            major: 2,
            minor: 40,
        },
        manufacturerID: padded(BAD_TEXT),
        flags: 0,
        libraryDescription: padded(BAD_TEXT),
        libraryVersion: CK_VERSION { major: 0, minor: 1 },
    };
    unsafe { info.write(value) };
    CKR_OK
}

unsafe extern "C" fn get_slot_list(
    _present: CK_BBOOL,
    list: *mut CK_SLOT_ID,
    count: *mut CK_ULONG,
) -> CK_RV {
    if count.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    match mode().as_str() {
        "slots" => {
            unsafe { *count = CK_ULONG::MAX / 16 };
            if list.is_null() {
                CKR_OK
            } else {
                CKR_BUFFER_TOO_SMALL
            }
        }
        "slots-growing" => {
            let mut reads = SLOT_READS.lock().unwrap_or_else(|e| e.into_inner());
            *reads += 1;
            unsafe { *count = *reads };
            if list.is_null() {
                CKR_OK
            } else {
                CKR_BUFFER_TOO_SMALL
            }
        }
        _ => {
            let room = unsafe { *count };
            unsafe { *count = 1 };
            if list.is_null() {
                return CKR_OK;
            }
            if room < 1 {
                return CKR_BUFFER_TOO_SMALL;
            }
            unsafe { *list = SLOT };
            CKR_OK
        }
    }
}

unsafe extern "C" fn get_slot_info(slot: CK_SLOT_ID, info: *mut CK_SLOT_INFO) -> CK_RV {
    if slot != SLOT {
        return CKR_SLOT_ID_INVALID;
    }
    if info.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let value = CK_SLOT_INFO {
        slotDescription: padded(BAD_TEXT),
        manufacturerID: padded(BAD_TEXT),
        flags: CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT,
        hardwareVersion: CK_VERSION { major: 1, minor: 0 },
        firmwareVersion: CK_VERSION { major: 1, minor: 0 },
    };
    unsafe { info.write(value) };
    CKR_OK
}

unsafe extern "C" fn get_token_info(slot: CK_SLOT_ID, info: *mut CK_TOKEN_INFO) -> CK_RV {
    if slot != SLOT {
        return CKR_SLOT_ID_INVALID;
    }
    if info.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let value = CK_TOKEN_INFO {
        label: padded(BAD_TEXT),
        manufacturerID: padded(BAD_TEXT),
        model: padded(BAD_TEXT),
        serialNumber: padded(b"HOSTILE01"),
        flags: CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_RNG,
        ulMaxSessionCount: CK_EFFECTIVELY_INFINITE,
        ulSessionCount: 0,
        ulMaxRwSessionCount: CK_EFFECTIVELY_INFINITE,
        ulRwSessionCount: 0,
        ulMaxPinLen: 32,
        ulMinPinLen: 6,
        ulTotalPublicMemory: CK_UNAVAILABLE_INFORMATION,
        ulFreePublicMemory: CK_UNAVAILABLE_INFORMATION,
        ulTotalPrivateMemory: CK_UNAVAILABLE_INFORMATION,
        ulFreePrivateMemory: CK_UNAVAILABLE_INFORMATION,
        hardwareVersion: CK_VERSION { major: 1, minor: 0 },
        firmwareVersion: CK_VERSION { major: 1, minor: 0 },
        utcTime: [b' '; 16],
    };
    unsafe { info.write(value) };
    CKR_OK
}

unsafe extern "C" fn open_session(
    slot: CK_SLOT_ID,
    _flags: CK_FLAGS,
    _application: *mut c_void,
    _notify: CK_NOTIFY,
    session: *mut CK_SESSION_HANDLE,
) -> CK_RV {
    if slot != SLOT {
        return CKR_SLOT_ID_INVALID;
    }
    if session.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    unsafe { *session = SESSION };
    CKR_OK
}

unsafe extern "C" fn close_session(_session: CK_SESSION_HANDLE) -> CK_RV {
    CKR_OK
}

unsafe extern "C" fn login(
    _session: CK_SESSION_HANDLE,
    _user: CK_USER_TYPE,
    _pin: *mut CK_UTF8CHAR,
    _len: CK_ULONG,
) -> CK_RV {
    if let Some(path) = std::env::var_os("HOSTILE_PKCS11_ENVIRON") {
        let inherited = std::process::Command::new("env").output();
        let written = inherited.and_then(|out| std::fs::write(path, out.stdout));
        if written.is_err() {
            return CKR_FUNCTION_FAILED;
        }
    }
    CKR_OK
}

unsafe extern "C" fn logout(_session: CK_SESSION_HANDLE) -> CK_RV {
    CKR_OK
}

/// The value of `kind` on `object`, if it has one.
fn value_of(object: CK_OBJECT_HANDLE, kind: CK_ATTRIBUTE_TYPE) -> Option<Vec<u8>> {
    let class = match object {
        PUBLIC_KEY => CKO_PUBLIC_KEY,
        PRIVATE_KEY => CKO_PRIVATE_KEY,
        _ => return None,
    };
    Some(match kind {
        CKA_CLASS => class.to_ne_bytes().to_vec(),
        CKA_KEY_TYPE => CKK_RSA.to_ne_bytes().to_vec(),
        CKA_ID => KEY_ID.to_vec(),
        CKA_LABEL => BAD_TEXT.to_vec(),
        // A 2048-bit modulus; nobody checks it is a product of two primes.
        CKA_MODULUS if object == PUBLIC_KEY => {
            let mut n = vec![0xc5; 256];
            n[255] = 0x01;
            n
        }
        CKA_PUBLIC_EXPONENT if object == PUBLIC_KEY => vec![0x01, 0x00, 0x01],
        CKA_SENSITIVE | CKA_PRIVATE if object == PRIVATE_KEY => vec![CK_TRUE],
        CKA_EXTRACTABLE if object == PRIVATE_KEY => vec![CK_FALSE],
        _ => return None,
    })
}

unsafe extern "C" fn get_attribute_value(
    _session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    template: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    if template.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let mode = mode();
    let mut rv = CKR_OK;
    for i in 0..count as usize {
        let attr = unsafe { &mut *template.add(i) };
        let Some(value) = value_of(object, attr.type_) else {
            attr.ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_ATTRIBUTE_TYPE_INVALID;
            continue;
        };
        if mode == "attribute-huge" {
            attr.ulValueLen = CK_UNAVAILABLE_INFORMATION - 1;
            continue;
        }
        if attr.pValue.is_null() {
            attr.ulValueLen = value.len() as CK_ULONG;
            continue;
        }
        if (attr.ulValueLen as usize) < value.len() {
            attr.ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_BUFFER_TOO_SMALL;
            continue;
        }
        unsafe {
            std::ptr::copy_nonoverlapping(value.as_ptr(), attr.pValue.cast(), value.len());
        }
        attr.ulValueLen = if mode == "attribute-overrun" {
            // Written as much as there was room for, and claimed more.
            attr.ulValueLen + 4096
        } else {
            value.len() as CK_ULONG
        };
    }
    rv
}

unsafe extern "C" fn find_objects_init(
    _session: CK_SESSION_HANDLE,
    template: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    let mut wanted_class = None;
    let mut wanted_id = None;
    for i in 0..count as usize {
        let attr = unsafe { &*template.add(i) };
        let bytes = if attr.pValue.is_null() {
            &[][..]
        } else {
            unsafe {
                std::slice::from_raw_parts(attr.pValue.cast::<u8>(), attr.ulValueLen as usize)
            }
        };
        match attr.type_ {
            CKA_CLASS => wanted_class = Some(bytes.to_vec()),
            CKA_ID => wanted_id = Some(bytes.to_vec()),
            _ => {}
        }
    }
    let found = [PUBLIC_KEY, PRIVATE_KEY]
        .into_iter()
        .filter(|&object| {
            let matches = |kind, wanted: &Option<Vec<u8>>| {
                wanted
                    .as_ref()
                    .is_none_or(|w| value_of(object, kind).as_ref() == Some(w))
            };
            matches(CKA_CLASS, &wanted_class) && matches(CKA_ID, &wanted_id)
        })
        .collect();
    *SEARCH.lock().unwrap_or_else(|e| e.into_inner()) = found;
    CKR_OK
}

unsafe extern "C" fn find_objects(
    _session: CK_SESSION_HANDLE,
    objects: *mut CK_OBJECT_HANDLE,
    room: CK_ULONG,
    count: *mut CK_ULONG,
) -> CK_RV {
    if objects.is_null() || count.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    let mut search = SEARCH.lock().unwrap_or_else(|e| e.into_inner());
    match mode().as_str() {
        "objects-overrun" => {
            if room > 0 {
                unsafe { *objects = PUBLIC_KEY };
            }
            unsafe { *count = room + 1000 };
        }
        "objects-endless" => {
            for i in 0..room as usize {
                unsafe { *objects.add(i) = PUBLIC_KEY };
            }
            unsafe { *count = room };
        }
        _ => {
            let n = search.len().min(room as usize);
            for (i, object) in search.drain(..n).enumerate() {
                unsafe { *objects.add(i) = object };
            }
            unsafe { *count = n as CK_ULONG };
        }
    }
    CKR_OK
}

unsafe extern "C" fn find_objects_final(_session: CK_SESSION_HANDLE) -> CK_RV {
    SEARCH.lock().unwrap_or_else(|e| e.into_inner()).clear();
    CKR_OK
}

unsafe extern "C" fn sign_init(
    _session: CK_SESSION_HANDLE,
    _mechanism: *mut CK_MECHANISM,
    key: CK_OBJECT_HANDLE,
) -> CK_RV {
    if key == PRIVATE_KEY {
        CKR_OK
    } else {
        CKR_KEY_HANDLE_INVALID
    }
}

unsafe extern "C" fn sign(
    _session: CK_SESSION_HANDLE,
    _data: *mut CK_BYTE,
    _len: CK_ULONG,
    signature: *mut CK_BYTE,
    signature_len: *mut CK_ULONG,
) -> CK_RV {
    if signature_len.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    if mode() == "signature-huge" {
        unsafe { *signature_len = CK_ULONG::MAX / 2 };
        return if signature.is_null() {
            CKR_OK
        } else {
            CKR_BUFFER_TOO_SMALL
        };
    }
    let room = unsafe { *signature_len };
    unsafe { *signature_len = 256 };
    if signature.is_null() {
        return CKR_OK;
    }
    if room < 256 {
        return CKR_BUFFER_TOO_SMALL;
    }
    unsafe { std::ptr::write_bytes(signature, 0x5a, 256) };
    CKR_OK
}

/// The function list: the calls above, the others absent.
fn function_list() -> CK_FUNCTION_LIST {
    CK_FUNCTION_LIST {
        version: CK_VERSION {
            major: 2,
            minor: 40,
        },
        C_Initialize: Some(initialize),
        C_Finalize: Some(finalize),
        C_GetInfo: Some(get_info),
        C_GetFunctionList: Some(C_GetFunctionList),
        C_GetSlotList: Some(get_slot_list),
        C_GetSlotInfo: Some(get_slot_info),
        C_GetTokenInfo: Some(get_token_info),
        C_OpenSession: Some(open_session),
        C_CloseSession: Some(close_session),
        C_Login: Some(login),
        C_Logout: Some(logout),
        C_GetAttributeValue: Some(get_attribute_value),
        C_FindObjectsInit: Some(find_objects_init),
        C_FindObjects: Some(find_objects),
        C_FindObjectsFinal: Some(find_objects_final),
        C_SignInit: Some(sign_init),
        C_Sign: Some(sign),
        ..CK_FUNCTION_LIST::default()
    }
}

/// The module's entry point (PKCS#11 section 5.2).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetFunctionList(list: *mut *mut CK_FUNCTION_LIST) -> CK_RV {
    static LIST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if list.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    // Leaked once: the table lives as long as the process, as PKCS#11 expects.
    let table = *LIST.get_or_init(|| Box::into_raw(Box::new(function_list())) as usize);
    unsafe { *list = table as *mut CK_FUNCTION_LIST };
    CKR_OK
}
