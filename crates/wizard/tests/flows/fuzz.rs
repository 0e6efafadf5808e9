//! Random input sequences (a fixed seed, so failures reproduce) against every flow: no
//! panic, always a screen with a step code listed among its flow's steps, a journal
//! round trip that keeps the state, no cancelling in the middle of an operation, one
//! `Finish` at most, no PIN in any effect, and no PIN used but the one just typed (never
//! a retry by itself).

use crate::support::*;
use smartkey_wizard::FieldId;
use smartkey_wizard::screen::ActionKind;
use smartkey_wizard::{
    Answer, BankAnswer, Effect, FailureKind, Input, KeyType, Operation, Outcome, PendingRecord,
    PickupRef, PinRole, Presence, RequestKind, Step, StepCode, TokenView, Tries, Wizard,
};

/// xorshift64*: small, deterministic, good enough to shake a state machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SERIALS: [&str; 5] = ["T1", "T2", "OLD00001", "NEW00002", "0A1B2C3D"];
const SECRET_PIN: &str = "Fz9-secret";

fn tokens() -> Vec<TokenView> {
    let mut lite = fresh("T2");
    lite.model = "Rutoken Lite".into();
    let mut locked = fresh("T1");
    locked.user_pin.locked = true;
    let mut new_with_cert = in_use("NEW00002");
    new_with_cert.keys = vec![key(
        "n3w",
        "smartkey 5282 20250314",
        KeyType::Gost2012_256,
        Some(certificate("02cc", today(), date(2026, 3, 14), "n3w")),
    )];
    let mut holding = in_use("0A1B2C3D");
    holding.keys = vec![key("k1", "smartkey 6184 20250313", KeyType::Rsa2048, None)];
    vec![
        fresh("T1"),
        in_use("T2"),
        lite,
        locked,
        old_carrier("OLD00001"),
        fresh("NEW00002"),
        new_with_cert,
        holding,
        fresh("0A1B2C3D"),
    ]
}

const FIELDS: [FieldId; 12] = [
    FieldId::Surname,
    FieldId::GivenName,
    FieldId::Organization,
    FieldId::Inn,
    FieldId::City,
    FieldId::Phone,
    FieldId::Email,
    FieldId::SerialTail,
    FieldId::LegalEntity,
    FieldId::KeyType,
    FieldId::Country,
    FieldId::PaymentWentThrough,
];

const VALUES: [&str; 10] = [
    "",
    "Иванов",
    "7707083893",
    "моск",
    "+7 495 500-55-50",
    "ivanov@example.ru",
    "0001",
    "ИП Иванов",
    "\u{0}\u{200b}ё-‐—  ",
    "Индивидуальный предприниматель Иванов Иван Иванович",
];

fn failure_kind(rng: &mut Rng) -> FailureKind {
    match rng.below(12) {
        0 => FailureKind::WrongPin {
            role: PinRole::User,
            tries: rng.pick(&[
                Tries::Exactly(0),
                Tries::Exactly(1),
                Tries::Exactly(3),
                Tries::FinalTry,
                Tries::Low,
                Tries::Unknown,
            ]),
        },
        1 => FailureKind::PinLocked {
            role: rng.pick(&[PinRole::User, PinRole::Admin]),
        },
        2 => FailureKind::TokenRemoved,
        3 => FailureKind::KeyNotOnToken,
        4 => FailureKind::Device { detail: "x".into() },
        5 => FailureKind::BankUnreachable { detail: "x".into() },
        6 => FailureKind::BankRejected {
            reasons: vec!["нет".into()],
        },
        7 => FailureKind::LinkExpired,
        8 => FailureKind::RequestExpired,
        9 => FailureKind::UnknownRequest,
        10 => FailureKind::PinRefused {
            role: PinRole::Admin,
        },
        _ => FailureKind::Storage { detail: "x".into() },
    }
}

const OPERATIONS: [Operation; 14] = [
    Operation::ListTokens,
    Operation::ChangePin,
    Operation::Login,
    Operation::GenerateKeyPair,
    Operation::DeleteKey,
    Operation::BuildRequest,
    Operation::SignRequest,
    Operation::SendToBank,
    Operation::Poll,
    Operation::SignAct,
    Operation::SaveCertificate,
    Operation::VerifyCertificate,
    Operation::SaveDocument,
    Operation::RecordPending,
];

/// A plausible success answer to an effect, to get deep into the flows.
fn answer(effect: &Effect, rng: &mut Rng) -> Option<Input> {
    let outcome = match effect {
        Effect::ListTokens => {
            return Some(Input::Token(Presence::Present(vec![rng.pick(&tokens())])));
        }
        Effect::ChangePin { serial, role, .. } => Outcome::PinChanged {
            serial: serial.clone(),
            role: *role,
        },
        Effect::Login { serial, .. } => Outcome::LoggedIn {
            serial: serial.clone(),
        },
        Effect::GenerateKeyPair {
            serial,
            key_type,
            label,
        } => Outcome::KeyGenerated {
            serial: serial.clone(),
            key: key("g1", label, *key_type, None),
        },
        Effect::DeleteKey { serial, key_id } => Outcome::KeyDeleted {
            serial: serial.clone(),
            key_id: key_id.clone(),
        },
        Effect::BuildRequest(_) => Outcome::RequestBuilt {
            transaction: tx("5e5e"),
        },
        Effect::SignRequest { transaction, .. } => Outcome::RequestSigned {
            transaction: transaction.clone(),
        },
        Effect::SendToBank { .. } | Effect::Poll { .. } => {
            Outcome::BankAnswered(match rng.below(3) {
                0 => BankAnswer::Waiting {
                    check_after_secs: Some(600),
                    reason: vec![],
                },
                1 => BankAnswer::Issued(issued("02cc", "n3w")),
                _ => BankAnswer::Issued(issued("0c01", "k1")),
            })
        }
        Effect::SignAct { .. } => Outcome::ActSigned,
        Effect::SaveCertificate { key, .. } => Outcome::CertificateSaved {
            serial: key.serial.clone(),
            key_id: key.key_id.clone(),
        },
        Effect::VerifyCertificate { serial, .. } => Outcome::CertificateVerified {
            serial: serial.clone(),
            certificate: verified("0c01", "k1"),
        },
        Effect::SaveDocument { .. } => Outcome::DocumentSaved {
            location: "doc.pdf".into(),
        },
        Effect::RecordPending(_) => Outcome::PendingRecorded,
        Effect::ClearPending { .. }
        | Effect::MarkAccepted { .. }
        | Effect::SaveDraft(_)
        | Effect::ClearDraft
        | Effect::Finish(_) => return None,
    };
    Some(Input::Done(outcome))
}

fn guide(code: &str) -> Vec<Input> {
    let token = |t: TokenView| Input::Token(Presence::Inserted(t));
    let removed = |s: &str| {
        Input::Token(Presence::Removed {
            serial: s.to_string(),
        })
    };
    match code {
        "N2.3" => good_form(),
        "R2.4" => vec![
            Input::Person(Answer::Next),
            removed("OLD00001"),
            token(fresh("NEW00002")),
            Input::Person(Answer::Next),
        ],
        "R2.8" => vec![removed("NEW00002"), token(old_carrier("OLD00001"))],
        "N2.4" | "N2.5" | "R2.5" | "R2.6" => vec![Input::Person(Answer::ChangePin {
            current: pin("12345678"),
            new: pin(SECRET_PIN),
            repeat: pin(SECRET_PIN),
        })],
        "N2.6" | "R2.2" | "R2.7" => vec![Input::Person(Answer::Pin(pin(SECRET_PIN)))],
        _ => Vec::new(),
    }
}

fn good_form() -> Vec<Input> {
    let mut inputs: Vec<Input> = [
        (FieldId::Surname, "Иванов"),
        (FieldId::GivenName, "Иван"),
        (FieldId::Organization, "ООО Ромашка"),
        (FieldId::Inn, "7707083893"),
        (FieldId::Document, "Устав"),
        (FieldId::City, "Москва"),
        (FieldId::Address, "ул. Вавилова, 19"),
        (FieldId::Phone, "+7 495 500-55-50"),
        (FieldId::Email, "ivanov@example.ru"),
    ]
    .into_iter()
    .map(|(field, value)| {
        Input::Person(Answer::Edit {
            field,
            value: value.into(),
        })
    })
    .collect();
    inputs.push(Input::Person(Answer::Next));
    inputs
}

fn random_input(rng: &mut Rng) -> Input {
    match rng.below(20) {
        0..=2 => Input::Person(Answer::Next),
        3 => Input::Person(match rng.below(3) {
            0 => Answer::Back,
            1 => Answer::Retry,
            _ => Answer::Confirm,
        }),
        4 => Input::Person(Answer::Cancel),
        5 => Input::Person(Answer::Choose(rng.below(5))),
        6 | 7 => Input::Person(Answer::Edit {
            field: rng.pick(&FIELDS),
            value: rng.pick(&VALUES).to_string(),
        }),
        8 => Input::Person(Answer::Select {
            field: rng.pick(&FIELDS),
            index: rng.below(4),
        }),
        9 => Input::Person(Answer::Tick {
            field: rng.pick(&FIELDS),
            on: rng.chance(50),
        }),
        10 | 11 => Input::Person(Answer::Pin(pin(rng.pick(&[SECRET_PIN, "", "12345678"])))),
        12 => Input::Person(Answer::ChangePin {
            current: pin(rng.pick(&["12345678", "87654321", SECRET_PIN])),
            new: pin(SECRET_PIN),
            repeat: pin(rng.pick(&[SECRET_PIN, "Fz9-other"])),
        }),
        13 => {
            let all = tokens();
            let n = rng.below(3);
            Input::Token(Presence::Present((0..n).map(|_| rng.pick(&all)).collect()))
        }
        14 | 15 => Input::Token(Presence::Inserted(rng.pick(&tokens()))),
        16 | 17 => Input::Token(Presence::Removed {
            serial: rng.pick(&SERIALS).to_string(),
        }),
        _ => failed(rng.pick(&OPERATIONS), failure_kind(rng)),
    }
}

/// How a flow begins.
type Begin = fn() -> (Wizard, Vec<Effect>);

fn flows() -> Vec<(&'static str, Begin)> {
    fn save_with_record() -> (Wizard, Vec<Effect>) {
        let mut s = start(gost_bank());
        s.pending = vec![PendingRecord {
            agent_id: 5282,
            transaction: tx("5e5e"),
            kind: RequestKind::Renewal {
                old_key: smartkey_wizard::KeyRef {
                    serial: "OLD00001".into(),
                    key_id: "0ld0".into(),
                },
                old_certificate_serial: "01aa".into(),
            },
            key: smartkey_wizard::KeyRef {
                serial: "NEW00002".into(),
                key_id: "n3w".into(),
            },
            key_type: KeyType::Gost2012_256,
            subject: "Иванов".into(),
            created: today(),
            kept: None,
        }];
        Wizard::save_flow(
            PickupRef {
                agent_id: 5282,
                transaction: tx("5e5e"),
            },
            s,
        )
    }
    vec![
        ("new", || Wizard::new_flow(start(nokss()))),
        ("renew", || Wizard::renew_flow(start(gost_bank()))),
        ("save", || {
            Wizard::save_flow(
                PickupRef {
                    agent_id: 6184,
                    transaction: tx("00aa11bb"),
                },
                start(nokss()),
            )
        }),
        ("save renewal", save_with_record),
        ("destroy", || {
            Wizard::destroy_old_key_flow(start(gost_bank()))
        }),
    ]
}

#[test]
fn random_inputs_never_break_a_flow() {
    let mut rng = Rng(0x5EED_CAFE_F00D_1234);
    let mut deepest = std::collections::BTreeSet::new();
    for (flow, begin) in flows() {
        for _ in 0..120 {
            let (mut wizard, mut pending) = begin();
            let mut finishes = 0;
            for _ in 0..120 {
                // Now and then what random inputs rarely produce: a well-filled form, a
                // swap done right.
                if rng.chance(30) {
                    for input in guide(wizard.code().as_str()) {
                        pending.extend(wizard.handle(input));
                    }
                }
                let input = if !pending.is_empty() && rng.chance(60) {
                    let i = rng.below(pending.len());
                    match answer(&pending.remove(i), &mut rng) {
                        Some(input) => input,
                        None => random_input(&mut rng),
                    }
                } else {
                    random_input(&mut rng)
                };
                let was_busy = wizard.is_busy();
                let was_ended = wizard.is_finished();
                let cancel = matches!(input, Input::Person(Answer::Cancel));
                let typed_pin = matches!(
                    input,
                    Input::Person(Answer::Pin(_) | Answer::ChangePin { .. })
                );
                let effects = wizard.handle(input);
                let uses_pin = effects
                    .iter()
                    .filter(|e| matches!(e, Effect::Login { .. } | Effect::ChangePin { .. }))
                    .count();
                assert!(
                    uses_pin <= usize::from(typed_pin),
                    "{flow}: a PIN was used without being typed"
                );
                if was_busy && cancel {
                    assert!(
                        !wizard.is_finished() || was_ended,
                        "{flow}: cancelled mid-operation"
                    );
                }
                for e in &effects {
                    let json = serde_json::to_string(e).expect("an effect serialises");
                    assert!(!json.contains(SECRET_PIN) && !format!("{e:?}").contains(SECRET_PIN));
                    if matches!(e, Effect::Finish(_)) {
                        finishes += 1;
                    }
                }
                assert!(finishes <= 1, "{flow}: finished twice");
                assert_eq!(
                    finishes == 1,
                    wizard.is_finished(),
                    "{flow}: Finish iff ended"
                );
                let screen = wizard.screen();
                check_screen(&screen);
                if wizard.is_busy() {
                    assert!(!screen.offers(ActionKind::Cancel));
                }
                let json = serde_json::to_string(&wizard).expect("serialises");
                assert!(!json.contains(SECRET_PIN));
                let back: Wizard = serde_json::from_str(&json).expect("reads back");
                assert_eq!(
                    back.step(),
                    wizard.step(),
                    "{flow}: the round trip changed the step"
                );
                assert_eq!(back.facts(), wizard.facts());
                deepest.insert(screen.code.as_str());
                // Every step a flow can show is in its list, which the fault tests are
                // generated from.
                assert!(
                    StepCode::of_flow(screen.flow).contains(&screen.code),
                    "{flow}: {} is not among the steps of {:?}",
                    screen.code,
                    screen.flow
                );
                pending.extend(effects);
                if matches!(wizard.step(), Step::Ended(_)) && rng.chance(20) {
                    break;
                }
            }
        }
    }
    // The shaking reached most of the bank's steps.
    assert!(deepest.len() >= 22, "reached only {deepest:?}");
}
