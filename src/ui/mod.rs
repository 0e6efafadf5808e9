//! The renderers of the wizard's [`Screen`](smartkey_wizard::Screen): the full-screen
//! terminal view ([`tui`]), and plain text ([`text`]) with its line-mode input
//! ([`line`]) for `--plain`, screen readers and dumb terminals, and [`transcript`]s of
//! a run for support.
//!
//! Renderers only draw and translate keys into [`Answer`](smartkey_wizard::Answer)s; the
//! wizard decides everything. The same screen renders in Russian or English through
//! the [`Catalogue`](smartkey_i18n::Catalogue); the frame's own few words are in
//! [`words`].

pub mod line;
pub mod text;
pub mod transcript;
pub mod tui;
pub mod words;
