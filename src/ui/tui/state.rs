//! [`UiState`]: what the view keeps between frames that the screen does not say: which
//! target has the focus, the PINs being typed, the highlighted suggestion, the scroll.
//!
//! Text fields keep no buffer of their own: the wizard's screen holds their text, and
//! every keystroke is sent as an `Answer::Edit` with the new text, so the suggestions
//! and checks the wizard shows follow what is typed. PINs are the exception: they stay
//! here, in zeroising buffers, until the person submits them.

use std::collections::BTreeMap;

use zeroize::{Zeroize, Zeroizing};

use smartkey_wizard::{FieldId, Screen, StepCode};

/// Room for the longest PIN a Rutoken takes, so that typing never reallocates a buffer
/// (a reallocation would leave a copy of the PIN behind, unzeroised).
const PIN_CAPACITY: usize = 256;

/// The view's own state.
#[derive(Debug, Default)]
pub struct UiState {
    /// Index into [`focus::targets`](super::focus::targets) of the screen.
    pub(crate) focus: usize,
    /// The PINs typed so far, by field.
    pub(crate) pins: BTreeMap<FieldId, Zeroizing<String>>,
    /// The highlighted suggestion of the focused text field.
    pub(crate) suggestion: Option<usize>,
    /// The entry of the screen's list last chosen: Enter on it again goes on (a step
    /// like N2.1 keeps its list after the choice and waits for "Next").
    pub(crate) picked: Option<usize>,
    /// Whether the person has moved the focus on this step: until then Enter does what
    /// the footer says, and picks from the list only when the step offers nothing else.
    pub(crate) moved: bool,
    /// Lines scrolled down, where no focused field decides the scroll.
    pub(crate) scroll: u16,
    /// The frame of the progress throbber; advanced by the runtime's ticks, never by a
    /// clock read here.
    pub(crate) tick: usize,
    /// The step the state belongs to.
    code: Option<StepCode>,
    fields: Vec<FieldId>,
}

impl UiState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Follows the wizard to `screen`: a new step (or new fields) starts with a fresh
    /// focus and empty PIN buffers.
    pub fn sync(&mut self, screen: &Screen) {
        let fields: Vec<FieldId> = screen.fields.iter().map(|w| w.id()).collect();
        if self.code != Some(screen.code) || self.fields != fields {
            self.code = Some(screen.code);
            self.fields = fields;
            self.focus = 0;
            self.suggestion = None;
            self.picked = None;
            self.moved = false;
            self.scroll = 0;
            self.clear_pins();
        }
        let has_suggestions = super::focus::at(screen, self.focus)
            .and_then(|t| match t {
                super::focus::Target::Field(i) => screen.fields.get(i),
                super::focus::Target::Choice(_) => None,
            })
            .map(|w| match w {
                smartkey_wizard::Widget::Text { suggestions, .. } => suggestions.len(),
                _ => 0,
            })
            .unwrap_or(0);
        if self.suggestion.is_some_and(|s| s >= has_suggestions) {
            self.suggestion = None;
        }
    }

    /// Moves the throbber one frame on (the runtime calls this on its timer).
    pub fn tick(&mut self) {
        self.tick = self.tick.wrapping_add(1);
    }

    /// How many characters were typed into a PIN field (the view shows one dot each).
    pub fn pin_len(&self, field: FieldId) -> usize {
        self.pins.get(&field).map_or(0, |p| p.chars().count())
    }

    pub(crate) fn pin_mut(&mut self, field: FieldId) -> &mut Zeroizing<String> {
        self.pins
            .entry(field)
            .or_insert_with(|| Zeroizing::new(String::with_capacity(PIN_CAPACITY)))
    }

    /// Takes the PIN typed into `field` out of its buffer, leaving it zeroised.
    pub(crate) fn take_pin(&mut self, field: FieldId) -> String {
        match self.pins.get_mut(&field) {
            Some(buffer) => {
                let pin = buffer.as_str().to_string();
                buffer.zeroize();
                pin
            }
            None => String::new(),
        }
    }

    /// Zeroises every PIN buffer.
    pub fn clear_pins(&mut self) {
        for buffer in self.pins.values_mut() {
            buffer.zeroize();
        }
        self.pins.clear();
    }
}
