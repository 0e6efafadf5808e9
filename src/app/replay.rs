//! `smartkey replay FILE`: plays a script through the real runtime in the demo
//! environment (the virtual Rutoken, the reference bank in-process) on the script's
//! calendar and chance, compares the screen at every checkpoint with the script's
//! `.screens` file, and says where it differs. `--update` writes the screens seen as
//! the new expectation; `--cast` also records the run for asciinema.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use smartkey_i18n::Catalogue;

use super::cast::Cast;
use super::demo::{DemoEnv, DemoError, DemoPlace};
use super::record::DEMO_DIR;
use super::runtime::RunEnd;
use super::script::play::Checking;
use super::script::screens::{Mismatch, Snapshots};
use super::script::{Bench, EmuBench, Script, Scripted};

/// What a replay is asked to do.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    pub script: PathBuf,
    /// Write the screens seen as the script's expected screens.
    pub update: bool,
    /// Also write an asciinema v2 recording here.
    pub cast: Option<PathBuf>,
    /// The longest wait for one step of the script.
    pub patience: Duration,
}

/// How a replay went.
#[derive(Debug, Default)]
pub struct ReplayOutcome {
    /// Each flow and how it ended.
    pub flows: Vec<(String, RunEnd)>,
    /// The checkpoints passed through.
    pub checkpoints: usize,
    /// The checkpoints whose screens differed (before an update).
    pub mismatches: Vec<Mismatch>,
    /// Why the script could not be played to its end, if it could not.
    pub stopped: Option<String>,
    /// The `.screens` file written by `--update`.
    pub updated: Option<PathBuf>,
}

impl ReplayOutcome {
    /// Whether the replay matched its script everywhere.
    pub fn passed(&self) -> bool {
        self.stopped.is_none() && (self.mismatches.is_empty() || self.updated.is_some())
    }
}

/// Plays `script` (read, its PINs looked up) in a demo environment at `place`.
pub async fn replay(
    options: &ReplayOptions,
    script: Script,
    place: DemoPlace,
    module: PathBuf,
    emu: Arc<EmuBench>,
) -> Result<ReplayOutcome, DemoError> {
    let screens_path = Snapshots::path_for(&options.script);
    let expected = Snapshots::load(&screens_path)?;
    let catalogue = Catalogue::new(script.setup.lang);
    let setup = script.setup.clone();
    let env = DemoEnv::prepare(place, module, emu, &setup).await?;

    let mut checking = Checking::new(catalogue, expected);
    checking
        .replace
        .push((env.place.dir.display().to_string(), DEMO_DIR.to_string()));
    let mut player = Scripted::numbered(script.steps, Some(env.stage.clone() as Arc<dyn Bench>))
        .with_patience(options.patience)
        .checking(checking);
    let mut cast = match &options.cast {
        Some(_) => Some(Cast::new(80, 24, catalogue).map_err(DemoError::Terminal)?),
        None => None,
    };

    let mut outcome = ReplayOutcome::default();
    let played: Result<(), DemoError> = async {
        if player.remaining() > 0 && player.peek_flow().is_none() {
            return Err(DemoError::NoFlowBegun);
        }
        while let Some(flow) = player.take_flow() {
            let config = env.run_config(catalogue, None, None);
            let end = match &mut cast {
                Some(cast) => {
                    env.flow(&flow, &mut cast.watch(&mut player), config)
                        .await?
                }
                None => env.flow(&flow, &mut player, config).await?,
            };
            let failed = match &end {
                RunEnd::ScriptFailed { at, why } => Some(format!("at step {}: {why}", at.as_str())),
                RunEnd::Interrupted { at } => Some(format!("interrupted at step {}", at.as_str())),
                _ => None,
            };
            outcome.flows.push((flow, end));
            if let Some(why) = failed {
                outcome.stopped = Some(why);
                return Ok(());
            }
        }
        if player.remaining() > 0 {
            outcome.stopped = Some(format!(
                "the flow ended with {} steps of the script left",
                player.remaining()
            ));
        }
        Ok(())
    }
    .await;
    env.close().await;
    played?;

    if let Some(checking) = player.checking.take() {
        outcome.checkpoints = checking.seen.len();
        outcome.mismatches = checking.mismatches;
        if options.update && outcome.stopped.is_none() {
            let name = options
                .script
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            checking.seen.save(&screens_path, &name)?;
            outcome.updated = Some(screens_path);
        }
    }
    if let (Some(cast), Some(path)) = (&cast, &options.cast) {
        cast.save(
            path,
            &format!("smartkey replay {}", options.script.display()),
        )?;
    }
    Ok(outcome)
}
