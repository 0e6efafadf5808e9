//! smartkey against a PKCS#11 module that answers with impossible lengths and counts
//! (crates/hostile-pkcs11): each answer ends in a clear error naming the library (exit
//! code 3), never in a panic, an abort, a read past a buffer, an allocation of gigabytes
//! or a loop without end; text that is not UTF-8 is shown, not fatal. And a process the
//! module starts inherits no PIN given through `--pin-env`.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{NEW_PIN, smartkey_in, workspace_module, write_applicant};
use tempfile::TempDir;

/// The hostile module, built with the workspace.
fn hostile_module() -> PathBuf {
    workspace_module("hostile_pkcs11", "hostile-pkcs11")
}

/// Waits for `child` at most `limit`, killing it when it takes longer: a module that
/// makes smartkey loop must fail the test, not hang it.
fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            if let Some(mut s) = child.stdout.take() {
                s.read_to_end(&mut stdout).expect("stdout");
            }
            if let Some(mut s) = child.stderr.take() {
                s.read_to_end(&mut stderr).expect("stderr");
            }
            return Output {
                status,
                stdout,
                stderr,
            };
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("smartkey was still running after {limit:?}: it loops on the module's answers");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs smartkey on the hostile module in `mode`. The output is read after the end, so
/// the commands here print little.
fn smartkey(dir: &TempDir, mode: &str, args: &[&str]) -> Output {
    let child = smartkey_in(dir.path())
        .env("SMARTKEY_MODULE", hostile_module())
        .env("HOSTILE_PKCS11_MODE", mode)
        .env("HOSTILE_PIN", NEW_PIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("smartkey runs");
    wait_bounded(child, Duration::from_secs(60))
}

/// The run ended on its own with the library's exit code and an error saying the
/// library answered impossibly, with `words` in it.
fn refused(out: &Output, words: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{:?}\nstdout: {}\nstderr: {stderr}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("the PKCS#11 library gave an impossible answer") && stderr.contains(words),
        "{stderr}"
    );
}

#[test]
fn impossible_reader_counts_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    refused(
        &smartkey(&dir, "slots", &["tokens"]),
        "card readers, more than the 256 smartkey accepts",
    );
    refused(
        &smartkey(&dir, "slots-growing", &["tokens"]),
        "kept changing while it was read",
    );
}

#[test]
fn impossible_object_counts_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    refused(
        &smartkey(&dir, "objects-overrun", &["cert", "list"]),
        "object handles into room for 64",
    );
    refused(
        &smartkey(&dir, "objects-endless", &["cert", "list"]),
        "more than 4096 objects",
    );
}

#[test]
fn impossible_attribute_lengths_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    refused(
        &smartkey(&dir, "attribute-huge", &["cert", "list"]),
        "more than the 1048576 smartkey accepts",
    );
    refused(
        &smartkey(&dir, "attribute-overrun", &["cert", "list"]),
        "bytes of an attribute into room for",
    );
}

#[test]
fn an_impossible_signature_length_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let applicant = dir.path().join("applicant.json");
    write_applicant(&applicant);
    let request = dir.path().join("request.der");
    let args = [
        "csr",
        "--key-id",
        "4b31",
        "--applicant",
        applicant.to_str().expect("path"),
        "--out",
        request.to_str().expect("path"),
        "--pin-env",
        "HOSTILE_PIN",
    ];
    refused(
        &smartkey(&dir, "signature-huge", &args),
        "bytes of signature, more than the 4096 smartkey accepts",
    );
    assert!(!request.exists());
    // The same request with a plausible signature goes through: the refusal above is
    // the length's, not the path's.
    let out = smartkey(&dir, "", &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(request.is_file());
}

#[test]
fn text_that_is_not_utf8_is_shown_not_fatal() {
    let dir = tempfile::tempdir().expect("dir");
    for args in [&["tokens"][..], &["cert", "list"]] {
        let out = smartkey(&dir, "", args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{args:?}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains('\u{fffd}') && stdout.contains("hostile"),
            "{stdout}"
        );
    }
    let out = smartkey(&dir, "", &["tokens"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("HOSTILE01"));
}

#[test]
fn a_pin_given_in_the_environment_is_not_inherited() {
    let dir = tempfile::tempdir().expect("dir");
    let environ = dir.path().join("environ");
    let child = smartkey_in(dir.path())
        .env("SMARTKEY_MODULE", hostile_module())
        .env("HOSTILE_PKCS11_ENVIRON", &environ)
        .env("HOSTILE_PIN", NEW_PIN)
        .args(["cert", "list", "--pin-env", "HOSTILE_PIN"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("smartkey runs");
    let out = wait_bounded(child, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inherited = std::fs::read_to_string(&environ).expect("the module ran env at login");
    assert!(
        inherited.contains("HOSTILE_PKCS11_ENVIRON="),
        "the child saw no environment at all:\n{inherited}"
    );
    assert!(
        !inherited.contains("HOSTILE_PIN") && !inherited.contains(NEW_PIN),
        "the PIN's variable was inherited:\n{inherited}"
    );
}
