//! Shell completions and manual pages, generated from the clap definitions so that they
//! never drift from the real command line.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::commands::out_err;
use super::error::CliError;
use super::{Cli, exit};

/// Prints the completion script for `shell`.
pub(super) fn completions(
    shell: clap_complete::Shell,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "smartkey", out);
    Ok(exit::OK)
}

/// Prints smartkey(1), or writes a page per command into `dir`.
pub(super) fn man(dir: Option<&Path>, out: &mut dyn Write) -> Result<u8, CliError> {
    let cmd = Cli::command();
    match dir {
        None => {
            clap_mangen::Man::new(cmd).render(out).map_err(out_err)?;
        }
        Some(dir) => {
            let fail = |e: std::io::Error| CliError::File {
                what: "cannot write the manual pages into",
                path: dir.to_path_buf(),
                detail: e.to_string(),
            };
            std::fs::create_dir_all(dir).map_err(fail)?;
            clap_mangen::generate_to(cmd, dir).map_err(fail)?;
            let mut pages: Vec<String> = std::fs::read_dir(dir)
                .map_err(fail)?
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("smartkey") && n.ends_with(".1"))
                .collect();
            pages.sort();
            writeln!(
                out,
                "Wrote {} manual pages into {}:",
                pages.len(),
                dir.display()
            )
            .map_err(out_err)?;
            for p in pages {
                writeln!(out, "  {p}").map_err(out_err)?;
            }
        }
    }
    Ok(exit::OK)
}
