//! Certificate requests and what goes into them: the applicant's form, Russian
//! registration numbers, the subject name, and PKCS#10 requests signed on the token.

pub mod applicant;
pub mod csr;
pub mod describe;
pub mod ru_ids;
pub mod subject;

pub use applicant::{Applicant, ApplicantErrors, ApplicantKind, Field, FieldError, ValidApplicant};
pub use csr::{CsrError, build_csr, csr_der, csr_pem};
pub use describe::{CertificateSummary, describe_name};
