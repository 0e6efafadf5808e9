//! The scriptable command line over the token and PKI layers, in the spirit of
//! `ykman piv`: one subcommand per operation, `--json` where a script wants data, PINs
//! from a prompt, a file or an environment variable (never argv).

mod commands;
mod error;
mod pin_input;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use error::{CliError, EXIT_CODES_HELP, exit};
pub use pin_input::{NewPinSource, PinSource};

/// smartkey: certificates for Internet-Bank on a Rutoken ECP 2.0.
#[derive(Debug, Parser)]
#[command(name = "smartkey", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// The PKCS#11 library to use [default: the Rutoken library from its usual places]
    #[arg(long, global = true, env = "SMARTKEY_MODULE", value_name = "PATH")]
    pub module: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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

impl From<AlgorithmArg> for crate::token::KeyAlgorithm {
    fn from(a: AlgorithmArg) -> Self {
        match a {
            AlgorithmArg::Rsa2048 => crate::token::KeyAlgorithm::Rsa2048,
            AlgorithmArg::Gost2012_256 => crate::token::KeyAlgorithm::Gost2012_256,
            AlgorithmArg::Gost2012_512 => crate::token::KeyAlgorithm::Gost2012_512,
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

/// Runs a parsed command line; what it prints goes to `out`.
pub fn run(cli: Cli, out: &mut dyn std::io::Write) -> Result<(), CliError> {
    commands::run(cli, out)
}
