//! The plain text renderer: whole screens in both languages, and what it must never
//! print.

use crate::ui_fixtures::*;
use smartkey::ui::text::render_screen;
use smartkey_wizard::Screen;

fn shot(shots: &[(String, Screen)], name: &str) -> Screen {
    shots
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| panic!("no screen {name}"))
}

#[test]
fn text_of_a_few_screens_in_both_languages() {
    let mut shots = new_flow();
    shots.extend(save_flow());
    shots.extend(destroy_flow());
    for name in [
        "n2_2_two_tokens",
        "n2_3_typing",
        "n2_4_wrong_pin",
        "n2_6_generating",
        "n2_10",
        "r2_13_payment",
    ] {
        let screen = shot(&shots, name);
        for (catalogue, lang) in languages() {
            insta::assert_snapshot!(
                format!("text_{name}_{lang}"),
                render_screen(&screen, &catalogue)
            );
        }
    }
}

#[test]
fn every_screen_has_its_header_and_no_escapes() {
    let mut shots = new_flow();
    shots.extend(renew_flow());
    shots.extend(save_flow());
    shots.extend(destroy_flow());
    for (name, screen) in &shots {
        for (catalogue, _) in languages() {
            let text = render_screen(screen, &catalogue);
            assert!(
                text.starts_with(&format!("[{}] ", screen.code.as_str())),
                "{name}: {text}"
            );
            assert!(text.contains("K7Q2"), "{name}");
            assert!(!text.contains('\u{1b}'), "{name}: no escapes");
            assert_eq!(text, render_screen(screen, &catalogue), "deterministic");
        }
    }
}

#[test]
fn pin_fields_show_lengths_only() {
    let screen = shot(&new_flow(), "n2_6");
    for (catalogue, lang) in languages() {
        let text = render_screen(&screen, &catalogue);
        let expected = if lang == "ru" {
            "от 6 до 32 символов"
        } else {
            "6 to 32 characters"
        };
        assert!(text.contains(expected), "{text}");
        assert!(text.contains("(pin)"), "the field's line-mode name: {text}");
    }
}
