//! One bank's profile, checked when it is read: an address that is http(s), a trust
//! anchor that holds certificates, key types smartkey can make.

use std::path::{Path, PathBuf};

use der::Encode;
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;

use smartkey_wizard::{BankInfo, KeyType};

/// Why a trust anchor cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AnchorProblem {
    #[error("not PEM certificates ({0})")]
    NotPem(der::Error),
    #[error("no certificate in it")]
    Empty,
}

/// What is wrong with a bank profile, by field.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProfileProblem {
    #[error("name is empty")]
    NoName,
    #[error("{field}: {url:?} is not an address: {why}")]
    NotAnAddress {
        field: &'static str,
        url: String,
        /// What the URL parser said.
        why: String,
    },
    #[error("{field}: {url:?} must be an http:// or https:// address")]
    NotHttp { field: &'static str, url: String },
    #[error("key_types is empty; name at least one of rsa2048, gost2012-256, gost2012-512")]
    NoKeyTypes,
    #[error("key_types: {0:?} is not one of rsa2048, gost2012-256, gost2012-512")]
    UnknownKeyType(String),
    #[error("trust_anchor{place}: {why}")]
    Anchor { place: String, why: AnchorProblem },
    #[error("trust_anchor: cannot read {}: {source}", .path.display())]
    AnchorUnreadable {
        path: PathBuf,
        source: std::sync::Arc<std::io::Error>,
    },
}

/// Where a profile was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ProfileSource {
    /// Built into smartkey (assets/banks.toml).
    BuiltIn,
    /// A profile file.
    File { path: PathBuf },
}

/// The certificate(s) a bank's CA is trusted by.
#[derive(Debug, Clone, Serialize)]
pub struct TrustAnchor {
    /// The PEM file it was read from; `None` when the PEM text was in the profile.
    pub file: Option<PathBuf>,
    /// The certificates' subjects, for people to compare.
    pub subjects: Vec<String>,
    #[serde(skip)]
    der: Vec<Vec<u8>>,
    #[serde(skip)]
    certs: Vec<Certificate>,
}

impl TrustAnchor {
    /// Parses PEM text holding one or more certificates.
    pub fn from_pem(pem: &str, file: Option<PathBuf>) -> Result<TrustAnchor, AnchorProblem> {
        let certs = Certificate::load_pem_chain(pem.as_bytes()).map_err(AnchorProblem::NotPem)?;
        if certs.is_empty() {
            return Err(AnchorProblem::Empty);
        }
        let mut der = Vec::with_capacity(certs.len());
        let mut subjects = Vec::with_capacity(certs.len());
        for cert in &certs {
            der.push(cert.to_der().map_err(AnchorProblem::NotPem)?);
            subjects.push(crate::pki::describe_name(cert.tbs_certificate().subject()));
        }
        Ok(TrustAnchor {
            file,
            subjects,
            der,
            certs,
        })
    }

    /// The certificates, DER-encoded (TLS roots).
    pub fn certificates_der(&self) -> &[Vec<u8>] {
        &self.der
    }

    /// The certificates (what the CA's CMP answers are checked against).
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }
}

/// A bank as smartkey knows it.
#[derive(Debug, Clone, Serialize)]
pub struct BankProfile {
    /// The bank's number in the certification authority.
    pub agent_id: u32,
    pub name: String,
    /// The CA's address: `http(s)://host[:port][/path]`.
    pub ca_url: String,
    /// What the CA is trusted by; `None`: the system's TLS roots.
    pub trust_anchor: Option<TrustAnchor>,
    pub support_phone: Option<String>,
    pub support_email: Option<String>,
    /// Where the signed application scan goes (N2.7).
    pub operations_email: Option<String>,
    /// The online bank's login page (N3.1).
    pub online_bank_url: Option<String>,
    /// The key types the bank issues certificates for; the wizard offers the first.
    pub key_types: Vec<KeyType>,
    pub source: ProfileSource,
}

impl BankProfile {
    /// The bank's CMP endpoint (docs/bank-protocol.md): `ca_url/.well-known/cmp/p/<agentId>`.
    pub fn cmp_url(&self) -> String {
        format!(
            "{}/.well-known/cmp/p/{}",
            self.ca_url.trim_end_matches('/'),
            self.agent_id
        )
    }

    /// Whether the CA is reached over TLS.
    pub fn ca_is_encrypted(&self) -> bool {
        self.ca_url.starts_with("https://")
    }

    /// "the bank's support (8-800-..., support@...)" or a plain "the bank's support".
    pub fn support_contact(&self) -> String {
        let contacts: Vec<&str> = [&self.support_phone, &self.support_email]
            .into_iter()
            .filter_map(|c| c.as_deref())
            .collect();
        if contacts.is_empty() {
            format!("{}'s support", self.name)
        } else {
            format!("{}'s support ({})", self.name, contacts.join(", "))
        }
    }
}

/// A profile as written in a file, before it is checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    agent_id: u32,
    name: String,
    ca_url: String,
    trust_anchor: Option<String>,
    support_phone: Option<String>,
    support_email: Option<String>,
    operations_email: Option<String>,
    online_bank_url: Option<String>,
    key_types: Vec<String>,
}

fn key_algorithm(name: &str) -> Option<KeyType> {
    [
        KeyType::Rsa2048,
        KeyType::Gost2012_256,
        KeyType::Gost2012_512,
    ]
    .into_iter()
    .find(|a| a.name() == name.trim())
}

fn check_url(field: &'static str, url: &str) -> Result<(), ProfileProblem> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ProfileProblem::NotAnAddress {
        field,
        url: url.to_string(),
        why: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ProfileProblem::NotHttp {
            field,
            url: url.to_string(),
        });
    }
    Ok(())
}

impl RawProfile {
    pub(super) fn agent_id(&self) -> u32 {
        self.agent_id
    }

    /// Checks the profile; `base` is the directory trust-anchor paths are relative to.
    pub(super) fn check(
        self,
        base: Option<&Path>,
        source: ProfileSource,
    ) -> Result<BankProfile, ProfileProblem> {
        if self.name.trim().is_empty() {
            return Err(ProfileProblem::NoName);
        }
        check_url("ca_url", &self.ca_url)?;
        if let Some(url) = &self.online_bank_url {
            check_url("online_bank_url", url)?;
        }
        if self.key_types.is_empty() {
            return Err(ProfileProblem::NoKeyTypes);
        }
        let key_types = self
            .key_types
            .iter()
            .map(|k| key_algorithm(k).ok_or_else(|| ProfileProblem::UnknownKeyType(k.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let trust_anchor = match self.trust_anchor {
            None => None,
            Some(text) if text.trim_start().starts_with("-----BEGIN") => Some(
                TrustAnchor::from_pem(&text, None).map_err(|why| ProfileProblem::Anchor {
                    place: String::new(),
                    why,
                })?,
            ),
            Some(path) => {
                let path = match base {
                    Some(base) => base.join(&path),
                    None => PathBuf::from(&path),
                };
                let pem = std::fs::read_to_string(&path).map_err(|source| {
                    ProfileProblem::AnchorUnreadable {
                        path: path.clone(),
                        source: source.into(),
                    }
                })?;
                Some(
                    TrustAnchor::from_pem(&pem, Some(path.clone())).map_err(|why| {
                        ProfileProblem::Anchor {
                            place: format!(" {}", path.display()),
                            why,
                        }
                    })?,
                )
            }
        };
        Ok(BankProfile {
            agent_id: self.agent_id,
            name: self.name.trim().to_string(),
            ca_url: self.ca_url.trim_end_matches('/').to_string(),
            trust_anchor,
            support_phone: self.support_phone,
            support_email: self.support_email,
            operations_email: self.operations_email,
            online_bank_url: self.online_bank_url,
            key_types,
            source,
        })
    }
}
/// What screens need to know about the bank, in the core's words.
impl From<&BankProfile> for BankInfo {
    fn from(p: &BankProfile) -> Self {
        BankInfo {
            agent_id: p.agent_id,
            name: p.name.clone(),
            operations_email: p.operations_email.clone(),
            support_phone: p.support_phone.clone(),
            support_email: p.support_email.clone(),
            online_bank_url: p.online_bank_url.clone(),
            key_types: p.key_types.clone(),
        }
    }
}
