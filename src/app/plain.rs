//! The plain line frontend (`--plain`): each screen printed as text, one typed line per
//! answer (the commands of [`crate::ui::line`]), PINs read without echo from the
//! terminal, never from a command line.

use std::io::BufRead as _;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::ui::line::{LineCommand, parse_line};
use crate::ui::words::Words;
use smartkey_i18n::Catalogue;
use smartkey_wizard::Pin;
use smartkey_wizard::{ActionKind, Answer, Screen, StepCode, Widget};

use super::frontend::{Event, Frontend};
use super::script::Bench;

/// What the reading thread is asked to read next.
enum Read {
    Line,
    /// A PIN without echo, after this prompt.
    Hidden(String),
}

/// What it read.
enum Got {
    Line(String),
    Hidden(std::io::Result<Pin>),
}

pub struct Plain {
    catalogue: Catalogue,
    /// Asks the reading thread for the next line or PIN: the terminal has exactly one
    /// reader at a time, so a PIN typed at its hidden prompt can never be taken as a
    /// command line (and echoed back).
    asks: std::sync::mpsc::Sender<Read>,
    got: mpsc::UnboundedReceiver<Got>,
    /// Whether a read is under way (its result may come after a cancelled wait).
    asked: bool,
    /// The PIN screen being read, if one is.
    form: Option<PinForm>,
    screen: Option<Screen>,
    /// The demo's virtual readers and mailbox, for its extra commands.
    demo: Option<(Arc<dyn Bench>, PathBuf)>,
}

impl Plain {
    /// Reads standard input on a thread of its own (reading blocks), one line or one
    /// hidden PIN at a time, when asked.
    pub fn stdin(catalogue: Catalogue) -> Plain {
        let (asks, requests) = std::sync::mpsc::channel::<Read>();
        let (send, got) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            while let Ok(request) = requests.recv() {
                let read = match request {
                    Read::Line => {
                        let mut line = String::new();
                        match stdin.lock().read_line(&mut line) {
                            Ok(0) | Err(_) => break,
                            Ok(_) => Got::Line(line.trim_end_matches(['\n', '\r']).to_string()),
                        }
                    }
                    Read::Hidden(prompt) => {
                        Got::Hidden(rpassword::prompt_password(prompt).map(Pin::new))
                    }
                };
                if send.send(read).is_err() {
                    break;
                }
            }
        });
        Plain {
            catalogue,
            asks,
            got,
            asked: false,
            form: None,
            screen: None,
            demo: None,
        }
    }

    /// The demo's extra commands: `insert SERIAL [READER]`, `remove SERIAL`, `mail`.
    pub fn with_demo(mut self, bench: Arc<dyn Bench>, mailbox: PathBuf) -> Plain {
        self.demo = Some((bench, mailbox));
        self
    }

    /// Carries out a demo command; false when the line is not one.
    fn demo_command(&self, line: &str) -> bool {
        let Some((bench, mailbox)) = &self.demo else {
            return false;
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let done = match words.as_slice() {
            ["insert", serial] => bench.insert(serial, None),
            ["insert", serial, reader] => bench.insert(serial, reader.parse().ok()),
            ["remove", serial] => bench.remove(serial),
            ["mail"] => {
                let mut mails: Vec<PathBuf> = std::fs::read_dir(mailbox)
                    .map(|d| d.flatten().map(|e| e.path()).collect())
                    .unwrap_or_default();
                mails.sort();
                for mail in mails {
                    println!("{}", std::fs::read_to_string(mail).unwrap_or_default());
                }
                Ok(())
            }
            _ => return false,
        };
        if let Err(e) = done {
            eprintln!("{e}");
        }
        true
    }

    /// The next thing read: asks for `what` unless a read is already under way.
    async fn next_read(&mut self, what: Read) -> Option<Got> {
        if !self.asked {
            self.asks.send(what).ok()?;
            self.asked = true;
        }
        let got = self.got.recv().await;
        self.asked = false;
        got
    }
}

/// The PINs of one PIN screen being read, one hidden prompt after another. Kept in the
/// frontend, not in a future, because the runtime drops a waiting `next_event` whenever
/// something else happens (a token's flags change after a PIN change): a PIN already
/// typed must not be lost then.
struct PinForm {
    code: StepCode,
    labels: Vec<String>,
    change: bool,
    pins: Vec<Pin>,
}

impl PinForm {
    fn of(screen: &Screen, catalogue: &Catalogue) -> PinForm {
        let mut labels: Vec<String> = screen
            .fields
            .iter()
            .filter_map(|w| match w {
                Widget::Pin { label, .. } => Some(catalogue.text(label)),
                _ => None,
            })
            .collect();
        let change = screen.offers(ActionKind::SubmitPinChange) && labels.len() >= 3;
        labels.truncate(if change { 3 } else { 1 });
        if labels.is_empty() {
            labels.push("PIN".into());
        }
        PinForm {
            code: screen.code,
            labels,
            change,
            pins: Vec::new(),
        }
    }

    /// The prompt of the next PIN.
    fn prompt(&self) -> String {
        let label = self
            .labels
            .get(self.pins.len())
            .map_or("PIN", String::as_str);
        format!("{label}: ")
    }

    /// The answer, once every PIN is read.
    fn answer(&mut self) -> Option<Answer> {
        if self.pins.len() < self.labels.len() {
            return None;
        }
        let mut pins = std::mem::take(&mut self.pins).into_iter();
        if self.change {
            Some(Answer::ChangePin {
                current: pins.next()?,
                new: pins.next()?,
                repeat: pins.next()?,
            })
        } else {
            pins.next().map(Answer::Pin)
        }
    }
}

impl Frontend for Plain {
    fn show(&mut self, screen: &Screen) {
        // PINs half typed for a step that is gone, or that no longer takes a PIN (the
        // token was pulled), are dropped (and wiped).
        let takes_pin =
            screen.offers(ActionKind::SubmitPin) || screen.offers(ActionKind::SubmitPinChange);
        let dropped = self
            .form
            .as_ref()
            .is_some_and(|f| f.code != screen.code || !takes_pin);
        if dropped {
            self.form = None;
        }
        println!(
            "\n{}",
            crate::ui::text::render_screen(screen, &self.catalogue)
        );
        // The hidden prompt still reads the terminal: the person is told that what is
        // typed there goes nowhere, and how to get the command line back.
        if dropped && self.asked {
            println!("{}", Words::of(self.catalogue.lang()).pin_dropped);
        }
        self.screen = Some(screen.clone());
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            let want = match &self.form {
                Some(form) => Read::Hidden(form.prompt()),
                None => Read::Line,
            };
            let line = match self.next_read(want).await? {
                Got::Line(line) => line,
                Got::Hidden(read) => {
                    // A PIN asked for on a screen that has gone since: dropped.
                    let Some(form) = &mut self.form else { continue };
                    match read {
                        Ok(pin) => form.pins.push(pin),
                        Err(why) => {
                            eprintln!("the PIN cannot be read without echo here: {why}");
                            self.form = None;
                            continue;
                        }
                    }
                    match form.answer() {
                        Some(answer) => {
                            self.form = None;
                            return Some(Event::Answer(answer));
                        }
                        None => continue,
                    }
                }
            };
            if self.demo_command(line.trim()) {
                continue;
            }
            let Some(screen) = self.screen.clone() else {
                continue;
            };
            match parse_line(&line, &screen) {
                LineCommand::Answer(answer) => return Some(Event::Answer(answer)),
                LineCommand::SetField(field, value) => {
                    return Some(Event::Answer(Answer::Edit { field, value }));
                }
                LineCommand::NeedsPin(_) => {
                    self.form = Some(PinForm::of(&screen, &self.catalogue));
                }
                LineCommand::Help => println!("{}", Words::of(self.catalogue.lang()).line_help),
                LineCommand::Quit => return Some(Event::Quit),
                LineCommand::Unknown(text) => {
                    println!("? {text}");
                    println!("{}", Words::of(self.catalogue.lang()).line_help);
                }
            }
        }
    }
}
