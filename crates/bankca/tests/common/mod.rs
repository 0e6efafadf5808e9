//! What the bankca tests share: a CA directory per test (keys made once per test binary),
//! the real `bankca` binary as a server and as the operator's command, a small HTTP
//! client, and CMP messages built with the `cmp` crate. Every child process dies with
//! its guard and every wait is bounded.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use bankca::keys::{RsaCaKey, RsaSignature};
use cmp::build::{self, RequestKind};
use cmp::crmf::CertTemplate;
use cmp::der::asn1::{Any, OctetString};
use cmp::der::{Decode, Encode, Tag};
use cmp::x509_cert::Certificate;
use cmp::x509_cert::attr::AttributeTypeAndValue;
use cmp::x509_cert::builder::Builder;
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use cmp::x509_cert::request::RequestBuilder;
use cmp::{FailureReason, PkiBody, PkiMessage, PkiStatus, Received};

/// The longest any single wait in these tests may take.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub const RSA_BANK: u32 = 6184;
pub const GOST_BANK: u32 = 5282;

/// Waits until `f` gives a value, failing the test with `what` after [`PATIENCE`].
pub fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = f() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(100));
    }
}

/// Fails the test with instructions when OpenSSL is missing.
pub fn require_openssl() {
    let ok = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "the `openssl` command is required by these tests: install OpenSSL 3 (Debian: apt-get install openssl)"
    );
}

/// Runs openssl with `args` in `dir`, failing the test on error.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A CA made once per test binary (key generation is the slow part).
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ca");
        let out = bankca_cmd(&path, &["init"]);
        assert!(out.status.success(), "bankca init: {}", stderr(&out));
        (dir, path)
    });
    path
}

/// A fresh CA directory for one test: the shared keys and agents, its own database.
pub struct CaDir {
    _tmp: tempfile::TempDir,
    pub path: PathBuf,
    pub work: PathBuf,
}

impl CaDir {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("ca");
        std::fs::create_dir_all(&path).expect("ca dir");
        for name in [
            "ca-rsa.key",
            "ca-rsa.pem",
            "ca-gost.key",
            "ca-gost.pem",
            "agents.toml",
        ] {
            std::fs::copy(template().join(name), path.join(name)).expect("copy CA file");
        }
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).expect("work dir");
        Self {
            _tmp: tmp,
            path,
            work,
        }
    }

    pub fn file(&self, name: &str) -> String {
        self.path.join(name).to_string_lossy().into_owned()
    }

    pub fn work_file(&self, name: &str) -> String {
        self.work.join(name).to_string_lossy().into_owned()
    }

    pub fn rsa_ca(&self) -> Certificate {
        pem_cert(&self.path.join("ca-rsa.pem"))
    }

    pub fn gost_ca(&self) -> Certificate {
        pem_cert(&self.path.join("ca-gost.pem"))
    }

    /// Runs `bankca --dir <ca> args...`.
    pub fn bankca(&self, args: &[&str]) -> Output {
        bankca_cmd(&self.path, args)
    }

    /// Runs `bankca` and fails the test unless it succeeds; returns its stdout.
    pub fn bankca_ok(&self, args: &[&str]) -> String {
        let out = self.bankca(args);
        assert!(
            out.status.success(),
            "bankca {args:?} failed: {}",
            stderr(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `bankca list --json`.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        let text = self.bankca_ok(&["list", "--json"]);
        let value: serde_json::Value = serde_json::from_str(&text).expect("list --json is JSON");
        value.as_array().cloned().expect("a JSON array")
    }

    /// The request with `transaction_id`, from `bankca list --json`.
    pub fn request(&self, transaction_id: &[u8]) -> Option<serde_json::Value> {
        let tid = hex::encode(transaction_id);
        self.requests()
            .into_iter()
            .find(|r| r["transaction_id"] == tid.as_str())
    }

    /// The state of the request with `transaction_id`.
    pub fn state(&self, transaction_id: &[u8]) -> Option<String> {
        self.request(transaction_id)
            .and_then(|r| r["state"].as_str().map(String::from))
    }

    /// The number of the request with `transaction_id`.
    pub fn id(&self, transaction_id: &[u8]) -> i64 {
        self.request(transaction_id)
            .and_then(|r| r["id"].as_i64())
            .expect("the request is listed")
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn bankca_cmd(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bankca"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env_remove("BANKCA_DIR")
        .env_remove(bankca::clock::CLOCK_FILE_ENV)
        .stdin(Stdio::null())
        .output()
        .expect("run bankca")
}

pub fn pem_cert(path: &Path) -> Certificate {
    use cmp::der::DecodePem;
    Certificate::from_pem(std::fs::read(path).expect("read certificate")).expect("PEM certificate")
}

/// A child process killed (SIGKILL) and reaped when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `bankca serve` running as a separate process.
pub struct Server {
    child: Guard,
    pub addr: SocketAddr,
    pub url: String,
    pub log: PathBuf,
}

/// Options of a server started by a test.
#[derive(Default)]
pub struct ServerOptions<'a> {
    pub extra: Vec<&'a str>,
    pub clock_file: Option<PathBuf>,
}

impl Server {
    /// Starts `bankca serve` on a free port with `checkAfter` 1 s and waits (bounded)
    /// for the address it prints.
    pub fn start(ca: &CaDir, options: ServerOptions<'_>) -> Self {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = ca.work.join(format!("server-{n}.log"));
        let log_file = std::fs::File::create(&log).expect("server log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_bankca"));
        command
            .arg("--dir")
            .arg(&ca.path)
            .args(["serve", "--listen", "127.0.0.1:0", "--check-after", "1"])
            .args(&options.extra)
            .env_remove("BANKCA_DIR")
            .env_remove(bankca::clock::CLOCK_FILE_ENV)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        if let Some(clock) = &options.clock_file {
            // The CA's clock is moved days away from the clients', whose messages carry
            // the real time: the messageTime window is off, as for a training CA.
            command.env(bankca::clock::CLOCK_FILE_ENV, clock);
            command.args(["--message-time-window", "0"]);
        }
        let mut child = command.spawn().expect("start bankca serve");
        let stdout = child.stdout.take().expect("stdout");
        let child = Guard(child);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut addr = None;
        let mut url = None;
        let deadline = Instant::now() + PATIENCE;
        while addr.is_none() || url.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!(
                    "bankca serve printed no address; its log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
            if let Some(a) = line.strip_prefix("listening: ") {
                addr = Some(a.parse::<SocketAddr>().expect("a socket address"));
            } else if let Some(u) = line.strip_prefix("url: ") {
                url = Some(u.to_string());
            }
        }
        Self {
            child,
            addr: addr.expect("address"),
            url: url.expect("url"),
            log,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the server at once, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
    }

    /// Asks the server to stop (SIGTERM) and waits (bounded) until it has.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.0.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "bankca did not stop on SIGTERM");
            sleep(Duration::from_millis(50));
        }
    }

    pub fn cmp_path(agent: u32) -> String {
        format!("/.well-known/cmp/p/{agent}")
    }

    /// POSTs a CMP message and decodes the answer, which must be HTTP 200 with a
    /// PKIMessage.
    pub fn cmp(&self, agent: u32, message: &PkiMessage) -> Received {
        let answer = http(
            self.addr,
            "POST",
            &Self::cmp_path(agent),
            Some("application/pkixcmp"),
            &message.to_der().expect("encode"),
        );
        answer.pki_message()
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The answer as a client receives it: a DER `PKIMessage`.
    pub fn pki_message(&self) -> Received {
        assert_eq!(self.status, 200, "HTTP status; body: {}", self.text());
        assert_eq!(self.content_type, "application/pkixcmp");
        Received::from_der(&self.body).expect("the answer is a DER PKIMessage")
    }
}

/// One HTTP/1.0 exchange (the server closes the connection after answering), bounded by
/// socket timeouts.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> HttpAnswer {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.set_write_timeout(Some(PATIENCE)).expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send head");
    // The server may answer (413) before reading all of a large body.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {:?}", String::from_utf8_lossy(&answer)));
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line: {head}"));
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    HttpAnswer {
        status,
        content_type,
        body: answer[split + 4..].to_vec(),
    }
}

/// GET of a full URL on this machine.
pub fn get_url(url: &str) -> HttpAnswer {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_once('/').expect("a path");
    let addr: SocketAddr = authority.parse().expect("host:port");
    http(addr, "GET", &format!("/{path}"), None, b"")
}

// ---- CMP messages --------------------------------------------------------------------

pub mod oids {
    use cmp::der::asn1::ObjectIdentifier as Oid;
    pub const CN: Oid = Oid::new_unwrap("2.5.4.3");
    pub const O: Oid = Oid::new_unwrap("2.5.4.10");
    pub const INNLE: Oid = Oid::new_unwrap("1.2.643.100.4");
    pub const OGRN: Oid = Oid::new_unwrap("1.2.643.100.1");
    pub const EMAIL: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
}

/// A subject as the wizard writes it, with the INN of a real organisation.
pub fn subject(cn: &str, email: &str) -> Name {
    subject_with_inn(cn, email, "7707083893")
}

pub fn subject_with_inn(cn: &str, email: &str, inn: &str) -> Name {
    name_of(cn, Some(email), inn)
}

/// A subject without an e-mail address (it then comes from subjectAltName).
pub fn subject_without_email(cn: &str) -> Name {
    name_of(cn, None, "7707083893")
}

fn name_of(cn: &str, email: Option<&str>, inn: &str) -> Name {
    let mut attrs = vec![
        (oids::O, Tag::Utf8String, "ООО «Ромашка»"),
        (oids::CN, Tag::Utf8String, cn),
        (oids::INNLE, Tag::NumericString, inn),
        (oids::OGRN, Tag::NumericString, "1027700132195"),
    ];
    if let Some(email) = email {
        attrs.push((oids::EMAIL, Tag::Ia5String, email));
    }
    let mut rdns = RdnSequence::default();
    for (oid, tag, value) in attrs {
        let atv = AttributeTypeAndValue {
            oid,
            value: Any::new(tag, value.as_bytes()).expect("attribute"),
        };
        rdns.push(RelativeDistinguishedName::try_from(vec![atv]).expect("rdn"));
    }
    Name::from_der(&rdns.to_der().expect("encode name")).expect("name")
}

pub fn bank_name() -> GeneralName {
    GeneralName::DirectoryName(Name::from_str("CN=Bank").expect("name"))
}

/// A fresh RSA-2048 key (the adapter the CA itself uses signs requests just as well).
pub fn rsa_key() -> RsaCaKey {
    RsaCaKey::generate(2048).expect("RSA key")
}

/// A `p10cr` with a CSR for `subject` signed by `key`, unprotected.
pub fn p10cr(key: &RsaCaKey, subject: Name) -> PkiMessage {
    let csr = RequestBuilder::new(subject)
        .expect("request builder")
        .build::<_, RsaSignature>(key)
        .expect("CSR");
    let header = build::new_header(build::null_dn(), bank_name()).expect("header");
    build::p10cr(header, csr)
}

/// An `ir` with a GOST key and a signature POP, unprotected.
pub fn gost_ir(key: &gost3410::SigningKey, subject: Name) -> PkiMessage {
    let template = CertTemplate {
        subject: Some(subject),
        ..Default::default()
    };
    let msg = build::signed_cert_req_msg::<_, gost3410::Signature>(0, template, None, key)
        .expect("CertReqMsg");
    let header = build::new_header(build::null_dn(), bank_name()).expect("header");
    build::cert_request(header, RequestKind::Ir, vec![msg])
}

/// The header of a follow-up in transaction `tid`: a fresh nonce and, if given, the
/// CA's latest nonce as `recipNonce`.
pub fn follow_up_header(tid: &[u8], recip_nonce: Option<&OctetString>) -> cmp::PkiHeader {
    let mut header = build::new_header(build::null_dn(), bank_name()).expect("header");
    header.transaction_id = Some(OctetString::new(tid).expect("tid"));
    header.recip_nonce = recip_nonce.cloned();
    header
}

/// A `pollReq` as a pickup from the link sends it: no `recipNonce`, `certReqId` 0.
pub fn link_poll(tid: &[u8]) -> PkiMessage {
    build::poll_req(follow_up_header(tid, None), 0)
}

/// A `certConf` accepting `cert`.
pub fn cert_conf(
    tid: &[u8],
    recip_nonce: Option<&OctetString>,
    cert: &Certificate,
    cert_req_id: i64,
) -> PkiMessage {
    build::cert_conf(follow_up_header(tid, recip_nonce), cert, cert_req_id).expect("certConf")
}

/// The key that made a request, which signs its acceptance.
#[derive(Clone, Copy)]
pub enum Requester<'a> {
    Rsa(&'a RsaCaKey),
    Gost(&'a gost3410::SigningKey),
}

/// `message` signed by `key` with `cert` first in extraCerts, as smartkey signs its act
/// (the new certificate) or its renewal (the old one).
pub fn signed(mut message: PkiMessage, key: Requester<'_>, cert: &Certificate) -> PkiMessage {
    message.header.sender = GeneralName::DirectoryName(cert.tbs_certificate().subject().clone());
    let certs = vec![cert.clone()];
    match key {
        Requester::Rsa(key) => {
            cmp::protection::protect_with_signature::<_, RsaSignature>(&mut message, key, certs)
        }
        Requester::Gost(key) => cmp::protection::protect_with_signature::<_, gost3410::Signature>(
            &mut message,
            key,
            certs,
        ),
    }
    .expect("sign");
    message
}

/// A `certConf` accepting `cert`, signed by the requester's key under `cert` itself.
pub fn accepted(
    tid: &[u8],
    recip_nonce: Option<&OctetString>,
    cert: &Certificate,
    cert_req_id: i64,
    key: Requester<'_>,
) -> PkiMessage {
    signed(cert_conf(tid, recip_nonce, cert, cert_req_id), key, cert)
}

pub fn tid(message: &PkiMessage) -> Vec<u8> {
    message
        .header
        .transaction_id
        .as_ref()
        .expect("transactionID")
        .as_bytes()
        .to_vec()
}

/// The CA's answer must be signed by the RSA CA and answer `request`.
pub fn check_answer(ca: &CaDir, request: &PkiMessage, answer: &Received) {
    cmp::protection::verify_signature_protection(answer, &ca.rsa_ca())
        .expect("the answer is signed by the RSA CA");
    assert_eq!(
        answer.extra_certs.as_ref().and_then(|c| c.first()),
        Some(&ca.rsa_ca()),
        "the CA certificate comes first in extraCerts"
    );
    cmp::checks::check_transaction_id(request, answer).expect("same transaction");
    cmp::checks::check_recip_nonce(request, answer).expect("recipNonce = our senderNonce");
}

/// The failure reasons, error code and details of an `error` answer.
pub fn refusal(answer: &PkiMessage) -> (Vec<FailureReason>, Option<i64>, String) {
    let PkiBody::Error(content) = &answer.body else {
        panic!("an error message was expected, not {}", answer.kind());
    };
    assert_eq!(content.pki_status_info.status(), PkiStatus::Rejection);
    (
        content.pki_status_info.failures(),
        content.error_code,
        content.error_details.clone().unwrap_or_default().join(" "),
    )
}

/// The certificate of a granted `ip`/`cp`/`kup`.
pub fn granted(answer: &PkiMessage) -> (Certificate, i64) {
    let rep = answer
        .body
        .cert_rep()
        .unwrap_or_else(|| panic!("a certificate response was expected, not {answer:?}"));
    let response = &rep.response[0];
    assert_eq!(
        response.status.status(),
        PkiStatus::Accepted,
        "{}",
        response.status
    );
    (
        response.certificate().expect("a certificate").clone(),
        response.cert_req_id,
    )
}

/// Verifies a certificate's signature with the issuing CA's key.
pub fn verify_issued(cert: &Certificate, issuer: &Certificate) {
    use cmp::protection::ProtectionVerifier;
    let tbs = cert.tbs_certificate().to_der().expect("tbs");
    cmp::protection::StandardVerifier
        .verify(
            cert.signature_algorithm(),
            issuer.tbs_certificate().subject_public_key_info(),
            &tbs,
            cert.signature().as_bytes().expect("signature bytes"),
        )
        .expect("the certificate is signed by its CA");
    assert_eq!(
        cert.tbs_certificate().issuer(),
        issuer.tbs_certificate().subject()
    );
}

/// Opens the CA database read-only and checks it is sound.
pub fn integrity_check(ca: &CaDir) {
    let conn = rusqlite::Connection::open_with_flags(
        ca.path.join("bankca.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the database");
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check");
    assert_eq!(result, "ok");
}

/// The messages in the Maildir `new/`, parsed.
pub fn maildir_messages(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("new"))
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// The lines of a pickup e-mail's body, decoded.
pub fn mail_body(raw: &[u8]) -> (mailparse::ParsedMail<'_>, String) {
    let parsed = mailparse::parse_mail(raw).expect("a parseable e-mail");
    let body = parsed.get_body().expect("a body");
    (parsed, body)
}

/// The pickup link: the body line that is only a URL.
pub fn link_in(body: &str) -> String {
    body.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http://") || l.starts_with("https://"))
        .expect("a line holding only the link")
        .to_string()
}
