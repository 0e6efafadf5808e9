//! The world a fault-matrix cell runs in: a home of its own (XDG folders, temporary
//! files), the virtual Rutoken's readers with the client's two tokens, bankca run as
//! its own process with its SQLite database and Maildir, and between the client and the
//! bank a loopback proxy that can stop answering, answer garbage or pass the bytes on.
//! A lab is copied, bank stopped first, to start many cells from one prepared state.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{rutoken_emu_module as emu_module, target_dir};
use crate::pty_support::Spawn;

/// The token the client has worked with so far, and the new Rutoken ECP 2.0 the renewal
/// moves to.
pub const OLD: &str = "0A1B2C3D";
pub const NEW: &str = "0B0B0B02";
/// The bank of the matrix (GOST keys, as the renewal needs).
pub const AGENT: &str = "5282";

/// What the proxy does with a connection to the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Wire {
    /// Passes the bytes on to bankca; while bankca is stopped the port is closed.
    Through = 0,
    /// Answers every request with an HTTP 200 of random bytes.
    Garbage = 1,
    /// Takes the connection and never answers.
    Silent = 2,
}

fn tool(name: &str) -> PathBuf {
    let path = target_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run the tests with `bash scripts/test.sh`",
        path.display()
    );
    path
}

/// The loopback proxy in front of the bank.
struct Proxy {
    port: u16,
    wire: Arc<AtomicU8>,
    /// bankca's port now (0 while it is stopped).
    bank: Arc<AtomicU16>,
    /// Set when the lab goes: the proxy's thread ends.
    gone: Arc<AtomicBool>,
}

impl Proxy {
    /// Listens while the bank is up (or the wire is broken on purpose); while bankca is
    /// stopped the port is closed, so a connection is refused as by a stopped server.
    fn start() -> Proxy {
        let first = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = first.local_addr().expect("its address").port();
        let wire = Arc::new(AtomicU8::new(Wire::Through as u8));
        let bank = Arc::new(AtomicU16::new(0));
        let gone = Arc::new(AtomicBool::new(false));
        let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (w, b, g) = (wire.clone(), bank.clone(), gone.clone());
        std::thread::spawn(move || {
            let mut listener = Some(first);
            while !g.load(Ordering::SeqCst) {
                let mode = w.load(Ordering::SeqCst);
                let down = mode == Wire::Through as u8 && b.load(Ordering::SeqCst) == 0;
                if down {
                    listener = None;
                } else if listener.is_none() {
                    listener = TcpListener::bind(("127.0.0.1", port)).ok();
                }
                let Some(open) = &listener else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let _ = open.set_nonblocking(true);
                let client = match open.accept() {
                    Ok((client, _)) => client,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                };
                let _ = client.set_nonblocking(false);
                match mode {
                    0 => {
                        let port = b.load(Ordering::SeqCst);
                        std::thread::spawn(move || pass_on(client, port));
                    }
                    1 => {
                        std::thread::spawn(move || garbage(client));
                    }
                    _ => held.lock().expect("held").push(client),
                }
            }
        });
        Proxy {
            port,
            wire,
            bank,
            gone,
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.gone.store(true, Ordering::SeqCst);
    }
}

fn pass_on(client: TcpStream, port: u16) {
    let Ok(bank) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let (Ok(mut c2), Ok(mut b2)) = (client.try_clone(), bank.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut b2);
        let _ = b2.shutdown(std::net::Shutdown::Write);
    });
    let (mut b, mut c) = (bank, client);
    let _ = std::io::copy(&mut b, &mut c);
    let _ = c.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
}

/// Reads the whole request (headers and Content-Length bytes of body), so that the
/// answer is read as an answer and not lost to a reset connection.
fn read_request(client: &mut TcpStream) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                return;
            }
        }
        match client.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

fn garbage(mut client: TcpStream) {
    read_request(&mut client);
    let junk: Vec<u8> = (0..97u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        junk.len()
    );
    let _ = client.write_all(head.as_bytes());
    let _ = client.write_all(&junk);
    let _ = client.shutdown(std::net::Shutdown::Write);
}

/// One cell's world.
pub struct Lab {
    pub dir: tempfile::TempDir,
    proxy: Proxy,
    bankca: Option<Child>,
}

impl Lab {
    /// A bank with no requests yet, the two factory-fresh tokens, the old one inserted.
    pub fn fresh() -> Lab {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in [
            "home", "config", "state", "data", "cache", "tmp", "tokens", "bank",
        ] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("a directory");
        }
        let mut lab = Lab {
            dir,
            proxy: Proxy::start(),
            bankca: None,
        };
        lab.bankca(&["init"]);
        let anchor: String = ["ca-rsa.pem", "ca-gost.pem"]
            .iter()
            .map(|f| std::fs::read_to_string(lab.path("bank").join(f)).expect("CA certificate"))
            .collect();
        std::fs::write(lab.path("bank-ca.pem"), anchor).expect("trust anchor");
        lab.emu(&["init", "--serial", OLD, "--label", "Мой токен", "--force"]);
        lab.emu(&[
            "init",
            "--serial",
            NEW,
            "--label",
            "Рутокен ЭЦП 2.0",
            "--force",
        ]);
        lab.emu(&["insert", OLD]);
        lab.write_profile();
        lab.start_bank();
        lab
    }

    /// A lab in the same state as this one, with a proxy and bankca of its own.
    pub fn copy(&mut self) -> Lab {
        let running = self.bankca.is_some();
        self.stop_bank();
        let dir = tempfile::tempdir().expect("temp dir");
        let copied = Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", self.dir.path().display()))
            .arg(dir.path())
            .status()
            .expect("cp runs");
        assert!(copied.success(), "the lab is copied");
        if running {
            self.start_bank();
        }
        let mut lab = Lab {
            dir,
            proxy: Proxy::start(),
            bankca: None,
        };
        lab.write_profile();
        lab.start_bank();
        lab
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The bank's address as the client knows it: the proxy.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.proxy.port)
    }

    fn write_profile(&self) {
        std::fs::write(
            self.path("banks.toml"),
            format!(
                "[[bank]]\nagent_id = {AGENT}\nname = \"Банк-Клиент\"\nca_url = \"{}\"\ntrust_anchor = \"bank-ca.pem\"\nsupport_phone = \"8-800-250-33-00\"\nkey_types = [\"gost2012-256\"]\n",
                self.base_url()
            ),
        )
        .expect("bank profile");
    }

    pub fn set_wire(&self, wire: Wire) {
        self.proxy.wire.store(wire as u8, Ordering::SeqCst);
    }

    /// Starts bankca on a port of its own, its links pointing at the proxy.
    pub fn start_bank(&mut self) {
        if self.bankca.is_some() {
            return;
        }
        let mut child = Command::new(tool("bankca"))
            .arg("--dir")
            .arg(self.path("bank"))
            .args(["serve", "--listen", "127.0.0.1:0", "--check-after", "1"])
            .arg("--public-url")
            .arg(self.base_url())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("bankca starts");
        let stdout = child.stdout.take().expect("bankca's output");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("bankca did not say where it listens");
            };
            if let Some(addr) = line.strip_prefix("listening: ") {
                break addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse::<u16>().ok())
                    .expect("a port");
            }
        };
        // Keep reading its output so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        self.proxy.bank.store(port, Ordering::SeqCst);
        self.bankca = Some(child);
    }

    /// Stops bankca as its operator would (SIGTERM), and waits for it.
    pub fn stop_bank(&mut self) {
        if let Some(mut child) = self.bankca.take() {
            self.proxy.bank.store(0, Ordering::SeqCst);
            if let Ok(pid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: kill(2) on our own child process.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
            let _ = child.wait();
        }
    }

    /// Runs `bankca ARGS` on this lab's bank; its standard output.
    pub fn bankca(&self, args: &[&str]) -> String {
        let out = Command::new(tool("bankca"))
            .arg("--dir")
            .arg(self.path("bank"))
            .args(args)
            .output()
            .expect("bankca runs");
        assert!(
            out.status.success(),
            "bankca {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Every request the bank holds.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(&self.bankca(&["list", "--json"])).expect("bankca's JSON")
    }

    /// Runs `rutoken-emu ARGS` on this lab's readers.
    pub fn emu(&self, args: &[&str]) -> String {
        let out = Command::new(tool("rutoken-emu"))
            .env("RUTOKEN_EMU_DIR", self.path("tokens"))
            .args(args)
            .output()
            .expect("rutoken-emu runs");
        assert!(
            out.status.success(),
            "rutoken-emu {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The tokens in the readers now.
    pub fn inserted(&self) -> Vec<String> {
        self.emu(&["list"])
            .lines()
            .filter_map(|l| l.strip_prefix("reader "))
            .filter_map(|l| l.split_once(": ").map(|(_, s)| s.trim().to_string()))
            .filter(|s| s != "empty")
            .collect()
    }

    /// Only `serial` in a reader.
    pub fn only(&self, serial: &str) {
        if self.inserted() != [serial] {
            self.emu(&["remove"]);
            self.emu(&["insert", serial]);
        }
    }

    /// The key pairs on a token, with their certificates (`smartkey cert list --json`).
    /// The token is put into a free reader for the look, and taken out again.
    pub fn key_pairs(&self, serial: &str) -> Vec<serde_json::Value> {
        let was_in = self.inserted().iter().any(|s| s == serial);
        if !was_in {
            self.emu(&["insert", serial]);
        }
        let out = self
            .smartkey_command()
            .args(["cert", "list", "--json", "--serial", serial])
            .output()
            .expect("smartkey runs");
        assert!(
            out.status.success(),
            "cert list {serial}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if !was_in {
            self.emu(&["remove", serial]);
        }
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    /// The smartkey command with this lab's environment, for the checks.
    fn smartkey_command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_smartkey"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LANG", "C.UTF-8");
        for (k, v) in self.environment() {
            cmd.env(k, v);
        }
        cmd.current_dir(self.dir.path())
            .arg("--module")
            .arg(emu_module());
        cmd
    }

    fn environment(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", self.path("home")),
            ("XDG_CONFIG_HOME", self.path("config")),
            ("XDG_STATE_HOME", self.path("state")),
            ("XDG_DATA_HOME", self.path("data")),
            ("XDG_CACHE_HOME", self.path("cache")),
            ("TMPDIR", self.path("tmp")),
            ("RUTOKEN_EMU_DIR", self.path("tokens")),
        ]
    }

    /// `smartkey ARGS` in a terminal, in line mode, for this lab's bank.
    pub fn smartkey(&self, args: &[String]) -> Spawn {
        let mut spawn = Spawn::new(env!("CARGO_BIN_EXE_smartkey"))
            .size(120, 40)
            .cwd(self.dir.path());
        for (k, v) in self.environment() {
            spawn = spawn.env(k, v);
        }
        spawn
            .arg("--module")
            .arg(emu_module())
            .arg("--banks")
            .arg(self.path("banks.toml"))
            .args(["--bank", AGENT])
            .args(args)
    }

    /// The request records this computer keeps (pending.json), none when there is none.
    pub fn records(&self) -> Vec<serde_json::Value> {
        match std::fs::read(self.path("state/smartkey/pending.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).expect("pending.json is JSON"),
            Err(_) => Vec::new(),
        }
    }

    /// Every byte written outside the token store: state, transcripts, documents, logs.
    pub fn written(&self) -> Vec<u8> {
        fn walk(dir: &Path, out: &mut Vec<u8>, skip: &Path) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path == skip {
                    continue;
                }
                if path.is_dir() {
                    walk(&path, out, skip);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    out.extend(bytes);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out, &self.path("tokens"));
        out
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.stop_bank();
    }
}
