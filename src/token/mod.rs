//! The PKCS#11 token layer: a small typed API over `cryptoki` for any module
//! (Rutoken's library, SoftHSM2, rutoken-emu).
//!
//! [`Module`] loads a library and lists its tokens; [`TokenSession`] logs in, changes
//! PINs, makes key pairs and stores certificates; [`TokenSigner`] signs with a key that
//! stays on the token. Errors are [`TokenError`]s in plain words; PINs are [`Pin`]s.

mod certs;
mod error;
mod info;
mod keys;
mod module;
mod pin;
mod session;
mod signer;
mod vendor;

pub use certs::{KeyPairEntry, parse_certificate};
pub use error::{Implausible, TokenError, describe_rv};
pub use info::{PinStatus, TokenInfo};
pub use keys::{GeneratedKey, KeyId, KeyProtection, gost_size};
pub use module::{LibraryInfo, Module, locate_library, rutoken_library_candidates};
pub use pin::{MAX_SECRET_FILE, read_secret_file};
pub use session::TokenSession;
pub use signer::{TokenPublicKey, TokenSignature, TokenSigner, token_error_of};
