//! smartkey's own files, each read from a real file the way the app reads it: a replay
//! script, a secrets file, the config file, a bank profile file, and the state files
//! (the pending records, the form's draft).

use smartkey::app::script::pins::PinBook;
use smartkey::app::{DraftStore, PendingStore, Script};
use smartkey::bank::Banks;
use smartkey::config::{ConfigFile, Overrides, Settings};

use crate::scratch;

/// A replay script (`smartkey replay FILE`), its PIN names looked up among the
/// well-known ones only (the environment is not read, so a run does not depend on it).
pub fn script(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut pins = PinBook::without_environment();
    pins.know("PIN_NEW", "12345678");
    match Script::parse(text, &pins) {
        Ok(script) => {
            let _ = script.setup.day();
            let _ = script.into_steps();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A secrets file (`smartkey replay --secrets FILE`): `NAME=value` lines, read into a
/// zeroised buffer of bounded size; then a few names looked up.
pub fn secrets(data: &[u8]) {
    scratch::with_file("secrets.env", data, |path| {
        let mut pins = PinBook::without_environment();
        match pins.read_file(path) {
            Ok(()) => {
                for name in ["PIN_NEW", "PIN_OLD", "PIN_FACTORY", "A"] {
                    let _ = pins.resolve(name);
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    });
}

/// The config file (`config.toml`), as the settings read it: paths resolved from its
/// folder, each value with its origin; a broken file worded with its line and column.
pub fn config(data: &[u8]) {
    scratch::with_file("config.toml", data, |path| {
        let file = ConfigFile::load(path);
        if let Err(e) = &file {
            let _ = e.to_string();
        }
        let settings = Settings::from_parts(Overrides::default(), Some(path.to_path_buf()), file);
        let _ = format!("{settings:?}");
    });
}

/// A bank profile file (`--banks FILE`, or `banks` in the config): profiles checked,
/// trust anchors read (inline PEM, or a file beside it), merged with the built-in ones.
pub fn bank_profiles(data: &[u8]) {
    scratch::with_file("banks.toml", data, |path| match Banks::load(Some(path)) {
        Ok(banks) => {
            let _ = format!("{banks:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    });
}

/// The state files: the same bytes as `pending.json` (the records of requests waiting at
/// a bank, each one's kept certificate and signed request looked at as `save` does) and
/// as `draft.json` (the form as typed). Records that load write out and load back equal.
pub fn pending(data: &[u8]) {
    let dir = scratch::dir();
    let store = PendingStore::in_dir(&dir);
    scratch::with_file("pending.json", data, |_| match store.load() {
        Ok(records) => {
            for record in &records {
                let _ = store.message(&record.transaction);
                if let Some(kept) = &record.kept
                    && let Ok(cert) = smartkey::token::parse_certificate(&kept.certificate.der.0)
                {
                    let _ = smartkey::pki::certificate_view(&cert);
                }
                let _ = record.accepted();
            }
            let json = serde_json::to_vec(&records).expect("records as JSON");
            let back: Vec<smartkey_wizard::PendingRecord> =
                serde_json::from_slice(&json).expect("records read back");
            assert_eq!(back, records, "the records change through JSON");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    });
    scratch::with_file("draft.json", data, |path| {
        let _ = DraftStore::at(path).load();
    });
}
