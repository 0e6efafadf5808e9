//! The XDG base directories smartkey uses: the config home for `config.toml`, the state
//! home for logs and wizard transcripts. Following the XDG rules, a relative or empty
//! `XDG_*_HOME` is ignored and the default under `$HOME` is used.

use std::path::PathBuf;

fn xdg_dir(var: &str, default_under_home: &str) -> Option<PathBuf> {
    if let Some(value) = std::env::var_os(var) {
        let path = PathBuf::from(value);
        if path.is_absolute() {
            return Some(path);
        }
    }
    let home = PathBuf::from(std::env::var_os("HOME")?);
    home.is_absolute().then(|| home.join(default_under_home))
}

/// `$XDG_CONFIG_HOME`, else `~/.config`; `None` when neither is known.
pub fn config_home() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config")
}

/// `$XDG_STATE_HOME`, else `~/.local/state`; `None` when neither is known.
pub fn state_home() -> Option<PathBuf> {
    xdg_dir("XDG_STATE_HOME", ".local/state")
}

/// Where the config file is looked for: `$XDG_CONFIG_HOME/smartkey/config.toml`.
pub fn config_file_path() -> Option<PathBuf> {
    config_home().map(|d| d.join("smartkey").join("config.toml"))
}

/// smartkey's own state directory: `$XDG_STATE_HOME/smartkey` (logs, transcripts).
pub fn state_dir() -> Option<PathBuf> {
    state_home().map(|d| d.join("smartkey"))
}
