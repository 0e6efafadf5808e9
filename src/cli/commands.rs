//! What each token subcommand does.

use std::io::{IsTerminal, Write};

use tracing::{debug, info};

use super::error::CliError;
use super::{CertCommand, Command, CsrArgs, KeyCommand, PinCommand, PinSource, TokenChoice};
use crate::config::Settings;
use crate::pki::{CertificateSummary, build_csr, csr_der, csr_pem};
use crate::token::{
    KeyId, KeyPairEntry, Module, TokenInfo, TokenSession, TokenSigner, locate_library,
};
use smartkey_wizard::Applicant;
use smartkey_wizard::PinRole;

/// Loads the library the settings name, or the Rutoken library from its usual places.
pub(super) fn load(settings: &Settings) -> Result<Module, CliError> {
    let named = settings.module.as_ref();
    let path = locate_library(named.map(|m| m.value.as_path()))?;
    let module = Module::load(&path)?;
    match named {
        Some(m) => debug!(path = %path.display(), origin = %m.origin, "PKCS#11 library loaded"),
        None => debug!(path = %path.display(), "PKCS#11 library found and loaded"),
    }
    if let Ok(info) = module.library_info() {
        debug!(manufacturer = %info.manufacturer, description = %info.description, version = %info.version, "library information");
    }
    Ok(module)
}

pub(super) fn out_err(e: std::io::Error) -> CliError {
    CliError::Input(format!("could not write the output: {e}"))
}

pub(super) fn json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| CliError::Input(e.to_string()))?;
    writeln!(out).map_err(out_err)
}

fn parse_key_id(text: &str) -> Result<KeyId, CliError> {
    KeyId::from_hex(text).ok_or_else(|| {
        CliError::Usage(format!(
            "--key-id {text:?} is not a hex key ID; `smartkey cert list` shows the IDs"
        ))
    })
}

/// Opens the chosen token and logs the user in with the PIN from `pin`.
fn open_logged_in<'m>(
    module: &'m Module,
    choice: &TokenChoice,
    pin: &PinSource,
) -> Result<TokenSession<'m>, CliError> {
    let token = module.find_token(choice.serial.as_deref())?;
    debug!(serial = %token.serial, "token chosen");
    let mut session = module.open(&token)?;
    let pin = pin.read(PinRole::User)?;
    session.login(PinRole::User, &pin)?;
    debug!(serial = %token.serial, "logged in");
    Ok(session)
}

/// Runs a token command (everything but check, banks, support, completions and man).
pub(super) fn run(
    settings: &Settings,
    command: Command,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let module = load(settings)?;
    match command {
        Command::Tokens { json: as_json } => tokens(&module, as_json, out),
        Command::Pin(PinCommand::Change {
            admin,
            token,
            pin,
            new_pin,
        }) => {
            let role = if admin { PinRole::Admin } else { PinRole::User };
            let info = module.find_token(token.serial.as_deref())?;
            let mut session = module.open(&info)?;
            let current = pin.read(role)?;
            let (new, confirmation) = new_pin.read(role)?;
            session.change_pin(role, &current, new, &confirmation)?;
            info!(serial = %info.serial, role = %role, "PIN changed");
            writeln!(out, "The {role} of token {} is changed.", info.serial).map_err(out_err)
        }
        Command::Key(KeyCommand::Generate {
            token,
            algorithm,
            label,
            pin,
        }) => {
            let session = open_logged_in(&module, &token, &pin)?;
            let key = session.generate(algorithm.into(), &label)?;
            info!(id = %key.id, algorithm = %key.algorithm, "key pair generated");
            writeln!(out, "{}", key.id).map_err(out_err)
        }
        Command::Key(KeyCommand::Delete {
            token,
            key_id,
            yes,
            pin,
        }) => {
            let id = parse_key_id(&key_id)?;
            if !yes {
                confirm_delete(&id)?;
            }
            let session = open_logged_in(&module, &token, &pin)?;
            let count = session.delete_key_pair(&id)?;
            info!(%id, count, "key pair deleted");
            writeln!(out, "Deleted key {id} ({count} objects).").map_err(out_err)
        }
        Command::Csr(args) => csr(&module, args, out),
        Command::Cert(CertCommand::Import { token, file, pin }) => {
            let bytes = std::fs::read(&file).map_err(|e| CliError::File {
                what: "cannot read the certificate file",
                path: file.clone(),
                detail: e.to_string(),
            })?;
            let session = open_logged_in(&module, &token, &pin)?;
            let id = session.import_certificate(&bytes)?;
            info!(%id, file = %file.display(), "certificate imported");
            writeln!(out, "The certificate is stored next to key {id}.").map_err(out_err)
        }
        Command::Check(_)
        | Command::Banks { .. }
        | Command::Support(_)
        | Command::Completions { .. }
        | Command::Man { .. }
        | Command::New(_)
        | Command::Renew(_)
        | Command::Save { .. }
        | Command::DestroyOldKey(_)
        | Command::Status { .. } => Err(CliError::Usage(
            "this command does not work on a token".into(),
        )),
        #[cfg(feature = "training")]
        Command::Demo(_) | Command::Replay(_) => Err(CliError::Usage(
            "this command does not work on a token".into(),
        )),
        Command::Cert(CertCommand::List {
            token,
            json: as_json,
            pin,
        }) => {
            let session = if pin.is_given() {
                open_logged_in(&module, &token, &pin)?
            } else {
                let info = module.find_token(token.serial.as_deref())?;
                module.open(&info)?
            };
            let pairs = session.key_pairs(pin.is_given())?;
            if as_json {
                let listed: Vec<ListedPair> = pairs.iter().map(ListedPair::of).collect();
                json(out, &listed)
            } else {
                print_pairs(session.token(), &pairs, out)
            }
        }
    }
}

/// A key pair as `cert list --json` shows it.
#[derive(serde::Serialize)]
struct ListedPair<'a> {
    #[serde(flatten)]
    pair: &'a KeyPairEntry,
    certificate: Option<CertificateSummary>,
}

impl<'a> ListedPair<'a> {
    fn of(pair: &'a KeyPairEntry) -> Self {
        ListedPair {
            pair,
            certificate: pair.certificate.as_ref().map(CertificateSummary::of),
        }
    }
}

fn tokens(module: &Module, as_json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let tokens = module.tokens()?;
    if as_json {
        return json(out, &tokens);
    }
    if tokens.is_empty() {
        return writeln!(out, "No token is inserted.").map_err(out_err);
    }
    for t in &tokens {
        if !t.initialized {
            writeln!(out, "{}: an uninitialised token (no PIN set yet)", t.model)
                .map_err(out_err)?;
            continue;
        }
        writeln!(
            out,
            "{}\n  manufacturer: {}\n  {}\n  {}\n  PIN length: {} to {}",
            t.describe(),
            t.manufacturer,
            t.user_pin.summary(PinRole::User),
            t.admin_pin.summary(PinRole::Admin),
            t.pin_limits.min,
            t.pin_limits.max
        )
        .map_err(out_err)?;
    }
    Ok(())
}

fn print_pairs(
    token: &TokenInfo,
    pairs: &[KeyPairEntry],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    writeln!(out, "{}", token.describe()).map_err(out_err)?;
    if pairs.is_empty() {
        return writeln!(out, "  no keys").map_err(out_err);
    }
    for p in pairs {
        let algorithm = p.algorithm.map_or("unknown".to_string(), |a| a.to_string());
        writeln!(out, "  key {} {} \"{}\"", p.id, algorithm, p.label).map_err(out_err)?;
        if p.has_private_key == Some(false) {
            writeln!(out, "    no private key").map_err(out_err)?;
        }
        match p.certificate.as_ref().map(CertificateSummary::of) {
            Some(c) => writeln!(
                out,
                "    certificate: {}\n      issuer: {}\n      serial: {}\n      valid: {} to {}",
                c.subject, c.issuer, c.serial, c.not_before, c.not_after
            ),
            None => writeln!(out, "    no certificate"),
        }
        .map_err(out_err)?;
    }
    Ok(())
}

fn confirm_delete(id: &KeyId) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "deleting a key cannot be undone; there is no terminal to confirm it, so add --yes if you are sure".into(),
        ));
    }
    eprint!(
        "Delete key {id} and its certificate from the token? This cannot be undone. Type yes: "
    );
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| CliError::Usage(format!("could not read the answer: {e}")))?;
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(CliError::Usage("nothing was deleted".into()))
    }
}

fn csr(module: &Module, args: CsrArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let id = parse_key_id(&args.key_id)?;
    let text = std::fs::read_to_string(&args.applicant).map_err(|e| CliError::File {
        what: "cannot read the applicant file",
        path: args.applicant.clone(),
        detail: e.to_string(),
    })?;
    let applicant: Applicant = serde_json::from_str(&text).map_err(|e| CliError::File {
        what: "the applicant file is not valid",
        path: args.applicant.clone(),
        detail: e.to_string(),
    })?;
    // Check the form before asking for a PIN: a typo should not cost a PIN entry.
    let applicant = applicant.validate()?;
    let session = open_logged_in(module, &args.token, &args.pin)?;
    let signer = TokenSigner::new(&session, &id)?;
    let request = build_csr(&applicant, &signer)?;
    let bytes = if args.pem {
        csr_pem(&request)?.into_bytes()
    } else {
        csr_der(&request)?
    };
    std::fs::write(&args.out, bytes).map_err(|e| CliError::File {
        what: "cannot write the request to",
        path: args.out.clone(),
        detail: e.to_string(),
    })?;
    info!(key = %id, out = %args.out.display(), "certificate request written");
    writeln!(out, "The request is written to {}.", args.out.display()).map_err(out_err)
}
