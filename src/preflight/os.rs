//! The operating system and kernel, reported so that support knows what the client runs
//! (the bank forbids outdated systems; its instructions do not cover macOS).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::Facts;
use super::report::{CheckId, Finding, Verdict};

/// What was found about the system.
#[derive(Debug, Clone, Serialize)]
pub struct OsFacts {
    /// `std::env::consts::OS`: linux, macos, windows, ...
    pub family: &'static str,
    pub arch: &'static str,
    /// os-release's PRETTY_NAME (or NAME VERSION).
    pub name: Option<String>,
    /// os-release's ID and VERSION_ID.
    pub id: Option<String>,
    pub version_id: Option<String>,
    pub kernel: Option<String>,
}

/// Parses os-release text (KEY=value lines, values optionally quoted).
pub fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            Some((key.trim().to_string(), value.replace("\\\"", "\"")))
        })
        .collect()
}

/// Reads the facts from the files under `root` ("/" on a real system).
pub fn facts_from(root: &Path) -> OsFacts {
    let release = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|p| std::fs::read_to_string(root.join(p)).ok())
        .map(|t| parse_os_release(&t))
        .unwrap_or_default();
    let name = release.get("PRETTY_NAME").cloned().or_else(|| {
        let n = release.get("NAME")?;
        Some(match release.get("VERSION") {
            Some(v) => format!("{n} {v}"),
            None => n.clone(),
        })
    });
    let kernel = std::fs::read_to_string(root.join("proc/sys/kernel/osrelease"))
        .ok()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    OsFacts {
        family: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        name,
        id: release.get("ID").cloned(),
        version_id: release.get("VERSION_ID").cloned(),
        kernel,
    }
}

/// Reports the system.
pub fn check() -> Finding {
    let facts = facts_from(Path::new("/"));
    let name = facts
        .name
        .clone()
        .unwrap_or_else(|| facts.family.to_string());
    let mut finding = match facts.family {
        "macos" => Finding::new(
            CheckId::Os,
            Verdict::Warn,
            format!("{name} ({})", facts.arch),
        )
        .advice(
            "the bank's instructions do not cover macOS: ask the bank's support before you start",
        ),
        _ => Finding::new(CheckId::Os, Verdict::Ok, format!("{name} ({})", facts.arch)),
    };
    if let Some(k) = &facts.kernel {
        finding = finding.detail(format!("kernel {k}"));
    }
    finding.facts(Facts::Os(facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_values_are_unquoted() {
        let r = parse_os_release(
            "# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID='12'\n",
        );
        assert_eq!(r["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(r["ID"], "debian");
        assert_eq!(r["VERSION_ID"], "12");
    }

    #[test]
    fn facts_come_from_the_files_under_the_root() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("etc")).unwrap();
        std::fs::create_dir_all(root.path().join("proc/sys/kernel")).unwrap();
        std::fs::write(
            root.path().join("etc/os-release"),
            "NAME=\"Astra Linux\"\nVERSION=\"1.7\"\n",
        )
        .unwrap();
        std::fs::write(root.path().join("proc/sys/kernel/osrelease"), "5.15.0-1\n").unwrap();
        let f = facts_from(root.path());
        assert_eq!(f.name.as_deref(), Some("Astra Linux 1.7"));
        assert_eq!(f.kernel.as_deref(), Some("5.15.0-1"));
    }
}
