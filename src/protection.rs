//! What the process does first, so that a PIN in its memory stays there: no core file
//! is written when it crashes (`RLIMIT_CORE` 0), and on Linux it is not "dumpable"
//! (`PR_SET_DUMPABLE` 0), so no other process of the same user may attach to it or read
//! its memory through /proc. Children get a fresh dumpable flag at exec, but inherit the
//! core limit, which suits the few tools smartkey runs.

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
