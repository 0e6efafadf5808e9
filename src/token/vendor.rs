//! Direct PKCS#11 calls for what `cryptoki` cannot name: the GOST mechanisms and
//! attributes below the vendor range (CKM_GOSTR3410_KEY_PAIR_GEN 0x1200, CKM_GOSTR3410
//! 0x1201, CKA_GOSTR3410_PARAMS 0x250) and Rutoken's extended functions
//! (C_EX_GetTokenInfoExtended).
//!
//! The library is opened a second time by path; the loader hands back the same loaded
//! module, so session and object handles from `cryptoki` are valid here. All unsafe code
//! of the token layer is in this file.
//!
//! Every call here whose answer is a length or a count is also made here rather than
//! through `cryptoki` (the slot list, object searches, attribute values, signatures):
//! `cryptoki` allocates whatever a module reports and trusts the counts it writes back,
//! so a broken or hostile module could make it allocate gigabytes, index past a buffer or
//! loop for ever. Here every such number is checked against a bound first
//! ([`Implausible`]).

use std::path::Path;
use std::ptr;

use cryptoki::context::Function;
use cryptoki::error::{Error as CkError, Rv};
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki_sys::{
    CK_ATTRIBUTE, CK_ATTRIBUTE_TYPE, CK_BBOOL, CK_FUNCTION_LIST, CK_MECHANISM, CK_MECHANISM_TYPE,
    CK_OBJECT_HANDLE, CK_RV, CK_SESSION_HANDLE, CK_SLOT_ID, CK_TRUE, CK_ULONG,
    CK_UNAVAILABLE_INFORMATION,
};
use rutoken_sys::{CK_FUNCTION_LIST_EXTENDED, CK_TOKEN_INFO_EXTENDED};

use super::error::Implausible;

/// The most card readers a module may report: a computer has a handful, and PC/SC
/// itself serves a few dozen at most.
pub(crate) const MAX_SLOTS: usize = 256;
/// The most objects one search may find: a Rutoken ECP 2.0 holds a few dozen keys and
/// certificates in its memory.
pub(crate) const MAX_OBJECTS: usize = 4096;
/// The longest attribute value read: the largest smartkey reads is a certificate, a few
/// kilobytes.
pub(crate) const MAX_ATTRIBUTE_LEN: usize = 1 << 20;
/// The longest signature: RSA-4096 makes 512 bytes, GOST R 34.10-2012 512 bits 128.
pub(crate) const MAX_SIGNATURE_LEN: usize = 4096;
/// How many times a slot list that grew between counting and reading is read again.
const SLOT_LIST_TRIES: usize = 4;
/// How many object handles one C_FindObjects call may return.
const FIND_BATCH: usize = 64;

/// Why a direct call failed: the module's return code, or an answer out of bounds.
#[derive(Debug)]
pub(crate) enum CallError {
    Ck(CkError),
    Implausible(Implausible),
}

impl From<CkError> for CallError {
    fn from(e: CkError) -> Self {
        CallError::Ck(e)
    }
}

impl From<Implausible> for CallError {
    fn from(e: Implausible) -> Self {
        CallError::Implausible(e)
    }
}

fn check(rv: CK_RV, function: Function) -> Result<(), CkError> {
    Rv::from(rv).into_result(function)
}

/// A module's number, for the words of an [`Implausible`].
#[allow(
    clippy::unnecessary_cast,
    reason = "CK_ULONG is u64 here but u32 on Windows; the cast never loses anything"
)]
fn reported(n: CK_ULONG) -> u64 {
    n as u64
}

/// A length the module asks room for, if it is at most `limit`.
fn room_for(length: CK_ULONG, limit: usize, what: &'static str) -> Result<usize, Implausible> {
    usize::try_from(length)
        .ok()
        .filter(|n| *n <= limit)
        .ok_or(Implausible::TooLong {
            what,
            length: reported(length),
            limit,
        })
}

/// How much the module says it wrote into `room`, if that fits in it.
fn written(count: CK_ULONG, room: usize, what: &'static str) -> Result<usize, Implausible> {
    usize::try_from(count)
        .ok()
        .filter(|n| *n <= room)
        .ok_or(Implausible::Overrun {
            what,
            reported: reported(count),
            room,
        })
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

/// Why the module's function lists could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VendorLoadError {
    #[error("{0}")]
    Open(libloading::Error),
    #[error("{0}")]
    NoFunctionList(libloading::Error),
    #[error("C_GetFunctionList returned {0:#x}")]
    Refused(CK_RV),
}

impl VendorCalls {
    /// Opens the module at `path` again and reads its function lists. A module without
    /// Rutoken's extensions simply has no extended list.
    pub fn load(path: &Path) -> Result<VendorCalls, VendorLoadError> {
        // SAFETY: loading the PKCS#11 library runs its initialisers; it is the same library
        // cryptoki has just loaded successfully.
        let library = unsafe { libloading::Library::new(path) }.map_err(VendorLoadError::Open)?;
        let mut list: *mut CK_FUNCTION_LIST = ptr::null_mut();
        // SAFETY: the symbol has the PKCS#11 C_GetFunctionList signature by specification.
        unsafe {
            let get: libloading::Symbol<unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST) -> CK_RV> =
                library
                    .get(b"C_GetFunctionList\0")
                    .map_err(VendorLoadError::NoFunctionList)?;
            let rv = get(&mut list);
            if rv != cryptoki_sys::CKR_OK || list.is_null() {
                return Err(VendorLoadError::Refused(rv));
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

    /// One attribute's value; `None` when the object does not have it (or keeps it
    /// secret). A value longer than [`MAX_ATTRIBUTE_LEN`] is refused before any room is
    /// made for it.
    pub fn attribute(
        &self,
        session: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        kind: CK_ATTRIBUTE_TYPE,
    ) -> Result<Option<Vec<u8>>, CallError> {
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
        if unavailable(rv, &attr) {
            return Ok(None);
        }
        check(rv, Function::GetAttributeValue)?;
        let room = room_for(attr.ulValueLen, MAX_ATTRIBUTE_LEN, "an attribute's value")?;
        let mut value = vec![0u8; room];
        attr.pValue = value.as_mut_ptr().cast();
        attr.ulValueLen = room as CK_ULONG;
        // SAFETY: pValue points to ulValueLen writable bytes.
        let rv = unsafe { f(session, object, &mut attr, 1) };
        if unavailable(rv, &attr) {
            return Ok(None);
        }
        check(rv, Function::GetAttributeValue)?;
        value.truncate(written(attr.ulValueLen, room, "bytes of an attribute")?);
        Ok(Some(value))
    }

    /// The attributes of `types` an object has, in cryptoki's typed form; those it lacks
    /// or keeps secret are left out. Each is read through [`Self::attribute`], so within
    /// its bound.
    pub fn attributes(
        &self,
        session: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        types: &[AttributeType],
    ) -> Result<Vec<Attribute>, CallError> {
        let mut found = Vec::with_capacity(types.len());
        for &kind in types {
            let Some(mut value) = self.attribute(session, object, kind.into())? else {
                continue;
            };
            let raw = CK_ATTRIBUTE {
                type_: kind.into(),
                pValue: value.as_mut_ptr().cast(),
                ulValueLen: value.len() as CK_ULONG,
            };
            // cryptoki reads ulValueLen bytes at pValue: exactly `value`, alive here.
            found.push(Attribute::try_from(raw)?);
        }
        Ok(found)
    }

    /// The slots with a token in them (C_GetSlotList), at most [`MAX_SLOTS`]. A list
    /// that grows between counting and reading is read again, a few times.
    pub fn slots_with_token(&self) -> Result<Vec<CK_SLOT_ID>, CallError> {
        let f = self
            .list()
            .C_GetSlotList
            .ok_or(CkError::NullFunctionPointer)?;
        let mut count: CK_ULONG = 0;
        // SAFETY: a count query: the list pointer is NULL.
        check(
            unsafe { f(CK_TRUE, ptr::null_mut(), &mut count) },
            Function::GetSlotList,
        )?;
        for _ in 0..SLOT_LIST_TRIES {
            if count == 0 {
                return Ok(Vec::new());
            }
            let room = usize::try_from(count)
                .ok()
                .filter(|n| *n <= MAX_SLOTS)
                .ok_or(Implausible::TooManySlots {
                    count: reported(count),
                    limit: MAX_SLOTS,
                })?;
            let mut slots: Vec<CK_SLOT_ID> = vec![0; room];
            count = room as CK_ULONG;
            // SAFETY: slots has room for `count` slot IDs.
            let rv = unsafe { f(CK_TRUE, slots.as_mut_ptr(), &mut count) };
            if rv == cryptoki_sys::CKR_BUFFER_TOO_SMALL {
                continue;
            }
            check(rv, Function::GetSlotList)?;
            slots.truncate(written(count, room, "card readers")?);
            return Ok(slots);
        }
        Err(Implausible::SlotsUnsettled.into())
    }

    /// The objects matching `template` (C_FindObjectsInit, C_FindObjects in batches,
    /// C_FindObjectsFinal), at most [`MAX_OBJECTS`].
    pub fn find_objects(
        &self,
        session: CK_SESSION_HANDLE,
        template: &[Attribute],
    ) -> Result<Vec<ObjectHandle>, CallError> {
        let list = self.list();
        let init = list.C_FindObjectsInit.ok_or(CkError::NullFunctionPointer)?;
        let find = list.C_FindObjects.ok_or(CkError::NullFunctionPointer)?;
        let end = list
            .C_FindObjectsFinal
            .ok_or(CkError::NullFunctionPointer)?;
        let mut raw: Vec<CK_ATTRIBUTE> = template.iter().map(CK_ATTRIBUTE::from).collect();
        // SAFETY: the template points into `template`, alive for the call; the module
        // only reads it.
        let rv = unsafe { init(session, raw.as_mut_ptr(), raw.len() as CK_ULONG) };
        check(rv, Function::FindObjectsInit)?;
        let mut found = Vec::new();
        let searched = loop {
            let mut batch: [CK_OBJECT_HANDLE; FIND_BATCH] = [0; FIND_BATCH];
            let mut count: CK_ULONG = 0;
            // SAFETY: batch has room for FIND_BATCH handles.
            let rv = unsafe {
                find(
                    session,
                    batch.as_mut_ptr(),
                    FIND_BATCH as CK_ULONG,
                    &mut count,
                )
            };
            if let Err(e) = check(rv, Function::FindObjects) {
                break Err(CallError::from(e));
            }
            let n = match written(count, FIND_BATCH, "object handles") {
                Ok(n) => n,
                Err(e) => break Err(e.into()),
            };
            if found.len() + n > MAX_OBJECTS {
                break Err(Implausible::TooManyObjects { limit: MAX_OBJECTS }.into());
            }
            // SAFETY: the handles are the module's own answer for this session.
            found.extend(
                batch[..n]
                    .iter()
                    .map(|&h| unsafe { ObjectHandle::new_from_raw(h) }),
            );
            // Fewer than asked for: the search is exhausted.
            if n < FIND_BATCH {
                break Ok(());
            }
        };
        // SAFETY: ends the search begun above, whatever happened during it.
        let ended = unsafe { end(session) };
        searched?;
        check(ended, Function::FindObjectsFinal)?;
        Ok(found)
    }

    /// C_SignInit + C_Sign with a mechanism without parameters (the GOST ones cryptoki
    /// cannot name, and CKM_RSA_PKCS), the signature at most [`MAX_SIGNATURE_LEN`].
    pub fn sign(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        key: CK_OBJECT_HANDLE,
        data: &[u8],
    ) -> Result<Vec<u8>, CallError> {
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
        let room = room_for(len, MAX_SIGNATURE_LEN, "signature")?;
        let mut out = vec![0u8; room];
        len = room as CK_ULONG;
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
        out.truncate(written(len, room, "bytes of signature")?);
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

/// Whether a C_GetAttributeValue answer means the object lacks the attribute or keeps it
/// secret.
fn unavailable(rv: CK_RV, attr: &CK_ATTRIBUTE) -> bool {
    rv == cryptoki_sys::CKR_ATTRIBUTE_TYPE_INVALID
        || rv == cryptoki_sys::CKR_ATTRIBUTE_SENSITIVE
        || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION
}
