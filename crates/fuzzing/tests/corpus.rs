//! Every committed input through its target's body, on stable Rust: the seeds
//! (`fuzz/seeds/<target>/`) and every crash fuzzing found (`fuzz/regressions/<target>/`),
//! so a fixed bug stays fixed without nightly or libFuzzer.

use std::path::{Path, PathBuf};
use std::time::Instant;

use smartkey_fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The inputs in `dir` (not its README or dot files), sorted; none when it does not
/// exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n != "README.md" && !n.starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn run_all(folder: &str) -> usize {
    let mut count = 0;
    for target in TARGETS {
        for file in files(&fuzz_dir().join(folder).join(target.name)) {
            let data = std::fs::read(&file).expect("read an input");
            let started = Instant::now();
            let outcome = std::panic::catch_unwind(|| (target.body)(&data));
            assert!(
                outcome.is_ok(),
                "{} panicked on {} (hex {})",
                target.name,
                file.display(),
                hex(&data)
            );
            let took = started.elapsed();
            assert!(
                took.as_secs() < 5,
                "{} took {took:?} on {}",
                target.name,
                file.display()
            );
            count += 1;
        }
    }
    count
}

fn hex(data: &[u8]) -> String {
    data.iter().take(256).map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_regression_input_passes() {
    run_all("regressions");
}

#[test]
fn every_seed_passes() {
    let count = run_all("seeds");
    assert!(count > 0, "no seeds found under {}", fuzz_dir().display());
}

#[test]
fn every_target_has_a_fuzz_target_and_seeds() {
    for target in TARGETS {
        let source = fuzz_dir()
            .join("fuzz_targets")
            .join(format!("{}.rs", target.name));
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert!(
            text.contains(&format!("smartkey_fuzzing::{}(", target.name)),
            "{} does not call its body",
            source.display()
        );
        assert!(
            !files(&fuzz_dir().join("seeds").join(target.name)).is_empty(),
            "{} has no seeds",
            target.name
        );
    }
}
