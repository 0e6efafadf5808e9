//! The N2.3 form as typed so far (`$XDG_STATE_HOME/smartkey/draft.json`): kept with each
//! change, offered again when `new` starts, removed once the request is sent. It holds
//! what the person typed into the form and nothing else: never a PIN.

use std::path::{Path, PathBuf};

use super::state_file::{self, StateFileError};
use smartkey_wizard::FormDraft;

/// The draft's file.
#[derive(Debug, Clone)]
pub struct DraftStore {
    path: PathBuf,
}

impl DraftStore {
    pub fn at(path: impl Into<PathBuf>) -> DraftStore {
        DraftStore { path: path.into() }
    }

    /// `$XDG_STATE_HOME/smartkey/draft.json`; `None` when no home is known.
    pub fn default_location() -> Option<DraftStore> {
        crate::config::state_dir().map(|d| DraftStore::at(d.join("draft.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The draft, if one was left; a broken file counts as none (it is only a help to
    /// the person, and the form checks everything again).
    pub fn load(&self) -> Option<FormDraft> {
        match state_file::read_json_opt(&self.path) {
            Ok(draft) => draft,
            Err(e) => {
                tracing::warn!(error = %e, "the form's draft cannot be read");
                None
            }
        }
    }

    pub fn save(&self, draft: &FormDraft) -> Result<(), StateFileError> {
        state_file::write_json(&self.path, draft)
    }

    pub fn clear(&self) -> Result<(), StateFileError> {
        state_file::remove(&self.path)
    }
}
