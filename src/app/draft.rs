//! The N2.3 form as typed so far (`$XDG_STATE_HOME/smartkey/draft.json`): kept with each
//! change, offered again when `new` starts, removed once the request is sent. It holds
//! what the person typed into the form and nothing else: never a PIN.

use std::path::{Path, PathBuf};

use crate::wizard::FormDraft;

/// The draft's file.
#[derive(Debug, Clone)]
pub struct DraftStore {
    path: PathBuf,
}

/// The draft could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {detail}")]
pub struct DraftError {
    path: String,
    detail: String,
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

    fn error(&self, detail: impl ToString) -> DraftError {
        DraftError {
            path: self.path.display().to_string(),
            detail: detail.to_string(),
        }
    }

    /// The draft, if one was left; a broken file counts as none (it is only a help to
    /// the person, and the form checks everything again).
    pub fn load(&self) -> Option<FormDraft> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        match serde_json::from_str(&text) {
            Ok(draft) => Some(draft),
            Err(e) => {
                tracing::warn!(error = %self.error(e), "the form's draft cannot be read");
                None
            }
        }
    }

    pub fn save(&self, draft: &FormDraft) -> Result<(), DraftError> {
        super::state_file::write_json(&self.path, draft).map_err(|e| self.error(e))
    }

    pub fn clear(&self) -> Result<(), DraftError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }
}
