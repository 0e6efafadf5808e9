//! Keys to answers on real screens, the PIN buffers, and the sizes the view survives.

use crate::ui_fixtures::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smartkey::ui::text::render_screen;
use smartkey::ui::tui::UiState;
use smartkey_i18n::{Catalogue, Lang};
use smartkey_wizard::Msg;
use smartkey_wizard::Pin;
use smartkey_wizard::{Action, ActionKind, Answer, FieldId, Screen, Widget};

const TYPED_PIN: &str = "Qw7-user-pin";

fn shot(shots: &[(String, Screen)], name: &str) -> Screen {
    shots
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| panic!("no screen {name}"))
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn type_text(state: &mut UiState, screen: &Screen, text: &str) -> Vec<Answer> {
    text.chars()
        .filter_map(|c| state.on_key(key(KeyCode::Char(c)), screen))
        .collect()
}

/// The PIN an answer carries, compared without printing it.
fn pin_is(pin: &Pin, text: &str) -> bool {
    pin.matches(&Pin::new(text.into()))
}

/// Presses Tab until `field` has the focus (the view marks it with "> ").
fn focus_field(state: &mut UiState, screen: &Screen, field: FieldId) {
    let index = screen
        .fields
        .iter()
        .filter(|w| {
            !matches!(
                w,
                Widget::Text {
                    read_only: true,
                    ..
                }
            )
        })
        .position(|w| w.id() == field)
        .unwrap_or_else(|| panic!("{field:?} is on the screen"));
    for _ in 0..index {
        state.on_key(key(KeyCode::Tab), screen);
    }
}

#[test]
fn typing_into_a_text_field_edits_it() {
    let screen = shot(&new_flow(), "n2_3_empty");
    let mut state = UiState::new();
    state.sync(&screen);
    focus_field(&mut state, &screen, FieldId::Surname);
    let answers = type_text(&mut state, &screen, "И");
    assert!(matches!(
        &answers[..],
        [Answer::Edit { field: FieldId::Surname, value }] if value == "И"
    ));
    // Backspace on an empty field sends nothing.
    assert!(state.on_key(key(KeyCode::Backspace), &screen).is_none());
}

#[test]
fn down_and_enter_pick_a_city_suggestion() {
    let screen = shot(&new_flow(), "n2_3_typing");
    let mut state = UiState::new();
    state.sync(&screen);
    focus_field(&mut state, &screen, FieldId::City);
    assert!(matches!(
        screen.field(FieldId::City),
        Some(Widget::Text { suggestions, .. }) if !suggestions.is_empty()
    ));
    assert!(state.on_key(key(KeyCode::Down), &screen).is_none());
    assert!(matches!(
        state.on_key(key(KeyCode::Enter), &screen),
        Some(Answer::Select {
            field: FieldId::City,
            index: 0
        })
    ));
    let drawn = draw_to_string(&screen, &Catalogue::new(Lang::Ru), &state, 80, 24);
    insta::assert_snapshot!("n2_3_city_focused_ru", drawn);
}

#[test]
fn enter_on_a_pin_screen_submits_the_pin_and_clears_it() {
    let screen = shot(&new_flow(), "n2_6");
    let mut state = UiState::new();
    state.sync(&screen);
    assert!(type_text(&mut state, &screen, TYPED_PIN).is_empty());
    assert_eq!(state.pin_len(FieldId::Pin), TYPED_PIN.len());
    let drawn = draw_to_string(&screen, &Catalogue::new(Lang::En), &state, 80, 24);
    assert!(drawn.contains(&"•".repeat(TYPED_PIN.len())), "{drawn}");
    match state.on_key(key(KeyCode::Enter), &screen) {
        Some(Answer::Pin(pin)) => assert!(pin_is(&pin, TYPED_PIN)),
        _ => panic!("Enter submits the PIN"),
    }
    assert_eq!(state.pin_len(FieldId::Pin), 0);
}

#[test]
fn the_pin_change_form_moves_on_then_submits_all_three() {
    let screen = shot(&new_flow(), "n2_4");
    let mut state = UiState::new();
    state.sync(&screen);
    type_text(&mut state, &screen, "12345678");
    assert!(state.on_key(key(KeyCode::Enter), &screen).is_none());
    type_text(&mut state, &screen, TYPED_PIN);
    assert!(state.on_key(key(KeyCode::Enter), &screen).is_none());
    type_text(&mut state, &screen, TYPED_PIN);
    match state.on_key(key(KeyCode::Enter), &screen) {
        Some(Answer::ChangePin {
            current,
            new,
            repeat,
        }) => {
            assert!(pin_is(&current, "12345678"));
            assert!(pin_is(&new, TYPED_PIN));
            assert!(pin_is(&repeat, TYPED_PIN));
        }
        _ => panic!("the last Enter submits the form"),
    }
    for f in [FieldId::CurrentPin, FieldId::NewPin, FieldId::RepeatPin] {
        assert_eq!(state.pin_len(f), 0);
    }
}

#[test]
fn a_typed_pin_never_shows() {
    let shots = new_flow();
    for name in ["n2_4", "n2_6"] {
        let screen = shot(&shots, name);
        let mut state = UiState::new();
        state.sync(&screen);
        for _ in 0..3 {
            type_text(&mut state, &screen, TYPED_PIN);
            state.on_key(key(KeyCode::Tab), &screen);
        }
        for (catalogue, _) in languages() {
            for (w, h) in [(80, 24), (120, 40), (40, 10)] {
                let drawn = draw_to_string(&screen, &catalogue, &state, w, h);
                assert!(!drawn.contains(TYPED_PIN), "{drawn}");
                assert!(!drawn.contains("Qw7"), "{drawn}");
            }
            let text = render_screen(&screen, &catalogue);
            assert!(!text.contains("Qw7"), "{text}");
        }
    }
}

#[test]
fn keys_for_back_cancel_and_choices() {
    let shots = new_flow();
    let screen = shot(&shots, "n2_2_two_tokens");
    let mut state = UiState::new();
    state.sync(&screen);
    assert!(matches!(
        state.on_key(key(KeyCode::Char('2')), &screen),
        Some(Answer::Choose(1))
    ));
    assert!(state.on_key(key(KeyCode::Char('9')), &screen).is_none());
    assert!(matches!(
        state.on_key(key(KeyCode::Esc), &screen),
        Some(Answer::Back)
    ));
    assert!(matches!(
        state.on_key(key(KeyCode::F(10)), &screen),
        Some(Answer::Cancel)
    ));
    assert!(matches!(
        state.on_key(
            KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL),
            &screen
        ),
        Some(Answer::Cancel)
    ));
    // Enter on a focused entry chooses it.
    let mut state = UiState::new();
    state.sync(&screen);
    state.on_key(key(KeyCode::Down), &screen);
    assert!(matches!(
        state.on_key(key(KeyCode::Enter), &screen),
        Some(Answer::Choose(1))
    ));
}

#[test]
fn space_ticks_the_checkbox() {
    let screen = shot(&destroy_flow(), "r2_13_payment");
    let mut state = UiState::new();
    state.sync(&screen);
    assert!(matches!(
        state.on_key(key(KeyCode::Char(' ')), &screen),
        Some(Answer::Tick {
            field: FieldId::PaymentWentThrough,
            on: true
        })
    ));
}

#[test]
fn every_screen_draws_at_every_size_and_any_key_is_safe() {
    let mut shots = new_flow();
    shots.extend(renew_flow());
    shots.extend(save_flow());
    shots.extend(destroy_flow());
    let keys = [
        KeyCode::Enter,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageDown,
        KeyCode::PageUp,
        KeyCode::Backspace,
        KeyCode::Char(' '),
        KeyCode::Char('1'),
        KeyCode::Char('ж'),
        KeyCode::F(2),
        KeyCode::F(5),
        KeyCode::Home,
    ];
    for (_, screen) in &shots {
        let mut state = UiState::new();
        state.sync(screen);
        for k in keys {
            let _ = state.on_key(key(k), screen);
            for (catalogue, _) in languages() {
                for (w, h) in [(80, 24), (120, 40), (20, 5), (1, 1), (0, 0)] {
                    draw_to_string(screen, &catalogue, &state, w, h);
                }
            }
        }
    }
}

#[test]
fn a_small_terminal_asks_for_a_larger_window() {
    let screen = shot(&new_flow(), "n2_1");
    let state = UiState::new();
    let drawn = draw_to_string(&screen, &Catalogue::new(Lang::En), &state, 20, 5);
    assert!(drawn.contains("larger"), "{drawn}");
    let drawn = draw_to_string(&screen, &Catalogue::new(Lang::Ru), &state, 20, 5);
    assert!(drawn.contains("Увеличьте"), "{drawn}");
    let big = draw_to_string(&screen, &Catalogue::new(Lang::En), &state, 120, 40);
    assert!(big.contains("[N2.1]"), "{big}");
    insta::assert_snapshot!("n2_1_120x40_en", big);
}

#[test]
fn enter_picks_an_entry_of_the_list_then_goes_on() {
    // N2.1 keeps the list of banks after the choice and waits for "Next": Enter picks
    // from the list while the step offers nothing else, then goes on; it picks again
    // only an entry the person has moved to.
    let before = shot(&new_flow(), "n2_1_choose_bank");
    assert!(before.choices.len() > 1 && !before.offers(ActionKind::Next));
    // As the step shows itself once a bank is chosen: the list stays, "Next" comes.
    let mut after = before.clone();
    after.actions.insert(
        0,
        Action {
            kind: ActionKind::Next,
            label: Msg::ActionNext,
        },
    );
    let mut state = UiState::new();
    state.sync(&before);
    assert!(matches!(
        state.on_key(key(KeyCode::Enter), &before),
        Some(Answer::Choose(0))
    ));
    state.sync(&after);
    assert!(matches!(
        state.on_key(key(KeyCode::Enter), &after),
        Some(Answer::Next)
    ));
    state.on_key(key(KeyCode::Down), &after);
    assert!(
        matches!(
            state.on_key(key(KeyCode::Enter), &after),
            Some(Answer::Choose(1))
        ),
        "the entry moved to is chosen first"
    );
    assert!(matches!(
        state.on_key(key(KeyCode::Enter), &after),
        Some(Answer::Next)
    ));

    // A bank given beforehand: Enter goes on at once.
    let mut state = UiState::new();
    state.sync(&after);
    assert!(matches!(
        state.on_key(key(KeyCode::Enter), &after),
        Some(Answer::Next)
    ));
    // A digit chooses; Enter then goes on.
    assert!(matches!(
        state.on_key(key(KeyCode::Char('2')), &after),
        Some(Answer::Choose(1))
    ));
    state.on_key(key(KeyCode::Down), &after);
    assert!(matches!(
        state.on_key(key(KeyCode::Enter), &after),
        Some(Answer::Next)
    ));
}
