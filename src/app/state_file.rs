//! How smartkey writes and reads its state files (the pending records, and every other
//! file under `$XDG_STATE_HOME/smartkey` that a later run relies on).
//!
//! A state file is replaced whole: the new contents go into a temporary file of a unique
//! name in the same directory, which is flushed to the disk, renamed over the target and
//! the directory flushed in its turn. A crash or a power cut then leaves the old file or
//! the new one, never a torn one, and a reader without the lock (`smartkey status`)
//! sees one or the other. The files are readable by their owner only (0600), and the
//! directory that holds them is made private (0700), since they name the client, the
//! bank and the token.
//!
//! Writes that read a file first and change it (read-modify-write) must run under the
//! state lock ([`super::state_lock::StateLock::update_json`]); this module only makes
//! each write atomic and durable.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What went wrong with a state file; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error("{} cannot be read: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is damaged ({source}); move it aside and run smartkey again",
        .path.display()
    )]
    Broken {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{} cannot be written: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} cannot be encoded: {source}", .path.display())]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{} cannot be removed: {source}", .path.display())]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the folder {} cannot be made or kept private: {source}", .path.display())]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not in a folder", .path.display())]
    NoDirectory { path: PathBuf },
}

impl StateFileError {
    /// The file (or folder) the error is about.
    pub fn path(&self) -> &Path {
        match self {
            StateFileError::Read { path, .. }
            | StateFileError::Broken { path, .. }
            | StateFileError::Write { path, .. }
            | StateFileError::Encode { path, .. }
            | StateFileError::Remove { path, .. }
            | StateFileError::Directory { path, .. }
            | StateFileError::NoDirectory { path } => path,
        }
    }
}

/// Makes `dir` (and any missing parent) a folder only its owner can enter (0700), and
/// takes group and other access away from it when it already exists: the logs may have
/// made the state directory before, with the umask's permissions.
pub fn private_dir(dir: &Path) -> Result<(), StateFileError> {
    let fail = |source| StateFileError::Directory {
        path: dir.to_path_buf(),
        source,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir).map_err(fail)?;
        let metadata = std::fs::metadata(dir).map_err(fail)?;
        let mode = metadata.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))
                .map_err(fail)?;
        }
    }
    #[cfg(not(unix))]
    builder.create(dir).map_err(fail)?;
    Ok(())
}

/// The folder of `path`.
fn directory_of(path: &Path) -> Result<&Path, StateFileError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => Ok(dir),
        _ => Err(StateFileError::NoDirectory {
            path: path.to_path_buf(),
        }),
    }
}

/// Flushes a folder's entries (a rename or a removal in it) to the disk.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Replaces `path` with `bytes`, atomically and durably (see the module's words); the
/// file is 0600 and its folder private.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), StateFileError> {
    let dir = directory_of(path)?;
    private_dir(dir)?;
    let fail = |source| StateFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    // NamedTempFile makes its file 0600 with a name no other writer uses, and removes it
    // when anything below fails.
    let mut file = tempfile::Builder::new()
        .prefix(".")
        .suffix(".new")
        .tempfile_in(dir)
        .map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    sync_dir(dir).map_err(fail)
}

/// Replaces `path` with `value` as pretty-printed JSON, atomically and durably.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), StateFileError> {
    let mut text = serde_json::to_vec_pretty(value).map_err(|source| StateFileError::Encode {
        path: path.to_path_buf(),
        source,
    })?;
    text.push(b'\n');
    write_bytes(path, &text)
}

/// The bytes of `path`; `None` when there is no such file.
pub fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, StateFileError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StateFileError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The JSON value in `path`; `None` when there is no such file, an error naming the
/// file when it does not read as a `T`.
pub fn read_json_opt<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, StateFileError> {
    let Some(bytes) = read_bytes(path)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| StateFileError::Broken {
            path: path.to_path_buf(),
            source,
        })
}

/// The JSON value in `path`, or `T`'s default when there is no such file yet (a file
/// that is there but broken is an error, never silently the default: it may hold the
/// only record of a request at a bank).
pub fn read_json<T: DeserializeOwned + Default>(path: &Path) -> Result<T, StateFileError> {
    Ok(read_json_opt(path)?.unwrap_or_default())
}

/// Removes `path` durably; a file that is not there is already removed.
pub fn remove(path: &Path) -> Result<(), StateFileError> {
    let fail = |source| StateFileError::Remove {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::remove_file(path) {
        Ok(()) => sync_dir(directory_of(path)?).map_err(fail),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Note {
        words: Vec<String>,
    }

    fn note(words: &[&str]) -> Note {
        Note {
            words: words.iter().map(|w| w.to_string()).collect(),
        }
    }

    #[test]
    fn a_missing_file_reads_as_the_default() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nothing.json");
        assert_eq!(
            read_json::<Note>(&path).expect("the default"),
            Note::default()
        );
        assert!(read_json_opt::<Note>(&path).expect("none").is_none());
    }

    #[test]
    fn a_written_file_reads_back_and_replaces_the_old_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state").join("smartkey").join("note.json");
        write_json(&path, &note(&["one"])).expect("written");
        write_json(&path, &note(&["two", "три"])).expect("replaced");
        assert_eq!(
            read_json::<Note>(&path).expect("read"),
            note(&["two", "три"])
        );
        // Nothing is left beside it: the temporary file became the target.
        let names: Vec<String> = std::fs::read_dir(path.parent().expect("a folder"))
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["note.json".to_string()]);
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("note.json");
        std::fs::write(&path, b"{\"words\": [").expect("a torn file");
        let e = read_json::<Note>(&path).expect_err("broken");
        assert!(matches!(e, StateFileError::Broken { .. }), "{e:?}");
        assert_eq!(e.path(), path);
        assert!(e.to_string().contains("note.json"), "{e}");
        // Reading never repairs or replaces it.
        assert_eq!(std::fs::read(&path).expect("still there"), b"{\"words\": [");
    }

    #[test]
    fn an_unwritable_place_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"a file, not a folder").expect("file");
        let path = blocker.join("note.json");
        let e = write_json(&path, &note(&["x"])).expect_err("no folder can be made");
        assert!(e.to_string().contains("blocker"), "{e}");
        assert!(write_json(Path::new("note.json"), &note(&[])).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_the_owners_and_their_folder_private() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join("smartkey");
        // As the log leaves it: made with the umask's permissions.
        std::fs::create_dir(&state).expect("dir");
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let path = state.join("note.json");
        write_json(&path, &note(&["x"])).expect("written");
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&state), 0o700);
        let fresh = dir.path().join("a").join("b");
        write_bytes(&fresh.join("c.der"), b"\x30\x00").expect("written");
        assert_eq!(mode(&fresh), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
    }

    #[test]
    fn removing_is_durable_and_a_missing_file_is_already_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("draft.json");
        write_json(&path, &note(&["draft"])).expect("written");
        remove(&path).expect("removed");
        assert!(!path.exists());
        remove(&path).expect("nothing to remove");
        assert!(read_bytes(&path).expect("none").is_none());
    }
}
