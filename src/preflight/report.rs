//! The result of a preflight: one finding per check, each OK / WARN / FAIL (or skipped)
//! with what to do, and the facts behind it as data.

use serde::Serialize;

use super::Facts;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// All is as it should be.
    Ok,
    /// Not run (not asked for, or not applicable); counts as OK.
    Skip,
    /// It may work, but something deserves attention.
    Warn,
    /// This will not work until it is fixed.
    Fail,
}

impl Verdict {
    /// The word printed in front of a check's line.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::Skip => "SKIP",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
        }
    }
}

/// The checks, in the order they run and are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CheckId {
    /// The config file.
    Config,
    /// The PKCS#11 library.
    Library,
    /// The smart card service (pcscd).
    Service,
    /// The tokens inserted.
    Tokens,
    /// The operating system.
    Os,
    /// Whether this is a virtual machine.
    Vm,
    /// The terminal.
    Terminal,
    /// Versions and SHA-256 sums.
    Integrity,
    /// The bank's certification authority.
    Ca,
}

impl CheckId {
    /// Every check, in order.
    pub const ALL: [CheckId; 9] = [
        CheckId::Config,
        CheckId::Library,
        CheckId::Service,
        CheckId::Tokens,
        CheckId::Os,
        CheckId::Vm,
        CheckId::Terminal,
        CheckId::Integrity,
        CheckId::Ca,
    ];

    /// The check's name as a person reads it.
    pub fn title(self) -> &'static str {
        match self {
            CheckId::Config => "Config file",
            CheckId::Library => "PKCS#11 library",
            CheckId::Service => "Smart card service",
            CheckId::Tokens => "Tokens",
            CheckId::Os => "Operating system",
            CheckId::Vm => "Virtual machine",
            CheckId::Terminal => "Terminal",
            CheckId::Integrity => "Integrity",
            CheckId::Ca => "Bank's CA",
        }
    }

    /// The name `--skip` takes.
    pub fn name(self) -> &'static str {
        match self {
            CheckId::Config => "config",
            CheckId::Library => "library",
            CheckId::Service => "service",
            CheckId::Tokens => "tokens",
            CheckId::Os => "os",
            CheckId::Vm => "vm",
            CheckId::Terminal => "terminal",
            CheckId::Integrity => "integrity",
            CheckId::Ca => "ca",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: CheckId,
    pub verdict: Verdict,
    /// One line: what was found.
    pub summary: String,
    /// More lines worth showing (paths, tokens, versions).
    pub details: Vec<String>,
    /// What to do about a warning or failure, in plain words.
    pub advice: Option<String>,
    /// The same as data.
    pub facts: Facts,
}

impl Finding {
    pub fn new(check: CheckId, verdict: Verdict, summary: impl Into<String>) -> Finding {
        Finding {
            check,
            verdict,
            summary: summary.into(),
            details: Vec::new(),
            advice: None,
            facts: Facts::None,
        }
    }

    pub fn detail(mut self, line: impl Into<String>) -> Finding {
        self.details.push(line.into());
        self
    }

    pub fn advice(mut self, text: impl Into<String>) -> Finding {
        self.advice = Some(text.into());
        self
    }

    pub fn facts(mut self, facts: Facts) -> Finding {
        self.facts = facts;
        self
    }

    /// A check that was not run, and why.
    pub fn skipped(check: CheckId, why: impl Into<String>) -> Finding {
        Finding::new(check, Verdict::Skip, why)
    }
}

/// Exit codes of `smartkey check`, documented in its help and the README.
pub mod exit {
    /// Every check is OK (or skipped).
    pub const ALL_OK: u8 = 0;
    /// At least one warning, no failure.
    pub const WARNINGS: u8 = 1;
    /// At least one failure.
    pub const FAILURES: u8 = 2;
}

/// Every finding of one preflight.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// smartkey's version.
    pub version: &'static str,
    /// The worst verdict (a skip counts as OK).
    pub verdict: Verdict,
    /// The exit code `smartkey check` ends with.
    pub exit_code: u8,
    pub checks: Vec<Finding>,
}

impl Report {
    pub fn new(checks: Vec<Finding>) -> Report {
        let verdict = checks
            .iter()
            .map(|f| match f.verdict {
                Verdict::Skip => Verdict::Ok,
                v => v,
            })
            .max()
            .unwrap_or(Verdict::Ok);
        let exit_code = match verdict {
            Verdict::Ok | Verdict::Skip => exit::ALL_OK,
            Verdict::Warn => exit::WARNINGS,
            Verdict::Fail => exit::FAILURES,
        };
        Report {
            version: env!("CARGO_PKG_VERSION"),
            verdict,
            exit_code,
            checks,
        }
    }

    /// The finding of `check`, if it is in the report.
    pub fn finding(&self, check: CheckId) -> Option<&Finding> {
        self.checks.iter().find(|f| f.check == check)
    }

    /// How many findings have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.checks.iter().filter(|f| f.verdict == verdict).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_verdict_sets_the_exit_code_and_skips_count_as_ok() {
        let f = |v| Finding::new(CheckId::Os, v, "");
        assert_eq!(Report::new(vec![]).exit_code, 0);
        assert_eq!(
            Report::new(vec![f(Verdict::Ok), f(Verdict::Skip)]).exit_code,
            0
        );
        assert_eq!(
            Report::new(vec![f(Verdict::Skip), f(Verdict::Warn)]).exit_code,
            1
        );
        assert_eq!(
            Report::new(vec![f(Verdict::Fail), f(Verdict::Warn)]).exit_code,
            2
        );
    }
}
