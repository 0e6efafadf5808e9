//! Fixtures and a driver that checks every screen on the way: a valid bank step code,
//! texts in both languages, and a state that survives a journal round trip.

use smartkey_i18n::{Catalogue, Lang};
use smartkey_wizard::Pin;
use smartkey_wizard::{
    Answer, BankInfo, CertificateView, CityIndex, CivilDate, Der, Effect, Failure, FailureKind,
    Input, IssuedCertificate, KeyType, KeyView, Operation, Outcome, PinLengths, PinState, Presence,
    Screen, Start, TokenView, TransactionId, Wizard,
};

/// Every code of PROCEDURE.md's steps (N2.1-N2.11, R2.1-R2.13).
pub const VALID_CODES: [&str; 24] = [
    "N2.1", "N2.2", "N2.3", "N2.4", "N2.5", "N2.6", "N2.7", "N2.8", "N2.9", "N2.10", "N2.11",
    "R2.1", "R2.2", "R2.3", "R2.4", "R2.5", "R2.6", "R2.7", "R2.8", "R2.9", "R2.10", "R2.11",
    "R2.12", "R2.13",
];

pub const CITIES: &str = include_str!("../../../../assets/ru-cities.csv");

pub fn today() -> CivilDate {
    CivilDate::new(2025, 3, 14).expect("a valid date")
}

pub fn date(y: i32, m: u8, d: u8) -> CivilDate {
    CivilDate::new(y, m, d).expect("a valid date")
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

pub fn start(bank: BankInfo) -> Start {
    Start {
        session: "K7Q2".into(),
        today: today(),
        bank: Some(bank.agent_id),
        banks: vec![nokss(), gost_bank()],
        pending: Vec::new(),
        draft: None,
        cities: CityIndex::from_csv(CITIES).expect("the shipped city list"),
        warnings: Vec::new(),
    }
}

pub fn pin(text: &str) -> Pin {
    Pin::new(text.to_string())
}

/// A token as the runtime reports it: a Rutoken ECP 2.0 unless `model` says otherwise.
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

pub const OWNER_SUBJECT: &str = "C=RU, O=ООО \"Ромашка\", CN=Иванов Иван Иванович";

pub fn certificate(serial: &str, from: CivilDate, until: CivilDate, key: &str) -> CertificateView {
    CertificateView {
        subject: OWNER_SUBJECT.into(),
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

/// A key pair; `fingerprint` names its public key.
pub fn key(id: &str, label: &str, key_type: KeyType, cert: Option<CertificateView>) -> KeyView {
    KeyView {
        id: id.into(),
        label: label.into(),
        algorithm: Some(key_type),
        public_key: Some(format!("fp-{id}")),
        certificate: cert.map(Box::new),
    }
}

/// The old carrier of a renewal: a key with a certificate valid until 2025-04-04.
pub fn old_carrier(serial: &str) -> TokenView {
    let mut t = token(serial, PinState::CHANGED, PinState::CHANGED);
    t.model = "Rutoken ECP".into();
    t.keys = vec![key(
        "0ld0",
        "bank key",
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

pub fn issued(serial: &str, key_id: &str) -> Box<IssuedCertificate> {
    Box::new(IssuedCertificate {
        certificate: certificate(serial, today(), date(2026, 3, 14), key_id),
        implicit_confirm: false,
    })
}

/// The certificate of [`issued`], as read back from the token.
pub fn verified(serial: &str, key_id: &str) -> Box<CertificateView> {
    Box::new(issued(serial, key_id).certificate)
}

pub fn tx(hex: &str) -> TransactionId {
    TransactionId(hex.into())
}

pub fn failed(during: Operation, kind: FailureKind) -> Input {
    Input::Done(Outcome::Failed(Failure::new(during, kind)))
}

/// The name of an effect ("change_pin"), for comparing lists of effects.
pub fn name(effect: &Effect) -> String {
    match serde_json::to_value(effect) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

pub fn names(effects: &[Effect]) -> Vec<String> {
    effects.iter().map(name).collect()
}

/// Checks a screen as every renderer will need it.
pub fn check_screen(screen: &Screen) {
    let code = screen.code.as_str();
    assert!(VALID_CODES.contains(&code), "unknown step code {code}");
    assert!(!screen.session.is_empty());
    for lang in [Lang::Ru, Lang::En] {
        let catalogue = Catalogue::new(lang);
        for msg in screen.messages() {
            assert!(
                !catalogue.text(msg).trim().is_empty(),
                "{msg:?} is empty in {lang:?}"
            );
        }
    }
}

/// A wizard driven by inputs, keeping a transcript of everything it showed and did
/// (serialised and `Debug`), for the checks that no PIN leaks.
pub struct Run {
    pub wizard: Wizard,
    pub transcript: String,
    pub effects: Vec<Effect>,
}

impl Run {
    pub fn new((wizard, effects): (Wizard, Vec<Effect>)) -> Run {
        let mut run = Run {
            wizard,
            transcript: String::new(),
            effects: Vec::new(),
        };
        run.record(&effects);
        run.effects = effects;
        run
    }

    fn record(&mut self, effects: &[Effect]) {
        let screen = self.wizard.screen();
        check_screen(&screen);
        let json = serde_json::to_string(&self.wizard).expect("the wizard serialises");
        let back: Wizard = serde_json::from_str(&json).expect("the wizard reads back");
        assert_eq!(
            serde_json::to_string(&back).expect("serialises again"),
            json,
            "the journal round trip changed the state"
        );
        self.transcript.push_str(&json);
        self.transcript.push_str(&format!("{:?}", self.wizard));
        let screen_json = serde_json::to_string(&screen).expect("the screen serialises");
        let back: Screen = serde_json::from_str(&screen_json).expect("the screen reads back");
        assert_eq!(back, screen, "a transcript's screen reads back the same");
        self.transcript.push_str(&screen_json);
        self.transcript.push_str(&format!("{screen:?}"));
        for lang in [Lang::Ru, Lang::En] {
            let c = Catalogue::new(lang);
            for msg in screen.messages() {
                self.transcript.push_str(&c.text(msg));
            }
        }
        for e in effects {
            self.transcript
                .push_str(&serde_json::to_string(e).expect("an effect serialises"));
            self.transcript.push_str(&format!("{e:?}"));
        }
    }

    pub fn send(&mut self, input: Input) -> Vec<String> {
        self.transcript
            .push_str(&serde_json::to_string(&input).expect("an input serialises"));
        self.transcript.push_str(&format!("{input:?}"));
        let effects = self.wizard.handle(input);
        self.record(&effects);
        let out = names(&effects);
        self.effects = effects;
        out
    }

    pub fn person(&mut self, answer: Answer) -> Vec<String> {
        self.send(Input::Person(answer))
    }

    pub fn next(&mut self) -> Vec<String> {
        self.person(Answer::Next)
    }

    pub fn insert(&mut self, token: TokenView) -> Vec<String> {
        self.send(Input::Token(Presence::Inserted(token)))
    }

    pub fn present(&mut self, tokens: Vec<TokenView>) -> Vec<String> {
        self.send(Input::Token(Presence::Present(tokens)))
    }

    pub fn remove(&mut self, serial: &str) -> Vec<String> {
        self.send(Input::Token(Presence::Removed {
            serial: serial.into(),
        }))
    }

    pub fn done(&mut self, outcome: Outcome) -> Vec<String> {
        self.send(Input::Done(outcome))
    }

    pub fn fail(&mut self, during: Operation, kind: FailureKind) -> Vec<String> {
        self.send(failed(during, kind))
    }

    pub fn enter_pin(&mut self, text: &str) -> Vec<String> {
        self.person(Answer::Pin(pin(text)))
    }

    pub fn change_pin(&mut self, current: &str, new: &str, repeat: &str) -> Vec<String> {
        self.person(Answer::ChangePin {
            current: pin(current),
            new: pin(new),
            repeat: pin(repeat),
        })
    }

    pub fn screen(&self) -> Screen {
        self.wizard.screen()
    }

    pub fn code(&self) -> &'static str {
        self.wizard.code().as_str()
    }

    /// The ids of the screen's notice, body and awaiting messages.
    pub fn says(&self) -> Vec<&'static str> {
        let s = self.screen();
        let mut ids: Vec<&'static str> = s.body.iter().map(|m| m.id()).collect();
        ids.extend(s.notice.as_ref().map(|n| n.text.id()));
        ids.extend(s.awaiting.as_ref().map(|m| m.id()));
        ids
    }
}
