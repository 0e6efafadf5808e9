//! The training commands' edge: `smartkey demo` (the flows on virtual tokens against a
//! bank run here) and the demo folder that `smartkey replay` plays in. Built with the
//! `training` feature only, so a client build carries no CA server.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::error::{CliError, exit};
use super::flows::{lock_state, read_script, report};
use crate::app;
use crate::config::Settings;
use smartkey_i18n::Catalogue;

/// `smartkey demo`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Play this script (one JSON object per line, with `{"flow": "new"}` lines between
    /// flows) [default: line mode at a terminal, else the built-in script]
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Line mode even when a script could be played (type the answers yourself).
    #[arg(long)]
    pub plain: bool,
    /// Also append the transcript (every screen and answer, never a PIN) to this file.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Where the application and the act are written [default: the demo's directory]
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Keep the demo's bank, tokens and records in this directory [default: a temporary
    /// one, removed at the end]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Values of the PINs the script names (`NAME=value` lines); the environment comes
    /// first, the demo's training PINs last.
    #[arg(long, value_name = "FILE", requires = "script")]
    pub secrets: Option<PathBuf>,
    /// Write this run down as a script for `smartkey replay` (PINs by name only), with
    /// its screens in FILE's `.screens` file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

/// The demo's folder: the one given, or a new temporary one (its guard, which removes it
/// when dropped, comes along). Either way it is for its owner alone (0700; a given one is
/// tightened), because it holds the bank's keys and the virtual tokens with their PINs;
/// and a new one has a random name, made only if nothing is there yet, so a folder or
/// link another user planted under a name they guessed is never used.
pub(super) fn demo_dir(
    dir: Option<&std::path::Path>,
) -> Result<(crate::app::demo::DemoPlace, Option<tempfile::TempDir>), CliError> {
    use crate::app::demo::DemoPlace;
    use crate::app::state_file::private_dir;

    let fail = |path: &std::path::Path, detail: String| CliError::File {
        what: "the demo directory",
        path: path.to_path_buf(),
        detail,
    };
    let (dir, scratch) = match dir {
        Some(dir) => (dir.to_path_buf(), None),
        None => {
            let scratch = tempfile::Builder::new()
                .prefix("smartkey-demo-")
                .tempdir()
                .map_err(|e| fail(&std::env::temp_dir(), e.to_string()))?;
            (scratch.path().to_path_buf(), Some(scratch))
        }
    };
    let place = DemoPlace { dir };
    for folder in [place.dir.clone(), place.tokens()] {
        private_dir(&folder).map_err(|e| fail(&folder, e.to_string()))?;
    }
    Ok((place, scratch))
}

/// The demo's folder ([`demo_dir`]) with the virtual Rutoken pointed at it and seeded
/// with `seed`; and the emulator's module and command.
pub(super) fn demo_place(
    dir: Option<&std::path::Path>,
    seed: &str,
) -> Result<
    (
        crate::app::demo::DemoPlace,
        Option<tempfile::TempDir>,
        PathBuf,
        app::EmuBench,
    ),
    CliError,
> {
    use crate::app::demo::locate_emulator;

    let (module, command) = locate_emulator()?;
    let (place, scratch) = demo_dir(dir)?;
    // SAFETY: set before the async runtime starts; the only other thread (the log
    // writer) never reads the environment. The virtual Rutoken reads both at
    // C_Initialize, and its command inherits them.
    unsafe {
        std::env::set_var("RUTOKEN_EMU_DIR", place.tokens());
        std::env::set_var("RUTOKEN_EMU_SEED", seed);
    }
    let emu = app::EmuBench {
        command,
        dir: place.tokens(),
    };
    Ok((place, scratch, module, emu))
}

/// `smartkey demo`: the flows on virtual tokens against a bank run here.
pub(super) fn demo(
    settings: &Settings,
    args: &DemoArgs,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    use std::io::IsTerminal;

    use crate::app::demo::{DemoConfig, DemoPlace, Driver, run_demo};

    let script = match (&args.script, args.plain || std::io::stdin().is_terminal()) {
        (Some(path), _) => Some(read_script(
            path,
            args.secrets.as_deref(),
            app::demo::pin_book(),
        )?),
        (None, true) => None,
        (None, false) => Some(app::Script::parse(
            app::demo::BUILT_IN_SCRIPT,
            &app::demo::pin_book(),
        )?),
    };
    let today = app::start::today()?;
    // The demo runs on today's date; its chance is the script's seed (or the default),
    // so that a recorded demo replays the same.
    let setup = app::script::Setup {
        lang: settings.lang.value,
        date: today.to_string(),
        seed: script
            .as_ref()
            .map(|s| s.setup.seed.clone())
            .unwrap_or_else(|| app::script::Setup::default().seed),
        ..Default::default()
    };
    let (place, scratch, module, emu) = demo_place(args.dir.as_deref(), &setup.seed)?;
    // The demo's records are in its own folder, never the client's; two demos on one
    // `--dir` would play over each other's tokens and bank, so one at a time there too.
    let _lock = lock_state(&place.dir.join("state"), settings)?;
    let driver = match script {
        Some(script) => Driver::Script(script.steps),
        None => Driver::Person,
    };
    let config = DemoConfig {
        bench: std::sync::Arc::new(emu),
        module,
        catalogue: Catalogue::new(settings.lang.value),
        setup,
        documents: args.out_dir.clone(),
        transcript: args.transcript.clone(),
        record: args.record.clone(),
        echo: true,
        place: DemoPlace {
            dir: place.dir.clone(),
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("the runtime cannot start: {e}")))?;
    let result = runtime.block_on(run_demo(config, driver));
    drop(runtime);
    drop(scratch);
    let ends = result.map_err(|e| CliError::Input(format!("the demo stopped: {e}")))?;
    let mut code = exit::OK;
    for end in &ends {
        if report(end, out)? != exit::OK {
            code = exit::FAILURE;
        }
    }
    if ends.is_empty() {
        code = exit::FAILURE;
    }
    Ok(code)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::demo_dir;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    /// A link planted where the demo's folder once was (the temporary folder and the
    /// process ID, both known to every user) is not followed, and the new folder is
    /// private.
    #[test]
    fn a_new_demo_folder_is_private_and_never_a_predictable_one() {
        let predictable =
            std::env::temp_dir().join(format!("smartkey-demo-{}", std::process::id()));
        let theirs = tempfile::tempdir().expect("their folder");
        let _ = std::fs::remove_file(&predictable);
        std::os::unix::fs::symlink(theirs.path(), &predictable).expect("planted link");
        let made = demo_dir(None);
        std::fs::remove_file(&predictable).expect("planted link removed");
        let (place, scratch) = made.expect("demo folder");
        assert_ne!(place.dir, predictable);
        assert!(place.dir.starts_with(std::env::temp_dir()));
        assert_eq!(
            std::fs::read_dir(theirs.path()).expect("theirs").count(),
            0,
            "something was made in the planted folder"
        );
        assert_eq!(mode(&place.dir), 0o700);
        assert_eq!(mode(&place.tokens()), 0o700);
        drop(scratch);
        assert!(
            !place.dir.exists(),
            "the temporary folder is removed with its guard"
        );
    }

    #[test]
    fn a_given_demo_folder_is_made_private() {
        let root = tempfile::tempdir().expect("dir");
        let given = root.path().join("training");
        std::fs::create_dir(&given).expect("given");
        std::fs::set_permissions(&given, std::fs::Permissions::from_mode(0o755)).expect("0755");
        let (place, scratch) = demo_dir(Some(&given)).expect("demo folder");
        assert!(scratch.is_none());
        assert_eq!(place.dir, given);
        assert_eq!(mode(&given), 0o700);
        assert_eq!(mode(&place.tokens()), 0o700);
    }
}
