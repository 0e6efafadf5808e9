//! smartkey's version and the SHA-256 of its own executable and of the loaded PKCS#11
//! library, so that they can be compared with the list of current software the bank
//! publishes (PROCEDURE.md, "Preparation").

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Facts;
use super::report::{CheckId, Finding, Verdict};

/// What was found.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrityFacts {
    pub version: &'static str,
    pub executable: Option<PathBuf>,
    pub executable_sha256: Option<String>,
    pub library: Option<PathBuf>,
    pub library_sha256: Option<String>,
    pub errors: Vec<String>,
}

/// The SHA-256 of a file, in lowercase hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Hashes smartkey's executable and `library` (the loaded PKCS#11 library), if any.
pub fn check(library: Option<&Path>) -> Finding {
    let mut facts = IntegrityFacts {
        version: env!("CARGO_PKG_VERSION"),
        executable: None,
        executable_sha256: None,
        library: library.map(Path::to_path_buf),
        library_sha256: None,
        errors: Vec::new(),
    };
    match std::env::current_exe() {
        Ok(exe) => {
            match sha256_file(&exe) {
                Ok(h) => facts.executable_sha256 = Some(h),
                Err(e) => facts
                    .errors
                    .push(format!("cannot read {}: {e}", exe.display())),
            }
            facts.executable = Some(exe);
        }
        Err(e) => facts
            .errors
            .push(format!("cannot tell where smartkey's executable is: {e}")),
    }
    if let Some(lib) = library {
        match sha256_file(lib) {
            Ok(h) => facts.library_sha256 = Some(h),
            Err(e) => facts
                .errors
                .push(format!("cannot read {}: {e}", lib.display())),
        }
    }

    let mut finding = if facts.errors.is_empty() {
        Finding::new(
            CheckId::Integrity,
            Verdict::Ok,
            format!("smartkey {}", facts.version),
        )
    } else {
        Finding::new(
            CheckId::Integrity,
            Verdict::Warn,
            format!("smartkey {}; not every file could be hashed", facts.version),
        )
        .advice(
            "run smartkey from where it was installed, with read access to it and to the library",
        )
    };
    if let (Some(exe), Some(h)) = (&facts.executable, &facts.executable_sha256) {
        finding = finding.detail(format!("{}  sha256 {h}", exe.display()));
    }
    if let (Some(lib), Some(h)) = (&facts.library, &facts.library_sha256) {
        finding = finding.detail(format!("{}  sha256 {h}", lib.display()));
    }
    for e in facts.errors.clone() {
        finding = finding.detail(e);
    }
    finding
        .detail("compare the sums with the list of current software versions the bank publishes")
        .facts(Facts::Integrity(facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_a_known_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, "abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
