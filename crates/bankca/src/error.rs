//! What can go wrong for the CA's operator, in words that say what to do. Problems with
//! a client's message are not errors of this kind: they become CMP `error` messages
//! (see [`crate::service`]).

use std::path::PathBuf;

use crate::states::State;

/// An error of the CA library or its commands.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// `init` found CA files already there.
    #[error(
        "a CA already exists in {0}: its keys are not overwritten; use another directory or remove the old CA first"
    )]
    AlreadyInitialised(PathBuf),
    /// A command needs a CA that was never created.
    #[error("there is no CA in {0}: run `bankca init --dir {0}` first")]
    NotInitialised(PathBuf),
    /// The agents file is not valid.
    #[error("the agents file {path} is not valid: {message}")]
    Agents {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A CA key or certificate file could not be used.
    #[error("the CA file {path} cannot be used: {message}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The database failed.
    #[error("the request database failed: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database was written by a newer version of this program.
    #[error(
        "the request database has schema version {found}, but this program knows only up to {known}; use a newer bankca"
    )]
    SchemaTooNew {
        /// The version found.
        found: i64,
        /// The newest version this program knows.
        known: i64,
    },
    /// No bank has this agentId.
    #[error("there is no bank with agentId {0} in agents.toml")]
    NoSuchAgent(u32),
    /// The system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// No request has this number.
    #[error("there is no request {0}; `bankca list` shows the requests")]
    NoSuchRequest(i64),
    /// The request is not in a state that allows the action.
    #[error("request {id} is {state}, so it cannot be {action}")]
    WrongState {
        /// The request.
        id: i64,
        /// Its state.
        state: State,
        /// What was asked, as a past participle ("approved").
        action: &'static str,
    },
    /// A rule of the bank forbids the action.
    #[error("request {id}: {why}")]
    NotAllowed {
        /// The request.
        id: i64,
        /// The rule.
        why: String,
    },
    /// The clock could not be read.
    #[error("the clock cannot be read: {0}")]
    Clock(String),
    /// A certificate could not be made.
    #[error("a certificate could not be issued: {0}")]
    Issue(String),
    /// A key could not be made or used.
    #[error("a key could not be made or used: {0}")]
    Key(String),
    /// The pickup e-mail could not be written or sent.
    #[error("the pickup e-mail could not be sent: {0}")]
    Mail(String),
    /// A command-line or configuration value is not valid.
    #[error("{0}")]
    Config(String),
    /// TLS could not be set up.
    #[error("TLS could not be set up: {0}")]
    Tls(String),
    /// The server could not listen.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// DER encoding or decoding failed.
    #[error("encoding failed: {0}")]
    Der(#[from] der::Error),
    /// A CMP message could not be built.
    #[error(transparent)]
    Build(#[from] cmp::BuildError),
    /// A CMP message could not be protected.
    #[error("a message could not be protected: {0}")]
    Protection(#[from] cmp::ProtectionError),
    /// A background task stopped unexpectedly.
    #[error("an internal task failed: {0}")]
    Task(String),
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
