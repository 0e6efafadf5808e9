//! Every screen the wizard shows, drawn at 80x24 without colours, in Russian and
//! English: one snapshot per step, language and variant ("n2_4_wrong_pin_ru").

use crate::ui_fixtures::*;
use smartkey::ui::tui::UiState;
use smartkey_wizard::Screen;

fn snapshot_all(shots: Vec<(String, Screen)>) {
    assert!(!shots.is_empty());
    for (name, screen) in shots {
        let mut state = UiState::new();
        state.sync(&screen);
        for (catalogue, lang) in languages() {
            let drawn = draw_to_string(&screen, &catalogue, &state, 80, 24);
            insta::assert_snapshot!(format!("{name}_{lang}"), drawn);
        }
    }
}

#[test]
fn new_flow_screens() {
    snapshot_all(new_flow());
}

#[test]
fn renew_flow_screens() {
    snapshot_all(renew_flow());
}

#[test]
fn save_flow_screens() {
    snapshot_all(save_flow());
}

#[test]
fn destroy_flow_screens() {
    snapshot_all(destroy_flow());
}
