//! Resolving each setting from the config file, the environment and the command line,
//! remembering where each value came from.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::dirs::config_file_path;
use super::file::{ConfigError, ConfigFile, Lang};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Origin {
    /// A command-line flag.
    Flag { flag: &'static str },
    /// An environment variable.
    Environment { variable: &'static str },
    /// The config file.
    ConfigFile { path: PathBuf },
    /// Nobody set it.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag { flag } => write!(f, "from {flag}"),
            Origin::Environment { variable } => write!(f, "from {variable}"),
            Origin::ConfigFile { path } => write!(f, "from {}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Setting { value, origin }
    }
}

/// What the command line and the environment set (clap reads both; the CLI tells which
/// one each value came from).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub module: Option<Setting<PathBuf>>,
    pub bank: Option<Setting<u32>>,
    pub banks: Option<Setting<PathBuf>>,
    pub lang: Option<Setting<Lang>>,
}

/// What became of the config file.
#[derive(Debug, Clone)]
pub enum ConfigStatus {
    /// Neither `XDG_CONFIG_HOME` nor `HOME` is set: there is nowhere to look.
    NoHome,
    /// No file at this path: defaults apply.
    Absent(PathBuf),
    /// Read from this path.
    Loaded(PathBuf),
    /// The file is there but cannot be used.
    Broken(ConfigError),
}

impl Serialize for ConfigStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ConfigStatus", 3)?;
        let (state, path, error) = match self {
            ConfigStatus::NoHome => ("no_home", None, None),
            ConfigStatus::Absent(p) => ("absent", Some(p.clone()), None),
            ConfigStatus::Loaded(p) => ("loaded", Some(p.clone()), None),
            ConfigStatus::Broken(e) => {
                let path = match e {
                    ConfigError::Read { path, .. } | ConfigError::Parse { path, .. } => path,
                };
                ("broken", Some(path.clone()), Some(e.to_string()))
            }
        };
        st.serialize_field("state", state)?;
        st.serialize_field("path", &path)?;
        st.serialize_field("error", &error)?;
        st.end()
    }
}

/// Every setting, resolved: config file < environment < flag.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// The PKCS#11 library; `None`: search the usual Rutoken places.
    pub module: Option<Setting<PathBuf>>,
    /// The bank's agentId; `None`: no bank chosen.
    pub bank: Option<Setting<u32>>,
    /// A file of bank profiles added to the built-in ones.
    pub banks: Option<Setting<PathBuf>>,
    /// The language of the screens.
    pub lang: Setting<Lang>,
    /// The config file and what became of it.
    pub config: ConfigStatus,
}

impl Settings {
    /// Reads the config file and applies `overrides` over it. A broken config file is an
    /// error: a command should not run with settings the person did not mean.
    pub fn resolve(overrides: Overrides) -> Result<Settings, ConfigError> {
        let settings = Settings::resolve_lenient(overrides);
        match settings.config {
            ConfigStatus::Broken(e) => Err(e),
            _ => Ok(settings),
        }
    }

    /// Like [`Settings::resolve`], but a broken config file is only recorded (in
    /// [`Settings::config`]) and the flags and environment still apply: for diagnostics
    /// (`check`, support bundles), which must work precisely when something is broken.
    pub fn resolve_lenient(overrides: Overrides) -> Settings {
        let path = config_file_path();
        let file = match &path {
            Some(p) => ConfigFile::load(p),
            None => Ok(None),
        };
        Settings::from_parts(overrides, path, file)
    }

    /// Combines the parts; `path` is where the config file was looked for.
    pub fn from_parts(
        overrides: Overrides,
        path: Option<PathBuf>,
        file: Result<Option<ConfigFile>, ConfigError>,
    ) -> Settings {
        let (status, file) = match (path, file) {
            (None, _) => (ConfigStatus::NoHome, ConfigFile::default()),
            (Some(p), Ok(None)) => (ConfigStatus::Absent(p), ConfigFile::default()),
            (Some(p), Ok(Some(f))) => (ConfigStatus::Loaded(p), f),
            (Some(_), Err(e)) => (ConfigStatus::Broken(e), ConfigFile::default()),
        };
        let from_file = match &status {
            ConfigStatus::Loaded(p) => Origin::ConfigFile { path: p.clone() },
            _ => Origin::Default,
        };
        let pick = |value: Option<PathBuf>| value.map(|v| Setting::new(v, from_file.clone()));
        Settings {
            module: overrides.module.or_else(|| pick(file.module)),
            bank: overrides
                .bank
                .or_else(|| file.bank.map(|v| Setting::new(v, from_file.clone()))),
            banks: overrides.banks.or_else(|| pick(file.banks)),
            lang: overrides.lang.unwrap_or_else(|| match file.lang {
                Some(l) => Setting::new(l, from_file.clone()),
                None => Setting::new(Lang::default(), Origin::Default),
            }),
            config: status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> ConfigFile {
        ConfigFile {
            module: Some("/file/lib.so".into()),
            bank: Some(5282),
            lang: Some(Lang::En),
            banks: None,
        }
    }

    #[test]
    fn the_file_fills_in_what_flags_and_environment_leave_open() {
        let path = PathBuf::from("/cfg/smartkey/config.toml");
        let overrides = Overrides {
            bank: Some(Setting::new(
                6184,
                Origin::Environment {
                    variable: "SMARTKEY_BANK",
                },
            )),
            ..Overrides::default()
        };
        let s = Settings::from_parts(overrides, Some(path.clone()), Ok(Some(file())));
        assert_eq!(s.bank.as_ref().map(|b| b.value), Some(6184));
        assert_eq!(
            s.module.as_ref().map(|m| &m.origin),
            Some(&Origin::ConfigFile { path: path.clone() })
        );
        assert_eq!(s.lang.value, Lang::En);
        assert!(s.banks.is_none());
        assert!(matches!(s.config, ConfigStatus::Loaded(_)));
    }

    #[test]
    fn without_a_file_the_defaults_apply() {
        let s = Settings::from_parts(Overrides::default(), Some("/x".into()), Ok(None));
        assert!(s.module.is_none() && s.bank.is_none());
        assert_eq!(s.lang, Setting::new(Lang::Ru, Origin::Default));
        assert!(matches!(s.config, ConfigStatus::Absent(_)));
    }
}
