//! The one error type of the token model: a PKCS#11 return code.
//!
//! Every operation of the model fails the way a PKCS#11 function fails, so the error *is* a
//! `CK_RV`; the FFI layer hands it to the caller unchanged.

use cryptoki_sys::{CK_RV, CKR_DEVICE_ERROR, CKR_TOKEN_NOT_PRESENT};

use crate::store::StoreError;

/// A PKCS#11 return code other than `CKR_OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ckr(pub CK_RV);

/// Result of a token model operation.
pub type Result<T> = std::result::Result<T, Ckr>;

impl From<StoreError> for Ckr {
    fn from(error: StoreError) -> Self {
        match error {
            // The reader says a token is there but its state is gone: as if unplugged.
            StoreError::NoSuchToken(_) => Ckr(CKR_TOKEN_NOT_PRESENT),
            // Unreadable or unwritable state is the emulator's "hardware" failing.
            _ => Ckr(CKR_DEVICE_ERROR),
        }
    }
}

impl std::fmt::Display for Ckr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PKCS#11 error 0x{:08X}", self.0)
    }
}

impl std::error::Error for Ckr {}
