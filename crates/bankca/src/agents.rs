//! Agents: the banks served by the CA, each with its `agentId` (the number in the CMP
//! path and the pickup link), the key types it accepts and the contacts that go into the
//! pickup e-mail. Read from `agents.toml` in the CA directory.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use spki::SubjectPublicKeyInfoOwned;

use crate::error::{Error, Result};

/// The key types a bank may accept for its customers' certificates.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyType {
    /// RSA with a 2048-bit modulus (Rutoken ECP "smart key (RSA)").
    #[serde(rename = "rsa2048")]
    Rsa2048,
    /// GOST R 34.10-2012 with a 256-bit key.
    #[serde(rename = "gost2012-256")]
    Gost2012_256,
    /// GOST R 34.10-2012 with a 512-bit key.
    #[serde(rename = "gost2012-512")]
    Gost2012_512,
}

impl KeyType {
    /// The name used in `agents.toml` and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa2048",
            Self::Gost2012_256 => "gost2012-256",
            Self::Gost2012_512 => "gost2012-512",
        }
    }

    /// The key type of a public key, or why it is none of the known ones.
    pub fn of_public_key(
        spki: &SubjectPublicKeyInfoOwned,
    ) -> std::result::Result<Self, UnknownKey> {
        use der::Encode;
        let oid = spki.algorithm.oid;
        if oid == const_oid::db::rfc5912::RSA_ENCRYPTION {
            use rsa::pkcs8::DecodePublicKey;
            use rsa::traits::PublicKeyParts;
            let der = spki.to_der().map_err(|_| UnknownKey::Unreadable("RSA"))?;
            let key = rsa::PublicKey::from_public_key_der(&der)
                .map_err(|_| UnknownKey::Unreadable("RSA"))?;
            let bits = key.n().bit_width();
            if bits == 2048 {
                Ok(Self::Rsa2048)
            } else {
                Err(UnknownKey::RsaSize(bits))
            }
        } else if oid == gost3410::oid::GOST_R3410_2012_256
            || oid == gost3410::oid::GOST_R3410_2012_512
        {
            let der = spki.to_der().map_err(|_| UnknownKey::Unreadable("GOST"))?;
            gost3410::VerifyingKey::from_spki_der(&der)
                .map_err(|_| UnknownKey::Unreadable("GOST"))?;
            Ok(if oid == gost3410::oid::GOST_R3410_2012_256 {
                Self::Gost2012_256
            } else {
                Self::Gost2012_512
            })
        } else {
            Err(UnknownKey::Algorithm(oid.to_string()))
        }
    }

    /// Whether certificates for this key are issued by the GOST CA (otherwise the RSA CA).
    pub fn is_gost(self) -> bool {
        !matches!(self, Self::Rsa2048)
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for KeyType {
    type Err = UnknownKey;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "rsa2048" => Ok(Self::Rsa2048),
            "gost2012-256" => Ok(Self::Gost2012_256),
            "gost2012-512" => Ok(Self::Gost2012_512),
            other => Err(UnknownKey::Name(other.to_string())),
        }
    }
}

/// One bank.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// The bank's `agentId`.
    pub id: u32,
    /// The bank's name, as the customer knows it.
    pub name: String,
    /// Key types accepted for new certificates.
    pub key_types: Vec<KeyType>,
    /// The support phone number.
    pub support_phone: String,
    /// The support e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    /// Where the customer sends the scan of the signed application (N2.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations_email: Option<String>,
    /// The online bank's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_bank_url: Option<String>,
    /// The domain of the pickup e-mail's sender, `noreply@<mail_domain>`.
    pub mail_domain: String,
    /// Read only to be refused: a MAC secret shared by a whole bank lets any customer
    /// holding it act on another customer's request. Each client gets its own
    /// (`bankca secret`).
    #[serde(default, skip_serializing)]
    pbm_reference: Option<String>,
    /// See `pbm_reference`.
    #[serde(default, skip_serializing)]
    pbm_secret: Option<String>,
}

impl Agent {
    /// The sender of the pickup e-mail.
    pub fn noreply_address(&self) -> String {
        format!("noreply@{}", self.mail_domain)
    }

    /// Whether the bank accepts `key_type`.
    pub fn accepts(&self, key_type: KeyType) -> bool {
        self.key_types.contains(&key_type)
    }

    fn check(&self) -> std::result::Result<(), AgentsProblem> {
        let id = self.id;
        if self.name.trim().is_empty() {
            return Err(AgentsProblem::NoName(id));
        }
        if self.key_types.is_empty() {
            return Err(AgentsProblem::NoKeyType(id));
        }
        if self.mail_domain.is_empty()
            || self.mail_domain.contains('@')
            || self.mail_domain.chars().any(char::is_whitespace)
        {
            return Err(AgentsProblem::MailDomain(id));
        }
        if self.pbm_reference.is_some() || self.pbm_secret.is_some() {
            return Err(AgentsProblem::BankWideSecret(id));
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AgentsFile {
    #[serde(default)]
    agent: Vec<Agent>,
}

/// Why a public key is not one the CA certifies.
#[derive(Debug, thiserror::Error)]
pub enum UnknownKey {
    #[error("the {0} public key cannot be read")]
    Unreadable(&'static str),
    #[error("an RSA key of {0} bits (2048 are required)")]
    RsaSize(u32),
    #[error("a key of unknown algorithm {0}")]
    Algorithm(String),
    #[error("unknown key type {0}")]
    Name(String),
}

/// What is wrong with an agents file.
#[derive(Debug, thiserror::Error)]
pub enum AgentsProblem {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("agent {0} has no name")]
    NoName(u32),
    #[error("agent {0} accepts no key type")]
    NoKeyType(u32),
    #[error("agent {0}: mail_domain must be a domain such as faktura.ru")]
    MailDomain(u32),
    #[error(
        "agent {0}: pbm_reference and pbm_secret are no longer read: one MAC secret for a whole bank lets any customer act on another's request; remove them and give each client its own with `bankca secret --agent {0}`"
    )]
    BankWideSecret(u32),
    #[error("agent {0} is listed twice")]
    Twice(u32),
}

/// All banks of the CA.
#[derive(Clone, Debug, Default)]
pub struct Agents {
    list: Vec<Agent>,
}

impl Agents {
    /// Reads and checks an agents file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text).map_err(|problem| Error::Agents {
            path: path.to_path_buf(),
            message: problem.to_string(),
        })
    }

    /// Parses and checks the text of an agents file.
    pub fn parse(text: &str) -> std::result::Result<Self, AgentsProblem> {
        let file: AgentsFile = toml::from_str(text)?;
        let mut seen = BTreeSet::new();
        for agent in &file.agent {
            agent.check()?;
            if !seen.insert(agent.id) {
                return Err(AgentsProblem::Twice(agent.id));
            }
        }
        Ok(Self { list: file.agent })
    }

    /// The bank with `agentId` as written in a path (digits only).
    pub fn find(&self, agent_id: &str) -> Option<&Agent> {
        if agent_id.is_empty()
            || agent_id.len() > 10
            || !agent_id.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let id: u32 = agent_id.parse().ok()?;
        self.get(id)
    }

    /// The bank with `agentId` `id`.
    pub fn get(&self, id: u32) -> Option<&Agent> {
        self.list.iter().find(|a| a.id == id)
    }

    /// All banks.
    pub fn iter(&self) -> impl Iterator<Item = &Agent> {
        self.list.iter()
    }
}

/// The `agents.toml` that `bankca init` writes: the two banks of the bank's instructions
/// (PROCEDURE.md), with the contacts those documents give.
pub const DEFAULT_AGENTS_TOML: &str = r#"# Banks served by this CA. Each [[agent]] is one bank, found by its agentId in
# the CMP path (/.well-known/cmp/p/<id>) and in the pickup link (/pickup/<id>/...).
#
# id               the bank's agentId
# name             the bank's name, as its customers know it (used in the e-mail)
# key_types        accepted keys: "rsa2048", "gost2012-256", "gost2012-512"
# support_phone    support phone, printed in the pickup e-mail
# support_email    support e-mail (optional)
# operations_email where the customer e-mails the scan of the signed application
#                  (optional; the bank decides after it arrives)
# online_bank_url  the online bank's address (optional)
# mail_domain      the pickup e-mail comes from noreply@<mail_domain>
#
# A client that MAC-protects its requests gets its own reference and secret from
# `bankca secret --agent ID`; there is no secret for a whole bank.

# New certificate on an RSA smart key (the new-certificate instructions).
[[agent]]
id = 6184
name = "АО НОКССБАНК"
key_types = ["rsa2048"]
support_phone = "8-800-200-999-7"
support_email = "support@nokss.ru"
operations_email = "dbo@nokss.ru"
online_bank_url = "https://online.nokss.ru/f2b"
mail_domain = "faktura.ru"

# Renewal from an old key carrier onto a Rutoken ECP 2.0 with a GOST R 34.10-2012 key
# (the renewal instructions). The old carrier's certificate may be RSA.
[[agent]]
id = 5282
name = "Банк-Клиент через Интернет"
key_types = ["gost2012-256", "gost2012-512", "rsa2048"]
support_phone = "8-800-250-33-00"
mail_domain = "faktura.ru"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_has_both_banks() {
        let agents = Agents::parse(DEFAULT_AGENTS_TOML).unwrap();
        let nokss = agents.find("6184").unwrap();
        assert_eq!(nokss.operations_email.as_deref(), Some("dbo@nokss.ru"));
        assert_eq!(nokss.noreply_address(), "noreply@faktura.ru");
        assert!(nokss.accepts(KeyType::Rsa2048));
        assert!(!nokss.accepts(KeyType::Gost2012_256));
        let renewal = agents.get(5282).unwrap();
        assert!(renewal.accepts(KeyType::Gost2012_256));
        assert_eq!(renewal.support_phone, "8-800-250-33-00");
        assert!(agents.find("0").is_none());
        assert!(agents.find("61 84").is_none());
        assert!(agents.find("99999999999999999999").is_none());
    }

    #[test]
    fn bad_files_are_refused() {
        let base =
            "[[agent]]\nid = 1\nname = \"B\"\nsupport_phone = \"1\"\nmail_domain = \"b.ru\"\n";
        assert!(Agents::parse(&format!("{base}key_types = [\"rsa2048\"]\n")).is_ok());
        assert!(Agents::parse(&format!("{base}key_types = []\n")).is_err());
        assert!(Agents::parse(&format!("{base}key_types = [\"dsa\"]\n")).is_err());
        assert!(
            Agents::parse(&format!(
                "{base}key_types = [\"rsa2048\"]\npbm_reference = \"1\"\n"
            ))
            .is_err()
        );
        let shared = Agents::parse(&format!(
            "{base}key_types = [\"rsa2048\"]\npbm_reference = \"1\"\npbm_secret = \"s\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(shared.contains("bankca secret --agent 1"), "{shared}");
        let twice = format!("{base}key_types = [\"rsa2048\"]\n{base}key_types = [\"rsa2048\"]\n");
        assert!(
            Agents::parse(&twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        assert!(
            Agents::parse(&format!("{base}key_types = [\"rsa2048\"]\ncolour = 1\n")).is_err(),
            "unknown fields are refused, so typos do not pass silently"
        );
        let bad_domain = base.replace("b.ru", "noreply@b.ru");
        assert!(Agents::parse(&format!("{bad_domain}key_types = [\"rsa2048\"]\n")).is_err());
    }
}
