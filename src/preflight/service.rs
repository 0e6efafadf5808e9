//! The smart card service: a hardware token library (Rutoken's among them) reaches its
//! readers through pcscd, so pcscd must answer; software tokens (SoftHSM2, the virtual
//! Rutoken) do without it. pcscd is asked the cheap way: a connection to its socket
//! (`$PCSCLITE_CSOCK_NAME`, else `/run/pcscd/pcscd.comm`), which also wakes a
//! socket-activated pcscd.

use std::path::PathBuf;

use serde::Serialize;

use super::Facts;
use super::library::LibraryKind;
use super::report::{CheckId, Finding, Verdict};

/// What was found about pcscd.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceFacts {
    /// Whether the library needs pcscd.
    pub needed: bool,
    /// The socket asked.
    pub socket: Option<PathBuf>,
    /// Whether the socket exists.
    pub socket_exists: bool,
    /// Whether pcscd accepted a connection.
    pub answers: bool,
    pub error: Option<String>,
}

/// Where pcsc-lite's clients find pcscd.
pub fn socket_path() -> PathBuf {
    std::env::var_os("PCSCLITE_CSOCK_NAME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/run/pcscd/pcscd.comm"))
}

/// Whether pcscd answers at `socket`: `Ok(())`, or why not.
#[cfg(unix)]
fn ask(socket: &std::path::Path) -> std::io::Result<()> {
    std::os::unix::net::UnixStream::connect(socket).map(drop)
}

#[cfg(not(unix))]
fn ask(_socket: &std::path::Path) -> std::io::Result<()> {
    Err(std::io::Error::other("not checked on this system"))
}

const START: &str = "start the smart card service: sudo systemctl start pcscd (if it is missing: sudo apt-get install pcscd), then insert the token again";

/// Checks pcscd for a library of `kind`.
pub fn check(kind: LibraryKind) -> Finding {
    if !cfg!(target_os = "linux") {
        return Finding::skipped(
            CheckId::Service,
            "not checked: this system's smart card service is built in",
        );
    }
    let socket = socket_path();
    let needed = kind.needs_pcscd();
    let exists = socket.exists();
    let answer = ask(&socket);
    let facts = ServiceFacts {
        needed,
        socket: Some(socket.clone()),
        socket_exists: exists,
        answers: answer.is_ok(),
        error: answer.as_ref().err().map(ToString::to_string),
    };
    let finding = match (&answer, needed) {
        (Ok(()), _) => Finding::new(CheckId::Service, Verdict::Ok, "pcscd answers"),
        (Err(_), false) => Finding::new(
            CheckId::Service,
            Verdict::Ok,
            format!("pcscd is not running; not needed by {}", kind.describe()),
        ),
        (Err(e), true) if exists => Finding::new(
            CheckId::Service,
            Verdict::Fail,
            format!("pcscd does not answer ({e}); {} needs it", kind.describe()),
        )
        .advice("restart the smart card service: sudo systemctl restart pcscd"),
        (Err(_), true) => Finding::new(
            CheckId::Service,
            Verdict::Fail,
            format!("pcscd is not running; {} needs it", kind.describe()),
        )
        .advice(START),
    };
    finding
        .detail(format!("socket: {}", socket.display()))
        .facts(Facts::Service(facts))
}
