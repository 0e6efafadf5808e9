//! `smartkey replay FILE [--update] [--cast OUT]`: a recorded run played again in the
//! demo environment, its screens compared with the script's `.screens` file.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::commands::out_err;
use super::error::{CliError, exit};
use super::flows::read_script;
use super::training::demo_place;
use crate::app::replay::{ReplayOptions, replay as play};
use crate::app::runtime::RunEnd;
use crate::app::{self, demo::DemoPlace};

/// `smartkey replay`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The script (made by `--record`, or written by hand); its expected screens are in
    /// the `.screens` file next to it.
    #[arg(value_name = "FILE")]
    pub script: PathBuf,
    /// Take the screens shown as the new expected screens (rewrites the `.screens` file).
    #[arg(long)]
    pub update: bool,
    /// Also write an asciinema v2 recording of the run (80x24) to this file.
    #[arg(long, value_name = "OUT")]
    pub cast: Option<PathBuf>,
    /// Values of the PINs the script names (`NAME=value` lines); the environment comes
    /// first, the demo's training and the factory PINs last.
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
    /// Keep the demo environment (bank, tokens, records) in this directory [default: a
    /// temporary one, removed at the end]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The longest wait, in seconds, for one step of the script.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub patience: u64,
}

/// Plays the script; the exit code is 0 only when every checkpoint showed the expected
/// screen and the script played to its end.
pub(super) fn replay(args: &ReplayArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let script = read_script(&args.script, args.secrets.as_deref(), app::demo::pin_book())?;
    let (place, scratch, module, emu) = demo_place(args.dir.as_deref(), &script.setup.seed)?;
    let options = ReplayOptions {
        script: args.script.clone(),
        update: args.update,
        cast: args.cast.clone(),
        patience: Duration::from_secs(args.patience.max(1)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("the runtime cannot start: {e}")))?;
    let dir = place.dir.clone();
    let result = runtime.block_on(play(
        &options,
        script,
        DemoPlace { dir: dir.clone() },
        module,
        std::sync::Arc::new(emu),
    ));
    drop(runtime);
    drop(scratch);
    let outcome = result.map_err(|e| CliError::Input(format!("the replay stopped: {e}")))?;

    let name = args.script.display();
    for m in &outcome.mismatches {
        writeln!(out, "{}\n", m.describe()).map_err(out_err)?;
    }
    for (flow, end) in &outcome.flows {
        let how = match end {
            RunEnd::Finished { at, ending } => format!("finished at {} ({ending:?})", at.as_str()),
            RunEnd::Left { at } => format!("left at {}", at.as_str()),
            RunEnd::Interrupted { at } => format!("interrupted at {}", at.as_str()),
            RunEnd::ScriptFailed { at, .. } => format!("stopped at {}", at.as_str()),
        };
        writeln!(out, "{flow}: {how}").map_err(out_err)?;
    }
    if let Some(why) = &outcome.stopped {
        writeln!(
            out,
            "replay {name}: the script could not be played to its end: {why}"
        )
        .map_err(out_err)?;
    }
    match (&outcome.updated, outcome.mismatches.len()) {
        (Some(path), n) => writeln!(
            out,
            "replay {name}: {} checkpoints; {n} changed; expected screens written to {}",
            outcome.checkpoints,
            path.display()
        ),
        (None, 0) => writeln!(
            out,
            "replay {name}: {} checkpoints, every screen as expected",
            outcome.checkpoints
        ),
        (None, n) => writeln!(
            out,
            "replay {name}: {n} of {} checkpoints differ (run with --update to accept the screens shown)",
            outcome.checkpoints
        ),
    }
    .map_err(out_err)?;
    if let Some(cast) = &args.cast {
        writeln!(out, "recording written to {}", cast.display()).map_err(out_err)?;
    }
    Ok(if outcome.passed() {
        exit::OK
    } else {
        exit::FAILURE
    })
}
