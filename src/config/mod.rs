//! Settings: where they come from and which one wins.
//!
//! Every setting can be given three ways, and the more specific one wins:
//! the config file (`$XDG_CONFIG_HOME/smartkey/config.toml`) < an environment variable
//! (`SMARTKEY_*`) < a command-line flag. [`Settings`] records, for each value, where it
//! came from, so that `smartkey check` and support bundles can say why a library or a
//! bank was chosen.

mod dirs;
mod file;
mod settings;
mod toml_problem;

pub use dirs::{config_file_path, config_home, state_dir, state_home};
pub use file::{ConfigError, ConfigFile, Lang};
pub use settings::{ConfigStatus, Origin, Overrides, Setting, Settings};
pub use toml_problem::TomlProblem;
