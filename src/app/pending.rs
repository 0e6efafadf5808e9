//! The local records of requests waiting at a bank (`$XDG_STATE_HOME/smartkey/
//! pending.json`): what a later `smartkey save` or `smartkey status` needs to find the
//! request and its key again. No secret is in them (see
//! [`PendingRecord`](smartkey_wizard::PendingRecord)).
//!
//! The file is a [state file](super::state_file): replaced atomically, 0600. Every change
//! is a read-modify-write under the [state lock](super::state_lock) of its folder, which
//! the store takes itself for the change; a command that already holds the lock for its
//! whole run (the wizard's commands do) shares it, so a store never locks its own process
//! out. Reading takes no lock: a reader sees the file before or after a change.

use std::path::{Path, PathBuf};

use super::state_file::{self, StateFileError};
use super::state_lock::{LockError, StateLock};
use smartkey_wizard::{PendingRecord, TransactionId};

/// The file's name in the state directory.
pub const PENDING_FILE: &str = "pending.json";
/// The folder, next to it, of the signed requests kept until the bank has them.
pub const OUTBOX_DIR: &str = "outbox";

/// Why a change to the records was not made.
#[derive(Debug, thiserror::Error)]
pub enum PendingError {
    #[error(transparent)]
    File(#[from] StateFileError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// The file of pending records.
#[derive(Debug, Clone)]
pub struct PendingStore {
    path: PathBuf,
}

impl PendingStore {
    /// The records in `path`; its folder is the state directory whose lock guards them.
    pub fn at(path: impl Into<PathBuf>) -> PendingStore {
        PendingStore { path: path.into() }
    }

    /// The records of the state directory `dir` (`dir/pending.json`).
    pub fn in_dir(dir: &Path) -> PendingStore {
        PendingStore::at(dir.join(PENDING_FILE))
    }

    /// `$XDG_STATE_HOME/smartkey/pending.json`; `None` when no home is known.
    pub fn default_location() -> Option<PendingStore> {
        crate::config::state_dir().map(|d| PendingStore::in_dir(&d))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record; none when the file does not exist yet. Takes no lock.
    pub fn load(&self) -> Result<Vec<PendingRecord>, StateFileError> {
        state_file::read_json(&self.path)
    }

    /// Changes the records under the state lock; writes only when `change` says so.
    fn change(
        &self,
        change: impl FnOnce(&mut Vec<PendingRecord>) -> bool,
    ) -> Result<(), PendingError> {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let lock = StateLock::acquire(dir)?;
        lock.update_json(&self.path, change)?;
        Ok(())
    }

    /// Adds a record, replacing one of the same request.
    pub fn record(&self, record: PendingRecord) -> Result<(), PendingError> {
        self.change(|records| {
            records.retain(|r| {
                !(r.agent_id == record.agent_id && r.transaction == record.transaction)
            });
            records.push(record);
            true
        })
    }

    /// Notes that the bank confirmed the act of the certificate kept in the record of
    /// `transaction` (a save run again then finishes from the copy without signing).
    pub fn mark_accepted(&self, transaction: &TransactionId) -> Result<(), PendingError> {
        self.change(|records| {
            match records
                .iter_mut()
                .find(|r| &r.transaction == transaction)
                .and_then(|r| r.kept.as_mut())
            {
                Some(kept) if !kept.accepted => {
                    kept.accepted = true;
                    true
                }
                _ => false,
            }
        })
    }

    /// Drops the record of a request that is done with; its kept message goes too.
    pub fn clear(&self, transaction: &TransactionId) -> Result<(), PendingError> {
        self.change(|records| {
            let before = records.len();
            records.retain(|r| &r.transaction != transaction);
            records.len() != before
        })?;
        if let Some(path) = self.message_path(transaction) {
            state_file::remove(&path)?;
        }
        Ok(())
    }

    /// Where the signed request of `transaction` is kept: `outbox/<transaction>.der`
    /// next to the records. None for a transaction number that is not hex (one read
    /// from a link), which never names a file.
    fn message_path(&self, transaction: &TransactionId) -> Option<PathBuf> {
        let id = &transaction.0;
        let plausible =
            !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_hexdigit());
        let dir = self.path.parent()?;
        plausible.then(|| dir.join(OUTBOX_DIR).join(format!("{id}.der")))
    }

    /// Keeps the signed request (DER; public data, no secret) with its record, so that a
    /// request recorded here that never reached the bank can be sent again, the same
    /// message, after any interruption.
    pub fn keep_message(
        &self,
        transaction: &TransactionId,
        der: &[u8],
    ) -> Result<(), PendingError> {
        let Some(path) = self.message_path(transaction) else {
            return Ok(());
        };
        Ok(state_file::write_bytes(&path, der)?)
    }

    /// The signed request kept for `transaction`, if there is one.
    pub fn message(&self, transaction: &TransactionId) -> Result<Option<Vec<u8>>, PendingError> {
        match self.message_path(transaction) {
            Some(path) => Ok(state_file::read_bytes(&path)?),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_wizard::{CivilDate, KeyRef, KeyType, RequestKind};

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

    #[test]
    fn a_change_shares_the_lock_its_own_process_holds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = StateLock::acquire(dir.path()).expect("the command's lock");
        let store = PendingStore::in_dir(lock.dir());
        store
            .record(record("aa"))
            .expect("kept under the held lock");
        store.clear(&TransactionId("aa".into())).expect("cleared");
        assert!(store.load().expect("read").is_empty());
    }

    #[test]
    fn another_holder_of_the_lock_leaves_the_records_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = PendingStore::in_dir(dir.path());
        store.record(record("aa")).expect("kept");
        let before = std::fs::read(store.path()).expect("the file");
        // Another smartkey: flock locks belong to an open file.
        let other = std::fs::File::open(dir.path().join(super::super::state_lock::LOCK_FILE))
            .expect("the lock file");
        other.try_lock().expect("free");
        let e = store.record(record("bb")).expect_err("refused");
        assert!(
            matches!(e, PendingError::Lock(LockError::Held { .. })),
            "{e:?}"
        );
        assert!(store.clear(&TransactionId("aa".into())).is_err());
        assert_eq!(std::fs::read(store.path()).expect("the file"), before);
    }

    #[test]
    fn a_broken_file_is_refused_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = PendingStore::in_dir(dir.path());
        std::fs::write(store.path(), b"[{\"agent_id\": 6184").expect("a torn file");
        let e = store.load().expect_err("broken");
        assert!(e.to_string().contains("pending.json"), "{e}");
        assert!(store.record(record("aa")).is_err());
        assert_eq!(
            std::fs::read(store.path()).expect("the file"),
            b"[{\"agent_id\": 6184"
        );
    }
}
