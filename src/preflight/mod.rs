//! The preflight: everything that must be right before a flow can work, checked in one
//! go and reported as data (PROCEDURE.md, "Preparation"). `smartkey check` prints it;
//! the wizard runs it before any flow and shows the same findings on a screen; support
//! bundles include it.
//!
//! One module per check. Each returns a [`Finding`]: a verdict (OK / WARN / FAIL, or
//! skipped), one summary line, details, what to do, and its facts as data. No check
//! refuses anything by itself: the caller decides what a failure stops.

pub mod ca;
pub mod config;
pub mod integrity;
pub mod library;
pub mod os;
mod render;
mod report;
pub mod service;
pub mod terminal;
pub mod tokens;
pub mod vm;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

pub use render::{render_failures, render_text};
pub use report::{CheckId, Finding, Report, Verdict, exit};

use crate::bank::{BankProfile, Banks};
use crate::config::{Setting, Settings};
use crate::token::Module;

/// The facts a check found, by check: here, with the checks, so that the report
/// knows no check and every check knows the report.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Facts {
    None,
    Config(config::ConfigFacts),
    Library(library::LibraryFacts),
    Service(service::ServiceFacts),
    Tokens(tokens::TokensFacts),
    Os(os::OsFacts),
    Vm(vm::VmFacts),
    Terminal(terminal::TerminalFacts),
    Integrity(integrity::IntegrityFacts),
    Ca(ca::CaFacts),
}

/// Which bank's CA to check.
#[derive(Debug, Clone)]
pub enum BankChoice {
    /// None chosen: the CA check is skipped with a hint.
    NotChosen,
    /// This bank.
    Chosen(Box<BankProfile>),
    /// A bank was chosen, but its profile cannot be had (unknown agentId, broken file).
    Problem { agent_id: u32, reason: String },
}

/// What the preflight works with.
#[derive(Debug, Clone)]
pub struct Options {
    /// Every setting and where it came from (the library, the bank, the config file).
    pub settings: Settings,
    /// The bank whose CA is checked.
    pub bank: BankChoice,
    /// Why the bank profiles cannot be read, if they cannot.
    pub banks_error: Option<String>,
    /// Checks not to run.
    pub skip: Vec<CheckId>,
    /// The longest the CA check may take.
    pub ca_timeout: Duration,
}

impl Options {
    /// Options for `settings`: the bank profiles are read here, and a problem with them
    /// becomes a finding rather than an error.
    pub fn from_settings(settings: Settings) -> Options {
        let banks = Banks::load(settings.banks.as_ref().map(|b| b.value.as_path()));
        let banks_error = banks.as_ref().err().map(ToString::to_string);
        let bank = match (&settings.bank, &banks) {
            (None, _) => BankChoice::NotChosen,
            (Some(id), Ok(banks)) => match banks.get(id.value) {
                Ok(profile) => BankChoice::Chosen(Box::new(profile.clone())),
                Err(e) => BankChoice::Problem {
                    agent_id: id.value,
                    reason: e.to_string(),
                },
            },
            (Some(id), Err(e)) => BankChoice::Problem {
                agent_id: id.value,
                reason: e.to_string(),
            },
        };
        Options {
            settings,
            bank,
            banks_error,
            skip: Vec::new(),
            ca_timeout: ca::DEFAULT_TIMEOUT,
        }
    }

    fn skips(&self, check: CheckId) -> bool {
        self.skip.contains(&check)
    }

    /// The library named by the settings, if one is.
    pub fn module(&self) -> Option<&Setting<PathBuf>> {
        self.settings.module.as_ref()
    }
}

/// A finished preflight: the report, and the library it loaded (for the caller to go on
/// with, so that it is not loaded twice).
pub struct Preflight {
    pub report: Report,
    pub module: Option<Module>,
}

/// Runs every check not skipped, in [`CheckId::ALL`] order.
pub fn run(options: &Options) -> Preflight {
    let skipped = |check: CheckId| Finding::skipped(check, "skipped (--skip)");
    let mut findings = Vec::with_capacity(CheckId::ALL.len());

    findings.push(if options.skips(CheckId::Config) {
        skipped(CheckId::Config)
    } else {
        config::check(&options.settings, options.banks_error.as_deref())
    });

    let (library_finding, loaded) = if options.skips(CheckId::Library) {
        (skipped(CheckId::Library), None)
    } else {
        library::check(options.module())
    };
    let kind = match &library_finding.facts {
        Facts::Library(facts) => Some(facts.kind),
        _ => None,
    };
    findings.push(library_finding);

    findings.push(if options.skips(CheckId::Service) {
        skipped(CheckId::Service)
    } else {
        service::check(kind.unwrap_or(library::LibraryKind::Rutoken))
    });

    findings.push(if options.skips(CheckId::Tokens) {
        skipped(CheckId::Tokens)
    } else {
        match &loaded {
            Some(module) => tokens::check(module),
            None => Finding::skipped(CheckId::Tokens, "not checked: no PKCS#11 library is loaded"),
        }
    });

    findings.push(if options.skips(CheckId::Os) {
        skipped(CheckId::Os)
    } else {
        os::check()
    });
    findings.push(if options.skips(CheckId::Vm) {
        skipped(CheckId::Vm)
    } else {
        vm::check()
    });
    findings.push(if options.skips(CheckId::Terminal) {
        skipped(CheckId::Terminal)
    } else {
        terminal::check()
    });
    findings.push(if options.skips(CheckId::Integrity) {
        skipped(CheckId::Integrity)
    } else {
        integrity::check(loaded.as_ref().map(Module::path))
    });
    findings.push(if options.skips(CheckId::Ca) {
        skipped(CheckId::Ca)
    } else {
        ca::check(&options.bank, options.ca_timeout)
    });

    Preflight {
        report: Report::new(findings),
        module: loaded,
    }
}
