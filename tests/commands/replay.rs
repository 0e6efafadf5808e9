//! Record and replay through the real binary: `smartkey demo --record` writes a run
//! down, `smartkey replay` plays it again in a fresh demo environment and compares every
//! checkpoint's screen; a changed label fails with a diff naming the step; `--update`
//! takes the screens shown; `--cast` writes an asciinema recording; no PIN is ever
//! written.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::*;

/// The PIN the recorded run chooses at N2.4, given to the demo in the environment: the
/// recording must name it and a replay must be given it the same way.
const CHOSEN_PIN: &str = "Chosen-pin-7";

/// A demo run recorded once for all tests here: the built-in script with the new
/// flow's PIN chosen by the person.
struct Recorded {
    _dir: tempfile::TempDir,
    script: PathBuf,
    /// The name the recording gave [`CHOSEN_PIN`].
    pin_name: String,
}

fn recorded() -> &'static Recorded {
    static RECORDED: OnceLock<Recorded> = OnceLock::new();
    RECORDED.get_or_init(|| {
        rutoken_emu_module();
        let dir = tempfile::tempdir().expect("temp dir");
        let demo_script = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo-script.jsonl"),
        )
        .expect("the demo's script");
        // The new flow's user PIN is the person's own, not a training PIN.
        let (new_flow, rest) = demo_script
            .split_once("{\"flow\": \"renew\"}")
            .expect("the demo script has a renewal");
        let mine = format!(
            "{}{{\"flow\": \"renew\"}}{rest}",
            new_flow.replace("${PIN_NEW}", "${PIN_CHOSEN}")
        );
        let input = dir.path().join("mine.jsonl");
        std::fs::write(&input, mine).expect("script");
        let script = dir.path().join("recorded.jsonl");
        let r = run(smartkey_in(dir.path())
            .env("PIN_CHOSEN", CHOSEN_PIN)
            .arg("demo")
            .arg("--script")
            .arg(&input)
            .arg("--record")
            .arg(&script));
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let text = std::fs::read_to_string(&script).expect("the recording");
        let pin_name = text
            .lines()
            .find(|l| l.contains("change_pin"))
            .and_then(|l| l.split("\"new\":\"${").nth(1))
            .and_then(|rest| rest.split('}').next())
            .expect("the first PIN change names its new PIN")
            .to_string();
        Recorded {
            _dir: dir,
            script,
            pin_name,
        }
    })
}

/// A copy of the recording (script and screens) in `dir`.
fn copy_recording(dir: &Path) -> PathBuf {
    let rec = recorded();
    let script = dir.join(rec.script.file_name().expect("a file name"));
    std::fs::copy(&rec.script, &script).expect("copy the script");
    std::fs::copy(
        rec.script.with_extension("screens"),
        script.with_extension("screens"),
    )
    .expect("copy the screens");
    script
}

fn replay(dir: &Path, script: &Path, extra: &[&str]) -> Run {
    let rec = recorded();
    run(smartkey_in(dir)
        .env(&rec.pin_name, CHOSEN_PIN)
        .arg("replay")
        .arg(script)
        .args(extra))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_run_recorded_in_the_demo_replays_twice_with_identical_results() {
    let rec = recorded();
    let text = std::fs::read_to_string(&rec.script).expect("the recording");
    assert!(text.contains("{\"flow\":\"new\"}") && text.contains("{\"flow\":\"save\"}"));
    assert!(text.contains("{\"check\":\"N2.4\"}") && text.contains("{\"check\":\"R2.12\"}"));
    assert_ne!(
        rec.pin_name, "PIN_NEW",
        "a PIN of the person's is not a training PIN"
    );
    let screens = std::fs::read(rec.script.with_extension("screens")).expect("screens");
    // (The factory PINs are printed in the bank's instructions, and on the screens.)
    for pin in [CHOSEN_PIN, "Demo-new-adm1", "Demo-old-1", "Demo-ecp2-1"] {
        assert!(
            !contains(text.as_bytes(), pin),
            "the PIN {pin} is in the recording"
        );
        assert!(!contains(&screens, pin), "the PIN {pin} is in the screens");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let script = copy_recording(dir.path());
    let first = replay(dir.path(), &script, &[]);
    let second = replay(dir.path(), &script, &[]);
    for r in [&first, &second] {
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("every screen as expected"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout.contains("save: finished at R2.12 (RenewalSaved)"),
            "{}",
            r.stdout
        );
    }
    assert_eq!(first.stdout, second.stdout, "two replays say the same");
    assert_eq!(
        std::fs::read(script.with_extension("screens")).expect("screens"),
        screens,
        "a replay without --update leaves the expected screens alone"
    );
}

#[test]
fn a_changed_label_fails_the_replay_with_a_diff_that_names_the_step() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = copy_recording(dir.path());
    let screens_path = script.with_extension("screens");
    let screens = std::fs::read_to_string(&screens_path).expect("screens");
    // The admin PIN step (N2.5) as the UI would show it with one label changed.
    let start = screens.find("──── N2.5 ────").expect("a N2.5 snapshot");
    let end = start + screens[start..].find("\n──── ").expect("a next snapshot");
    let section = &screens[start..end];
    let label = "[Enter] Подтвердить";
    assert!(section.contains(label), "{section}");
    let changed = format!(
        "{}{}{}",
        &screens[..start],
        section.replacen(label, "[Enter] Подтвердите", 1),
        &screens[end..]
    );
    std::fs::write(&screens_path, changed).expect("write");

    let r = replay(dir.path(), &script, &[]);
    assert_ne!(r.code, 0, "a difference fails the replay:\n{}", r.stdout);
    assert!(
        r.stdout.contains("step N2.5: the screen differs"),
        "the step is named:\n{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("-Действия: [Enter] Подтвердите")
            && r.stdout.contains("+Действия: [Enter] Подтвердить"),
        "the changed line is shown:\n{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("1 of "),
        "only that checkpoint differs:\n{}",
        r.stdout
    );

    // `--update` takes the screens shown: the file is the recording's again.
    let r = replay(dir.path(), &script, &["--update"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        std::fs::read_to_string(&screens_path).expect("screens") == screens,
        "--update writes the screens shown"
    );
}

#[test]
fn a_cast_shows_the_run_as_a_person_saw_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = copy_recording(dir.path());
    let cast = dir.path().join("run.cast");
    let r = replay(
        dir.path(),
        &script,
        &["--cast", cast.to_str().expect("utf-8")],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(&cast).expect("the cast");
    let mut lines = text.lines();
    let header: serde_json::Value =
        serde_json::from_str(lines.next().expect("a header")).expect("JSON");
    assert_eq!(header["version"], 2);
    assert_eq!(
        (header["width"].as_u64(), header["height"].as_u64()),
        (Some(80), Some(24))
    );
    // Played into a terminal emulator, the events show each step's screen in turn.
    let size = |n| std::num::NonZeroU16::new(n).expect("a size");
    let mut terminal = vt100::Parser::new(size(24), size(80), 0);
    let mut last = 0.0;
    let mut headers = Vec::new();
    for line in lines {
        let event: serde_json::Value = serde_json::from_str(line).expect("an event");
        let time = event[0].as_f64().expect("a time");
        assert!(time >= last, "events in order");
        last = time;
        assert_eq!(event[1], "o");
        let output = event[2].as_str().expect("output");
        assert!(!output.contains(CHOSEN_PIN) && !output.contains("Demo-old-1"));
        terminal.process(output.as_bytes());
        let screen = terminal.screen().contents();
        let header = screen.lines().next().unwrap_or_default().to_string();
        if headers.last() != Some(&header) {
            headers.push(header);
        }
    }
    for step in ["[N2.1]", "[N2.8]", "[R2.5]", "[R2.12]"] {
        assert!(
            headers.iter().any(|h| h.contains(step)),
            "{step} is shown; the headers were {headers:#?}"
        );
    }
}

#[test]
fn a_pin_name_without_a_value_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = copy_recording(dir.path());
    let r = run(smartkey_in(dir.path()).arg("replay").arg(&script));
    assert_ne!(r.code, 0);
    let name = &recorded().pin_name;
    assert!(
        r.stderr.contains(&format!("${{{name}}}")) && r.stderr.contains("--secrets"),
        "{}",
        r.stderr
    );
}
