//! PINs in scripts: a script names them (`${PIN_NEW}`), never holds them. A replay
//! looks each name up in the environment, then in a secrets file, then among the
//! well-known values (the factory PINs, the demo's training PINs); a recording gives
//! every PIN it sees a name by what the PIN was for.

use std::collections::BTreeMap;
use std::path::Path;

use super::error::ScriptError;
use crate::token::read_secret_file;
use smartkey_wizard::Msg;
use smartkey_wizard::{FACTORY_ADMIN_PIN, FACTORY_USER_PIN, Pin};
use smartkey_wizard::{PinRole, Screen, Widget};

/// The name of the factory user PIN in scripts.
pub const FACTORY_NAME: &str = "PIN_FACTORY";
/// The name of the factory admin PIN in scripts.
pub const ADMIN_FACTORY_NAME: &str = "PIN_ADMIN_FACTORY";

/// The name inside `${NAME}`, if `text` is a PIN reference.
pub fn reference(text: &str) -> Option<&str> {
    let name = text.strip_prefix("${")?.strip_suffix('}')?;
    let well_formed = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    well_formed.then_some(name)
}

/// Where a replay finds the PINs its script names.
#[derive(Default)]
pub struct PinBook {
    /// From `--secrets FILE`.
    file: BTreeMap<String, Pin>,
    /// Values everyone knows: the factory PINs, a demo's training PINs.
    known: BTreeMap<String, Pin>,
    /// Read the environment first (off in unit tests).
    environment: bool,
}

impl std::fmt::Debug for PinBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinBook")
            .field("file", &self.file.keys().collect::<Vec<_>>())
            .field("known", &self.known.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl PinBook {
    /// The environment and the factory PINs.
    pub fn new() -> PinBook {
        let mut book = PinBook {
            environment: true,
            ..PinBook::default()
        };
        book.know(FACTORY_NAME, FACTORY_USER_PIN);
        book.know(ADMIN_FACTORY_NAME, FACTORY_ADMIN_PIN);
        book
    }

    /// Only the factory PINs and what is added (tests).
    pub fn without_environment() -> PinBook {
        PinBook {
            environment: false,
            ..PinBook::new()
        }
    }

    /// Adds a well-known value (looked at last).
    pub fn know(&mut self, name: &str, value: &str) {
        self.known.insert(name.into(), Pin::new(value.into()));
    }

    /// Reads a secrets file: `NAME=value` lines (spaces around either are dropped),
    /// `#` comments and blank lines skipped. The error names the line, never its value.
    /// The file is read into a zeroised buffer ([`read_secret_file`]), each value copied
    /// once into its [`Pin`].
    pub fn read_file(&mut self, path: &Path) -> Result<(), ScriptError> {
        let bytes = read_secret_file(path).map_err(|source| ScriptError::SecretsUnreadable {
            path: path.to_path_buf(),
            source,
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|_| ScriptError::SecretsNotText {
            path: path.to_path_buf(),
        })?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || ScriptError::SecretsLine {
                path: path.to_path_buf(),
                line: n + 1,
            };
            let (name, value) = line.split_once('=').ok_or_else(bad)?;
            let name = name.trim();
            if reference(&format!("${{{name}}}")).is_none() {
                return Err(bad());
            }
            self.file
                .insert(name.into(), Pin::new(value.trim().to_string()));
        }
        Ok(())
    }

    /// The PIN named `name`.
    pub fn resolve(&self, name: &str) -> Result<Pin, ScriptError> {
        if self.environment
            && let Ok(value) = std::env::var(name)
        {
            return Ok(Pin::new(value));
        }
        self.file
            .get(name)
            .or_else(|| self.known.get(name))
            .cloned()
            .ok_or_else(|| ScriptError::UnknownPin { name: name.into() })
    }
}

/// What a PIN typed in a recorded run was for, which becomes its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinUse {
    Login,
    Current(PinRole),
    New(PinRole),
    Repeat(PinRole),
}

impl PinUse {
    fn base(self) -> &'static str {
        match self {
            PinUse::Login => "PIN",
            PinUse::Current(PinRole::User) => "PIN_CURRENT",
            PinUse::New(PinRole::User) => "PIN_NEW",
            PinUse::Repeat(PinRole::User) => "PIN_REPEAT",
            PinUse::Current(PinRole::Admin) => "PIN_ADMIN_CURRENT",
            PinUse::New(PinRole::Admin) => "PIN_ADMIN_NEW",
            PinUse::Repeat(PinRole::Admin) => "PIN_ADMIN_REPEAT",
        }
    }
}

/// Which PIN a screen's change form is for (the user's, unless it says admin).
pub fn changed_kind(screen: &Screen) -> PinRole {
    let admin = screen.fields.iter().any(|w| {
        matches!(
            w,
            Widget::Pin {
                label: Msg::FieldNewPin {
                    role: PinRole::Admin
                },
                ..
            }
        )
    });
    if admin { PinRole::Admin } else { PinRole::User }
}

/// Names the PINs of a recording: the same PIN always gets the same name; the factory
/// PINs get theirs; any other gets the name of what it was first used for, numbered
/// when that name is taken ("PIN_NEW_2").
#[derive(Default)]
pub struct PinNamer {
    named: Vec<(String, Pin)>,
}

impl PinNamer {
    /// Gives `pin` the name `name` should it be typed (the demo's training PINs).
    pub fn preset(&mut self, name: &str, pin: Pin) {
        self.named.push((name.into(), pin));
    }

    pub fn name(&mut self, pin: &Pin, used: PinUse) -> String {
        if let Some((name, _)) = self.named.iter().find(|(_, p)| p.matches(pin)) {
            return name.clone();
        }
        let name = if pin.matches(&Pin::new(FACTORY_USER_PIN.into())) {
            FACTORY_NAME.to_string()
        } else if pin.matches(&Pin::new(FACTORY_ADMIN_PIN.into())) {
            ADMIN_FACTORY_NAME.to_string()
        } else {
            let base = used.base();
            let taken = |n: &str| self.named.iter().any(|(name, _)| name == n);
            let mut name = base.to_string();
            let mut k = 2;
            while taken(&name) {
                name = format!("{base}_{k}");
                k += 1;
            }
            name
        };
        self.named.push((name.clone(), pin.clone()));
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(s: &str) -> Pin {
        Pin::new(s.into())
    }

    /// The secrets file's text and each value pass through zeroised buffers: no block
    /// freed while the file is read, looked up and dropped still holds a PIN of it.
    #[test]
    fn reading_a_secrets_file_frees_no_copy_of_its_pins() {
        const SECRET: &str = "Zx9-secrets-file-pin";
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("pins");
        std::fs::write(&file, format!("# training\nPIN_NEW = {SECRET}\n")).expect("write");
        let (found, freed) = crate::heap_watch::freed_copies(SECRET.as_bytes(), || {
            let mut book = PinBook::without_environment();
            book.read_file(&file).expect("read");
            let found = book.resolve("PIN_NEW").expect("known");
            let matches = found.matches(&book.resolve("PIN_NEW").expect("known"));
            drop(book);
            matches && found.len() == SECRET.len()
        });
        assert!(found);
        assert_eq!(
            freed, 0,
            "blocks freed with a PIN of the file still in them"
        );
    }

    #[test]
    fn references_are_uppercase_names_in_braces() {
        assert_eq!(reference("${PIN_NEW}"), Some("PIN_NEW"));
        assert_eq!(reference("${PIN_2}"), Some("PIN_2"));
        for bad in [
            "PIN_NEW",
            "${pin}",
            "${}",
            "${1PIN}",
            "$PIN",
            "${PIN NEW}",
            "12345678",
        ] {
            assert_eq!(reference(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_follow_use_and_repeat_for_the_same_pin() {
        let mut n = PinNamer::default();
        assert_eq!(
            n.name(&pin(FACTORY_USER_PIN), PinUse::Current(PinRole::User)),
            FACTORY_NAME
        );
        assert_eq!(
            n.name(&pin("Secret-1"), PinUse::New(PinRole::User)),
            "PIN_NEW"
        );
        assert_eq!(
            n.name(&pin("Secret-1"), PinUse::Repeat(PinRole::User)),
            "PIN_NEW"
        );
        assert_eq!(
            n.name(&pin(FACTORY_ADMIN_PIN), PinUse::Current(PinRole::Admin)),
            ADMIN_FACTORY_NAME
        );
        assert_eq!(
            n.name(&pin("Admin-1"), PinUse::New(PinRole::Admin)),
            "PIN_ADMIN_NEW"
        );
        assert_eq!(n.name(&pin("Secret-1"), PinUse::Login), "PIN_NEW");
        assert_eq!(n.name(&pin("Other-9"), PinUse::Login), "PIN");
        assert_eq!(
            n.name(&pin("Secret-2"), PinUse::New(PinRole::User)),
            "PIN_NEW_2"
        );
        assert_eq!(
            n.name(&pin("Secret-3"), PinUse::New(PinRole::User)),
            "PIN_NEW_3"
        );
    }

    #[test]
    fn the_book_reads_files_and_knows_the_factory_pins_and_never_says_a_value() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("pins");
        std::fs::write(
            &file,
            "# training\nPIN_NEW=Secret-1\n\nPIN_ADMIN_NEW = Admin-1\n",
        )
        .expect("write");
        let mut book = PinBook::without_environment();
        book.read_file(&file).expect("read");
        assert!(
            book.resolve("PIN_NEW")
                .expect("known")
                .matches(&pin("Secret-1"))
        );
        assert!(
            book.resolve("PIN_ADMIN_NEW")
                .expect("known")
                .matches(&pin("Admin-1"))
        );
        assert!(
            book.resolve(FACTORY_NAME)
                .expect("factory")
                .matches(&pin(FACTORY_USER_PIN))
        );
        let missing = book.resolve("PIN_OTHER").expect_err("unknown").to_string();
        assert!(
            missing.contains("PIN_OTHER") && missing.contains("--secrets"),
            "{missing}"
        );

        std::fs::write(&file, "PIN_NEW=Secret-1\nSecret-2\n").expect("write");
        let err = PinBook::without_environment()
            .read_file(&file)
            .expect_err("bad line")
            .to_string();
        assert!(err.contains("line 2") && !err.contains("Secret"), "{err}");
        assert!(!format!("{book:?}").contains("Secret"));
    }
}
