//! The unit tests' allocator: it looks into every block freed on a thread that asks it
//! to, for bytes that must never be freed as they are (a PIN). It moves every block it
//! resizes (allocate, copy, free: `GlobalAlloc`'s own `realloc`), as any allocator may,
//! so a copy of a secret left behind in a moved-from block is seen as it is freed. Every
//! block is zeroed when allocated, so that what is read back was always written.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Watch;

#[global_allocator]
static WATCH: Watch = Watch;

thread_local! {
    // Constant-initialised and without destructors: reading them never allocates.
    static MARKER: Cell<Option<&'static [u8]>> = const { Cell::new(None) };
    static SEEN: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator with the same layout; dealloc
// only reads the block it is about to free.
unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = MARKER.try_with(|marker| {
            if let Some(marker) = marker.get() {
                // SAFETY: the block is allocated, layout.size() bytes long, every byte
                // written (zeroed at allocation), and not freed before the call below.
                let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                if block.windows(marker.len()).any(|w| w == marker) {
                    let _ = SEEN.try_with(|seen| seen.set(seen.get() + 1));
                }
            }
        });
        // SAFETY: the caller's block and layout, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Runs `f` and counts the blocks freed on this thread meanwhile that still held
/// `marker`.
pub fn freed_copies<R>(marker: &'static [u8], f: impl FnOnce() -> R) -> (R, usize) {
    SEEN.with(|seen| seen.set(0));
    MARKER.with(|m| m.set(Some(marker)));
    let result = f();
    MARKER.with(|m| m.set(None));
    (result, SEEN.with(Cell::get))
}
