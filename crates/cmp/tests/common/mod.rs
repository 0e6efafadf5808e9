//! Shared test fixtures: keys and certificates made by OpenSSL, the `openssl cmp` mock
//! server and client, and a raw HTTP POST. Every child process dies with its guard and
//! every wait is bounded.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

use cmp::der::Decode;
use cmp::x509_cert::Certificate;

pub const REF: &str = "1234";
pub const SECRET: &str = "test";
pub const CA_SUBJECT: &str = "/CN=Test Bank CA";

/// Fails the test with instructions when OpenSSL is missing: these tests must never be
/// skipped silently.
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

/// Runs openssl with arguments in `dir`, failing the test on error.
pub fn openssl(dir: &Path, args: &[&str]) {
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
}

/// Keys and certificates shared by all tests of one test binary.
pub struct Fixtures {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Fixtures {
    pub fn file(&self, name: &str) -> String {
        self.path.join(name).to_string_lossy().into_owned()
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path.join(name)).expect("read fixture")
    }

    pub fn cert(&self, name: &str) -> Certificate {
        Certificate::from_der(&self.read(name)).expect("decode certificate")
    }
}

/// CA (RSA), an RSA end entity `ee` and a P-256 end entity `ec`, both issued by the CA;
/// `.pem` for OpenSSL, `.der` for the tests.
pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        require_openssl();
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        openssl(
            p,
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                "ca.pem", "-subj", CA_SUBJECT, "-days", "2",
            ],
        );
        openssl(
            p,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "ee.key",
            ],
        );
        openssl(
            p,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "ec.key",
            ],
        );
        openssl(
            p,
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                "ec.key",
                "-outform",
                "DER",
                "-out",
                "ec.key.der",
            ],
        );
        for name in ["ee", "ec"] {
            let key = format!("{name}.key");
            let csr = format!("{name}.csr");
            let pem = format!("{name}.pem");
            openssl(
                p,
                &[
                    "req",
                    "-new",
                    "-key",
                    &key,
                    "-subj",
                    &format!("/CN={name}"),
                    "-out",
                    &csr,
                ],
            );
            openssl(
                p,
                &[
                    "req",
                    "-in",
                    &csr,
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{csr}.der"),
                ],
            );
            openssl(
                p,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-out",
                    &pem,
                ],
            );
            openssl(
                p,
                &[
                    "x509",
                    "-in",
                    &pem,
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{name}.der"),
                ],
            );
        }
        openssl(
            p,
            &["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"],
        );
        let path = p.to_path_buf();
        Fixtures { _dir: dir, path }
    })
}

/// A child process killed and reaped when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free local port: bind to port 0, read the port, release it.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Waits (bounded) until something accepts connections on the local `port`.
pub fn wait_for_port(port: u16) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        sleep(Duration::from_millis(50));
    }
}

/// The `openssl cmp` mock server, listening on `port`.
pub struct MockServer {
    pub port: u16,
    _child: Guard,
}

impl MockServer {
    /// Starts a mock server with `extra` options on top of the issued certificate and CA
    /// certificates; waits (bounded) until it accepts connections.
    pub fn start(extra: &[&str]) -> Self {
        let f = fixtures();
        let port = free_port();
        let port_s = port.to_string();
        let mut args = vec![
            "cmp".to_string(),
            "-port".into(),
            port_s,
            "-rsp_cert".into(),
            f.file("ee.pem"),
            "-rsp_capubs".into(),
            f.file("ca.pem"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = Command::new("openssl")
            .args(&args)
            .current_dir(&f.path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start openssl cmp mock server");
        let mut guard = Guard(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = guard.0.try_wait() {
                panic!("the openssl mock server exited early: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the openssl mock server did not start"
            );
            sleep(Duration::from_millis(50));
        }
        Self {
            port,
            _child: guard,
        }
    }

    /// A PBM-protected server using reference [`REF`] and secret [`SECRET`].
    pub fn with_pbm(extra: &[&str]) -> Self {
        let mut args = vec!["-srv_ref", REF, "-srv_secret", "pass:test"];
        args.extend_from_slice(extra);
        Self::start(&args)
    }

    /// A server that signs with the CA key and trusts client certificates from the CA.
    pub fn with_signature(extra: &[&str]) -> Self {
        let f = fixtures();
        let (cert, key) = (f.file("ca.pem"), f.file("ca.key"));
        let mut args: Vec<&str> = vec!["-srv_cert", &cert, "-srv_key", &key, "-srv_trusted", &cert];
        args.extend_from_slice(extra);
        Self::start(&args)
    }
}

/// What an `openssl cmp` client run left behind.
pub struct ClientRun {
    pub requests: Vec<Vec<u8>>,
    pub responses: Vec<Vec<u8>>,
    pub stderr: String,
    pub success: bool,
    _dir: tempfile::TempDir,
}

/// Runs the `openssl cmp` client against `server` with `args`, capturing every request
/// and response; killed after 30 seconds.
pub fn run_client(server: &MockServer, args: &[&str]) -> ClientRun {
    let f = fixtures();
    let dir = tempfile::tempdir().expect("tempdir");
    let names = |prefix: &str| {
        (0..8)
            .map(|i| {
                dir.path()
                    .join(format!("{prefix}{i}.der"))
                    .to_string_lossy()
                    .into_owned()
            })
            .collect::<Vec<_>>()
    };
    let (req_names, rsp_names) = (names("req"), names("rsp"));
    let server_addr = format!("127.0.0.1:{}", server.port);
    let certout = dir.path().join("out.pem").to_string_lossy().into_owned();
    let mut all = vec![
        "cmp",
        "-server",
        &server_addr,
        "-path",
        "pkix/",
        "-recipient",
        CA_SUBJECT,
        "-msg_timeout",
        "10",
        "-total_timeout",
        "25",
        "-certout",
        &certout,
    ];
    let reqout = req_names.join(",");
    let rspout = rsp_names.join(",");
    all.extend_from_slice(&["-reqout", &reqout, "-rspout", &rspout]);
    all.extend_from_slice(args);
    // OpenSSL writes its diagnostics to both streams; a file cannot fill up like a pipe.
    let log_path = dir.path().join("client.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = Command::new("openssl")
        .args(&all)
        .current_dir(&f.path)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .expect("start openssl cmp client");
    let mut guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = guard.0.try_wait().expect("wait for client") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the openssl cmp client timed out"
        );
        sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&log_path).unwrap_or_default();
    let read_all = |names: &[String]| {
        names
            .iter()
            .map_while(|n| std::fs::read(n).ok())
            .collect::<Vec<_>>()
    };
    ClientRun {
        requests: read_all(&req_names),
        responses: read_all(&rsp_names),
        stderr,
        success: status.success(),
        _dir: dir,
    }
}

/// POSTs a DER message to the mock server the way RFC 6712 says and returns the body of
/// the answer. Bounded by socket timeouts.
pub fn post(server: &MockServer, der: &[u8]) -> Vec<u8> {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let head = format!(
        "POST /pkix/ HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\n\r\n",
        server.port,
        der.len()
    );
    stream.write_all(head.as_bytes()).expect("send head");
    stream.write_all(der).expect("send body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP header end");
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    assert!(
        head.starts_with("HTTP/1.") && head.contains(" 200"),
        "HTTP answer: {head}"
    );
    assert!(
        head.to_ascii_lowercase().contains("application/pkixcmp"),
        "content type: {head}"
    );
    answer[split + 4..].to_vec()
}

/// The messages of one OpenSSL exchange, MAC-protected with [`REF`] and [`SECRET`]:
/// p10cr, cp (with a certificate), certConf, pkiConf.
pub fn openssl_p10cr_exchange() -> Vec<Vec<u8>> {
    let f = fixtures();
    let server = MockServer::with_pbm(&[]);
    let run = run_client(
        &server,
        &[
            "-cmd",
            "p10cr",
            "-csr",
            &f.file("ee.csr"),
            "-ref",
            REF,
            "-secret",
            "pass:test",
        ],
    );
    assert!(run.success, "openssl cmp client failed: {}", run.stderr);
    run.requests.into_iter().chain(run.responses).collect()
}

/// The DER of the two values of the name `CN=AAAA+O=BBBB`, which encode to the same
/// length: swapping them in a message leaves every length as it is.
pub const TWO_VALUED_RDN: [&str; 2] = ["300b06035504030c0441414141", "300b060355040a0c0442424242"];

/// `der` with the two values of [`TWO_VALUED_RDN`] in the order DER forbids: the same
/// value to a lenient decoder, other bytes.
pub fn with_unsorted_set(der: &[u8]) -> Vec<u8> {
    let [a, b] = TWO_VALUED_RDN.map(|h| hex::decode(h).expect("hex"));
    let find = |needle: &[u8]| {
        der.windows(needle.len())
            .position(|w| w == needle)
            .expect("present")
    };
    let (i, j) = (find(&a), find(&b));
    assert!(i < j, "DER sorts them");
    let mut out = der.to_vec();
    out[i..i + a.len()].copy_from_slice(&b);
    out[j..j + b.len()].copy_from_slice(&a);
    out
}
