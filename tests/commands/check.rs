//! `smartkey check` end to end: on SoftHSM2 and on the virtual Rutoken, with a missing
//! library, with two tokens, and against a local CA over verified TLS (openssl s_server
//! with a throw-away CA). Machines differ (a CI runner may well be a virtual machine),
//! so tests assert on the lines they are about, and skip the VM check where they need an
//! exact exit code.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::Value;

/// A check command with a UTF-8 locale (so that the terminal check has no reason to warn).
fn check(mut cmd: Command) -> Command {
    cmd.arg("check")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE");
    cmd
}

/// The verdict word of each line `VERDICT  Title: ...`, by title.
fn text_verdicts(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|l| {
            let (verdict, rest) = l.split_once(' ')?;
            if !["OK", "WARN", "FAIL", "SKIP"].contains(&verdict) {
                return None;
            }
            let title = rest.trim_start().split_once(':')?.0.to_string();
            Some((title, verdict.to_lowercase()))
        })
        .collect()
}

fn line_starting<'a>(stdout: &'a str, start: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{stdout}"))
}

fn finding<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks is an array")
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} finding in {report:#}"))
}

const TITLES: [(&str, &str); 9] = [
    ("config", "Config file"),
    ("library", "PKCS#11 library"),
    ("service", "Smart card service"),
    ("tokens", "Tokens"),
    ("os", "Operating system"),
    ("vm", "Virtual machine"),
    ("terminal", "Terminal"),
    ("integrity", "Integrity"),
    ("ca", "Bank's CA"),
];

/// Runs the same check as text and as JSON and asserts they agree, verdict by verdict
/// and on the exit code; returns (text run, JSON report).
fn text_and_json(make: impl Fn() -> Command) -> (Run, Value) {
    let text = run(&mut make());
    let json = run(make().arg("--json"));
    assert_no_pins(&text);
    let report: Value = serde_json::from_str(&json.stdout)
        .unwrap_or_else(|e| panic!("check --json is not JSON ({e}):\n{}", json.stdout));
    assert_eq!(text.code, json.code, "{}\n{}", text.stdout, json.stdout);
    assert_eq!(report["exit_code"], text.code);
    let verdicts = text_verdicts(&text.stdout);
    assert_eq!(verdicts.len(), 9, "{}", text.stdout);
    for (id, title) in TITLES {
        let in_text = verdicts
            .iter()
            .find(|(t, _)| t == title)
            .unwrap_or_else(|| panic!("{title} missing:\n{}", text.stdout));
        assert_eq!(finding(&report, id)["verdict"], in_text.1.as_str(), "{id}");
    }
    // The exit code is the documented function of the verdicts.
    let has = |v: &str| verdicts.iter().any(|(_, x)| x == v);
    let expected = if has("fail") {
        2
    } else if has("warn") {
        1
    } else {
        0
    };
    assert_eq!(text.code, expected, "{}", text.stdout);
    (text, report)
}

#[test]
fn check_on_softhsm_is_ok_for_library_and_token_and_exits_0() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("check-test");
    let (text, report) = text_and_json(|| {
        let mut cmd = check(hsm.smartkey());
        cmd.args(["--skip", "vm"]);
        cmd
    });
    assert_eq!(text.code, 0, "{}", text.stdout);
    assert!(
        line_starting(&text.stdout, "OK    PKCS#11 library:").contains("SoftHSM"),
        "{}",
        text.stdout
    );
    let tokens = line_starting(&text.stdout, "OK    Tokens:");
    assert!(
        tokens.contains(&serial) && tokens.contains("check-test"),
        "{tokens}"
    );
    assert!(
        line_starting(&text.stdout, "OK    Smart card service:").contains("not needed by SoftHSM2"),
        "{}",
        text.stdout
    );
    line_starting(&text.stdout, "SKIP  Virtual machine: skipped");
    // The SHA-256 of the library loaded, for comparison with the bank's list.
    let integrity = finding(&report, "integrity");
    assert_eq!(integrity["verdict"], "ok");
    assert_eq!(
        integrity["facts"]["library"],
        softhsm_module().display().to_string()
    );
    assert_eq!(
        integrity["facts"]["library_sha256"].as_str().map(str::len),
        Some(64)
    );
    let library = finding(&report, "library");
    assert_eq!(library["facts"]["kind"], "soft-hsm");
    assert_eq!(library["facts"]["origin"], "from SMARTKEY_MODULE");
    let listed = finding(&report, "tokens")["facts"]["tokens"]
        .as_array()
        .expect("tokens")
        .clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["serial"], serial.as_str());
    assert_eq!(report["verdict"], "ok");
}

#[test]
fn check_on_the_virtual_rutoken_reports_the_model_and_pin_state() {
    let emu = RutokenEmu::new();
    emu.add_token("0C0FFEE0", "Рутокен для банка");
    // No check skipped: whatever this machine is, the verdicts and the exit code agree.
    let (text, report) = text_and_json(|| check(emu.smartkey()));
    let library = line_starting(&text.stdout, "OK    PKCS#11 library:");
    assert!(library.contains("Virtual Rutoken ECP 2.0"), "{library}");
    let tokens = line_starting(&text.stdout, "OK    Tokens:");
    assert!(
        tokens.contains("Rutoken ECP 2.0 serial 0C0FFEE0 \"Рутокен для банка\""),
        "{tokens}"
    );
    assert!(
        text.stdout
            .contains("PIN: factory default, must be changed, 10 tries left"),
        "{}",
        text.stdout
    );
    line_starting(&text.stdout, "OK    Smart card service:");
    line_starting(&text.stdout, "OK    Integrity: smartkey ");
    line_starting(&text.stdout, "SKIP  Bank's CA: not checked: no bank chosen");
    let t = &finding(&report, "tokens")["facts"]["tokens"][0];
    assert_eq!(t["model_name"], "Rutoken ECP 2.0");
    assert_eq!(t["user_pin"]["is_default"], true);
    assert_eq!(finding(&report, "library")["facts"]["kind"], "rutoken-emu");
    assert_eq!(finding(&report, "service")["facts"]["needed"], false);
}

#[test]
fn two_tokens_warn_with_the_banks_instruction_n2_2() {
    let emu = RutokenEmu::new();
    emu.add_token("11111111", "one");
    emu.cli(&["init", "--serial", "22222222", "--label", "two"]);
    emu.cli(&["insert", "22222222", "--reader", "1"]);
    let (text, report) = text_and_json(|| {
        let mut cmd = check(emu.smartkey());
        cmd.args(["--skip", "vm"]);
        cmd
    });
    assert_eq!(text.code, 1, "{}", text.stdout);
    line_starting(&text.stdout, "WARN  Tokens: 2 tokens are inserted");
    assert!(
        text.stdout
            .contains("N2.2: \"Remove all other smart keys and tokens.\""),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("11111111") && text.stdout.contains("22222222"),
        "{}",
        text.stdout
    );
    let tokens = finding(&report, "tokens");
    assert_eq!(tokens["verdict"], "warn");
    assert!(tokens["advice"].as_str().unwrap().contains("N2.2"));
    assert_eq!(tokens["facts"]["tokens"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_missing_library_fails_naming_what_was_tried_and_how_to_choose() {
    let hsm = SoftHsm::new();
    let (text, report) = text_and_json(|| {
        let mut cmd = check(hsm.smartkey());
        cmd.args(["--module", "/nonexistent/libpkcs11.so"]);
        cmd
    });
    assert_eq!(text.code, 2, "{}", text.stdout);
    let line = line_starting(&text.stdout, "FAIL  PKCS#11 library:");
    assert!(line.contains("/nonexistent/libpkcs11.so"), "{line}");
    assert!(text.stdout.contains("--module PATH"), "{}", text.stdout);
    assert!(text.stdout.contains("from --module"), "{}", text.stdout);
    line_starting(&text.stdout, "SKIP  Tokens: not checked");
    assert_eq!(finding(&report, "library")["facts"]["loaded"], false);

    // With no library named anywhere, the usual Rutoken places are searched and listed.
    let without_module = || {
        let mut cmd = hsm.smartkey();
        cmd.env_remove("SMARTKEY_MODULE");
        check(cmd)
    };
    let r = run(without_module().arg("--json"));
    let report: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let library = finding(&report, "library");
    if library["verdict"] == "fail" {
        assert_eq!(r.code, 2);
        let tried = library["facts"]["tried"].as_array().expect("tried");
        assert!(
            tried
                .iter()
                .any(|p| p.as_str().unwrap().ends_with("librtpkcs11ecp.so")),
            "{library:#}"
        );
        let advice = library["advice"].as_str().unwrap();
        assert!(
            advice.contains("--module PATH") && advice.contains("SMARTKEY_MODULE"),
            "{advice}"
        );
        let text = run(&mut without_module());
        assert!(
            text.stdout
                .contains("tried /opt/aktivco/rutokenecp/amd64/librtpkcs11ecp.so"),
            "{}",
            text.stdout
        );
        // A Rutoken library is assumed, and it needs pcscd: the service line says so.
        assert!(
            finding(&report, "service")["facts"]["needed"] == true,
            "{report:#}"
        );
    } else {
        // A machine with the real Rutoken library installed finds it.
        assert_eq!(library["verdict"], "ok", "{library:#}");
    }
}

#[test]
fn skip_and_help_document_the_checks_own_exit_codes() {
    let r = run(Command::new(env!("CARGO_BIN_EXE_smartkey")).args(["check", "--help"]));
    assert_eq!(r.code, 0);
    for line in [
        "0  every check is OK",
        "1  at least one warning",
        "2  at least one failure",
    ] {
        assert!(r.stdout.contains(line), "{line}:\n{}", r.stdout);
    }
    let r = run(Command::new(env!("CARGO_BIN_EXE_smartkey")).arg("--help"));
    assert!(
        r.stdout
            .contains("`smartkey check` has codes of its own: 0 all OK, 1 warnings, 2 failures"),
        "{}",
        r.stdout
    );
}

// --- The bank's CA over TLS --------------------------------------------------------

/// A throw-away CA, a server certificate for 127.0.0.1 issued by it, and an unrelated CA.
struct TlsFiles {
    ca: PathBuf,
    other_ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn tls_files(dir: &Path) -> TlsFiles {
    let openssl = |args: &[&str]| {
        run_ok(Command::new("openssl").current_dir(dir).args(args));
    };
    for (name, cn) in [("ca", "Test Bank CA"), ("other", "Someone Else CA")] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={cn}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ]);
    }
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext file");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "7",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    TlsFiles {
        ca: dir.join("ca.pem"),
        other_ca: dir.join("other.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `openssl s_server -www` on loopback, killed when dropped.
struct TlsServer {
    child: Child,
    port: u16,
}

impl TlsServer {
    fn start(files: &TlsFiles) -> TlsServer {
        let port = free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-www", "-quiet", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&files.cert)
            .arg("-key")
            .arg(&files.key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server starts (apt-get install openssl)");
        let server = TlsServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "openssl s_server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP server on loopback answering `count` requests with 404.
fn plain_http_server(count: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    port
}

fn ca_check(dir: &Path, banks: &Path, agent_id: &str) -> (Run, Value) {
    let mut cmd = check(smartkey_in(dir));
    cmd.arg("--banks").arg(banks).args(["--bank", agent_id]);
    for skip in [
        "config",
        "library",
        "service",
        "tokens",
        "os",
        "vm",
        "terminal",
        "integrity",
    ] {
        cmd.args(["--skip", skip]);
    }
    cmd.args(["--timeout", "5"]);
    let text = run(&mut cmd);
    let json = run(cmd.arg("--json"));
    let report: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(text.code, json.code);
    (text, finding(&report, "ca").clone())
}

#[test]
fn the_banks_ca_is_reached_over_verified_tls_and_refused_when_it_cannot_prove_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = tls_files(dir.path());
    let server = TlsServer::start(&files);
    let plain = plain_http_server(2);
    let closed = free_port();
    let banks = dir.path().join("banks.toml");
    std::fs::write(
        &banks,
        format!(
            r#"[[bank]]
agent_id = 9001
name = "Test bank"
ca_url = "https://127.0.0.1:{port}"
trust_anchor = "{ca}"
support_phone = "8-800-000-00-00"
key_types = ["rsa2048"]

[[bank]]
agent_id = 9002
name = "Wrong anchor bank"
ca_url = "https://127.0.0.1:{port}"
trust_anchor = "{other}"
key_types = ["rsa2048"]

[[bank]]
agent_id = 9003
name = "Plain bank"
ca_url = "http://127.0.0.1:{plain}"
key_types = ["gost2012-256"]

[[bank]]
agent_id = 9004
name = "Silent bank"
ca_url = "https://127.0.0.1:{closed}"
support_email = "help@silent.example"
key_types = ["rsa2048"]
"#,
            port = server.port,
            ca = files.ca.display(),
            other = files.other_ca.display(),
        ),
    )
    .expect("banks file");

    let (r, ca) = ca_check(dir.path(), &banks, "9001");
    assert_eq!(r.code, 0, "{}", r.stdout);
    let line = line_starting(&r.stdout, "OK    Bank's CA:");
    assert!(line.contains("TLS verified"), "{line}");
    assert_eq!(ca["facts"]["trust"], "the bank profile's trust anchor");
    assert_eq!(ca["facts"]["http_status"], 200);

    let (r, ca) = ca_check(dir.path(), &banks, "9002");
    assert_eq!(r.code, 2, "{}", r.stdout);
    let line = line_starting(&r.stdout, "FAIL  Bank's CA:");
    assert!(line.contains("did not prove its identity"), "{line}");
    assert!(
        ca["advice"]
            .as_str()
            .unwrap()
            .contains("do not send anything"),
        "{ca:#}"
    );

    let (r, ca) = ca_check(dir.path(), &banks, "9003");
    assert_eq!(r.code, 1, "{}", r.stdout);
    let line = line_starting(&r.stdout, "WARN  Bank's CA:");
    assert!(line.contains("not encrypted"), "{line}");
    assert_eq!(ca["facts"]["http_status"], 404);

    let (r, ca) = ca_check(dir.path(), &banks, "9004");
    assert_eq!(r.code, 2, "{}", r.stdout);
    line_starting(&r.stdout, "FAIL  Bank's CA:");
    let advice = ca["advice"].as_str().unwrap();
    assert!(
        advice.contains("check the internet connection") && advice.contains("help@silent.example"),
        "{advice}"
    );

    // An unknown bank is a failure of the CA check that names the banks there are.
    let (r, ca) = ca_check(dir.path(), &banks, "1");
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        ca["summary"].as_str().unwrap().contains("9001 Test bank"),
        "{ca:#}"
    );
}
