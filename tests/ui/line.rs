//! Line mode: what a typed line means on each kind of screen.

use crate::ui_fixtures::*;
use smartkey::ui::line::{LineCommand, parse_line};
use smartkey_wizard::{Answer, FieldId, Screen};

fn shot(shots: &[(String, Screen)], name: &str) -> Screen {
    shots
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| panic!("no screen {name}"))
}

#[test]
fn enter_and_words_give_actions() {
    let shots = new_flow();
    let n2_2 = shot(&shots, "n2_2");
    assert!(matches!(
        parse_line("", &n2_2),
        LineCommand::Answer(Answer::Next)
    ));
    assert!(matches!(
        parse_line("next", &n2_2),
        LineCommand::Answer(Answer::Next)
    ));
    assert!(matches!(
        parse_line("  Далее ", &n2_2),
        LineCommand::Answer(Answer::Next)
    ));
    assert!(matches!(
        parse_line("назад", &n2_2),
        LineCommand::Answer(Answer::Back)
    ));
    assert!(matches!(
        parse_line("cancel", &n2_2),
        LineCommand::Answer(Answer::Cancel)
    ));
    assert!(matches!(parse_line("help", &n2_2), LineCommand::Help));
    assert!(matches!(parse_line("помощь", &n2_2), LineCommand::Help));
    assert!(matches!(parse_line("quit", &n2_2), LineCommand::Quit));
    assert!(matches!(parse_line("retry", &n2_2), LineCommand::Unknown(t) if t == "retry"));
    assert!(matches!(parse_line("blah", &n2_2), LineCommand::Unknown(_)));
}

#[test]
fn numbers_choose() {
    let screen = shot(&new_flow(), "n2_2_two_tokens");
    assert!(matches!(
        parse_line("2", &screen),
        LineCommand::Answer(Answer::Choose(1))
    ));
    assert!(matches!(parse_line("3", &screen), LineCommand::Unknown(_)));
    assert!(matches!(parse_line("0", &screen), LineCommand::Unknown(_)));
    assert!(matches!(
        parse_line("99999999999999999999999", &screen),
        LineCommand::Unknown(_)
    ));
}

#[test]
fn fields_are_set_by_name() {
    let screen = shot(&new_flow(), "n2_3_typing");
    assert!(matches!(
        parse_line("surname=Иванов", &screen),
        LineCommand::SetField(FieldId::Surname, v) if v == "Иванов"
    ));
    assert!(matches!(
        parse_line(":address ул. Вавилова, д. 19", &screen),
        LineCommand::SetField(FieldId::Address, v) if v == "ул. Вавилова, д. 19"
    ));
    assert!(matches!(
        parse_line(":city Моск", &screen),
        LineCommand::SetField(FieldId::City, v) if v == "Моск"
    ));
    assert!(matches!(
        parse_line("city=1", &screen),
        LineCommand::Answer(Answer::Select {
            field: FieldId::City,
            index: 0
        })
    ));
    assert!(matches!(
        parse_line("legal_entity=нет", &screen),
        LineCommand::Answer(Answer::Tick {
            field: FieldId::LegalEntity,
            on: false
        })
    ));
    assert!(
        matches!(parse_line("kio=123", &screen), LineCommand::Unknown(_)),
        "read-only"
    );
    assert!(matches!(
        parse_line("nosuch=1", &screen),
        LineCommand::Unknown(_)
    ));
    assert!(matches!(parse_line("=x", &screen), LineCommand::Unknown(_)));
}

#[test]
fn pins_are_never_taken_from_the_line() {
    let shots = new_flow();
    let n2_6 = shot(&shots, "n2_6");
    assert!(matches!(
        parse_line("", &n2_6),
        LineCommand::NeedsPin(FieldId::Pin)
    ));
    assert!(matches!(
        parse_line("pin", &n2_6),
        LineCommand::NeedsPin(FieldId::Pin)
    ));
    assert!(matches!(
        parse_line("pin=Qw7-user-pin", &n2_6),
        LineCommand::NeedsPin(FieldId::Pin)
    ));
    let n2_4 = shot(&shots, "n2_4");
    assert!(matches!(
        parse_line("", &n2_4),
        LineCommand::NeedsPin(FieldId::CurrentPin)
    ));
    let n2_2 = shot(&shots, "n2_2");
    assert!(matches!(parse_line("pin", &n2_2), LineCommand::Unknown(_)));
}

#[test]
fn confirm_needs_the_offer() {
    let shots = destroy_flow();
    let unticked = shot(&shots, "r2_13_payment");
    assert!(matches!(
        parse_line("да", &unticked),
        LineCommand::Unknown(_)
    ));
    assert!(matches!(
        parse_line("payment_went_through=yes", &unticked),
        LineCommand::Answer(Answer::Tick { on: true, .. })
    ));
    let ticked = shot(&shots, "r2_13_payment_ticked");
    assert!(matches!(
        parse_line("yes", &ticked),
        LineCommand::Answer(Answer::Confirm)
    ));
}
