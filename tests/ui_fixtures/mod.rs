//! Fixtures for the renderer tests: banks, tokens, certificates, and drivers that take
//! each flow through the public wizard API, keeping the screens met on the way by name
//! ("n2_4_wrong_pin").

#![allow(dead_code)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use smartkey::ui::tui::{UiState, draw};
use smartkey_i18n::{Catalogue, Lang};
use smartkey_wizard::Pin;
use smartkey_wizard::*;

pub const CITIES: &str = include_str!("../../assets/ru-cities.csv");

pub fn date(y: i32, m: u8, d: u8) -> CivilDate {
    CivilDate::new(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d} is a date"))
}

pub fn today() -> CivilDate {
    date(2025, 3, 14)
}

pub fn nokss() -> BankInfo {
    BankInfo {
        agent_id: 6184,
        name: "АО НОКССБАНК".into(),
        operations_email: Some("dbo@nokss.ru".into()),
        support_phone: Some("8-800-200-999-7".into()),
        support_email: Some("support@nokss.ru".into()),
        online_bank_url: Some("https://online.nokss.ru/f2b".into()),
        key_types: vec![KeyType::Rsa2048],
    }
}

pub fn gost_bank() -> BankInfo {
    BankInfo {
        agent_id: 5282,
        name: "Банк-Клиент через Интернет".into(),
        operations_email: None,
        support_phone: Some("8-800-250-33-00".into()),
        support_email: None,
        online_bank_url: None,
        key_types: vec![KeyType::Gost2012_256, KeyType::Gost2012_512],
    }
}

pub fn start(bank: &BankInfo) -> Start {
    Start {
        session: "K7Q2".into(),
        today: today(),
        bank: Some(bank.agent_id),
        banks: vec![nokss(), gost_bank()],
        pending: Vec::new(),
        draft: None,
        cities: CityIndex::from_csv(CITIES).unwrap_or_default(),
        warnings: Vec::new(),
    }
}

pub fn token(serial: &str, user: PinState, admin: PinState) -> TokenView {
    TokenView {
        serial: serial.into(),
        model: "Rutoken ECP 2.0".into(),
        label: "Рутокен".into(),
        user_pin: user,
        admin_pin: admin,
        pin_lengths: PinLengths::RUTOKEN,
        keys: Vec::new(),
    }
}

pub fn fresh(serial: &str) -> TokenView {
    token(serial, PinState::FACTORY, PinState::FACTORY)
}

pub fn in_use(serial: &str) -> TokenView {
    token(serial, PinState::CHANGED, PinState::CHANGED)
}

pub fn certificate(serial: &str, from: CivilDate, until: CivilDate, key: &str) -> CertificateView {
    CertificateView {
        subject: "C=RU, O=ООО \"Ромашка\", CN=Иванов Иван Иванович".into(),
        owner: Some("Иванов Иван Иванович".into()),
        organization: Some("ООО \"Ромашка\"".into()),
        issuer: "CN=Test CA".into(),
        serial: serial.into(),
        valid_from: Some(from),
        valid_until: Some(until),
        issued_at: None,
        email: Some("ivanov@example.ru".into()),
        phone: Some("+7 495 500-55-50".into()),
        public_key: Some(format!("fp-{key}")),
        der: Der(format!("cert-{serial}").into_bytes()),
    }
}

pub fn key(id: &str, key_type: KeyType, cert: Option<CertificateView>) -> KeyView {
    KeyView {
        id: id.into(),
        label: "smartkey".into(),
        algorithm: Some(key_type),
        public_key: Some(format!("fp-{id}")),
        certificate: cert.map(Box::new),
    }
}

pub fn old_carrier(serial: &str) -> TokenView {
    let mut t = in_use(serial);
    t.model = "Rutoken ECP".into();
    t.keys = vec![key(
        "0ld0",
        KeyType::Rsa2048,
        Some(certificate(
            "01aa",
            date(2024, 4, 4),
            date(2025, 4, 4),
            "0ld0",
        )),
    )];
    t
}

pub fn new_carrier(serial: &str) -> TokenView {
    let mut t = in_use(serial);
    t.keys = vec![key(
        "n3w",
        KeyType::Gost2012_256,
        Some(certificate("02cc", today(), date(2026, 3, 14), "n3w")),
    )];
    t
}

pub fn holding(serial: &str, key_id: &str, key_type: KeyType) -> TokenView {
    let mut t = in_use(serial);
    t.keys = vec![key(key_id, key_type, None)];
    t
}

pub fn issued(serial: &str, key_id: &str) -> Box<IssuedCertificate> {
    Box::new(IssuedCertificate {
        certificate: certificate(serial, today(), date(2026, 3, 14), key_id),
        implicit_confirm: false,
    })
}

pub fn tx(hex: &str) -> TransactionId {
    TransactionId(hex.into())
}

/// A wizard driven by inputs, keeping named screens.
pub struct Drive {
    pub wizard: Wizard,
    pub shots: Vec<(String, Screen)>,
}

impl Drive {
    pub fn new((wizard, _): (Wizard, Vec<Effect>)) -> Drive {
        Drive {
            wizard,
            shots: Vec::new(),
        }
    }

    /// Keeps the screen shown now as `name`.
    pub fn shot(&mut self, name: &str) -> &mut Self {
        self.shots.push((name.to_string(), self.wizard.screen()));
        self
    }

    pub fn code(&self) -> &'static str {
        self.wizard.code().as_str()
    }

    pub fn send(&mut self, input: Input) -> &mut Self {
        self.wizard.handle(input);
        self
    }

    pub fn person(&mut self, a: Answer) -> &mut Self {
        self.send(Input::Person(a))
    }

    pub fn next(&mut self) -> &mut Self {
        self.person(Answer::Next)
    }

    pub fn present(&mut self, tokens: Vec<TokenView>) -> &mut Self {
        self.send(Input::Token(Presence::Present(tokens)))
    }

    pub fn insert(&mut self, t: TokenView) -> &mut Self {
        self.send(Input::Token(Presence::Inserted(t)))
    }

    pub fn remove(&mut self, serial: &str) -> &mut Self {
        self.send(Input::Token(Presence::Removed {
            serial: serial.into(),
        }))
    }

    pub fn done(&mut self, o: Outcome) -> &mut Self {
        self.send(Input::Done(o))
    }

    pub fn fail(&mut self, during: Operation, kind: FailureKind) -> &mut Self {
        self.done(Outcome::Failed(Failure::new(during, kind)))
    }

    pub fn enter_pin(&mut self, text: &str) -> &mut Self {
        self.person(Answer::Pin(Pin::new(text.into())))
    }

    pub fn change_pin(&mut self, current: &str, new: &str) -> &mut Self {
        self.person(Answer::ChangePin {
            current: Pin::new(current.into()),
            new: Pin::new(new.into()),
            repeat: Pin::new(new.into()),
        })
    }

    pub fn edit(&mut self, field: FieldId, value: &str) -> &mut Self {
        self.person(Answer::Edit {
            field,
            value: value.into(),
        })
    }

    /// Asserts where the flow is, so that a changed flow fails here and not in a
    /// puzzling snapshot.
    pub fn at(&mut self, code: &str) -> &mut Self {
        assert_eq!(self.code(), code, "the flow went elsewhere");
        self
    }
}

pub const SERIAL: &str = "0A1B2C3D";
pub const OLD: &str = "OLD00001";
pub const NEW: &str = "NEW00002";

pub fn fill_company(d: &mut Drive) {
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
        d.edit(field, value);
    }
    d.person(Answer::Select {
        field: FieldId::City,
        index: 0,
    });
}

/// The new flow, N2.1 to N2.8, and its failures.
pub fn new_flow() -> Vec<(String, Screen)> {
    let mut d = Drive::new(Wizard::new_flow(start(&nokss())));
    d.at("N2.1").present(vec![fresh(SERIAL)]).shot("n2_1");
    d.next().at("N2.2").shot("n2_2");
    d.next().at("N2.3").shot("n2_3_empty");
    d.edit(FieldId::Inn, "12345").edit(FieldId::City, "моск");
    d.shot("n2_3_typing");
    fill_company(&mut d);
    d.next().shot("n2_3_review");
    d.next().at("N2.4").shot("n2_4");
    d.change_pin("12345678", "Qz7-user-pin")
        .shot("n2_4_changing");
    d.done(Outcome::PinChanged {
        serial: SERIAL.into(),
        role: PinRole::User,
    });
    d.at("N2.5").shot("n2_5");
    d.change_pin("87654321", "Qz7-admin-pin");
    d.done(Outcome::PinChanged {
        serial: SERIAL.into(),
        role: PinRole::Admin,
    });
    d.at("N2.6").shot("n2_6");
    d.enter_pin("Qz7-user-pin");
    d.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    d.shot("n2_6_generating");
    d.done(Outcome::KeyGenerated {
        serial: SERIAL.into(),
        key: key("k1", KeyType::Rsa2048, None),
    });
    d.done(Outcome::RequestBuilt {
        transaction: tx("00aa11bb"),
    });
    d.shot("n2_6_recording");
    d.done(Outcome::PendingRecorded);
    d.shot("n2_6_sending");
    let mut rejected = Drive {
        wizard: d.wizard.clone(),
        shots: Vec::new(),
    };
    d.done(Outcome::BankAnswered(BankAnswer::Waiting {
        check_after_secs: None,
        reason: vec![],
    }))
    .at("N2.7")
    .shot("n2_7");
    d.done(Outcome::DocumentSaved {
        location: "заявление.pdf".into(),
    });
    d.shot("n2_7_saved");
    d.next().at("N2.8").shot("n2_8");

    rejected.done(Outcome::BankAnswered(BankAnswer::Rejected {
        reasons: vec!["ИНН не совпадает с карточкой".into()],
    }));
    rejected.shot("n2_6_rejected");
    d.shots.append(&mut rejected.shots);

    // Two tokens at N2.2.
    let mut two = Drive::new(Wizard::new_flow(start(&nokss())));
    two.present(vec![fresh("11112222"), fresh("33334444")])
        .next();
    two.at("N2.2").shot("n2_2_two_tokens");
    d.shots.append(&mut two.shots);

    // A wrong PIN, the last try, then the lock.
    let mut pin = Drive::new(Wizard::new_flow(start(&nokss())));
    pin.present(vec![fresh(SERIAL)]).next().next();
    fill_company(&mut pin);
    pin.next().next().at("N2.4");
    for (tries, name) in [(2, "n2_4_wrong_pin"), (1, "n2_4_last_try")] {
        pin.change_pin("11111111", "Qz7-user-pin");
        pin.fail(
            Operation::ChangePin,
            FailureKind::WrongPin {
                role: PinRole::User,
                tries: Tries::Exactly(tries),
            },
        );
        pin.shot(name);
    }
    pin.change_pin("11111111", "Qz7-user-pin");
    pin.fail(
        Operation::ChangePin,
        FailureKind::PinLocked {
            role: PinRole::User,
        },
    );
    pin.shot("n2_4_locked");
    d.shots.append(&mut pin.shots);

    // No bank given: the choice of banks.
    let mut s = start(&nokss());
    s.bank = None;
    let mut banks = Drive::new(Wizard::new_flow(s));
    banks.at("N2.1").shot("n2_1_choose_bank");
    d.shots.append(&mut banks.shots);

    // A request of this bank waits: the flow opens with it.
    let mut s = start(&nokss());
    s.pending = vec![new_record()];
    let mut waiting = Drive::new(Wizard::new_flow(s));
    waiting.at("N2.1").present(vec![fresh(SERIAL)]);
    waiting.shot("n2_1_request_waiting");
    d.shots.append(&mut waiting.shots);

    // The form an earlier run left is offered again.
    let mut kept = Drive::new(Wizard::new_flow(start(&nokss())));
    kept.present(vec![fresh(SERIAL)]).next().next();
    fill_company(&mut kept);
    let mut s = start(&nokss());
    s.draft = Some(smartkey_wizard::FormDraft {
        agent_id: 6184,
        key_type: smartkey_wizard::KeyType::Rsa2048,
        applicant: match kept.wizard.step() {
            smartkey_wizard::Step::New(smartkey_wizard::new_flow::NewStep::Form(f)) => {
                f.applicant.clone()
            }
            _ => panic!("at the form"),
        },
    });
    let mut restored = Drive::new(Wizard::new_flow(s));
    restored.present(vec![fresh(SERIAL)]).next().next();
    restored.at("N2.3").shot("n2_3_restored");
    d.shots.append(&mut restored.shots);
    d.shots
}

/// The renewal, R2.1 to R2.9.
pub fn renew_flow() -> Vec<(String, Screen)> {
    let mut d = Drive::new(Wizard::renew_flow(start(&gost_bank())));
    d.at("R2.1").shot("r2_1");
    d.present(vec![old_carrier(OLD)]).shot("r2_1_inserted");
    d.next().at("R2.2").shot("r2_2");
    d.enter_pin("Wq3-old-pin");
    d.done(Outcome::LoggedIn { serial: OLD.into() });
    d.at("R2.3").shot("r2_3");
    d.next().at("R2.4").shot("r2_4");
    d.next().at("R2.4").shot("r2_4_swap");
    d.remove(OLD).shot("r2_4_insert_new");
    d.insert(fresh(NEW)).next().at("R2.5").shot("r2_5");
    d.change_pin("12345678", "Wq3-new-pin");
    d.done(Outcome::PinChanged {
        serial: NEW.into(),
        role: PinRole::User,
    });
    d.at("R2.6").shot("r2_6");
    d.change_pin("87654321", "Wq3-new-admin");
    d.done(Outcome::PinChanged {
        serial: NEW.into(),
        role: PinRole::Admin,
    });
    d.at("R2.7").shot("r2_7");
    d.enter_pin("Wq3-new-pin");
    d.done(Outcome::LoggedIn { serial: NEW.into() });
    d.shot("r2_7_generating");
    d.done(Outcome::KeyGenerated {
        serial: NEW.into(),
        key: key("n3w", KeyType::Gost2012_256, None),
    });
    d.done(Outcome::RequestBuilt {
        transaction: tx("5e5e"),
    });
    d.at("R2.8").shot("r2_8");
    d.remove(NEW).insert(old_carrier(OLD)).shot("r2_8_pin");
    d.enter_pin("Wq3-old-pin");
    d.done(Outcome::LoggedIn { serial: OLD.into() });
    d.done(Outcome::RequestSigned {
        transaction: tx("5e5e"),
    });
    d.done(Outcome::PendingRecorded);
    d.done(Outcome::BankAnswered(BankAnswer::Waiting {
        check_after_secs: None,
        reason: vec![],
    }))
    .at("R2.9")
    .shot("r2_9");
    d.shots
}

fn new_record() -> PendingRecord {
    PendingRecord {
        agent_id: 6184,
        transaction: tx("00aa11bb"),
        kind: RequestKind::New,
        key: KeyRef {
            serial: SERIAL.into(),
            key_id: "k1".into(),
        },
        key_type: KeyType::Rsa2048,
        subject: "Иванов Иван Иванович, ООО \"Ромашка\"".into(),
        created: date(2025, 3, 12),
        kept: None,
    }
}

fn renewal_record() -> PendingRecord {
    PendingRecord {
        agent_id: 5282,
        transaction: tx("5e5e"),
        kind: RequestKind::Renewal {
            old_key: KeyRef {
                serial: OLD.into(),
                key_id: "0ld0".into(),
            },
            old_certificate_serial: "01aa".into(),
        },
        key: KeyRef {
            serial: NEW.into(),
            key_id: "n3w".into(),
        },
        key_type: KeyType::Gost2012_256,
        subject: "Иванов Иван Иванович".into(),
        created: date(2025, 3, 13),
        kept: None,
    }
}

fn save(record: PendingRecord) -> Drive {
    let mut s = start(&nokss());
    let link = PickupRef {
        agent_id: record.agent_id,
        transaction: record.transaction.clone(),
    };
    s.pending = vec![record];
    Drive::new(Wizard::save_flow(link, s))
}

/// Saving from the link: N2.9-N2.11, R2.10-R2.12, and the bank's refusals.
pub fn save_flow() -> Vec<(String, Screen)> {
    let mut d = save(new_record());
    d.at("N2.9").shot("n2_9_asking");
    let mut expired = Drive {
        wizard: d.wizard.clone(),
        shots: Vec::new(),
    };
    let mut waiting = Drive {
        wizard: d.wizard.clone(),
        shots: Vec::new(),
    };
    d.done(Outcome::BankAnswered(BankAnswer::Issued(issued(
        "0c01", "k1",
    ))));
    d.shot("n2_9_keeping");
    d.done(Outcome::PendingRecorded);
    d.shot("n2_9_insert");
    d.present(vec![holding(SERIAL, "k1", KeyType::Rsa2048)]);
    d.shot("n2_9_ready");
    d.next().shot("n2_9_pin");
    let mut request_expired = Drive {
        wizard: d.wizard.clone(),
        shots: Vec::new(),
    };
    d.enter_pin("Zx5-user-pin");
    d.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    d.shot("n2_9_saving");
    d.done(Outcome::CertificateSaved {
        serial: SERIAL.into(),
        key_id: "k1".into(),
    });
    d.done(Outcome::ActSigned);
    d.done(Outcome::CertificateVerified {
        serial: SERIAL.into(),
        certificate: Box::new(issued("0c01", "k1").certificate),
    });
    d.at("N2.10").shot("n2_10");
    d.done(Outcome::DocumentSaved {
        location: "акт.pdf".into(),
    });
    d.next().at("N2.11").shot("n2_11");

    expired.fail(Operation::Poll, FailureKind::LinkExpired);
    expired.shot("n2_9_link_expired");
    waiting.done(Outcome::BankAnswered(BankAnswer::Waiting {
        check_after_secs: Some(1800),
        reason: vec!["ждём подписанное заявление".into()],
    }));
    waiting.shot("n2_9_not_issued_yet");
    request_expired.enter_pin("Zx5-user-pin");
    request_expired.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    request_expired.done(Outcome::CertificateSaved {
        serial: SERIAL.into(),
        key_id: "k1".into(),
    });
    request_expired.fail(Operation::SignAct, FailureKind::RequestExpired);
    request_expired.shot("n2_9_request_expired");
    for other in [expired, waiting, request_expired] {
        d.shots.extend(other.shots);
    }

    // The renewal's certificate.
    let mut r = save(renewal_record());
    r.at("R2.10");
    r.done(Outcome::BankAnswered(BankAnswer::Issued(issued(
        "02cc", "n3w",
    ))));
    r.done(Outcome::PendingRecorded);
    r.shot("r2_10");
    r.insert(holding(NEW, "n3w", KeyType::Gost2012_256));
    r.shot("r2_10_wrong_token");
    r.remove(NEW)
        .insert(old_carrier(OLD))
        .next()
        .shot("r2_10_pin");
    r.enter_pin("Wq3-old-pin");
    r.done(Outcome::LoggedIn { serial: OLD.into() });
    r.done(Outcome::ActSigned).at("R2.11").shot("r2_11");
    r.remove(OLD)
        .insert(holding(NEW, "n3w", KeyType::Gost2012_256));
    r.next().shot("r2_11_pin");
    r.enter_pin("Wq3-new-pin");
    r.done(Outcome::LoggedIn { serial: NEW.into() });
    r.done(Outcome::CertificateSaved {
        serial: NEW.into(),
        key_id: "n3w".into(),
    });
    r.done(Outcome::CertificateVerified {
        serial: NEW.into(),
        certificate: Box::new(issued("02cc", "n3w").certificate),
    });
    r.at("R2.12").shot("r2_12");
    r.done(Outcome::DocumentSaved {
        location: "акт.pdf".into(),
    });
    r.next().at("R2.12").shot("r2_12_done");
    d.shots.extend(r.shots);
    d.shots
}

/// R2.13: destroying the old key.
pub fn destroy_flow() -> Vec<(String, Screen)> {
    let mut d = Drive::new(Wizard::destroy_old_key_flow(start(&gost_bank())));
    d.at("R2.13")
        .present(vec![new_carrier(NEW)])
        .shot("r2_13_need_both");
    d.remove(NEW).insert(old_carrier(OLD)).shot("r2_13_found");
    d.next().shot("r2_13_payment");
    d.person(Answer::Tick {
        field: FieldId::PaymentWentThrough,
        on: true,
    });
    d.shot("r2_13_payment_ticked");
    d.person(Answer::Confirm).shot("r2_13_serial");
    d.edit(FieldId::SerialTail, "0002").person(Answer::Confirm);
    d.shot("r2_13_serial_mismatch");
    d.edit(FieldId::SerialTail, "0001").person(Answer::Confirm);
    d.shot("r2_13_pin");
    d.enter_pin("Wq3-old-pin");
    d.done(Outcome::LoggedIn { serial: OLD.into() });
    d.shot("r2_13_destroying");
    d.done(Outcome::KeyDeleted {
        serial: OLD.into(),
        key_id: "0ld0".into(),
    });
    d.shot("r2_13_destroyed");
    d.shots
}

/// The catalogue of each language, with the name used in snapshot names.
pub fn languages() -> [(Catalogue, &'static str); 2] {
    [
        (Catalogue::new(Lang::Ru), "ru"),
        (Catalogue::new(Lang::En), "en"),
    ]
}

/// `screen` drawn at `width`x`height`, colours off, one line per row, trailing blanks
/// trimmed.
pub fn draw_to_string(
    screen: &Screen,
    catalogue: &Catalogue,
    state: &UiState,
    width: u16,
    height: u16,
) -> String {
    let backend = TestBackend::new(width, height);
    let mut terminal = Terminal::new(backend).unwrap_or_else(|e| panic!("a test terminal: {e}"));
    terminal
        .draw(|f| draw(f, screen, catalogue, state, false))
        .unwrap_or_else(|e| panic!("drawing: {e}"));
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut row = String::new();
        for x in 0..buffer.area.width {
            row.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}
