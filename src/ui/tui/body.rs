//! The body of the view as wrapped lines: instruction, notice, fields, choices,
//! document, progress, what to insert. Built as lines of known rows so that the view
//! can scroll the focused field into sight.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::ui::text::progress_text;
use crate::ui::words::Words;
use smartkey_i18n::Catalogue;
use smartkey_wizard::Msg;
use smartkey_wizard::{Level, Progress, Screen, Widget};

use super::focus::{self, Target};
use super::state::UiState;
use super::wrap::wrap;

/// The throbber's frames; which one shows is the state's tick, not the time.
const THROBBER: [&str; 4] = ["|", "/", "-", "\\"];
/// How many suggestions show under a field.
const MAX_SUGGESTIONS: usize = 5;

/// Styles, or none of them where colours are off (NO_COLOR): then only bold and
/// reverse mark things, which every terminal shows.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub colors: bool,
}

impl Palette {
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn header(self) -> Style {
        if self.colors {
            Style::new().fg(Color::Black).bg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn level(self, level: Level) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if !self.colors {
            return s;
        }
        match level {
            Level::Info => s.fg(Color::Cyan),
            Level::Warning => s.fg(Color::Yellow),
            Level::Danger | Level::Error => s.fg(Color::Red),
        }
    }

    pub fn focus(self) -> Style {
        if self.colors {
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn dim(self) -> Style {
        if self.colors {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn error(self) -> Style {
        self.level(Level::Error)
    }
}

/// The body's lines, and the rows of the focused target.
pub struct Body {
    pub lines: Vec<Line<'static>>,
    pub focus_rows: Option<(usize, usize)>,
}

struct Builder<'a> {
    width: usize,
    lines: Vec<Line<'static>>,
    catalogue: &'a Catalogue,
    palette: Palette,
}

impl Builder<'_> {
    fn text(&self, msg: &Msg) -> String {
        self.catalogue.text(msg)
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| l.width() > 0) {
            self.lines.push(Line::default());
        }
    }

    /// `text` wrapped after `first` (on the first row) and `rest` (on the others).
    fn wrapped(&mut self, first: &str, rest: &str, text: &str, style: Style) {
        let indent = first.width().max(rest.width());
        let rows = wrap(text, self.width.saturating_sub(indent).max(1));
        for (i, row) in rows.into_iter().enumerate() {
            let prefix = if i == 0 { first } else { rest };
            self.lines.push(Line::from(vec![
                Span::styled(prefix.to_string(), style),
                Span::styled(row, style),
            ]));
        }
    }
}

/// Lays out `screen`'s body for `width` columns.
pub fn build(
    screen: &Screen,
    catalogue: &Catalogue,
    state: &UiState,
    width: usize,
    palette: Palette,
) -> Body {
    let words = Words::of(catalogue.lang());
    let mut b = Builder {
        width,
        lines: Vec::new(),
        catalogue,
        palette,
    };
    let focused = focus::at(screen, state.focus);
    let mut focus_rows = None;

    let title = b.text(&screen.title);
    b.wrapped("", "", &title, palette.title());
    for p in &screen.body {
        b.blank();
        let text = b.text(p);
        b.wrapped("", "", &text, Style::new());
    }
    if let Some(n) = &screen.notice {
        b.blank();
        let text = format!("{}: {}", words.level(n.level), b.text(&n.text));
        b.wrapped("! ", "  ", &text, palette.level(n.level));
    }
    if !screen.fields.is_empty() {
        b.blank();
    }
    for (i, widget) in screen.fields.iter().enumerate() {
        let is_focused = focused == Some(Target::Field(i));
        let start = b.lines.len();
        field(&mut b, widget, is_focused, state, words);
        if is_focused {
            focus_rows = Some((start, b.lines.len().saturating_sub(1)));
        }
    }
    if !screen.choices.is_empty() {
        b.blank();
        for (i, c) in screen.choices.iter().enumerate() {
            let is_focused = focused == Some(Target::Choice(i));
            let start = b.lines.len();
            let marker = if is_focused { "> " } else { "  " };
            let first = format!("{marker}{}) ", i + 1);
            let rest = " ".repeat(first.width());
            let style = if is_focused {
                palette.focus()
            } else {
                Style::new()
            };
            let text = b.text(c);
            b.wrapped(&first, &rest, &text, style);
            if is_focused {
                focus_rows = Some((start, b.lines.len().saturating_sub(1)));
            }
        }
    }
    if let Some(d) = &screen.document {
        b.blank();
        let title = b.text(&d.title);
        b.wrapped("", "", &title, palette.title());
        let date = b.text(&Msg::Date { date: d.date });
        let line = format!("{}, {} {}, {date}", d.bank, words.agent, d.agent_id);
        b.wrapped("", "", &line, palette.dim());
        for e in &d.entries {
            let text = format!("{}: {}", b.text(&e.label), b.text(&e.value));
            b.wrapped("  ", "    ", &text, Style::new());
        }
        for s in &d.signatures {
            let text = format!("{}: ____________", b.text(s));
            b.wrapped("  ", "    ", &text, Style::new());
        }
    }
    if let Some(p) = &screen.progress {
        b.blank();
        let text = progress_text(p, catalogue);
        match p {
            Progress::Working { .. } => {
                let frame = THROBBER[state.tick % THROBBER.len()];
                b.wrapped(&format!("{frame} "), "  ", &text, palette.title());
            }
            Progress::Count { done, total, .. } => {
                b.lines.push(Line::from(gauge(*done, *total, 20)));
                b.wrapped("", "", &text, palette.title());
            }
        }
    }
    if let Some(a) = &screen.awaiting {
        b.blank();
        let text = format!("{}: {}", words.awaiting, b.text(a));
        b.wrapped("» ", "  ", &text, palette.title());
    }
    Body {
        lines: b.lines,
        focus_rows,
    }
}

/// "[#######-------------]": `done` of `total` in `cells` cells.
fn gauge(done: u32, total: u32, cells: usize) -> String {
    let filled = if total == 0 {
        0
    } else {
        (done.min(total) as usize * cells) / total as usize
    };
    format!("[{}{}]", "#".repeat(filled), "-".repeat(cells - filled))
}

fn field(b: &mut Builder<'_>, widget: &Widget, focused: bool, state: &UiState, words: &Words) {
    let palette = b.palette;
    let marker = if focused { "> " } else { "  " };
    let style = if focused {
        palette.focus()
    } else {
        Style::new()
    };
    let cursor = if focused { "_" } else { "" };
    match widget {
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
            let star = if *required { "*" } else { "" };
            let shown = if value.is_empty() && !focused {
                words.empty.to_string()
            } else {
                format!("{value}{cursor}")
            };
            let style = if *read_only { palette.dim() } else { style };
            let text = format!("{}{star}: {shown}", b.text(label));
            b.wrapped(marker, "    ", &text, style);
            if let Some(e) = error {
                let text = b.text(e);
                b.wrapped("    x ", "      ", &text, palette.error());
            }
            if focused {
                for (i, s) in suggestions.iter().take(MAX_SUGGESTIONS).enumerate() {
                    let picked = state.suggestion == Some(i);
                    let first = if picked { "    > " } else { "      " };
                    let s_style = if picked {
                        palette.focus()
                    } else {
                        palette.dim()
                    };
                    b.wrapped(first, "      ", s, s_style);
                }
                if let Some(h) = hint {
                    let text = b.text(h);
                    b.wrapped("    ", "    ", &text, palette.dim());
                }
            }
        }
        Widget::Options {
            label,
            options,
            selected,
            ..
        } => {
            let list: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let mark = if *selected == Some(i) { "(*)" } else { "( )" };
                    format!("{mark} {}", b.text(o))
                })
                .collect();
            let text = format!("{}: {}", b.text(label), list.join("  "));
            b.wrapped(marker, "    ", &text, style);
        }
        Widget::Checkbox {
            label,
            checked,
            hint,
            ..
        } => {
            let mark = if *checked { "[x]" } else { "[ ]" };
            let text = format!("{mark} {}", b.text(label));
            b.wrapped(marker, "      ", &text, style);
            if let (true, Some(h)) = (focused, hint) {
                let text = b.text(h);
                b.wrapped("    ", "    ", &text, palette.dim());
            }
        }
        Widget::Pin {
            id,
            label,
            hint,
            lengths,
        } => {
            let dots = "•".repeat(state.pin_len(*id));
            let text = format!("{}: {dots}{cursor}", b.text(label));
            b.wrapped(marker, "    ", &text, style);
            if focused {
                let mut text = words.pin_lengths(lengths.min, lengths.max);
                if let Some(h) = hint {
                    text = format!("{}. {text}", b.text(h));
                }
                b.wrapped("    ", "    ", &text, palette.dim());
            }
        }
    }
}
