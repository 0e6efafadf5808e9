//! A private folder per thread for the targets whose parser reads a file: the input is
//! written there and the parser given its path, so the reading code (size bounds,
//! zeroised buffers, paths relative to the file's folder) is exercised too.
//!
//! The folder is made once per thread in the system's temporary folder (`TMPDIR`);
//! `scripts/fuzz.sh` points that at a folder of its own and removes it after each run,
//! since libFuzzer ends its process without running destructors.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

thread_local! {
    static DIR: OnceCell<tempfile::TempDir> = const { OnceCell::new() };
}

/// The thread's folder, made on first use.
pub(crate) fn dir() -> PathBuf {
    DIR.with(|cell| {
        cell.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
            .path()
            .to_path_buf()
    })
}

/// Writes `data` to `name` in the thread's folder and gives `read` its path.
pub(crate) fn with_file<T>(name: &str, data: &[u8], read: impl FnOnce(&Path) -> T) -> T {
    let path = dir().join(name);
    std::fs::write(&path, data).expect("write the input");
    read(&path)
}
