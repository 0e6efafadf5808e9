//! Keys to answers. Tab/Shift-Tab and Up/Down move the focus, typing edits the focused
//! text field, Enter goes on (or submits the PINs, or picks the highlighted entry),
//! Esc goes back, F5 retries, F2 confirms where Enter does something else, F10 or
//! Ctrl-Q (or Ctrl-C, which raw mode delivers as a key) cancels (the wizard decides
//! whether it may), digits choose on choice screens, Space ticks a checkbox,
//! PageUp/PageDown scroll.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use smartkey_wizard::Pin;
use smartkey_wizard::{ActionKind, Answer, FieldId, Screen, Widget};

use super::focus::{self, Target};
use super::state::UiState;

/// How far PageUp/PageDown scroll.
const PAGE: u16 = 10;

impl UiState {
    /// What `key` means on `screen`: an answer for the wizard, or `None` when the key
    /// only moved something in the view (or means nothing here).
    pub fn on_key(&mut self, key: KeyEvent, screen: &Screen) -> Option<Answer> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let target = focus::at(screen, self.focus);
        let widget = match target {
            Some(Target::Field(i)) => screen.fields.get(i),
            _ => None,
        };
        match key.code {
            KeyCode::F(10) => Some(Answer::Cancel),
            KeyCode::Char('q' | 'c') if ctrl => Some(Answer::Cancel),
            KeyCode::Esc => screen.offers(ActionKind::Back).then_some(Answer::Back),
            KeyCode::F(5) => screen.offers(ActionKind::Retry).then_some(Answer::Retry),
            KeyCode::F(2) => screen
                .offers(ActionKind::Confirm)
                .then_some(Answer::Confirm),
            KeyCode::Tab => self.move_focus(screen, 1),
            KeyCode::BackTab => self.move_focus(screen, -1),
            KeyCode::Down => self.down(screen, widget),
            KeyCode::Up => self.up(screen, widget),
            KeyCode::PageDown => {
                self.scroll = self.scroll.saturating_add(PAGE);
                None
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(PAGE);
                None
            }
            KeyCode::Left | KeyCode::Right => {
                let step = if key.code == KeyCode::Left { -1 } else { 1 };
                self.shift_option(widget, step)
            }
            KeyCode::Enter => self.enter(screen, target, widget),
            KeyCode::Backspace => self.backspace(widget),
            KeyCode::Char(c) if !ctrl => self.typed(screen, widget, c),
            _ => None,
        }
    }

    fn move_focus(&mut self, screen: &Screen, by: isize) -> Option<Answer> {
        let count = focus::targets(screen).len();
        if count > 0 {
            let current = self.focus.min(count - 1) as isize;
            self.focus = (current + by).rem_euclid(count as isize) as usize;
            self.moved = true;
        }
        self.suggestion = None;
        None
    }

    /// Down walks the focused field's suggestions first, then on to the next target.
    fn down(&mut self, screen: &Screen, widget: Option<&Widget>) -> Option<Answer> {
        if let Some(Widget::Text { suggestions, .. }) = widget {
            let next = self.suggestion.map_or(0, |s| s + 1);
            if next < suggestions.len() {
                self.suggestion = Some(next);
                return None;
            }
        }
        if focus::targets(screen).is_empty() {
            self.scroll = self.scroll.saturating_add(1);
            return None;
        }
        self.move_focus(screen, 1)
    }

    fn up(&mut self, screen: &Screen, widget: Option<&Widget>) -> Option<Answer> {
        if matches!(widget, Some(Widget::Text { .. })) && self.suggestion.is_some() {
            self.suggestion = self.suggestion.and_then(|s| s.checked_sub(1));
            return None;
        }
        if focus::targets(screen).is_empty() {
            self.scroll = self.scroll.saturating_sub(1);
            return None;
        }
        self.move_focus(screen, -1)
    }

    fn shift_option(&mut self, widget: Option<&Widget>, by: isize) -> Option<Answer> {
        let Some(Widget::Options {
            id,
            options,
            selected,
            ..
        }) = widget
        else {
            return None;
        };
        if options.is_empty() {
            return None;
        }
        let current = selected.unwrap_or(0) as isize;
        let index = (current + by).clamp(0, options.len() as isize - 1) as usize;
        (Some(index) != *selected).then_some(Answer::Select { field: *id, index })
    }

    fn enter(
        &mut self,
        screen: &Screen,
        target: Option<Target>,
        widget: Option<&Widget>,
    ) -> Option<Answer> {
        if let (Some(Widget::Text { id, .. }), Some(index)) = (widget, self.suggestion) {
            self.suggestion = None;
            return Some(Answer::Select { field: *id, index });
        }
        let deliberate = self.moved || screen.enter_action().is_none();
        if let Some(Target::Choice(i)) = target
            && deliberate
            && self.picked != Some(i)
        {
            self.picked = Some(i);
            return Some(Answer::Choose(i));
        }
        match screen.enter_action()? {
            ActionKind::Next => Some(Answer::Next),
            ActionKind::Confirm => Some(Answer::Confirm),
            ActionKind::Retry => Some(Answer::Retry),
            ActionKind::SubmitPin => {
                let field = pin_fields(screen).first().copied()?;
                Some(Answer::Pin(Pin::new(self.take_pin(field))))
            }
            ActionKind::SubmitPinChange => self.submit_change(screen, widget),
            ActionKind::Back | ActionKind::Cancel => None,
        }
    }

    /// Enter on the PIN change form moves on to the next PIN field while the focused one
    /// is filled and not the last, and submits all three from the last.
    fn submit_change(&mut self, screen: &Screen, widget: Option<&Widget>) -> Option<Answer> {
        let fields = pin_fields(screen);
        if let Some(Widget::Pin { id, .. }) = widget {
            let last = fields.last() == Some(id);
            if !last && self.pin_len(*id) > 0 {
                return self.move_focus(screen, 1);
            }
        }
        let answer = Answer::ChangePin {
            current: Pin::new(self.take_pin(FieldId::CurrentPin)),
            new: Pin::new(self.take_pin(FieldId::NewPin)),
            repeat: Pin::new(self.take_pin(FieldId::RepeatPin)),
        };
        self.clear_pins();
        self.focus = 0;
        Some(answer)
    }

    fn backspace(&mut self, widget: Option<&Widget>) -> Option<Answer> {
        match widget? {
            Widget::Text {
                id,
                value,
                read_only: false,
                ..
            } => {
                let mut value = value.clone();
                value.pop()?;
                self.suggestion = None;
                Some(Answer::Edit { field: *id, value })
            }
            Widget::Pin { id, .. } => {
                self.pin_mut(*id).pop();
                None
            }
            _ => None,
        }
    }

    fn typed(&mut self, screen: &Screen, widget: Option<&Widget>, c: char) -> Option<Answer> {
        match widget {
            Some(Widget::Text {
                id,
                value,
                read_only: false,
                ..
            }) => {
                if c.is_control() {
                    return None;
                }
                let mut value = value.clone();
                value.push(c);
                self.suggestion = None;
                Some(Answer::Edit { field: *id, value })
            }
            Some(Widget::Pin { id, lengths, .. }) => {
                let buffer = self.pin_mut(*id);
                if !c.is_control() && buffer.chars().count() < lengths.max.min(64) {
                    buffer.push(c);
                }
                None
            }
            Some(Widget::Checkbox { id, checked, .. }) if c == ' ' => Some(Answer::Tick {
                field: *id,
                on: !checked,
            }),
            Some(Widget::Options { .. }) if c == ' ' => self.shift_option(widget, 1),
            _ => {
                let n = c.to_digit(10)? as usize;
                let i = n.checked_sub(1)?;
                (i < screen.choices.len()).then(|| {
                    self.picked = Some(i);
                    Answer::Choose(i)
                })
            }
        }
    }
}

/// The PIN fields of a screen, in order.
fn pin_fields(screen: &Screen) -> Vec<FieldId> {
    screen
        .fields
        .iter()
        .filter_map(|w| match w {
            Widget::Pin { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}
