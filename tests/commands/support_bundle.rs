//! The support bundle and the log file hold no PIN: commands run with known PINs (from
//! environment variables and files) at the most verbose log level, a wrong PIN is tried,
//! then the bundle is made, unpacked, and every file in it is searched byte by byte for
//! every PIN, as UTF-8, UTF-16LE, UTF-16BE and hex (both cases).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A wrong PIN tried during the run: it must not show either.
const WRONG_PIN: &str = "Wr0ng-pin-4711";

/// Every PIN of the run, in every encoding it could be written in.
fn needles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for pin in [
        FACTORY_PIN,
        FACTORY_ADMIN_PIN,
        NEW_PIN,
        NEW_ADMIN_PIN,
        WRONG_PIN,
    ] {
        let le: Vec<u8> = pin.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = pin.encode_utf16().flat_map(u16::to_be_bytes).collect();
        out.push((format!("{pin} (UTF-8)"), pin.as_bytes().to_vec()));
        out.push((format!("{pin} (UTF-16LE)"), le));
        out.push((format!("{pin} (UTF-16BE)"), be));
        out.push((format!("{pin} (hex)"), hex::encode(pin).into_bytes()));
        out.push((format!("{pin} (HEX)"), hex::encode_upper(pin).into_bytes()));
    }
    out
}

fn assert_no_pin_in(what: &str, bytes: &[u8]) {
    for (name, needle) in needles() {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
            "{name} found in {what}"
        );
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn neither_the_log_nor_the_support_bundle_holds_a_pin_used_in_the_run() {
    let emu = RutokenEmu::new();
    let serial = emu.add_token("5EC2E7A1", "bundle-test");

    // The user PIN through environment variables, the admin PIN through files.
    let r = pin_change(emu.smartkey().arg("-vv"), None, false, FACTORY_PIN, NEW_PIN);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let old_file = emu.path("old-admin.txt");
    let new_file = emu.path("new-admin.txt");
    std::fs::write(&old_file, format!("{FACTORY_ADMIN_PIN}\n")).unwrap();
    std::fs::write(&new_file, format!("{NEW_ADMIN_PIN}\n")).unwrap();
    let r = run(emu
        .smartkey()
        .args(["-vv", "pin", "change", "--admin", "--pin-file"])
        .arg(&old_file)
        .arg("--new-pin-file")
        .arg(&new_file));
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A wrong PIN: refused, and neither printed nor logged.
    let r = run(emu
        .smartkey()
        .args(["-vv", "key", "generate", "--algorithm", "gost2012-256"])
        .args(["--pin-env", "PIN"])
        .env("PIN", WRONG_PIN));
    assert_eq!(r.code, 5, "{}", r.stderr);
    for (algorithm, pin_env) in [("gost2012-256", true), ("gost2012-512", false)] {
        let mut cmd = emu.smartkey();
        cmd.args(["-vv", "key", "generate", "--algorithm", algorithm]);
        if pin_env {
            cmd.args(["--pin-env", "PIN"]).env("PIN", NEW_PIN);
        } else {
            let file = emu.path("pin.txt");
            std::fs::write(&file, NEW_PIN).unwrap();
            cmd.arg("--pin-file").arg(file);
        }
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{algorithm}: {}", r.stderr);
        assert_no_pins(&r);
    }
    let r = run(emu
        .smartkey()
        .args(["-vv", "cert", "list", "--json", "--pin-env", "PIN"])
        .env("PIN", NEW_PIN));
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The log was written at trace level, and holds no PIN in any encoding.
    let state = emu.dir.path().join("state").join("smartkey");
    let logs = files_under(&state.join("logs"));
    assert!(!logs.is_empty(), "no log file in {}", state.display());
    let log_text: String = logs
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("log is text"))
        .collect();
    assert!(
        log_text.contains("DEBUG"),
        "-vv did not log details:\n{log_text}"
    );
    assert!(log_text.contains("PIN changed"), "{log_text}");
    assert!(log_text.contains("admin PIN"), "{log_text}");
    assert!(log_text.contains("wrong PIN"), "{log_text}");
    for log in &logs {
        assert_no_pin_in(&log.display().to_string(), &std::fs::read(log).unwrap());
    }

    // A transcript (the wizard's, later) where a PIN slipped in: the bundle redacts it.
    let transcripts = state.join("transcripts");
    std::fs::create_dir_all(&transcripts).unwrap();
    std::fs::write(
        transcripts.join("session-1.txt"),
        format!("N2.4 screen\nPIN-код: {FACTORY_PIN}\n{{\"new_pin\": \"{NEW_PIN}\"}}\n"),
    )
    .unwrap();

    // The bank's profile, with its CA on loopback (nothing listens there: the check in
    // the bundle records a failure, quickly, without leaving this machine).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let banks = emu.path("banks.toml");
    std::fs::write(
        &banks,
        format!(
            "[[bank]]\nagent_id = 6184\nname = \"АО НОКССБАНК\"\nca_url = \"http://127.0.0.1:{closed}\"\n\
             support_phone = \"8-800-200-999-7\"\nsupport_email = \"support@nokss.ru\"\nkey_types = [\"rsa2048\"]\n"
        ),
    )
    .unwrap();
    let out = emu.path("bundle.tar.gz");
    let r = run(emu
        .smartkey()
        .args(["-vv", "--bank", "6184", "--banks"])
        .arg(&banks)
        .args(["support", "bundle", "--out"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_pins(&r);
    assert!(
        r.stdout.contains(&out.display().to_string()),
        "{}",
        r.stdout
    );
    for listed in [
        "manifest.json",
        "check.json",
        "tokens.json",
        "transcripts/session-1.txt",
    ] {
        assert!(r.stdout.contains(listed), "{listed}: {}", r.stdout);
    }
    assert!(r.stdout.contains("support@nokss.ru"), "{}", r.stdout);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the bundle is readable by others");
    }

    // The whole archive, uncompressed (headers and names too), and each file in it.
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap())
        .read_to_end(&mut tar_bytes)
        .expect("a gzip archive");
    assert_no_pin_in("the uncompressed archive", &tar_bytes);
    let unpacked = tempfile::tempdir().unwrap();
    tar::Archive::new(tar_bytes.as_slice())
        .unpack(unpacked.path())
        .expect("a tar archive");
    let top: Vec<PathBuf> = std::fs::read_dir(unpacked.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(top.len(), 1, "one folder: {top:?}");
    let root = &top[0];
    let files = files_under(root);
    for file in &files {
        assert_no_pin_in(&file.display().to_string(), &std::fs::read(file).unwrap());
    }

    // The manifest lists every other file with its true size and SHA-256.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["files"].as_array().expect("files");
    assert_eq!(listed.len() + 1, files.len(), "{manifest:#}");
    for entry in listed {
        let path = root.join(entry["path"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} missing", path.display()));
        assert_eq!(entry["bytes"], bytes.len());
        assert_eq!(entry["sha256"], hex::encode(Sha256::digest(&bytes)));
    }
    let redacted = listed
        .iter()
        .find(|e| e["path"] == "transcripts/session-1.txt")
        .expect("the transcript is in the bundle");
    assert_eq!(redacted["redactions"], 2, "{redacted:#}");
    let transcript = std::fs::read_to_string(root.join("transcripts/session-1.txt")).unwrap();
    assert!(transcript.contains("PIN-код: [REDACTED]"), "{transcript}");
    assert!(transcript.contains("N2.4 screen"), "{transcript}");

    // What support needs is there: the check, the token's public facts, the logs.
    let check: Value =
        serde_json::from_slice(&std::fs::read(root.join("check.json")).unwrap()).unwrap();
    assert!(check["checks"].as_array().is_some_and(|c| c.len() == 9));
    let tokens: Value =
        serde_json::from_slice(&std::fs::read(root.join("tokens.json")).unwrap()).unwrap();
    assert_eq!(tokens[0]["serial"], serial.as_str());
    assert_eq!(tokens[0]["keys"].as_array().map(Vec::len), Some(2));
    assert_eq!(tokens[0]["user_pin"]["is_default"], false);
    assert!(files.iter().any(|f| f.starts_with(root.join("logs"))));
    let bank: Value =
        serde_json::from_slice(&std::fs::read(root.join("bank.json")).unwrap()).unwrap();
    assert_eq!(bank["agent_id"], 6184);
    let readme = std::fs::read_to_string(root.join("README.txt")).unwrap();
    assert!(
        readme.contains("[REDACTED]") && readme.contains("no PIN"),
        "{readme}"
    );
}

/// The process protects its memory before anything else, and the log says it took:
/// not dumpable (so no process of the same user may attach to it or read its memory)
/// and no core file.
#[cfg(target_os = "linux")]
#[test]
fn the_log_says_no_core_file_and_no_attaching() {
    let emu = RutokenEmu::new();
    emu.add_token("5EC2E7A2", "protected");
    let r = run(emu.smartkey().arg("tokens"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let logs = files_under(&emu.dir.path().join("state/smartkey/logs"));
    let log_text: String = logs
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("log is text"))
        .collect();
    assert!(
        log_text.contains("memory protection dumpable=Some(false) core_limit=Some(0)"),
        "{log_text}"
    );
}

#[test]
fn a_bundle_without_a_library_or_logs_still_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.tar.gz");
    let r = run(smartkey_in(dir.path())
        .args([
            "--module",
            "/nonexistent/lib.so",
            "support",
            "bundle",
            "--json",
            "--out",
        ])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest: Value = serde_json::from_str(&r.stdout).expect("--json is JSON");
    let missing: Vec<&str> = manifest["not_included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        missing.iter().any(|m| m.starts_with("tokens:")),
        "{missing:?}"
    );
    assert!(
        missing.iter().any(|m| m.starts_with("transcripts:")),
        "{missing:?}"
    );
    assert_eq!(manifest["check_exit_code"], 2);
    assert!(out.is_file());
}
