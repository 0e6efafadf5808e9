//! The C ABI: every exported function, the function lists, and nothing else.
//!
//! Each function checks its pointers, turns them into Rust values, calls the
//! [`Emulator`] under the global lock and writes the answer back. All `unsafe` code of the
//! crate is here. Panics never cross the boundary: they become `CKR_GENERAL_ERROR`.
#![allow(non_snake_case, clippy::missing_safety_doc)]

use std::mem::{offset_of, size_of};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use cryptoki_sys::*;
use rutoken_sys::{CK_FUNCTION_LIST_EXTENDED, CK_TOKEN_INFO_EXTENDED};

use crate::crypto::Mechanism;
use crate::emulator::{AttrOutcome, Emulator, Output};
use crate::error::{Ckr, Result};
use crate::object::Template;
use crate::seed::Seed;
use crate::store::{Store, state_dir};

static STATE: Mutex<Option<Emulator>> = Mutex::new(None);

fn lock() -> MutexGuard<'static, Option<Emulator>> {
    // A panic inside a call is reported as CKR_GENERAL_ERROR; the state stays usable.
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn entry(call: impl FnOnce() -> Result<()>) -> CK_RV {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(())) => CKR_OK,
        Ok(Err(Ckr(rv))) => rv,
        Err(_) => CKR_GENERAL_ERROR,
    }
}

fn with(call: impl FnOnce(&mut Emulator) -> Result<()>) -> CK_RV {
    entry(|| {
        let mut guard = lock();
        let emulator = guard.as_mut().ok_or(Ckr(CKR_CRYPTOKI_NOT_INITIALIZED))?;
        call(emulator)
    })
}

fn bad() -> Ckr {
    Ckr(CKR_ARGUMENTS_BAD)
}

fn size(len: CK_ULONG) -> Result<usize> {
    usize::try_from(len).map_err(|_| bad())
}

/// SAFETY: when `data` is not null it must point to `len` readable bytes that stay valid
/// for the call.
unsafe fn bytes<'a>(data: *const CK_BYTE, len: CK_ULONG) -> Result<&'a [u8]> {
    if data.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(bad()) };
    }
    // SAFETY: non-null and `len` bytes long by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(data, size(len)?) })
}

/// SAFETY: when `list` is not null it must point to `count` valid `CK_ATTRIBUTE`s whose
/// non-null `pValue`s point to `ulValueLen` readable bytes.
unsafe fn template(list: *const CK_ATTRIBUTE, count: CK_ULONG) -> Result<Template> {
    if list.is_null() {
        return if count == 0 {
            Ok(Vec::new())
        } else {
            Err(bad())
        };
    }
    // SAFETY: by the caller's contract.
    let attributes = unsafe { std::slice::from_raw_parts(list, size(count)?) };
    attributes
        .iter()
        // SAFETY: each value pointer is valid for its length by the caller's contract.
        .map(|a| {
            Ok((
                a.type_,
                unsafe { bytes(a.pValue as *const u8, a.ulValueLen) }?.to_vec(),
            ))
        })
        .collect()
}

/// SAFETY: `mechanism` must be null or point to a valid `CK_MECHANISM`.
unsafe fn mechanism(mechanism: *const CK_MECHANISM) -> Result<Mechanism> {
    // SAFETY: null checked, otherwise valid by the caller's contract.
    let m = unsafe { mechanism.as_ref() }.ok_or_else(bad)?;
    Ok(Mechanism {
        ty: m.mechanism,
        // SAFETY: the parameter is valid for its length by the caller's contract.
        parameter: unsafe { bytes(m.pParameter as *const u8, m.ulParameterLen) }?.to_vec(),
    })
}

/// SAFETY: `out` must be null or valid for writing a `T`.
unsafe fn put<T>(out: *mut T, value: T) -> Result<()> {
    if out.is_null() {
        return Err(bad());
    }
    // SAFETY: non-null and writable by the caller's contract.
    unsafe { out.write(value) };
    Ok(())
}

/// Reads the capacity of an output buffer: `None` for a size query.
/// SAFETY: `len` must be null or valid for reading a `CK_ULONG`.
unsafe fn capacity(buffer: *mut CK_BYTE, len: *mut CK_ULONG) -> Result<Option<usize>> {
    // SAFETY: null checked, otherwise valid by the caller's contract.
    let len = unsafe { len.as_ref() }.ok_or_else(bad)?;
    if buffer.is_null() {
        Ok(None)
    } else {
        Ok(Some(size(*len)?))
    }
}

/// Writes an [`Output`] with the two-call convention.
/// SAFETY: `len` must be valid for writing; `buffer`, when the output is data, must hold
/// the capacity that [`capacity`] read from `len`.
unsafe fn deliver(output: Output, buffer: *mut CK_BYTE, len: *mut CK_ULONG) -> Result<()> {
    match output {
        // SAFETY: `len` is valid by the caller's contract (checked by `capacity`).
        Output::Size(n) => unsafe { put(len, n as CK_ULONG) },
        Output::TooSmall(n) => {
            // SAFETY: as above.
            unsafe { put(len, n as CK_ULONG) }?;
            Err(Ckr(CKR_BUFFER_TOO_SMALL))
        }
        Output::Data(data) => {
            // SAFETY: the buffer holds at least the capacity, which is >= data.len().
            unsafe { ptr::copy_nonoverlapping(data.as_ptr(), buffer, data.len()) };
            // SAFETY: as above.
            unsafe { put(len, data.len() as CK_ULONG) }
        }
    }
}

/// Writes a list with the two-call convention.
/// SAFETY: `count` must be null or valid for reading and writing; `list`, when not null,
/// must hold `*count` elements.
unsafe fn put_list<T: Copy>(list: *mut T, count: *mut CK_ULONG, items: &[T]) -> Result<()> {
    // SAFETY: null checked, otherwise valid by the caller's contract.
    let count = unsafe { count.as_mut() }.ok_or_else(bad)?;
    if !list.is_null() {
        if size(*count)? < items.len() {
            *count = items.len() as CK_ULONG;
            return Err(Ckr(CKR_BUFFER_TOO_SMALL));
        }
        // SAFETY: the list holds `*count >= items.len()` elements.
        unsafe { ptr::copy_nonoverlapping(items.as_ptr(), list, items.len()) };
    }
    *count = items.len() as CK_ULONG;
    Ok(())
}

// ---- general purpose ----

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Initialize(init_args: *mut std::os::raw::c_void) -> CK_RV {
    entry(|| {
        // SAFETY: a non-null argument points to CK_C_INITIALIZE_ARGS by the standard.
        if let Some(args) = unsafe { (init_args as *const CK_C_INITIALIZE_ARGS).as_ref() } {
            if !args.pReserved.is_null() {
                return Err(bad());
            }
            let given = [
                args.CreateMutex.is_some(),
                args.DestroyMutex.is_some(),
                args.LockMutex.is_some(),
                args.UnlockMutex.is_some(),
            ];
            if given.iter().any(|g| *g != given[0]) {
                return Err(bad());
            }
            // Whatever the flags, the module locks with its own (OS) mutex and creates no
            // threads, which satisfies every combination the standard allows.
        }
        let mut guard = lock();
        if guard.is_some() {
            return Err(Ckr(CKR_CRYPTOKI_ALREADY_INITIALIZED));
        }
        let dir = state_dir().map_err(|_| Ckr(CKR_GENERAL_ERROR))?;
        // Read with the directory, so that one process environment decides both.
        *guard = Some(Emulator::new(Store::new(dir)).with_seed(Seed::from_env()));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Finalize(reserved: *mut std::os::raw::c_void) -> CK_RV {
    entry(|| {
        if !reserved.is_null() {
            return Err(bad());
        }
        lock()
            .take()
            .map(drop)
            .ok_or(Ckr(CKR_CRYPTOKI_NOT_INITIALIZED))
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetInfo(info: *mut CK_INFO) -> CK_RV {
    // SAFETY: `info` is checked for null by `put`, otherwise writable by the standard.
    with(|_| unsafe { put(info, Emulator::info()) })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetFunctionList(list: *mut *mut CK_FUNCTION_LIST) -> CK_RV {
    entry(|| {
        // SAFETY: null checked by `put`; the list is static and never written through.
        unsafe { put(list, ptr::addr_of!(FUNCTION_LIST) as *mut CK_FUNCTION_LIST) }
    })
}

// ---- slots and tokens ----

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetSlotList(
    token_present: CK_BBOOL,
    list: *mut CK_SLOT_ID,
    count: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        if count.is_null() {
            return Err(bad());
        }
        let slots = e.slot_list(token_present != CK_FALSE)?;
        // SAFETY: pointers as the standard defines them for this call.
        unsafe { put_list(list, count, &slots) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetSlotInfo(slot: CK_SLOT_ID, info: *mut CK_SLOT_INFO) -> CK_RV {
    with(|e| {
        if info.is_null() {
            return Err(bad());
        }
        let value = e.slot_info(slot)?;
        // SAFETY: non-null, writable by the standard.
        unsafe { put(info, value) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetTokenInfo(slot: CK_SLOT_ID, info: *mut CK_TOKEN_INFO) -> CK_RV {
    with(|e| {
        if info.is_null() {
            return Err(bad());
        }
        let value = e.token_info(slot)?;
        // SAFETY: non-null, writable by the standard.
        unsafe { put(info, value) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetMechanismList(
    slot: CK_SLOT_ID,
    list: *mut CK_MECHANISM_TYPE,
    count: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        if count.is_null() {
            return Err(bad());
        }
        let mechanisms = e.mechanism_list(slot)?;
        // SAFETY: pointers as the standard defines them for this call.
        unsafe { put_list(list, count, &mechanisms) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetMechanismInfo(
    slot: CK_SLOT_ID,
    ty: CK_MECHANISM_TYPE,
    info: *mut CK_MECHANISM_INFO,
) -> CK_RV {
    with(|e| {
        if info.is_null() {
            return Err(bad());
        }
        let value = e.mechanism_info(slot, ty)?;
        // SAFETY: non-null, writable by the standard.
        unsafe { put(info, value) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_InitToken(
    _slot: CK_SLOT_ID,
    _pin: *mut CK_UTF8CHAR,
    _pin_len: CK_ULONG,
    _label: *mut CK_UTF8CHAR,
) -> CK_RV {
    // Formatting is done with the emulator's CLI (`rutoken-emu init`).
    with(|_| Err(Ckr(CKR_FUNCTION_NOT_SUPPORTED)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_InitPIN(
    session: CK_SESSION_HANDLE,
    pin: *mut CK_UTF8CHAR,
    pin_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: `pin` holds `pin_len` bytes by the standard.
    with(|e| e.init_pin(session, unsafe { bytes(pin, pin_len) }?))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SetPIN(
    session: CK_SESSION_HANDLE,
    old: *mut CK_UTF8CHAR,
    old_len: CK_ULONG,
    new: *mut CK_UTF8CHAR,
    new_len: CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: each PIN holds its length in bytes by the standard.
        let (old, new) = unsafe { (bytes(old, old_len)?, bytes(new, new_len)?) };
        e.set_pin(session, old, new)
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_WaitForSlotEvent(
    flags: CK_FLAGS,
    slot: *mut CK_SLOT_ID,
    reserved: *mut std::os::raw::c_void,
) -> CK_RV {
    entry(|| {
        if slot.is_null() || !reserved.is_null() {
            return Err(bad());
        }
        loop {
            {
                let mut guard = lock();
                let emulator = guard.as_mut().ok_or(Ckr(CKR_CRYPTOKI_NOT_INITIALIZED))?;
                if let Some(changed) = emulator.poll_slot_event()? {
                    // SAFETY: non-null, writable by the standard.
                    return unsafe { put(slot, changed) };
                }
                if flags & CKF_DONT_BLOCK != 0 {
                    return Err(Ckr(CKR_NO_EVENT));
                }
            }
            // Poll without holding the lock so that other threads (and C_Finalize, which
            // ends the wait) get through.
            std::thread::sleep(Duration::from_millis(100));
        }
    })
}

// ---- sessions ----

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_OpenSession(
    slot: CK_SLOT_ID,
    flags: CK_FLAGS,
    _application: *mut std::os::raw::c_void,
    _notify: CK_NOTIFY,
    session: *mut CK_SESSION_HANDLE,
) -> CK_RV {
    with(|e| {
        if session.is_null() {
            return Err(bad());
        }
        let handle = e.open_session(slot, flags)?;
        // SAFETY: non-null, writable by the standard.
        unsafe { put(session, handle) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CloseSession(session: CK_SESSION_HANDLE) -> CK_RV {
    with(|e| e.close_session(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CloseAllSessions(slot: CK_SLOT_ID) -> CK_RV {
    with(|e| e.close_all_sessions(slot))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetSessionInfo(
    session: CK_SESSION_HANDLE,
    info: *mut CK_SESSION_INFO,
) -> CK_RV {
    with(|e| {
        if info.is_null() {
            return Err(bad());
        }
        let value = e.session_info(session)?;
        // SAFETY: non-null, writable by the standard.
        unsafe { put(info, value) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetOperationState(
    session: CK_SESSION_HANDLE,
    _state: *mut CK_BYTE,
    _len: *mut CK_ULONG,
) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SetOperationState(
    session: CK_SESSION_HANDLE,
    _state: *mut CK_BYTE,
    _len: CK_ULONG,
    _encryption_key: CK_OBJECT_HANDLE,
    _authentication_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Login(
    session: CK_SESSION_HANDLE,
    user: CK_USER_TYPE,
    pin: *mut CK_UTF8CHAR,
    pin_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: `pin` holds `pin_len` bytes by the standard.
    with(|e| e.login(session, user, unsafe { bytes(pin, pin_len) }?))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Logout(session: CK_SESSION_HANDLE) -> CK_RV {
    with(|e| e.logout(session))
}

// ---- objects ----

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CreateObject(
    session: CK_SESSION_HANDLE,
    attributes: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
    object: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| {
        if object.is_null() {
            return Err(bad());
        }
        // SAFETY: the template is valid by the standard.
        let template = unsafe { template(attributes, count) }?;
        let handle = e.create_object(session, &template)?;
        // SAFETY: non-null, writable by the standard.
        unsafe { put(object, handle) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CopyObject(
    session: CK_SESSION_HANDLE,
    _object: CK_OBJECT_HANDLE,
    _attributes: *mut CK_ATTRIBUTE,
    _count: CK_ULONG,
    _new_object: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DestroyObject(
    session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| e.destroy_object(session, object))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetObjectSize(
    session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    size_out: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        if size_out.is_null() {
            return Err(bad());
        }
        let n = e.object_size(session, object)?;
        // SAFETY: non-null, writable by the standard.
        unsafe { put(size_out, n as CK_ULONG) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetAttributeValue(
    session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    attributes: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    with(|e| {
        if attributes.is_null() && count > 0 {
            return Err(bad());
        }
        let list: &mut [CK_ATTRIBUTE] = if count == 0 {
            &mut []
        } else {
            // SAFETY: `count` attributes, writable, by the standard.
            unsafe { std::slice::from_raw_parts_mut(attributes, size(count)?) }
        };
        let requests: Vec<(CK_ATTRIBUTE_TYPE, Option<usize>)> = list
            .iter()
            .map(|a| {
                let capacity = if a.pValue.is_null() {
                    None
                } else {
                    Some(usize::try_from(a.ulValueLen).unwrap_or(usize::MAX))
                };
                (a.type_, capacity)
            })
            .collect();
        let (outcomes, rv) = e.get_attribute_values(session, object, &requests)?;
        for (attribute, outcome) in list.iter_mut().zip(outcomes) {
            match outcome {
                AttrOutcome::Unavailable => attribute.ulValueLen = CK_UNAVAILABLE_INFORMATION,
                AttrOutcome::Length(n) => attribute.ulValueLen = n as CK_ULONG,
                AttrOutcome::Value(value) => {
                    // SAFETY: the emulator checked that `ulValueLen >= value.len()`, and the
                    // caller's buffer holds `ulValueLen` bytes by the standard.
                    unsafe {
                        ptr::copy_nonoverlapping(
                            value.as_ptr(),
                            attribute.pValue as *mut u8,
                            value.len(),
                        )
                    };
                    attribute.ulValueLen = value.len() as CK_ULONG;
                }
            }
        }
        if rv == CKR_OK { Ok(()) } else { Err(Ckr(rv)) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SetAttributeValue(
    session: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    attributes: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: the template is valid by the standard.
        let template = unsafe { template(attributes, count) }?;
        e.set_attribute_values(session, object, &template)
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_FindObjectsInit(
    session: CK_SESSION_HANDLE,
    attributes: *mut CK_ATTRIBUTE,
    count: CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: the template is valid by the standard.
        let template = unsafe { template(attributes, count) }?;
        e.find_init(session, &template)
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_FindObjects(
    session: CK_SESSION_HANDLE,
    objects: *mut CK_OBJECT_HANDLE,
    max: CK_ULONG,
    count: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        if count.is_null() || (objects.is_null() && max > 0) {
            return Err(bad());
        }
        let found = e.find(session, size(max)?)?;
        // SAFETY: `objects` holds `max >= found.len()` handles by the standard.
        unsafe { ptr::copy_nonoverlapping(found.as_ptr(), objects, found.len()) };
        // SAFETY: non-null, writable by the standard.
        unsafe { put(count, found.len() as CK_ULONG) }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_FindObjectsFinal(session: CK_SESSION_HANDLE) -> CK_RV {
    with(|e| e.find_final(session))
}

// ---- cryptography ----

macro_rules! unsupported_crypt {
    ($($name:ident),*) => {$(
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            session: CK_SESSION_HANDLE,
            _input: *mut CK_BYTE,
            _input_len: CK_ULONG,
            _output: *mut CK_BYTE,
            _output_len: *mut CK_ULONG,
        ) -> CK_RV {
            with(|e| e.unsupported(session))
        }
    )*};
}

macro_rules! unsupported_init {
    ($($name:ident),*) => {$(
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            session: CK_SESSION_HANDLE,
            _mechanism: *mut CK_MECHANISM,
            _key: CK_OBJECT_HANDLE,
        ) -> CK_RV {
            with(|e| e.unsupported(session))
        }
    )*};
}

macro_rules! unsupported_final {
    ($($name:ident),*) => {$(
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            session: CK_SESSION_HANDLE,
            _output: *mut CK_BYTE,
            _output_len: *mut CK_ULONG,
        ) -> CK_RV {
            with(|e| e.unsupported(session))
        }
    )*};
}

unsupported_init!(
    C_EncryptInit,
    C_DecryptInit,
    C_SignRecoverInit,
    C_VerifyRecoverInit
);
unsupported_crypt!(
    C_Encrypt,
    C_EncryptUpdate,
    C_Decrypt,
    C_DecryptUpdate,
    C_SignRecover,
    C_VerifyRecover,
    C_DigestEncryptUpdate,
    C_DecryptDigestUpdate,
    C_SignEncryptUpdate,
    C_DecryptVerifyUpdate
);
unsupported_final!(C_EncryptFinal, C_DecryptFinal);

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestInit(
    session: CK_SESSION_HANDLE,
    mechanism_in: *mut CK_MECHANISM,
) -> CK_RV {
    // SAFETY: the mechanism is valid by the standard.
    with(|e| e.digest_init(session, &unsafe { mechanism(mechanism_in) }?))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Digest(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
    digest: *mut CK_BYTE,
    digest_len: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: buffers as the standard defines them for this call.
        unsafe {
            let input = bytes(data, data_len)?;
            let room = capacity(digest, digest_len)?;
            deliver(e.digest(session, input, room)?, digest, digest_len)
        }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestUpdate(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: `data` holds `data_len` bytes by the standard.
    with(|e| e.digest_update(session, unsafe { bytes(data, data_len) }?))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestKey(session: CK_SESSION_HANDLE, _key: CK_OBJECT_HANDLE) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestFinal(
    session: CK_SESSION_HANDLE,
    digest: *mut CK_BYTE,
    digest_len: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: buffers as the standard defines them for this call.
        unsafe {
            let room = capacity(digest, digest_len)?;
            deliver(e.digest_final(session, room)?, digest, digest_len)
        }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SignInit(
    session: CK_SESSION_HANDLE,
    mechanism_in: *mut CK_MECHANISM,
    key: CK_OBJECT_HANDLE,
) -> CK_RV {
    // SAFETY: the mechanism is valid by the standard.
    with(|e| e.sign_init(session, &unsafe { mechanism(mechanism_in) }?, key))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Sign(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
    signature: *mut CK_BYTE,
    signature_len: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: buffers as the standard defines them for this call.
        unsafe {
            let input = bytes(data, data_len)?;
            let room = capacity(signature, signature_len)?;
            deliver(e.sign(session, input, room)?, signature, signature_len)
        }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SignUpdate(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: `data` holds `data_len` bytes by the standard.
    with(|e| e.sign_update(session, unsafe { bytes(data, data_len) }?))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SignFinal(
    session: CK_SESSION_HANDLE,
    signature: *mut CK_BYTE,
    signature_len: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: buffers as the standard defines them for this call.
        unsafe {
            let room = capacity(signature, signature_len)?;
            deliver(e.sign_final(session, room)?, signature, signature_len)
        }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_VerifyInit(
    session: CK_SESSION_HANDLE,
    mechanism_in: *mut CK_MECHANISM,
    key: CK_OBJECT_HANDLE,
) -> CK_RV {
    // SAFETY: the mechanism is valid by the standard.
    with(|e| e.verify_init(session, &unsafe { mechanism(mechanism_in) }?, key))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Verify(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
    signature: *mut CK_BYTE,
    signature_len: CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: each buffer holds its length in bytes by the standard.
        let (input, sig) = unsafe { (bytes(data, data_len)?, bytes(signature, signature_len)?) };
        e.verify(session, input, sig)
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_VerifyUpdate(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    data_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: `data` holds `data_len` bytes by the standard.
    with(|e| e.verify_update(session, unsafe { bytes(data, data_len) }?))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_VerifyFinal(
    session: CK_SESSION_HANDLE,
    signature: *mut CK_BYTE,
    signature_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: `signature` holds `signature_len` bytes by the standard.
    with(|e| e.verify_final(session, unsafe { bytes(signature, signature_len) }?))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GenerateKey(
    session: CK_SESSION_HANDLE,
    _mechanism: *mut CK_MECHANISM,
    _attributes: *mut CK_ATTRIBUTE,
    _count: CK_ULONG,
    _key: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GenerateKeyPair(
    session: CK_SESSION_HANDLE,
    mechanism_in: *mut CK_MECHANISM,
    public_attributes: *mut CK_ATTRIBUTE,
    public_count: CK_ULONG,
    private_attributes: *mut CK_ATTRIBUTE,
    private_count: CK_ULONG,
    public_key: *mut CK_OBJECT_HANDLE,
    private_key: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| {
        if public_key.is_null() || private_key.is_null() {
            return Err(bad());
        }
        // SAFETY: mechanism and templates are valid by the standard.
        let (m, public, private) = unsafe {
            (
                mechanism(mechanism_in)?,
                template(public_attributes, public_count)?,
                template(private_attributes, private_count)?,
            )
        };
        let (p, s) = e.generate_key_pair(session, &m, &public, &private)?;
        // SAFETY: both non-null and writable by the standard.
        unsafe {
            put(public_key, p)?;
            put(private_key, s)
        }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_WrapKey(
    session: CK_SESSION_HANDLE,
    _mechanism: *mut CK_MECHANISM,
    _wrapping_key: CK_OBJECT_HANDLE,
    _key: CK_OBJECT_HANDLE,
    _wrapped: *mut CK_BYTE,
    _wrapped_len: *mut CK_ULONG,
) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_UnwrapKey(
    session: CK_SESSION_HANDLE,
    _mechanism: *mut CK_MECHANISM,
    _unwrapping_key: CK_OBJECT_HANDLE,
    _wrapped: *mut CK_BYTE,
    _wrapped_len: CK_ULONG,
    _attributes: *mut CK_ATTRIBUTE,
    _count: CK_ULONG,
    _key: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DeriveKey(
    session: CK_SESSION_HANDLE,
    _mechanism: *mut CK_MECHANISM,
    _base_key: CK_OBJECT_HANDLE,
    _attributes: *mut CK_ATTRIBUTE,
    _count: CK_ULONG,
    _key: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    with(|e| e.unsupported(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SeedRandom(
    session: CK_SESSION_HANDLE,
    _seed: *mut CK_BYTE,
    _seed_len: CK_ULONG,
) -> CK_RV {
    with(|e| e.seed_random(session))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GenerateRandom(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    len: CK_ULONG,
) -> CK_RV {
    with(|e| {
        if data.is_null() && len > 0 {
            return Err(bad());
        }
        let random = e.generate_random(session, size(len)?)?;
        // SAFETY: `data` holds `len` bytes by the standard.
        unsafe { ptr::copy_nonoverlapping(random.as_ptr(), data, random.len()) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetFunctionStatus(_session: CK_SESSION_HANDLE) -> CK_RV {
    with(|_| Err(Ckr(CKR_FUNCTION_NOT_PARALLEL)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CancelFunction(_session: CK_SESSION_HANDLE) -> CK_RV {
    with(|_| Err(Ckr(CKR_FUNCTION_NOT_PARALLEL)))
}

// ---- Rutoken extensions ----

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EX_GetFunctionListExtended(
    list: *mut *mut CK_FUNCTION_LIST_EXTENDED,
) -> CK_RV {
    entry(|| {
        // SAFETY: null checked by `put`; the list is static and never written through.
        unsafe {
            put(
                list,
                ptr::addr_of!(FUNCTION_LIST_EXTENDED) as *mut CK_FUNCTION_LIST_EXTENDED,
            )
        }
    })
}

/// The oldest published layout of `CK_TOKEN_INFO_EXTENDED` ends after `ulBodyColor`;
/// smaller structures are refused.
const MIN_EXTENDED_SIZE: usize = offset_of!(CK_TOKEN_INFO_EXTENDED, ulFirmwareChecksum);

#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EX_GetTokenInfoExtended(
    slot: CK_SLOT_ID,
    info: *mut CK_TOKEN_INFO_EXTENDED,
) -> CK_RV {
    with(|e| {
        if info.is_null() {
            return Err(bad());
        }
        // SAFETY: non-null; the caller's structure starts with ulSizeofThisStructure.
        let given = unsafe { ptr::addr_of!((*info).ulSizeofThisStructure).read_unaligned() };
        let given = size(given)?;
        if given < MIN_EXTENDED_SIZE {
            return Err(bad());
        }
        let mut value = e.token_info_extended(slot)?;
        let n = given.min(size_of::<CK_TOKEN_INFO_EXTENDED>());
        value.ulSizeofThisStructure = n as CK_ULONG;
        // SAFETY: the caller's structure is `given >= n` bytes long by its own declaration.
        unsafe { ptr::copy_nonoverlapping(ptr::addr_of!(value) as *const u8, info as *mut u8, n) };
        Ok(())
    })
}

unsafe extern "C" fn ex_unblock_user_pin(session: CK_SESSION_HANDLE) -> CK_RV {
    with(|e| e.unblock_user_pin(session))
}

unsafe extern "C" fn ex_set_token_name(
    session: CK_SESSION_HANDLE,
    label: *mut CK_CHAR,
    len: CK_ULONG,
) -> CK_RV {
    // SAFETY: `label` holds `len` bytes by the vendor's definition.
    with(|e| e.set_token_name(session, unsafe { bytes(label, len) }?))
}

unsafe extern "C" fn ex_get_token_name(
    session: CK_SESSION_HANDLE,
    label: *mut CK_CHAR,
    len: *mut CK_ULONG,
) -> CK_RV {
    with(|e| {
        // SAFETY: buffers with the two-call convention, by the vendor's definition.
        unsafe {
            let room = capacity(label, len)?;
            let name = e.token_name(session)?;
            let output = match room {
                None => Output::Size(name.len()),
                Some(c) if c < name.len() => Output::TooSmall(name.len()),
                Some(_) => Output::Data(name),
            };
            deliver(output, label, len)
        }
    })
}

/// Placeholder for the vendor functions the emulator does not model. Each table entry
/// needs the exact type, so a macro makes one stub per type.
macro_rules! ex_stub {
    ($name:ident ( $($arg:ty),* )) => {
        unsafe extern "C" fn $name($(_: $arg),*) -> CK_RV {
            with(|_| Err(Ckr(CKR_FUNCTION_NOT_SUPPORTED)))
        }
    };
}

type U = CK_ULONG;
type B = *mut CK_BYTE;
type S = CK_SESSION_HANDLE;
type H = CK_OBJECT_HANDLE;
type V = *mut std::os::raw::c_void;
type M = *mut CK_MECHANISM;
type A = *mut CK_ATTRIBUTE;
type VB = *mut *mut rutoken_sys::CK_VENDOR_BUFFER;

ex_stub!(ex_init_token(CK_SLOT_ID, B, U, *mut rutoken_sys::CK_RUTOKEN_INIT_PARAM));
ex_stub!(ex_set_license(S, U, B, U));
ex_stub!(ex_get_license(S, U, B, *mut U));
ex_stub!(ex_get_certificate_info_text(S, H, *mut B, *mut U));
ex_stub!(ex_pkcs7_sign(S, B, U, H, *mut B, *mut U, H, *mut H, U, U));
ex_stub!(ex_create_csr(S, H, *mut B, U, *mut B, *mut U, H, *mut B, U, *mut B, U));
ex_stub!(ex_free_buffer(B));
ex_stub!(ex_set_local_pin(CK_SLOT_ID, B, U, B, U, U));
ex_stub!(ex_load_activation_key(S, B, U));
ex_stub!(ex_set_activation_password(CK_SLOT_ID, B));
ex_stub!(ex_get_volumes_info(CK_SLOT_ID, V, *mut U));
ex_stub!(ex_get_drive_size(CK_SLOT_ID, *mut U));
ex_stub!(ex_change_volume_attributes(
    CK_SLOT_ID, U, B, U, U, U, CK_BBOOL
));
ex_stub!(ex_format_drive(CK_SLOT_ID, U, B, U, V, U));
ex_stub!(ex_token_manage(S, U, V));
ex_stub!(ex_generate_activation_password(S, U, B, *mut U, U));
ex_stub!(ex_get_journal(CK_SLOT_ID, B, *mut U));
ex_stub!(ex_sign_invisible_init(S, M, H));
ex_stub!(ex_sign_invisible(S, B, U, B, *mut U));
ex_stub!(ex_slot_manage(CK_SLOT_ID, U, V));
ex_stub!(ex_wrap_key(S, M, A, U, M, H, M, B, *mut U, *mut H));
ex_stub!(ex_unwrap_key(S, M, H, M, B, U, A, U, *mut H));
ex_stub!(ex_pkcs7_verify_init(S, B, U, V, U, CK_FLAGS));
ex_stub!(ex_pkcs7_verify(S, *mut B, *mut U, VB, *mut U));
ex_stub!(ex_pkcs7_verify_update(S, B, U));
ex_stub!(ex_pkcs7_verify_final(S, VB, *mut U));
ex_stub!(ex_authenticate(S, H, B, U));
ex_stub!(ex_deauthenticate(S, H));
ex_stub!(ex_unblock_authenticator(S, H));

static FUNCTION_LIST_EXTENDED: CK_FUNCTION_LIST_EXTENDED = CK_FUNCTION_LIST_EXTENDED {
    version: CK_VERSION {
        major: 2,
        minor: 40,
    },
    C_EX_GetFunctionListExtended: Some(C_EX_GetFunctionListExtended),
    C_EX_InitToken: Some(ex_init_token),
    C_EX_GetTokenInfoExtended: Some(C_EX_GetTokenInfoExtended),
    C_EX_UnblockUserPIN: Some(ex_unblock_user_pin),
    C_EX_SetTokenName: Some(ex_set_token_name),
    C_EX_SetLicense: Some(ex_set_license),
    C_EX_GetLicense: Some(ex_get_license),
    C_EX_GetCertificateInfoText: Some(ex_get_certificate_info_text),
    C_EX_PKCS7Sign: Some(ex_pkcs7_sign),
    C_EX_CreateCSR: Some(ex_create_csr),
    C_EX_FreeBuffer: Some(ex_free_buffer),
    C_EX_GetTokenName: Some(ex_get_token_name),
    C_EX_SetLocalPIN: Some(ex_set_local_pin),
    C_EX_LoadActivationKey: Some(ex_load_activation_key),
    C_EX_SetActivationPassword: Some(ex_set_activation_password),
    C_EX_GetVolumesInfo: Some(ex_get_volumes_info),
    C_EX_GetDriveSize: Some(ex_get_drive_size),
    C_EX_ChangeVolumeAttributes: Some(ex_change_volume_attributes),
    C_EX_FormatDrive: Some(ex_format_drive),
    C_EX_TokenManage: Some(ex_token_manage),
    C_EX_GenerateActivationPassword: Some(ex_generate_activation_password),
    C_EX_GetJournal: Some(ex_get_journal),
    C_EX_SignInvisibleInit: Some(ex_sign_invisible_init),
    C_EX_SignInvisible: Some(ex_sign_invisible),
    C_EX_SlotManage: Some(ex_slot_manage),
    C_EX_WrapKey: Some(ex_wrap_key),
    C_EX_UnwrapKey: Some(ex_unwrap_key),
    C_EX_PKCS7VerifyInit: Some(ex_pkcs7_verify_init),
    C_EX_PKCS7Verify: Some(ex_pkcs7_verify),
    C_EX_PKCS7VerifyUpdate: Some(ex_pkcs7_verify_update),
    C_EX_PKCS7VerifyFinal: Some(ex_pkcs7_verify_final),
    C_EX_Authenticate: Some(ex_authenticate),
    C_EX_Deauthenticate: Some(ex_deauthenticate),
    C_EX_UnblockAuthenticator: Some(ex_unblock_authenticator),
};

static FUNCTION_LIST: CK_FUNCTION_LIST = CK_FUNCTION_LIST {
    version: CK_VERSION {
        major: 2,
        minor: 40,
    },
    C_Initialize: Some(C_Initialize),
    C_Finalize: Some(C_Finalize),
    C_GetInfo: Some(C_GetInfo),
    C_GetFunctionList: Some(C_GetFunctionList),
    C_GetSlotList: Some(C_GetSlotList),
    C_GetSlotInfo: Some(C_GetSlotInfo),
    C_GetTokenInfo: Some(C_GetTokenInfo),
    C_GetMechanismList: Some(C_GetMechanismList),
    C_GetMechanismInfo: Some(C_GetMechanismInfo),
    C_InitToken: Some(C_InitToken),
    C_InitPIN: Some(C_InitPIN),
    C_SetPIN: Some(C_SetPIN),
    C_OpenSession: Some(C_OpenSession),
    C_CloseSession: Some(C_CloseSession),
    C_CloseAllSessions: Some(C_CloseAllSessions),
    C_GetSessionInfo: Some(C_GetSessionInfo),
    C_GetOperationState: Some(C_GetOperationState),
    C_SetOperationState: Some(C_SetOperationState),
    C_Login: Some(C_Login),
    C_Logout: Some(C_Logout),
    C_CreateObject: Some(C_CreateObject),
    C_CopyObject: Some(C_CopyObject),
    C_DestroyObject: Some(C_DestroyObject),
    C_GetObjectSize: Some(C_GetObjectSize),
    C_GetAttributeValue: Some(C_GetAttributeValue),
    C_SetAttributeValue: Some(C_SetAttributeValue),
    C_FindObjectsInit: Some(C_FindObjectsInit),
    C_FindObjects: Some(C_FindObjects),
    C_FindObjectsFinal: Some(C_FindObjectsFinal),
    C_EncryptInit: Some(C_EncryptInit),
    C_Encrypt: Some(C_Encrypt),
    C_EncryptUpdate: Some(C_EncryptUpdate),
    C_EncryptFinal: Some(C_EncryptFinal),
    C_DecryptInit: Some(C_DecryptInit),
    C_Decrypt: Some(C_Decrypt),
    C_DecryptUpdate: Some(C_DecryptUpdate),
    C_DecryptFinal: Some(C_DecryptFinal),
    C_DigestInit: Some(C_DigestInit),
    C_Digest: Some(C_Digest),
    C_DigestUpdate: Some(C_DigestUpdate),
    C_DigestKey: Some(C_DigestKey),
    C_DigestFinal: Some(C_DigestFinal),
    C_SignInit: Some(C_SignInit),
    C_Sign: Some(C_Sign),
    C_SignUpdate: Some(C_SignUpdate),
    C_SignFinal: Some(C_SignFinal),
    C_SignRecoverInit: Some(C_SignRecoverInit),
    C_SignRecover: Some(C_SignRecover),
    C_VerifyInit: Some(C_VerifyInit),
    C_Verify: Some(C_Verify),
    C_VerifyUpdate: Some(C_VerifyUpdate),
    C_VerifyFinal: Some(C_VerifyFinal),
    C_VerifyRecoverInit: Some(C_VerifyRecoverInit),
    C_VerifyRecover: Some(C_VerifyRecover),
    C_DigestEncryptUpdate: Some(C_DigestEncryptUpdate),
    C_DecryptDigestUpdate: Some(C_DecryptDigestUpdate),
    C_SignEncryptUpdate: Some(C_SignEncryptUpdate),
    C_DecryptVerifyUpdate: Some(C_DecryptVerifyUpdate),
    C_GenerateKey: Some(C_GenerateKey),
    C_GenerateKeyPair: Some(C_GenerateKeyPair),
    C_WrapKey: Some(C_WrapKey),
    C_UnwrapKey: Some(C_UnwrapKey),
    C_DeriveKey: Some(C_DeriveKey),
    C_SeedRandom: Some(C_SeedRandom),
    C_GenerateRandom: Some(C_GenerateRandom),
    C_GetFunctionStatus: Some(C_GetFunctionStatus),
    C_CancelFunction: Some(C_CancelFunction),
    C_WaitForSlotEvent: Some(C_WaitForSlotEvent),
};
