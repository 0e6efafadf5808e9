//! The config file and the bank profile file: readable, and which settings they gave.

use serde::Serialize;

use super::Facts;
use super::report::{CheckId, Finding, Verdict};
use crate::config::{ConfigStatus, Origin, Settings};

/// Every setting as resolved, and what became of the bank profile file.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigFacts {
    pub settings: Settings,
    /// Why the bank profiles cannot be read, if they cannot.
    pub banks_error: Option<String>,
}

fn origin(o: &Origin) -> String {
    format!("({o})")
}

/// Reports the config file's state, each setting with its origin, and the bank
/// profile file's state.
pub fn check(settings: &Settings, banks_error: Option<&str>) -> Finding {
    let mut finding = match &settings.config {
        ConfigStatus::Loaded(path) => Finding::new(
            CheckId::Config,
            Verdict::Ok,
            format!("read from {}", path.display()),
        ),
        ConfigStatus::Absent(path) => Finding::new(
            CheckId::Config,
            Verdict::Ok,
            format!("none at {} (defaults apply)", path.display()),
        ),
        ConfigStatus::NoHome => Finding::new(
            CheckId::Config,
            Verdict::Ok,
            "not looked for: neither XDG_CONFIG_HOME nor HOME is set",
        ),
        ConfigStatus::Broken(e) => Finding::new(CheckId::Config, Verdict::Fail, e.to_string())
            .advice("fix the line named, or move the file away; until then smartkey's other commands refuse to run"),
    };
    finding = finding.detail(match &settings.module {
        Some(m) => format!("module: {} {}", m.value.display(), origin(&m.origin)),
        None => "module: not set (the Rutoken library is searched for)".to_string(),
    });
    finding = finding.detail(match &settings.bank {
        Some(b) => format!("bank: {} {}", b.value, origin(&b.origin)),
        None => "bank: not set".to_string(),
    });
    if let Some(b) = &settings.banks {
        finding = finding.detail(format!(
            "bank profiles: {} {}",
            b.value.display(),
            origin(&b.origin)
        ));
    }
    finding = finding.detail(format!(
        "lang: {} {}",
        settings.lang.value.code(),
        origin(&settings.lang.origin)
    ));
    if let Some(e) = banks_error {
        finding.verdict = Verdict::Fail;
        let fix = "fix the bank profile file, or stop naming it (--banks, SMARTKEY_BANKS, `banks` in config.toml)";
        finding.advice = Some(match finding.advice.take() {
            Some(first) => format!("{first}; and {fix}"),
            None => fix.to_string(),
        });
        finding = finding.detail(e.to_string());
    }
    finding.facts(Facts::Config(ConfigFacts {
        settings: settings.clone(),
        banks_error: banks_error.map(str::to_string),
    }))
}
