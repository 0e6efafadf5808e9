//! The renderers of one `Screen`: plain text, typed lines, keys in the full-screen view,
//! and the screens of every step as snapshots.

#[path = "../ui_fixtures/mod.rs"]
mod ui_fixtures;

mod keys;
mod line;
mod screens;
mod text;
