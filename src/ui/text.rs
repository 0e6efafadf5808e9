//! The screen as plain text: what `--plain` line mode prints, what a screen reader or a
//! dumb terminal gets, and what a transcript keeps. Deterministic (no clock, no
//! terminal size, no escapes), so that two runs of the same flow give the same text and
//! support can compare a client's transcript line by line.
//!
//! PIN fields show what they are for and the lengths they take; a renderer never has a
//! PIN to show ([`Screen`] holds none).

use std::fmt::Write as _;

use smartkey_i18n::Catalogue;
use smartkey_wizard::Msg;
use smartkey_wizard::{Progress, Screen, TokenLine, TokenMark, Widget};

use super::line::{action_command, field_name};
use super::words::Words;

/// The plain text of `screen` in the catalogue's language, lines ending in `\n`.
pub fn render_screen(screen: &Screen, catalogue: &Catalogue) -> String {
    let w = Words::of(catalogue.lang());
    let t = |m: &Msg| catalogue.text(m);
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(s);
        out.push('\n');
    };

    line(&header(screen, w));
    line("");
    let title = t(&screen.title);
    line(&title);
    line(&"=".repeat(title.chars().count().max(1)));
    for p in &screen.body {
        line("");
        line(&t(p));
    }
    if let Some(n) = &screen.notice {
        line("");
        line(&format!("{}: {}", w.level(n.level), t(&n.text)));
    }
    if !screen.fields.is_empty() {
        line("");
        line(&format!("{}:", w.fields));
        for field in &screen.fields {
            for l in field_lines(field, catalogue, w) {
                line(&l);
            }
        }
    }
    if !screen.choices.is_empty() {
        line("");
        line(&format!("{}:", w.choose));
        for (i, c) in screen.choices.iter().enumerate() {
            line(&format!("  {}) {}", i + 1, t(c)));
        }
    }
    if !screen.tokens.is_empty() {
        line("");
        line(&format!("{}:", w.tokens));
        for token in &screen.tokens {
            line(&format!("  {}", token_line(token, w)));
        }
    }
    if let Some(d) = &screen.document {
        line("");
        line(&format!("{}: {}", w.document, t(&d.title)));
        line(&format!(
            "  {}, {} {}, {}",
            d.bank,
            w.agent,
            d.agent_id,
            t(&Msg::Date { date: d.date })
        ));
        for e in &d.entries {
            line(&format!("  {}: {}", t(&e.label), t(&e.value)));
        }
        for s in &d.signatures {
            line(&format!("  {}: ____________", t(s)));
        }
    }
    if let Some(p) = &screen.progress {
        line("");
        line(&format!("{}: {}", w.progress, progress_text(p, catalogue)));
    }
    if let Some(a) = &screen.awaiting {
        line("");
        line(&format!("{}: {}", w.awaiting, t(a)));
    }
    if !screen.actions.is_empty() {
        line("");
        let actions: Vec<String> = screen
            .actions
            .iter()
            .map(|a| {
                format!(
                    "[{}] {}",
                    action_command(a.kind, catalogue.lang()),
                    t(&a.label)
                )
            })
            .collect();
        line(&format!("{}: {}", w.actions, actions.join("  ")));
    }
    out
}

/// "[N2.4] АО НОКССБАНК · Новый сертификат · сессия K7Q2": where the person is, in the
/// words support asks for on the phone.
pub fn header(screen: &Screen, w: &Words) -> String {
    let mut parts = Vec::new();
    if let Some(bank) = &screen.bank {
        parts.push(bank.clone());
    }
    parts.push(w.flow(screen.flow).to_string());
    parts.push(format!("{} {}", w.session, screen.session));
    format!("[{}] {}", screen.code.as_str(), parts.join(" · "))
}

/// A token as one line: model, serial, label and how it stands for the step.
pub fn token_line(token: &TokenLine, w: &Words) -> String {
    let mark = match token.mark {
        TokenMark::Chosen => format!(" ({})", w.chosen),
        TokenMark::Wrong => format!(" ({})", w.wrong),
        TokenMark::Other => String::new(),
    };
    let label = if token.label.is_empty() {
        String::new()
    } else {
        format!(" «{}»", token.label)
    };
    format!("{} № {}{}{}", token.model, token.serial, label, mark)
}

/// The progress label, with "3/10" when the count is known.
pub fn progress_text(progress: &Progress, catalogue: &Catalogue) -> String {
    match progress {
        Progress::Working { label } => catalogue.text(label),
        Progress::Count { label, done, total } => {
            format!("{} [{done}/{total}]", catalogue.text(label))
        }
    }
}

/// A field's lines: its label and value, then its error, hint and suggestions.
fn field_lines(field: &Widget, catalogue: &Catalogue, w: &Words) -> Vec<String> {
    let t = |m: &Msg| catalogue.text(m);
    let name = field_name(field.id());
    let mut lines = Vec::new();
    match field {
        Widget::Text {
            label,
            value,
            required,
            read_only,
            error,
            hint,
            suggestions,
            ..
        } => {
            let mut head = format!("  {} ({name})", t(label));
            if *required {
                let _ = write!(head, ", {}", w.required);
            }
            if *read_only {
                let _ = write!(head, ", {}", w.read_only);
            }
            let shown = if value.is_empty() { w.empty } else { value };
            lines.push(format!("{head}: {shown}"));
            if let Some(e) = error {
                lines.push(format!("    {}: {}", w.error, t(e)));
            }
            if let Some(h) = hint {
                lines.push(format!("    {}", t(h)));
            }
            if !suggestions.is_empty() {
                let list: Vec<String> = suggestions
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}) {s}", i + 1))
                    .collect();
                lines.push(format!("    {}: {}", w.suggestions, list.join("  ")));
            }
        }
        Widget::Options {
            label,
            options,
            selected,
            ..
        } => {
            lines.push(format!("  {} ({name}):", t(label)));
            for (i, o) in options.iter().enumerate() {
                let mark = if *selected == Some(i) { "(*)" } else { "( )" };
                lines.push(format!("    {mark} {}) {}", i + 1, t(o)));
            }
        }
        Widget::Checkbox {
            label,
            checked,
            hint,
            ..
        } => {
            let mark = if *checked { "[x]" } else { "[ ]" };
            lines.push(format!("  {mark} {} ({name})", t(label)));
            if let Some(h) = hint {
                lines.push(format!("    {}", t(h)));
            }
        }
        Widget::Pin {
            label,
            hint,
            lengths,
            ..
        } => {
            lines.push(format!(
                "  {} ({name}): {}",
                t(label),
                w.pin_lengths(lengths.min, lengths.max)
            ));
            if let Some(h) = hint {
                lines.push(format!("    {}", t(h)));
            }
        }
    }
    lines
}
