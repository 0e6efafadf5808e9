//! `smartkey check` and `smartkey banks`: the preflight and the bank profiles, as text
//! or JSON.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;
use tracing::info;

use super::CheckArgs;
use super::commands::{json, out_err};
use super::error::CliError;
use crate::bank::{BankProfile, Banks, ProfileSource};
use crate::config::Settings;
use crate::preflight::{self, Options, render_text};

/// Runs the preflight and prints it; the exit code is the report's.
pub(super) fn run(
    settings: Settings,
    args: &CheckArgs,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let mut options = Options::from_settings(settings);
    options.skip = args.skip.clone();
    options.ca_timeout = Duration::from_secs(args.timeout);
    let report = preflight::run(&options).report;
    for f in &report.checks {
        info!(check = f.check.name(), verdict = f.verdict.label(), summary = %f.summary, "check");
    }
    if args.json {
        json(out, &report)?;
    } else {
        out.write_all(render_text(&report).as_bytes())
            .map_err(out_err)?;
    }
    Ok(report.exit_code)
}

/// A profile as `banks --json` shows it.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    profile: &'a BankProfile,
    cmp_url: String,
    /// Whether this is the bank the settings choose.
    chosen: bool,
}

/// Lists the bank profiles; the chosen one is marked.
pub(super) fn banks(
    settings: &Settings,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let banks = Banks::load(settings.banks.as_ref().map(|b| b.value.as_path()))?;
    let chosen = settings.bank.as_ref().map(|b| b.value);
    if let Some(id) = chosen {
        // A chosen bank that is not there is worth saying, not just an unmarked list.
        banks.get(id)?;
    }
    if as_json {
        let listed: Vec<Listed> = banks
            .profiles()
            .iter()
            .map(|p| Listed {
                profile: p,
                cmp_url: p.cmp_url(),
                chosen: Some(p.agent_id) == chosen,
            })
            .collect();
        json(out, &listed)?;
        return Ok(super::exit::OK);
    }
    let mut text = String::new();
    for p in banks.profiles() {
        let mark = if Some(p.agent_id) == chosen { "*" } else { " " };
        text.push_str(&format!("{mark} {:<5} {}\n", p.agent_id, p.name));
        let trust = match (&p.trust_anchor, p.ca_is_encrypted()) {
            (_, false) => "not encrypted".to_string(),
            (Some(a), true) => format!("TLS trusted by {}", a.subjects.join("; ")),
            (None, true) => "TLS trusted by the system's roots".to_string(),
        };
        text.push_str(&format!("        CA: {} ({trust})\n", p.ca_url));
        let keys: Vec<&str> = p.key_types.iter().map(|k| k.name()).collect();
        text.push_str(&format!("        key types: {}\n", keys.join(", ")));
        let contacts: Vec<&str> = [&p.support_phone, &p.support_email]
            .into_iter()
            .filter_map(|c| c.as_deref())
            .collect();
        if !contacts.is_empty() {
            text.push_str(&format!("        support: {}\n", contacts.join(", ")));
        }
        if let Some(e) = &p.operations_email {
            text.push_str(&format!("        application scans to: {e}\n"));
        }
        if let Some(u) = &p.online_bank_url {
            text.push_str(&format!("        online bank: {u}\n"));
        }
        if let ProfileSource::File { path } = &p.source {
            text.push_str(&format!("        from {}\n", path.display()));
        }
    }
    if chosen.is_some() {
        text.push_str("(* the bank chosen by --bank, SMARTKEY_BANK or config.toml)\n");
    }
    out.write_all(text.as_bytes()).map_err(out_err)?;
    Ok(super::exit::OK)
}
