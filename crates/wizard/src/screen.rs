//! [`Screen`]: one step as plain data. The terminal UI, the plain line mode and replay
//! transcripts all render the same description; texts are message ids with their
//! arguments ([`Msg`]), worded by [`smartkey_i18n::Catalogue`] in the chosen language.
//!
//! A screen never holds a PIN: a PIN field says only what it is for and which lengths
//! the token takes; the renderer shows a mask of what is being typed and hands the PIN
//! over in the [`Answer`](super::Answer) when the person submits.

use serde::{Deserialize, Serialize};

use crate::msg::Msg;

use super::codes::{FlowKind, StepCode};
use super::document::Document;
use super::field::FieldId;
use crate::pin::PinLengths;

/// What a person sees now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screen {
    /// The bank's step code ("N2.4").
    pub code: StepCode,
    pub flow: FlowKind,
    /// The short code support asks for, shown in the header.
    pub session: String,
    /// The bank's name, when known.
    pub bank: Option<String>,
    pub title: Msg,
    /// The instruction, paragraph by paragraph.
    pub body: Vec<Msg>,
    /// A message that stands out: a refusal, a wrong PIN, a warning.
    pub notice: Option<Notice>,
    pub fields: Vec<Widget>,
    /// A list to pick one entry of (`Answer::Choose(index)`).
    pub choices: Vec<Msg>,
    /// The tokens inserted now.
    pub tokens: Vec<TokenLine>,
    /// A document to read (the application, the act).
    pub document: Option<Document>,
    pub progress: Option<Progress>,
    /// What the wizard waits for in the card reader ("insert...", "remove...").
    pub awaiting: Option<Msg>,
    /// What the person can do.
    pub actions: Vec<Action>,
}

impl Screen {
    /// Whether the screen takes this kind of action.
    pub fn offers(&self, kind: ActionKind) -> bool {
        self.actions.iter().any(|a| a.kind == kind)
    }

    /// What Enter alone does on this screen, if anything: every front end agrees on it.
    pub fn enter_action(&self) -> Option<ActionKind> {
        [
            ActionKind::Next,
            ActionKind::SubmitPin,
            ActionKind::SubmitPinChange,
            ActionKind::Confirm,
            ActionKind::Retry,
        ]
        .into_iter()
        .find(|k| self.offers(*k))
    }

    pub fn field(&self, id: FieldId) -> Option<&Widget> {
        self.fields.iter().find(|w| w.id() == id)
    }

    /// Every message on the screen, for renderers and checks.
    pub fn messages(&self) -> Vec<&Msg> {
        let mut all = vec![&self.title];
        all.extend(&self.body);
        all.extend(self.notice.as_ref().map(|n| &n.text));
        for w in &self.fields {
            all.extend(w.messages());
        }
        all.extend(&self.choices);
        if let Some(d) = &self.document {
            all.push(&d.title);
            all.extend(d.entries.iter().map(|e| &e.label));
        }
        all.extend(self.progress.as_ref().map(Progress::label));
        all.extend(&self.awaiting);
        all.extend(self.actions.iter().map(|a| &a.label));
        all
    }
}

/// How loud a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Warning,
    /// The last try before a lock, an irreversible act.
    Danger,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub level: Level,
    pub text: Msg,
}

impl Notice {
    pub fn new(level: Level, text: Msg) -> Notice {
        Notice { level, text }
    }
}

/// One input of a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "widget", rename_all = "snake_case")]
pub enum Widget {
    /// A line of text (`Answer::Edit`); suggestions are picked with `Answer::Select`.
    Text {
        id: FieldId,
        label: Msg,
        value: String,
        required: bool,
        read_only: bool,
        error: Option<Msg>,
        hint: Option<Msg>,
        suggestions: Vec<String>,
    },
    /// One of a list (`Answer::Select`).
    Options {
        id: FieldId,
        label: Msg,
        options: Vec<Msg>,
        selected: Option<usize>,
    },
    /// A tick (`Answer::Tick`).
    Checkbox {
        id: FieldId,
        label: Msg,
        checked: bool,
        hint: Option<Msg>,
    },
    /// A masked PIN input; the screen holds no PIN, only what it is for.
    Pin {
        id: FieldId,
        label: Msg,
        hint: Option<Msg>,
        lengths: PinLengths,
    },
}

impl Widget {
    pub fn id(&self) -> FieldId {
        match self {
            Widget::Text { id, .. }
            | Widget::Options { id, .. }
            | Widget::Checkbox { id, .. }
            | Widget::Pin { id, .. } => *id,
        }
    }

    /// The field's error, where it has one.
    pub fn error(&self) -> Option<&Msg> {
        match self {
            Widget::Text { error, .. } => error.as_ref(),
            _ => None,
        }
    }

    fn messages(&self) -> Vec<&Msg> {
        match self {
            Widget::Text {
                label, error, hint, ..
            } => {
                let mut v = vec![label];
                v.extend(error);
                v.extend(hint);
                v
            }
            Widget::Options { label, options, .. } => {
                let mut v = vec![label];
                v.extend(options);
                v
            }
            Widget::Checkbox { label, hint, .. } | Widget::Pin { label, hint, .. } => {
                let mut v = vec![label];
                v.extend(hint);
                v
            }
        }
    }
}

/// How a token in the list stands for this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenMark {
    /// The one the step works with.
    Chosen,
    /// Not the one the step waits for.
    Wrong,
    /// Neither: one of several, not picked yet.
    Other,
}

/// One inserted token, as listed on a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLine {
    pub model: String,
    pub serial: String,
    pub label: String,
    pub mark: TokenMark,
}

/// Something under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// No way to tell how long: a spinner and what it does.
    Working { label: Msg },
    /// `done` of `total`.
    Count { label: Msg, done: u32, total: u32 },
}

impl Progress {
    pub fn label(&self) -> &Msg {
        match self {
            Progress::Working { label } | Progress::Count { label, .. } => label,
        }
    }
}

/// Which answer an action sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Next,
    Back,
    Cancel,
    Retry,
    Confirm,
    /// Submit the PIN field (`Answer::Pin`).
    SubmitPin,
    /// Submit the three PIN fields (`Answer::ChangePin`).
    SubmitPinChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub label: Msg,
}
