//! Line mode input: what a typed line means on the screen shown. The runtime prints
//! [`render_screen`](super::text::render_screen), reads a line, and acts on the
//! [`LineCommand`] this module makes of it. PINs are never typed on a command line:
//! a PIN screen answers [`LineCommand::NeedsPin`], and the runtime reads the PIN without
//! echo.
//!
//! Commands are accepted in both languages whatever the screen's language, so that
//! a support agent can dictate either.

use smartkey_i18n::Lang;
use smartkey_wizard::{ActionKind, Answer, FieldId, Screen, Widget};

/// What a typed line asks for.
#[derive(Debug)]
pub enum LineCommand {
    /// An answer for the wizard.
    Answer(Answer),
    /// The runtime must read this PIN field without echo, then answer with
    /// `Answer::Pin` (or, for the change form, all three fields and `Answer::ChangePin`).
    NeedsPin(FieldId),
    /// New text for a text field: the runtime sends `Answer::Edit { field, value }`.
    SetField(FieldId, String),
    /// Show the commands ([`Words::line_help`](super::words::Words)).
    Help,
    /// Leave the program (the runtime asks the wizard to cancel first).
    Quit,
    /// Nothing this screen takes; the text is given back for the message.
    Unknown(String),
}

/// The line-mode help (what [`LineCommand::Help`] shows), in `lang`.
pub fn help(lang: Lang) -> &'static str {
    super::words::Words::of(lang).line_help
}

/// The name a field is typed by in line mode ("city"); stable, as in journals.
pub fn field_name(id: FieldId) -> &'static str {
    match id {
        FieldId::KeyType => "key_type",
        FieldId::Surname => "surname",
        FieldId::GivenName => "given_name",
        FieldId::Patronymic => "patronymic",
        FieldId::LegalEntity => "legal_entity",
        FieldId::Organization => "organization",
        FieldId::Inn => "inn",
        FieldId::Kio => "kio",
        FieldId::Document => "document",
        FieldId::Country => "country",
        FieldId::City => "city",
        FieldId::Address => "address",
        FieldId::Phone => "phone",
        FieldId::Email => "email",
        FieldId::SerialTail => "serial_tail",
        FieldId::Pin => "pin",
        FieldId::CurrentPin => "current_pin",
        FieldId::NewPin => "new_pin",
        FieldId::RepeatPin => "repeat_pin",
        FieldId::PaymentWentThrough => "payment_went_through",
    }
}

/// What to type for an action, as the text renderer lists it.
pub fn action_command(kind: ActionKind, lang: Lang) -> &'static str {
    let ru = lang == Lang::Ru;
    match kind {
        ActionKind::Next | ActionKind::SubmitPin | ActionKind::SubmitPinChange => "Enter",
        ActionKind::Back => pick(ru, "назад", "back"),
        ActionKind::Cancel => pick(ru, "отмена", "cancel"),
        ActionKind::Retry => pick(ru, "повтор", "retry"),
        ActionKind::Confirm => pick(ru, "да", "yes"),
    }
}

fn pick(ru: bool, a: &'static str, b: &'static str) -> &'static str {
    if ru { a } else { b }
}

/// The words of each action, in both languages.
const ACTION_WORDS: [(&str, ActionKind); 14] = [
    ("next", ActionKind::Next),
    ("n", ActionKind::Next),
    ("далее", ActionKind::Next),
    ("дальше", ActionKind::Next),
    ("back", ActionKind::Back),
    ("назад", ActionKind::Back),
    ("cancel", ActionKind::Cancel),
    ("отмена", ActionKind::Cancel),
    ("retry", ActionKind::Retry),
    ("повтор", ActionKind::Retry),
    ("yes", ActionKind::Confirm),
    ("confirm", ActionKind::Confirm),
    ("да", ActionKind::Confirm),
    ("подтвердить", ActionKind::Confirm),
];

/// What `line` means on `screen`.
pub fn parse_line(line: &str, screen: &Screen) -> LineCommand {
    let typed = line.trim();
    let lower = typed.to_lowercase();
    if typed.is_empty() {
        return match screen.enter_action() {
            Some(kind) => action(kind, screen),
            None => LineCommand::Unknown(String::new()),
        };
    }
    match lower.as_str() {
        "help" | "?" | "помощь" | "h" => return LineCommand::Help,
        "quit" | "exit" | "выход" | "q" => return LineCommand::Quit,
        "pin" | "пин" => {
            return match first_pin(screen) {
                Some(id) => LineCommand::NeedsPin(id),
                None => LineCommand::Unknown(typed.to_string()),
            };
        }
        _ => {}
    }
    if let Some((_, kind)) = ACTION_WORDS.iter().find(|(w, _)| *w == lower) {
        return if screen.offers(*kind) {
            action(*kind, screen)
        } else {
            LineCommand::Unknown(typed.to_string())
        };
    }
    if let Ok(n) = typed.parse::<usize>() {
        return match n.checked_sub(1) {
            Some(i) if i < screen.choices.len() => LineCommand::Answer(Answer::Choose(i)),
            _ => LineCommand::Unknown(typed.to_string()),
        };
    }
    match split_field(typed) {
        Some((name, value)) => set_field(screen, name, value, typed),
        None => LineCommand::Unknown(typed.to_string()),
    }
}

/// The answer an action sends; PIN submissions first need the PIN read.
fn action(kind: ActionKind, screen: &Screen) -> LineCommand {
    let answer = match kind {
        ActionKind::Next => Answer::Next,
        ActionKind::Back => Answer::Back,
        ActionKind::Cancel => Answer::Cancel,
        ActionKind::Retry => Answer::Retry,
        ActionKind::Confirm => Answer::Confirm,
        ActionKind::SubmitPin | ActionKind::SubmitPinChange => {
            return match first_pin(screen) {
                Some(id) => LineCommand::NeedsPin(id),
                None => LineCommand::Unknown(String::new()),
            };
        }
    };
    LineCommand::Answer(answer)
}

fn first_pin(screen: &Screen) -> Option<FieldId> {
    screen.fields.iter().find_map(|w| match w {
        Widget::Pin { id, .. } => Some(*id),
        _ => None,
    })
}

/// "city=Моск" or ":city Моск" as ("city", "Моск").
fn split_field(typed: &str) -> Option<(&str, &str)> {
    if let Some(rest) = typed.strip_prefix(':') {
        let (name, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        return Some((name.trim(), value.trim()));
    }
    let (name, value) = typed.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some((name, value.trim()))
}

fn set_field(screen: &Screen, name: &str, value: &str, typed: &str) -> LineCommand {
    let name = name.to_lowercase();
    let Some(widget) = screen.fields.iter().find(|w| field_name(w.id()) == name) else {
        return LineCommand::Unknown(typed.to_string());
    };
    let field = widget.id();
    match widget {
        Widget::Text {
            read_only: true, ..
        } => LineCommand::Unknown(typed.to_string()),
        Widget::Text { suggestions, .. } => match number_in(value, suggestions.len()) {
            Some(index) => LineCommand::Answer(Answer::Select { field, index }),
            None => LineCommand::SetField(field, value.to_string()),
        },
        Widget::Options { options, .. } => match number_in(value, options.len()) {
            Some(index) => LineCommand::Answer(Answer::Select { field, index }),
            None => LineCommand::Unknown(typed.to_string()),
        },
        Widget::Checkbox { checked, .. } => {
            let on = match value.to_lowercase().as_str() {
                "" => !checked,
                "yes" | "y" | "on" | "1" | "x" | "да" | "д" => true,
                "no" | "off" | "0" | "нет" | "н" => false,
                _ => return LineCommand::Unknown(typed.to_string()),
            };
            LineCommand::Answer(Answer::Tick { field, on })
        }
        // Whatever was typed after a PIN field's name is dropped: a PIN is read hidden.
        Widget::Pin { .. } => LineCommand::NeedsPin(field),
    }
}

/// `value` as an entry number 1..=len, as an index.
fn number_in(value: &str, len: usize) -> Option<usize> {
    let n: usize = value.parse().ok()?;
    let i = n.checked_sub(1)?;
    (i < len).then_some(i)
}
