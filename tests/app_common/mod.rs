//! What the runtime's end-to-end tests share: a bankca started in-process, bank
//! profiles pointing at it, virtual tokens, and scripts of answers built in Rust.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bankca::{Ca, ServeConfig, ServerHandle, State};
use der::EncodePem;
use smartkey::app::{self, EmuBench, PendingStore, RunConfig, RunEnd, ScriptStep, Scripted};
use smartkey::bank::{BankProfile, Banks};
use smartkey::enroll::PickupLink;
use smartkey_i18n::{Catalogue, Lang};
use smartkey_wizard::Pin;
use smartkey_wizard::{Answer, Effect, FieldId, Wizard};

/// Module configuration (RUTOKEN_EMU_DIR, SOFTHSM2_CONF) lives in the process's
/// environment: one run at a time.
pub static MODULE_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running bankca with its directory.
pub struct Bank {
    pub dir: tempfile::TempDir,
    pub server: ServerHandle,
}

impl Bank {
    pub async fn start(auto_approve: Option<Duration>) -> Bank {
        Bank::start_with(auto_approve, None).await
    }

    /// A bank whose CA tells the time by `clock` (to issue certificates in the past).
    pub async fn start_with(
        auto_approve: Option<Duration>,
        clock: Option<Arc<bankca::ManualClock>>,
    ) -> Bank {
        let dir = tempfile::tempdir().expect("temp dir");
        Ca::init(dir.path()).expect("bankca init");
        let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0");
        config.check_after = Duration::from_secs(1);
        config.auto_approve_after = auto_approve;
        if let Some(clock) = clock {
            // The CA's clock is set apart from the client's, whose messages carry the
            // real time: the messageTime window is off, as for a training CA.
            config.clock = clock;
            config.message_time_window = None;
        }
        let server = bankca::serve(config).await.expect("bankca serves");
        Bank { dir, server }
    }

    /// A profile file for agentIds 6184 (RSA) and 5282 (GOST) at `ca_url`, trusting
    /// this CA.
    pub fn profiles_at(&self, dir: &Path, ca_url: &str) -> Vec<BankProfile> {
        let ca = self.server.ca();
        let pem = |c: &x509_cert::Certificate| c.to_pem(der::pem::LineEnding::LF).expect("pem");
        let anchor = dir.join("bank-ca.pem");
        std::fs::write(
            &anchor,
            format!(
                "{}{}",
                pem(ca.rsa_certificate()),
                pem(ca.gost_certificate())
            ),
        )
        .expect("anchor");
        let file = dir.join("banks.toml");
        std::fs::write(
            &file,
            format!(
                "[[bank]]\nagent_id = 6184\nname = \"АО НОКССБАНК\"\nca_url = \"{ca_url}\"\ntrust_anchor = \"bank-ca.pem\"\noperations_email = \"dbo@nokss.ru\"\nsupport_phone = \"8-800-200-999-7\"\nkey_types = [\"rsa2048\"]\n\n[[bank]]\nagent_id = 5282\nname = \"Банк-Клиент\"\nca_url = \"{ca_url}\"\ntrust_anchor = \"bank-ca.pem\"\nsupport_phone = \"8-800-250-33-00\"\nkey_types = [\"gost2012-256\"]\n"
            ),
        )
        .expect("profiles");
        Banks::load(Some(&file))
            .expect("the profiles load")
            .profiles()
            .to_vec()
    }

    pub fn profiles(&self, dir: &Path) -> Vec<BankProfile> {
        self.profiles_at(dir, self.server.base_url())
    }

    /// The one request waiting for the operator, approved.
    pub fn approve_waiting(&self) {
        let waiting = self
            .server
            .ca()
            .list(Some(State::Waiting))
            .expect("list requests");
        assert_eq!(waiting.len(), 1, "one request waits: {waiting:?}");
        self.server.approve(waiting[0].id).expect("approve");
    }

    /// Waits (bounded) for the `n`-th pickup e-mail and returns its link.
    pub fn pickup_link(&self, n: usize) -> PickupLink {
        let new = self.dir.path().join("mail").join("new");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut mails: Vec<PathBuf> = std::fs::read_dir(&new)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            mails.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
            if mails.len() >= n {
                let text = std::fs::read_to_string(&mails[n - 1]).expect("read mail");
                let line = text
                    .lines()
                    .find(|l| l.trim().starts_with(self.server.base_url()))
                    .unwrap_or_else(|| panic!("no link in the e-mail:\n{text}"));
                return PickupLink::parse(line.trim()).expect("the e-mailed link parses");
            }
            assert!(Instant::now() < deadline, "no pickup e-mail arrived");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Where a run keeps its files.
pub struct Place {
    pub dir: tempfile::TempDir,
}

impl Place {
    pub fn new() -> Place {
        Place {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn pending(&self) -> PendingStore {
        PendingStore::at(self.dir.path().join("state").join("pending.json"))
    }

    pub fn documents(&self) -> PathBuf {
        self.dir.path().join("documents")
    }

    pub fn transcript(&self) -> PathBuf {
        self.dir.path().join("transcript.txt")
    }

    pub fn config(&self, module: PathBuf, banks: Vec<BankProfile>) -> RunConfig {
        RunConfig {
            module,
            banks,
            catalogue: Catalogue::new(Lang::Ru),
            pending: Some(self.pending()),
            draft: Some(smartkey::app::DraftStore::at(
                self.dir.path().join("state").join("draft.json"),
            )),
            documents: self.documents(),
            transcript: Some(self.transcript()),
            transcripts_dir: Some(self.dir.path().join("state").join("transcripts")),
            watch_every: Duration::from_millis(200),
            chance: Default::default(),
        }
    }

    /// Every byte the runs wrote (transcripts, records, documents).
    pub fn all_bytes(&self) -> Vec<u8> {
        fn walk(dir: &Path, out: &mut Vec<u8>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    out.extend(bytes);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }
}

/// The `rutoken-emu` command next to the test binary.
pub fn emu_command() -> PathBuf {
    super::common::target_dir().join(format!("rutoken-emu{}", std::env::consts::EXE_SUFFIX))
}

pub fn bench(dir: &Path) -> Arc<EmuBench> {
    Arc::new(EmuBench {
        command: emu_command(),
        dir: dir.to_path_buf(),
    })
}

/// Plays `script` through the real runtime; returns how the run ended and what the
/// frontend saw.
pub async fn play(
    (wizard, effects): (Wizard, Vec<Effect>),
    script: Vec<ScriptStep>,
    bench: Option<Arc<EmuBench>>,
    config: RunConfig,
) -> (RunEnd, Scripted) {
    let bench = bench.map(|b| b as Arc<dyn app::Bench>);
    let mut frontend = Scripted::new(script, bench).with_patience(Duration::from_secs(60));
    let end = app::run(wizard, effects, &mut frontend, config)
        .await
        .expect("the runtime starts");
    (end, frontend)
}

// Script steps.

pub fn wait(code: &str) -> ScriptStep {
    ScriptStep::Wait(code.into())
}

pub fn answer(a: Answer) -> ScriptStep {
    ScriptStep::Answer(a)
}

pub fn next() -> ScriptStep {
    answer(Answer::Next)
}

pub fn pin(text: &str) -> ScriptStep {
    answer(Answer::Pin(Pin::new(text.into())))
}

pub fn change_pin(current: &str, new: &str) -> ScriptStep {
    answer(Answer::ChangePin {
        current: Pin::new(current.into()),
        new: Pin::new(new.into()),
        repeat: Pin::new(new.into()),
    })
}

pub fn insert(serial: &str, reader: u32) -> ScriptStep {
    ScriptStep::Insert {
        serial: serial.into(),
        reader: Some(reader),
    }
}

pub fn remove(serial: &str) -> ScriptStep {
    ScriptStep::Remove {
        serial: serial.into(),
    }
}

/// N2.1 to N2.3: the bank, the token, the form for a company, reviewed.
pub fn to_the_form_and_past_it() -> Vec<ScriptStep> {
    let mut s = vec![wait("N2.1"), next(), wait("N2.2"), next(), wait("N2.3")];
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
        s.push(answer(Answer::Edit {
            field,
            value: value.into(),
        }));
    }
    s.push(answer(Answer::Select {
        field: FieldId::City,
        index: 0,
    }));
    s.push(next());
    s.push(next());
    s
}
