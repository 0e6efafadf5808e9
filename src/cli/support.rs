//! `smartkey support bundle`: writes the archive and says where it is and what is in it.

use std::io::Write;
use std::path::PathBuf;

use tracing::info;

use super::BundleArgs;
use super::commands::{json, out_err};
use super::error::CliError;
use crate::config::{Settings, state_dir};
use crate::preflight::{BankChoice, Options};
use crate::support::{MASK, Redactor, default_bundle_name, make_bundle};

pub(super) fn bundle(
    settings: Settings,
    args: &BundleArgs,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(default_bundle_name()));
    let options = Options::from_settings(settings);
    let state = state_dir();
    let manifest = make_bundle(
        &path,
        &options,
        state.as_deref(),
        Redactor::for_this_process(),
    )?;
    let size: u64 = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let redactions: usize = manifest.files.iter().map(|f| f.redactions).sum();
    info!(path = %path.display(), files = manifest.files.len() + 1, redactions, "support bundle written");
    if args.json {
        json(out, &manifest)?;
        return Ok(super::exit::OK);
    }
    let mut text = format!(
        "The support bundle is written to {} ({} files, {} KiB), readable only by you.\nIt holds, in the folder {}/:\n",
        path.display(),
        manifest.files.len() + 1,
        size.div_ceil(1024),
        manifest.folder
    );
    let width = manifest
        .files
        .iter()
        .map(|f| f.path.chars().count())
        .max()
        .unwrap_or(0)
        .max("manifest.json".len());
    for f in &manifest.files {
        text.push_str(&format!("  {:<width$}  {}\n", f.path, f.what));
    }
    text.push_str(&format!(
        "  {:<width$}  every file above with its size and SHA-256\n",
        "manifest.json"
    ));
    for n in &manifest.not_included {
        text.push_str(&format!("Not included: {n}\n"));
    }
    text.push_str(&match redactions {
        0 => format!("No PIN-like value was found; any would have been replaced with {MASK}.\n"),
        n => format!("{n} PIN-like value(s) were replaced with {MASK}.\n"),
    });
    text.push_str("No PIN and no key is in it: only what the token shows without a PIN.\n");
    match &options.bank {
        BankChoice::Chosen(p) => {
            text.push_str(&format!("Send it to {}.\n", p.support_contact()));
        }
        _ => text.push_str("Send it to your bank's support by e-mail.\n"),
    }
    out.write_all(text.as_bytes()).map_err(out_err)?;
    Ok(super::exit::OK)
}
