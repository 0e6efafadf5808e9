//! R2.13: the old key destroyed only on the person's two confirmations, and only when
//! the new certificate is on another token.

use crate::support::*;
use smartkey_wizard::FieldId;
use smartkey_wizard::Msg;
use smartkey_wizard::screen::{ActionKind, Level};
use smartkey_wizard::{
    Answer, Ending, FailureKind, KeyType, Operation, Outcome, TokenView, Wizard,
};

const OLD: &str = "OLD00001";
const NEW: &str = "NEW00002";

fn new_carrier() -> TokenView {
    let mut t = in_use(NEW);
    t.keys = vec![key(
        "n3w",
        "smartkey 5282 20250314",
        KeyType::Gost2012_256,
        Some(certificate("02cc", today(), date(2026, 3, 14), "n3w")),
    )];
    t
}

fn destroy_run() -> Run {
    Run::new(Wizard::destroy_old_key_flow(start(gost_bank())))
}

#[test]
fn happy_path_with_both_confirmations() {
    drive_destroy();
}

/// happy path with both confirmations, driven to its end; the run is kept for the secrets check.
pub fn drive_destroy() -> Run {
    let mut run = destroy_run();
    assert_eq!(run.code(), "R2.13");
    // The new token first, then the old one: one USB port is enough.
    run.present(vec![new_carrier()]);
    assert!(run.says().contains(&"DestroyNeedBoth"));
    run.remove(NEW);
    run.insert(old_carrier(OLD));
    assert_eq!(run.screen().choices.len(), 1);
    run.next();

    // First confirmation.
    assert!(run.says().contains(&"DestroyOnlyAfterPayment"));
    assert!(!run.screen().offers(ActionKind::Confirm));
    run.person(Answer::Confirm);
    assert!(
        run.says().contains(&"DestroyOnlyAfterPayment"),
        "not without the tick"
    );
    run.person(Answer::Tick {
        field: FieldId::PaymentWentThrough,
        on: true,
    });
    run.person(Answer::Confirm);

    // Second confirmation: the old carrier's serial.
    let notice = run.screen().notice.expect("a warning");
    assert_eq!(notice.level, Level::Danger);
    assert_eq!(notice.text, Msg::DestroyIrreversible { serial: OLD.into() });
    run.person(Answer::Edit {
        field: FieldId::SerialTail,
        value: "0002".into(),
    });
    run.person(Answer::Confirm);
    assert!(
        run.screen()
            .field(FieldId::SerialTail)
            .and_then(|w| w.error())
            .is_some()
    );
    run.person(Answer::Edit {
        field: FieldId::SerialTail,
        value: "0001".into(),
    });
    assert!(run.person(Answer::Confirm).is_empty());

    // The old carrier's PIN, then the deletion.
    assert_eq!(run.enter_pin("Wq3-old-pin"), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: OLD.into() }),
        ["delete_key"]
    );
    assert!(matches!(
        &run.effects[0],
        smartkey_wizard::Effect::DeleteKey { serial, key_id } if serial == OLD && key_id == "0ld0"
    ));
    assert!(!run.screen().offers(ActionKind::Cancel));
    assert_eq!(
        run.done(Outcome::KeyDeleted {
            serial: OLD.into(),
            key_id: "0ld0".into()
        }),
        ["finish"]
    );
    assert_eq!(run.wizard.ending(), Some(&Ending::OldKeyDestroyed));
    run
}

#[test]
fn never_offered_without_a_newer_certificate_on_another_token() {
    let mut run = destroy_run();
    run.present(vec![old_carrier(OLD)]);
    assert!(run.screen().choices.is_empty());
    assert!(run.next().is_empty());
    assert_eq!(run.code(), "R2.13");
    // A newer certificate on the SAME token does not count.
    let mut both = old_carrier(OLD);
    both.keys.extend(new_carrier().keys);
    run.insert(both);
    assert!(run.screen().choices.is_empty());
    // Nor an older certificate on another token: then that one is the old key.
    let mut run = destroy_run();
    run.present(vec![old_carrier(OLD)]);
    let mut older = in_use(NEW);
    older.keys = vec![key(
        "x",
        "x",
        KeyType::Rsa2048,
        Some(certificate("00ff", date(2023, 1, 1), date(2024, 1, 1), "x")),
    )];
    run.insert(older);
    let choices = run.screen().choices;
    assert_eq!(choices.len(), 1);
    assert!(
        matches!(&choices[0], Msg::DestroyCandidate { old_serial, new_serial, .. } if old_serial == NEW && new_serial == OLD),
        "{choices:?}"
    );
}

#[test]
fn a_failed_deletion_is_not_retried_by_itself() {
    let mut run = destroy_run();
    run.present(vec![new_carrier(), old_carrier(OLD)]);
    run.next();
    run.person(Answer::Tick {
        field: FieldId::PaymentWentThrough,
        on: true,
    });
    run.person(Answer::Confirm);
    run.person(Answer::Edit {
        field: FieldId::SerialTail,
        value: OLD.into(),
    });
    run.person(Answer::Confirm);
    run.enter_pin("Wq3-old-pin");
    run.done(Outcome::LoggedIn { serial: OLD.into() });
    assert!(
        run.fail(
            Operation::DeleteKey,
            FailureKind::Device {
                detail: "CKR_DEVICE_ERROR".into()
            }
        )
        .is_empty()
    );
    assert!(run.screen().offers(ActionKind::SubmitPin));
    assert_eq!(run.enter_pin("Wq3-old-pin"), ["login"]);
}
