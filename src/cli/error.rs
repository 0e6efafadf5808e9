//! The command line's errors and the exit codes they map to.

use std::path::PathBuf;

use crate::app::start::ClockError;
use crate::app::{LockError, StateFileError};
use crate::bank::BankError;
use crate::config::{ConfigError, Lang};
use crate::pki::CsrError;
use crate::support::SupportError;
use crate::token::TokenError;
use smartkey_i18n::Catalogue;
use smartkey_wizard::ApplicantErrors;
use smartkey_wizard::Msg;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Something else failed (the message says what).
    pub const FAILURE: u8 = 1;
    /// The command line was wrong (clap's own code as well).
    pub const USAGE: u8 = 2;
    /// The PKCS#11 library is missing, does not load, or gives impossible answers.
    pub const LIBRARY: u8 = 3;
    /// No token, the wrong token, several tokens, or the token was removed.
    pub const TOKEN: u8 = 4;
    /// A PIN was wrong, locked, or refused by the PIN policy.
    pub const PIN: u8 = 5;
    /// An input file (applicant, certificate, config file, bank profiles, a state file)
    /// is wrong.
    pub const INPUT: u8 = 6;
    /// Another smartkey is running on the same state directory; nothing was done.
    pub const BUSY: u8 = 7;
}

/// What `--help` says about exit codes.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  done
  1  failed (the message says why)
  2  wrong command line, or a question that needs a terminal or --yes
  3  PKCS#11 library missing, not loading, or giving impossible answers (see --module)
  4  token missing, removed, or not the one named (see --serial)
  5  PIN wrong, locked, or refused by the PIN rules
  6  an input file is wrong (applicant JSON, certificate, config file, bank profiles,
     a state file such as pending.json)
  7  another smartkey is running on the same state directory (nothing was done)
  `smartkey check` has codes of its own: 0 all OK, 1 warnings, 2 failures.";

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Applicant(#[from] ApplicantErrors),
    #[error(transparent)]
    Csr(CsrError),
    #[error("{what} {}: {detail}", .path.display())]
    File {
        what: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Bank(#[from] BankError),
    #[error(transparent)]
    Support(#[from] SupportError),
    /// A wizard command found the state lock held by another smartkey; worded in the
    /// person's language, since it is the whole answer they get.
    #[error("{}", Catalogue::new(*.lang).text(&Msg::AnotherSmartkeyRunning { pid: *.pid }))]
    Busy { pid: Option<u32>, lang: Lang },
    #[error(transparent)]
    Lock(LockError),
    #[error(transparent)]
    State(#[from] StateFileError),
    #[error(transparent)]
    Clock(#[from] ClockError),
    #[error(transparent)]
    Script(#[from] crate::app::ScriptError),
    #[error(transparent)]
    Recording(#[from] crate::app::record::RecordingError),
    #[cfg(feature = "training")]
    #[error(transparent)]
    Demo(#[from] crate::app::demo::DemoError),
    /// The preflight before a flow failed: the failing checks and what to do.
    #[error("the check before the start failed:\n{report}")]
    Preflight { report: String, library: bool },
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Input(String),
}

impl From<CsrError> for CliError {
    fn from(e: CsrError) -> Self {
        match e {
            CsrError::Token(t) => CliError::Token(t),
            other => CliError::Csr(other),
        }
    }
}

impl CliError {
    /// The state lock's refusal in the person's language; its other failures as they are.
    pub fn from_lock(e: LockError, lang: Lang) -> CliError {
        match e {
            LockError::Held { pid, .. } => CliError::Busy { pid, lang },
            other => CliError::Lock(other),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Token(t) => match t {
                TokenError::LibraryLoad { .. }
                | TokenError::NoLibrary { .. }
                | TokenError::Implausible { .. } => exit::LIBRARY,
                TokenError::Removed
                | TokenError::NoToken
                | TokenError::NotFound { .. }
                | TokenError::Ambiguous { .. } => exit::TOKEN,
                TokenError::PinIncorrect { .. }
                | TokenError::PinLocked { .. }
                | TokenError::PinLength { .. }
                | TokenError::PinRejected { .. }
                | TokenError::PinInHistory { .. }
                | TokenError::PinAgainstPolicy { .. }
                | TokenError::PinPolicy(_) => exit::PIN,
                TokenError::BadCertificate(_) | TokenError::CertificateKeyNotOnToken => exit::INPUT,
                _ => exit::FAILURE,
            },
            CliError::Applicant(_)
            | CliError::File { .. }
            | CliError::Input(_)
            | CliError::Script(_)
            | CliError::Config(_)
            | CliError::Bank(_) => exit::INPUT,
            CliError::Busy { .. } => exit::BUSY,
            CliError::Preflight { library: true, .. } => exit::LIBRARY,
            CliError::Preflight { .. } => exit::FAILURE,
            CliError::State(_) | CliError::Clock(_) => exit::INPUT,
            CliError::Lock(_) | CliError::Support(_) | CliError::Recording(_) => exit::FAILURE,
            #[cfg(feature = "training")]
            CliError::Demo(_) => exit::FAILURE,
            CliError::Csr(_) => exit::FAILURE,
            CliError::Usage(_) => exit::USAGE,
        }
    }
}
