//! A terminal for the tests: runs a program in a pseudo-terminal of its own, types into
//! it like a person, and reads the screen through a VT100 parser.
//!
//! CI has no terminal and no standard input, so each test makes its own pty; the child
//! gets it as its controlling terminal, which is what the full-screen view and the
//! hidden PIN prompt need. Every wait is bounded and panics with the screen as it was,
//! so that a failure reads like a bug report rather than a timeout.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How often a wait looks at the screen again.
const POLL: Duration = Duration::from_millis(50);

/// Lines kept above the screen, for the text that scrolled away in line mode.
const SCROLLBACK: usize = 10_000;

/// A key, as a terminal sends it (xterm's sequences, which crossterm reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    Backspace,
    Space,
    PageUp,
    PageDown,
    F(u8),
    /// Ctrl and a letter: Ctrl-C is 0x03.
    Ctrl(char),
}

impl Key {
    /// The bytes a terminal sends for the key.
    pub fn bytes(self) -> Vec<u8> {
        let s: &[u8] = match self {
            // A terminal sends CR for Enter; the line discipline turns it into LF in
            // cooked mode, a raw-mode program reads the CR.
            Key::Enter => b"\r",
            Key::Esc => b"\x1b",
            Key::Tab => b"\t",
            Key::BackTab => b"\x1b[Z",
            Key::Up => b"\x1b[A",
            Key::Down => b"\x1b[B",
            Key::Right => b"\x1b[C",
            Key::Left => b"\x1b[D",
            Key::Backspace => b"\x7f",
            Key::Space => b" ",
            Key::PageUp => b"\x1b[5~",
            Key::PageDown => b"\x1b[6~",
            Key::F(1) => b"\x1bOP",
            Key::F(2) => b"\x1bOQ",
            Key::F(3) => b"\x1bOR",
            Key::F(4) => b"\x1bOS",
            Key::F(5) => b"\x1b[15~",
            Key::F(6) => b"\x1b[17~",
            Key::F(7) => b"\x1b[18~",
            Key::F(8) => b"\x1b[19~",
            Key::F(9) => b"\x1b[20~",
            Key::F(10) => b"\x1b[21~",
            Key::F(n) => panic!("no sequence for F{n} here"),
            Key::Ctrl(c) => {
                let c = c.to_ascii_lowercase();
                assert!(c.is_ascii_lowercase(), "Ctrl-{c} is not a letter");
                return vec![c as u8 - b'a' + 1];
            }
        };
        s.to_vec()
    }
}

/// What the reader thread shares with the test.
struct Shared {
    parser: Mutex<vt100::Parser>,
    /// Every byte the program wrote, for checks over the whole run.
    raw: Mutex<Vec<u8>>,
    /// The program closed its side of the terminal (it and its children are gone).
    closed: AtomicBool,
}

/// A program running in a pseudo-terminal.
pub struct Term {
    shared: Arc<Shared>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// The exit status, once seen.
    status: Option<portable_pty::ExitStatus>,
    what: String,
}

/// How to start a program in a terminal.
pub struct Spawn {
    command: CommandBuilder,
    rows: u16,
    cols: u16,
    what: String,
}

impl Spawn {
    /// `program` with nothing of the test's environment but PATH, and TERM set to a
    /// real terminal's; the terminal is 80x24 unless [`Spawn::size`] says otherwise.
    pub fn new(program: impl AsRef<OsStr>) -> Spawn {
        let mut command = CommandBuilder::new(program.as_ref());
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command.env("TERM", "xterm-256color");
        command.env("LANG", "C.UTF-8");
        Spawn {
            what: Path::new(program.as_ref())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            command,
            rows: 24,
            cols: 80,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Spawn {
        self.what.push(' ');
        self.what.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Spawn
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Spawn {
        self.command.env(key, value);
        self
    }

    pub fn cwd(mut self, dir: impl AsRef<OsStr>) -> Spawn {
        self.command.cwd(dir);
        self
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Spawn {
        self.cols = cols;
        self.rows = rows;
        self
    }

    /// Starts the program; the reader thread feeds the parser until the terminal closes.
    pub fn start(self) -> Term {
        let size = PtySize {
            rows: self.rows,
            cols: self.cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).expect("a pty opens");
        let child = pair
            .slave
            .spawn_command(self.command)
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.what));
        // Only the child holds the terminal's other side now: when it (and whatever it
        // started) is gone, reading gives end of file, and the reader thread ends.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer: Arc<Mutex<Box<dyn Write + Send>>> =
            Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));
        let shared = Arc::new(Shared {
            parser: Mutex::new(vt100::Parser::new(
                nonzero(self.rows),
                nonzero(self.cols),
                SCROLLBACK,
            )),
            raw: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        });
        let (thread_shared, answers) = (shared.clone(), writer.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let chunk = &buf[..n];
                        let mut parser = thread_shared.parser.lock().expect("parser");
                        parser.process(chunk);
                        thread_shared
                            .raw
                            .lock()
                            .expect("raw")
                            .extend_from_slice(chunk);
                        // A terminal answers "where is the cursor?"; a program that asks
                        // would otherwise wait for the answer forever.
                        if contains(chunk, b"\x1b[6n") {
                            let (row, col) = parser.screen().cursor_position();
                            let answer = format!("\x1b[{};{}R", row + 1, col + 1);
                            drop(parser);
                            if let Ok(mut w) = answers.lock() {
                                let _ = w.write_all(answer.as_bytes());
                                let _ = w.flush();
                            }
                        }
                    }
                }
            }
            thread_shared.closed.store(true, Ordering::SeqCst);
        });
        Term {
            shared,
            writer,
            master: pair.master,
            child,
            status: None,
            what: self.what,
        }
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal has at least one row and column")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl Term {
    /// The visible screen as text, one line per row.
    pub fn contents(&self) -> String {
        self.shared
            .parser
            .lock()
            .expect("parser")
            .screen()
            .contents()
    }

    /// Runs `f` on the parsed screen (cursor, alternate screen, attributes).
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.shared.parser.lock().expect("parser").screen())
    }

    /// Everything the program wrote so far, escapes included.
    pub fn raw(&self) -> Vec<u8> {
        self.shared.raw.lock().expect("raw").clone()
    }

    /// Everything the program wrote so far as text, with the terminal's escape sequences
    /// taken out: in line mode, what a person could scroll back to.
    pub fn text(&self) -> String {
        strip_escapes(&self.raw())
    }

    /// How many bytes the program has written: a mark for [`Term::wait_for_text_after`].
    pub fn mark(&self) -> usize {
        self.shared.raw.lock().expect("raw").len()
    }

    /// The program's output written after `mark`, as text.
    pub fn text_after(&self, mark: usize) -> String {
        let raw = self.raw();
        strip_escapes(&raw[mark.min(raw.len())..])
    }

    /// Waits until the visible screen shows `needle`; returns the screen. Panics with the
    /// screen as it was when the time is up or the program is gone.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> String {
        self.wait_until(needle, timeout, |t| {
            let screen = t.contents();
            screen.contains(needle).then_some(screen)
        })
    }

    /// Waits until the screen shows none of `needle` (a screen left behind).
    pub fn wait_for_gone(&mut self, needle: &str, timeout: Duration) -> String {
        self.wait_until(&format!("no {needle:?}"), timeout, |t| {
            let screen = t.contents();
            (!screen.contains(needle)).then_some(screen)
        })
    }

    /// Waits until the output written after `mark` contains `needle`, scrolled away or
    /// not (line mode prints screens taller than the terminal). Returns that output.
    pub fn wait_for_text_after(&mut self, mark: usize, needle: &str, timeout: Duration) -> String {
        self.wait_until(needle, timeout, |t| {
            let text = t.text_after(mark);
            text.contains(needle).then_some(text)
        })
    }

    /// Polls `found` until it gives a value; panics with `what` and the screen if the
    /// time runs out or the program closed the terminal first.
    pub fn wait_until<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut found: impl FnMut(&Term) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            // Read the flag before looking, so that output written just before the
            // terminal closed is seen on this round.
            let closed = self.shared.closed.load(Ordering::SeqCst);
            if let Some(value) = found(self) {
                return value;
            }
            if closed {
                let status = self.exit_status(Duration::from_secs(5));
                self.fail(&format!(
                    "the program ended ({status:?}) before the screen showed {what:?}"
                ));
            }
            if Instant::now() > deadline {
                self.fail(&format!("{what:?} not shown within {timeout:?}"));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Panics with `why`, the command, the screen and the end of the output.
    pub fn fail(&self, why: &str) -> ! {
        let text = self.text();
        let tail: String = {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(60)..].join("\n")
        };
        panic!(
            "{why}\ncommand: {}\n--- screen ---\n{}\n--- the last lines of output ---\n{tail}\n---",
            self.what,
            self.contents()
        );
    }

    /// Sends bytes as typed.
    pub fn send(&mut self, bytes: &[u8]) {
        let mut w = self.writer.lock().expect("writer");
        w.write_all(bytes)
            .and_then(|()| w.flush())
            .unwrap_or_else(|e| panic!("cannot type into {}: {e}", self.what));
    }

    /// Types `text` (no Enter).
    pub fn type_str(&mut self, text: &str) {
        self.send(text.as_bytes());
    }

    /// Types a line and Enter.
    pub fn type_line(&mut self, text: &str) {
        self.type_str(text);
        self.press(Key::Enter);
    }

    pub fn press(&mut self, key: Key) {
        self.send(&key.bytes());
    }

    /// Whether the terminal echoes what is typed now (the line discipline's ECHO flag,
    /// which a hidden prompt turns off).
    pub fn echoes(&self) -> bool {
        self.local_flags()
            .map(|flags| flags & libc::ECHO != 0)
            .unwrap_or_else(|| self.fail("the terminal's settings cannot be read"))
    }

    /// Whether the terminal is in canonical (line by line) mode, as it is when no
    /// program has switched it to raw mode.
    pub fn canonical(&self) -> bool {
        self.local_flags()
            .map(|flags| flags & libc::ICANON != 0)
            .unwrap_or_else(|| self.fail("the terminal's settings cannot be read"))
    }

    fn local_flags(&self) -> Option<libc::tcflag_t> {
        self.master.get_termios().map(|t| t.local_flags.bits())
    }

    /// Waits until typing is no longer echoed, as a person waits for a PIN prompt.
    pub fn wait_for_hidden_input(&mut self, timeout: Duration) {
        self.wait_until("input without echo", timeout, |t| {
            (!t.echoes()).then_some(())
        });
    }

    /// Changes the terminal's size, as a person resizing the window: the program gets
    /// SIGWINCH.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.shared
            .parser
            .lock()
            .expect("parser")
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("the pty resizes");
    }

    /// Sends the program a signal (SIGKILL, SIGTERM, SIGHUP...), as the system or a
    /// closed terminal would.
    pub fn signal(&mut self, signal: i32) {
        let Some(pid) = self.child.process_id() else {
            self.fail("the program has no process id");
        };
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            self.fail("the process id does not fit");
        };
        // SAFETY: kill(2) on the test's own child process; no memory is involved.
        if unsafe { libc::kill(pid, signal) } != 0 {
            self.fail(&format!("cannot send signal {signal}"));
        }
    }

    /// The exit status if the program has exited, without waiting.
    pub fn try_exit(&mut self) -> Option<portable_pty::ExitStatus> {
        if self.status.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            self.status = Some(status);
        }
        self.status.clone()
    }

    /// Waits for the program to exit; panics with the screen if it does not in time.
    pub fn exit_status(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = &self.status {
                return status.clone();
            }
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.status = Some(status.clone());
                    // Let the reader take in what was written last.
                    let until = Instant::now() + Duration::from_secs(5);
                    while !self.shared.closed.load(Ordering::SeqCst) && Instant::now() < until {
                        std::thread::sleep(POLL);
                    }
                    return status;
                }
                Ok(None) => {}
                Err(e) => self.fail(&format!("cannot wait for the program: {e}")),
            }
            if Instant::now() > deadline {
                self.fail(&format!("the program did not exit within {timeout:?}"));
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Term {
    /// A test that failed half-way must not leave the program running.
    fn drop(&mut self) {
        if self.status.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `raw` as text without the escape sequences of a terminal (CSI, OSC and two-byte
/// escapes); carriage returns dropped.
pub fn strip_escapes(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                Some('[') => {
                    // Parameters and intermediates, then one final byte @ to ~.
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    // Up to BEL or ESC \.
                    while let Some(c) = chars.next() {
                        if c == '\x07' {
                            break;
                        }
                        if c == '\x1b' {
                            chars.next();
                            break;
                        }
                    }
                }
                Some('(' | ')') => {
                    chars.next();
                }
                _ => {}
            },
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}
