//! The renewal onto a Rutoken ECP 2.0, R2.1 to R2.9, with both swaps.

use crate::support::*;
use smartkey_wizard::FieldId;
use smartkey_wizard::Msg;
use smartkey_wizard::screen::{ActionKind, Level};
use smartkey_wizard::{
    Answer, BankAnswer, Effect, Ending, FailureKind, KeyType, Operation, Outcome, PinRole,
    RequestKind, RequestPlan, Tries, Wizard,
};

pub const OLD: &str = "OLD00001";
pub const NEW: &str = "NEW00002";
pub const OLD_PIN: &str = "Wq3-old-pin";
pub const NEW_PIN: &str = "Wq3-new-pin";
pub const NEW_ADMIN_PIN: &str = "Wq3-new-admin";

pub fn renew_run() -> Run {
    Run::new(Wizard::renew_flow(start(gost_bank())))
}

/// To R2.4's swap screen, the old carrier still in.
fn to_swap() -> Run {
    let mut run = renew_run();
    run.present(vec![old_carrier(OLD)]);
    run.next();
    run.enter_pin(OLD_PIN);
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    run.next();
    run.next();
    run
}

/// To R2.8, the new token still in.
pub fn to_swap_back() -> Run {
    let mut run = to_swap();
    run.remove(OLD);
    run.insert(fresh(NEW));
    run.next();
    run.change_pin("12345678", NEW_PIN, NEW_PIN);
    run.done(Outcome::PinChanged {
        serial: NEW.into(),
        role: PinRole::User,
    });
    run.change_pin("87654321", NEW_ADMIN_PIN, NEW_ADMIN_PIN);
    run.done(Outcome::PinChanged {
        serial: NEW.into(),
        role: PinRole::Admin,
    });
    run.enter_pin(NEW_PIN);
    run.done(Outcome::LoggedIn { serial: NEW.into() });
    run.done(Outcome::KeyGenerated {
        serial: NEW.into(),
        key: key("n3w", "smartkey 5282 20250314", KeyType::Gost2012_256, None),
    });
    run.done(Outcome::RequestBuilt {
        transaction: tx("5e5e"),
    });
    run
}

#[test]
fn happy_path_r2_1_to_r2_9() {
    drive_renew();
}

/// happy path r2 1 to r2 9, driven to its end; the run is kept for the secrets check.
pub fn drive_renew() -> Run {
    let mut run = renew_run();
    assert_eq!(names(&run.effects), ["list_tokens"]);
    assert_eq!(run.code(), "R2.1");
    assert!(run.says().contains(&"InsertOldToken"));
    run.present(vec![old_carrier(OLD)]);
    assert!(run.next().is_empty());

    // R2.2: the current PIN.
    assert_eq!(run.code(), "R2.2");
    assert_eq!(run.enter_pin(OLD_PIN), ["login"]);
    assert!(matches!(&run.effects[0], Effect::Login { serial, .. } if serial == OLD));
    run.done(Outcome::LoggedIn { serial: OLD.into() });

    // R2.3: the current certificate, 21 days left.
    assert_eq!(run.code(), "R2.3");
    let screen = run.screen();
    assert!(screen.body.contains(&Msg::DaysLeft { days: 21 }));
    assert!(
        screen
            .body
            .iter()
            .any(|m| matches!(m, Msg::CertificateSummary { serial, .. } if serial == "01aa"))
    );
    assert_eq!(screen.notice.map(|n| n.text.id()), Some("ExpiresSoon"));
    run.next();

    // R2.4: contacts, then the swap.
    assert_eq!(run.code(), "R2.4");
    assert!(
        matches!(run.screen().field(FieldId::Email), Some(smartkey_wizard::Widget::Text { value, .. }) if value == "ivanov@example.ru")
    );
    run.person(Answer::Edit {
        field: FieldId::Email,
        value: "buh@example.ru".into(),
    });
    run.next();
    assert_eq!(run.code(), "R2.4");
    assert!(run.says().contains(&"SwapToNew"));
    assert_eq!(
        run.screen().notice.map(|n| n.text.id()),
        Some("OldTokenInsteadOfNew"),
        "the old key is still in"
    );
    assert!(!run.screen().offers(ActionKind::Next));
    run.remove(OLD);
    assert!(run.says().contains(&"InsertNewEcp2"));
    run.insert(fresh(NEW));
    assert!(run.screen().offers(ActionKind::Next));
    run.next();

    // R2.5, R2.6: the new token's default PINs.
    assert_eq!(run.code(), "R2.5");
    assert_eq!(run.change_pin("12345678", NEW_PIN, NEW_PIN), ["change_pin"]);
    run.done(Outcome::PinChanged {
        serial: NEW.into(),
        role: PinRole::User,
    });
    assert_eq!(run.code(), "R2.6");
    run.change_pin("87654321", NEW_ADMIN_PIN, NEW_ADMIN_PIN);
    run.done(Outcome::PinChanged {
        serial: NEW.into(),
        role: PinRole::Admin,
    });

    // R2.7: the GOST key on the new token, the request signed by it.
    assert_eq!(run.code(), "R2.7");
    assert_eq!(run.enter_pin(NEW_PIN), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: NEW.into() }),
        ["generate_key_pair"]
    );
    assert!(matches!(
        &run.effects[0],
        Effect::GenerateKeyPair { serial, key_type: KeyType::Gost2012_256, .. } if serial == NEW
    ));
    assert_eq!(
        run.done(Outcome::KeyGenerated {
            serial: NEW.into(),
            key: key("n3w", "smartkey 5282 20250314", KeyType::Gost2012_256, None),
        }),
        ["build_request"]
    );
    match &run.effects[0] {
        Effect::BuildRequest(RequestPlan::Renewal {
            agent_id,
            key,
            old_certificate,
            contacts,
            ..
        }) => {
            assert_eq!(*agent_id, 5282);
            assert_eq!(key.serial, NEW);
            assert_eq!(old_certificate.0, b"cert-01aa");
            assert_eq!(contacts.email, "buh@example.ru");
        }
        other => panic!("not a renewal request: {other:?}"),
    }
    assert!(
        run.done(Outcome::RequestBuilt {
            transaction: tx("5e5e")
        })
        .is_empty()
    );

    // R2.8: back to the old carrier, its PIN, the request signed by the old key.
    assert_eq!(run.code(), "R2.8");
    assert!(run.says().contains(&"SwapBack"));
    assert_eq!(
        run.screen().notice.map(|n| n.text.id()),
        Some("NewTokenInsteadOfOld")
    );
    assert!(run.enter_pin(OLD_PIN).is_empty(), "not into the new token");
    run.remove(NEW);
    assert!(run.says().contains(&"InsertTokenSerial"));
    run.insert(old_carrier(OLD));
    assert_eq!(run.enter_pin(OLD_PIN), ["login"]);
    assert!(matches!(&run.effects[0], Effect::Login { serial, .. } if serial == OLD));
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: OLD.into() }),
        ["sign_request"]
    );
    assert!(matches!(
        &run.effects[0],
        Effect::SignRequest { old_key, transaction, .. } if old_key.serial == OLD && old_key.key_id == "0ld0" && transaction.0 == "5e5e"
    ));
    // Recorded on this computer before the bank is told.
    assert_eq!(
        run.done(Outcome::RequestSigned {
            transaction: tx("5e5e")
        }),
        ["record_pending"]
    );
    match &run.effects[0] {
        Effect::RecordPending(r) => {
            assert!(
                matches!(&r.kind, RequestKind::Renewal { old_key, old_certificate_serial } if old_key.serial == OLD && old_certificate_serial == "01aa")
            );
            assert_eq!(r.key.serial, NEW);
            assert_eq!(r.key_type, KeyType::Gost2012_256);
        }
        other => panic!("not a record: {other:?}"),
    }
    assert_eq!(run.done(Outcome::PendingRecorded), ["send_to_bank"]);
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Waiting {
            check_after_secs: None,
            reason: vec![],
        })),
        ["finish"]
    );
    assert_eq!(run.code(), "R2.9");
    assert_eq!(run.wizard.ending(), Some(&Ending::RenewalSent));
    run
}

#[test]
fn r2_1_refuses_a_carrier_without_a_certificate() {
    let mut run = renew_run();
    run.present(vec![in_use("EMPTY001")]);
    run.next();
    assert_eq!(run.code(), "R2.1");
    assert_eq!(
        run.screen().notice.map(|n| n.text.id()),
        Some("NoCertificateOnToken")
    );
    run.remove("EMPTY001");
    assert!(run.screen().notice.is_none());
    run.insert(old_carrier(OLD));
    run.next();
    assert_eq!(run.code(), "R2.2");
}

#[test]
fn r2_2_wrong_pin_tries_left_last_try_locked() {
    let mut run = renew_run();
    run.present(vec![old_carrier(OLD)]);
    run.next();
    run.enter_pin("wrong-1");
    run.fail(
        Operation::Login,
        FailureKind::WrongPin {
            role: PinRole::User,
            tries: Tries::Exactly(3),
        },
    );
    assert_eq!(run.code(), "R2.2");
    assert!(matches!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::WrongPin {
            tries: Tries::Exactly(3),
            ..
        })
    ));
    run.enter_pin("wrong-2");
    run.fail(
        Operation::Login,
        FailureKind::WrongPin {
            role: PinRole::User,
            tries: Tries::FinalTry,
        },
    );
    let notice = run.screen().notice.expect("a warning");
    assert_eq!(
        (notice.level, notice.text.id()),
        (Level::Danger, "WrongPinLastTry")
    );
    run.enter_pin("wrong-3");
    assert_eq!(
        run.fail(
            Operation::Login,
            FailureKind::WrongPin {
                role: PinRole::User,
                tries: Tries::Exactly(0),
            }
        ),
        ["finish"]
    );
    assert_eq!(run.code(), "R2.2");
    assert!(run.screen().body.contains(&Msg::CallSupport {
        contact: Some("8-800-250-33-00".into())
    }));
}

#[test]
fn r2_3_an_expired_certificate_cannot_be_renewed() {
    let mut run = renew_run();
    let mut old = old_carrier(OLD);
    old.keys[0].certificate = Some(Box::new(certificate(
        "01aa",
        date(2024, 3, 1),
        date(2025, 3, 1),
        "0ld0",
    )));
    run.present(vec![old]);
    run.next();
    run.enter_pin(OLD_PIN);
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    assert!(run.screen().body.contains(&Msg::DaysLeft { days: -13 }));
    assert_eq!(
        run.screen().notice.map(|n| (n.level, n.text.id())),
        Some((Level::Error, "CertificateExpiredWhat"))
    );
    assert_eq!(run.next(), ["finish"]);
    assert_eq!(run.wizard.ending(), Some(&Ending::CertificateExpired));
}

#[test]
fn r2_3_chooses_among_several_certificates() {
    let mut run = renew_run();
    let mut old = old_carrier(OLD);
    let mut second = certificate("02bb", date(2024, 6, 1), date(2025, 6, 1), "2nd");
    second.owner = Some("Петров Пётр".into());
    second.subject = "CN=Петров Пётр".into();
    old.keys
        .push(key("2nd", "other", KeyType::Rsa2048, Some(second)));
    run.present(vec![old]);
    run.next();
    run.enter_pin(OLD_PIN);
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    assert_eq!(run.screen().choices.len(), 2);
    assert!(!run.screen().offers(ActionKind::Next));
    run.next();
    assert_eq!(run.code(), "R2.3");
    run.person(Answer::Choose(1));
    run.next();
    assert_eq!(run.code(), "R2.4");
    match run.wizard.step() {
        smartkey_wizard::Step::Renew(smartkey_wizard::renew_flow::RenewStep::Contacts(c)) => {
            assert_eq!(c.renewal.old_key.key_id, "2nd")
        }
        other => panic!("not R2.4: {other:?}"),
    }
}

#[test]
fn r2_4_checks_the_contacts() {
    let mut run = renew_run();
    run.present(vec![old_carrier(OLD)]);
    run.next();
    run.enter_pin(OLD_PIN);
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    run.next();
    run.person(Answer::Edit {
        field: FieldId::Email,
        value: "не почта".into(),
    });
    run.next();
    assert!(run.says().contains(&"ContactsExplain"), "still editing");
    assert!(
        run.screen()
            .field(FieldId::Email)
            .and_then(|w| w.error())
            .is_some()
    );
    run.person(Answer::Edit {
        field: FieldId::Email,
        value: "ok@example.ru".into(),
    });
    run.next();
    assert!(run.says().contains(&"SwapToNew"));
}

#[test]
fn r2_4_refuses_the_wrong_new_token() {
    let mut run = to_swap();
    run.remove(OLD);
    let mut lite = fresh("LITE0003");
    lite.model = "Rutoken Lite".into();
    run.insert(lite);
    assert_eq!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::NotEcp2 {
            model: "Rutoken Lite".into()
        })
    );
    assert!(!run.screen().offers(ActionKind::Next));
    run.next();
    assert_eq!(run.code(), "R2.4");
    run.remove("LITE0003");
    run.insert(fresh("NEW00002"));
    run.insert(fresh("NEW00003"));
    assert_eq!(
        run.screen().notice.map(|n| n.text.id()),
        Some("SeveralNewTokens")
    );
    run.remove("NEW00003");
    run.remove("NEW00002");
    // The old key put back when the new one is expected.
    run.insert(old_carrier(OLD));
    assert_eq!(
        run.screen().notice.map(|n| n.text.id()),
        Some("OldTokenInsteadOfNew")
    );
    run.next();
    assert_eq!(run.code(), "R2.4");
    run.insert(fresh(NEW));
    run.next();
    assert_eq!(
        run.code(),
        "R2.5",
        "both in: the new one is recognised by its serial"
    );
}

#[test]
fn r2_4_a_new_token_already_prepared_skips_to_r2_7() {
    let mut run = to_swap();
    run.remove(OLD);
    run.insert(in_use(NEW));
    run.next();
    assert_eq!(run.code(), "R2.7");
}

#[test]
fn r2_8_refuses_another_token_and_asks_the_pin_again_after_a_removal() {
    let mut run = to_swap_back();
    run.remove(NEW);
    run.insert(in_use("STRANGER"));
    assert_eq!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::WrongTokenSerial {
            expected: OLD.into()
        })
    );
    run.remove("STRANGER");
    run.insert(old_carrier(OLD));
    run.enter_pin(OLD_PIN);
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    assert_eq!(names(&run.effects), ["sign_request"]);
    run.remove(OLD);
    assert!(run.says().contains(&"TokenRemovedRepeat"));
    assert!(
        run.fail(Operation::SignRequest, FailureKind::TokenRemoved)
            .is_empty()
    );
    run.insert(old_carrier(OLD));
    assert_eq!(run.enter_pin(OLD_PIN), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: OLD.into() }),
        ["sign_request"]
    );
}

#[test]
fn r2_8_the_bank_rejects_the_renewal() {
    let mut run = to_swap_back();
    run.remove(NEW);
    run.insert(old_carrier(OLD));
    run.enter_pin(OLD_PIN);
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    run.done(Outcome::RequestSigned {
        transaction: tx("5e5e"),
    });
    run.done(Outcome::PendingRecorded);
    assert_eq!(
        run.fail(
            Operation::SendToBank,
            FailureKind::BankRejected {
                reasons: vec!["сертификат отозван".into()]
            }
        ),
        ["clear_pending", "finish"]
    );
    assert_eq!(run.code(), "R2.8");
    assert!(run.screen().body.contains(&Msg::RejectedReasons {
        reasons: vec!["сертификат отозван".into()]
    }));
}

#[test]
fn r2_8_issued_at_once_goes_on_to_the_act() {
    let mut run = to_swap_back();
    run.remove(NEW);
    run.insert(old_carrier(OLD));
    run.enter_pin(OLD_PIN);
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    run.done(Outcome::RequestSigned {
        transaction: tx("5e5e"),
    });
    run.done(Outcome::PendingRecorded);
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Issued(issued(
            "02cc", "n3w",
        )))),
        ["record_pending"]
    );
    run.done(Outcome::PendingRecorded);
    assert_eq!(run.code(), "R2.10");
    assert!(
        run.screen().offers(ActionKind::Next),
        "the old carrier is in: sign the act"
    );
}
