//! smartkey: certificate enrollment and token migration for Rutoken ECP 2.0 users of
//! banks in the Faktura.ru network.
//!
//! The library holds the layers the `smartkey` binary is built from (see
//! `docs/architecture.md`):
//! - [`token`]: a typed PKCS#11 layer over `cryptoki` (any module: Rutoken, SoftHSM2,
//!   rutoken-emu);
//! - [`pki`]: applicant data, Russian identifiers and PKCS#10 requests signed on the token;
//! - [`cli`]: the scriptable command line over those layers.

pub mod cli;
pub mod pki;
pub mod token;
