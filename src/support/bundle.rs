//! The support bundle: a tar.gz archive for the bank's support, with a manifest listing
//! every file in it, its size and SHA-256, what it is, and how many values were
//! redacted from it. ykman's `--diagnose` prints one block of text; this is the same
//! idea made structured (JSON beside text), complete (logs and transcripts) and safe to
//! e-mail (redacted, no key material: only what a token shows without a PIN).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::redact::{MASK, Redactor};
use crate::bank::BankProfile;
use crate::pki::CertificateSummary;
use crate::preflight::{self, BankChoice, Options, Report, render_text};
use crate::token::{Module, TokenInfo};
use smartkey_wizard::KeyType;

/// How many of the newest transcripts go into a bundle.
pub const MAX_TRANSCRIPTS: usize = 20;
/// How many of the newest log files go into a bundle.
pub const MAX_LOG_FILES: usize = 7;
/// The most of one log or transcript that goes in (its end, where the latest events are).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// Why a bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    #[error("cannot write the support bundle to {}: {detail}; choose another place with --out FILE", .path.display())]
    Write { path: PathBuf, detail: String },
}

/// One file of the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct BundleEntry {
    /// Its path inside the archive, under the bundle's folder.
    pub path: String,
    pub bytes: usize,
    pub sha256: String,
    /// What it is, in a few words.
    pub what: String,
    /// How many values were replaced with the mask.
    pub redactions: usize,
}

/// What a bundle holds; also written into it as `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// When it was made (UTC, ISO 8601).
    pub created: String,
    pub smartkey_version: &'static str,
    /// The folder everything is in, inside the archive.
    pub folder: String,
    /// The archive written.
    pub archive: PathBuf,
    pub files: Vec<BundleEntry>,
    /// What was looked for but not there (no logs yet, no transcripts yet).
    pub not_included: Vec<String>,
    /// What is replaced with the mask.
    pub redaction: String,
    /// The check's overall verdict and exit code.
    pub check_exit_code: u8,
}

/// Days since 1970-01-01 to a (year, month, day) date (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (YYYY-MM-DDTHH:MM:SSZ, YYYYMMDD-HHMMSS) for `time`.
fn timestamps(time: SystemTime) -> (String, String) {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let secs = i64::try_from(secs).unwrap_or(0);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    (
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
        format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}"),
    )
}

/// The default file name of a bundle made now: `smartkey-support-YYYYMMDD-HHMMSS.tar.gz`.
pub fn default_bundle_name() -> String {
    format!(
        "smartkey-support-{}.tar.gz",
        timestamps(SystemTime::now()).1
    )
}

/// A key pair as the bundle shows it: public facts only.
#[derive(Serialize)]
struct KeyFacts {
    id: String,
    label: String,
    algorithm: Option<KeyType>,
    certificate: Option<CertificateSummary>,
}

/// A token as the bundle shows it: what anyone can read without its PIN.
#[derive(Serialize)]
struct TokenFacts {
    #[serde(flatten)]
    token: TokenInfo,
    keys: Vec<KeyFacts>,
    error: Option<String>,
}

fn token_facts(module: &Module) -> Result<Vec<TokenFacts>, crate::token::TokenError> {
    let tokens = module.tokens()?;
    Ok(tokens
        .into_iter()
        .filter(|t| t.initialized)
        .map(|token| {
            let keys = module
                .open(&token)
                .and_then(|session| session.key_pairs(false));
            match keys {
                Ok(pairs) => TokenFacts {
                    token,
                    keys: pairs
                        .iter()
                        .map(|p| KeyFacts {
                            id: p.id.to_string(),
                            label: p.label.clone(),
                            algorithm: p.algorithm,
                            certificate: p.certificate.as_ref().map(CertificateSummary::of),
                        })
                        .collect(),
                    error: None,
                },
                Err(e) => TokenFacts {
                    token,
                    keys: Vec::new(),
                    error: Some(e.to_string()),
                },
            }
        })
        .collect())
}

/// Regular files of `dir`, newest first, at most `max`.
fn newest_files(dir: &Path, max: usize) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let modified = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(UNIX_EPOCH);
            (modified, e.path())
        })
        .collect();
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    files.into_iter().take(max).map(|(_, p)| p).collect()
}

/// The last `MAX_FILE_BYTES` of a file, and whether it was cut.
fn read_tail(path: &Path) -> std::io::Result<(Vec<u8>, bool)> {
    let bytes = std::fs::read(path)?;
    if bytes.len() <= MAX_FILE_BYTES {
        return Ok((bytes, false));
    }
    Ok((bytes[bytes.len() - MAX_FILE_BYTES..].to_vec(), true))
}

/// Builds the archive in memory, file by file, redacting each.
struct Builder {
    folder: String,
    redactor: Redactor,
    tar: tar::Builder<flate2::write::GzEncoder<Vec<u8>>>,
    entries: Vec<BundleEntry>,
    mtime: u64,
}

impl Builder {
    fn add(&mut self, name: &str, what: impl Into<String>, bytes: &[u8]) -> std::io::Result<()> {
        let redacted = self.redactor.redact_bytes(bytes);
        let data = redacted.value;
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        let path = format!("{}/{name}", self.folder);
        self.tar.append_data(&mut header, &path, data.as_slice())?;
        self.entries.push(BundleEntry {
            path: name.to_string(),
            bytes: data.len(),
            sha256: hex::encode(Sha256::digest(&data)),
            what: what.into(),
            redactions: redacted.count,
        });
        Ok(())
    }

    fn add_json<T: Serialize>(&mut self, name: &str, what: &str, value: &T) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
        self.add(name, what, &text)
    }
}

fn readme(report: &Report, bank: Option<&BankProfile>, created: &str) -> String {
    let send_to = bank
        .map(|b| format!("\nSend it to {}.\n", b.support_contact()))
        .unwrap_or_default();
    format!(
        "smartkey support bundle, made {created} by smartkey {version}.\n\
         \n\
         It shows the bank's support what smartkey found on this computer: the check\n\
         (check.txt, check.json), versions, the tokens' public information (model, serial,\n\
         label, PIN state, key and certificate names: what any program can read without\n\
         a PIN), the settings, the last wizard transcripts and the log files.\n\
         manifest.json lists every file with its size, SHA-256 and what it is.\n\
         \n\
         It holds no PIN and no key: smartkey never writes PINs anywhere, and every file\n\
         was also searched for PIN-like values (values after PIN/PIN-код/password keys,\n\
         the factory PINs, and PIN-like environment variables, as text, UTF-16 and hex),\n\
         which are replaced with {MASK}.\n\
         \n\
         The check found {ok} OK, {warn} warning(s) and {fail} failure(s).\n{send_to}",
        version = env!("CARGO_PKG_VERSION"),
        ok = report.count(crate::preflight::Verdict::Ok),
        warn = report.count(crate::preflight::Verdict::Warn),
        fail = report.count(crate::preflight::Verdict::Fail),
    )
}

fn versions_text(report: &Report) -> String {
    let mut lines = vec![format!("smartkey {}", report.version)];
    for f in &report.checks {
        match &f.facts {
            preflight::Facts::Os(os) => {
                lines.push(format!(
                    "system: {} ({} {})",
                    os.name.as_deref().unwrap_or("unknown"),
                    os.family,
                    os.arch
                ));
                if let Some(k) = &os.kernel {
                    lines.push(format!("kernel: {k}"));
                }
            }
            preflight::Facts::Library(lib) => {
                if let Some(info) = &lib.info {
                    lines.push(format!(
                        "PKCS#11 library: {} by {}, version {} ({})",
                        info.description,
                        info.manufacturer,
                        info.version,
                        info.path.display()
                    ));
                }
            }
            preflight::Facts::Integrity(i) => {
                if let Some(h) = &i.executable_sha256 {
                    lines.push(format!("smartkey sha256: {h}"));
                }
                if let Some(h) = &i.library_sha256 {
                    lines.push(format!("library sha256: {h}"));
                }
            }
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

/// Runs the check and writes the bundle to `out`; `state_dir` is smartkey's state
/// directory (logs and transcripts are read from it).
pub fn make_bundle(
    out: &Path,
    options: &Options,
    state_dir: Option<&Path>,
    redactor: Redactor,
) -> Result<Manifest, SupportError> {
    let now = SystemTime::now();
    let (created, stamp) = timestamps(now);
    let folder = format!("smartkey-support-{stamp}");
    let write_err = |detail: String| SupportError::Write {
        path: out.to_path_buf(),
        detail,
    };

    let run = preflight::run(options);
    let report = run.report;
    let bank = match &options.bank {
        BankChoice::Chosen(p) => Some(p.as_ref()),
        _ => None,
    };

    let mut b = Builder {
        folder: folder.clone(),
        redactor,
        tar: tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        )),
        entries: Vec::new(),
        mtime: now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    let mut not_included = Vec::new();
    let io = |e: std::io::Error| write_err(e.to_string());

    b.add(
        "README.txt",
        "what this bundle is and what was removed from it",
        readme(&report, bank, &created).as_bytes(),
    )
    .map_err(io)?;
    b.add(
        "check.txt",
        "smartkey check, as text",
        render_text(&report).as_bytes(),
    )
    .map_err(io)?;
    b.add_json("check.json", "smartkey check, as data", &report)
        .map_err(io)?;
    b.add(
        "versions.txt",
        "versions and SHA-256 sums",
        versions_text(&report).as_bytes(),
    )
    .map_err(io)?;
    b.add_json(
        "settings.json",
        "settings and where each came from",
        &options.settings,
    )
    .map_err(io)?;
    if let crate::config::ConfigStatus::Loaded(path) = &options.settings.config {
        match std::fs::read(path) {
            Ok(bytes) => b
                .add(
                    "config.toml",
                    format!("the config file {}", path.display()),
                    &bytes,
                )
                .map_err(io)?,
            Err(e) => not_included.push(format!("config file {}: {e}", path.display())),
        }
    }
    if let Some(profile) = bank {
        b.add_json("bank.json", "the bank profile in use", profile)
            .map_err(io)?;
    }
    match &run.module {
        Some(module) => match token_facts(module) {
            Ok(tokens) => b
                .add_json(
                    "tokens.json",
                    "tokens inserted: public information only",
                    &tokens,
                )
                .map_err(io)?,
            Err(e) => not_included.push(format!("tokens: {e}")),
        },
        None => not_included.push("tokens: no PKCS#11 library is loaded".to_string()),
    }

    for (sub, max, what) in [
        ("logs", MAX_LOG_FILES, "log file"),
        (super::TRANSCRIPTS, MAX_TRANSCRIPTS, "wizard transcript"),
    ] {
        let Some(dir) = state_dir.map(|d| d.join(sub)) else {
            not_included.push(format!("{sub}: no state directory (HOME is not set)"));
            continue;
        };
        let files = newest_files(&dir, max);
        if files.is_empty() {
            not_included.push(format!("{sub}: none in {}", dir.display()));
        }
        for path in files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match read_tail(&path) {
                Ok((bytes, cut)) => {
                    let what = if cut {
                        format!(
                            "{what} {} (its last {} MiB)",
                            path.display(),
                            MAX_FILE_BYTES >> 20
                        )
                    } else {
                        format!("{what} {}", path.display())
                    };
                    b.add(&format!("{sub}/{name}"), what, &bytes).map_err(io)?;
                }
                Err(e) => not_included.push(format!("{}: {e}", path.display())),
            }
        }
    }

    let manifest = Manifest {
        created,
        smartkey_version: env!("CARGO_PKG_VERSION"),
        folder,
        archive: out.to_path_buf(),
        files: b.entries.clone(),
        not_included,
        redaction: format!(
            "values after PIN/PIN-код/password keys, the factory PINs and PIN-like environment variables (as text, UTF-16 and hex) are replaced with {MASK}; no private key or PIN is ever read"
        ),
        check_exit_code: report.exit_code,
    };
    b.add_json("manifest.json", "this list", &manifest)
        .map_err(io)?;
    let gz = b.tar.into_inner().map_err(io)?;
    let bytes = gz.finish().map_err(io)?;
    write_private(out, &bytes).map_err(|e| write_err(e.to_string()))?;
    Ok(manifest)
}

/// Writes `bytes` to `path` readable by the owner only, replacing it whole (through a
/// temporary file next to it) so that a half-written bundle is never left.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let tmp = dir.join(format!(".{name}.partial"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_computed_in_utc() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
        assert_eq!(timestamps(t).0, "2026-11-18T11:06:40Z");
        assert_eq!(timestamps(t).1, "20261118-110640");
    }
}
