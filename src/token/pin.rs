//! PIN files: the bytes of a file holding PINs, read without leaving copies behind.
//! The PIN itself and its policy are the core's ([`smartkey_wizard::pin`]).

use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

/// The largest file of secrets smartkey reads (a PIN file, a script's secrets file).
pub const MAX_SECRET_FILE: usize = 64 * 1024;

/// The bytes of a file holding PINs, in one buffer made before reading and zeroised when
/// dropped: the file is never read into a buffer that grows, which would leave copies
/// behind in freed memory. A file larger than [`MAX_SECRET_FILE`] is refused.
pub fn read_secret_file(path: &Path) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut file = std::fs::File::open(path)?;
    let mut buffer = Zeroizing::new(vec![0u8; MAX_SECRET_FILE + 1]);
    let mut filled = 0;
    loop {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        if filled > MAX_SECRET_FILE {
            return Err(std::io::Error::other(format!(
                "it is larger than {MAX_SECRET_FILE} bytes"
            )));
        }
    }
    buffer.truncate(filled);
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_wizard::Pin;

    /// A PIN read with a line break and room to spare, as from a prompt or a file: no
    /// block freed while it becomes a `Pin` (and is dropped) still holds it.
    #[test]
    fn making_a_pin_frees_no_copy_of_it() {
        const SECRET: &str = "Zx9-heap-watch-pin";
        let ((), freed) = crate::heap_watch::freed_copies(SECRET.as_bytes(), || {
            let mut text = String::with_capacity(64);
            text.push_str(SECRET);
            text.push_str("\r\n");
            let pin = Pin::new(text);
            assert_eq!(pin.len(), SECRET.len());
        });
        assert_eq!(freed, 0, "blocks freed with the PIN still in them");
        // The watch itself sees a copy freed as it is.
        let (_, freed) = crate::heap_watch::freed_copies(SECRET.as_bytes(), || {
            let mut text = String::with_capacity(64);
            text.push_str(SECRET);
            drop(text);
        });
        assert_eq!(freed, 1);
    }

    #[test]
    fn secret_files_are_read_within_bounds() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("pin");
        std::fs::write(&file, "Kq7-pass\n").expect("write");
        assert_eq!(
            read_secret_file(&file).expect("read").as_slice(),
            b"Kq7-pass\n"
        );
        std::fs::write(&file, vec![b'x'; MAX_SECRET_FILE + 1]).expect("write");
        assert!(read_secret_file(&file).is_err());
        std::fs::write(&file, vec![b'x'; MAX_SECRET_FILE]).expect("write");
        assert_eq!(
            read_secret_file(&file).expect("read").len(),
            MAX_SECRET_FILE
        );
    }
}
