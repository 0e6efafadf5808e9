//! `smartkey demo` driven by its built-in script, as CI runs it (no terminal, no
//! input): a bankca in-process, virtual tokens, and the new, renew and save flows to
//! their ends; no PIN in the transcript, the logs, the records or the output.

use crate::common::*;

/// Every PIN of the demo's script and of its old carrier.
const DEMO_PINS: [&str; 6] = [
    "Demo-new-1",
    "Demo-new-adm1",
    "Demo-ecp2-1",
    "Demo-ecp2-adm1",
    "Demo-old-1",
    "Demo-old-adm1",
];

fn bytes_under(dir: &std::path::Path, skip: &str, out: &mut Vec<u8>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == skip) {
            continue;
        }
        if path.is_dir() {
            bytes_under(&path, skip, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.extend(bytes);
        }
    }
}

#[test]
fn the_demo_completes_new_renew_and_save_from_its_script() {
    // The virtual Rutoken must be built next to smartkey.
    rutoken_emu_module();
    let work = tempfile::tempdir().expect("temp dir");
    let transcript = work.path().join("transcript.txt");
    let demo = work.path().join("demo");
    let r = run(smartkey_in(work.path())
        .arg("demo")
        .arg("--dir")
        .arg(&demo)
        .arg("--transcript")
        .arg(&transcript));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for end in [
        "N2.8 (RequestSent)",
        "R2.9 (RenewalSent)",
        "R2.12 (RenewalSaved)",
    ] {
        assert!(r.stdout.contains(end), "no {end} in:\n{}", r.stdout);
    }
    let text = std::fs::read_to_string(&transcript).expect("the transcript");
    assert!(text.contains("R2.11") && text.contains("(hidden)"));
    assert!(
        demo.join("state").join("pending.json").is_file(),
        "the records were kept"
    );

    // The token files hold the emulator's PINs by design; everything else must not.
    let mut written = r.stdout.clone().into_bytes();
    written.extend(r.stderr.bytes());
    bytes_under(work.path(), "tokens", &mut written);
    for pin in DEMO_PINS {
        assert!(
            !written.windows(pin.len()).any(|w| w == pin.as_bytes()),
            "the PIN {pin} was written down"
        );
    }
}
