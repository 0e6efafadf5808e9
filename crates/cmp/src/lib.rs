//! CMP (Certificate Management Protocol) messages and their protection.
//!
//! The structures follow the ASN.1 modules of RFC 9810 (CMP version 3, which keeps the
//! wire format of RFC 4210 for version 2) and RFC 4211 (CRMF). They are written with
//! `der` derives rather than taken from a ready-made crate so that every message a real CA
//! sends during enrollment, polling included, decodes and re-encodes byte for byte.
//!
//! The crate's core does no I/O: it builds, protects, verifies and checks messages, and
//! [`transaction`] follows one enrollment from request to confirmation. The optional
//! `client` feature adds [`client`]: the messages moved over HTTP(S) (RFC 9811) with
//! reqwest and rustls, and the pickup link of docs/bank-protocol.md.

pub mod body;
pub mod build;
pub mod checks;
#[cfg(feature = "client")]
pub mod client;
pub mod crmf;
pub mod header;
pub mod message;
pub mod oid;
pub mod protection;
pub mod respond;
pub mod status;
pub mod transaction;
pub mod utf8_pairs;

pub use body::{
    BodyKind, CertConfirmContent, CertOrEncCert, CertRepMessage, CertResponse, CertStatus,
    CertifiedKeyPair, ErrorMsgContent, PkiBody, PollRepContent, PollRepEntry, PollReqContent,
    PollReqEntry,
};
pub use build::BuildError;
pub use checks::{BankRefusal, ResponseError};
pub use crmf::{
    CertId, CertReqMessages, CertReqMsg, CertRequest, CertTemplate, OptionalValidity, PkMacValue,
    PopoAuthInfo, PopoSigningKey, PopoSigningKeyInput, ProofOfPossession,
};
pub use header::{InfoTypeAndValue, PkiFreeText, PkiHeader};
pub use message::{PkiMessage, ReceiveError, Received};
pub use protection::ProtectionError;
pub use status::{FailureReason, PkiStatus, PkiStatusInfo};
pub use transaction::{Answer, Issued, MAX_CHECK_AFTER, Transaction, TransactionError};
pub use utf8_pairs::{Utf8Pairs, Utf8PairsError};

/// Re-exported so that callers name the same versions of the building blocks.
pub use der;
pub use spki;
pub use x509_cert;
