//! The reference bank CA answering one request end to end, in process: decoded,
//! checked, stored, answered and signed, as `POST /.well-known/cmp/p/<agentId>` does;
//! then approved and issued, as the operator and the background issuer would.
//!
//! The CA's keys are made once per process (RSA key generation is the slow part). Its
//! database grows with every request, so every [`FRESH_AFTER`] inputs the CA is opened
//! again on a new, empty database beside the same keys: each input is answered by a CA
//! that has seen at most that many requests before it.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bankca::ca::{AGENTS_FILE, GOST_CERT_FILE, GOST_KEY_FILE, RSA_CERT_FILE, RSA_KEY_FILE};
use bankca::issue::SerialSource;
use bankca::service::ServiceOptions;
use bankca::{Ca, ManualClock};

/// How many inputs one database answers before a fresh one is taken.
const FRESH_AFTER: u32 = 2048;

/// The CA's day: fixed, so an input is answered the same way on any day it is replayed.
const NOW_UNIX: u64 = 1_795_000_000;

/// The banks every input is sent to: the default bank that takes every key type, and one
/// whose client holds the MAC secret of the seeds (reference [`REFERENCE`]).
const AGENT_IDS: &[&str] = &["5282", "7000"];

/// A third bank, beside the default two, with a client whose MAC secret the seeds use.
const PBM_AGENT: &str = r#"
[[agent]]
id = 7000
name = "Bank with a shared secret"
key_types = ["rsa2048", "gost2012-256", "gost2012-512"]
support_phone = "8-800-000-00-00"
mail_domain = "example.ru"
"#;

/// The reference and secret the MAC-protected seeds were made with (OpenSSL's
/// `-ref 1234 -secret pass:insta`), given to the client of bank 7000 on every database.
const REFERENCE: &str = "1234";
const SECRET: &str = "insta";

struct Bench {
    /// The keys, certificates and agents, made once.
    _keys: tempfile::TempDir,
    keys: PathBuf,
    /// The folder of the CA in use, with its database.
    current: Option<(tempfile::TempDir, Ca)>,
    answered: u32,
}

thread_local! {
    static BENCH: RefCell<Option<Bench>> = const { RefCell::new(None) };
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_UNIX),
    ))
}

fn made_once() -> Bench {
    let keys = tempfile::tempdir().expect("a temporary folder");
    let dir = keys.path().join("ca");
    std::fs::create_dir_all(&dir).expect("the CA folder");
    let agents = format!("{}{PBM_AGENT}", bankca::agents::DEFAULT_AGENTS_TOML);
    std::fs::write(dir.join(AGENTS_FILE), agents).expect("agents.toml");
    Ca::init_with_clock(&dir, clock().as_ref()).expect("bankca init");
    Bench {
        _keys: keys,
        keys: dir,
        current: None,
        answered: 0,
    }
}

/// A CA on the keys in `keys` with an empty database of its own.
fn fresh_ca(keys: &Path) -> (tempfile::TempDir, Ca) {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let dir = folder.path().join("ca");
    std::fs::create_dir_all(&dir).expect("the CA folder");
    for name in [
        RSA_KEY_FILE,
        RSA_CERT_FILE,
        GOST_KEY_FILE,
        GOST_CERT_FILE,
        AGENTS_FILE,
    ] {
        std::fs::copy(keys.join(name), dir.join(name)).expect("copy a CA file");
    }
    let ca = Ca::open_with_clock(&dir, clock())
        .expect("bankca open")
        .with_serial_source(SerialSource::Seeded("fuzzing".into()));
    ca.import_client_secret(7000, REFERENCE, SECRET)
        .expect("the client's secret");
    (folder, ca)
}

/// One request POSTed to each bank of [`AGENT_IDS`], then approved and issued.
/// Only a panic is a finding: an error is the CA failing to answer, which the HTTP layer
/// turns into a 500.
pub fn bankca_request(data: &[u8]) {
    BENCH.with(|cell| {
        let mut slot = cell.borrow_mut();
        let bench = slot.get_or_insert_with(made_once);
        if bench.answered >= FRESH_AFTER {
            bench.current = None;
            bench.answered = 0;
        }
        bench.answered += 1;
        let keys = bench.keys.clone();
        let (_, ca) = bench.current.get_or_insert_with(|| fresh_ca(&keys));
        // The CA's day is fixed and the inputs' messageTime is anything: the window is
        // off, so that follow-ups reach the checks behind it.
        let options = ServiceOptions {
            message_time_window: None,
            ..ServiceOptions::default()
        };
        for agent in AGENT_IDS {
            let _ = ca.handle_cmp(agent, data, &options);
        }
        if ca.auto_approve_due(Duration::ZERO).is_ok() {
            let _ = ca.issue_approved();
        }
    });
}
