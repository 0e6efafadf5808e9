//! The saving of a document for printing (N2.7, N2.10, R2.10), as a step shows it.

use serde::{Deserialize, Serialize};

use crate::input::FailureKind;
use crate::msg::Msg;
use crate::screen::{Action, ActionKind, Level, Notice, Progress, Screen};

/// Where the saving of a document for printing stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Saving {
    InProgress,
    Saved { location: String },
    Failed { kind: FailureKind },
}

impl Saving {
    /// Shows on `screen` how the saving stands: under way, where the file went, or the
    /// failure with a retry.
    pub fn show(&self, screen: &mut Screen) {
        match self {
            Saving::InProgress => {
                screen.progress = Some(Progress::Working {
                    label: Msg::SavingDocument,
                });
            }
            Saving::Saved { location } => {
                screen.notice = Some(Notice::new(
                    Level::Info,
                    Msg::DocumentSavedAt {
                        location: location.clone(),
                    },
                ));
            }
            Saving::Failed { kind } => {
                screen.notice = Some(Notice::new(
                    Level::Error,
                    Msg::Failed { kind: kind.clone() },
                ));
                screen.actions.push(Action {
                    kind: ActionKind::Retry,
                    label: Msg::ActionRetry,
                });
            }
        }
    }
}
