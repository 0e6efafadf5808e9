//! A transcript: the screens a person saw and what they answered, as plain text, for
//! support to read in either language. Built from the same text as line mode, so a
//! transcript reads like the session it records. It holds no PIN: PIN answers are
//! written as the fact that one was entered, nothing of the PIN itself.

use std::io::{self, Write};

use smartkey_i18n::Catalogue;
use smartkey_wizard::{Answer, Screen};

use super::line::field_name;
use super::text::render_screen;

/// Writes screens and answers to `out` as they happen.
pub struct Transcript<W: Write> {
    out: W,
    catalogue: Catalogue,
    /// The text of the last screen written, so an unchanged screen is not repeated.
    last: Option<String>,
    screens: u32,
}

impl<W: Write> Transcript<W> {
    pub fn new(out: W, catalogue: Catalogue) -> Self {
        Transcript {
            out,
            catalogue,
            last: None,
            screens: 0,
        }
    }

    /// Writes `screen` unless it reads exactly as the last one written.
    pub fn screen(&mut self, screen: &Screen) -> io::Result<()> {
        let text = render_screen(screen, &self.catalogue);
        if self.last.as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        self.screens += 1;
        writeln!(self.out, "----- {} -----", self.screens)?;
        self.out.write_all(text.as_bytes())?;
        self.last = Some(text);
        Ok(())
    }

    /// Writes what the person answered.
    pub fn answer(&mut self, answer: &Answer) -> io::Result<()> {
        writeln!(self.out, "> {}", describe(answer))
    }

    /// Gives the writer back (to flush or close it).
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// An answer in a line, without secrets: a PIN answer says only that PINs were given.
pub fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Next => "next".into(),
        Answer::Back => "back".into(),
        Answer::Cancel => "cancel".into(),
        Answer::Retry => "retry".into(),
        Answer::Choose(i) => format!("choose {}", i + 1),
        Answer::Confirm => "confirm".into(),
        Answer::Edit { field, value } => format!("{}={value}", field_name(*field)),
        Answer::Select { field, index } => format!("{}=#{}", field_name(*field), index + 1),
        Answer::Tick { field, on } => {
            format!("{}={}", field_name(*field), if *on { "yes" } else { "no" })
        }
        Answer::Pin(_) => "pin (hidden)".into(),
        Answer::ChangePin { .. } => "pin change (hidden)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_i18n::Lang;
    use smartkey_wizard::FieldId;
    use smartkey_wizard::Pin;

    #[test]
    fn answers_are_written_without_pins() {
        let mut t = Transcript::new(Vec::new(), Catalogue::new(Lang::En));
        t.answer(&Answer::Pin(Pin::new("Qw7-user-pin".into())))
            .and_then(|()| {
                t.answer(&Answer::ChangePin {
                    current: Pin::new("12345678".into()),
                    new: Pin::new("Qw7-user-pin".into()),
                    repeat: Pin::new("Qw7-user-pin".into()),
                })
            })
            .and_then(|()| {
                t.answer(&Answer::Edit {
                    field: FieldId::City,
                    value: "Моск".into(),
                })
            })
            .unwrap_or_else(|e| panic!("writing to memory: {e}"));
        let text = String::from_utf8(t.into_inner()).unwrap_or_default();
        assert_eq!(text, "> pin (hidden)\n> pin change (hidden)\n> city=Моск\n");
        assert!(!text.contains("Qw7") && !text.contains("12345678"));
    }
}
