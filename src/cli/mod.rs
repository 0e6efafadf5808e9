//! The scriptable command line over the token and PKI layers, in the spirit of
//! `ykman piv`: one subcommand per operation, `--json` where a script wants data, PINs
//! from a prompt, a file or an environment variable (never argv).

mod check;
mod commands;
mod error;
mod flows;
mod generate;
mod pin_input;
#[cfg(feature = "training")]
mod replay;
mod support;
#[cfg(feature = "training")]
mod training;

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{
    ArgAction, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum,
};

use crate::config::{Lang, Origin, Overrides, Setting, Settings};
use crate::preflight::CheckId;

pub use error::{CliError, EXIT_CODES_HELP, exit};
pub use flows::FlowArgs;
pub use pin_input::{NewPinSource, PinSource};
#[cfg(feature = "training")]
pub use replay::ReplayArgs;
#[cfg(feature = "training")]
pub use training::DemoArgs;

/// What `--help` says about settings, the config file and logs.
pub const SETTINGS_HELP: &str =
    "Settings (a flag wins over the environment, which wins over the config file
$XDG_CONFIG_HOME/smartkey/config.toml, by default ~/.config/smartkey/config.toml):
  --module PATH      SMARTKEY_MODULE   module = \"PATH\"
  --bank AGENTID     SMARTKEY_BANK     bank = 6184
  --banks FILE       SMARTKEY_BANKS    banks = \"FILE\"
  --lang ru|en       SMARTKEY_LANG     lang = \"en\"

Log files:
  $XDG_STATE_HOME/smartkey/logs (by default ~/.local/state/smartkey/logs); -v and -vv add detail.";

/// smartkey: certificates for Internet-Bank on a Rutoken ECP 2.0.
#[derive(Debug, Parser)]
#[command(
    name = "smartkey",
    version,
    about,
    after_help = format!("{EXIT_CODES_HELP}\n\n{SETTINGS_HELP}"),
)]
pub struct Cli {
    /// The PKCS#11 library to use [default: `module` of config.toml, else the Rutoken
    /// library from its usual places]
    #[arg(long, global = true, env = "SMARTKEY_MODULE", value_name = "PATH")]
    pub module: Option<PathBuf>,

    /// The bank, by its agentId (`smartkey banks` lists them)
    #[arg(long, global = true, env = "SMARTKEY_BANK", value_name = "AGENTID")]
    pub bank: Option<u32>,

    /// A file of bank profiles, added to the built-in ones (a profile there replaces the
    /// built-in one with the same agentId)
    #[arg(long, global = true, env = "SMARTKEY_BANKS", value_name = "FILE")]
    pub banks: Option<PathBuf>,

    /// The language of the wizard's screens [default: ru]
    #[arg(long, global = true, env = "SMARTKEY_LANG", value_enum)]
    pub lang: Option<Lang>,

    /// More detail in the log file: -v for the details, -vv for everything
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,

    /// Which settings came from the environment rather than a flag.
    #[arg(skip)]
    pub from_env: FromEnv,
}

/// For each setting, whether its value came from the environment variable (else from
/// the flag, when there is a value).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FromEnv {
    pub module: bool,
    pub bank: bool,
    pub banks: bool,
    pub lang: bool,
}

impl FromEnv {
    fn of(matches: &ArgMatches) -> FromEnv {
        // Global arguments are recorded on the subcommand that was being parsed when
        // they were given; look at every level.
        let from_env = |id: &str| {
            let mut level = Some(matches);
            while let Some(m) = level {
                if let Ok(Some(source)) = m.try_get_raw(id).map(|_| m.value_source(id)) {
                    if source == ValueSource::EnvVariable {
                        return true;
                    }
                    if source == ValueSource::CommandLine {
                        return false;
                    }
                }
                level = m.subcommand().map(|(_, sub)| sub);
            }
            false
        };
        FromEnv {
            module: from_env("module"),
            bank: from_env("bank"),
            banks: from_env("banks"),
            lang: from_env("lang"),
        }
    }
}

impl Cli {
    /// Reads the PINs named by `--pin-env` / `--new-pin-env` and removes their variables
    /// from the environment, so that no process smartkey or a PKCS#11 module starts (the
    /// preflight's tools, pdftotext, a module's helpers) inherits a PIN.
    ///
    /// # Safety
    /// The process must have one thread: removing an environment variable races with any
    /// other thread reading the environment (the binary calls this before the log's
    /// writer thread starts).
    pub unsafe fn take_pins_from_environment(&mut self) {
        let (pin, new_pin) = match &mut self.command {
            Command::Pin(PinCommand::Change { pin, new_pin, .. }) => (Some(pin), Some(new_pin)),
            Command::Key(KeyCommand::Generate { pin, .. } | KeyCommand::Delete { pin, .. })
            | Command::Cert(CertCommand::Import { pin, .. } | CertCommand::List { pin, .. }) => {
                (Some(pin), None)
            }
            Command::Csr(args) => (Some(&mut args.pin), None),
            _ => (None, None),
        };
        let mut read = Vec::new();
        read.extend(pin.and_then(PinSource::read_environment));
        read.extend(new_pin.and_then(NewPinSource::read_environment));
        for var in read {
            // SAFETY: the caller guarantees the process has one thread.
            unsafe { std::env::remove_var(var) };
        }
    }

    /// Parses the process's arguments (exiting with clap's message and code 2 when they
    /// are wrong), and records which settings came from the environment.
    pub fn parse_args() -> Cli {
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.from_env = FromEnv::of(&matches);
        cli
    }

    /// The settings the command line and the environment give.
    pub fn overrides(&self) -> Overrides {
        fn with<T: Clone>(
            value: &Option<T>,
            env: bool,
            flag: &'static str,
            variable: &'static str,
        ) -> Option<Setting<T>> {
            value.clone().map(|v| {
                Setting::new(
                    v,
                    if env {
                        Origin::Environment { variable }
                    } else {
                        Origin::Flag { flag }
                    },
                )
            })
        }
        Overrides {
            module: with(
                &self.module,
                self.from_env.module,
                "--module",
                "SMARTKEY_MODULE",
            ),
            bank: with(&self.bank, self.from_env.bank, "--bank", "SMARTKEY_BANK"),
            banks: with(
                &self.banks,
                self.from_env.banks,
                "--banks",
                "SMARTKEY_BANKS",
            ),
            lang: with(&self.lang, self.from_env.lang, "--lang", "SMARTKEY_LANG"),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A first certificate (the bank's steps N2.1-N2.7): the form, the PINs, the key and
    /// the request, ending with the application to sign and send.
    New(FlowArgs),
    /// Renew the certificate onto a new Rutoken ECP 2.0 (R2.1-R2.8), with the two token
    /// swaps the bank's procedure asks for.
    Renew(FlowArgs),
    /// Save the certificate from the bank's e-mailed link (N2.9-N2.10, R2.10-R2.12).
    Save {
        /// The link from the bank's e-mail.
        link: String,
        #[command(flatten)]
        flow: FlowArgs,
    },
    /// Destroy the old key after the renewal (R2.13), once the first payment signed with
    /// the new key has gone through. Asks for an explicit confirmation.
    DestroyOldKey(FlowArgs),
    /// Training: the new, renew and save flows on virtual tokens, against a bank CA run
    /// here (needs `cargo build --workspace` for the virtual Rutoken).
    #[cfg(feature = "training")]
    Demo(DemoArgs),
    /// Play a recorded run again in the demo environment and compare every checkpoint's
    /// screen with the expected one; exits non-zero on any difference.
    #[cfg(feature = "training")]
    Replay(ReplayArgs),
    /// The requests waiting at a bank (the local records; no secret is in them).
    Status {
        /// Print a JSON array, one object per request.
        #[arg(long)]
        json: bool,
        /// Only the local records: do not ask the banks where each request stands.
        #[arg(long)]
        offline: bool,
    },
    /// Check that everything is ready: library, smart card service, tokens, system,
    /// terminal, versions, the bank's CA.
    Check(CheckArgs),
    /// List the tokens inserted now, with their PIN state.
    Tokens {
        /// Print a JSON array, one object per token.
        #[arg(long)]
        json: bool,
    },
    /// Change a PIN of a token.
    #[command(subcommand)]
    Pin(PinCommand),
    /// Generate or delete key pairs on a token.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Make a certificate request (PKCS#10) signed by a key on the token.
    Csr(CsrArgs),
    /// Store or list certificates on a token.
    #[command(subcommand)]
    Cert(CertCommand),
    /// List the banks smartkey knows (built in, and from --banks FILE).
    Banks {
        /// Print a JSON array, one object per bank.
        #[arg(long)]
        json: bool,
    },
    /// Diagnostics for the bank's support.
    #[command(subcommand)]
    Support(SupportCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into a directory.
    Man {
        /// Write smartkey.1 and a page per subcommand (smartkey-check.1, ...) here.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

impl Command {
    /// The command's name, for the log.
    pub fn name(&self) -> &'static str {
        match self {
            Command::New(_) => "new",
            Command::Renew(_) => "renew",
            Command::Save { .. } => "save",
            Command::DestroyOldKey(_) => "destroy-old-key",
            Command::Status { .. } => "status",
            #[cfg(feature = "training")]
            Command::Demo(_) => "demo",
            #[cfg(feature = "training")]
            Command::Replay(_) => "replay",
            Command::Check(_) => "check",
            Command::Tokens { .. } => "tokens",
            Command::Pin(PinCommand::Change { .. }) => "pin change",
            Command::Key(KeyCommand::Generate { .. }) => "key generate",
            Command::Key(KeyCommand::Delete { .. }) => "key delete",
            Command::Csr(_) => "csr",
            Command::Cert(CertCommand::Import { .. }) => "cert import",
            Command::Cert(CertCommand::List { .. }) => "cert list",
            Command::Banks { .. } => "banks",
            Command::Support(SupportCommand::Bundle(_)) => "support bundle",
            Command::Completions { .. } => "completions",
            Command::Man { .. } => "man",
        }
    }

    /// Whether the command is worth a log entry (printing completions and manual pages,
    /// typically at install time, is not).
    pub fn logs(&self) -> bool {
        !matches!(self, Command::Completions { .. } | Command::Man { .. })
    }
}

/// What `smartkey check --help` adds.
pub const CHECK_HELP: &str = "Each line is OK, WARN (it may work; read what to do) or FAIL (it will not work until fixed), or SKIP.
Exit codes of check (its own, unlike the other commands):
  0  every check is OK (or skipped)
  1  at least one warning, no failure
  2  at least one failure
A virtual machine is a warning, never a refusal. The bank's CA is checked when a bank is chosen
(--bank AGENTID, SMARTKEY_BANK, or `bank` in config.toml).";

#[derive(Debug, Args)]
#[command(after_help = CHECK_HELP)]
pub struct CheckArgs {
    /// Print the findings as JSON (the same verdicts and exit code).
    #[arg(long)]
    pub json: bool,
    /// Leave a check out; may be repeated (e.g. --skip ca when offline).
    #[arg(long, value_enum, value_name = "CHECK")]
    pub skip: Vec<CheckId>,
    /// The longest wait for the bank's CA, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum SupportCommand {
    /// Write one archive for the bank's support: the check, versions, the tokens' public
    /// information, settings, the last transcripts and logs, with PIN-like values removed.
    Bundle(BundleArgs),
}

#[derive(Debug, Args)]
pub struct BundleArgs {
    /// Where to write the archive [default: smartkey-support-DATE-TIME.tar.gz here]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the manifest as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Which token: by serial number, or the only one inserted.
#[derive(Debug, Clone, Args)]
pub struct TokenChoice {
    /// The token's serial number (as `smartkey tokens` shows it); may be left out when
    /// exactly one token is inserted.
    #[arg(long, value_name = "S")]
    pub serial: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PinCommand {
    /// Change the PIN (or with --admin the admin PIN).
    Change {
        /// Change the admin (security officer) PIN instead of the PIN.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        token: TokenChoice,
        #[command(flatten)]
        pin: PinSource,
        #[command(flatten)]
        new_pin: NewPinSource,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    /// RSA with a 2048-bit modulus.
    Rsa2048,
    /// GOST R 34.10-2012, 256-bit key.
    #[value(name = "gost2012-256")]
    Gost2012_256,
    /// GOST R 34.10-2012, 512-bit key.
    #[value(name = "gost2012-512")]
    Gost2012_512,
}

impl From<AlgorithmArg> for smartkey_wizard::KeyType {
    fn from(a: AlgorithmArg) -> Self {
        match a {
            AlgorithmArg::Rsa2048 => smartkey_wizard::KeyType::Rsa2048,
            AlgorithmArg::Gost2012_256 => smartkey_wizard::KeyType::Gost2012_256,
            AlgorithmArg::Gost2012_512 => smartkey_wizard::KeyType::Gost2012_512,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key pair on the token; prints its ID (CKA_ID) in hex.
    Generate {
        #[command(flatten)]
        token: TokenChoice,
        #[arg(long, value_enum)]
        algorithm: AlgorithmArg,
        /// The label of the key pair [default: smartkey]
        #[arg(long, default_value = "smartkey")]
        label: String,
        #[command(flatten)]
        pin: PinSource,
    },
    /// Delete a key pair and its certificate. This cannot be undone.
    Delete {
        #[command(flatten)]
        token: TokenChoice,
        /// The key's ID in hex, as `smartkey cert list` shows it.
        #[arg(long, value_name = "HEX")]
        key_id: String,
        /// Do not ask for confirmation (for scripts).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        pin: PinSource,
    },
}

#[derive(Debug, Args)]
pub struct CsrArgs {
    #[command(flatten)]
    pub token: TokenChoice,
    /// The ID of the key to put in the request and sign it with.
    #[arg(long, value_name = "HEX")]
    pub key_id: String,
    /// The applicant's data: a JSON file with the keys surname, given_name, patronymic,
    /// legal_entity, organization, inn, ogrn, document, country, region, city, address,
    /// phone, email, title.
    #[arg(long, value_name = "FILE")]
    pub applicant: PathBuf,
    /// Where to write the request.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Write PEM text instead of DER.
    #[arg(long)]
    pub pem: bool,
    #[command(flatten)]
    pub pin: PinSource,
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Store a certificate (DER or PEM) next to the key pair it belongs to.
    Import {
        #[command(flatten)]
        token: TokenChoice,
        /// The certificate file.
        file: PathBuf,
        #[command(flatten)]
        pin: PinSource,
    },
    /// List the key pairs on a token with their certificates. Private keys are shown
    /// only when a PIN is given (--pin-file / --pin-env).
    List {
        #[command(flatten)]
        token: TokenChoice,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        pin: PinSource,
    },
}

/// Runs a parsed command line; what it prints goes to `out`. Returns the exit code
/// (0, except for `check`, whose code tells its verdict).
pub fn run(cli: Cli, out: &mut dyn std::io::Write) -> Result<u8, CliError> {
    let overrides = cli.overrides();
    match cli.command {
        Command::Completions { shell } => generate::completions(shell, out),
        Command::Man { out_dir } => generate::man(out_dir.as_deref(), out),
        // Diagnostics must work precisely when something is broken: a broken config
        // file is reported, not fatal.
        Command::Check(args) => check::run(Settings::resolve_lenient(overrides), &args, out),
        Command::Support(SupportCommand::Bundle(args)) => {
            support::bundle(Settings::resolve_lenient(overrides), &args, out)
        }
        Command::Banks { json } => check::banks(&Settings::resolve(overrides)?, json, out),
        Command::Status { json, offline } => {
            flows::status(&Settings::resolve_lenient(overrides), json, offline, out)
        }
        #[cfg(feature = "training")]
        Command::Demo(args) => training::demo(&Settings::resolve(overrides)?, &args, out),
        #[cfg(feature = "training")]
        Command::Replay(args) => replay::replay(&args, out),
        Command::New(args) => flows::run(
            &Settings::resolve(overrides)?,
            flows::Which::New,
            &args,
            out,
        ),
        Command::Renew(args) => flows::run(
            &Settings::resolve(overrides)?,
            flows::Which::Renew,
            &args,
            out,
        ),
        Command::Save { link, flow } => flows::run(
            &Settings::resolve(overrides)?,
            flows::Which::Save(link),
            &flow,
            out,
        ),
        Command::DestroyOldKey(args) => flows::run(
            &Settings::resolve(overrides)?,
            flows::Which::DestroyOldKey,
            &args,
            out,
        ),
        command => commands::run(&Settings::resolve(overrides)?, command, out).map(|()| exit::OK),
    }
}
