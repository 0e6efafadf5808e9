//! What can go wrong with a script: reading it (a line, a PIN name, the secrets file, the
//! screens file) and playing it on the bench. None of these carries a PIN.

use std::path::PathBuf;

/// A script, its secrets file or its screens file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("line {line}: {problem}")]
    Line {
        line: usize,
        problem: Box<ScriptError>,
    },
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("the setup's date {0:?} is not a YYYY-MM-DD date")]
    BadDate(String),
    #[error("the setup must be the first line")]
    SetupNotFirst,
    #[error(
        "a script names its PINs, like \"${{PIN_NEW}}\", and never holds one; the value comes from the environment or a secrets file"
    )]
    PinNotNamed,
    #[error("change_pin needs \"{0}\"")]
    MissingField(&'static str),
    #[error(
        "the script names the PIN ${{{name}}}; set the environment variable {name} or give it in a secrets file (--secrets FILE, a line {name}=...)"
    )]
    UnknownPin { name: String },
    #[error("the secrets file {} cannot be read: {source}", .path.display())]
    SecretsUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the secrets file {} cannot be read: it is not UTF-8 text", .path.display())]
    SecretsNotText { path: PathBuf },
    #[error("{} line {line}: write NAME=value, with NAME like PIN_NEW", .path.display())]
    SecretsLine { path: PathBuf, line: usize },
    #[error("{} cannot be read: {source}", .path.display())]
    ScreensUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} cannot be written: {source}", .path.display())]
    ScreensUnwritable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the snapshot {0:?} appears twice")]
    DuplicateScreen(String),
    #[error("{0}")]
    BadScreens(String),
}

/// A step of a script could not be done on the bench.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("the script acts for the bank ({0}), which only the demo environment can")]
    NoBank(String),
    #[error("the script lets {0} days pass, which only the demo environment can")]
    NoCalendar(u32),
    #[error(
        "the script moves tokens or acts for the bank, which needs the virtual Rutoken (the demo environment)"
    )]
    NoBench,
    #[error("{} cannot run: {source}", .command.display())]
    CannotRun {
        command: PathBuf,
        source: std::io::Error,
    },
    #[error("rutoken-emu {args}: {stderr}")]
    Refused { args: String, stderr: String },
    #[cfg(feature = "training")]
    #[error(transparent)]
    Bank(#[from] bankca::Error),
    #[error("no request waits at the demo bank to be approved")]
    NothingToApprove,
    #[error("the demo bank has no request yet")]
    NoRequestYet,
}
