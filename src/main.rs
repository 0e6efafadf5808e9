//! The reporting edge: parse the command line, run it, and turn any error into one
//! message on stderr and a documented exit code.

use std::process::ExitCode;

use clap::Parser;
use smartkey::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match run(cli, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("smartkey: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
