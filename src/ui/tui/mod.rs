//! The full-screen terminal view: a header (bank, flow, step code, session code for
//! support), the scrollable body, the tokens inserted now, and a footer of keys.
//! [`draw`] renders a [`Screen`] into whatever area the frame has (it follows resizes);
//! [`UiState::on_key`] turns keys into answers. The runtime owns the terminal and the
//! loop; this module never reads the clock or the environment.

mod body;
mod focus;
mod keys;
mod state;
mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::ui::text::{header, token_line};
use crate::ui::words::Words;
use smartkey_i18n::Catalogue;
use smartkey_wizard::{ActionKind, Screen, TokenMark, Widget};

use body::Palette;
pub use state::UiState;

/// The smallest terminal the view lays a screen out in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// At most this many tokens are listed; more are rare and the body needs the rows.
const MAX_TOKEN_ROWS: usize = 3;

/// Draws `screen` into the whole frame; `colors` is off where NO_COLOR is set.
pub fn draw(
    frame: &mut Frame,
    screen: &Screen,
    catalogue: &Catalogue,
    state: &UiState,
    colors: bool,
) {
    let area = frame.area();
    let words = Words::of(catalogue.lang());
    let palette = Palette { colors };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = Paragraph::new(words.too_small).wrap(Wrap { trim: true });
        frame.render_widget(text, area);
        return;
    }
    let token_rows = if screen.tokens.is_empty() {
        0
    } else {
        screen.tokens.len().min(MAX_TOKEN_ROWS) as u16 + 2
    };
    let [head, main, tokens, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(token_rows),
        Constraint::Length(1),
    ])
    .areas(area);

    let head_text = format!(" {}", header(screen, words));
    frame.render_widget(Paragraph::new(head_text).style(palette.header()), head);

    let inner = Rect {
        x: main.x.saturating_add(1),
        y: main.y.saturating_add(1),
        width: main.width.saturating_sub(2),
        height: main.height.saturating_sub(1),
    };
    let body = body::build(screen, catalogue, state, usize::from(inner.width), palette);
    let scroll = scroll_for(&body, state.scroll, usize::from(inner.height));
    let overflow = body.lines.len() > usize::from(inner.height);
    frame.render_widget(Paragraph::new(body.lines).scroll((scroll, 0)), inner);

    if token_rows > 0 {
        let lines: Vec<Line> = screen
            .tokens
            .iter()
            .take(MAX_TOKEN_ROWS)
            .map(|t| {
                let marker = if t.mark == TokenMark::Chosen {
                    "> "
                } else {
                    "  "
                };
                Line::from(format!("{marker}{}", token_line(t, words)))
            })
            .collect();
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", words.tokens));
        frame.render_widget(Paragraph::new(lines).block(block), tokens);
    }

    frame.render_widget(
        Paragraph::new(footer(
            screen,
            catalogue,
            overflow,
            palette,
            usize::from(foot.width),
        )),
        foot,
    );
}

/// The first row to show: the focused target in sight, else where the person scrolled.
fn scroll_for(body: &body::Body, wanted: u16, height: usize) -> u16 {
    let total = body.lines.len();
    let max = total.saturating_sub(height);
    let row = match body.focus_rows {
        Some((start, end)) => {
            let lowest = (end + 1).saturating_sub(height).min(start);
            usize::from(wanted).clamp(lowest, start)
        }
        None => usize::from(wanted),
    };
    u16::try_from(row.min(max)).unwrap_or(u16::MAX)
}

/// The keys of the screen's actions, and how to move about where there is more than
/// one thing to move between.
fn footer(
    screen: &Screen,
    catalogue: &Catalogue,
    overflow: bool,
    palette: Palette,
    width: usize,
) -> Line<'static> {
    let words = Words::of(catalogue.lang());
    let mut keys: Vec<(String, String)> = Vec::new();
    for a in &screen.actions {
        let key = match a.kind {
            kind if Some(kind) == screen.enter_action() => "Enter",
            ActionKind::Back => "Esc",
            ActionKind::Cancel => "F10",
            ActionKind::Retry => "F5",
            _ => "F2",
        };
        keys.push((key.to_string(), catalogue.text(&a.label)));
    }
    if focus::targets(screen).len() > 1 {
        keys.push(("Tab".into(), words.key_field.into()));
    }
    match screen.choices.len() {
        0 => {}
        1 => keys.push(("1".into(), words.key_choose.into())),
        n => keys.push((format!("1-{}", n.min(9)), words.key_choose.into())),
    }
    let suggests =
        |w: &Widget| matches!(w, Widget::Text { suggestions, .. } if !suggestions.is_empty());
    if screen.fields.iter().any(suggests) {
        keys.push(("↓".into(), words.key_pick.into()));
    }
    if screen
        .fields
        .iter()
        .any(|w| matches!(w, Widget::Checkbox { .. }))
    {
        keys.push(("Space".into(), words.key_tick.into()));
    }
    if overflow {
        keys.push(("PgDn".into(), words.key_scroll.into()));
    }
    // The actions come first; the hints after them are left out whole where the row
    // ends, rather than cut mid-word.
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (i, (key, label)) in keys.into_iter().enumerate() {
        let gap = if i > 0 { 2 } else { 0 };
        let label = format!(" {label}");
        let needed = gap + key.width() + label.width();
        if i > 0 && used + needed > width {
            break;
        }
        used += needed;
        if gap > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key, palette.header()));
        spans.push(Span::styled(label, Style::new()));
    }
    Line::from(spans)
}
