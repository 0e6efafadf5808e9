//! `smartkey demo`: training on virtual tokens with a bank on this computer.
//!
//! A reference bank CA (bankca) runs in-process in a scratch directory, approving each
//! request after 3 seconds and "e-mailing" the pickup link into a Maildir there. The
//! virtual Rutoken (rutoken-emu) gets three tokens: an old carrier holding a GOST key
//! and a certificate of the demo bank (made by running the new and save flows on it
//! here, the way a client got theirs), a blank Rutoken ECP 2.0 to renew onto, and a
//! blank one for a first certificate. The flows then run as they would for a client:
//! from a script (one JSON object per line, [`super::script`]), or typed in line mode
//! with three extra commands: `insert SERIAL`, `remove SERIAL`, `mail`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use der::EncodePem;

use crate::bank::{BankProfile, Banks};
use crate::enroll::PickupLink;
use crate::i18n::Catalogue;
use crate::token::Pin;
use crate::wizard::{Answer, FieldId, PickupRef, TransactionId, Wizard};

use super::frontend::Frontend;
use super::pending::PendingStore;
use super::runtime::{RunConfig, RunEnd, run};
use super::script::{Bench, EmuBench, ScriptStep, Scripted};

/// The demo bank's agentId (the renewal seed's bank).
pub const AGENT: u32 = 5282;
/// The old carrier, with a key and a certificate.
pub const OLD: &str = "0A0A0A01";
/// The blank Rutoken ECP 2.0 the renewal moves to.
pub const NEW: &str = "0B0B0B02";
/// A blank token for a first certificate.
pub const BLANK: &str = "0C0C0C03";
/// The old carrier's PINs (training values, printed on the demo's first screen).
pub const OLD_PIN: &str = "Demo-old-1";
const OLD_ADMIN_PIN: &str = "Demo-old-adm1";

/// The script `smartkey demo` plays when none is given and no one is at a terminal.
pub const BUILT_IN_SCRIPT: &str = include_str!("../../scripts/demo-script.jsonl");

/// Where the demo keeps its things.
pub struct DemoPlace {
    pub dir: PathBuf,
}

impl DemoPlace {
    pub fn tokens(&self) -> PathBuf {
        self.dir.join("tokens")
    }
    fn bank(&self) -> PathBuf {
        self.dir.join("bank")
    }
    pub fn mailbox(&self) -> PathBuf {
        self.bank().join("mail").join("new")
    }
    pub fn pending(&self) -> PendingStore {
        PendingStore::at(self.dir.join("state").join("pending.json"))
    }
}

/// The virtual Rutoken's module and command, next to this program (target/<profile>).
pub fn locate_emulator() -> Result<(PathBuf, PathBuf), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = exe.parent() {
        dirs.push(d.to_path_buf());
        if let Some(up) = d.parent() {
            dirs.push(up.to_path_buf());
        }
    }
    let library = format!(
        "{}rutoken_emu{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let command = format!("rutoken-emu{}", std::env::consts::EXE_SUFFIX);
    for d in &dirs {
        let module = [d.join(&library), d.join("deps").join(&library)]
            .into_iter()
            .find(|p| p.is_file());
        let cli = d.join(&command);
        if let Some(module) = module
            && cli.is_file()
        {
            return Ok((module, cli));
        }
    }
    Err(format!(
        "the virtual Rutoken ({library} and {command}) is not next to smartkey; build everything first with `cargo build --workspace`"
    ))
}

/// The links in the mailbox's e-mails, oldest first.
fn links(mailbox: &Path, base: &str) -> Vec<PickupLink> {
    let mut mails: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(mailbox)
        .map(|d| {
            d.flatten()
                .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    mails
        .iter()
        .filter_map(|(_, path)| {
            let text = std::fs::read_to_string(path).ok()?;
            let line = text.lines().map(str::trim).find(|l| l.starts_with(base))?;
            PickupLink::parse(line).ok()
        })
        .collect()
}

/// The e-mailed link of the request `transaction` (any link when `None`), waiting up to
/// a minute for the bank to send it.
pub async fn find_link(
    mailbox: &Path,
    base: &str,
    transaction: Option<&TransactionId>,
) -> Result<PickupLink, String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let found = links(mailbox, base).into_iter().rev().find(|l| {
            transaction.is_none_or(|t| PickupRef::of(l).is_some_and(|p| &p.transaction == t))
        });
        if let Some(link) = found {
            return Ok(link);
        }
        if tokio::time::Instant::now() > deadline {
            return Err("no e-mail from the demo bank within a minute".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The demo bank's profile, trusting its CA.
fn profile(place: &DemoPlace, server: &bankca::ServerHandle) -> Result<Vec<BankProfile>, String> {
    let ca = server.ca();
    let pem = |c: &x509_cert::Certificate| {
        c.to_pem(der::pem::LineEnding::LF)
            .map_err(|e| e.to_string())
    };
    let anchor = format!(
        "{}{}",
        pem(ca.rsa_certificate())?,
        pem(ca.gost_certificate())?
    );
    std::fs::write(place.dir.join("demo-ca.pem"), anchor).map_err(|e| e.to_string())?;
    let file = place.dir.join("banks.toml");
    std::fs::write(
        &file,
        format!(
            "[[bank]]\nagent_id = {AGENT}\nname = \"Демо-банк\"\nca_url = \"{}\"\ntrust_anchor = \"demo-ca.pem\"\nsupport_phone = \"8-800-000-00-00\"\noperations_email = \"dbo@demo.bank\"\nkey_types = [\"gost2012-256\"]\n",
            server.base_url()
        ),
    )
    .map_err(|e| e.to_string())?;
    let banks = Banks::load(Some(&file)).map_err(|e| e.to_string())?;
    Ok(banks
        .profiles()
        .iter()
        .filter(|p| p.agent_id == AGENT)
        .cloned()
        .collect())
}

fn pin(text: &str) -> Pin {
    Pin::new(text.to_string())
}

/// N2.1-N2.8 for the old carrier, as its owner once did it.
fn old_carrier_enrollment() -> Vec<ScriptStep> {
    let mut s = vec![
        ScriptStep::Wait("N2.1".into()),
        ScriptStep::Answer(Answer::Next),
        ScriptStep::Wait("N2.2".into()),
        ScriptStep::Answer(Answer::Next),
        ScriptStep::Wait("N2.3".into()),
    ];
    for (field, value) in [
        (FieldId::Surname, "Иванов"),
        (FieldId::GivenName, "Иван"),
        (FieldId::Patronymic, "Иванович"),
        (FieldId::Organization, "ООО \"Ромашка\""),
        (FieldId::Inn, "7707083893"),
        (FieldId::Document, "Устав"),
        (FieldId::City, "моск"),
        (FieldId::Address, "ул. Вавилова, д. 19"),
        (FieldId::Phone, "+7 (495) 500-55-50"),
        (FieldId::Email, "ivanov@example.ru"),
    ] {
        s.push(ScriptStep::Answer(Answer::Edit {
            field,
            value: value.into(),
        }));
    }
    s.push(ScriptStep::Answer(Answer::Select {
        field: FieldId::City,
        index: 0,
    }));
    s.extend([
        ScriptStep::Answer(Answer::Next),
        ScriptStep::Answer(Answer::Next),
        ScriptStep::Wait("N2.4".into()),
        ScriptStep::Answer(Answer::ChangePin {
            current: pin(crate::token::FACTORY_USER_PIN),
            new: pin(OLD_PIN),
            repeat: pin(OLD_PIN),
        }),
        ScriptStep::Wait("N2.5".into()),
        ScriptStep::Answer(Answer::ChangePin {
            current: pin(crate::token::FACTORY_ADMIN_PIN),
            new: pin(OLD_ADMIN_PIN),
            repeat: pin(OLD_ADMIN_PIN),
        }),
        ScriptStep::Wait("N2.6".into()),
        ScriptStep::Answer(Answer::Pin(pin(OLD_PIN))),
        ScriptStep::Wait("N2.7".into()),
        ScriptStep::Answer(Answer::Next),
        ScriptStep::Wait("N2.8".into()),
    ]);
    s
}

fn old_carrier_pickup() -> Vec<ScriptStep> {
    vec![
        ScriptStep::Wait("N2.9".into()),
        ScriptStep::Answer(Answer::Next),
        ScriptStep::Answer(Answer::Pin(pin(OLD_PIN))),
        ScriptStep::Wait("N2.10".into()),
        ScriptStep::Answer(Answer::Next),
        ScriptStep::Wait("N2.11".into()),
    ]
}

/// What the demo is driven by.
pub enum Driver {
    /// A script's steps (with `flow` lines between the flows).
    Script(Vec<ScriptStep>),
    /// A person in line mode.
    Person,
}

/// Everything a demo run needs.
pub struct DemoConfig {
    pub place: DemoPlace,
    pub module: PathBuf,
    pub bench: Arc<EmuBench>,
    pub catalogue: Catalogue,
    pub documents: PathBuf,
    pub transcript: Option<PathBuf>,
    /// Print each screen of a scripted run (for people watching).
    pub echo: bool,
}

fn quiet(label: &str, end: &RunEnd) -> Result<(), String> {
    match end {
        RunEnd::Finished { .. } => Ok(()),
        other => Err(format!("preparing {label} failed: {other:?}")),
    }
}

/// Runs the demo: prepares the bank and the tokens, then the flows. Returns how each
/// flow ended.
pub async fn run_demo(config: DemoConfig, driver: Driver) -> Result<Vec<RunEnd>, String> {
    let place = &config.place;
    let bench = &config.bench;
    std::fs::create_dir_all(place.bank()).map_err(|e| e.to_string())?;
    bench.run(&["readers", "3"])?;
    for (serial, label) in [
        (OLD, "старый ключ"),
        (NEW, "Рутокен ЭЦП 2.0"),
        (BLANK, "новый клиент"),
    ] {
        bench.run(&["init", "--serial", serial, "--label", label, "--force"])?;
    }

    bankca::Ca::init(&place.bank()).map_err(|e| e.to_string())?;
    let mut serve = bankca::ServeConfig::new(place.bank(), "127.0.0.1:0");
    serve.auto_approve_after = Some(Duration::from_secs(3));
    serve.check_after = Duration::from_secs(1);
    let server = bankca::serve(serve).await.map_err(|e| e.to_string())?;
    let banks = profile(place, &server)?;
    let run_config = |transcript: Option<PathBuf>| RunConfig {
        module: config.module.clone(),
        banks: banks.clone(),
        catalogue: config.catalogue,
        pending: Some(place.pending()),
        documents: config.documents.clone(),
        transcript,
        transcripts_dir: Some(place.dir.join("state").join("transcripts")),
        watch_every: Duration::from_millis(300),
    };
    let start = |pending: bool| {
        let records = if pending {
            place.pending().load().unwrap_or_default()
        } else {
            Vec::new()
        };
        super::start::start(&banks, Some(AGENT), records)
    };

    // The old carrier, enrolled the way its owner once did.
    bench.insert(OLD, Some(0))?;
    let mut script = Scripted::new(old_carrier_enrollment(), None);
    let (wizard, effects) = Wizard::new_flow(start(false)?);
    let end = run(wizard, effects, &mut script, run_config(None))
        .await
        .map_err(|e| e.to_string())?;
    quiet("the old carrier", &end)?;
    let link = find_link(&place.mailbox(), server.base_url(), None).await?;
    let pickup = PickupRef::of(&link).ok_or("the demo link has no agentId")?;
    let mut script = Scripted::new(old_carrier_pickup(), None);
    let (wizard, effects) = Wizard::save_flow(pickup, start(true)?);
    let end = run(wizard, effects, &mut script, run_config(None))
        .await
        .map_err(|e| e.to_string())?;
    quiet("the old carrier's certificate", &end)?;
    bench.run(&["remove"])?;
    println!(
        "Demo: the bank runs at {}; virtual tokens {OLD} (the old carrier), {NEW} and {BLANK} (blank), none inserted.",
        server.base_url()
    );

    let mut ends = Vec::new();
    match driver {
        Driver::Script(steps) => {
            let mut frontend = Scripted::new(steps, Some(bench.clone() as Arc<dyn Bench>));
            if config.echo {
                frontend = frontend.echo(config.catalogue);
            }
            while let Some(flow) = frontend.take_flow() {
                let end = one_flow(
                    &flow,
                    &mut frontend,
                    &config,
                    place,
                    &server,
                    &start,
                    &run_config,
                )
                .await?;
                ends.push(end);
            }
        }
        Driver::Person => {
            println!(
                "Training PINs: the old carrier's PIN is {OLD_PIN}; blank tokens have the factory PINs. Commands: insert SERIAL, remove SERIAL, mail, help."
            );
            let mut frontend = super::plain::Plain::stdin(config.catalogue)
                .with_demo(bench.clone() as Arc<dyn Bench>, place.mailbox());
            for flow in ["new", "renew", "save"] {
                println!("\n=== {flow} ===");
                let end = one_flow(
                    flow,
                    &mut frontend,
                    &config,
                    place,
                    &server,
                    &start,
                    &run_config,
                )
                .await?;
                ends.push(end);
            }
        }
    }
    Ok(ends)
}

async fn one_flow<F: Frontend>(
    flow: &str,
    frontend: &mut F,
    config: &DemoConfig,
    place: &DemoPlace,
    server: &bankca::ServerHandle,
    start: &impl Fn(bool) -> Result<crate::wizard::Start, String>,
    run_config: &impl Fn(Option<PathBuf>) -> RunConfig,
) -> Result<RunEnd, String> {
    let (wizard, effects) = match flow {
        "new" => Wizard::new_flow(start(true)?),
        "renew" => Wizard::renew_flow(start(true)?),
        "destroy-old-key" => Wizard::destroy_old_key_flow(start(true)?),
        "save" => {
            // The link of the latest request waiting at the bank, as soon as it comes.
            let records = place.pending().load()?;
            let latest = records.last().map(|r| r.transaction.clone());
            let link = find_link(&place.mailbox(), server.base_url(), latest.as_ref()).await?;
            println!("Demo: the bank's e-mail brought the link {link}");
            let pickup = PickupRef::of(&link).ok_or("the demo link has no agentId")?;
            Wizard::save_flow(pickup, start(true)?)
        }
        other => return Err(format!("the demo has no flow {other:?} (new, renew, save)")),
    };
    run(
        wizard,
        effects,
        frontend,
        run_config(config.transcript.clone()),
    )
    .await
    .map_err(|e| e.to_string())
}
