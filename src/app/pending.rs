//! The local records of requests waiting at a bank (`$XDG_STATE_HOME/smartkey/
//! pending.json`): what a later `smartkey save` or `smartkey status` needs to find the
//! request and its key again. No secret is in them (see
//! [`PendingRecord`](crate::wizard::PendingRecord)).

use std::path::{Path, PathBuf};

use crate::wizard::{PendingRecord, TransactionId};

/// The file of pending records.
#[derive(Debug, Clone)]
pub struct PendingStore {
    path: PathBuf,
}

impl PendingStore {
    /// The records in `path`.
    pub fn at(path: impl Into<PathBuf>) -> PendingStore {
        PendingStore { path: path.into() }
    }

    /// `$XDG_STATE_HOME/smartkey/pending.json`; `None` when no home is known.
    pub fn default_location() -> Option<PendingStore> {
        crate::config::state_dir().map(|d| PendingStore::at(d.join("pending.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record; none when the file does not exist yet.
    pub fn load(&self) -> Result<Vec<PendingRecord>, String> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("{} cannot be read: {e}", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(format!("{} cannot be read: {e}", self.path.display())),
        }
    }

    fn save(&self, records: &[PendingRecord]) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{} cannot be written: {e}", self.path.display());
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let text = serde_json::to_string_pretty(records).map_err(|e| e.to_string())?;
        // Written aside and renamed over: a crash leaves the old file or the new one.
        let temporary = self.path.with_extension("json.new");
        std::fs::write(&temporary, text).map_err(fail)?;
        std::fs::rename(&temporary, &self.path).map_err(fail)
    }

    /// Adds a record, replacing one of the same request.
    pub fn record(&self, record: PendingRecord) -> Result<(), String> {
        let mut records = self.load()?;
        records.retain(|r| !(r.agent_id == record.agent_id && r.transaction == record.transaction));
        records.push(record);
        self.save(&records)
    }

    /// Drops the record of a request that is done with.
    pub fn clear(&self, transaction: &TransactionId) -> Result<(), String> {
        let mut records = self.load()?;
        let before = records.len();
        records.retain(|r| &r.transaction != transaction);
        if records.len() == before {
            return Ok(());
        }
        self.save(&records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::{CivilDate, KeyRef, KeyType, RequestKind};

    fn record(tx: &str) -> PendingRecord {
        PendingRecord {
            agent_id: 6184,
            transaction: TransactionId(tx.into()),
            kind: RequestKind::New,
            key: KeyRef {
                serial: "0A1B2C3D".into(),
                key_id: "01".into(),
            },
            key_type: KeyType::Rsa2048,
            subject: "Иванов Иван Иванович".into(),
            created: CivilDate::new(2025, 3, 14).expect("a date"),
            kept: None,
        }
    }

    #[test]
    fn records_are_kept_replaced_and_cleared() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = PendingStore::at(dir.path().join("state").join("pending.json"));
        assert!(store.load().expect("no file yet").is_empty());
        store.record(record("aa")).expect("kept");
        store.record(record("bb")).expect("kept");
        store.record(record("aa")).expect("replaced");
        assert_eq!(store.load().expect("read").len(), 2);
        store.clear(&TransactionId("aa".into())).expect("cleared");
        let left = store.load().expect("read");
        assert_eq!(left, vec![record("bb")]);
    }
}
