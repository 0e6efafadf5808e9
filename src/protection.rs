//! What other users of the computer must not see: the process's memory and the files it
//! writes.
//!
//! What the process does first, so that a PIN in its memory stays there: no core file
//! is written when it crashes (`RLIMIT_CORE` 0), and on Linux it is not "dumpable"
//! (`PR_SET_DUMPABLE` 0), so no other process of the same user may attach to it or read
//! its memory through /proc. Children get a fresh dumpable flag at exec, but inherit the
//! core limit, which suits the few tools smartkey runs.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

/// The protection in force after [`protect_memory`], as read back from the kernel: what
/// it could not set shows as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemoryProtection {
    /// Whether another process of the same user may attach to this one (Linux only).
    pub dumpable: Option<bool>,
    /// The largest core file the system would write for this process, in bytes
    /// (`None`: no limit, or not a Unix).
    pub core_limit: Option<u64>,
}

/// Turns core files and (on Linux) attaching off for this process, and says what is in
/// force. Nothing here fails the program: a system that refuses keeps running, and the
/// log says what it refused.
pub fn protect_memory() -> MemoryProtection {
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the structure it is given, alive for the call.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) };
        #[cfg(any(target_os = "linux", target_os = "android"))]
        // SAFETY: PR_SET_DUMPABLE takes one integer argument; the rest are unused.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0)
        };
    }
    current()
}

/// The protection in force now.
pub fn current() -> MemoryProtection {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: libc::RLIM_INFINITY,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: getrlimit writes the structure it is given, alive for the call.
        let read = unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) } == 0;
        #[allow(
            clippy::unnecessary_cast,
            reason = "rlim_t is u64 here, a signed type on some Unixes"
        )]
        let core_limit =
            (read && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        // SAFETY: PR_GET_DUMPABLE takes no argument and returns the flag.
        let dumpable = match unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) } {
            0 => Some(false),
            n if n > 0 => Some(true),
            _ => None,
        };
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let dumpable = None;
        MemoryProtection {
            dumpable,
            core_limit,
        }
    }
    #[cfg(not(unix))]
    MemoryProtection {
        dumpable: None,
        core_limit: None,
    }
}

// Files. What smartkey writes for the person (transcripts, the application and the act
// with their personal data, recordings, logs) is for them alone: files 0600, and the
// folders smartkey makes 0700. A folder the person named and that exists already (the
// current directory, say) is left as it is.

/// How [`open_private`] opens a file for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Only if nothing is there yet (not even a link).
    New,
    /// Added to the end, created if missing.
    Append,
    /// Emptied, created if missing.
    Replace,
}

/// Opens `path` for writing as a file only its owner may read or write: created 0600,
/// and a file that was there already with more permissions is taken back to 0600.
pub fn open_private(path: &Path, how: Opening) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    match how {
        Opening::New => options.create_new(true),
        Opening::Append => options.create(true).append(true),
        Opening::Replace => options.create(true).truncate(true),
    };
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    Ok(file)
}

/// Replaces `path` with `bytes`: a new 0600 file with a unique name beside it, renamed
/// over it, so a reader sees the old file or the whole new one, and a link planted
/// under the name is replaced rather than written through. The folder is left as it
/// is (it may be the person's own).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".")
        .suffix(".new")
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Makes `dir` and any missing parent, each 0700; a folder that exists is left as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// [`create_private_dir`], and an existing `dir` loses any group and other access: for
/// smartkey's own folders, which an older version or another program may have made.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    #[cfg(unix)]
    tighten(dir, 0o700)?;
    Ok(())
}

/// Takes group and other access away from `path`, leaving the owner's.
#[cfg(unix)]
pub fn tighten(path: &Path, keep: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & keep))?;
    }
    Ok(())
}
