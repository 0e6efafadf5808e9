//! The set of bank profiles smartkey knows: the built-in ones, and those of a profile
//! file, which replace built-in profiles with the same agentId.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::profile::{BankProfile, ProfileSource, RawProfile};
use crate::config::TomlProblem;

/// The built-in profiles (the banks of the procedure documents).
const BUILT_IN: &str = include_str!("../../assets/banks.toml");

/// Why the bank profiles cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BankError {
    #[error("cannot read the bank profile file {}: {detail}", .path.display())]
    Read { path: PathBuf, detail: String },
    #[error("the bank profile file {origin} is broken at {problem}; fix that line")]
    Parse {
        origin: String,
        problem: TomlProblem,
    },
    #[error("the profile of bank {agent_id} in {origin} is wrong: {problem}")]
    Invalid {
        origin: String,
        agent_id: u32,
        problem: super::profile::ProfileProblem,
    },
    #[error("bank {agent_id} appears twice in {origin}; keep one profile per agentId")]
    Duplicate { origin: String, agent_id: u32 },
    #[error(
        "smartkey knows no bank with agentId {agent_id} (it knows {known}); check the number, or add the bank's profile with --banks FILE"
    )]
    Unknown { agent_id: u32, known: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    bank: Vec<RawProfile>,
}

/// Every bank profile smartkey knows, in agentId order.
#[derive(Debug, Clone)]
pub struct Banks {
    profiles: Vec<BankProfile>,
}

fn parse(
    text: &str,
    origin: &str,
    base: Option<&Path>,
    source: &ProfileSource,
) -> Result<Vec<BankProfile>, BankError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| BankError::Parse {
        origin: origin.to_string(),
        problem: TomlProblem::of(text, &e),
    })?;
    let mut profiles: Vec<BankProfile> = Vec::with_capacity(raw.bank.len());
    for entry in raw.bank {
        let agent_id = entry.agent_id();
        if profiles.iter().any(|p| p.agent_id == agent_id) {
            return Err(BankError::Duplicate {
                origin: origin.to_string(),
                agent_id,
            });
        }
        let profile = entry
            .check(base, source.clone())
            .map_err(|problem| BankError::Invalid {
                origin: origin.to_string(),
                agent_id,
                problem,
            })?;
        profiles.push(profile);
    }
    Ok(profiles)
}

impl Banks {
    /// The built-in profiles only.
    pub fn built_in() -> Result<Banks, BankError> {
        let profiles = parse(
            BUILT_IN,
            "built into smartkey (assets/banks.toml)",
            None,
            &ProfileSource::BuiltIn,
        )?;
        Ok(Banks::sorted(profiles))
    }

    /// The built-in profiles, with those of `file` (if any) added or replacing them.
    pub fn load(file: Option<&Path>) -> Result<Banks, BankError> {
        let mut banks = Banks::built_in()?;
        let Some(path) = file else {
            return Ok(banks);
        };
        let text = std::fs::read_to_string(path).map_err(|e| BankError::Read {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let extra = parse(
            &text,
            &path.display().to_string(),
            path.parent(),
            &ProfileSource::File {
                path: path.to_path_buf(),
            },
        )?;
        for profile in extra {
            banks.profiles.retain(|p| p.agent_id != profile.agent_id);
            banks.profiles.push(profile);
        }
        Ok(Banks::sorted(banks.profiles))
    }

    fn sorted(mut profiles: Vec<BankProfile>) -> Banks {
        profiles.sort_by_key(|p| p.agent_id);
        Banks { profiles }
    }

    /// Every profile, in agentId order.
    pub fn profiles(&self) -> &[BankProfile] {
        &self.profiles
    }

    /// The profile of `agent_id`, or an error listing the banks there are.
    pub fn get(&self, agent_id: u32) -> Result<&BankProfile, BankError> {
        self.profiles
            .iter()
            .find(|p| p.agent_id == agent_id)
            .ok_or_else(|| BankError::Unknown {
                agent_id,
                known: self
                    .profiles
                    .iter()
                    .map(|p| format!("{} {}", p.agent_id, p.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_wizard::KeyType;

    #[test]
    fn the_built_in_profiles_are_the_two_banks_of_the_procedures() {
        let banks = Banks::built_in().expect("assets/banks.toml is valid");
        let ids: Vec<u32> = banks.profiles().iter().map(|p| p.agent_id).collect();
        assert_eq!(ids, [5282, 6184]);
        let nokss = banks.get(6184).unwrap();
        assert_eq!(nokss.support_phone.as_deref(), Some("8-800-200-999-7"));
        assert_eq!(nokss.support_email.as_deref(), Some("support@nokss.ru"));
        assert_eq!(nokss.operations_email.as_deref(), Some("dbo@nokss.ru"));
        assert_eq!(
            nokss.online_bank_url.as_deref(),
            Some("https://online.nokss.ru/f2b")
        );
        assert_eq!(nokss.key_types, [KeyType::Rsa2048]);
        assert_eq!(
            nokss.cmp_url(),
            "https://ca.faktura.ru/.well-known/cmp/p/6184"
        );
        let renewal = banks.get(5282).unwrap();
        assert_eq!(renewal.key_types[0], KeyType::Gost2012_256);
        assert!(renewal.ca_is_encrypted());
        assert_eq!(renewal.source, ProfileSource::BuiltIn);
    }

    #[test]
    fn a_file_adds_banks_and_replaces_one_with_the_same_agent_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("banks.toml");
        std::fs::write(
            &path,
            "[[bank]]\nagent_id = 6184\nname = \"Demo\"\nca_url = \"http://127.0.0.1:8080\"\nkey_types = [\"rsa2048\"]\n\
             [[bank]]\nagent_id = 9000\nname = \"Other\"\nca_url = \"https://ca.example\"\nkey_types = [\"gost2012-512\"]\n",
        )
        .unwrap();
        let banks = Banks::load(Some(&path)).unwrap();
        assert_eq!(banks.profiles().len(), 3);
        let demo = banks.get(6184).unwrap();
        assert_eq!(demo.name, "Demo");
        assert!(!demo.ca_is_encrypted());
        assert_eq!(demo.source, ProfileSource::File { path: path.clone() });
        assert!(banks.get(5282).is_ok());
        let err = banks.get(1).unwrap_err().to_string();
        assert!(
            err.contains("6184 Demo") && err.contains("--banks"),
            "{err}"
        );
    }

    #[test]
    fn wrong_profiles_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("banks.toml");
        let refused = |text: &str| {
            std::fs::write(&path, text).unwrap();
            Banks::load(Some(&path)).unwrap_err().to_string()
        };
        let head = "[[bank]]\nagent_id = 1\nname = \"B\"\n";
        let err = refused(&format!(
            "{head}ca_url = \"ftp://x\"\nkey_types = [\"rsa2048\"]\n"
        ));
        assert!(err.contains("ca_url") && err.contains("http"), "{err}");
        let err = refused(&format!(
            "{head}ca_url = \"https://x\"\nkey_types = [\"dsa\"]\n"
        ));
        assert!(err.contains("\"dsa\""), "{err}");
        let err = refused(&format!("{head}ca_url = \"https://x\"\nkey_types = []\n"));
        assert!(err.contains("key_types is empty"), "{err}");
        let err = refused(&format!(
            "{head}ca_url = \"https://x\"\nkey_types = [\"rsa2048\"]\ntrust_anchor = \"missing.pem\"\n"
        ));
        assert!(err.contains("missing.pem"), "{err}");
        let err = refused(&format!(
            "{head}ca_url = \"https://x\"\nkey_types = [\"rsa2048\"]\ntrust_anchor = \"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"\n"
        ));
        assert!(err.contains("trust_anchor"), "{err}");
        let err = refused("[[bank]]\nagent_id = 1\nnam = \"B\"\n");
        assert!(err.contains("line 3"), "{err}");
        let err = refused(&format!(
            "{head}ca_url = \"https://x\"\nkey_types = [\"rsa2048\"]\n{head}ca_url = \"https://x\"\nkey_types = [\"rsa2048\"]\n"
        ));
        assert!(err.contains("appears twice"), "{err}");
    }
}
