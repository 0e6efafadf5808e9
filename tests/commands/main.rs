//! The smartkey binary as a person, a script or support runs it: every command from the
//! outside (check, tokens, PINs, keys, requests, the flows, the demo, replays, the
//! full-screen terminal), and the shape of the source (layers).

#[path = "../app_common/mod.rs"]
mod app_common;
#[path = "../common/mod.rs"]
mod common;
#[path = "../pty_support/mod.rs"]
mod pty_support;

mod check;
mod conventions;
mod demo;
mod flows;
mod hostile_module;
mod layers;
mod replay;
mod replay_corpus;
mod rutoken_emu;
mod softhsm;
mod support_bundle;
mod terminal;
