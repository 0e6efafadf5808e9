//! Command line of the virtual Rutoken: create tokens, plug them in and out of the
//! virtual readers, and list them. Works on the directory named by `RUTOKEN_EMU_DIR`
//! (see the library documentation), so every process that loaded the module sees the
//! change on its next call. `init` honours `RUTOKEN_EMU_SEED` (tests and training only)
//! for the new token's PIN salts.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rutoken_emu::seed::Seed;
use rutoken_emu::store::{Store, StoreError, state_dir, validate_serial};
use rutoken_emu::token::{DEFAULT_RETRIES, TokenState};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "rutoken-emu",
    version,
    about = "Virtual Rutoken ECP 2.0 tokens and readers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a token as it leaves the factory (PINs 12345678 / 87654321), not inserted.
    Init {
        /// Serial number: 1 to 16 hexadecimal digits (a Rutoken's is 8).
        #[arg(long)]
        serial: String,
        /// Token label.
        #[arg(long, default_value = "Rutoken ECP")]
        label: String,
        /// Tries for the user PIN.
        #[arg(long, default_value_t = DEFAULT_RETRIES, value_parser = clap::value_parser!(u32).range(1..=10))]
        user_retries: u32,
        /// Tries for the administrator PIN.
        #[arg(long, default_value_t = DEFAULT_RETRIES, value_parser = clap::value_parser!(u32).range(3..=10))]
        admin_retries: u32,
        /// Replace an existing token with this serial (its keys are lost).
        #[arg(long)]
        force: bool,
    },
    /// Plug a token into a reader (the first free one by default).
    Insert {
        /// The token's serial.
        serial: String,
        /// Reader number (slot ID).
        #[arg(long)]
        reader: Option<usize>,
    },
    /// Pull a token out (every token when no serial is given).
    Remove {
        /// The token's serial.
        serial: Option<String>,
    },
    /// Set the number of virtual readers (slots 0..N-1).
    Readers {
        /// How many readers.
        count: usize,
    },
    /// Show readers and tokens.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

fn run(cli: Cli) -> Result<(), StoreError> {
    let mut store = Store::new(state_dir()?);
    match cli.command {
        Command::Init {
            serial,
            label,
            user_retries,
            admin_retries,
            force,
        } => {
            validate_serial(&serial)?;
            // RUTOKEN_EMU_SEED (tests and training) makes the PIN salts repeat too.
            let seed = Seed::from_env();
            let token = TokenState::factory_with_seed(
                &serial,
                &label,
                user_retries,
                admin_retries,
                seed.as_ref(),
            );
            store.create_token(&token, force)?;
            println!("token {serial} created");
        }
        Command::Insert { serial, reader } => {
            if store.token(&serial)?.is_none() {
                return Err(StoreError::NoSuchToken(serial));
            }
            let at = store.update_readers(|r| r.insert(&serial, reader))?;
            println!("token {serial} inserted into reader {at}");
        }
        Command::Remove { serial } => {
            let emptied = store.update_readers(|r| Ok(r.remove(serial.as_deref())))?;
            match (serial, emptied.is_empty()) {
                (Some(s), true) => println!("token {s} is not inserted"),
                (_, _) => {
                    for reader in emptied {
                        println!("reader {reader} emptied");
                    }
                }
            }
        }
        Command::Readers { count } => {
            store.update_readers(|r| r.set_count(count))?;
            println!("{count} readers");
        }
        Command::List { json } => {
            let readers = store.readers()?;
            let tokens = store.tokens()?;
            if json {
                let tokens: Vec<_> = tokens
                    .iter()
                    .map(|t| {
                        json!({
                            "serial": t.serial,
                            "serial_decimal": u64::from_str_radix(&t.serial, 16).ok(),
                            "label": t.label,
                            "reader": readers.reader_of(&t.serial),
                            "user_pin_default": t.user_pin.is_default,
                            "admin_pin_default": t.so_pin.is_default,
                            "user_retries_left": t.user_pin.retries_left,
                            "user_retries_max": t.user_pin.max_retries,
                            "admin_retries_left": t.so_pin.retries_left,
                            "admin_retries_max": t.so_pin.max_retries,
                            "objects": t.objects.len(),
                        })
                    })
                    .collect();
                let slots: Vec<_> = readers
                    .slots
                    .iter()
                    .map(|s| s.as_ref().map(|i| i.serial.clone()))
                    .collect();
                let out = json!({ "dir": store.dir(), "readers": slots, "tokens": tokens });
                println!("{out}");
            } else {
                println!("state directory: {}", store.dir().display());
                for (index, slot) in readers.slots.iter().enumerate() {
                    match slot {
                        Some(i) => println!("reader {index}: {}", i.serial),
                        None => println!("reader {index}: empty"),
                    }
                }
                for t in &tokens {
                    println!(
                        "token {} ({}) \"{}\": user PIN {} {}/{}, admin PIN {} {}/{}, {} objects",
                        t.serial,
                        u64::from_str_radix(&t.serial, 16).unwrap_or(0),
                        t.label,
                        if t.user_pin.is_default {
                            "default"
                        } else {
                            "changed"
                        },
                        t.user_pin.retries_left,
                        t.user_pin.max_retries,
                        if t.so_pin.is_default {
                            "default"
                        } else {
                            "changed"
                        },
                        t.so_pin.retries_left,
                        t.so_pin.max_retries,
                        t.objects.len()
                    );
                }
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rutoken-emu: {e}");
            ExitCode::FAILURE
        }
    }
}
