//! The wizard's commands: `new`, `renew`, `save LINK`, `destroy-old-key`, `status`. Each
//! builds a flow's start from the settings and runs it in the runtime ([`crate::app`])
//! with the plain line frontend or a script.
//!
//! A flow holds the state lock ([`StateLock`]) from before it reads any state to its
//! end, so that a second smartkey on the same state directory refuses at once instead
//! of changing the same records; `status` only reads, and takes no lock.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::commands::{json, out_err};
use super::error::{CliError, exit};
use crate::app::{self, PendingStore, RunConfig, RunEnd, Scripted, StateLock};
use crate::bank::Banks;
use crate::config::Settings;
use crate::enroll::PickupLink;
use crate::preflight;
use crate::token::locate_library;
use smartkey_i18n::Catalogue;
use smartkey_wizard::{Effect, Ending, Msg, Wizard};

/// How a wizard command is driven and where it writes.
#[derive(Debug, Clone, Args)]
pub struct FlowArgs {
    /// Plain text screens and typed commands (`help` lists them), for screen readers,
    /// simple terminals and support sessions.
    #[arg(long)]
    pub plain: bool,
    /// Play the answers of a script (one JSON object per line) instead of asking.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Values of the PINs a script names (`NAME=value` lines); the environment comes
    /// first.
    #[arg(long, value_name = "FILE", requires = "script")]
    pub secrets: Option<PathBuf>,
    /// Write this run down as a script for `smartkey replay` (PINs by name only), with
    /// its screens in FILE's `.screens` file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Also append the transcript (every screen and answer, never a PIN) to this file.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Where the application and the act are written [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Which flow.
pub enum Which {
    New,
    Renew,
    Save(String),
    DestroyOldKey,
}

fn pending_store() -> Result<(Option<PendingStore>, Vec<smartkey_wizard::PendingRecord>), CliError>
{
    let store = PendingStore::default_location();
    let records = match &store {
        Some(s) => s.load()?,
        None => Vec::new(),
    };
    Ok((store, records))
}

/// The state lock of `dir`, or the refusal in the person's language when another
/// smartkey holds it.
pub(super) fn lock_state(
    dir: &std::path::Path,
    settings: &Settings,
) -> Result<StateLock, CliError> {
    StateLock::acquire(dir).map_err(|e| CliError::from_lock(e, settings.lang.value))
}

/// The preflight before a flow: a failure stops the flow before its first step, with
/// the failing checks and what to do; warnings are handed to the flow's first screen.
///
/// The bank's CA is not checked here: the flow asks the bank itself, and a bank that does
/// not answer must not keep a client from resuming what waits on this computer. Nor are
/// the tokens: the flow watches the card readers from its first screen on. Nor the
/// integrity sums: they are for comparing with the bank's list (`smartkey check`), never
/// a verdict, and hashing the program and its library would slow every start.
fn preflight(settings: &Settings) -> Result<Vec<Msg>, CliError> {
    let mut options = preflight::Options::from_settings(settings.clone());
    options.skip = vec![
        preflight::CheckId::Ca,
        preflight::CheckId::Tokens,
        preflight::CheckId::Integrity,
    ];
    let report = preflight::run(&options).report;
    let failed: Vec<&preflight::Finding> = report
        .checks
        .iter()
        .filter(|f| f.verdict == preflight::Verdict::Fail)
        .collect();
    if !failed.is_empty() {
        let library = failed
            .iter()
            .any(|f| f.check == preflight::CheckId::Library);
        return Err(CliError::Preflight {
            report: preflight::render_failures(&failed),
            library,
        });
    }
    Ok(report
        .checks
        .iter()
        .filter(|f| f.verdict == preflight::Verdict::Warn)
        .map(|f| Msg::PreflightWarning {
            check: f.check.title().to_string(),
            summary: f.summary.clone(),
            advice: f.advice.clone(),
        })
        .collect())
}

/// Runs a flow to its end; the exit code says whether it reached a good end.
pub(super) fn run(
    settings: &Settings,
    which: Which,
    args: &FlowArgs,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    // First of all, so that a second smartkey refuses before it touches anything; held
    // to the end of the run (records, transcripts, and what other state files there are).
    // Without a known state directory there is no state to guard (nor any kept).
    let _lock = match crate::config::state_dir() {
        Some(dir) => Some(lock_state(&dir, settings)?),
        None => None,
    };
    let warnings = preflight(settings)?;
    let today = app::start::today()?;
    let banks = Banks::load(settings.banks.as_ref().map(|b| b.value.as_path()))?;
    let module = locate_library(settings.module.as_ref().map(|m| m.value.as_path()))?;
    let (store, records) = pending_store()?;
    let mut start = app::start::start_on(
        banks.profiles(),
        settings.bank.as_ref().map(|b| b.value),
        records,
        today,
        &app::Chance::System,
    );
    start.warnings = warnings;
    let draft = app::DraftStore::default_location();
    if matches!(which, Which::New) {
        start.draft = draft.as_ref().and_then(app::DraftStore::load);
    }
    let flow = match &which {
        Which::New => "new",
        Which::Renew => "renew",
        Which::Save(_) => "save",
        Which::DestroyOldKey => "destroy-old-key",
    };
    let begun = match which {
        Which::New => Wizard::new_flow(start),
        Which::Renew => Wizard::renew_flow(start),
        Which::DestroyOldKey => Wizard::destroy_old_key_flow(start),
        Which::Save(link) => {
            let parsed = PickupLink::parse(link.trim())
                .map_err(|e| CliError::Usage(format!("the link {link:?} cannot be used: {e}")))?;
            let pickup = crate::enroll::pickup_ref(&parsed).ok_or_else(|| {
                CliError::Usage(format!("the link {link:?} names no bank number (agentId)"))
            })?;
            Wizard::save_flow(pickup, start)
        }
    };
    let catalogue = Catalogue::new(settings.lang.value);
    let config = RunConfig {
        module,
        banks: banks.profiles().to_vec(),
        catalogue,
        pending: store,
        draft,
        documents: args.out_dir.clone().unwrap_or_else(|| PathBuf::from(".")),
        transcript: args.transcript.clone(),
        transcripts_dir: crate::support::transcripts_dir(),
        watch_every: Duration::from_millis(500),
        chance: std::sync::Arc::new(app::Chance::System),
    };
    let end = drive(begun, flow, args, config)?;
    report(&end, out)
}

/// Reads a script file; its PIN names are looked up in the environment, then in
/// `secrets`, then among the factory PINs (and the demo's training PINs in the demo).
pub(super) fn read_script(
    path: &std::path::Path,
    secrets: Option<&std::path::Path>,
    mut book: app::PinBook,
) -> Result<app::Script, CliError> {
    let file_error = |detail: String| CliError::File {
        what: "the script",
        path: path.to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    if let Some(secrets) = secrets {
        book.read_file(secrets)?;
    }
    app::Script::parse(&text, &book).map_err(|e| file_error(e.to_string()))
}

/// Runs the flow `flow` with the frontend the arguments ask for, recording it when
/// asked to.
pub(super) fn drive(
    (wizard, effects): (Wizard, Vec<Effect>),
    flow: &str,
    args: &FlowArgs,
    config: RunConfig,
) -> Result<RunEnd, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("the runtime cannot start: {e}")))?;
    let mut recorder = args.record.as_ref().map(|path| {
        let setup = app::script::Setup {
            lang: config.catalogue.lang(),
            date: wizard.facts().today.to_string(),
            ..Default::default()
        };
        app::record::Recorder::new(path.clone(), setup, config.catalogue)
    });
    // Runs the flow with `frontend`, through the recorder when there is one.
    macro_rules! play {
        ($frontend:expr) => {{
            let frontend = $frontend;
            match &mut recorder {
                Some(r) => {
                    let mut recording = r.flow(flow, frontend);
                    let end = runtime.block_on(app::run(wizard, effects, &mut recording, config));
                    recording.end()?;
                    end
                }
                None => runtime.block_on(app::run(wizard, effects, frontend, config)),
            }
        }};
    }
    let end = match &args.script {
        Some(path) => {
            let script = read_script(path, args.secrets.as_deref(), app::PinBook::new())?;
            let mut frontend = Scripted::numbered(script.steps, None);
            play!(&mut frontend)
        }
        None if !args.plain && app::tui::Tui::available() => {
            // The full-screen view must start inside the runtime's context (its event
            // channel and timers belong to it).
            let _guard = runtime.enter();
            match app::tui::Tui::start(config.catalogue) {
                Ok(mut frontend) => {
                    let end = play!(&mut frontend);
                    drop(frontend);
                    end
                }
                Err(e) => {
                    tracing::warn!("the full-screen view cannot start ({e}); using line mode");
                    let mut frontend = app::plain::Plain::stdin(config.catalogue);
                    play!(&mut frontend)
                }
            }
        }
        None => {
            let mut frontend = app::plain::Plain::stdin(config.catalogue);
            play!(&mut frontend)
        }
    };
    end.map_err(|app::RunError::Token(e)| CliError::Token(e))
}

/// Says how the run ended; the exit code is 0 only for an end that went well.
pub(super) fn report(end: &RunEnd, out: &mut dyn Write) -> Result<u8, CliError> {
    let (line, code) = match end {
        RunEnd::Finished { at, ending } => {
            let good = matches!(
                ending,
                Ending::RequestSent
                    | Ending::RenewalSent
                    | Ending::CertificateSaved
                    | Ending::RenewalSaved
                    | Ending::OldKeyDestroyed
            );
            (
                format!("smartkey: finished at step {} ({ending:?})", at.as_str()),
                if good { exit::OK } else { exit::FAILURE },
            )
        }
        RunEnd::Left { at } => (
            format!(
                "smartkey: stopped at step {}; what is on the token and at the bank stays, run the command again to go on",
                at.as_str()
            ),
            exit::FAILURE,
        ),
        RunEnd::Interrupted { at } => (
            format!(
                "smartkey: interrupted at step {}; logged out of the token; run the command again to go on",
                at.as_str()
            ),
            exit::FAILURE,
        ),
        RunEnd::ScriptFailed { at, why } => (
            format!(
                "smartkey: the script stopped at step {}: {why}",
                at.as_str()
            ),
            exit::FAILURE,
        ),
    };
    writeln!(out, "{line}").map_err(out_err)?;
    Ok(code)
}

/// Where a recorded request stands at its bank, as `smartkey status` found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum AtBank {
    /// Not asked (`--offline`).
    NotAsked,
    /// The bank could not be asked (no profile, network, a strange answer).
    Unknown,
    Waiting,
    /// Issued: `smartkey save LINK` picks it up.
    Issued,
    /// The pickup link expired; the bank can send it again.
    LinkExpired,
    /// Decided for good (refused, expired, unknown to the bank): the record is dropped.
    Decided,
}

impl AtBank {
    fn words(self) -> &'static str {
        match self {
            AtBank::NotAsked => "not asked",
            AtBank::Unknown => "the bank could not be asked",
            AtBank::Waiting => "waiting for the bank",
            AtBank::Issued => "issued: save it with the link of the bank's e-mail",
            AtBank::LinkExpired => "the link expired: ask the bank to send it again",
            AtBank::Decided => "decided by the bank (refused or expired): record removed",
        }
    }
}

/// The longest `status` waits for one bank's answer.
const STATUS_ASK_TIMEOUT: Duration = Duration::from_secs(10);

/// Asks each record's bank once where its request stands.
fn ask_banks(settings: &Settings, records: &[smartkey_wizard::PendingRecord]) -> Vec<AtBank> {
    use smartkey_wizard::{BankAnswer, FailureKind};
    let banks = match Banks::load(settings.banks.as_ref().map(|b| b.value.as_path())) {
        Ok(banks) => banks.profiles().to_vec(),
        Err(e) => {
            tracing::warn!(error = %e, "status: the bank profiles cannot be read");
            return vec![AtBank::Unknown; records.len()];
        }
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return vec![AtBank::Unknown; records.len()];
    };
    let mut side = app::bank::BankSide::new(banks);
    records
        .iter()
        .map(|r| {
            let asked = runtime.block_on(async {
                tokio::time::timeout(STATUS_ASK_TIMEOUT, side.ask(&r.pickup())).await
            });
            match asked {
                Ok(Ok(BankAnswer::Waiting { .. })) => AtBank::Waiting,
                Ok(Ok(BankAnswer::Issued(_))) => AtBank::Issued,
                Ok(Ok(BankAnswer::Rejected { .. }))
                | Ok(Err(FailureKind::RequestExpired | FailureKind::UnknownRequest)) => {
                    AtBank::Decided
                }
                Ok(Err(FailureKind::LinkExpired)) => AtBank::LinkExpired,
                Ok(Err(kind)) => {
                    tracing::info!(?kind, "status: the bank could not be asked");
                    AtBank::Unknown
                }
                Err(_) => AtBank::Unknown,
            }
        })
        .collect()
}

/// `smartkey status`: the requests waiting at a bank, each asked about at its bank
/// (unless `offline`); those the bank has decided for good leave the records.
pub(super) fn status(
    settings: &Settings,
    as_json: bool,
    offline: bool,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let (store, records) = pending_store()?;
    let states = if offline {
        vec![AtBank::NotAsked; records.len()]
    } else {
        ask_banks(settings, &records)
    };
    // Decided requests are done with; a smartkey running now keeps the file as it is
    // (its own run settles them), so a refusal of the lock only leaves them listed.
    if let Some(store) = &store {
        for (r, state) in records.iter().zip(&states) {
            if *state == AtBank::Decided
                && let Err(e) = store.clear(&r.transaction)
            {
                tracing::info!(error = %e, "status: a decided request stays recorded");
            }
        }
    }
    if as_json {
        let listed: Vec<serde_json::Value> = records
            .iter()
            .zip(&states)
            .filter_map(|(r, state)| {
                let mut value = serde_json::to_value(r).ok()?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("at_bank".into(), serde_json::to_value(state).ok()?);
                }
                Some(value)
            })
            .collect();
        json(out, &listed)?;
        return Ok(exit::OK);
    }
    if records.is_empty() {
        writeln!(out, "No request is waiting at a bank.").map_err(out_err)?;
    }
    for (r, state) in records.iter().zip(&states) {
        writeln!(
            out,
            "agentId {}  request {}  {}  key {} on token {}  since {}  ({})",
            r.agent_id,
            r.transaction.short(),
            r.subject,
            r.key.key_id,
            r.key.serial,
            r.created.compact(),
            state.words()
        )
        .map_err(out_err)?;
    }
    if let Some(s) = store {
        writeln!(out, "({})", s.path().display()).map_err(out_err)?;
    }
    Ok(exit::OK)
}
