//! The bodies of smartkey's fuzz targets: every parser that takes bytes from the network
//! or from a file, driven the way the program drives it.
//!
//! Each target is a plain `pub fn <target>(data: &[u8])` that panics only on a finding,
//! so the same body runs under libFuzzer (`fuzz/`, nightly, cargo-fuzz) and in the
//! ordinary tests of this crate, which feed it every committed seed and every saved
//! crash (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`) on stable Rust. A crash
//! found by fuzzing becomes a regression test by saving its input there.
//!
//! - [`cmp_client`]: the bank's answers as the client reads them, and pickup links;
//! - [`cmp_roundtrip`]: `PKIMessage` decoded, encoded and decoded again;
//! - [`bank_ca`]: a request handled end to end by the reference CA, in process;
//! - [`pki`]: certificates and PKCS#10 requests as smartkey reads and describes them;
//! - [`files`]: smartkey's own files (replay scripts, secrets, config, bank profiles,
//!   pending records and the form's draft);
//! - [`gost`]: GOST R 34.10-2012 verification with arbitrary keys and signatures.

pub mod bank_ca;
pub mod cmp_client;
pub mod cmp_roundtrip;
pub mod files;
pub mod gost;
pub mod pki;
mod scratch;

pub use bank_ca::bankca_request;
pub use cmp_client::{cmp_answer, pickup_link};
pub use cmp_roundtrip::pki_message_roundtrip;
pub use files::{bank_profiles, config, pending, script, secrets};
pub use gost::gost_verify;
pub use pki::{certificate, pkcs10};

/// One fuzz target: its name (that of `fuzz/fuzz_targets/<name>.rs` and of its seed and
/// regression folders) and its body.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub name: &'static str,
    pub body: fn(&[u8]),
}

/// Every target, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "cmp_answer",
        body: cmp_answer,
    },
    Target {
        name: "pickup_link",
        body: pickup_link,
    },
    Target {
        name: "pki_message_roundtrip",
        body: pki_message_roundtrip,
    },
    Target {
        name: "bankca_request",
        body: bankca_request,
    },
    Target {
        name: "certificate",
        body: certificate,
    },
    Target {
        name: "pkcs10",
        body: pkcs10,
    },
    Target {
        name: "script",
        body: script,
    },
    Target {
        name: "secrets",
        body: secrets,
    },
    Target {
        name: "config",
        body: config,
    },
    Target {
        name: "bank_profiles",
        body: bank_profiles,
    },
    Target {
        name: "pending",
        body: pending,
    },
    Target {
        name: "gost_verify",
        body: gost_verify,
    },
];
