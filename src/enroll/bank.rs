//! Where a bank's CA is and whom to believe: the CMP endpoint of an agentId, the CA
//! certificate that must sign the answers, and the TLS roots for an https address.

use cmp::client::{ClientError, ClientOptions, CmpClient, ResponseTrust, Url, cmp_endpoint};
use x509_cert::Certificate;
use x509_cert::name::Name;

/// A bank's CA as the wizard reaches it.
#[derive(Clone, Debug)]
pub struct BankEndpoint {
    base: Url,
    agent_id: String,
    ca_certificates: Vec<Certificate>,
    tls_roots: Vec<Vec<u8>>,
}

/// Why an endpoint cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The address is not http(s).
    #[error("the bank's CA address {0} is not a web address (https://...)")]
    Address(String),
    /// No certificate to check the answers with.
    #[error("the bank profile has no CA certificate to check the bank's answers with")]
    NoTrustAnchor,
}

impl BankEndpoint {
    /// The CA at `base` for bank `agent_id`, whose answers are signed by (a certificate
    /// issued by) one of `ca_certificates`.
    pub fn new(
        base: &str,
        agent_id: &str,
        ca_certificates: Vec<Certificate>,
    ) -> Result<Self, EndpointError> {
        let base = Url::parse(base).map_err(|_| EndpointError::Address(base.to_owned()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(EndpointError::Address(base.to_string()));
        }
        if ca_certificates.is_empty() {
            return Err(EndpointError::NoTrustAnchor);
        }
        Ok(Self {
            base,
            agent_id: agent_id.to_owned(),
            ca_certificates,
            tls_roots: Vec::new(),
        })
    }

    /// Also trust `roots` (DER) for the TLS connection, e.g. a bank's own root.
    pub fn with_tls_roots(mut self, roots: Vec<Vec<u8>>) -> Self {
        self.tls_roots = roots;
        self
    }

    /// The CA's address.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The bank's agentId.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The name requests are addressed to: the first CA certificate's subject.
    pub fn recipient(&self) -> Name {
        self.ca_certificates
            .first()
            .map(|c| c.tbs_certificate().subject().clone())
            .unwrap_or_default()
    }

    /// A CMP client for this bank with `options` (timeouts, size limit).
    pub fn client(&self, options: &ClientOptions) -> Result<CmpClient, ClientError> {
        let mut options = options.clone();
        options.tls_roots.extend(self.tls_roots.iter().cloned());
        CmpClient::new(
            cmp_endpoint(&self.base, &self.agent_id),
            ResponseTrust::Certificates(self.ca_certificates.clone()),
            &options,
        )
    }
}
