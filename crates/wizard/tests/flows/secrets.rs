//! No PIN anywhere: not in a state, a screen, a journal of inputs or effects, nor any
//! `Debug` output, over full runs of every flow.

use super::{destroy_flow, new_flow, renew_flow, save_flow};
use crate::support::*;
use smartkey_wizard::secret::REDACTED;
use smartkey_wizard::{Answer, Input};

/// Every PIN typed in the runs below (the factory defaults are not secrets).
const PINS: [&str; 7] = [
    "Qz7-user-pin",
    "Qz7-admin-pin",
    "Wq3-old-pin",
    "Wq3-new-pin",
    "Wq3-new-admin",
    "Zx5-user-pin",
    "Zx5",
];

#[test]
fn no_pin_in_any_state_screen_input_or_effect_of_a_full_run() {
    for (flow, run) in [
        ("new", new_flow::drive_new()),
        ("renew", renew_flow::drive_renew()),
        ("save new", save_flow::drive_save_new()),
        ("save renewal", save_flow::drive_save_renewal()),
        ("destroy", destroy_flow::drive_destroy()),
    ] {
        assert!(
            run.transcript.len() > 10_000,
            "{flow}: the transcript is too short to mean much"
        );
        for pin in PINS {
            assert!(!run.transcript.contains(pin), "{flow}: PIN {pin} leaked");
        }
        assert!(
            run.transcript.contains(REDACTED),
            "{flow}: PINs were entered and shown as hidden"
        );
    }
}

#[test]
fn inputs_journal_pins_as_a_marker_and_refuse_to_read_it_back() {
    let input = Input::Person(Answer::ChangePin {
        current: pin("12345678"),
        new: pin("Zx5-user-pin"),
        repeat: pin("Zx5-user-pin"),
    });
    let json = serde_json::to_string(&input).expect("serialises");
    assert!(
        !json.contains("Zx5") && !json.contains("12345678"),
        "{json}"
    );
    assert!(!format!("{input:?}").contains("Zx5"));
    let err = serde_json::from_str::<Input>(&json).expect_err("a hidden PIN is not a PIN");
    assert!(
        err.to_string().contains("replay script must give the PIN"),
        "{err}"
    );
    // A replay script gives its (test) PIN explicitly.
    let scripted: Input =
        serde_json::from_str(r#"{"person":{"pin":"Zx5-user-pin"}}"#).expect("reads");
    assert!(matches!(scripted, Input::Person(Answer::Pin(p)) if p.matches(&pin("Zx5-user-pin"))));
}
