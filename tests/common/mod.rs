//! Test fixtures: throw-away SoftHSM2 token directories, the smartkey binary, and
//! OpenSSL as the independent oracle.
//!
//! Every fixture fails loudly when a tool is missing (the README's test command installs
//! them); a missing tool never turns a test into a silent pass.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// PINs used by the tests; every test that prints also checks these never appear.
pub const FACTORY_PIN: &str = "12345678";
pub const FACTORY_ADMIN_PIN: &str = "87654321";
pub const NEW_PIN: &str = "Qw7-user-pin";
pub const NEW_ADMIN_PIN: &str = "Zx9-admin-pin";

/// Where Debian and other distributions put the SoftHSM2 module.
pub fn softhsm_module() -> PathBuf {
    let candidates = [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
        "/usr/lib64/softhsm/libsofthsm2.so",
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("SoftHSM2 is not installed (looked in {candidates:?}): apt-get install softhsm2")
        })
}

/// Runs a tool, panicking with its output when it fails.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?}: {e} (is it installed? the README's test command installs it)")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A SoftHSM2 token directory of its own, with its own configuration file.
pub struct SoftHsm {
    pub dir: TempDir,
    pub conf: PathBuf,
}

impl SoftHsm {
    pub fn new() -> SoftHsm {
        let dir = tempfile::tempdir().expect("temp dir");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).expect("token dir");
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )
        .expect("conf");
        SoftHsm { dir, conf }
    }

    /// Initialises a fresh token with the factory PINs (12345678 / 87654321) and
    /// returns its serial number.
    pub fn add_token(&self, label: &str) -> String {
        run_ok(
            Command::new("softhsm2-util")
                .env("SOFTHSM2_CONF", &self.conf)
                .args(["--init-token", "--free", "--label", label])
                .args(["--pin", FACTORY_PIN, "--so-pin", FACTORY_ADMIN_PIN]),
        );
        let out = run_ok(
            Command::new("softhsm2-util")
                .env("SOFTHSM2_CONF", &self.conf)
                .arg("--show-slots"),
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        // Blocks of "Slot N ... Label: L ... Serial number: S"; take the serial of `label`.
        let mut serial = None;
        let mut current_serial = None;
        for line in text.lines() {
            let line = line.trim();
            if let Some(s) = line.strip_prefix("Serial number:") {
                current_serial = Some(s.trim().to_string());
            }
            if let Some(l) = line.strip_prefix("Label:")
                && l.trim() == label
            {
                serial = current_serial.clone();
            }
        }
        serial.unwrap_or_else(|| panic!("no serial for token {label} in:\n{text}"))
    }

    pub fn module(&self) -> PathBuf {
        softhsm_module()
    }

    /// The smartkey binary, pointed at this token directory.
    pub fn smartkey(&self) -> Command {
        let mut cmd = smartkey_in(self.dir.path());
        cmd.env("SOFTHSM2_CONF", &self.conf)
            .env("SMARTKEY_MODULE", softhsm_module());
        cmd
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The smartkey binary with its state and config directories under `dir` (so that no
/// test reads or writes the real home), none of smartkey's settings inherited from the
/// environment, and no standard input.
pub fn smartkey_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smartkey"));
    cmd.env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("SMARTKEY_MODULE")
        .env_remove("SMARTKEY_BANK")
        .env_remove("SMARTKEY_BANKS")
        .env_remove("SMARTKEY_LANG")
        .env_remove("SMARTKEY_PIN")
        .env_remove("SMARTKEY_NOW")
        .stdin(std::process::Stdio::null());
    // The CA tests talk to servers on loopback: no proxy may stand in between.
    for proxy in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
        cmd.env_remove(proxy).env_remove(proxy.to_lowercase());
    }
    cmd
}

/// The text output of a finished command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the smartkey binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts that no test PIN appears in what a command printed.
pub fn assert_no_pins(r: &Run) {
    for pin in [FACTORY_PIN, FACTORY_ADMIN_PIN, NEW_PIN, NEW_ADMIN_PIN] {
        assert!(!r.stdout.contains(pin), "a PIN in stdout: {}", r.stdout);
        assert!(!r.stderr.contains(pin), "a PIN in stderr: {}", r.stderr);
    }
}

/// An applicant file with a Cyrillic subject and a company INN.
pub fn write_applicant(path: &Path) {
    std::fs::write(
        path,
        r#"{
  "surname": "Иванов", "given_name": "Иван", "patronymic": "Иванович",
  "legal_entity": true, "organization": "ООО \"Ромашка\"",
  "inn": "7707083893", "ogrn": "1027700132195",
  "document": "Устав", "country": "RU", "region": "Москва", "city": "Москва",
  "address": "ул. Вавилова, д. 19", "phone": "+7 (495) 500-55-50",
  "email": "ivanov@example.ru", "title": "Генеральный директор"
}"#,
    )
    .expect("applicant file");
}

/// A throw-away CA made with openssl, for issuing test certificates.
pub struct OpensslCa {
    pub key: PathBuf,
    pub cert: PathBuf,
}

impl OpensslCa {
    pub fn new(dir: &Path) -> OpensslCa {
        let ca = OpensslCa {
            key: dir.join("ca.key"),
            cert: dir.join("ca.pem"),
        };
        run_ok(
            Command::new("openssl")
                .args([
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-subj",
                    "/CN=smartkey test CA",
                    "-days",
                    "30",
                ])
                .arg("-keyout")
                .arg(&ca.key)
                .arg("-out")
                .arg(&ca.cert),
        );
        ca
    }

    /// Issues a certificate for the request `csr` (PEM or DER).
    pub fn issue(&self, csr: &Path, out: &Path) {
        let inform = if std::fs::read(csr)
            .map(|b| b.starts_with(b"-----"))
            .unwrap_or(false)
        {
            "PEM"
        } else {
            "DER"
        };
        run_ok(
            Command::new("openssl")
                .args([
                    "x509",
                    "-req",
                    "-days",
                    "10",
                    "-set_serial",
                    "4242",
                    "-inform",
                    inform,
                    "-in",
                ])
                .arg(csr)
                .arg("-CA")
                .arg(&self.cert)
                .arg("-CAkey")
                .arg(&self.key)
                .arg("-out")
                .arg(out),
        );
    }

    /// A certificate for a key that lives nowhere but in a file.
    pub fn issue_for_other_key(&self, dir: &Path) -> PathBuf {
        let key = dir.join("other.key");
        let csr = dir.join("other.csr");
        run_ok(
            Command::new("openssl")
                .args([
                    "req",
                    "-new",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-subj",
                    "/CN=someone else",
                ])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&csr),
        );
        let cert = dir.join("other.pem");
        self.issue(&csr, &cert);
        cert
    }
}

/// The directory cargo built this package's binaries into (target/<profile>).
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_smartkey"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf()
}

/// A PKCS#11 module of the workspace (`lib<name>.so`), built by the README's test
/// command; `package` is named in the message when it is missing.
pub fn workspace_module(name: &str, package: &str) -> PathBuf {
    let name = format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    // Uplifted to target/<profile> when built as a workspace member, in deps/ otherwise.
    let candidates = [
        target_dir().join(&name),
        target_dir().join("deps").join(&name),
    ];
    candidates.iter().find(|p| p.is_file()).cloned().unwrap_or_else(|| {
        panic!(
            "{} is missing: run the tests with `bash scripts/test.sh` (or `cargo build -p {package}` first)",
            candidates[0].display()
        )
    })
}

/// The virtual Rutoken's PKCS#11 module and its CLI, built by `cargo test --workspace`.
pub fn rutoken_emu_module() -> PathBuf {
    workspace_module("rutoken_emu", "rutoken-emu")
}

/// A state directory of the virtual Rutoken with its own readers.
pub struct RutokenEmu {
    pub dir: TempDir,
}

impl RutokenEmu {
    pub fn new() -> RutokenEmu {
        RutokenEmu {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Runs the `rutoken-emu` CLI on this state directory.
    pub fn cli(&self, args: &[&str]) {
        let bin = target_dir().join(format!("rutoken-emu{}", std::env::consts::EXE_SUFFIX));
        run_ok(
            Command::new(bin)
                .env("RUTOKEN_EMU_DIR", self.dir.path())
                .args(args),
        );
    }

    /// A fresh token with the factory PINs, inserted; returns its serial.
    pub fn add_token(&self, serial: &str, label: &str) -> String {
        self.cli(&["init", "--serial", serial, "--label", label]);
        self.cli(&["insert", serial]);
        serial.to_string()
    }

    pub fn module(&self) -> PathBuf {
        rutoken_emu_module()
    }

    /// The smartkey binary, pointed at this virtual token directory.
    pub fn smartkey(&self) -> Command {
        let mut cmd = smartkey_in(self.dir.path());
        cmd.env("RUTOKEN_EMU_DIR", self.dir.path())
            .env("SMARTKEY_MODULE", rutoken_emu_module());
        cmd
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// An OpenSSL configuration that loads the GOST engine (Debian: libengine-gost-openssl),
/// written into `dir`; pass it to openssl as OPENSSL_CONF.
pub fn gost_openssl_conf(dir: &Path) -> PathBuf {
    let out = run_ok(Command::new("openssl").args(["version", "-e"]));
    let text = String::from_utf8_lossy(&out.stdout);
    let engines = text
        .split('"')
        .nth(1)
        .unwrap_or_else(|| panic!("no ENGINESDIR in `openssl version -e`: {text}"));
    let engine = Path::new(engines).join("gost.so");
    assert!(
        engine.is_file(),
        "the OpenSSL GOST engine {} is missing: apt-get install libengine-gost-openssl",
        engine.display()
    );
    let conf = dir.join("gost-openssl.cnf");
    std::fs::write(
        &conf,
        format!(
            "openssl_conf = openssl_def\n[openssl_def]\nengines = engine_section\n[engine_section]\ngost = gost_section\n[gost_section]\nengine_id = gost\ndynamic_path = {}\ndefault_algorithms = ALL\n",
            engine.display()
        ),
    )
    .expect("conf");
    conf
}

/// Runs `cmd` (a `smartkey` command, with any global flags already added) as
/// `pin change`, the old and new PINs passed through the environment, never argv.
pub fn pin_change(
    cmd: &mut Command,
    serial: Option<&str>,
    admin: bool,
    old: &str,
    new: &str,
) -> Run {
    cmd.args(["pin", "change"]);
    if let Some(serial) = serial {
        cmd.args(["--serial", serial]);
    }
    cmd.args(["--pin-env", "OLD", "--new-pin-env", "NEW"])
        .env("OLD", old)
        .env("NEW", new);
    if admin {
        cmd.arg("--admin");
    }
    run(cmd)
}
