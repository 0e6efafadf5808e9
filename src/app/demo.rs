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
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use der::EncodePem;

use crate::bank::{BankProfile, Banks};
use crate::enroll::PickupLink;
use smartkey_i18n::Catalogue;
use smartkey_wizard::Pin;
use smartkey_wizard::{Answer, CivilDate, FieldId, Start, TransactionId, Wizard};

use super::chance::Chance;
use super::draft::DraftStore;
use super::frontend::Frontend;
use super::pending::PendingStore;
use super::record::RecordingError;
use super::runtime::{RunConfig, RunEnd, RunError, run};
use super::script::{
    Approval, BankAction, Bench, BenchError, EmuBench, PinBook, ScriptError, ScriptStep, Scripted,
    Setup,
};
use super::state_file::{self, StateFileError};

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

/// The demo's training PINs by their script names: printed on its first screen, so
/// scripts of demo runs can use them without a secrets file.
pub const TRAINING_PINS: [(&str, &str); 5] = [
    ("PIN_OLD_CARRIER", OLD_PIN),
    ("PIN_NEW", "Demo-new-1"),
    ("PIN_ADMIN_NEW", "Demo-new-adm1"),
    ("PIN_NEW_2", "Demo-ecp2-1"),
    ("PIN_ADMIN_NEW_2", "Demo-ecp2-adm1"),
];

/// The PIN names a demo script can use: the environment, then the training PINs and
/// the factory PINs.
pub fn pin_book() -> PinBook {
    let mut book = PinBook::new();
    for (name, value) in TRAINING_PINS {
        book.know(name, value);
    }
    book
}

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
    pub fn draft(&self) -> DraftStore {
        DraftStore::at(self.dir.join("state").join("draft.json"))
    }
}

/// Why the demo could not be prepared or run.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error(transparent)]
    Bench(#[from] BenchError),
    #[error(transparent)]
    Bank(#[from] bankca::Error),
    #[error(transparent)]
    Banks(#[from] crate::bank::BankError),
    #[error(transparent)]
    State(#[from] StateFileError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Recording(#[from] RecordingError),
    #[error("the demo bank's certificate cannot be written as PEM: {0}")]
    Pem(der::Error),
    #[error("smartkey cannot tell where it is installed: {0}")]
    OwnPath(std::io::Error),
    #[error(
        "the virtual Rutoken ({library} and {command}) is not next to smartkey; build everything first with `cargo build --workspace`"
    )]
    NoEmulator { library: String, command: String },
    #[error("no e-mail from the demo bank within a minute")]
    NoMail,
    #[error("the demo link has no agentId")]
    LinkWithoutBank,
    #[error("the demo's calendar is out of range")]
    CalendarOutOfRange,
    #[error("preparing {label} failed: {end}")]
    Preparing { label: &'static str, end: String },
    #[error("the demo has no flow {0:?} (new, renew, save, destroy-old-key)")]
    NoSuchFlow(String),
    #[error("the script must begin a flow, with a line like {{\"flow\": \"new\"}}")]
    NoFlowBegun,
    #[error("the recording's terminal cannot be made: {0}")]
    Terminal(std::io::Error),
}

/// The virtual Rutoken's module and command, next to this program (target/<profile>).
pub fn locate_emulator() -> Result<(PathBuf, PathBuf), DemoError> {
    let exe = std::env::current_exe().map_err(DemoError::OwnPath)?;
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
    Err(DemoError::NoEmulator { library, command })
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
) -> Result<PickupLink, DemoError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let found = links(mailbox, base).into_iter().rev().find(|l| {
            transaction
                .is_none_or(|t| crate::enroll::pickup_ref(l).is_some_and(|p| &p.transaction == t))
        });
        if let Some(link) = found {
            return Ok(link);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::NoMail);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The demo bank's profile, trusting its CA.
/// Writes the demo bank's profile (`banks.toml`) and trust anchor (`demo-ca.pem`) into
/// the demo's folder and returns the profile's path. Each is a new 0600 file renamed into
/// place (`state_file::write_bytes`), so a file or link planted under either name is
/// replaced, never written through: smartkey trusts the CA this file names.
fn write_profile(place: &DemoPlace, anchor: &str, base_url: &str) -> Result<PathBuf, DemoError> {
    state_file::write_bytes(&place.dir.join("demo-ca.pem"), anchor.as_bytes())?;
    let file = place.dir.join("banks.toml");
    let profile = format!(
        "[[bank]]\nagent_id = {AGENT}\nname = \"Демо-банк\"\nca_url = \"{base_url}\"\ntrust_anchor = \"demo-ca.pem\"\nsupport_phone = \"8-800-000-00-00\"\noperations_email = \"dbo@demo.bank\"\nkey_types = [\"gost2012-256\"]\n"
    );
    state_file::write_bytes(&file, profile.as_bytes())?;
    Ok(file)
}

fn profile(
    place: &DemoPlace,
    server: &bankca::ServerHandle,
) -> Result<Vec<BankProfile>, DemoError> {
    let ca = server.ca();
    let pem =
        |c: &x509_cert::Certificate| c.to_pem(der::pem::LineEnding::LF).map_err(DemoError::Pem);
    let anchor = format!(
        "{}{}",
        pem(ca.rsa_certificate())?,
        pem(ca.gost_certificate())?
    );
    let file = write_profile(place, &anchor, server.base_url())?;
    let banks = Banks::load(Some(&file))?;
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
            current: pin(smartkey_wizard::FACTORY_USER_PIN),
            new: pin(OLD_PIN),
            repeat: pin(OLD_PIN),
        }),
        ScriptStep::Wait("N2.5".into()),
        ScriptStep::Answer(Answer::ChangePin {
            current: pin(smartkey_wizard::FACTORY_ADMIN_PIN),
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

/// The demo's calendar: the setup's day, from midnight UTC, running as the real clock
/// runs, plus the days a script lets pass. The bank reads it through [`bankca::Clock`],
/// each flow's "today" comes from it, so a replay sees the same dates whenever it runs.
#[derive(Debug)]
pub struct DemoClock {
    start: SystemTime,
    began: Instant,
    passed_secs: AtomicU64,
}

impl DemoClock {
    pub fn new(day: CivilDate) -> DemoClock {
        let secs = u64::try_from(day.days_since_epoch()).unwrap_or_default() * 86_400;
        DemoClock {
            start: UNIX_EPOCH + Duration::from_secs(secs),
            began: Instant::now(),
            passed_secs: AtomicU64::new(0),
        }
    }

    pub fn now(&self) -> SystemTime {
        self.start
            + self.began.elapsed()
            + Duration::from_secs(self.passed_secs.load(Ordering::Relaxed))
    }

    pub fn today(&self) -> Option<CivilDate> {
        let days = self.now().duration_since(UNIX_EPOCH).ok()?.as_secs() / 86_400;
        CivilDate::from_days_since_epoch(i64::try_from(days).ok()?)
    }

    pub fn pass_days(&self, days: u32) {
        self.passed_secs
            .fetch_add(u64::from(days) * 86_400, Ordering::Relaxed);
    }
}

impl bankca::Clock for DemoClock {
    fn now(&self) -> bankca::Result<SystemTime> {
        Ok(DemoClock::now(self))
    }
}

/// What a demo script acts on: the virtual readers, the bank's operator, the calendar.
pub struct DemoStage {
    emu: Arc<EmuBench>,
    server: Arc<bankca::ServerHandle>,
    clock: Arc<DemoClock>,
}

impl DemoStage {
    /// The request the bank got last.
    fn latest(&self) -> Result<i64, BenchError> {
        let list = self.server.ca().list(None)?;
        list.iter()
            .map(|r| r.id)
            .max()
            .ok_or(BenchError::NoRequestYet)
    }
}

impl Bench for DemoStage {
    fn insert(&self, serial: &str, reader: Option<u32>) -> Result<(), BenchError> {
        self.emu.insert(serial, reader)
    }

    fn remove(&self, serial: &str) -> Result<(), BenchError> {
        self.emu.remove(serial)
    }

    fn bank(&self, action: &BankAction) -> Result<(), BenchError> {
        let ca = self.server.ca();
        match action {
            BankAction::Approve => {
                let waiting = ca.list(Some(bankca::State::Waiting))?;
                if waiting.is_empty() {
                    return Err(BenchError::NothingToApprove);
                }
                for r in waiting {
                    ca.approve(r.id, "operator")?;
                }
            }
            BankAction::Reject(reason) => {
                ca.reject(self.latest()?, reason, "operator")?;
            }
            BankAction::Resend => {
                ca.resend(self.latest()?, "operator")?;
            }
        }
        self.server.wake();
        Ok(())
    }

    fn days_pass(&self, days: u32) -> Result<(), BenchError> {
        self.clock.pass_days(days);
        self.server.wake();
        Ok(())
    }
}

/// The demo's bank and tokens, prepared: what flows run against.
pub struct DemoEnv {
    pub place: DemoPlace,
    pub module: PathBuf,
    pub banks: Vec<BankProfile>,
    pub stage: Arc<DemoStage>,
    pub chance: Arc<Chance>,
    server: Arc<bankca::ServerHandle>,
}

fn quiet(label: &'static str, end: &RunEnd) -> Result<(), DemoError> {
    match end {
        RunEnd::Finished { .. } => Ok(()),
        other => Err(DemoError::Preparing {
            label,
            end: format!("{other:?}"),
        }),
    }
}

impl DemoEnv {
    /// Starts the bank, makes the three tokens and enrolls the old carrier, all on the
    /// setup's calendar and chance. The virtual Rutoken must already read its folder
    /// and seed from the environment (`RUTOKEN_EMU_DIR`, `RUTOKEN_EMU_SEED`).
    pub async fn prepare(
        place: DemoPlace,
        module: PathBuf,
        emu: Arc<EmuBench>,
        setup: &Setup,
    ) -> Result<DemoEnv, DemoError> {
        let clock = Arc::new(DemoClock::new(setup.day()?));
        let chance = Arc::new(Chance::seeded(&setup.seed));
        state_file::private_dir(&place.bank())?;
        emu.run(&["readers", "3"])?;
        for (serial, label) in [
            (OLD, "старый ключ"),
            (NEW, "Рутокен ЭЦП 2.0"),
            (BLANK, "новый клиент"),
        ] {
            emu.run(&["init", "--serial", serial, "--label", label, "--force"])?;
        }

        bankca::Ca::init_with_clock(&place.bank(), clock.as_ref())?;
        let mut serve = bankca::ServeConfig::new(place.bank(), "127.0.0.1:0");
        serve.auto_approve_after =
            (setup.approval == Approval::Auto).then_some(Duration::from_secs(3));
        serve.check_after = Duration::from_secs(1);
        serve.clock = clock.clone();
        // The training CA lives on the scenario's day, not the day the client's messages
        // are dated: its messageTime window is off.
        serve.message_time_window = None;
        serve.serials = bankca::issue::SerialSource::Seeded(setup.seed.clone());
        let server = Arc::new(bankca::serve(serve).await?);
        let banks = profile(&place, &server)?;
        let env = DemoEnv {
            stage: Arc::new(DemoStage {
                emu: emu.clone(),
                server: server.clone(),
                clock,
            }),
            place,
            module,
            banks,
            chance,
            server,
        };

        // The old carrier, enrolled the way its owner once did.
        let catalogue = Catalogue::default();
        emu.insert(OLD, Some(0))?;
        let mut script = Scripted::new(old_carrier_enrollment(), None);
        let (wizard, effects) = Wizard::new_flow(env.start(false)?);
        let end = run(
            wizard,
            effects,
            &mut script,
            env.run_config(catalogue, None, None),
        )
        .await?;
        quiet("the old carrier", &end)?;
        if setup.approval == Approval::Manual {
            env.stage.bank(&BankAction::Approve)?;
        }
        let link = find_link(&env.place.mailbox(), env.server.base_url(), None).await?;
        let pickup = crate::enroll::pickup_ref(&link).ok_or(DemoError::LinkWithoutBank)?;
        let mut script = Scripted::new(old_carrier_pickup(), None);
        let (wizard, effects) = Wizard::save_flow(pickup, env.start(true)?);
        let end = run(
            wizard,
            effects,
            &mut script,
            env.run_config(catalogue, None, None),
        )
        .await?;
        quiet("the old carrier's certificate", &end)?;
        emu.run(&["remove"])?;
        Ok(env)
    }

    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// A flow's start on the demo's calendar, with its pending records when `pending`.
    pub fn start(&self, pending: bool) -> Result<Start, DemoError> {
        let records = if pending {
            self.place.pending().load().unwrap_or_default()
        } else {
            Vec::new()
        };
        let today = self
            .stage
            .clock
            .today()
            .ok_or(DemoError::CalendarOutOfRange)?;
        let mut start =
            super::start::start_on(&self.banks, Some(AGENT), records, today, &self.chance);
        if pending {
            start.draft = self.place.draft().load();
        }
        Ok(start)
    }

    /// The runtime's settings for a flow of the demo.
    pub fn run_config(
        &self,
        catalogue: Catalogue,
        documents: Option<PathBuf>,
        transcript: Option<PathBuf>,
    ) -> RunConfig {
        RunConfig {
            module: self.module.clone(),
            banks: self.banks.clone(),
            catalogue,
            pending: Some(self.place.pending()),
            draft: Some(self.place.draft()),
            documents: documents.unwrap_or_else(|| self.place.dir.join("documents")),
            transcript,
            transcripts_dir: Some(self.place.dir.join("state").join("transcripts")),
            watch_every: Duration::from_millis(300),
            chance: self.chance.clone(),
        }
    }

    /// Begins `flow` (`save` takes the link of the latest request, as soon as the bank
    /// has e-mailed it) and runs it with `frontend` to its end.
    pub async fn flow<F: Frontend>(
        &self,
        flow: &str,
        frontend: &mut F,
        config: RunConfig,
    ) -> Result<RunEnd, DemoError> {
        let (wizard, effects) = match flow {
            "new" => Wizard::new_flow(self.start(true)?),
            "renew" => Wizard::renew_flow(self.start(true)?),
            "destroy-old-key" => Wizard::destroy_old_key_flow(self.start(true)?),
            "save" => {
                let records = self.place.pending().load()?;
                let latest = records.last().map(|r| r.transaction.clone());
                let link =
                    find_link(&self.place.mailbox(), self.base_url(), latest.as_ref()).await?;
                tracing::info!(%link, "the demo bank's e-mail brought a link");
                let pickup = crate::enroll::pickup_ref(&link).ok_or(DemoError::LinkWithoutBank)?;
                Wizard::save_flow(pickup, self.start(true)?)
            }
            other => {
                return Err(DemoError::NoSuchFlow(other.to_string()));
            }
        };
        Ok(run(wizard, effects, frontend, config).await?)
    }

    /// Stops the bank.
    pub async fn close(self) {
        drop(self.stage);
        if let Ok(server) = Arc::try_unwrap(self.server) {
            server.shutdown().await;
        }
    }
}

/// What the demo is driven by.
pub enum Driver {
    /// A script's steps (with `flow` lines between the flows).
    Script(Vec<(usize, ScriptStep)>),
    /// A person in line mode.
    Person,
}

/// Everything a demo run needs.
pub struct DemoConfig {
    pub place: DemoPlace,
    pub module: PathBuf,
    pub bench: Arc<EmuBench>,
    pub catalogue: Catalogue,
    pub setup: Setup,
    pub documents: Option<PathBuf>,
    pub transcript: Option<PathBuf>,
    /// `--record FILE`: the script of the run.
    pub record: Option<PathBuf>,
    /// Print each screen of a scripted run (for people watching).
    pub echo: bool,
}

/// Runs the demo: prepares the bank and the tokens, then the flows. Returns how each
/// flow ended.
pub async fn run_demo(config: DemoConfig, driver: Driver) -> Result<Vec<RunEnd>, DemoError> {
    let env = DemoEnv::prepare(
        config.place,
        config.module.clone(),
        config.bench.clone(),
        &config.setup,
    )
    .await?;
    println!(
        "Demo: the bank runs at {}; virtual tokens {OLD} (the old carrier), {NEW} and {BLANK} (blank), none inserted.",
        env.base_url()
    );
    let run_config = || {
        env.run_config(
            config.catalogue,
            config.documents.clone(),
            config.transcript.clone(),
        )
    };
    let mut recorder = config.record.as_ref().map(|path| {
        super::record::Recorder::new(path.clone(), config.setup.clone(), config.catalogue)
            .in_demo(&env.place.dir, &TRAINING_PINS)
    });
    let mut ends = Vec::new();
    let result: Result<(), DemoError> = async {
        match driver {
            Driver::Script(steps) => {
                let mut frontend = Scripted::numbered(steps, Some(env.stage.clone() as Arc<dyn Bench>));
                if config.echo {
                    frontend = frontend.echo(config.catalogue);
                }
                while let Some(flow) = frontend.take_flow() {
                    let end = match &mut recorder {
                        Some(r) => {
                            let mut recording = r.flow(&flow, &mut frontend);
                            let end = env.flow(&flow, &mut recording, run_config()).await;
                            recording.end()?;
                            end
                        }
                        None => env.flow(&flow, &mut frontend, run_config()).await,
                    }?;
                    let interrupted = matches!(end, RunEnd::Interrupted { .. });
                    ends.push(end);
                    if interrupted {
                        break;
                    }
                }
            }
            Driver::Person => {
                println!(
                    "Training PINs: the old carrier's PIN is {OLD_PIN}; blank tokens have the factory PINs. Commands: insert SERIAL, remove SERIAL, mail, help."
                );
                let mut frontend = super::plain::Plain::stdin(config.catalogue)
                    .with_demo(env.stage.clone() as Arc<dyn Bench>, env.place.mailbox());
                for flow in ["new", "renew", "save"] {
                    println!("\n=== {flow} ===");
                    let end = match &mut recorder {
                        Some(r) => {
                            let mut recording = r.flow(flow, &mut frontend);
                            let end = env.flow(flow, &mut recording, run_config()).await;
                            recording.end()?;
                            end
                        }
                        None => env.flow(flow, &mut frontend, run_config()).await,
                    }?;
                    // Ctrl-C ends the demo, not only the flow under way.
                    let interrupted = matches!(end, RunEnd::Interrupted { .. });
                    ends.push(end);
                    if interrupted {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
    .await;
    env.close().await;
    result.map(|()| ends)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_profile_replaces_planted_links_instead_of_writing_through_them() {
        let root = tempfile::tempdir().expect("dir");
        let place = DemoPlace {
            dir: root.path().join("demo"),
        };
        state_file::private_dir(&place.dir).expect("demo dir");
        let theirs = root.path().join("theirs.pem");
        std::fs::write(&theirs, "their CA").expect("planted file");
        for name in ["demo-ca.pem", "banks.toml"] {
            std::os::unix::fs::symlink(&theirs, place.dir.join(name)).expect("planted link");
        }
        let file = write_profile(&place, "our CA", "http://127.0.0.1:9").expect("profile");
        assert_eq!(
            std::fs::read_to_string(&theirs).expect("theirs"),
            "their CA"
        );
        for name in ["demo-ca.pem", "banks.toml"] {
            let meta = std::fs::symlink_metadata(place.dir.join(name)).expect("written");
            assert!(meta.is_file(), "{name} is still a link");
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
        }
        assert_eq!(
            std::fs::read_to_string(place.dir.join("demo-ca.pem")).expect("anchor"),
            "our CA"
        );
        let profile = std::fs::read_to_string(file).expect("profile");
        assert!(
            profile.contains("ca_url = \"http://127.0.0.1:9\""),
            "{profile}"
        );
    }
}
