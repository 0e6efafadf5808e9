//! Loading a PKCS#11 library and finding the tokens it sees.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::Session;
use cryptoki::slot::Slot;

use super::error::TokenError;
use super::info::TokenInfo;
use super::vendor::{CallError, VendorCalls};

/// Where the Rutoken ECP library is installed by Aktiv's packages, per platform.
pub fn rutoken_library_candidates() -> Vec<PathBuf> {
    let paths: &[&str] = if cfg!(target_os = "windows") {
        &["rtpkcs11ecp.dll"]
    } else if cfg!(target_os = "macos") {
        &[
            "/Library/Frameworks/rtpkcs11ecp.framework/rtpkcs11ecp",
            "/usr/local/lib/librtpkcs11ecp.dylib",
        ]
    } else {
        &[
            "/opt/aktivco/rutokenecp/amd64/librtpkcs11ecp.so",
            "/opt/aktivco/rutokenecp/x86_64/librtpkcs11ecp.so",
            "/opt/aktivco/rutokenecp/aarch64/librtpkcs11ecp.so",
            "/usr/lib/librtpkcs11ecp.so",
            "/usr/lib/x86_64-linux-gnu/librtpkcs11ecp.so",
            "/usr/lib64/librtpkcs11ecp.so",
            "/usr/local/lib/librtpkcs11ecp.so",
        ]
    };
    paths.iter().map(PathBuf::from).collect()
}

/// The library to load: the one named, else the first Rutoken library installed.
pub fn locate_library(explicit: Option<&Path>) -> Result<PathBuf, TokenError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let tried = rutoken_library_candidates();
    tried
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or(TokenError::NoLibrary { tried })
}

/// A loaded and initialised PKCS#11 library.
pub struct Module {
    ctx: Pkcs11,
    path: PathBuf,
    vendor: VendorCalls,
}

/// What the library says about itself (C_GetInfo).
#[derive(Debug, Clone, serde::Serialize)]
pub struct LibraryInfo {
    pub path: PathBuf,
    pub manufacturer: String,
    pub description: String,
    pub version: String,
}

impl Module {
    /// Loads and initialises the library at `path`.
    pub fn load(path: &Path) -> Result<Module, TokenError> {
        if !path.exists() {
            return Err(TokenError::LibraryLoad {
                path: path.to_path_buf(),
                reason: "no such file".into(),
            });
        }
        let ctx = Pkcs11::new(path).map_err(|e| TokenError::LibraryLoad {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => {
                return Err(TokenError::LibraryLoad {
                    path: path.to_path_buf(),
                    reason: format!("it failed to initialise: {e}"),
                });
            }
        }
        let vendor = VendorCalls::load(path).map_err(|e| TokenError::LibraryLoad {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(Module {
            ctx,
            path: path.to_path_buf(),
            vendor,
        })
    }

    /// The file this module was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn vendor(&self) -> &VendorCalls {
        &self.vendor
    }

    /// The library's own description (C_GetInfo).
    pub fn library_info(&self) -> Result<LibraryInfo, TokenError> {
        let info = self
            .ctx
            .get_library_info()
            .map_err(|e| ck_error("reading the library information", e))?;
        let v = info.library_version();
        Ok(LibraryInfo {
            path: self.path.clone(),
            manufacturer: info.manufacturer_id().trim().to_string(),
            description: info.library_description().trim().to_string(),
            version: format!("{}.{}", v.major(), v.minor()),
        })
    }

    /// Every token inserted now, in slot order.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, TokenError> {
        let slots = self
            .vendor
            .slots_with_token()
            .map_err(|e| ck_error("listing the card readers", e))?;
        let mut tokens = Vec::with_capacity(slots.len());
        for id in slots {
            let slot = Slot::try_from(id).map_err(|e| ck_error("listing the card readers", e))?;
            match self.token_info(slot) {
                Ok(info) => tokens.push(info),
                // Pulled out between the slot list and the read: it is simply not there.
                Err(TokenError::Removed) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(tokens)
    }

    /// Fresh information about the token in `slot`.
    pub fn token_info(&self, slot: Slot) -> Result<TokenInfo, TokenError> {
        let info = self
            .ctx
            .get_token_info(slot)
            .map_err(|e| ck_error("reading the token information", e))?;
        let mut token = TokenInfo::from_cryptoki(slot, &info);
        if let Some(extended) = self.vendor.token_info_extended(slot.id() as _) {
            token.apply_extended(&extended);
            token.model_name = self.vendor_model_name(slot);
        }
        Ok(token)
    }

    /// Rutoken's full model name ("Rutoken ECP 2.0"), kept on a vendor hardware-feature
    /// object because CK_TOKEN_INFO.model only says "Rutoken ECP".
    fn vendor_model_name(&self, slot: Slot) -> Option<String> {
        use cryptoki::object::{Attribute, ObjectClass};
        let session = self.ctx.open_ro_session(slot).ok()?;
        let features = self
            .vendor
            .find_objects(
                session.handle(),
                &[Attribute::Class(ObjectClass::HARDWARE_FEATURE)],
            )
            .ok()?;
        let wanted = rutoken_sys::CKH_VENDOR_TOKEN_INFO.to_ne_bytes();
        features.into_iter().find_map(|object| {
            let raw = |kind| {
                self.vendor
                    .attribute(session.handle(), object.handle(), kind)
                    .ok()
                    .flatten()
            };
            if raw(cryptoki_sys::CKA_HW_FEATURE_TYPE)?.as_slice() != wanted {
                return None;
            }
            let name = raw(rutoken_sys::CKA_VENDOR_MODEL_NAME)?;
            Some(
                String::from_utf8_lossy(&name)
                    .trim_end_matches('\0')
                    .trim()
                    .to_string(),
            )
        })
    }

    /// The token with this serial number; with no serial, the only token inserted.
    /// Uninitialised tokens (such as SoftHSM2's spare slot) are never chosen.
    pub fn find_token(&self, serial: Option<&str>) -> Result<TokenInfo, TokenError> {
        let mut tokens = self.tokens()?;
        tokens.retain(|t| t.initialized);
        let names = || {
            if tokens.is_empty() {
                "none".to_string()
            } else {
                tokens
                    .iter()
                    .map(TokenInfo::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        };
        match serial {
            Some(serial) => tokens
                .iter()
                .find(|t| t.serial.eq_ignore_ascii_case(serial.trim()))
                .cloned()
                .ok_or_else(|| TokenError::NotFound {
                    serial: serial.to_string(),
                    inserted: names(),
                }),
            None => match tokens.len() {
                0 => Err(TokenError::NoToken),
                1 => Ok(tokens[0].clone()),
                _ => Err(TokenError::Ambiguous { inserted: names() }),
            },
        }
    }

    /// A read-write PKCS#11 session on `token`, for [`TokenSession`](super::TokenSession)
    /// to wrap.
    pub(super) fn open_rw(&self, token: &TokenInfo) -> Result<Session, TokenError> {
        self.ctx
            .open_rw_session(token.slot_handle)
            .map_err(|e| ck_error("opening a session", e))
    }

    /// Whether a token is still in `slot`.
    pub(crate) fn token_present(&self, slot: Slot) -> bool {
        self.ctx
            .get_slot_info(slot)
            .map(|s| s.token_present())
            .unwrap_or(false)
    }
}

/// Maps a cryptoki failure to a [`TokenError`]; the removal codes become
/// [`TokenError::Removed`], an answer out of bounds [`TokenError::Implausible`].
pub(crate) fn ck_error(operation: &'static str, e: impl Into<CallError>) -> TokenError {
    let e = match e.into() {
        CallError::Ck(e) => e,
        CallError::Implausible(what) => return TokenError::Implausible { operation, what },
    };
    match e {
        CkError::Pkcs11(RvError::DeviceRemoved | RvError::TokenNotPresent, _) => {
            TokenError::Removed
        }
        CkError::Pkcs11(rv, _) => TokenError::Device { operation, rv },
        other => TokenError::Library {
            operation,
            detail: other.to_string(),
        },
    }
}
