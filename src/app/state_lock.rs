//! One smartkey at a time on a state directory: `smartkey.lock` in it, locked with the
//! operating system's advisory file lock (`flock`) and holding the holder's PID, so that
//! a second smartkey can say who is running.
//!
//! The wizard's commands take the lock before they read any state and hold it to the
//! end, so two of them never read-modify-write the same files over each other; a second
//! one refuses before touching anything. The system releases the lock when the holder's
//! file is closed, so a crashed or killed smartkey leaves nothing to clean up (the file
//! stays, with a PID that is no longer locked; the next holder writes its own).
//!
//! Within one process the lock is shared: taking it again while it is held gives
//! another handle on the same lock, never a refusal, so code that changes a state file
//! can take the lock itself whether or not its caller holds it. Changes from several
//! threads of the process are serialised by [`StateLock::update_json`].

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::state_file::{self, StateFileError};

/// The lock file's name in the state directory.
pub const LOCK_FILE: &str = "smartkey.lock";

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it; `pid` is what that process wrote in the file (`None`
    /// when it has not written it yet, or wrote something else).
    #[error(
        "another smartkey is running{}; let it finish or close it, then start again",
        .pid.map(|p| format!(" (PID {p})")).unwrap_or_default()
    )]
    Held { path: PathBuf, pid: Option<u32> },
    #[error("{} cannot be locked: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Directory(#[from] StateFileError),
}

/// A lock held by this process.
struct Held {
    /// The state directory, canonical (so that two spellings of it are one lock).
    dir: PathBuf,
    /// The open lock file: the lock lasts as long as it is open.
    _file: File,
    /// How many [`StateLock`] handles there are.
    handles: usize,
    /// Serialises this process's read-modify-writes under the lock.
    changes: Arc<Mutex<()>>,
}

/// The locks this process holds. Taking and releasing a lock both happen under this
/// mutex, so a lock released by one thread is never seen as held by another process.
static HELD: Mutex<Vec<Held>> = Mutex::new(Vec::new());

fn held() -> MutexGuard<'static, Vec<Held>> {
    // The list stays consistent when a holder panics: every change to it is one push,
    // one counter change or one removal.
    HELD.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The state lock of one directory, held until the last handle is dropped.
#[derive(Debug)]
pub struct StateLock {
    dir: PathBuf,
    changes: Arc<Mutex<()>>,
}

impl StateLock {
    /// Takes the lock of the state directory `dir`, making the directory (private) if it
    /// is missing. Fails with [`LockError::Held`] at once, without waiting, when another
    /// process holds it; in this process it is shared.
    pub fn acquire(dir: &Path) -> Result<StateLock, LockError> {
        state_file::private_dir(dir)?;
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LockError::Io { path, source }
        };
        let canonical = dir.canonicalize().map_err(io(dir))?;
        let mut list = held();
        if let Some(h) = list.iter_mut().find(|h| h.dir == canonical) {
            h.handles += 1;
            return Ok(StateLock {
                dir: canonical,
                changes: h.changes.clone(),
            });
        }
        let path = canonical.join(LOCK_FILE);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    pid: holder(&path),
                    path,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        // Only the holder writes the file, and only after locking it.
        file.set_len(0).map_err(io(&path))?;
        file.rewind().map_err(io(&path))?;
        writeln!(file, "{}", std::process::id()).map_err(io(&path))?;
        file.sync_data().map_err(io(&path))?;
        tracing::debug!(lock = %path.display(), "the state lock is taken");
        let changes = Arc::new(Mutex::new(()));
        list.push(Held {
            dir: canonical.clone(),
            _file: file,
            handles: 1,
            changes: changes.clone(),
        });
        Ok(StateLock {
            dir: canonical,
            changes,
        })
    }

    /// The state directory (canonical).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file `name` in the state directory.
    pub fn file(&self, name: impl AsRef<Path>) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads the JSON state file `path` (the default when it is missing), lets `change`
    /// change it, and writes it back when `change` says so (returns `true`); no other
    /// thread of this process, nor any other smartkey, changes it in between.
    pub fn update_json<T, F>(&self, path: &Path, change: F) -> Result<bool, StateFileError>
    where
        T: Serialize + DeserializeOwned + Default,
        F: FnOnce(&mut T) -> bool,
    {
        let _one_at_a_time = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        let mut value: T = state_file::read_json(path)?;
        let changed = change(&mut value);
        if changed {
            state_file::write_json(path, &value)?;
        }
        Ok(changed)
    }
}

impl Clone for StateLock {
    fn clone(&self) -> StateLock {
        let mut list = held();
        if let Some(h) = list.iter_mut().find(|h| h.dir == self.dir) {
            h.handles += 1;
        }
        StateLock {
            dir: self.dir.clone(),
            changes: self.changes.clone(),
        }
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let mut list = held();
        if let Some(at) = list.iter().position(|h| h.dir == self.dir) {
            list[at].handles -= 1;
            if list[at].handles == 0 {
                // Closing the file releases the lock.
                list.remove(at);
                tracing::debug!(dir = %self.dir.display(), "the state lock is released");
            }
        }
    }
}

/// The PID a holder wrote in the lock file, if it reads as one.
fn holder(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another process, as far as the lock can tell: flock locks belong to an open
    /// file, so a second open of the lock file conflicts like another smartkey would.
    fn other_process_locks(dir: &Path, pid: &str) -> File {
        let path = dir.join(LOCK_FILE);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .expect("open");
        file.try_lock().expect("the lock is free");
        writeln!(file, "{pid}").expect("pid");
        file
    }

    #[test]
    fn the_holder_writes_its_pid_and_a_second_holder_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join("smartkey");
        let lock = StateLock::acquire(&state).expect("taken");
        let text = std::fs::read_to_string(state.join(LOCK_FILE)).expect("the lock file");
        assert_eq!(text.trim(), std::process::id().to_string());
        drop(lock);

        let other = other_process_locks(&state, "4242");
        match StateLock::acquire(&state) {
            Err(LockError::Held { pid, path }) => {
                assert_eq!(pid, Some(4242));
                assert_eq!(path.file_name(), Some(LOCK_FILE.as_ref()));
            }
            other => panic!("not refused: {other:?}"),
        }
        let e = StateLock::acquire(&state).expect_err("still held");
        assert!(e.to_string().contains("PID 4242"), "{e}");
        drop(other);
        let lock = StateLock::acquire(&state).expect("free again");
        let text = std::fs::read_to_string(lock.file(LOCK_FILE)).expect("the lock file");
        assert_eq!(
            text.trim(),
            std::process::id().to_string(),
            "the PID is ours now"
        );
    }

    #[test]
    fn a_holder_that_wrote_no_pid_is_still_a_holder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let _other = other_process_locks(dir.path(), "");
        match StateLock::acquire(dir.path()) {
            Err(LockError::Held { pid: None, .. }) => {}
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn within_one_process_the_lock_is_shared_until_the_last_handle_goes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = StateLock::acquire(dir.path()).expect("taken");
        // Another spelling of the same folder is the same lock.
        let again = StateLock::acquire(&dir.path().join(".")).expect("shared");
        let copy = again.clone();
        drop(first);
        drop(again);
        assert!(
            std::fs::OpenOptions::new()
                .write(true)
                .open(dir.path().join(LOCK_FILE))
                .expect("open")
                .try_lock()
                .is_err(),
            "one handle still holds it"
        );
        drop(copy);
        let _other = other_process_locks(dir.path(), "7");
    }

    #[test]
    fn changes_under_the_lock_are_read_modify_writes_that_do_not_overlap() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("counter.json");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let dir = dir.path().to_path_buf();
                let path = path.clone();
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        let lock = StateLock::acquire(&dir).expect("shared");
                        lock.update_json(&path, |n: &mut u32| {
                            *n += 1;
                            true
                        })
                        .expect("changed");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a thread");
        }
        assert_eq!(state_file::read_json::<u32>(&path).expect("read"), 80);
    }

    #[test]
    fn an_unchanged_value_is_not_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = StateLock::acquire(dir.path()).expect("taken");
        let path = lock.file("list.json");
        let changed = lock
            .update_json(&path, |_: &mut Vec<u32>| false)
            .expect("read");
        assert!(!changed);
        assert!(!path.exists());
    }
}
