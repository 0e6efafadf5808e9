//! The new-certificate flow, N2.1 to N2.8, step by step.

use crate::support::*;
use smartkey_wizard::FieldId;
use smartkey_wizard::screen::{ActionKind, Level, TokenMark, Widget};
use smartkey_wizard::{
    Answer, BankAnswer, DocumentKind, Effect, Ending, FailureKind, KeyType, Operation, Outcome,
    PendingRecord, PinRole, PinState, RequestKind, RequestPlan, Tries, Wizard,
};

const SERIAL: &str = "0A1B2C3D";
pub const NEW_PIN: &str = "Qz7-user-pin";
pub const NEW_ADMIN_PIN: &str = "Qz7-admin-pin";

pub fn new_run() -> Run {
    Run::new(Wizard::new_flow(start(nokss())))
}

/// Fills the N2.3 form for a company, picking the city from the suggestions.
pub fn fill_company(run: &mut Run) {
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
        // Each change is kept as the form's draft, and nothing else happens.
        let names = run.person(Answer::Edit {
            field,
            value: value.into(),
        });
        assert_eq!(names, ["save_draft"], "{field:?}");
        assert!(
            matches!(&run.effects[..], [Effect::SaveDraft(d)]
                if serde_json::to_value(&d.applicant).is_ok_and(|j| j
                    .as_object()
                    .is_some_and(|o| o.values().any(|v| v.as_str() == Some(value))))),
            "{field:?}: {:?}",
            run.effects
        );
    }
    run.person(Answer::Select {
        field: FieldId::City,
        index: 0,
    });
}

/// Drives the new flow to N2.6 with a token whose PINs are `user` and `admin`.
pub fn to_key_step(user: PinState, admin: PinState) -> Run {
    let mut run = new_run();
    run.present(vec![token(SERIAL, user, admin)]);
    run.next();
    run.next();
    fill_company(&mut run);
    run.next();
    run.next();
    run
}

#[test]
fn happy_path_n2_1_to_n2_8() {
    drive_new();
}

/// happy path n2 1 to n2 8, driven to its end; the run is kept for the secrets check.
pub fn drive_new() -> Run {
    let mut run = new_run();
    assert_eq!(names(&run.effects), ["list_tokens"]);
    assert_eq!(run.code(), "N2.1");
    assert!(run.says().contains(&"BankChosen"));
    assert!(run.screen().offers(ActionKind::Next));

    // N2.2: the one token.
    assert!(run.present(vec![fresh(SERIAL)]).is_empty());
    assert!(run.next().is_empty());
    assert_eq!(run.code(), "N2.2");
    let screen = run.screen();
    assert_eq!(screen.tokens.len(), 1);
    assert_eq!(screen.tokens[0].mark, TokenMark::Chosen);
    assert!(run.says().contains(&"RightCarrierWarning"));
    run.next();

    // N2.3: the form, then its review.
    assert_eq!(run.code(), "N2.3");
    fill_company(&mut run);
    let screen = run.screen();
    assert!(
        matches!(screen.field(FieldId::City), Some(Widget::Text { value, .. }) if value == "Москва")
    );
    assert!(
        matches!(screen.field(FieldId::Kio), Some(Widget::Text { read_only: true, value, .. }) if value.is_empty())
    );
    assert!(
        screen.fields.iter().all(|w| w.error().is_none()),
        "{:?}",
        screen.fields
    );
    assert!(run.next().is_empty());
    assert!(run.says().contains(&"FormReview"));
    assert!(run.next().is_empty());

    // N2.4 and N2.5: the default PINs changed.
    assert_eq!(run.code(), "N2.4");
    assert!(run.says().contains(&"PinUnsafe"));
    assert_eq!(run.change_pin("12345678", NEW_PIN, NEW_PIN), ["change_pin"]);
    assert!(matches!(
        &run.effects[0],
        Effect::ChangePin { serial, role: PinRole::User, .. } if serial == SERIAL
    ));
    assert!(run.wizard.is_busy());
    assert!(!run.screen().offers(ActionKind::Cancel));
    run.done(Outcome::PinChanged {
        serial: SERIAL.into(),
        role: PinRole::User,
    });
    assert_eq!(run.code(), "N2.5");
    assert_eq!(
        run.change_pin("87654321", NEW_ADMIN_PIN, NEW_ADMIN_PIN),
        ["change_pin"]
    );
    run.done(Outcome::PinChanged {
        serial: SERIAL.into(),
        role: PinRole::Admin,
    });

    // N2.6: the new PIN, the key, the request.
    assert_eq!(run.code(), "N2.6");
    assert!(matches!(
        run.screen().field(FieldId::Pin),
        Some(Widget::Pin { .. })
    ));
    assert_eq!(run.enter_pin(NEW_PIN), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["generate_key_pair"]
    );
    assert!(matches!(
        &run.effects[0],
        Effect::GenerateKeyPair { key_type: KeyType::Rsa2048, label, .. } if label == "smartkey 6184 20250314"
    ));
    assert!(run.screen().progress.is_some());
    assert_eq!(
        run.done(Outcome::KeyGenerated {
            serial: SERIAL.into(),
            key: key("k1", "smartkey 6184 20250314", KeyType::Rsa2048, None),
        }),
        ["build_request"]
    );
    assert!(matches!(
        &run.effects[0],
        Effect::BuildRequest(RequestPlan::New { agent_id: 6184, key, applicant, .. })
            if key.key_id == "k1" && applicant.surname == "Иванов" && applicant.city == "Москва"
    ));
    // The local record is written before the bank is told of the request.
    assert_eq!(
        run.done(Outcome::RequestBuilt {
            transaction: tx("00aa11bb")
        }),
        ["record_pending"]
    );
    let Effect::RecordPending(record) = &run.effects[0] else {
        panic!("a record is kept");
    };
    assert_eq!(record.kind, RequestKind::New);
    assert_eq!(record.key.key_id, "k1");
    assert_eq!(record.subject, "Иванов Иван Иванович, ООО \"Ромашка\"");
    assert_eq!(record.created, today());
    assert_eq!(record.kept, None);
    assert_eq!(run.done(Outcome::PendingRecorded), ["send_to_bank"]);
    assert_eq!(run.wizard.facts().pending.len(), 1);

    // N2.7: the application; the request is at the bank, so the form's draft is done
    // with.
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Waiting {
            check_after_secs: None,
            reason: vec![],
        })),
        ["clear_draft", "save_document"]
    );
    assert_eq!(run.wizard.facts().draft, None);
    assert_eq!(run.code(), "N2.7");
    assert!(
        matches!(&run.effects[1], Effect::SaveDocument { document } if document.kind == DocumentKind::Application)
    );
    let screen = run.screen();
    assert!(screen.document.is_some());
    assert!(run.says().contains(&"ApplicationSignAndSend"));
    run.done(Outcome::DocumentSaved {
        location: "заявление.pdf".into(),
    });
    assert!(run.says().contains(&"DocumentSavedAt"));

    // N2.8: waiting for the bank's e-mail.
    assert_eq!(run.next(), ["finish"]);
    assert_eq!(run.code(), "N2.8");
    assert_eq!(run.wizard.ending(), Some(&Ending::RequestSent));
    assert!(run.says().contains(&"TwoAndThreeDayRules"));
    assert_eq!(run.wizard.facts().pending.len(), 1);
    // Nothing moves a finished flow.
    assert!(run.next().is_empty());
    assert!(run.person(Answer::Cancel).is_empty());
    run
}

/// A first-certificate request of the bank, waiting since an earlier run.
fn waiting_record() -> PendingRecord {
    PendingRecord {
        agent_id: 6184,
        transaction: tx("77ee"),
        kind: RequestKind::New,
        key: smartkey_wizard::KeyRef {
            serial: SERIAL.into(),
            key_id: "k0".into(),
        },
        key_type: KeyType::Rsa2048,
        subject: "Иванов Иван Иванович".into(),
        created: date(2025, 3, 10),
        kept: None,
    }
}

#[test]
fn n2_1_chooses_among_banks_and_offers_a_waiting_request() {
    let mut s = start(nokss());
    s.bank = None;
    s.pending = vec![waiting_record()];
    let mut run = Run::new(Wizard::new_flow(s));
    assert_eq!(run.screen().choices.len(), 2);
    assert!(!run.screen().offers(ActionKind::Next));
    assert!(run.next().is_empty());
    assert_eq!(run.code(), "N2.1");
    run.person(Answer::Choose(0));
    run.next();
    assert_eq!(run.code(), "N2.1");
    assert!(run.says().contains(&"PendingFound"));
    assert_eq!(run.person(Answer::Choose(0)), ["poll"]);
    assert_eq!(run.code(), "N2.9");
    assert_eq!(run.wizard.flow(), smartkey_wizard::FlowKind::Save);
}

#[test]
fn n2_2_refuses_two_tokens_until_one_is_picked_and_its_serial_confirmed() {
    let mut run = new_run();
    run.next();
    run.present(vec![fresh("11112222"), fresh("33334444")]);
    assert_eq!(run.code(), "N2.2");
    let screen = run.screen();
    assert_eq!(
        screen.notice.as_ref().map(|n| n.text.id()),
        Some("SeveralTokens")
    );
    assert!(!screen.offers(ActionKind::Next));
    assert_eq!(screen.choices.len(), 2);
    run.next();
    assert_eq!(run.code(), "N2.2", "Next alone does not pick one of two");

    run.person(Answer::Choose(1));
    assert!(run.screen().field(FieldId::SerialTail).is_some());
    run.person(Answer::Edit {
        field: FieldId::SerialTail,
        value: "2222".into(),
    });
    run.next();
    assert_eq!(run.code(), "N2.2");
    assert!(
        matches!(run.screen().field(FieldId::SerialTail), Some(w) if w.error().map(|e| e.id()) == Some("SerialTailMismatch"))
    );
    run.person(Answer::Edit {
        field: FieldId::SerialTail,
        value: "4444".into(),
    });
    run.next();
    assert_eq!(run.code(), "N2.3");
    match run.wizard.step() {
        smartkey_wizard::Step::New(smartkey_wizard::new_flow::NewStep::Form(f)) => {
            assert_eq!(f.token, "33334444")
        }
        other => panic!("not the form: {other:?}"),
    }
}

#[test]
fn n2_2_goes_on_once_the_other_token_is_removed() {
    let mut run = new_run();
    run.next();
    run.present(vec![fresh("11112222"), fresh("33334444")]);
    run.person(Answer::Choose(0));
    run.remove("11112222");
    assert!(
        run.screen().field(FieldId::SerialTail).is_none(),
        "the picked token is gone"
    );
    assert!(run.screen().offers(ActionKind::Next));
    run.next();
    assert_eq!(run.code(), "N2.3");
}

#[test]
fn n2_2_refuses_a_token_with_a_locked_pin() {
    let mut run = new_run();
    run.next();
    let mut locked = fresh(SERIAL);
    locked.user_pin.locked = true;
    run.present(vec![locked]);
    run.next();
    assert_eq!(run.code(), "N2.2");
    assert!(run.says().contains(&"TokenPinLocked"));
    assert!(run.says().contains(&"CallSupport"));
}

#[test]
fn n2_3_checks_each_field_as_typed_and_all_on_next() {
    let mut run = new_run();
    run.present(vec![fresh(SERIAL)]);
    run.next();
    run.next();
    let error = |run: &Run, field| run.screen().field(field).and_then(|w| w.error().cloned());
    assert!(
        error(&run, FieldId::Surname).is_none(),
        "untouched fields show no error"
    );
    run.person(Answer::Edit {
        field: FieldId::Inn,
        value: "7707083894".into(),
    });
    assert!(matches!(
        error(&run, FieldId::Inn),
        Some(smartkey_wizard::Msg::FieldProblem {
            problem: smartkey_wizard::FieldProblem::InnCheckDigit,
            ..
        })
    ));
    assert!(error(&run, FieldId::Surname).is_none());
    run.next();
    assert_eq!(run.code(), "N2.3");
    assert!(
        error(&run, FieldId::Surname).is_some(),
        "Next shows every problem"
    );
    assert_eq!(run.screen().notice.map(|n| n.level), Some(Level::Error));

    // The sole-proprietor rule, in full.
    fill_company(&mut run);
    run.person(Answer::Edit {
        field: FieldId::Inn,
        value: "500100732259".into(),
    });
    run.person(Answer::Edit {
        field: FieldId::Organization,
        value: "ИП Иванов И. И.".into(),
    });
    assert!(matches!(
        error(&run, FieldId::Organization),
        Some(smartkey_wizard::Msg::FieldProblem {
            problem: smartkey_wizard::FieldProblem::Abbreviated,
            ..
        })
    ));
    run.person(Answer::Edit {
        field: FieldId::Organization,
        value: "Индивидуальный предприниматель Иванов Иван Иванович".into(),
    });
    assert!(error(&run, FieldId::Organization).is_none());

    // A city must come from the list; suggestions come from the first letters.
    run.person(Answer::Edit {
        field: FieldId::City,
        value: "Атлантида".into(),
    });
    assert!(error(&run, FieldId::City).is_some());
    run.person(Answer::Edit {
        field: FieldId::City,
        value: "санкт".into(),
    });
    match run.screen().field(FieldId::City) {
        Some(Widget::Text { suggestions, .. }) => {
            assert!(
                suggestions[0].starts_with("Санкт-Петербург"),
                "{suggestions:?}"
            )
        }
        other => panic!("no city field: {other:?}"),
    }
    run.person(Answer::Select {
        field: FieldId::City,
        index: 0,
    });
    run.person(Answer::Select {
        field: FieldId::City,
        index: 99,
    });
    assert!(error(&run, FieldId::City).is_none());

    run.next();
    assert!(run.says().contains(&"FormReview"));
    assert!(run.screen().fields.iter().all(|w| !matches!(
        w,
        Widget::Text {
            read_only: false,
            ..
        }
    )));
    run.person(Answer::Back);
    assert!(run.says().contains(&"FormIntro"), "back to editing");
    // Back to N2.2 and forward again: the form is kept.
    run.person(Answer::Back);
    assert_eq!(run.code(), "N2.2");
    run.next();
    assert_eq!(run.code(), "N2.3");
    assert!(
        matches!(run.screen().field(FieldId::Surname), Some(Widget::Text { value, .. }) if value == "Иванов")
    );
    run.next();
    run.next();
    assert_eq!(run.code(), "N2.4");
}

#[test]
fn n2_4_checks_the_pin_policy_before_any_effect() {
    let mut run = to_key_step(PinState::FACTORY, PinState::FACTORY);
    assert_eq!(run.code(), "N2.4");
    for (new, repeat, problem) in [
        ("Qz7-user-pin", "Qz7-user-piN", "Mismatch"),
        ("abc", "abc", "TooShort"),
        ("87654321", "87654321", "FactoryDefault"),
        ("12345678", "12345678", "FactoryDefault"),
        ("with space", "with space", "BadCharacters"),
    ] {
        assert!(
            run.change_pin("12345678", new, repeat).is_empty(),
            "{new} reached the token"
        );
        let notice = run.screen().notice.expect("a notice");
        match notice.text {
            smartkey_wizard::Msg::PinPolicy { problem: p, .. } => {
                assert!(format!("{p:?}").starts_with(problem), "{p:?}")
            }
            other => panic!("not a policy notice: {other:?}"),
        }
    }
}

#[test]
fn n2_4_wrong_pin_shows_tries_then_last_try_then_locked() {
    let mut run = to_key_step(PinState::FACTORY, PinState::FACTORY);
    run.change_pin("11111111", NEW_PIN, NEW_PIN);
    run.fail(
        Operation::ChangePin,
        FailureKind::WrongPin {
            role: PinRole::User,
            tries: Tries::Exactly(2),
        },
    );
    assert_eq!(run.code(), "N2.4");
    let notice = run.screen().notice.expect("tries left are shown");
    assert_eq!(notice.level, Level::Warning);
    assert!(matches!(
        notice.text,
        smartkey_wizard::Msg::WrongPin {
            tries: Tries::Exactly(2),
            ..
        }
    ));
    assert!(
        run.screen().offers(ActionKind::SubmitPinChange),
        "the person tries again, not the wizard"
    );

    run.change_pin("22222222", NEW_PIN, NEW_PIN);
    run.fail(
        Operation::ChangePin,
        FailureKind::WrongPin {
            role: PinRole::User,
            tries: Tries::Exactly(1),
        },
    );
    let notice = run.screen().notice.expect("the last try is flagged");
    assert_eq!(notice.level, Level::Danger);
    assert_eq!(notice.text.id(), "WrongPinLastTry");

    run.change_pin("33333333", NEW_PIN, NEW_PIN);
    assert_eq!(
        run.fail(
            Operation::ChangePin,
            FailureKind::PinLocked {
                role: PinRole::User
            }
        ),
        ["finish"]
    );
    assert_eq!(
        run.wizard.ending(),
        Some(&Ending::PinLocked {
            role: PinRole::User
        })
    );
    assert_eq!(run.code(), "N2.4");
    let screen = run.screen();
    assert!(screen.body.contains(&smartkey_wizard::Msg::CallSupport {
        contact: Some("8-800-200-999-7".into())
    }));
}

#[test]
fn resumed_after_the_pin_change_asks_no_second_change() {
    let run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    assert_eq!(
        run.code(),
        "N2.6",
        "both PINs were changed in an earlier run"
    );
    assert!(
        !run.transcript.contains("\"N2.4\""),
        "no N2.4 screen was shown"
    );
    assert!(
        !run.transcript.contains("\"N2.5\""),
        "no N2.5 screen was shown"
    );
    assert!(!run.transcript.contains("change_pin"));
    let mut run = to_key_step(PinState::CHANGED, PinState::FACTORY);
    assert_eq!(run.code(), "N2.5");
    assert!(!run.transcript.contains("\"N2.4\""));
    run.change_pin("87654321", NEW_ADMIN_PIN, NEW_ADMIN_PIN);
    run.done(Outcome::PinChanged {
        serial: SERIAL.into(),
        role: PinRole::Admin,
    });
    assert_eq!(run.code(), "N2.6");
}

#[test]
fn a_pin_change_finished_while_the_token_was_out_is_not_asked_again() {
    let mut run = to_key_step(PinState::FACTORY, PinState::CHANGED);
    run.change_pin("12345678", NEW_PIN, NEW_PIN);
    run.remove(SERIAL);
    assert_eq!(run.code(), "N2.4");
    assert!(run.says().contains(&"TokenRemovedRepeat"));
    assert!(run.says().contains(&"InsertTokenSerial"));
    // The late failure of the interrupted change is not the person's attempt.
    assert!(
        run.fail(Operation::ChangePin, FailureKind::TokenRemoved)
            .is_empty()
    );
    // Put back, the token says its PIN is no longer the default: the change went through.
    run.insert(in_use(SERIAL));
    assert_eq!(run.code(), "N2.6");
}

#[test]
fn n2_6_resumed_after_key_generation_offers_the_key_for_reuse() {
    let mut t = in_use(SERIAL);
    t.keys = vec![
        key("k1", "smartkey 6184 20250313", KeyType::Rsa2048, None),
        key("other", "browser plugin key", KeyType::Rsa2048, None),
    ];
    let mut run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    run.insert(t);
    assert_eq!(run.code(), "N2.6");
    let screen = run.screen();
    assert_eq!(
        screen.notice.as_ref().map(|n| n.text.id()),
        Some("LeftoverKeys")
    );
    assert_eq!(
        screen.choices.iter().map(|c| c.id()).collect::<Vec<_>>(),
        [
            "ReuseKey",
            "DeleteLeftoversAndGenerate",
            "KeepLeftoversAndGenerate"
        ],
        "only this program's key is offered"
    );
    assert!(
        screen.field(FieldId::Pin).is_none(),
        "the question comes first"
    );
    assert!(run.enter_pin(NEW_PIN).is_empty());
    run.person(Answer::Choose(0));
    assert!(run.says().contains(&"KeyWillBeReused"));
    assert_eq!(run.enter_pin(NEW_PIN), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["build_request"],
        "no second key is made"
    );
    assert!(
        matches!(&run.effects[0], Effect::BuildRequest(RequestPlan::New { key, .. }) if key.key_id == "k1")
    );
}

#[test]
fn n2_6_a_leftover_key_can_be_deleted_first() {
    let mut t = in_use(SERIAL);
    t.keys = vec![key("k1", "smartkey 6184 20250313", KeyType::Rsa2048, None)];
    let mut run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    run.insert(t);
    run.person(Answer::Choose(1));
    run.enter_pin(NEW_PIN);
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["delete_key"]
    );
    assert!(matches!(
        run.screen().progress,
        Some(smartkey_wizard::Progress::Count {
            done: 0,
            total: 1,
            ..
        })
    ));
    assert_eq!(
        run.done(Outcome::KeyDeleted {
            serial: SERIAL.into(),
            key_id: "k1".into()
        }),
        ["generate_key_pair"]
    );
}

#[test]
fn n2_6_a_key_waiting_for_its_certificate_is_never_offered() {
    let mut s = start(nokss());
    s.pending = vec![PendingRecord {
        agent_id: 5282,
        transaction: tx("99"),
        kind: RequestKind::New,
        key: smartkey_wizard::KeyRef {
            serial: SERIAL.into(),
            key_id: "k9".into(),
        },
        key_type: KeyType::Rsa2048,
        subject: "other bank".into(),
        created: today(),
        kept: None,
    }];
    let mut run = Run::new(Wizard::new_flow(s));
    let mut t = in_use(SERIAL);
    t.keys = vec![key("k9", "smartkey 5282 20250301", KeyType::Rsa2048, None)];
    run.present(vec![t]);
    run.next();
    run.next();
    fill_company(&mut run);
    run.next();
    run.next();
    assert_eq!(run.code(), "N2.6");
    assert!(run.screen().choices.is_empty());
    assert_eq!(run.enter_pin(NEW_PIN), ["login"]);
}

#[test]
fn n2_6_token_removed_during_key_generation_then_put_back() {
    let mut run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    run.enter_pin(NEW_PIN);
    run.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    assert!(run.wizard.is_busy());
    run.remove(SERIAL);
    assert_eq!(run.code(), "N2.6");
    assert!(!run.wizard.is_busy());
    assert!(run.says().contains(&"TokenRemovedRepeat"));
    assert!(
        run.says().contains(&"InsertTokenSerial"),
        "the screen asks to re-insert"
    );
    assert!(
        run.enter_pin(NEW_PIN).is_empty(),
        "no PIN goes to an absent token"
    );
    // The generation did finish on the token before it went out.
    assert!(
        run.fail(Operation::GenerateKeyPair, FailureKind::TokenRemoved)
            .is_empty()
    );
    let mut back = in_use(SERIAL);
    back.keys = vec![key("k1", "smartkey 6184 20250314", KeyType::Rsa2048, None)];
    run.insert(back);
    assert_eq!(run.screen().choices[0].id(), "ReuseKey");
    run.person(Answer::Choose(0));
    assert_eq!(run.enter_pin(NEW_PIN), ["login"]);
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["build_request"]
    );
}

#[test]
fn n2_6_a_late_key_generated_answer_is_kept() {
    let mut run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    run.enter_pin(NEW_PIN);
    run.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    run.remove(SERIAL);
    run.done(Outcome::KeyGenerated {
        serial: SERIAL.into(),
        key: key("k1", "smartkey 6184 20250314", KeyType::Rsa2048, None),
    });
    run.insert(in_use(SERIAL));
    assert!(run.says().contains(&"KeyWillBeReused"));
    run.enter_pin(NEW_PIN);
    run.insert({
        let mut t = in_use(SERIAL);
        t.keys = vec![key("k1", "smartkey 6184 20250314", KeyType::Rsa2048, None)];
        t
    });
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["build_request"]
    );
}

#[test]
fn n2_6_token_removed_while_the_request_is_signed_keeps_the_key() {
    let mut run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    run.enter_pin(NEW_PIN);
    run.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    run.done(Outcome::KeyGenerated {
        serial: SERIAL.into(),
        key: key("k1", "smartkey 6184 20250314", KeyType::Rsa2048, None),
    });
    run.remove(SERIAL);
    assert!(run.says().contains(&"TokenRemovedRepeat"));
    let mut back = in_use(SERIAL);
    back.keys = vec![key("k1", "smartkey 6184 20250314", KeyType::Rsa2048, None)];
    run.insert(back);
    assert!(
        run.screen().choices.is_empty(),
        "its own key is not a leftover"
    );
    run.enter_pin(NEW_PIN);
    assert_eq!(
        run.done(Outcome::LoggedIn {
            serial: SERIAL.into()
        }),
        ["build_request"]
    );
    assert!(
        matches!(&run.effects[0], Effect::BuildRequest(RequestPlan::New { key, .. }) if key.key_id == "k1")
    );
}

/// N2.6 up to the request built (its record is being written).
fn built() -> Run {
    let mut run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    run.enter_pin(NEW_PIN);
    run.done(Outcome::LoggedIn {
        serial: SERIAL.into(),
    });
    run.done(Outcome::KeyGenerated {
        serial: SERIAL.into(),
        key: key("k1", "smartkey 6184 20250314", KeyType::Rsa2048, None),
    });
    // The record is written before the bank is told.
    assert_eq!(
        run.done(Outcome::RequestBuilt {
            transaction: tx("00aa11bb"),
        }),
        ["record_pending"]
    );
    run
}

/// N2.6 up to the request sent.
fn sent() -> Run {
    let mut run = built();
    assert_eq!(run.done(Outcome::PendingRecorded), ["send_to_bank"]);
    run
}

#[test]
fn n2_6_the_bank_rejects() {
    let mut run = sent();
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Rejected {
            reasons: vec!["ИНН не совпадает с карточкой".into()],
        })),
        ["clear_pending", "finish"],
        "a refused request's record is done with"
    );
    assert!(run.wizard.facts().pending.is_empty());
    assert!(
        matches!(run.wizard.ending(), Some(Ending::Rejected { reasons }) if reasons.len() == 1)
    );
    assert!(run.says().contains(&"RejectedReasons"));
}

#[test]
fn n2_6_network_failure_is_retried_by_the_person() {
    let mut run = sent();
    assert!(
        run.fail(
            Operation::SendToBank,
            FailureKind::BankUnreachable {
                detail: "timed out".into()
            }
        )
        .is_empty()
    );
    assert!(run.screen().offers(ActionKind::Retry));
    assert_eq!(run.person(Answer::Retry), ["send_to_bank"]);
    run.fail(
        Operation::RecordPending,
        FailureKind::Storage { detail: "x".into() },
    );
    assert_eq!(
        run.code(),
        "N2.6",
        "a failure of another operation is not this one's"
    );
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Waiting {
            check_after_secs: Some(60),
            reason: vec![],
        })),
        ["clear_draft", "save_document"]
    );
    run.fail(
        Operation::SaveDocument,
        FailureKind::Storage {
            detail: "read-only".into(),
        },
    );
    assert_eq!(run.person(Answer::Retry), ["save_document"]);
}

#[test]
fn n2_6_issued_at_once_goes_on_to_saving_after_n2_7() {
    let mut run = sent();
    assert_eq!(
        run.done(Outcome::BankAnswered(BankAnswer::Issued(issued(
            "0c", "k1",
        )))),
        ["record_pending"],
        "the certificate is kept with the record first"
    );
    assert!(matches!(&run.effects[..], [Effect::RecordPending(r)] if r.kept.is_some()));
    run.done(Outcome::PendingRecorded);
    run.done(Outcome::DocumentSaved {
        location: "a.pdf".into(),
    });
    run.next();
    assert_eq!(run.code(), "N2.9");
    assert!(run.wizard.ending().is_none());
}

#[test]
fn cancel_stops_where_nothing_runs() {
    let mut run = to_key_step(PinState::CHANGED, PinState::CHANGED);
    run.enter_pin(NEW_PIN);
    assert!(
        run.person(Answer::Cancel).is_empty(),
        "not in the middle of a login"
    );
    run.fail(
        Operation::Login,
        FailureKind::WrongPin {
            role: PinRole::User,
            tries: Tries::Exactly(9),
        },
    );
    assert!(run.screen().offers(ActionKind::Cancel));
    assert_eq!(run.person(Answer::Cancel), ["finish"]);
    assert_eq!(run.wizard.ending(), Some(&Ending::Cancelled));
    assert_eq!(run.code(), "N2.6");
    assert!(run.says().contains(&"CancelledNothingLost"));
}

#[test]
fn n2_1_a_waiting_request_is_the_default_and_a_second_one_is_deliberate() {
    // Enter at the first screen continues the waiting request: no second key or request.
    let mut s = start(nokss());
    s.pending = vec![waiting_record()];
    let mut run = Run::new(Wizard::new_flow(s));
    run.present(vec![fresh(SERIAL)]);
    assert_eq!(run.code(), "N2.1");
    assert!(run.says().contains(&"PendingFound"));
    let screen = run.screen();
    assert_eq!(screen.actions[0].kind, ActionKind::Next);
    assert_eq!(
        screen.actions[0].label,
        smartkey_wizard::Msg::ActionContinueRequest
    );
    assert!(screen.offers(ActionKind::Confirm));
    assert_eq!(run.next(), ["poll"]);
    assert_eq!(run.code(), "N2.9");
    assert!(
        matches!(&run.effects[..], [Effect::Poll { pickup }] if pickup.transaction.0 == "77ee")
    );

    // A new application takes the explicit confirmation.
    let mut s = start(nokss());
    s.pending = vec![waiting_record()];
    let mut run = Run::new(Wizard::new_flow(s));
    run.present(vec![fresh(SERIAL)]);
    assert!(run.person(Answer::Confirm).is_empty());
    assert_eq!(run.code(), "N2.2");
}

#[test]
fn n2_3_offers_the_form_an_earlier_run_left() {
    let mut run = new_run();
    run.present(vec![fresh(SERIAL)]);
    run.next();
    run.next();
    fill_company(&mut run);
    let Some(Effect::SaveDraft(draft)) = run.effects.first() else {
        panic!("the form is kept as it is typed: {:?}", run.effects);
    };
    let draft = draft.clone();
    let typed = serde_json::to_string(&draft).expect("a draft serialises");

    // The run ends (the program is killed); `new` starts again with the draft.
    let mut s = start(nokss());
    s.draft = Some(draft.clone());
    let mut again = Run::new(Wizard::new_flow(s));
    again.present(vec![fresh(SERIAL)]);
    again.next();
    again.next();
    assert_eq!(again.code(), "N2.3");
    assert!(again.says().contains(&"FormDraftRestored"));
    let value = |screen: &smartkey_wizard::Screen, id: FieldId| {
        screen.fields.iter().find_map(|w| match w {
            Widget::Text { id: i, value, .. } if *i == id => Some(value.clone()),
            _ => None,
        })
    };
    let screen = again.screen();
    assert_eq!(value(&screen, FieldId::Surname).as_deref(), Some("Иванов"));
    assert_eq!(
        value(&screen, FieldId::Email).as_deref(),
        Some("ivanov@example.ru")
    );
    assert_eq!(
        value(&screen, FieldId::City),
        Some(draft.applicant.city.clone())
    );
    // Next goes on to the review without typing anything again.
    again.next();
    assert!(again.says().contains(&"FormReview"), "{typed}");

    // A draft for another bank is not offered.
    let mut s = start(nokss());
    let mut other = draft;
    other.agent_id = 5282;
    s.draft = Some(other);
    let mut third = Run::new(Wizard::new_flow(s));
    third.present(vec![fresh(SERIAL)]);
    third.next();
    third.next();
    assert_eq!(third.code(), "N2.3");
    assert!(!third.says().contains(&"FormDraftRestored"));
}

#[test]
fn n2_6_nothing_goes_to_the_bank_before_the_record_is_written() {
    let mut run = built();
    assert!(
        run.fail(
            Operation::RecordPending,
            FailureKind::Storage {
                detail: "disk full".into()
            }
        )
        .is_empty(),
        "not sent while it cannot be recorded"
    );
    assert!(run.screen().offers(ActionKind::Retry));
    assert_eq!(run.person(Answer::Retry), ["record_pending"]);
    assert_eq!(run.done(Outcome::PendingRecorded), ["send_to_bank"]);
}
