//! Bank profiles: who the bank is (agentId, name, contacts), where its certification
//! authority is and how it is trusted, and which key types it issues certificates for.
//!
//! The profiles of the banks in the procedure documents are built in
//! (`assets/banks.toml`); more come from a file (`--banks FILE`, `SMARTKEY_BANKS`, or
//! `banks = "FILE"` in config.toml), whose profiles replace built-in ones with the same
//! agentId. The wizard, the CMP client and `smartkey check` all take a [`BankProfile`].

mod catalog;
mod profile;

pub use catalog::{BankError, Banks};
pub use profile::{BankProfile, ProfileSource, TrustAnchor};
