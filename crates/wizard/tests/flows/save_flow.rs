//! Saving from the e-mailed link: N2.9-N2.11 and R2.10-R2.12, and every way the bank
//! can say no.

use crate::support::*;
use smartkey_i18n::{Catalogue, Lang};
use smartkey_wizard::Msg;
use smartkey_wizard::screen::ActionKind;
use smartkey_wizard::{
    Answer, BankAnswer, DocumentKind, Effect, Ending, FailureKind, KeyRef, KeyType, Operation,
    Outcome, PendingRecord, PickupRef, RequestKind, TokenView, Wizard,
};

const SERIAL: &str = "0A1B2C3D";
const OLD: &str = "OLD00001";
const NEW: &str = "NEW00002";
const PIN: &str = "Zx5-user-pin";

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

fn save_run(record: Option<PendingRecord>, agent_id: u32, transaction: &str) -> Run {
    let mut s = start(nokss());
    s.pending = record.into_iter().collect();
    let link = PickupRef {
        agent_id,
        transaction: tx(transaction),
    };
    Run::new(Wizard::save_flow(link, s))
}

fn new_save() -> Run {
    save_run(Some(new_record()), 6184, "00aa11bb")
}

fn holding(serial: &str, key_id: &str, key_type: KeyType) -> TokenView {
    let mut t = in_use(serial);
    t.keys = vec![key(key_id, "smartkey", key_type, None)];
    t
}

/// N2.9 with the certificate's token in: "Save certificate", the PIN, logged in.
fn logged_in_with_the_key(run: &mut Run) {
    run.present(vec![holding(SERIAL, "k1", KeyType::Rsa2048)]);
    run.next();
    run.enter_pin(PIN);
    run.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
}

/// The bank issued: the certificate is first kept in the request's local record (not
/// yet accepted), and only once that is written does the flow go on.
fn issued_and_kept(run: &mut Run, serial: &str, key_id: &str) -> Vec<String> {
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Issued(issued(
            serial, key_id
        )))),
        ["record_pending"]
    );
    assert!(run.wizard.is_busy(), "nothing to answer while it is kept");
    assert!(
        matches!(&run.effects[..], [Effect::RecordPending(r)]
            if r.kept.as_ref().is_some_and(|k| !k.accepted && k.certificate == issued(serial, key_id).certificate)),
        "{:?}",
        run.effects
    );
    run.done(Outcome::PendingRecorded)
}

#[test]
fn new_kind_happy_path_n2_9_to_n2_11() {
    drive_save_new();
}

/// new kind happy path n2 9 to n2 11, driven to its end; the run is kept for the secrets check.
pub fn drive_save_new() -> Run {
    let mut run = new_save();
    assert_eq!(names(&run.effects), ["list_tokens", "poll"]);
    assert_eq!(run.code(), "N2.9");
    assert!(run.wizard.is_busy());
    assert!(issued_and_kept(&mut run, "0c01", "k1").is_empty());
    assert_eq!(run.code(), "N2.9");
    assert!(run.says().contains(&"InsertTokenWithKey"));
    assert!(!run.screen().offers(ActionKind::Next));
    run.present(vec![holding(SERIAL, "k1", KeyType::Rsa2048)]);
    assert!(run.screen().offers(ActionKind::Next));
    assert_eq!(run.screen().actions[0].label, Msg::ActionSaveCertificate);
    run.next();
    assert_eq!(run.enter_pin(PIN), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["save_certificate"]
    );
    assert!(matches!(
        &run.effects[0],
        Effect::SaveCertificate { key, certificate } if key.key_id == "k1" && certificate.0 == b"cert-0c01"
    ));
    assert_eq!(
        run.done(Outcome::CertificateSaved {
            serial: SERIAL.into(),
            key_id: "k1".into()
        }),
        ["sign_act"]
    );
    assert!(
        matches!(
            &run.effects[0],
            Effect::SignAct { signer, signer_certificate, certificate, pickup }
                if signer.key_id == "k1" && signer_certificate == certificate && pickup.transaction.0 == "00aa11bb"
        ),
        "a first certificate's act is signed by the new key"
    );
    // The bank has the act: that is noted with the kept certificate, so a save run
    // again does not sign a second time.
    assert_eq!(
        run.done(Outcome::ActSigned),
        ["mark_accepted", "verify_certificate"]
    );
    assert!(
        matches!(&run.effects[0], Effect::MarkAccepted { transaction } if transaction.0 == "00aa11bb")
    );
    assert_eq!(
        run.done(Outcome::CertificateVerified {
            serial: SERIAL.into(),
            certificate: verified("0c01", "k1"),
        }),
        ["save_document"]
    );
    assert_eq!(run.code(), "N2.10");
    assert!(
        matches!(&run.effects[0], Effect::SaveDocument { document } if document.kind == DocumentKind::Act)
    );
    // The record (with the kept, accepted copy) stays until the act is saved: a save
    // started again after an interruption before that finishes from it.
    assert_eq!(run.wizard.facts().pending.len(), 1);
    assert!(run.screen().document.is_some());
    assert!(run.says().contains(&"PrintActTwice"));
    assert!(run.screen().body.contains(&Msg::DaysLeft { days: 365 }));
    assert_eq!(
        run.done(Outcome::DocumentSaved {
            location: "акт.pdf".into(),
        }),
        ["clear_pending"]
    );
    assert!(run.wizard.facts().pending.is_empty());
    assert_eq!(run.next(), ["finish"]);
    assert_eq!(run.code(), "N2.11");
    assert_eq!(run.wizard.ending(), Some(&Ending::CertificateSaved));
    assert!(run.says().contains(&"BringPapers"));
    run
}

#[test]
fn renewal_kind_happy_path_r2_10_to_r2_12() {
    drive_save_renewal();
}

/// renewal kind happy path r2 10 to r2 12, driven to its end; the run is kept for the secrets check.
pub fn drive_save_renewal() -> Run {
    let mut run = save_run(Some(renewal_record()), 5282, "5e5e");
    assert_eq!(run.code(), "R2.10");
    issued_and_kept(&mut run, "02cc", "n3w");
    assert_eq!(run.code(), "R2.10");
    let screen = run.screen();
    assert!(
        matches!(&screen.document, Some(d) if d.kind == DocumentKind::Act),
        "the act is shown"
    );
    assert_eq!(
        screen.awaiting,
        Some(Msg::InsertTokenSerial { serial: OLD.into() })
    );

    // The new token is not the one that signs the act.
    run.insert(holding(NEW, "n3w", KeyType::Gost2012_256));
    assert_eq!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::WrongTokenSerial {
            expected: OLD.into()
        })
    );
    run.remove(NEW);
    run.insert(old_carrier(OLD));
    assert_eq!(run.screen().actions[0].label, Msg::ActionSignAct);
    run.next();
    assert_eq!(run.enter_pin("Wq3-old-pin"), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: OLD.into() }),
        ["sign_act"]
    );
    assert!(
        matches!(
            &run.effects[0],
            Effect::SignAct { signer, signer_certificate, certificate, .. }
                if signer.serial == OLD && signer.key_id == "0ld0"
                    && signer_certificate.0 == b"cert-01aa" && certificate.0 == b"cert-02cc"
        ),
        "a renewal's act is signed by the old key"
    );

    // R2.11: onto the new token; the accepted act is noted with the kept certificate.
    assert_eq!(run.done(Outcome::ActSigned), ["mark_accepted"]);
    assert!(
        matches!(&run.effects[0], Effect::MarkAccepted { transaction } if transaction.0 == "5e5e")
    );
    assert_eq!(run.code(), "R2.11");
    assert_eq!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::KeyNotOnThisToken { serial: NEW.into() }),
        "the old carrier does not hold the new key"
    );
    run.remove(OLD);
    run.insert(holding(NEW, "n3w", KeyType::Gost2012_256));
    run.next();
    run.enter_pin("Wq3-new-pin");
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: NEW.into() }),
        ["save_certificate"]
    );
    assert_eq!(
        run.done(Outcome::CertificateSaved {
            serial: NEW.into(),
            key_id: "n3w".into()
        }),
        ["verify_certificate"],
        "no second act"
    );
    assert_eq!(
        run.done(Outcome::CertificateVerified {
            serial: NEW.into(),
            certificate: verified("02cc", "n3w"),
        }),
        ["save_document"]
    );

    // R2.12: the check.
    assert_eq!(run.code(), "R2.12");
    assert!(run.says().contains(&"CheckValidityOnline"));
    assert_eq!(
        run.done(Outcome::DocumentSaved {
            location: "акт.pdf".into(),
        }),
        ["clear_pending"]
    );
    assert!(run.wizard.facts().pending.is_empty());
    assert_eq!(run.next(), ["finish"]);
    assert_eq!(run.code(), "R2.12");
    assert_eq!(run.wizard.ending(), Some(&Ending::RenewalSaved));
    assert!(run.says().contains(&"DestroyOldKeyLater"));
    run
}

#[test]
fn still_waiting_says_when_to_ask_again() {
    let mut run = new_save();
    run.done(Outcome::BankAnswered(BankAnswer::Waiting {
        check_after_secs: Some(1800),
        reason: vec!["ждём подписанное заявление".into()],
    }));
    let screen = run.screen();
    assert_eq!(screen.notice.map(|n| n.text), Some(Msg::NotIssuedYet));
    assert!(
        screen
            .body
            .contains(&Msg::AskAgainAfter { minutes: Some(30) })
    );
    assert!(
        run.says().contains(&"BankWaitsForScan"),
        "a first certificate waits for the scan"
    );
    assert!(run.says().contains(&"BankSays"));
    assert_eq!(run.person(Answer::Retry), ["poll"]);
    assert!(
        run.person(Answer::Retry).is_empty(),
        "one question at a time"
    );
    issued_and_kept(&mut run, "0c01", "k1");
    assert!(run.says().contains(&"SaveNewExplain"));
}

#[test]
fn the_2_day_rule_link_expired() {
    let mut run = new_save();
    assert_eq!(
        run.fail(Operation::Poll, FailureKind::LinkExpired),
        ["finish"]
    );
    assert_eq!(run.wizard.ending(), Some(&Ending::LinkExpired));
    assert!(run.says().contains(&"LinkExpiredWhat"));
    let text = Catalogue::new(Lang::Ru).text(&Msg::LinkExpiredWhat);
    assert!(
        text.contains("2 дней") && text.contains("прислать ссылку повторно"),
        "{text}"
    );
}

#[test]
fn the_3_day_rule_request_expired() {
    let mut run = new_save();
    issued_and_kept(&mut run, "0c01", "k1");
    logged_in_with_the_key(&mut run);
    run.done(Outcome::CertificateSaved {
        serial: SERIAL.into(),
        key_id: "k1".into(),
    });
    assert_eq!(
        run.fail(Operation::SignAct, FailureKind::RequestExpired),
        ["finish"]
    );
    assert_eq!(run.wizard.ending(), Some(&Ending::RequestExpired));
    let text = Catalogue::new(Lang::Ru).text(&Msg::RequestExpiredWhat);
    assert!(
        text.contains("3-х дней") && text.contains("оплачивает"),
        "{text}"
    );
    let text = Catalogue::new(Lang::En).text(&Msg::RequestExpiredWhat);
    assert!(text.contains("3 days") && text.contains("pays"), "{text}");
}

#[test]
fn the_bank_rejects_or_does_not_know_the_request() {
    let mut run = new_save();
    run.done(Outcome::BankAnswered(BankAnswer::Rejected {
        reasons: vec!["заявление не поступило".into()],
    }));
    assert_eq!(
        run.wizard.ending(),
        Some(&Ending::Rejected {
            reasons: vec!["заявление не поступило".into()]
        })
    );
    // A request recorded here that the bank does not know never arrived: it is sent
    // again, as kept with its record, and the person is told so.
    let mut run = new_save();
    assert_eq!(
        run.fail(Operation::Poll, FailureKind::UnknownRequest),
        ["send_to_bank"]
    );
    assert!(
        matches!(&run.effects[0], Effect::SendToBank { transaction, .. } if transaction.0 == "00aa11bb")
    );
    run.done(Outcome::BankAnswered(BankAnswer::Waiting {
        check_after_secs: Some(60),
        reason: Vec::new(),
    }));
    assert_eq!(run.code(), "N2.9");
    assert!(run.says().contains(&"RequestSentAgain"));
    assert_eq!(run.wizard.facts().pending.len(), 1, "the record stays");
    // Asked again and still unknown, it is not sent a second time.
    assert_eq!(run.person(Answer::Retry), ["poll"]);
    assert_eq!(
        run.fail(Operation::Poll, FailureKind::UnknownRequest),
        ["clear_pending", "finish"]
    );
    assert_eq!(run.wizard.ending(), Some(&Ending::NeverArrived));
    // No copy kept to send: the request never reached the bank; its record goes, and
    // the person is told so.
    let mut run = new_save();
    run.fail(Operation::Poll, FailureKind::UnknownRequest);
    assert_eq!(
        run.fail(Operation::SendToBank, FailureKind::UnknownRequest),
        ["clear_pending", "finish"]
    );
    assert_eq!(run.wizard.ending(), Some(&Ending::NeverArrived));
    assert!(run.says().contains(&"NeverArrivedWhat"));
    // A link with no record here: the bank does not know it.
    let mut run = save_run(None, 6184, "00aa11bb");
    assert_eq!(
        run.fail(Operation::Poll, FailureKind::UnknownRequest),
        ["finish"]
    );
    assert_eq!(run.wizard.ending(), Some(&Ending::UnknownRequest));
}

#[test]
fn an_unreachable_bank_is_asked_again_by_the_person() {
    let mut run = new_save();
    assert!(
        run.fail(
            Operation::Poll,
            FailureKind::BankUnreachable {
                detail: "dns".into()
            }
        )
        .is_empty()
    );
    assert!(run.screen().offers(ActionKind::Retry));
    assert_eq!(run.person(Answer::Retry), ["poll"]);
}

#[test]
fn a_certificate_whose_key_is_not_on_the_token() {
    let mut run = new_save();
    issued_and_kept(&mut run, "0c01", "k1");
    run.present(vec![holding("OTHER001", "zz", KeyType::Rsa2048)]);
    assert_eq!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::KeyNotOnThisToken {
            serial: SERIAL.into()
        })
    );
    assert!(!run.screen().offers(ActionKind::Next));
    assert!(run.next().is_empty());
    // The runtime's own check says the same after all (the views disagreed).
    run.remove("OTHER001");
    let mut t = in_use(SERIAL);
    t.keys = vec![smartkey_wizard::KeyView {
        public_key: None,
        ..key("k1", "smartkey", KeyType::Rsa2048, None)
    }];
    run.insert(t);
    run.next();
    run.enter_pin(PIN);
    run.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    assert!(
        run.fail(Operation::SaveCertificate, FailureKind::KeyNotOnToken)
            .is_empty()
    );
    assert_eq!(run.code(), "N2.9");
    assert_eq!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::KeyNotOnThisToken {
            serial: SERIAL.into()
        })
    );
}

#[test]
fn token_removed_while_saving_asks_the_pin_again() {
    let mut run = new_save();
    issued_and_kept(&mut run, "0c01", "k1");
    logged_in_with_the_key(&mut run);
    run.remove(SERIAL);
    assert!(run.says().contains(&"TokenRemovedRepeat"));
    run.insert(holding(SERIAL, "k1", KeyType::Rsa2048));
    run.enter_pin(PIN);
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["save_certificate"]
    );
}

#[test]
fn implicit_confirmation_needs_no_act_signature() {
    let mut run = new_save();
    let mut cert = issued("0c01", "k1");
    cert.implicit_confirm = true;
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Issued(cert))),
        ["record_pending"]
    );
    run.done(Outcome::PendingRecorded);
    logged_in_with_the_key(&mut run);
    assert_eq!(
        run.done(Outcome::CertificateSaved {
            serial: SERIAL.into(),
            key_id: "k1".into()
        }),
        ["verify_certificate"]
    );
}

#[test]
fn without_a_record_the_person_says_which_flow_it_was() {
    let mut run = save_run(None, 5282, "5e5e");
    run.present(vec![old_carrier(OLD)]);
    run.done(Outcome::BankAnswered(BankAnswer::Issued(issued(
        "02cc", "n3w",
    ))));
    assert_eq!(run.code(), "N2.9");
    assert_eq!(
        run.screen().notice.map(|n| n.text),
        Some(Msg::LooksLikeRenewal { serial: OLD.into() })
    );
    assert_eq!(
        run.screen().choices,
        vec![Msg::ThisIsNew, Msg::ThisIsRenewal]
    );
    assert!(run.next().is_empty(), "no guess: the person answers");
    run.person(Answer::Choose(1));
    assert_eq!(run.code(), "R2.10");
    run.next();
    run.enter_pin("Wq3-old-pin");
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: OLD.into() }),
        ["sign_act"]
    );
    assert!(matches!(&run.effects[0], Effect::SignAct { signer, .. } if signer.key_id == "0ld0"));
}

#[test]
fn without_a_record_a_first_certificate_is_saved_with_its_new_key() {
    let mut run = save_run(None, 6184, "00aa11bb");
    run.done(Outcome::BankAnswered(BankAnswer::Issued(issued(
        "0c01", "k1",
    ))));
    assert!(run.screen().notice.is_none());
    run.person(Answer::Choose(0));
    logged_in_with_the_key(&mut run);
    assert_eq!(
        run.done(Outcome::CertificateSaved {
            serial: SERIAL.into(),
            key_id: "k1".into()
        }),
        ["sign_act"]
    );
}

#[test]
fn a_link_of_an_unknown_bank_still_has_a_header() {
    let run = save_run(None, 9999, "ab");
    assert_eq!(run.screen().bank.as_deref(), Some("agentId 9999"));
}

/// `record` with the certificate of [`issued`] kept in it, its act `accepted` or not.
fn kept(mut record: PendingRecord, serial: &str, key_id: &str, accepted: bool) -> PendingRecord {
    record.kept = Some(Box::new(smartkey_wizard::KeptCertificate {
        certificate: issued(serial, key_id).certificate,
        accepted,
    }));
    record
}

#[test]
fn an_accepted_certificate_kept_here_is_saved_without_the_bank() {
    // A renewal's save was interrupted after the bank confirmed the act, before the
    // certificate reached the new token: the record holds the certificate, accepted.
    let record = kept(renewal_record(), "02cc", "n3w", true);
    let mut run = save_run(Some(record), 5282, "5e5e");
    assert_eq!(
        names(&run.effects),
        ["list_tokens"],
        "neither asked nor signed"
    );
    assert_eq!(run.code(), "R2.11");
    run.present(vec![holding(NEW, "n3w", KeyType::Gost2012_256)]);
    run.next();
    assert_eq!(run.enter_pin(PIN), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn { serial: NEW.into() }),
        ["save_certificate"]
    );
    assert!(
        matches!(&run.effects[..], [Effect::SaveCertificate { key, certificate }]
            if key.serial == NEW && certificate.0 == b"cert-02cc")
    );
}

#[test]
fn a_kept_certificate_not_yet_accepted_is_fetched_and_accepted_again() {
    let record = kept(new_record(), "0c01", "k1", false);
    let mut run = save_run(Some(record), 6184, "00aa11bb");
    assert_eq!(names(&run.effects), ["list_tokens", "poll"]);
    issued_and_kept(&mut run, "0c01", "k1");
    logged_in_with_the_key(&mut run);
    assert_eq!(
        run.done(Outcome::CertificateSaved {
            serial: SERIAL.into(),
            key_id: "k1".into()
        }),
        ["sign_act"],
        "the act is signed (again): the bank answers a repeated one alike"
    );
}
