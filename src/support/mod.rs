//! Diagnostics for the bank's support: one archive with everything support needs to
//! see what happened on the client's computer (the check, versions, the tokens' public
//! information, settings, the last wizard transcripts and logs), and nothing secret.
//!
//! Two layers keep secrets out: smartkey never writes a PIN anywhere in the first place
//! (PINs are secrecy types; logs and transcripts get none), and every file is passed
//! through [`Redactor`] on the way into the archive, in case something slipped through
//! or a person typed a PIN where it did not belong.

mod bundle;
mod redact;

use std::path::PathBuf;

pub use bundle::{BundleEntry, Manifest, SupportError, default_bundle_name, make_bundle};
pub use redact::{MASK, Redacted, Redactor};

/// The folder of smartkey's state directory where wizard transcripts are kept.
pub const TRANSCRIPTS: &str = "transcripts";

/// Where wizard transcripts are kept (`$XDG_STATE_HOME/smartkey/transcripts`), so that
/// support bundles find them.
pub fn transcripts_dir() -> Option<PathBuf> {
    crate::config::state_dir().map(|d| d.join(TRANSCRIPTS))
}
