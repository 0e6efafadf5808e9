//! The PKCS#11 library: which one, found where, whether it loads, and what it says about
//! itself (C_GetInfo). With none named, the usual Rutoken places are searched and the
//! finding lists them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Facts;
use super::report::{CheckId, Finding, Verdict};
use crate::config::{Origin, Setting};
use crate::token::{LibraryInfo, Module, TokenError, rutoken_library_candidates};

/// What kind of module a library is; it decides whether the smart card service is
/// needed (hardware modules talk to readers through pcscd, software tokens do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LibraryKind {
    /// Aktiv's Rutoken library (librtpkcs11ecp).
    Rutoken,
    /// smartkey's virtual Rutoken (rutoken-emu).
    RutokenEmu,
    /// SoftHSM2.
    SoftHsm,
    /// Any other module; taken to be hardware.
    Other,
}

impl LibraryKind {
    /// Decides by the file name and, once loaded, by what the library says of itself.
    pub fn of(path: &Path, info: Option<&LibraryInfo>) -> LibraryKind {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let said = info
            .map(|i| format!("{} {}", i.manufacturer, i.description).to_lowercase())
            .unwrap_or_default();
        if file.contains("rutoken_emu") || said.contains("rutoken-emu") {
            LibraryKind::RutokenEmu
        } else if file.contains("softhsm") || said.contains("softhsm") {
            LibraryKind::SoftHsm
        } else if file.contains("rtpkcs11") || said.contains("aktiv") {
            LibraryKind::Rutoken
        } else {
            LibraryKind::Other
        }
    }

    /// Whether the module reaches its tokens through the smart card service.
    pub fn needs_pcscd(self) -> bool {
        matches!(self, LibraryKind::Rutoken | LibraryKind::Other)
    }

    /// How a person would name it.
    pub fn describe(self) -> &'static str {
        match self {
            LibraryKind::Rutoken => "the Rutoken library",
            LibraryKind::RutokenEmu => "the virtual Rutoken (rutoken-emu)",
            LibraryKind::SoftHsm => "SoftHSM2",
            LibraryKind::Other => "a PKCS#11 library",
        }
    }
}

/// What was found about the library.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryFacts {
    /// The library used or tried; `None` when none was found.
    pub path: Option<PathBuf>,
    /// Where the choice came from ("search" when the usual places were searched).
    pub origin: String,
    /// The places searched, when none was named.
    pub tried: Vec<PathBuf>,
    pub loaded: bool,
    pub kind: LibraryKind,
    /// What the library says of itself (C_GetInfo).
    pub info: Option<LibraryInfo>,
    pub error: Option<String>,
}

const CHOOSE: &str = "name the library with --module PATH, the SMARTKEY_MODULE environment variable, or `module = \"PATH\"` in config.toml";

/// Finds and loads the library; returns the finding and the loaded module.
pub fn check(named: Option<&Setting<PathBuf>>) -> (Finding, Option<Module>) {
    let (path, origin, tried) = match named {
        Some(s) => (Some(s.value.clone()), s.origin.to_string(), Vec::new()),
        None => {
            let tried = rutoken_library_candidates();
            let found = tried.iter().find(|p| p.is_file()).cloned();
            (
                found,
                "found in the usual Rutoken places".to_string(),
                tried,
            )
        }
    };
    let mut facts = LibraryFacts {
        path: path.clone(),
        origin: origin.clone(),
        tried: tried.clone(),
        loaded: false,
        kind: path
            .as_deref()
            .map_or(LibraryKind::Rutoken, |p| LibraryKind::of(p, None)),
        info: None,
        error: None,
    };

    let Some(path) = path else {
        let list = tried
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>();
        let mut finding = Finding::new(
            CheckId::Library,
            Verdict::Fail,
            "no Rutoken PKCS#11 library was found",
        );
        for p in &list {
            finding = finding.detail(format!("tried {p}"));
        }
        facts.error = Some(format!("not found in: {}", list.join(", ")));
        return (
            finding
                .advice(format!(
                    "install the Rutoken drivers (librtpkcs11ecp) from the Rutoken maker's site, or {CHOOSE}"
                ))
                .facts(Facts::Library(facts)),
            None,
        );
    };

    let module = match Module::load(&path) {
        Ok(m) => m,
        Err(e) => {
            let reason = match &e {
                TokenError::LibraryLoad { reason, .. } => reason.clone(),
                other => other.to_string(),
            };
            facts.error = Some(reason.clone());
            let from = if named.is_some_and(|s| s.origin != Origin::Default) {
                format!(" ({origin})")
            } else {
                String::new()
            };
            return (
                Finding::new(
                    CheckId::Library,
                    Verdict::Fail,
                    format!("{} does not load: {reason}", path.display()),
                )
                .detail(format!("file: {}{from}", path.display()))
                .advice(format!("check the path, or {CHOOSE}"))
                .facts(Facts::Library(facts)),
                None,
            );
        }
    };

    facts.loaded = true;
    let info = module.library_info();
    let mut finding = match &info {
        Ok(info) => {
            facts.kind = LibraryKind::of(&path, Some(info));
            Finding::new(
                CheckId::Library,
                Verdict::Ok,
                format!(
                    "{} ({}), library version {}",
                    info.description, info.manufacturer, info.version
                ),
            )
        }
        Err(e) => Finding::new(
            CheckId::Library,
            Verdict::Warn,
            format!("loads, but does not describe itself: {e}"),
        )
        .advice("the library may be damaged or too old; reinstall the Rutoken drivers"),
    };
    finding = finding.detail(format!("file: {} ({origin})", path.display()));
    if !tried.is_empty() {
        let looked: Vec<String> = tried
            .iter()
            .take_while(|p| **p != path)
            .map(|p| p.display().to_string())
            .collect();
        if !looked.is_empty() {
            finding = finding.detail(format!("not found first in: {}", looked.join(", ")));
        }
    }
    facts.info = info.ok();
    (finding.facts(Facts::Library(facts)), Some(module))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_decides_whether_pcscd_is_needed() {
        let kind = |p: &str| LibraryKind::of(Path::new(p), None);
        assert_eq!(
            kind("/opt/aktivco/rutokenecp/amd64/librtpkcs11ecp.so"),
            LibraryKind::Rutoken
        );
        assert_eq!(
            kind("/usr/lib/softhsm/libsofthsm2.so"),
            LibraryKind::SoftHsm
        );
        assert_eq!(
            kind("target/debug/librutoken_emu.so"),
            LibraryKind::RutokenEmu
        );
        assert_eq!(kind("/usr/lib/opensc-pkcs11.so"), LibraryKind::Other);
        assert!(LibraryKind::Rutoken.needs_pcscd());
        assert!(LibraryKind::Other.needs_pcscd());
        assert!(!LibraryKind::SoftHsm.needs_pcscd());
        assert!(!LibraryKind::RutokenEmu.needs_pcscd());
    }
}
