//! Certificate requests and what goes into them (the subject name from the core's
//! applicant, PKCS#10 requests signed on the token), and certificates read into the
//! core's views.

pub mod csr;
pub mod describe;
pub mod subject;
pub mod view;

pub use csr::{CsrError, build_csr, csr_der, csr_pem};
pub use describe::{CertificateSummary, describe_name};
pub use view::{certificate_view, public_key_fingerprint};
