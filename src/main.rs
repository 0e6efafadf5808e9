//! The reporting edge: parse the command line, start the log, run the command, and turn
//! any error into one message on stderr and a documented exit code.

use std::process::ExitCode;

use smartkey::cli::{Cli, run};

fn main() -> ExitCode {
    // First, before any PIN can be in memory.
    let protection = smartkey::protection::protect_memory();
    let mut cli = Cli::parse_args();
    // SAFETY: the process has one thread still: nothing above starts one, and the log
    // writer's thread starts below.
    unsafe { cli.take_pins_from_environment() };
    if cli.command.logs() {
        // Running without a log is better than not running; say why only when asked.
        if let Err(why) = smartkey::logging::init(cli.verbose)
            && cli.verbose > 0
        {
            eprintln!("smartkey: no log file is written: {why}");
        }
    }
    let command = cli.command.name();
    tracing::info!(command, version = env!("CARGO_PKG_VERSION"), "started");
    tracing::info!(
        dumpable = ?protection.dumpable,
        core_limit = ?protection.core_limit,
        "memory protection"
    );
    let mut stdout = std::io::stdout().lock();
    match run(cli, &mut stdout) {
        Ok(code) => {
            tracing::info!(command, exit_code = code, "finished");
            ExitCode::from(code)
        }
        Err(e) => {
            let code = e.exit_code();
            tracing::warn!(command, exit_code = code, error = %e, "failed");
            eprintln!("smartkey: {e}");
            ExitCode::from(code)
        }
    }
}
