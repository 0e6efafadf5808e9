//! The catalogue: every text the wizard shows, in Russian (the default) and English.
//!
//! Screens, documents and errors hold the core's [`Msg`] values (an id and its arguments);
//! [`Catalogue::text`] words one in the chosen [`Lang`]. Keeping the texts out of the
//! screens means one screen renders in either language, transcripts can be read by
//! support in theirs, and tests check screens by id rather than by wording.

mod en;
mod ru;

use serde::{Deserialize, Serialize};
use smartkey_wizard::Msg;

/// The language of the wizard's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Russian.
    #[default]
    Ru,
    /// English.
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

/// Texts in one language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Catalogue {
    lang: Lang,
}

impl Catalogue {
    pub fn new(lang: Lang) -> Catalogue {
        Catalogue { lang }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `msg`.
    pub fn text(&self, msg: &Msg) -> String {
        match self.lang {
            Lang::Ru => ru::text(msg),
            Lang::En => en::text(msg),
        }
    }
}

#[cfg(test)]
mod tests;
