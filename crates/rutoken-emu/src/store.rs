//! Persistent state: one JSON file per token plus the readers file, in one directory.
//!
//! Layout of the directory (see [`state_dir`] for how it is found):
//! - `readers.json`: how many virtual readers there are and which token sits in each;
//! - `tokens/<serial>.json`: everything a token remembers (PINs, counters, objects, keys);
//! - `.lock`: an advisory lock file. Writers take it exclusively, readers shared, so the
//!   CLI and every process that loaded the module see whole states only.
//!
//! Files are replaced atomically (written to a temporary file, then renamed), so a reader
//! never sees half a file even without the lock. A rename gives the file a new inode, which
//! is what [`FileStamp`] compares to notice changes made by other processes cheaply.
//!
//! The token files hold the PINs, so the folders are made for their owner alone (0700),
//! the files 0600, and a temporary file gets a random name and must be new: a file or
//! symbolic link another user planted under a name it guessed is never written through.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::token::TokenState;

/// Environment variable naming the state directory.
pub const ENV_DIR: &str = "RUTOKEN_EMU_DIR";
/// Number of virtual readers when the readers file does not say otherwise.
pub const DEFAULT_READERS: usize = 2;
/// Most readers the emulator offers (real PC/SC setups rarely have more).
pub const MAX_READERS: usize = 16;

/// How a store failure reaches the PKCS#11 caller.
impl From<StoreError> for crate::error::Ckr {
    fn from(error: StoreError) -> Self {
        match error {
            // The reader says a token is there but its state is gone: as if unplugged.
            StoreError::NoSuchToken(_) => crate::error::Ckr(cryptoki_sys::CKR_TOKEN_NOT_PRESENT),
            // Unreadable or unwritable state is the emulator's "hardware" failing.
            _ => crate::error::Ckr(cryptoki_sys::CKR_DEVICE_ERROR),
        }
    }
}

/// Why the state directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A state file is not what this version writes.
    #[error("{path}: not a valid state file: {source}")]
    Format {
        /// The file concerned.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// No token with this serial has been initialised.
    #[error("no token with serial {0}")]
    NoSuchToken(String),
    /// `init` of a serial that already exists.
    #[error("a token with serial {0} already exists")]
    TokenExists(String),
    /// A serial that is not 1 to 16 hexadecimal digits.
    #[error("invalid serial {0:?}: use 1 to 16 hexadecimal digits")]
    InvalidSerial(String),
    /// A reader number out of range.
    #[error("no reader {0}")]
    NoSuchReader(usize),
    /// Every reader holds a token.
    #[error("every reader holds a token")]
    NoFreeReader,
    /// The token sits in a reader already.
    #[error("token {serial} is already in reader {reader}")]
    AlreadyInserted {
        /// The token.
        serial: String,
        /// Where it is.
        reader: usize,
    },
    /// The reader holds another token.
    #[error("reader {0} holds another token")]
    ReaderBusy(usize),
    /// A reader count out of range.
    #[error("reader count must be 1..={MAX_READERS}")]
    ReaderCount,
    /// Neither the environment variable nor a home directory is available.
    #[error("no state directory: set {ENV_DIR}")]
    NoDirectory,
}

/// The state directory: `$RUTOKEN_EMU_DIR`, else `$XDG_DATA_HOME/rutoken-emu`, else
/// `$HOME/.local/share/rutoken-emu`.
pub fn state_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os(ENV_DIR).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from)
        && data.is_absolute()
    {
        return Ok(data.join("rutoken-emu"));
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/rutoken-emu")),
        None => Err(StoreError::NoDirectory),
    }
}

/// Checks a serial: 1 to 16 hexadecimal digits, as printed on a Rutoken (which shows it
/// in hex, while Aktiv's control panel shows the same number in decimal). It is also the
/// file name, so nothing else may pass.
pub fn validate_serial(serial: &str) -> Result<(), StoreError> {
    if (1..=16).contains(&serial.len()) && serial.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(StoreError::InvalidSerial(serial.to_owned()))
    }
}

/// A token sitting in a reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inserted {
    /// The token's serial.
    pub serial: String,
    /// Number of this insertion, unique within the directory: sessions opened before a
    /// removal stay dead even when the same token comes back.
    pub insertion: u64,
}

/// The virtual readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readers {
    /// One entry per reader (slot ID = index).
    pub slots: Vec<Option<Inserted>>,
    /// Next insertion number.
    pub next_insertion: u64,
}

impl Default for Readers {
    fn default() -> Self {
        Readers {
            slots: vec![None; DEFAULT_READERS],
            next_insertion: 1,
        }
    }
}

impl Readers {
    /// The reader holding `serial`, if any.
    pub fn reader_of(&self, serial: &str) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|i| i.serial == serial))
    }

    /// Puts a token into a reader (the first free one if `reader` is `None`).
    pub fn insert(&mut self, serial: &str, reader: Option<usize>) -> Result<usize, StoreError> {
        if let Some(at) = self.reader_of(serial) {
            return Err(StoreError::AlreadyInserted {
                serial: serial.to_owned(),
                reader: at,
            });
        }
        let index = match reader {
            Some(r) if r >= self.slots.len() => return Err(StoreError::NoSuchReader(r)),
            Some(r) if self.slots[r].is_some() => return Err(StoreError::ReaderBusy(r)),
            Some(r) => r,
            None => self
                .slots
                .iter()
                .position(Option::is_none)
                .ok_or(StoreError::NoFreeReader)?,
        };
        self.slots[index] = Some(Inserted {
            serial: serial.to_owned(),
            insertion: self.next_insertion,
        });
        self.next_insertion += 1;
        Ok(index)
    }

    /// Removes a token (every token if `serial` is `None`); returns the readers emptied.
    pub fn remove(&mut self, serial: Option<&str>) -> Vec<usize> {
        let mut emptied = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            let hit = match (serial, slot.as_ref()) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(s), Some(inserted)) => inserted.serial == s,
            };
            if hit {
                *slot = None;
                emptied.push(index);
            }
        }
        emptied
    }

    /// Changes the number of readers; readers removed must be empty.
    pub fn set_count(&mut self, count: usize) -> Result<(), StoreError> {
        if !(1..=MAX_READERS).contains(&count) {
            return Err(StoreError::ReaderCount);
        }
        if let Some(busy) = self.slots.iter().skip(count).position(Option::is_some) {
            return Err(StoreError::ReaderBusy(count + busy));
        }
        self.slots.resize(count, None);
        Ok(())
    }
}

/// Identity of a file version: changes whenever the file is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileStamp {
        inode,
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// Access to one state directory, with a cache of what was read last.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    readers_cache: Option<(FileStamp, Readers)>,
    token_cache: HashMap<String, (FileStamp, TokenState)>,
}

/// A held lock on the state directory; released on drop.
struct DirLock(File);

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Makes `dir` and its missing parents, each for its owner alone (0700).
fn private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_err(dir))
}

/// A new temporary file in `dir` for replacing `name`: a random name, created only if
/// nothing (not even a dangling symbolic link) is there yet, 0600. A name taken by
/// chance or on purpose is simply passed over for another.
fn new_temporary(dir: &Path, name: &str) -> Result<(PathBuf, File), StoreError> {
    const TRIES: usize = 16;
    let mut last = None;
    for _ in 0..TRIES {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| StoreError::Io {
            path: dir.to_owned(),
            source: io::Error::other(e.to_string()),
        })?;
        let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = dir.join(format!(".{name}.{tag}.tmp"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((tmp, e)),
            Err(e) => return Err(io_err(&tmp)(e)),
        }
    }
    let (tmp, e) = last.unwrap_or_else(|| (dir.to_owned(), io::ErrorKind::AlreadyExists.into()));
    Err(io_err(&tmp)(e))
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

impl Store {
    /// A store over `dir`; nothing is touched until the first read or write.
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store {
            dir: dir.into(),
            readers_cache: None,
            token_cache: HashMap::new(),
        }
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn readers_path(&self) -> PathBuf {
        self.dir.join("readers.json")
    }

    fn token_path(&self, serial: &str) -> PathBuf {
        self.dir.join("tokens").join(format!("{serial}.json"))
    }

    fn lock(&self, exclusive: bool) -> Result<Option<DirLock>, StoreError> {
        let path = self.dir.join(".lock");
        if !exclusive && !self.dir.exists() {
            // Nothing to read yet, nothing to lock.
            return Ok(None);
        }
        private_dir(&self.dir)?;
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(io_err(&path))?;
        if exclusive {
            file.lock().map_err(io_err(&path))?;
        } else {
            file.lock_shared().map_err(io_err(&path))?;
        }
        Ok(Some(DirLock(file)))
    }

    fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, StoreError> {
        match fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| StoreError::Format {
                        path: path.to_owned(),
                        source,
                    })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(path)(e)),
        }
    }

    fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
        let parent = path.parent().unwrap_or(Path::new("."));
        private_dir(parent)?;
        let bytes = serde_json::to_vec_pretty(value).map_err(|source| StoreError::Format {
            path: path.to_owned(),
            source,
        })?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
        let (tmp, mut file) = new_temporary(parent, name)?;
        let result = (|| {
            file.write_all(&bytes)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io_err(path))
    }

    /// The readers, re-read only when the file changed.
    pub fn readers(&mut self) -> Result<Readers, StoreError> {
        let path = self.readers_path();
        let current = stamp(&path);
        if let (Some(now), Some((seen, readers))) = (current, &self.readers_cache)
            && now == *seen
        {
            return Ok(readers.clone());
        }
        let _lock = self.lock(false)?;
        let readers: Readers = Self::read_json(&path)?.unwrap_or_default();
        match stamp(&path) {
            Some(now) => self.readers_cache = Some((now, readers.clone())),
            None => self.readers_cache = None,
        }
        Ok(readers)
    }

    /// Changes the readers under the exclusive lock.
    pub fn update_readers<T>(
        &mut self,
        change: impl FnOnce(&mut Readers) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _lock = self.lock(true)?;
        let path = self.readers_path();
        let mut readers: Readers = Self::read_json(&path)?.unwrap_or_default();
        let before = readers.clone();
        let result = change(&mut readers)?;
        if readers != before || stamp(&path).is_none() {
            Self::write_json(&path, &readers)?;
        }
        self.readers_cache = stamp(&path).map(|s| (s, readers));
        Ok(result)
    }

    /// A token's state, re-read only when its file changed; `None` if there is no such token.
    pub fn token(&mut self, serial: &str) -> Result<Option<TokenState>, StoreError> {
        validate_serial(serial)?;
        let path = self.token_path(serial);
        let Some(current) = stamp(&path) else {
            self.token_cache.remove(serial);
            return Ok(None);
        };
        if let Some((seen, state)) = self.token_cache.get(serial)
            && *seen == current
        {
            return Ok(Some(state.clone()));
        }
        let _lock = self.lock(false)?;
        let state: Option<TokenState> = Self::read_json(&path)?;
        match (&state, stamp(&path)) {
            (Some(s), Some(now)) => {
                self.token_cache.insert(serial.to_owned(), (now, s.clone()));
            }
            _ => {
                self.token_cache.remove(serial);
            }
        }
        Ok(state)
    }

    /// Changes a token under the exclusive lock. The state is written back whenever
    /// `change` modified it, *also when it returns an error*: a wrong PIN must cost a try.
    pub fn update_token<T, E: From<StoreError>>(
        &mut self,
        serial: &str,
        change: impl FnOnce(&mut TokenState) -> Result<T, E>,
    ) -> Result<T, E> {
        validate_serial(serial)?;
        let _lock = self.lock(true)?;
        let path = self.token_path(serial);
        let mut state: TokenState =
            Self::read_json(&path)?.ok_or_else(|| StoreError::NoSuchToken(serial.to_owned()))?;
        let before = state.clone();
        let result = change(&mut state);
        if state != before {
            Self::write_json(&path, &state)?;
        }
        match stamp(&path) {
            Some(now) => {
                self.token_cache.insert(serial.to_owned(), (now, state));
            }
            None => {
                self.token_cache.remove(serial);
            }
        }
        result
    }

    /// Writes a new token; fails if the serial exists unless `replace`.
    pub fn create_token(&mut self, state: &TokenState, replace: bool) -> Result<(), StoreError> {
        validate_serial(&state.serial)?;
        let _lock = self.lock(true)?;
        let path = self.token_path(&state.serial);
        if !replace && path.exists() {
            return Err(StoreError::TokenExists(state.serial.clone()));
        }
        Self::write_json(&path, state)?;
        self.token_cache.remove(&state.serial);
        Ok(())
    }

    /// Every initialised token, ordered by serial.
    pub fn tokens(&mut self) -> Result<Vec<TokenState>, StoreError> {
        let dir = self.dir.join("tokens");
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&dir)(e)),
        };
        let mut serials: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let serial = name.strip_suffix(".json")?;
                validate_serial(serial).ok()?;
                Some(serial.to_owned())
            })
            .collect();
        serials.sort();
        let mut tokens = Vec::new();
        for serial in serials {
            if let Some(token) = self.token(&serial)? {
                tokens.push(token);
            }
        }
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the temporary files once had: the file's name, the process and a
    /// counter; planted as symbolic links to a file of someone else's.
    #[cfg(unix)]
    #[test]
    fn planted_links_at_guessable_names_are_never_written_through() {
        use std::os::unix::fs::PermissionsExt;

        let root = std::env::temp_dir().join(format!(
            "rutoken-emu-store-{}-{:?}",
            std::process::id(),
            SystemTime::now()
        ));
        let dir = root.join("state");
        fs::create_dir_all(&dir).unwrap();
        let theirs = root.join("theirs");
        fs::write(&theirs, b"untouched").unwrap();
        for n in 0..2048 {
            let guess = dir.join(format!(".readers.json.{}.{n}.tmp", std::process::id()));
            std::os::unix::fs::symlink(&theirs, guess).unwrap();
        }
        let mut store = Store::new(&dir);
        store
            .create_token(&TokenState::factory("ABCDEF02", "unit", 10, 10), false)
            .unwrap();
        store
            .update_readers(|r| r.insert("ABCDEF02", None))
            .unwrap();
        store
            .update_readers(|r| Ok(r.remove(Some("ABCDEF02"))))
            .unwrap();

        assert_eq!(fs::read(&theirs).unwrap(), b"untouched");
        for file in [dir.join("readers.json"), dir.join("tokens/ABCDEF02.json")] {
            let meta = fs::symlink_metadata(&file).unwrap();
            assert!(meta.is_file(), "{}", file.display());
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "{}",
                file.display()
            );
        }
        let tokens = fs::metadata(dir.join("tokens")).unwrap();
        assert_eq!(tokens.permissions().mode() & 0o777, 0o700);
        fs::remove_dir_all(&root).unwrap();
    }
}
