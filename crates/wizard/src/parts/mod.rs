//! Pieces several bank steps share: which token is in ([`gate`]), one token out of
//! several ([`pick`]), PINs ([`pins`]), a token's default PINs changed
//! ([`default_pins`]), the key for a request ([`key`]), sending and recording a request
//! ([`send`]), the bank choice ([`bank`]), a waiting request offered again
//! ([`pending`]), a document's saving ([`saving`]), and the form's field checks
//! ([`checks`]).

pub mod bank;
pub mod checks;
pub mod default_pins;
pub mod gate;
pub mod key;
pub mod pending;
pub mod pick;
pub mod pins;
pub mod saving;
pub mod send;
