//! `bankca`: the command line of the reference bank CA. A thin layer over the library:
//! parses arguments, picks the clock (and, for tests and training, seeded serial numbers
//! from `BANKCA_SERIAL_SEED`), prints results, and reports errors in one place.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bankca::ca::RequestDetails;
use bankca::clock::{CLOCK_FILE_ENV, format_rfc3339, from_unix_seconds};
use bankca::issue::SerialSource;
use bankca::{Ca, Clock, FileClock, MailTarget, Request, ServeConfig, State, SystemClock};
use clap::{Parser, Subcommand};

/// The reference bank CA of smartkey: CMP over HTTP(S), operator approvals, e-mailed
/// pickup links, SQLite.
#[derive(Debug, Parser)]
#[command(name = "bankca", version)]
struct Cli {
    /// The CA directory: keys, certificates, agents.toml, the request database.
    #[arg(long, global = true, env = "BANKCA_DIR", default_value = ".")]
    dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the CA: RSA-2048 and GOST 2012-256 keys with self-signed certificates,
    /// and a default agents.toml. Never overwrites an existing CA.
    Init,
    /// Run the CMP server until SIGTERM or Ctrl-C.
    Serve {
        /// Address to listen on; port 0 picks a free port (printed on start).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Serve HTTPS with a certificate issued by the RSA CA (kept in DIR/tls).
        #[arg(long)]
        tls: bool,
        /// Base URL of the pickup links (default: scheme, listen host, bound port).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// Approve waiting requests automatically after this many seconds (demos).
        #[arg(long, value_name = "SECS")]
        auto_approve_after: Option<u64>,
        /// Where pickup e-mails go (default: the Maildir DIR/mail).
        #[arg(long, value_name = "maildir:PATH|smtp://HOST:PORT")]
        mail: Option<String>,
        /// Seconds a polling client is told to wait (checkAfter).
        #[arg(long, value_name = "SECS", default_value_t = 5)]
        check_after: u64,
        /// How far the messageTime of a protected message may be from the CA's clock;
        /// 0 turns the check off (for a training CA whose clock is moved).
        #[arg(long, value_name = "SECS", default_value_t = 600)]
        message_time_window: u64,
        /// Connections served at once; more wait until one ends.
        #[arg(long, value_name = "N", default_value_t = bankca::server::DEFAULT_MAX_CONNECTIONS)]
        max_connections: usize,
    },
    /// Make a reference and MAC secret for one client of a bank, for MAC-protected
    /// requests; printed once, handed to the client out of band.
    Secret {
        /// The bank's agentId.
        #[arg(long)]
        agent: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the requests.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only requests in this state (waiting, approved, rejected, issued, confirmed,
        /// expired).
        #[arg(long)]
        state: Option<String>,
    },
    /// Show one request with its certificate and history.
    Show {
        /// The request number.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve a waiting request: the server issues the certificate and e-mails the link.
    Approve {
        /// The request number.
        id: i64,
    },
    /// Reject a request that is not issued yet.
    Reject {
        /// The request number.
        id: i64,
        /// Why; the customer reads it.
        #[arg(long)]
        reason: String,
    },
    /// E-mail the pickup link again (a new 2-day window), within 3 days of issuing.
    Resend {
        /// The request number.
        id: i64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = format!("bankca: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                let text = cause.to_string();
                if !message.contains(&text) {
                    message.push_str(": ");
                    message.push_str(&text);
                }
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The system clock, or the clock file named by `BANKCA_CLOCK_FILE` (tests, training).
fn clock() -> Arc<dyn Clock> {
    match std::env::var_os(CLOCK_FILE_ENV) {
        Some(path) if !path.is_empty() => Arc::new(FileClock::new(PathBuf::from(path))),
        _ => Arc::new(SystemClock),
    }
}

fn run(cli: Cli) -> bankca::Result<()> {
    let dir = cli.dir;
    match cli.command {
        Command::Init => {
            let report = Ca::init_with_clock(&dir, clock().as_ref())?;
            println!("Created the CA in {}", dir.display());
            for cert in &report.certificates {
                println!("{} CA certificate: {}", cert.kind, cert.path.display());
                println!("  subject: {}", cert.subject);
                println!("  SHA-256: {}", cert.sha256);
            }
            let what = if report.agents_written {
                "written"
            } else {
                "kept as it was"
            };
            println!("Agents: {} ({what})", report.agents_file.display());
            Ok(())
        }
        Command::Serve {
            listen,
            tls,
            public_url,
            auto_approve_after,
            mail,
            check_after,
            message_time_window,
            max_connections,
        } => {
            let mut config = ServeConfig::new(dir, listen);
            config.tls = tls;
            config.public_url = public_url;
            config.auto_approve_after = auto_approve_after.map(Duration::from_secs);
            config.mail = mail.map(|m| m.parse::<MailTarget>()).transpose()?;
            config.check_after = Duration::from_secs(check_after.max(1));
            config.message_time_window =
                (message_time_window > 0).then(|| Duration::from_secs(message_time_window));
            config.max_connections = max_connections;
            config.clock = clock();
            config.serials = SerialSource::from_env();
            serve(config)
        }
        Command::List { json, state } => {
            let state = state
                .map(|s| {
                    s.parse::<State>()
                        .map_err(|e| bankca::Error::Config(e.to_string()))
                })
                .transpose()?;
            let ca = Ca::open_with_clock(&dir, clock())?;
            let requests = ca.list(state)?;
            let base = ca.public_url()?;
            if json {
                let all: Vec<_> = requests
                    .iter()
                    .map(|r| request_json(r, base.as_deref()))
                    .collect();
                print_json(&serde_json::Value::Array(all));
            } else {
                print_table(&requests);
            }
            Ok(())
        }
        Command::Show { id, json } => {
            let ca = Ca::open_with_clock(&dir, clock())?;
            let details = ca.show(id)?;
            if json {
                print_json(&details_json(&details, ca.public_url()?.as_deref()));
            } else {
                print_details(&details);
            }
            Ok(())
        }
        Command::Approve { id } => {
            let ca = Ca::open_with_clock(&dir, clock())?;
            ca.approve(id, "operator")?;
            println!(
                "Request {id} approved; the running server issues the certificate and e-mails the link."
            );
            Ok(())
        }
        Command::Reject { id, reason } => {
            let ca = Ca::open_with_clock(&dir, clock())?;
            ca.reject(id, &reason, "operator")?;
            println!("Request {id} rejected.");
            Ok(())
        }
        Command::Secret { agent, json } => {
            let ca = Ca::open_with_clock(&dir, clock())?;
            let secret = ca.new_client_secret(agent)?;
            if json {
                print_json(&serde_json::json!({
                    "agent": secret.agent_id,
                    "reference": secret.reference,
                    "secret": secret.secret.as_str(),
                }));
            } else {
                println!("reference: {}", secret.reference);
                println!("secret: {}", secret.secret.as_str());
                println!(
                    "Hand both to the client: they protect one request to bank {agent} and its follow-ups."
                );
            }
            Ok(())
        }
        Command::Resend { id } => {
            let ca = Ca::open_with_clock(&dir, clock())?;
            ca.resend(id, "operator")?;
            println!(
                "The running server e-mails the link of request {id} again: it works for 2 days from then."
            );
            Ok(())
        }
    }
}

fn serve(config: ServeConfig) -> bankca::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| bankca::Error::Task(e.to_string()))?;
    runtime.block_on(async {
        let server = bankca::serve(config).await?;
        // The first lines on stdout are for scripts and tests (port 0).
        println!("listening: {}", server.local_addr());
        println!("url: {}", server.base_url());
        let _ = std::io::stdout().flush();
        wait_for_signal().await;
        tracing::info!("stopping");
        server.shutdown().await;
        Ok(())
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!("SIGTERM cannot be handled: {e}");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn time(seconds: Option<i64>) -> serde_json::Value {
    seconds.map_or(serde_json::Value::Null, |s| {
        serde_json::Value::String(format_rfc3339(from_unix_seconds(s)))
    })
}

fn request_json(r: &Request, base: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "agent_id": r.agent_id,
        "transaction_id": hex::encode(&r.transaction_id),
        "kind": r.kind.as_str(),
        "state": r.state.as_str(),
        "key_type": r.key_type.name(),
        "subject": r.subject,
        "email": r.email,
        "phone": r.phone,
        "contacts_confirmed": r.contacts_confirmed,
        "inn": r.inn,
        "reason": r.reason,
        "created_at": time(Some(r.created_at)),
        "decided_at": time(r.decided_at),
        "issued_at": time(r.issued_at),
        "mailed_at": time(r.mailed_at),
        "confirmed_at": time(r.confirmed_at),
        "link": base.map(|b| Ca::link(b, r)),
    })
}

fn details_json(d: &RequestDetails, base: Option<&str>) -> serde_json::Value {
    let mut value = request_json(&d.request, base);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "certificate".into(),
            d.certificate.as_ref().map_or(serde_json::Value::Null, |c| {
                serde_json::json!({
                    "serial": c.serial,
                    "issuer": c.issuer.as_str(),
                    "status": c.status.as_str(),
                    "not_before": time(Some(c.not_before)),
                    "not_after": time(Some(c.not_after)),
                    "sha256": bankca::ca::fingerprint(&c.der),
                })
            }),
        );
        object.insert(
            "events".into(),
            d.events
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "at": time(Some(e.at)),
                        "actor": e.actor,
                        "what": e.what,
                    })
                })
                .collect(),
        );
    }
    value
}

fn print_json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("bankca: {e}"),
    }
}

fn print_table(requests: &[Request]) {
    if requests.is_empty() {
        println!("No requests.");
        return;
    }
    println!(
        "{:>4}  {:<9}  {:>5}  {:<5}  {:<12}  {:<20}  {:<24}  SUBJECT",
        "ID", "STATE", "BANK", "KIND", "KEY", "RECEIVED", "E-MAIL"
    );
    for r in requests {
        println!(
            "{:>4}  {:<9}  {:>5}  {:<5}  {:<12}  {:<20}  {:<24}  {}",
            r.id,
            r.state.as_str(),
            r.agent_id,
            r.kind.as_str(),
            r.key_type.name(),
            format_rfc3339(from_unix_seconds(r.created_at)),
            r.email,
            r.subject
        );
    }
}

fn print_details(d: &RequestDetails) {
    let r = &d.request;
    let line = |label: &str, value: String| println!("{label:<14} {value}");
    let at =
        |s: Option<i64>| s.map_or_else(|| "-".into(), |s| format_rfc3339(from_unix_seconds(s)));
    line("Request", r.id.to_string());
    line("State", r.state.to_string());
    line("Bank", r.agent_id.to_string());
    line("Kind", r.kind.to_string());
    line("Transaction", hex::encode(&r.transaction_id));
    line("Key", r.key_type.to_string());
    line("Subject", r.subject.clone());
    // Where the e-mail came from matters to the operator: a renewal's confirmed
    // contacts may differ from the ones in the certificate being renewed.
    let confirmed = if r.contacts_confirmed {
        " (confirmed by the client in the request)"
    } else {
        " (from the subject)"
    };
    line("E-mail", format!("{}{confirmed}", r.email));
    if let Some(phone) = &r.phone {
        line("Phone", format!("{phone}{confirmed}"));
    }
    line("INN", r.inn.clone());
    if let Some(reason) = &r.reason {
        line("Reason", reason.clone());
    }
    line("Received", at(Some(r.created_at)));
    line("Decided", at(r.decided_at));
    line("Issued", at(r.issued_at));
    line("Link mailed", at(r.mailed_at));
    line("Confirmed", at(r.confirmed_at));
    if let Some(link) = &d.link {
        line("Pickup link", link.clone());
    }
    if let Some(c) = &d.certificate {
        line(
            "Certificate",
            format!("serial {} ({} CA), {}", c.serial, c.issuer, c.status),
        );
        line(
            "Valid",
            format!("{} to {}", at(Some(c.not_before)), at(Some(c.not_after))),
        );
        line("SHA-256", bankca::ca::fingerprint(&c.der));
    }
    println!("History:");
    for e in &d.events {
        println!("  {}  {:<12}  {}", at(Some(e.at)), e.actor, e.what);
    }
}
