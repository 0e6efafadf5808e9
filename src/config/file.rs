//! The config file, `$XDG_CONFIG_HOME/smartkey/config.toml`:
//!
//! ```toml
//! module = "/opt/aktivco/rutokenecp/amd64/librtpkcs11ecp.so"
//! bank = 6184
//! lang = "en"
//! banks = "my-banks.toml"
//! ```
//!
//! Every key is optional. Unknown keys are refused (a typo would otherwise be silently
//! ignored). Relative paths are taken from the config file's directory, and a leading
//! `~/` means the home directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::toml_problem::TomlProblem;

pub use smartkey_i18n::Lang;

/// What the config file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The PKCS#11 library.
    pub module: Option<PathBuf>,
    /// The bank's agentId.
    pub bank: Option<u32>,
    /// The language of the screens.
    pub lang: Option<Lang>,
    /// A file of bank profiles.
    pub banks: Option<PathBuf>,
}

/// Why the config file cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {}: {detail}", .path.display())]
    Read { path: PathBuf, detail: String },
    #[error(
        "the config file {} is broken at {problem}; fix that line, or move the file away to use the defaults",
        .path.display()
    )]
    Parse { path: PathBuf, problem: TomlProblem },
}

impl ConfigFile {
    /// Reads the file at `path`; `Ok(None)` when there is none.
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                });
            }
        };
        let mut file = ConfigFile::parse(&text).map_err(|problem| ConfigError::Parse {
            path: path.to_path_buf(),
            problem,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        file.module = file.module.map(|p| resolve_path(base, &p));
        file.banks = file.banks.map(|p| resolve_path(base, &p));
        Ok(Some(file))
    }

    /// Parses config text (paths are left as written).
    pub fn parse(text: &str) -> Result<ConfigFile, TomlProblem> {
        toml::from_str(text).map_err(|e| TomlProblem::of(text, &e))
    }
}

/// `~/x` under the home directory, a relative path under `base`, others as they are.
fn resolve_path(base: &Path, path: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    if path.is_relative() {
        base.join(path)
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_optional_and_all_are_read() {
        assert_eq!(ConfigFile::parse("").unwrap(), ConfigFile::default());
        let file = ConfigFile::parse(
            "module = \"/lib/x.so\"\nbank = 6184\nlang = \"en\"\nbanks = \"b.toml\"\n",
        )
        .unwrap();
        assert_eq!(file.module.as_deref(), Some(Path::new("/lib/x.so")));
        assert_eq!(file.bank, Some(6184));
        assert_eq!(file.lang, Some(Lang::En));
        assert_eq!(file.banks.as_deref(), Some(Path::new("b.toml")));
    }

    #[test]
    fn a_typo_or_a_wrong_type_names_the_line() {
        let problem = ConfigFile::parse("lang = \"en\"\nmodul = \"/x.so\"\n").unwrap_err();
        assert_eq!(problem.line, Some(2), "{problem}");
        assert!(problem.message.contains("modul"), "{problem}");
        let problem = ConfigFile::parse("\n\nbank = \"six\"\n").unwrap_err();
        assert_eq!(problem.line, Some(3), "{problem}");
        let problem = ConfigFile::parse("lang = \"de\"\n").unwrap_err();
        assert_eq!(problem.line, Some(1), "{problem}");
    }

    #[test]
    fn relative_paths_are_taken_from_the_config_directory() {
        let base = Path::new("/etc/smartkey");
        assert_eq!(
            resolve_path(base, Path::new("banks.toml")),
            Path::new("/etc/smartkey/banks.toml")
        );
        assert_eq!(resolve_path(base, Path::new("/x/y")), Path::new("/x/y"));
    }
}
