//! The regression corpus: every script in tests/scripts replayed by the real binary in
//! a fresh demo environment, each checkpoint's screen compared with its `.screens` file.
//! A failure prints the replay's own diff, which names the step.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::common::*;

/// Replays at once: each runs a bank, a virtual Rutoken and the runtime.
const AT_ONCE: usize = 2;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts")
}

fn scripts() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("tests/scripts")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    all.sort();
    all
}

#[test]
fn every_script_of_the_corpus_replays_with_the_expected_screens() {
    rutoken_emu_module();
    let scripts = scripts();
    assert!(
        scripts.len() >= 20,
        "the corpus has {} scripts",
        scripts.len()
    );
    for script in &scripts {
        assert!(
            script.with_extension("screens").is_file(),
            "{} has no .screens file (replay it once with --update)",
            script.display()
        );
    }
    let queue = Mutex::new(scripts.clone());
    let failures = Mutex::new(Vec::new());
    let began = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE {
            scope.spawn(|| {
                loop {
                    let Some(script) = queue.lock().expect("queue").pop() else {
                        return;
                    };
                    let dir = tempfile::tempdir().expect("temp dir");
                    let r = run(smartkey_in(dir.path())
                        .arg("replay")
                        .arg(&script)
                        .arg("--secrets")
                        .arg(corpus().join("training.secrets")));
                    let ok = r.code == 0 && r.stdout.contains("every screen as expected");
                    if !ok {
                        failures.lock().expect("failures").push(format!(
                            "{} (exit {}):\n{}\n{}",
                            script.display(),
                            r.code,
                            r.stdout,
                            r.stderr
                        ));
                    }
                }
            });
        }
    });
    eprintln!(
        "replayed {} scripts in {:.1} s ({AT_ONCE} at once)",
        scripts.len(),
        began.elapsed().as_secs_f64()
    );
    let failures = failures.into_inner().expect("failures");
    assert!(
        failures.is_empty(),
        "{} of {} scripts failed:\n\n{}",
        failures.len(),
        scripts.len(),
        failures.join("\n\n")
    );
}
