//! What can hold the focus on a screen: its editable fields, then its choices. Computed
//! from the screen each time, so that a focus index never outlives the screen it was
//! meant for.

use smartkey_wizard::{Screen, Widget};

/// One focusable thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `screen.fields[i]`.
    Field(usize),
    /// `screen.choices[i]`.
    Choice(usize),
}

/// The focus targets of `screen`, top to bottom.
pub fn targets(screen: &Screen) -> Vec<Target> {
    let mut all: Vec<Target> = screen
        .fields
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            !matches!(
                w,
                Widget::Text {
                    read_only: true,
                    ..
                }
            )
        })
        .map(|(i, _)| Target::Field(i))
        .collect();
    all.extend((0..screen.choices.len()).map(Target::Choice));
    all
}

/// The target at `focus`, clamped to the screen's.
pub fn at(screen: &Screen, focus: usize) -> Option<Target> {
    let all = targets(screen);
    let last = all.len().checked_sub(1)?;
    all.get(focus.min(last)).copied()
}
