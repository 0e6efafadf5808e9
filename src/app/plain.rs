//! The plain line frontend (`--plain`): each screen printed as text, one typed line per
//! answer (the commands of [`crate::ui::line`]), PINs read without echo from the
//! terminal, never from a command line.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::i18n::Catalogue;
use crate::token::Pin;
use crate::ui::line::{LineCommand, parse_line};
use crate::ui::words::Words;
use crate::wizard::{ActionKind, Answer, Screen, Widget};

use super::frontend::{Event, Frontend};
use super::script::Bench;

pub struct Plain {
    catalogue: Catalogue,
    lines: mpsc::UnboundedReceiver<String>,
    screen: Option<Screen>,
    /// The demo's virtual readers and mailbox, for its extra commands.
    demo: Option<(Arc<dyn Bench>, PathBuf)>,
}

impl Plain {
    /// Reads lines from standard input on a thread of its own (reading blocks).
    pub fn stdin(catalogue: Catalogue) -> Plain {
        let (send, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Plain {
            catalogue,
            lines,
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

    /// The PIN fields of the screen, read without echo, as the screen's PIN answer.
    fn read_pins(&self, screen: &Screen) -> Result<Answer, String> {
        let labels: Vec<String> = screen
            .fields
            .iter()
            .filter_map(|w| match w {
                Widget::Pin { label, .. } => Some(self.catalogue.text(label)),
                _ => None,
            })
            .collect();
        let read = |label: &str| {
            rpassword::prompt_password(format!("{label}: "))
                .map(Pin::new)
                .map_err(|e| format!("the PIN cannot be read without echo here: {e}"))
        };
        if screen.offers(ActionKind::SubmitPinChange) && labels.len() >= 3 {
            Ok(Answer::ChangePin {
                current: read(&labels[0])?,
                new: read(&labels[1])?,
                repeat: read(&labels[2])?,
            })
        } else {
            let label = labels.first().cloned().unwrap_or_else(|| "PIN".into());
            Ok(Answer::Pin(read(&label)?))
        }
    }
}

impl Frontend for Plain {
    fn show(&mut self, screen: &Screen) {
        println!(
            "\n{}",
            crate::ui::text::render_screen(screen, &self.catalogue)
        );
        self.screen = Some(screen.clone());
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            let line = self.lines.recv().await?;
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
                LineCommand::NeedsPin(_) => match self.read_pins(&screen) {
                    Ok(answer) => return Some(Event::Answer(answer)),
                    Err(why) => eprintln!("{why}"),
                },
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
