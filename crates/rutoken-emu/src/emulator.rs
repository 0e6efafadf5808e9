//! The PKCS#11 semantics of the module, in safe Rust: slots, sessions, login, objects and
//! operations over the state in [`Store`].
//!
//! Each method is one PKCS#11 call after its pointers have been turned into Rust values;
//! it returns what the call returns. The FFI layer only converts.
//!
//! # Removal
//! A session belongs to one *insertion* of a token. When the reader is empty, or holds the
//! token again after a removal, the first call naming an old session returns
//! `CKR_DEVICE_REMOVED` and forgets the session; later calls with that handle return
//! `CKR_SESSION_HANDLE_INVALID`. This holds for C_CloseSession too (the handle is released
//! either way). Login state dies with the insertion, and session objects with the session.
//! Token objects live in the token's file and are there again when it is reinserted.

use std::collections::{BTreeMap, HashMap, VecDeque};

use cryptoki_sys::*;
use rutoken_sys::{
    CK_TOKEN_INFO_EXTENDED, CKA_GOSTR3410_PARAMS, CKA_GOSTR3411_PARAMS,
    CKA_VENDOR_CURRENT_TOKEN_INTERFACE, CKA_VENDOR_MODEL_NAME,
    CKA_VENDOR_SUPPORTED_TOKEN_INTERFACE, CKH_VENDOR_TOKEN_INFO, CKM_GOSTR3410_512_KEY_PAIR_GEN,
    INTERFACE_TYPE_USB, TOKEN_BODY_COLOR_UNKNOWN, TOKEN_CLASS_ECP,
    TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN, TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT,
    TOKEN_FLAGS_FW_CHECKSUM_UNAVAILIBLE, TOKEN_FLAGS_USER_CHANGE_USER_PIN,
    TOKEN_FLAGS_USER_PIN_NOT_DEFAULT, TOKEN_TYPE_RUTOKEN_ECP,
};

use crate::crypto::{
    self, DigestScheme, GeneratedPair, Mechanism, PrivateKey, PublicKey, SignScheme,
};
use crate::error::{Ckr, Result};
use crate::object::{
    self, Lookup, Template, TemplateView, class_of, flag, flag_of, ulong, ulong_of,
};
use crate::seed::{Purpose, Seed, SeededRng};
use crate::store::{Inserted, Store};
use crate::token::{
    Attributes, DEFAULT_SO_PIN, DEFAULT_USER_PIN, MAX_PIN_LEN, MIN_PIN_LEN, PinState, Secret,
    StoredObject, TOTAL_MEMORY, TokenState, check_new_pin,
};

/// Manufacturer of the emulated tokens, as a real Rutoken reports it.
pub const MANUFACTURER: &str = "Aktiv Co.";
/// `CK_TOKEN_INFO.model` of a Rutoken ECP 2.0.
pub const MODEL: &str = "Rutoken ECP";
/// `CKA_VENDOR_MODEL_NAME` of the hardware feature object.
pub const MODEL_NAME: &str = "Rutoken ECP 2.0";
/// ATR of a Rutoken ECP 2.0 ("Rutoken DS" in its historical bytes).
pub const ATR: &[u8] = b"\x3b\x8b\x01Rutoken DS \xc1";
/// Hardware and firmware versions reported (plausible for the model, not authoritative).
pub const HARDWARE_VERSION: CK_VERSION = CK_VERSION {
    major: 20,
    minor: 0,
};
/// See [`HARDWARE_VERSION`].
pub const FIRMWARE_VERSION: CK_VERSION = CK_VERSION {
    major: 23,
    minor: 2,
};
/// Version of this module.
pub const LIBRARY_VERSION: CK_VERSION = CK_VERSION { major: 0, minor: 1 };

/// Answer of a call that returns bytes with the two-call convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The caller asked for the length only (NULL buffer): the operation stays active.
    Size(usize),
    /// The buffer is too small (`CKR_BUFFER_TOO_SMALL`): the operation stays active.
    TooSmall(usize),
    /// The result; the operation is over.
    Data(Vec<u8>),
}

/// Answer for one attribute of C_GetAttributeValue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrOutcome {
    /// `ulValueLen` becomes `CK_UNAVAILABLE_INFORMATION`.
    Unavailable,
    /// The length only (NULL `pValue`).
    Length(usize),
    /// The value to copy.
    Value(Vec<u8>),
}

fn pad<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [b' '; N];
    let bytes = text.as_bytes();
    let n = bytes.len().min(N);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

fn capacity_check(len: usize, capacity: Option<usize>) -> Option<Output> {
    match capacity {
        None => Some(Output::Size(len)),
        Some(c) if c < len => Some(Output::TooSmall(len)),
        Some(_) => None,
    }
}

struct Login {
    insertion: u64,
    user: CK_USER_TYPE,
}

struct SignOp {
    scheme: SignScheme,
    key: PrivateKey,
    data: Vec<u8>,
    updated: bool,
}

struct VerifyOp {
    scheme: SignScheme,
    key: PublicKey,
    data: Vec<u8>,
}

struct DigestOp {
    scheme: DigestScheme,
    data: Vec<u8>,
    updated: bool,
}

struct Session {
    slot: CK_SLOT_ID,
    serial: String,
    insertion: u64,
    rw: bool,
    find: Option<VecDeque<CK_OBJECT_HANDLE>>,
    sign: Option<SignOp>,
    verify: Option<VerifyOp>,
    digest: Option<DigestOp>,
}

struct SessionObject {
    owner: CK_SESSION_HANDLE,
    slot: CK_SLOT_ID,
    insertion: u64,
    object: StoredObject,
}

/// What a session call works on.
#[derive(Debug, Clone)]
struct Ctx {
    handle: CK_SESSION_HANDLE,
    slot: CK_SLOT_ID,
    serial: String,
    insertion: u64,
    rw: bool,
    user: Option<CK_USER_TYPE>,
}

impl Ctx {
    fn user_logged_in(&self) -> bool {
        self.user == Some(CKU_USER)
    }

    fn can_see(&self, object: &StoredObject) -> bool {
        !flag_of(&object.attributes, CKA_PRIVATE) || self.user_logged_in()
    }
}

/// Where an object lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Token(u64),
    Session,
    Feature,
}

/// Stable object handles for token objects: (serial, uid) <-> handle, per process.
#[derive(Default)]
struct Handles {
    next: CK_OBJECT_HANDLE,
    by_key: HashMap<(String, u64), CK_OBJECT_HANDLE>,
    by_handle: HashMap<CK_OBJECT_HANDLE, (String, u64)>,
}

impl Handles {
    fn fresh(&mut self) -> CK_OBJECT_HANDLE {
        self.next += 1;
        self.next
    }

    fn token(&mut self, serial: &str, uid: u64) -> CK_OBJECT_HANDLE {
        if let Some(h) = self.by_key.get(&(serial.to_owned(), uid)) {
            return *h;
        }
        let h = self.fresh();
        self.by_key.insert((serial.to_owned(), uid), h);
        self.by_handle.insert(h, (serial.to_owned(), uid));
        h
    }

    fn forget(&mut self, handle: CK_OBJECT_HANDLE) {
        if let Some(key) = self.by_handle.remove(&handle) {
            self.by_key.remove(&key);
        }
    }
}

/// The uid of the (unstored) hardware feature object.
const FEATURE_UID: u64 = 0;

fn feature_object() -> StoredObject {
    let mut attributes = Attributes::default();
    for (ty, value) in [
        (CKA_CLASS, ulong(CKO_HW_FEATURE)),
        (CKA_HW_FEATURE_TYPE, ulong(CKH_VENDOR_TOKEN_INFO)),
        (CKA_TOKEN, flag(true)),
        (CKA_PRIVATE, flag(false)),
        (CKA_MODIFIABLE, flag(false)),
        (CKA_VENDOR_MODEL_NAME, MODEL_NAME.as_bytes().to_vec()),
        (
            CKA_VENDOR_CURRENT_TOKEN_INTERFACE,
            ulong(INTERFACE_TYPE_USB),
        ),
        (
            CKA_VENDOR_SUPPORTED_TOKEN_INTERFACE,
            ulong(INTERFACE_TYPE_USB),
        ),
    ] {
        attributes.0.insert(ty, value);
    }
    StoredObject {
        uid: FEATURE_UID,
        attributes,
        secret: None,
    }
}

fn pin_flags(pin: &PinState, low: CK_FLAGS, final_try: CK_FLAGS, locked: CK_FLAGS) -> CK_FLAGS {
    let mut flags = 0;
    if pin.retries_left < pin.max_retries {
        flags |= low;
    }
    if pin.retries_left == 1 {
        flags |= final_try;
    }
    if pin.retries_left == 0 {
        flags |= locked;
    }
    flags
}

/// The module's state in one process.
pub struct Emulator {
    store: Store,
    sessions: BTreeMap<CK_SESSION_HANDLE, Session>,
    next_session: CK_SESSION_HANDLE,
    logins: HashMap<CK_SLOT_ID, Login>,
    handles: Handles,
    session_objects: BTreeMap<CK_OBJECT_HANDLE, SessionObject>,
    seen: Vec<Option<u64>>,
    seed: Option<Seed>,
}

impl Emulator {
    /// A module over `store` (C_Initialize).
    pub fn new(mut store: Store) -> Emulator {
        let seen = store
            .readers()
            .map(|r| {
                r.slots
                    .iter()
                    .map(|s| s.as_ref().map(|i| i.insertion))
                    .collect()
            })
            .unwrap_or_default();
        Emulator {
            store,
            sessions: BTreeMap::new(),
            next_session: 0,
            logins: HashMap::new(),
            handles: Handles::default(),
            session_objects: BTreeMap::new(),
            seen,
            seed: None,
        }
    }

    /// The module with every random choice of its tokens drawn from `seed` (see
    /// [`crate::seed`]; tests and training only), or from the operating system when `None`.
    pub fn with_seed(mut self, seed: Option<Seed>) -> Emulator {
        self.seed = seed;
        self
    }

    /// The seed in use, if any.
    pub fn seed(&self) -> Option<&Seed> {
        self.seed.as_ref()
    }

    /// The stream of the token's next seeded draw for `purpose`; `None` when not seeded.
    fn seeded_draw(&mut self, serial: &str, purpose: Purpose) -> Result<Option<SeededRng>> {
        let Some(seed) = &self.seed else {
            return Ok(None);
        };
        let rng = self.store.update_token(serial, |token| {
            Ok::<_, Ckr>(seed.draw(&token.serial, &mut token.seeded_draws, purpose))
        })?;
        Ok(Some(rng))
    }

    /// The state directory.
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    // ---- slots and tokens ----

    fn present(&mut self, slot: CK_SLOT_ID) -> Result<(Inserted, TokenState)> {
        let readers = self.store.readers()?;
        let entry = usize::try_from(slot)
            .ok()
            .and_then(|i| readers.slots.get(i))
            .ok_or(Ckr(CKR_SLOT_ID_INVALID))?;
        let inserted = entry.clone().ok_or(Ckr(CKR_TOKEN_NOT_PRESENT))?;
        let state = self
            .store
            .token(&inserted.serial)?
            .ok_or(Ckr(CKR_TOKEN_NOT_PRESENT))?;
        if self
            .logins
            .get(&slot)
            .is_some_and(|l| l.insertion != inserted.insertion)
        {
            self.logins.remove(&slot);
        }
        Ok((inserted, state))
    }

    /// C_GetInfo.
    pub fn info() -> CK_INFO {
        CK_INFO {
            cryptokiVersion: CK_VERSION {
                major: 2,
                minor: 40,
            },
            manufacturerID: pad("smartkey rutoken-emu"),
            flags: 0,
            libraryDescription: pad("Virtual Rutoken ECP 2.0"),
            libraryVersion: LIBRARY_VERSION,
        }
    }

    /// C_GetSlotList.
    pub fn slot_list(&mut self, token_present: bool) -> Result<Vec<CK_SLOT_ID>> {
        let readers = self.store.readers()?;
        let mut slots = Vec::new();
        for (index, entry) in readers.slots.iter().enumerate() {
            let has_token = match entry {
                Some(inserted) => self.store.token(&inserted.serial)?.is_some(),
                None => false,
            };
            if has_token || !token_present {
                slots.push(index as CK_SLOT_ID);
            }
        }
        Ok(slots)
    }

    /// C_GetSlotInfo.
    pub fn slot_info(&mut self, slot: CK_SLOT_ID) -> Result<CK_SLOT_INFO> {
        let present = match self.present(slot) {
            Ok(_) => true,
            Err(Ckr(CKR_TOKEN_NOT_PRESENT)) => false,
            Err(e) => return Err(e),
        };
        let mut flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
        if present {
            flags |= CKF_TOKEN_PRESENT;
        }
        Ok(CK_SLOT_INFO {
            slotDescription: pad(&format!("Virtual Rutoken reader {slot} (rutoken-emu)")),
            manufacturerID: pad("smartkey rutoken-emu"),
            flags,
            hardwareVersion: CK_VERSION { major: 1, minor: 0 },
            firmwareVersion: CK_VERSION { major: 1, minor: 0 },
        })
    }

    fn session_counts(&self, slot: CK_SLOT_ID, insertion: u64) -> (usize, usize) {
        let mine = self
            .sessions
            .values()
            .filter(|s| s.slot == slot && s.insertion == insertion);
        let (all, rw) = mine.fold((0, 0), |(a, r), s| (a + 1, r + usize::from(s.rw)));
        (all, rw)
    }

    /// C_GetTokenInfo.
    pub fn token_info(&mut self, slot: CK_SLOT_ID) -> Result<CK_TOKEN_INFO> {
        let (inserted, token) = self.present(slot)?;
        let mut flags = CKF_RNG
            | CKF_LOGIN_REQUIRED
            | CKF_USER_PIN_INITIALIZED
            | CKF_TOKEN_INITIALIZED
            | pin_flags(
                &token.user_pin,
                CKF_USER_PIN_COUNT_LOW,
                CKF_USER_PIN_FINAL_TRY,
                CKF_USER_PIN_LOCKED,
            )
            | pin_flags(
                &token.so_pin,
                CKF_SO_PIN_COUNT_LOW,
                CKF_SO_PIN_FINAL_TRY,
                CKF_SO_PIN_LOCKED,
            );
        if token.user_pin.is_default {
            flags |= CKF_USER_PIN_TO_BE_CHANGED;
        }
        if token.so_pin.is_default {
            flags |= CKF_SO_PIN_TO_BE_CHANGED;
        }
        let (sessions, rw) = self.session_counts(slot, inserted.insertion);
        let free = token.free_memory() as CK_ULONG;
        Ok(CK_TOKEN_INFO {
            label: pad(&token.label),
            manufacturerID: pad(MANUFACTURER),
            model: pad(MODEL),
            serialNumber: pad(&token.serial),
            flags,
            ulMaxSessionCount: CK_EFFECTIVELY_INFINITE,
            ulSessionCount: sessions as CK_ULONG,
            ulMaxRwSessionCount: CK_EFFECTIVELY_INFINITE,
            ulRwSessionCount: rw as CK_ULONG,
            ulMaxPinLen: MAX_PIN_LEN as CK_ULONG,
            ulMinPinLen: MIN_PIN_LEN as CK_ULONG,
            ulTotalPublicMemory: TOTAL_MEMORY as CK_ULONG,
            ulFreePublicMemory: free,
            ulTotalPrivateMemory: TOTAL_MEMORY as CK_ULONG,
            ulFreePrivateMemory: free,
            hardwareVersion: HARDWARE_VERSION,
            firmwareVersion: FIRMWARE_VERSION,
            utcTime: [b' '; 16],
        })
    }

    /// C_EX_GetTokenInfoExtended (the whole structure; the caller copies what fits).
    pub fn token_info_extended(&mut self, slot: CK_SLOT_ID) -> Result<CK_TOKEN_INFO_EXTENDED> {
        let (_, token) = self.present(slot)?;
        let mut flags = TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN
            | TOKEN_FLAGS_USER_CHANGE_USER_PIN
            | TOKEN_FLAGS_FW_CHECKSUM_UNAVAILIBLE;
        if !token.user_pin.is_default {
            flags |= TOKEN_FLAGS_USER_PIN_NOT_DEFAULT;
        }
        if !token.so_pin.is_default {
            flags |= TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT;
        }
        let mut info = CK_TOKEN_INFO_EXTENDED {
            ulTokenType: TOKEN_TYPE_RUTOKEN_ECP,
            ulProtocolNumber: 1,
            flags,
            ulMaxAdminPinLen: MAX_PIN_LEN as CK_ULONG,
            ulMinAdminPinLen: MIN_PIN_LEN as CK_ULONG,
            ulMaxUserPinLen: MAX_PIN_LEN as CK_ULONG,
            ulMinUserPinLen: MIN_PIN_LEN as CK_ULONG,
            ulMaxAdminRetryCount: CK_ULONG::from(token.so_pin.max_retries),
            ulAdminRetryCountLeft: CK_ULONG::from(token.so_pin.retries_left),
            ulMaxUserRetryCount: CK_ULONG::from(token.user_pin.max_retries),
            ulUserRetryCountLeft: CK_ULONG::from(token.user_pin.retries_left),
            serialNumber: token.serial_bytes(),
            ulTotalMemory: TOTAL_MEMORY as CK_ULONG,
            ulFreeMemory: token.free_memory() as CK_ULONG,
            ulATRLen: ATR.len() as CK_ULONG,
            ulTokenClass: TOKEN_CLASS_ECP,
            ulBodyColor: TOKEN_BODY_COLOR_UNKNOWN,
            ..CK_TOKEN_INFO_EXTENDED::default()
        };
        info.ATR[..ATR.len()].copy_from_slice(ATR);
        Ok(info)
    }

    /// C_GetMechanismList.
    pub fn mechanism_list(&mut self, slot: CK_SLOT_ID) -> Result<Vec<CK_MECHANISM_TYPE>> {
        self.present(slot)?;
        Ok(crypto::MECHANISMS.to_vec())
    }

    /// C_GetMechanismInfo.
    pub fn mechanism_info(
        &mut self,
        slot: CK_SLOT_ID,
        mechanism: CK_MECHANISM_TYPE,
    ) -> Result<CK_MECHANISM_INFO> {
        self.present(slot)?;
        crypto::mechanism_info(mechanism)
    }

    /// Which slot changed since the last call (C_WaitForSlotEvent without blocking).
    pub fn poll_slot_event(&mut self) -> Result<Option<CK_SLOT_ID>> {
        let readers = self.store.readers()?;
        let now: Vec<Option<u64>> = readers
            .slots
            .iter()
            .map(|s| s.as_ref().map(|i| i.insertion))
            .collect();
        self.seen.resize(now.len(), None);
        for (index, current) in now.iter().enumerate() {
            if self.seen[index] != *current {
                self.seen[index] = *current;
                return Ok(Some(index as CK_SLOT_ID));
            }
        }
        self.seen.truncate(now.len());
        Ok(None)
    }

    // ---- sessions ----

    fn drop_session(&mut self, handle: CK_SESSION_HANDLE) {
        let Some(session) = self.sessions.remove(&handle) else {
            return;
        };
        let owned: Vec<CK_OBJECT_HANDLE> = self
            .session_objects
            .iter()
            .filter(|(_, o)| o.owner == handle)
            .map(|(h, _)| *h)
            .collect();
        for h in owned {
            self.session_objects.remove(&h);
        }
        // Closing the last session of a token logs it out.
        if !self.sessions.values().any(|s| s.slot == session.slot) {
            self.logins.remove(&session.slot);
        }
    }

    fn ctx(&mut self, handle: CK_SESSION_HANDLE) -> Result<Ctx> {
        let session = self
            .sessions
            .get(&handle)
            .ok_or(Ckr(CKR_SESSION_HANDLE_INVALID))?;
        let (slot, insertion, rw, serial) = (
            session.slot,
            session.insertion,
            session.rw,
            session.serial.clone(),
        );
        let readers = self.store.readers()?;
        let current = usize::try_from(slot)
            .ok()
            .and_then(|i| readers.slots.get(i))
            .and_then(|s| s.as_ref())
            .map(|i| i.insertion);
        if current != Some(insertion) {
            self.drop_session(handle);
            if self
                .logins
                .get(&slot)
                .is_some_and(|l| l.insertion == insertion)
            {
                self.logins.remove(&slot);
            }
            return Err(Ckr(CKR_DEVICE_REMOVED));
        }
        let user = self
            .logins
            .get(&slot)
            .filter(|l| l.insertion == insertion)
            .map(|l| l.user);
        Ok(Ctx {
            handle,
            slot,
            serial,
            insertion,
            rw,
            user,
        })
    }

    fn session_mut(&mut self, handle: CK_SESSION_HANDLE) -> Result<&mut Session> {
        self.sessions
            .get_mut(&handle)
            .ok_or(Ckr(CKR_SESSION_HANDLE_INVALID))
    }

    /// C_OpenSession.
    pub fn open_session(&mut self, slot: CK_SLOT_ID, flags: CK_FLAGS) -> Result<CK_SESSION_HANDLE> {
        if flags & CKF_SERIAL_SESSION == 0 {
            return Err(Ckr(CKR_SESSION_PARALLEL_NOT_SUPPORTED));
        }
        let (inserted, _) = self.present(slot)?;
        let rw = flags & CKF_RW_SESSION != 0;
        let so = self
            .logins
            .get(&slot)
            .is_some_and(|l| l.user == CKU_SO && l.insertion == inserted.insertion);
        if !rw && so {
            return Err(Ckr(CKR_SESSION_READ_WRITE_SO_EXISTS));
        }
        self.next_session += 1;
        let handle = self.next_session;
        self.sessions.insert(
            handle,
            Session {
                slot,
                serial: inserted.serial,
                insertion: inserted.insertion,
                rw,
                find: None,
                sign: None,
                verify: None,
                digest: None,
            },
        );
        Ok(handle)
    }

    /// C_CloseSession.
    pub fn close_session(&mut self, handle: CK_SESSION_HANDLE) -> Result<()> {
        self.ctx(handle)?;
        self.drop_session(handle);
        Ok(())
    }

    /// C_CloseAllSessions.
    pub fn close_all_sessions(&mut self, slot: CK_SLOT_ID) -> Result<()> {
        let readers = self.store.readers()?;
        if usize::try_from(slot).map_or(true, |i| i >= readers.slots.len()) {
            return Err(Ckr(CKR_SLOT_ID_INVALID));
        }
        let mine: Vec<CK_SESSION_HANDLE> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.slot == slot)
            .map(|(h, _)| *h)
            .collect();
        for handle in mine {
            self.drop_session(handle);
        }
        self.logins.remove(&slot);
        Ok(())
    }

    /// C_GetSessionInfo.
    pub fn session_info(&mut self, handle: CK_SESSION_HANDLE) -> Result<CK_SESSION_INFO> {
        let ctx = self.ctx(handle)?;
        let state = match (ctx.user, ctx.rw) {
            (Some(CKU_SO), _) => CKS_RW_SO_FUNCTIONS,
            (Some(_), true) => CKS_RW_USER_FUNCTIONS,
            (Some(_), false) => CKS_RO_USER_FUNCTIONS,
            (None, true) => CKS_RW_PUBLIC_SESSION,
            (None, false) => CKS_RO_PUBLIC_SESSION,
        };
        Ok(CK_SESSION_INFO {
            slotID: ctx.slot,
            state,
            flags: CKF_SERIAL_SESSION | if ctx.rw { CKF_RW_SESSION } else { 0 },
            ulDeviceError: 0,
        })
    }

    // ---- PINs ----

    /// C_Login.
    pub fn login(
        &mut self,
        handle: CK_SESSION_HANDLE,
        user: CK_USER_TYPE,
        pin: &[u8],
    ) -> Result<()> {
        let ctx = self.ctx(handle)?;
        match user {
            CKU_USER | CKU_SO => {}
            // No key here needs re-authentication.
            CKU_CONTEXT_SPECIFIC => return Err(Ckr(CKR_OPERATION_NOT_INITIALIZED)),
            _ => return Err(Ckr(CKR_USER_TYPE_INVALID)),
        }
        if let Some(current) = ctx.user {
            return Err(Ckr(if current == user {
                CKR_USER_ALREADY_LOGGED_IN
            } else {
                CKR_USER_ANOTHER_ALREADY_LOGGED_IN
            }));
        }
        if user == CKU_SO
            && self
                .sessions
                .values()
                .any(|s| s.slot == ctx.slot && s.insertion == ctx.insertion && !s.rw)
        {
            return Err(Ckr(CKR_SESSION_READ_ONLY_EXISTS));
        }
        self.store.update_token(&ctx.serial, |token| {
            if user == CKU_SO {
                token.so_pin.verify(pin)
            } else {
                token.user_pin.verify(pin)
            }
        })?;
        self.logins.insert(
            ctx.slot,
            Login {
                insertion: ctx.insertion,
                user,
            },
        );
        Ok(())
    }

    /// C_Logout.
    pub fn logout(&mut self, handle: CK_SESSION_HANDLE) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if ctx.user.is_none() {
            return Err(Ckr(CKR_USER_NOT_LOGGED_IN));
        }
        self.logins.remove(&ctx.slot);
        // Operations with private keys end with the login.
        for session in self.sessions.values_mut().filter(|s| s.slot == ctx.slot) {
            session.sign = None;
        }
        Ok(())
    }

    /// C_SetPIN: the SO's PIN when the SO is logged in, otherwise the user's.
    pub fn set_pin(&mut self, handle: CK_SESSION_HANDLE, old: &[u8], new: &[u8]) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if !ctx.rw {
            return Err(Ckr(CKR_SESSION_READ_ONLY));
        }
        check_new_pin(new)?;
        let so = ctx.user == Some(CKU_SO);
        let seed = self.seed.as_ref();
        self.store.update_token(&ctx.serial, |token| {
            let purpose = if so {
                token.so_pin.verify(old)?;
                Purpose::SoPinSalt
            } else {
                token.user_pin.verify(old)?;
                Purpose::UserPinSalt
            };
            let salt = token.new_salt(seed, purpose);
            let (pin, default) = if so {
                (&mut token.so_pin, DEFAULT_SO_PIN)
            } else {
                (&mut token.user_pin, DEFAULT_USER_PIN)
            };
            pin.set_with_salt(new, default, salt);
            Ok(())
        })
    }

    /// C_InitPIN: the SO sets the user PIN, which unblocks it.
    pub fn init_pin(&mut self, handle: CK_SESSION_HANDLE, pin: &[u8]) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if ctx.user != Some(CKU_SO) {
            return Err(Ckr(CKR_USER_NOT_LOGGED_IN));
        }
        if !ctx.rw {
            return Err(Ckr(CKR_SESSION_READ_ONLY));
        }
        check_new_pin(pin)?;
        let seed = self.seed.as_ref();
        self.store.update_token(&ctx.serial, |token| {
            let salt = token.new_salt(seed, Purpose::UserPinSalt);
            token.user_pin.set_with_salt(pin, DEFAULT_USER_PIN, salt);
            Ok::<_, Ckr>(())
        })
    }

    /// C_EX_UnblockUserPIN: the SO refills the user PIN's counter without changing it.
    pub fn unblock_user_pin(&mut self, handle: CK_SESSION_HANDLE) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if ctx.user != Some(CKU_SO) {
            return Err(Ckr(CKR_USER_NOT_LOGGED_IN));
        }
        self.store.update_token(&ctx.serial, |token| {
            token.user_pin.retries_left = token.user_pin.max_retries;
            Ok::<_, Ckr>(())
        })
    }

    /// C_EX_GetTokenName.
    pub fn token_name(&mut self, handle: CK_SESSION_HANDLE) -> Result<Vec<u8>> {
        let ctx = self.ctx(handle)?;
        let token = self
            .store
            .token(&ctx.serial)?
            .ok_or(Ckr(CKR_TOKEN_NOT_PRESENT))?;
        Ok(token.label.into_bytes())
    }

    /// C_EX_SetTokenName: the logged-in user renames the token.
    pub fn set_token_name(&mut self, handle: CK_SESSION_HANDLE, label: &[u8]) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if !ctx.user_logged_in() {
            return Err(Ckr(CKR_USER_NOT_LOGGED_IN));
        }
        if !ctx.rw {
            return Err(Ckr(CKR_SESSION_READ_ONLY));
        }
        let label = std::str::from_utf8(label).map_err(|_| Ckr(CKR_ARGUMENTS_BAD))?;
        if label.len() > 32 {
            return Err(Ckr(CKR_ARGUMENTS_BAD));
        }
        self.store.update_token(&ctx.serial, |token| {
            token.label = label.to_owned();
            Ok::<_, Ckr>(())
        })
    }

    // ---- objects ----

    fn locate(&mut self, ctx: &Ctx, handle: CK_OBJECT_HANDLE) -> Result<(Place, StoredObject)> {
        let invalid = Ckr(CKR_OBJECT_HANDLE_INVALID);
        if let Some(o) = self.session_objects.get(&handle) {
            if o.slot == ctx.slot && o.insertion == ctx.insertion {
                return Ok((Place::Session, o.object.clone()));
            }
            return Err(invalid);
        }
        let (serial, uid) = self.handles.by_handle.get(&handle).ok_or(invalid)?.clone();
        if serial != ctx.serial {
            return Err(invalid);
        }
        if uid == FEATURE_UID {
            return Ok((Place::Feature, feature_object()));
        }
        let token = self
            .store
            .token(&serial)?
            .ok_or(Ckr(CKR_TOKEN_NOT_PRESENT))?;
        let object = token.object(uid).cloned().ok_or(invalid)?;
        Ok((Place::Token(uid), object))
    }

    fn locate_visible(
        &mut self,
        ctx: &Ctx,
        handle: CK_OBJECT_HANDLE,
    ) -> Result<(Place, StoredObject)> {
        let (place, object) = self.locate(ctx, handle)?;
        if ctx.can_see(&object) {
            Ok((place, object))
        } else {
            Err(Ckr(CKR_OBJECT_HANDLE_INVALID))
        }
    }

    fn check_write(ctx: &Ctx, attributes: &Attributes) -> Result<()> {
        if flag_of(attributes, CKA_TOKEN) && !ctx.rw {
            return Err(Ckr(CKR_SESSION_READ_ONLY));
        }
        if flag_of(attributes, CKA_PRIVATE) && !ctx.user_logged_in() {
            return Err(Ckr(CKR_USER_NOT_LOGGED_IN));
        }
        Ok(())
    }

    fn add_session_object(&mut self, ctx: &Ctx, object: StoredObject) -> CK_OBJECT_HANDLE {
        let handle = self.handles.fresh();
        self.session_objects.insert(
            handle,
            SessionObject {
                owner: ctx.handle,
                slot: ctx.slot,
                insertion: ctx.insertion,
                object,
            },
        );
        handle
    }

    /// C_CreateObject (certificates and data objects).
    pub fn create_object(
        &mut self,
        handle: CK_SESSION_HANDLE,
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE> {
        let ctx = self.ctx(handle)?;
        let attributes = object::created_object(template)?;
        Self::check_write(&ctx, &attributes)?;
        if flag_of(&attributes, CKA_TOKEN) {
            let uid = self
                .store
                .update_token(&ctx.serial, |token| token.add_object(attributes, None))?;
            Ok(self.handles.token(&ctx.serial, uid))
        } else {
            let object = StoredObject {
                uid: 0,
                attributes,
                secret: None,
            };
            Ok(self.add_session_object(&ctx, object))
        }
    }

    /// C_DestroyObject.
    pub fn destroy_object(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<()> {
        let ctx = self.ctx(handle)?;
        let (place, found) = self.locate_visible(&ctx, object)?;
        if place == Place::Feature
            || found.attributes.0.get(&CKA_DESTROYABLE).map(Vec::as_slice) == Some(&[CK_FALSE])
        {
            return Err(Ckr(CKR_ACTION_PROHIBITED));
        }
        match place {
            Place::Token(uid) => {
                if !ctx.rw {
                    return Err(Ckr(CKR_SESSION_READ_ONLY));
                }
                self.store.update_token(&ctx.serial, |token| {
                    let before = token.objects.len();
                    token.objects.retain(|o| o.uid != uid);
                    if token.objects.len() == before {
                        Err(Ckr(CKR_OBJECT_HANDLE_INVALID))
                    } else {
                        Ok(())
                    }
                })?;
                self.handles.forget(object);
            }
            Place::Session => {
                self.session_objects.remove(&object);
            }
            Place::Feature => {}
        }
        Ok(())
    }

    /// C_GetObjectSize.
    pub fn object_size(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<usize> {
        let ctx = self.ctx(handle)?;
        let (_, found) = self.locate_visible(&ctx, object)?;
        Ok(found.footprint())
    }

    /// C_GetAttributeValue: one outcome per requested `(type, capacity)` (capacity `None`
    /// for a NULL `pValue`), and the call's return value.
    pub fn get_attribute_values(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        requests: &[(CK_ATTRIBUTE_TYPE, Option<usize>)],
    ) -> Result<(Vec<AttrOutcome>, CK_RV)> {
        let ctx = self.ctx(handle)?;
        let (_, found) = self.locate_visible(&ctx, object)?;
        let mut rv = CKR_OK;
        let outcomes = requests
            .iter()
            .map(
                |(ty, capacity)| match (object::lookup(&found, *ty), capacity) {
                    (Lookup::Invalid, _) => {
                        rv = CKR_ATTRIBUTE_TYPE_INVALID;
                        AttrOutcome::Unavailable
                    }
                    (Lookup::Sensitive, _) => {
                        rv = CKR_ATTRIBUTE_SENSITIVE;
                        AttrOutcome::Unavailable
                    }
                    (Lookup::Value(v), None) => AttrOutcome::Length(v.len()),
                    (Lookup::Value(v), Some(c)) if *c < v.len() => {
                        rv = CKR_BUFFER_TOO_SMALL;
                        AttrOutcome::Unavailable
                    }
                    (Lookup::Value(v), Some(_)) => AttrOutcome::Value(v.to_vec()),
                },
            )
            .collect();
        Ok((outcomes, rv))
    }

    /// C_SetAttributeValue.
    pub fn set_attribute_values(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        template: &Template,
    ) -> Result<()> {
        let ctx = self.ctx(handle)?;
        let (place, found) = self.locate_visible(&ctx, object)?;
        if place == Place::Feature {
            return Err(Ckr(CKR_ATTRIBUTE_READ_ONLY));
        }
        if !flag_of(&found.attributes, CKA_MODIFIABLE) {
            return Err(Ckr(CKR_ACTION_PROHIBITED));
        }
        for (ty, value) in template {
            object::check_settable(&found, *ty, value)?;
        }
        match place {
            Place::Token(uid) => {
                if !ctx.rw {
                    return Err(Ckr(CKR_SESSION_READ_ONLY));
                }
                self.store.update_token(&ctx.serial, |token| {
                    let target = token
                        .object_mut(uid)
                        .ok_or(Ckr(CKR_OBJECT_HANDLE_INVALID))?;
                    for (ty, value) in template {
                        target.attributes.0.insert(*ty, value.clone());
                    }
                    Ok(())
                })
            }
            Place::Session => {
                if let Some(target) = self.session_objects.get_mut(&object) {
                    for (ty, value) in template {
                        target.object.attributes.0.insert(*ty, value.clone());
                    }
                }
                Ok(())
            }
            Place::Feature => Ok(()),
        }
    }

    /// C_FindObjectsInit. Hardware feature objects are found only when the template asks
    /// for `CKA_CLASS = CKO_HW_FEATURE`, as the standard requires.
    pub fn find_init(&mut self, handle: CK_SESSION_HANDLE, template: &Template) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if self.session_mut(handle)?.find.is_some() {
            return Err(Ckr(CKR_OPERATION_ACTIVE));
        }
        let token = self
            .store
            .token(&ctx.serial)?
            .ok_or(Ckr(CKR_TOKEN_NOT_PRESENT))?;
        let mut found = VecDeque::new();
        for o in &token.objects {
            if ctx.can_see(o) && object::matches(o, template) {
                found.push_back(self.handles.token(&ctx.serial, o.uid));
            }
        }
        for (h, o) in &self.session_objects {
            if o.slot == ctx.slot
                && o.insertion == ctx.insertion
                && ctx.can_see(&o.object)
                && object::matches(&o.object, template)
            {
                found.push_back(*h);
            }
        }
        let wants_features = TemplateView(template).ulong(CKA_CLASS) == Ok(Some(CKO_HW_FEATURE));
        if wants_features && object::matches(&feature_object(), template) {
            found.push_back(self.handles.token(&ctx.serial, FEATURE_UID));
        }
        self.session_mut(handle)?.find = Some(found);
        Ok(())
    }

    /// C_FindObjects.
    pub fn find(&mut self, handle: CK_SESSION_HANDLE, max: usize) -> Result<Vec<CK_OBJECT_HANDLE>> {
        self.ctx(handle)?;
        let find = self
            .session_mut(handle)?
            .find
            .as_mut()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        let n = max.min(find.len());
        Ok(find.drain(..n).collect())
    }

    /// C_FindObjectsFinal.
    pub fn find_final(&mut self, handle: CK_SESSION_HANDLE) -> Result<()> {
        self.ctx(handle)?;
        self.session_mut(handle)?
            .find
            .take()
            .map(|_| ())
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))
    }

    // ---- keys ----

    /// C_GenerateKeyPair: returns (public, private) handles.
    pub fn generate_key_pair(
        &mut self,
        handle: CK_SESSION_HANDLE,
        mechanism: &Mechanism,
        public_template: &Template,
        private_template: &Template,
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE)> {
        let ctx = self.ctx(handle)?;
        let public_view = TemplateView(public_template);
        let private_view = TemplateView(private_template);
        enum Plan {
            Rsa(CK_ULONG),
            Gost(gost3410::ParamSet),
        }
        let (key_type, plan, mut fixed) = match mechanism.ty {
            CKM_RSA_PKCS_KEY_PAIR_GEN => {
                let bits = public_view
                    .ulong(CKA_MODULUS_BITS)?
                    .ok_or(Ckr(CKR_TEMPLATE_INCOMPLETE))?;
                (CKK_RSA, Plan::Rsa(bits), Vec::new())
            }
            rutoken_sys::CKM_GOSTR3410_KEY_PAIR_GEN | CKM_GOSTR3410_512_KEY_PAIR_GEN => {
                let size = if mechanism.ty == CKM_GOSTR3410_512_KEY_PAIR_GEN {
                    gost3410::KeySize::Gost512
                } else {
                    gost3410::KeySize::Gost256
                };
                let params = public_view
                    .get(CKA_GOSTR3410_PARAMS)
                    .or(private_view.get(CKA_GOSTR3410_PARAMS))
                    .ok_or(Ckr(CKR_TEMPLATE_INCOMPLETE))?;
                let set = crypto::gost_params(params, size)?;
                let digest = public_view
                    .get(CKA_GOSTR3411_PARAMS)
                    .or(private_view.get(CKA_GOSTR3411_PARAMS))
                    .unwrap_or(crypto::streebog_oid(size));
                if digest != crypto::streebog_oid(size) {
                    return Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID));
                }
                for view in [public_view, private_view] {
                    if view.get(CKA_GOSTR3410_PARAMS).is_some_and(|p| p != params)
                        || view.get(CKA_GOSTR3411_PARAMS).is_some_and(|d| d != digest)
                    {
                        return Err(Ckr(CKR_TEMPLATE_INCONSISTENT));
                    }
                }
                let key_type = match size {
                    gost3410::KeySize::Gost256 => rutoken_sys::CKK_GOSTR3410,
                    gost3410::KeySize::Gost512 => rutoken_sys::CKK_GOSTR3410_512,
                };
                let fixed = vec![
                    (CKA_GOSTR3410_PARAMS, params.to_vec()),
                    (CKA_GOSTR3411_PARAMS, digest.to_vec()),
                ];
                (key_type, Plan::Gost(set), fixed)
            }
            _ => return Err(Ckr(CKR_MECHANISM_INVALID)),
        };
        if !mechanism.parameter.is_empty() {
            return Err(Ckr(CKR_MECHANISM_PARAM_INVALID));
        }
        // Validate both templates before the (slow) generation.
        let public = object::key_object(
            CKO_PUBLIC_KEY,
            key_type,
            mechanism.ty,
            public_template,
            fixed.clone(),
        )?;
        let private = object::key_object(
            CKO_PRIVATE_KEY,
            key_type,
            mechanism.ty,
            private_template,
            fixed.clone(),
        )?;
        Self::check_write(&ctx, &public)?;
        Self::check_write(&ctx, &private)?;
        let purpose = match plan {
            Plan::Rsa(_) => Purpose::RsaKey,
            Plan::Gost(_) => Purpose::GostKey,
        };
        // Drawn after the checks: a refused template takes no draw of a seeded token.
        let seeded = self.seeded_draw(&ctx.serial, purpose)?;
        let pair: GeneratedPair = match (plan, seeded) {
            (Plan::Rsa(bits), None) => {
                crypto::generate_rsa(bits, public_view.get(CKA_PUBLIC_EXPONENT))?
            }
            (Plan::Rsa(bits), Some(mut rng)) => {
                crypto::generate_rsa_with_rng(bits, public_view.get(CKA_PUBLIC_EXPONENT), &mut rng)?
            }
            (Plan::Gost(set), None) => crypto::generate_gost(set)?,
            (Plan::Gost(set), Some(mut rng)) => crypto::generate_gost_seeded(set, &mut rng)?,
        };
        let mut public = public;
        let mut private = private;
        for (ty, value) in pair.public {
            public.0.insert(ty, value);
        }
        fixed.extend(pair.private);
        for (ty, value) in fixed {
            private.0.insert(ty, value);
        }
        let secret = pair.secret;
        let public_on_token = flag_of(&public, CKA_TOKEN);
        let private_on_token = flag_of(&private, CKA_TOKEN);
        let (public_uid, private_uid) = if public_on_token || private_on_token {
            let (public_attrs, private_attrs) = (public.clone(), private.clone());
            let secret_copy = secret.clone();
            self.store.update_token(&ctx.serial, move |token| {
                let p = if public_on_token {
                    Some(token.add_object(public_attrs, None)?)
                } else {
                    None
                };
                let s = if private_on_token {
                    Some(token.add_object(private_attrs, Some(secret_copy))?)
                } else {
                    None
                };
                Ok::<_, Ckr>((p, s))
            })?
        } else {
            (None, None)
        };
        let public_handle = match public_uid {
            Some(uid) => self.handles.token(&ctx.serial, uid),
            None => self.add_session_object(
                &ctx,
                StoredObject {
                    uid: 0,
                    attributes: public,
                    secret: None,
                },
            ),
        };
        let private_handle = match private_uid {
            Some(uid) => self.handles.token(&ctx.serial, uid),
            None => self.add_session_object(
                &ctx,
                StoredObject {
                    uid: 0,
                    attributes: private,
                    secret: Some(secret),
                },
            ),
        };
        Ok((public_handle, private_handle))
    }

    // ---- signatures ----

    fn key_for(&mut self, ctx: &Ctx, key: CK_OBJECT_HANDLE) -> Result<StoredObject> {
        let (_, object) = self.locate(ctx, key).map_err(|e| {
            if e == Ckr(CKR_OBJECT_HANDLE_INVALID) {
                Ckr(CKR_KEY_HANDLE_INVALID)
            } else {
                e
            }
        })?;
        if !ctx.can_see(&object) {
            return Err(Ckr(CKR_USER_NOT_LOGGED_IN));
        }
        Ok(object)
    }

    /// C_SignInit.
    pub fn sign_init(
        &mut self,
        handle: CK_SESSION_HANDLE,
        mechanism: &Mechanism,
        key: CK_OBJECT_HANDLE,
    ) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if self.session_mut(handle)?.sign.is_some() {
            return Err(Ckr(CKR_OPERATION_ACTIVE));
        }
        let scheme = SignScheme::of(mechanism)?;
        let object = self.key_for(&ctx, key)?;
        if class_of(&object.attributes) != CKO_PRIVATE_KEY {
            return Err(Ckr(CKR_KEY_TYPE_INCONSISTENT));
        }
        if !flag_of(&object.attributes, CKA_SIGN) {
            return Err(Ckr(CKR_KEY_FUNCTION_NOT_PERMITTED));
        }
        scheme.check_key_type(ulong_of(&object.attributes, CKA_KEY_TYPE))?;
        let secret: &Secret = object.secret.as_ref().ok_or(Ckr(CKR_DEVICE_ERROR))?;
        let key = PrivateKey::load(secret)?;
        self.session_mut(handle)?.sign = Some(SignOp {
            scheme,
            key,
            data: Vec::new(),
            updated: false,
        });
        Ok(())
    }

    fn finish_sign(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        capacity: Option<usize>,
    ) -> Result<Output> {
        self.ctx(handle)?;
        let session = self.session_mut(handle)?;
        let op = session
            .sign
            .as_ref()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        if data.is_some() && op.updated {
            // C_Sign cannot finish a multi-part operation.
            return Err(Ckr(CKR_OPERATION_ACTIVE));
        }
        if let Some(answer) = capacity_check(op.key.signature_len(), capacity) {
            return Ok(answer);
        }
        let op = session
            .sign
            .take()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        let input = data.unwrap_or(&op.data);
        op.key.sign(op.scheme, input).map(Output::Data)
    }

    /// C_Sign.
    pub fn sign(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: &[u8],
        capacity: Option<usize>,
    ) -> Result<Output> {
        self.finish_sign(handle, Some(data), capacity)
    }

    /// C_SignUpdate (hashing mechanisms only).
    pub fn sign_update(&mut self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<()> {
        self.ctx(handle)?;
        let session = self.session_mut(handle)?;
        let op = session
            .sign
            .as_mut()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        if !op.scheme.multi_part() {
            session.sign = None;
            return Err(Ckr(CKR_FUNCTION_NOT_SUPPORTED));
        }
        op.updated = true;
        op.data.extend_from_slice(data);
        Ok(())
    }

    /// C_SignFinal.
    pub fn sign_final(
        &mut self,
        handle: CK_SESSION_HANDLE,
        capacity: Option<usize>,
    ) -> Result<Output> {
        self.finish_sign(handle, None, capacity)
    }

    /// C_VerifyInit (with a public key).
    pub fn verify_init(
        &mut self,
        handle: CK_SESSION_HANDLE,
        mechanism: &Mechanism,
        key: CK_OBJECT_HANDLE,
    ) -> Result<()> {
        let ctx = self.ctx(handle)?;
        if self.session_mut(handle)?.verify.is_some() {
            return Err(Ckr(CKR_OPERATION_ACTIVE));
        }
        let scheme = SignScheme::of(mechanism)?;
        let object = self.key_for(&ctx, key)?;
        if class_of(&object.attributes) != CKO_PUBLIC_KEY {
            return Err(Ckr(CKR_KEY_TYPE_INCONSISTENT));
        }
        if !flag_of(&object.attributes, CKA_VERIFY) {
            return Err(Ckr(CKR_KEY_FUNCTION_NOT_PERMITTED));
        }
        scheme.check_key_type(ulong_of(&object.attributes, CKA_KEY_TYPE))?;
        let key = PublicKey::from_attributes(&object.attributes)?;
        self.session_mut(handle)?.verify = Some(VerifyOp {
            scheme,
            key,
            data: Vec::new(),
        });
        Ok(())
    }

    /// C_Verify.
    pub fn verify(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        self.ctx(handle)?;
        let op = self
            .session_mut(handle)?
            .verify
            .take()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        op.key.verify(op.scheme, data, signature)
    }

    /// C_VerifyUpdate (hashing mechanisms only).
    pub fn verify_update(&mut self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<()> {
        self.ctx(handle)?;
        let session = self.session_mut(handle)?;
        let op = session
            .verify
            .as_mut()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        if !op.scheme.multi_part() {
            session.verify = None;
            return Err(Ckr(CKR_FUNCTION_NOT_SUPPORTED));
        }
        op.data.extend_from_slice(data);
        Ok(())
    }

    /// C_VerifyFinal.
    pub fn verify_final(&mut self, handle: CK_SESSION_HANDLE, signature: &[u8]) -> Result<()> {
        self.ctx(handle)?;
        let op = self
            .session_mut(handle)?
            .verify
            .take()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        op.key.verify(op.scheme, &op.data, signature)
    }

    // ---- digests and randomness ----

    /// C_DigestInit.
    pub fn digest_init(&mut self, handle: CK_SESSION_HANDLE, mechanism: &Mechanism) -> Result<()> {
        self.ctx(handle)?;
        let scheme = DigestScheme::of(mechanism)?;
        let session = self.session_mut(handle)?;
        if session.digest.is_some() {
            return Err(Ckr(CKR_OPERATION_ACTIVE));
        }
        session.digest = Some(DigestOp {
            scheme,
            data: Vec::new(),
            updated: false,
        });
        Ok(())
    }

    fn finish_digest(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        capacity: Option<usize>,
    ) -> Result<Output> {
        self.ctx(handle)?;
        let session = self.session_mut(handle)?;
        let op = session
            .digest
            .as_ref()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        if data.is_some() && op.updated {
            return Err(Ckr(CKR_OPERATION_ACTIVE));
        }
        if let Some(answer) = capacity_check(op.scheme.output_len(), capacity) {
            return Ok(answer);
        }
        let op = session
            .digest
            .take()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        Ok(Output::Data(op.scheme.digest(data.unwrap_or(&op.data))))
    }

    /// C_Digest.
    pub fn digest(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: &[u8],
        capacity: Option<usize>,
    ) -> Result<Output> {
        self.finish_digest(handle, Some(data), capacity)
    }

    /// C_DigestUpdate.
    pub fn digest_update(&mut self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<()> {
        self.ctx(handle)?;
        let op = self
            .session_mut(handle)?
            .digest
            .as_mut()
            .ok_or(Ckr(CKR_OPERATION_NOT_INITIALIZED))?;
        op.updated = true;
        op.data.extend_from_slice(data);
        Ok(())
    }

    /// C_DigestFinal.
    pub fn digest_final(
        &mut self,
        handle: CK_SESSION_HANDLE,
        capacity: Option<usize>,
    ) -> Result<Output> {
        self.finish_digest(handle, None, capacity)
    }

    /// C_GenerateRandom: from the operating system, or a seeded draw of the token.
    pub fn generate_random(&mut self, handle: CK_SESSION_HANDLE, len: usize) -> Result<Vec<u8>> {
        let ctx = self.ctx(handle)?;
        let mut out = vec![0u8; len];
        match self.seeded_draw(&ctx.serial, Purpose::Random)? {
            Some(mut rng) => rng.fill(&mut out),
            None => getrandom::fill(&mut out).map_err(|_| Ckr(CKR_DEVICE_ERROR))?,
        }
        Ok(out)
    }

    /// C_SeedRandom: the token's generator takes no seed.
    pub fn seed_random(&mut self, handle: CK_SESSION_HANDLE) -> Result<()> {
        self.ctx(handle)?;
        Err(Ckr(CKR_RANDOM_SEED_NOT_SUPPORTED))
    }

    /// Calls that need only a valid session and are not supported return this.
    pub fn unsupported(&mut self, handle: CK_SESSION_HANDLE) -> Result<()> {
        self.ctx(handle)?;
        Err(Ckr(CKR_FUNCTION_NOT_SUPPORTED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(name: &str) -> Store {
        let dir = std::env::temp_dir().join(format!(
            "rutoken-emu-unit-{name}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        let mut store = Store::new(dir);
        store
            .create_token(&TokenState::factory("ABCDEF01", "unit", 10, 10), false)
            .unwrap();
        store
            .update_readers(|r| r.insert("ABCDEF01", None))
            .unwrap();
        store
    }

    #[test]
    fn session_dies_with_removal_and_objects_survive() {
        let mut emulator = Emulator::new(temp_store("removal"));
        let session = emulator
            .open_session(0, CKF_SERIAL_SESSION | CKF_RW_SESSION)
            .unwrap();
        emulator.login(session, CKU_USER, b"12345678").unwrap();
        let template = vec![
            (CKA_CLASS, ulong(CKO_DATA)),
            (CKA_TOKEN, flag(true)),
            (CKA_PRIVATE, flag(true)),
            (CKA_VALUE, b"secret note".to_vec()),
        ];
        let object = emulator.create_object(session, &template).unwrap();
        assert_eq!(emulator.poll_slot_event().unwrap(), None);

        emulator
            .store()
            .update_readers(|r| Ok(r.remove(None)))
            .unwrap();
        assert_eq!(emulator.poll_slot_event().unwrap(), Some(0));
        assert_eq!(
            emulator.token_info(0).err(),
            Some(Ckr(CKR_TOKEN_NOT_PRESENT))
        );
        assert_eq!(emulator.logout(session), Err(Ckr(CKR_DEVICE_REMOVED)));
        assert_eq!(
            emulator.logout(session),
            Err(Ckr(CKR_SESSION_HANDLE_INVALID))
        );

        emulator
            .store()
            .update_readers(|r| r.insert("ABCDEF01", Some(1)))
            .unwrap();
        let session = emulator.open_session(1, CKF_SERIAL_SESSION).unwrap();
        // Private: invisible until the user logs in again.
        assert_eq!(
            emulator.get_attribute_values(session, object, &[(CKA_VALUE, None)]),
            Err(Ckr(CKR_OBJECT_HANDLE_INVALID))
        );
        emulator.login(session, CKU_USER, b"12345678").unwrap();
        let (values, rv) = emulator
            .get_attribute_values(session, object, &[(CKA_VALUE, Some(64))])
            .unwrap();
        assert_eq!(rv, CKR_OK);
        assert_eq!(values, vec![AttrOutcome::Value(b"secret note".to_vec())]);
        // A read-only session cannot destroy a token object.
        assert_eq!(
            emulator.destroy_object(session, object),
            Err(Ckr(CKR_SESSION_READ_ONLY))
        );
        let _ = std::fs::remove_dir_all(emulator.store().dir());
    }
}
