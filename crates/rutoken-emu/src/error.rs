//! The one error type of the token model: a PKCS#11 return code.
//!
//! Every operation of the model fails the way a PKCS#11 function fails, so the error *is* a
//! `CK_RV`; the FFI layer hands it to the caller unchanged.

use cryptoki_sys::CK_RV;

/// A PKCS#11 return code other than `CKR_OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ckr(pub CK_RV);

/// Result of a token model operation.
pub type Result<T> = std::result::Result<T, Ckr>;

impl std::fmt::Display for Ckr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PKCS#11 error 0x{:08X}", self.0)
    }
}

impl std::error::Error for Ckr {}
