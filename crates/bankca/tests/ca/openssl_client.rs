//! OpenSSL's `openssl cmp` as the independent client of bankca: `ir` and `p10cr` that
//! wait for the operator's approval while polling, `kur` protected by the old
//! certificate, `certConf`, and HTTPS; the issued certificates verify with
//! `openssl verify`.

use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common;
use crate::common::{
    CaDir, Guard, PATIENCE, Server, ServerOptions, openssl, require_openssl, wait_for,
};

const SUBJECT: &str =
    "/CN=Ivanov Ivan/O=Romashka/INN=007707083893/OGRN=1027700132195/emailAddress=ivanov@example.ru";

/// An `openssl cmp` client running in the background.
struct Client {
    child: Guard,
    log: PathBuf,
}

impl Client {
    fn start(ca: &CaDir, server: &str, args: &[&str]) -> Self {
        let log = ca.work.join(format!(
            "client-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        ));
        let log_file = std::fs::File::create(&log).expect("log");
        let srvcert = ca.file("ca-rsa.pem");
        let mut all = vec![
            "cmp",
            "-server",
            server,
            "-path",
            ".well-known/cmp/p/6184",
            "-srvcert",
            &srvcert,
            "-msg_timeout",
            "20",
            "-total_timeout",
            "55",
        ];
        all.extend_from_slice(args);
        let child = Command::new("openssl")
            .args(&all)
            .current_dir(&ca.work)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .spawn()
            .expect("start openssl cmp");
        Self {
            child: Guard(child),
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (bounded) for the client to end.
    fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.0.try_wait().expect("wait") {
                return (status, self.log());
            }
            assert!(
                Instant::now() < deadline,
                "openssl cmp did not finish: {}",
                self.log()
            );
            sleep(Duration::from_millis(100));
        }
    }
}

/// Waits until a request numbered `id` is waiting and the client has started polling
/// for it, then approves it with the `bankca` command.
fn approve_when_polled(ca: &CaDir, client: &Client, id: i64) {
    wait_for("the request to arrive and the client to poll", || {
        let waiting = ca
            .requests()
            .iter()
            .any(|r| r["id"] == id && r["state"] == "waiting");
        (waiting && client.log().contains("POLLREQ")).then_some(())
    });
    let out = ca.bankca_ok(&["approve", &id.to_string()]);
    assert!(out.contains("approved"), "{out}");
}

fn verify(ca: &CaDir, cert: &str) {
    let out = openssl(
        &ca.work,
        &["verify", "-CAfile", &ca.file("ca-rsa.pem"), cert],
    );
    assert!(out.contains(": OK"), "{out}");
}

fn subject_of(ca: &CaDir, cert: &str) -> String {
    openssl(&ca.work, &["x509", "-in", cert, "-noout", "-subject"])
}

fn show(ca: &CaDir, id: i64) -> serde_json::Value {
    serde_json::from_str(&ca.bankca_ok(&["show", &id.to_string(), "--json"])).expect("JSON")
}

fn rsa_key(ca: &CaDir, name: &str) {
    openssl(
        &ca.work,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            name,
        ],
    );
}

/// A reference and secret from `bankca secret`, the secret as OpenSSL takes it.
fn client_secret(ca: &CaDir, agent: u32) -> (String, String) {
    let out = ca.bankca_ok(&["secret", "--agent", &agent.to_string(), "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let reference = json["reference"].as_str().expect("reference").to_string();
    let secret = json["secret"].as_str().expect("secret");
    assert!(reference.starts_with(&format!("{agent}-")), "{reference}");
    (reference, format!("pass:{secret}"))
}

#[test]
fn openssl_ir_approved_by_the_operator_then_kur_with_the_old_certificate() {
    require_openssl();
    let ca = CaDir::new();
    let server = Server::start(&ca, ServerOptions::default());
    let address = server.addr.to_string();
    rsa_key(&ca, "old.key");
    rsa_key(&ca, "new.key");

    // N2.6: ir, MAC-protected with the client's own reference and secret (its
    // acceptance must be protected too); the bank answers "waiting" and the client polls.
    let (reference, secret) = client_secret(&ca, 6184);
    let client = Client::start(
        &ca,
        &address,
        &[
            "-cmd", "ir", "-newkey", "old.key", "-subject", SUBJECT, "-ref", &reference, "-secret",
            &secret, "-certout", "old.pem",
        ],
    );
    approve_when_polled(&ca, &client, 1);
    let (status, log) = client.finish();
    assert!(
        status.success(),
        "openssl cmp ir failed: {log}\nserver: {}",
        server.log()
    );
    assert!(log.contains("received 'waiting' PKIStatus"), "{log}");
    assert!(log.contains("CERTCONF") && log.contains("PKICONF"), "{log}");
    verify(&ca, "old.pem");
    assert_eq!(show(&ca, 1)["state"], "confirmed");
    assert_eq!(show(&ca, 1)["kind"], "ir");

    // R2.8: kur protected by the old certificate and key.
    let client = Client::start(
        &ca,
        &address,
        &[
            "-cmd", "kur", "-cert", "old.pem", "-key", "old.key", "-newkey", "new.key", "-certout",
            "new.pem",
        ],
    );
    wait_for("the renewal to arrive", || {
        ca.requests().iter().any(|r| r["id"] == 2).then_some(())
    });
    // The old certificate stays valid until the new one is confirmed.
    assert_eq!(show(&ca, 1)["certificate"]["status"], "active");
    approve_when_polled(&ca, &client, 2);
    let (status, log) = client.finish();
    assert!(
        status.success(),
        "openssl cmp kur failed: {log}\nserver: {}",
        server.log()
    );
    verify(&ca, "new.pem");
    assert_eq!(
        subject_of(&ca, "new.pem"),
        subject_of(&ca, "old.pem"),
        "the subject is kept"
    );
    let renewal = show(&ca, 2);
    assert_eq!(renewal["kind"], "kur");
    assert_eq!(renewal["state"], "confirmed");
    assert_eq!(renewal["certificate"]["status"], "active");
    assert_eq!(show(&ca, 1)["certificate"]["status"], "replaced");

    // The replaced certificate can no longer sign a renewal.
    rsa_key(&ca, "third.key");
    let client = Client::start(
        &ca,
        &address,
        &[
            "-cmd",
            "kur",
            "-cert",
            "old.pem",
            "-key",
            "old.key",
            "-newkey",
            "third.key",
            "-certout",
            "third.pem",
        ],
    );
    let (status, log) = client.finish();
    assert!(
        !status.success(),
        "a renewal with a replaced certificate must fail"
    );
    assert!(log.contains("signerNotTrusted"), "{log}");
    assert_eq!(ca.requests().len(), 2, "the refused renewal is not stored");
    common::integrity_check(&ca);
    assert!(
        server.terminate().success(),
        "bankca stops cleanly on SIGTERM"
    );
}

#[test]
fn openssl_p10cr_approved_by_the_operator() {
    require_openssl();
    let ca = CaDir::new();
    let server = Server::start(&ca, ServerOptions::default());
    rsa_key(&ca, "ee.key");
    openssl(
        &ca.work,
        &[
            "req", "-new", "-key", "ee.key", "-subj", SUBJECT, "-out", "ee.csr",
        ],
    );
    let (reference, secret) = client_secret(&ca, 6184);
    let client = Client::start(
        &ca,
        &server.addr.to_string(),
        &[
            "-cmd", "p10cr", "-csr", "ee.csr", "-ref", &reference, "-secret", &secret, "-certout",
            "ee.pem",
        ],
    );
    approve_when_polled(&ca, &client, 1);
    let (status, log) = client.finish();
    assert!(
        status.success(),
        "openssl cmp p10cr failed: {log}\nserver: {}",
        server.log()
    );
    verify(&ca, "ee.pem");
    let details = show(&ca, 1);
    assert_eq!(details["kind"], "p10cr");
    assert_eq!(details["state"], "confirmed");
    assert_eq!(details["inn"], "7707083893");
    assert!(
        details["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["what"] == "approved")),
        "{details}"
    );
}

#[test]
fn openssl_p10cr_over_tls_with_auto_approval() {
    require_openssl();
    let ca = CaDir::new();
    let server = Server::start(
        &ca,
        ServerOptions {
            extra: vec!["--tls", "--auto-approve-after", "0"],
            ..Default::default()
        },
    );
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    rsa_key(&ca, "ee.key");
    openssl(
        &ca.work,
        &[
            "req", "-new", "-key", "ee.key", "-subj", SUBJECT, "-out", "ee.csr",
        ],
    );
    let trusted = ca.file("ca-rsa.pem");
    let (reference, secret) = client_secret(&ca, 6184);
    let client = Client::start(
        &ca,
        &server.addr.to_string(),
        &[
            "-tls_used",
            "-tls_trusted",
            &trusted,
            "-cmd",
            "p10cr",
            "-csr",
            "ee.csr",
            "-ref",
            &reference,
            "-secret",
            &secret,
            "-certout",
            "ee.pem",
        ],
    );
    let (status, log) = client.finish();
    assert!(
        status.success(),
        "openssl cmp over TLS failed: {log}\nserver: {}",
        server.log()
    );
    verify(&ca, "ee.pem");
    assert!(
        ca.path.join("tls/server.pem").exists(),
        "the TLS certificate is kept"
    );
    let events = show(&ca, 1)["events"].to_string();
    assert!(events.contains("auto-approve"), "{events}");
}
