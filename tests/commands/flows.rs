//! The wizard's commands as a person or a script runs them: `smartkey new --script` on
//! the virtual Rutoken against a bankca started here, `smartkey status`, and a link that
//! is not one; two smartkeys on one state directory; the client's local date on the
//! application and the act.

use crate::app_common::*;
use crate::common::*;
use serde_json::json;
use smartkey::app::PendingStore;
use smartkey_wizard::{CivilDate, KeyRef, KeyType, PendingRecord, RequestKind, TransactionId};

const SERIAL: &str = "0A1B2C3D";

/// N2.1-N2.8 as a script file.
fn new_flow_script() -> String {
    let mut lines = vec![
        json!({"wait": "N2.1"}),
        json!({"answer": "next"}),
        json!({"wait": "N2.2"}),
        json!({"answer": "next"}),
        json!({"wait": "N2.3"}),
    ];
    for (field, value) in [
        ("surname", "Иванов"),
        ("given_name", "Иван"),
        ("patronymic", "Иванович"),
        ("organization", "ООО \"Ромашка\""),
        ("inn", "7707083893"),
        ("document", "Устав"),
        ("city", "моск"),
        ("address", "ул. Вавилова, д. 19"),
        ("phone", "+7 (495) 500-55-50"),
        ("email", "ivanov@example.ru"),
    ] {
        lines.push(json!({"answer": {"edit": {"field": field, "value": value}}}));
    }
    lines.extend([
        json!({"answer": {"select": {"field": "city", "index": 0}}}),
        json!({"answer": "next"}),
        json!({"answer": "next"}),
        json!({"wait": "N2.4"}),
        json!({"answer": {"change_pin": {"current": "${PIN_FACTORY}", "new": "${PIN_NEW}", "repeat": "${PIN_NEW}"}}}),
        json!({"wait": "N2.5"}),
        json!({"answer": {"change_pin": {"current": "${PIN_ADMIN_FACTORY}", "new": "${PIN_ADMIN_NEW}", "repeat": "${PIN_ADMIN_NEW}"}}}),
        json!({"wait": "N2.6"}),
        json!({"answer": {"pin": "${PIN_NEW}"}}),
        json!({"wait": "N2.7"}),
        json!({"answer": "next"}),
        json!({"wait": "N2.8"}),
    ]);
    lines.iter().map(|l| format!("{l}\n")).collect::<String>()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_from_a_script_then_status_lists_the_request() {
    let bank = Bank::start(None).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    bank.profiles(emu.dir.path());
    let script = emu.path("new.jsonl");
    std::fs::write(&script, new_flow_script()).expect("script");
    let script_text = std::fs::read(&script).expect("script");
    for pin in [NEW_PIN, NEW_ADMIN_PIN] {
        assert!(!script_text.windows(pin.len()).any(|w| w == pin.as_bytes()));
    }
    // The script names its PINs: one comes from the environment, one from a file.
    let secrets = emu.path("secrets");
    std::fs::write(
        &secrets,
        format!("# test PINs\nPIN_ADMIN_NEW={NEW_ADMIN_PIN}\n"),
    )
    .expect("secrets");
    let documents = emu.path("documents");

    let mut cmd = emu.smartkey();
    cmd.env("PIN_NEW", NEW_PIN)
        .arg("--banks")
        .arg(emu.path("banks.toml"))
        .args(["--bank", "5282", "new", "--script"])
        .arg(&script)
        .arg("--secrets")
        .arg(&secrets)
        .arg("--out-dir")
        .arg(&documents);
    let r = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .expect("the command ran");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("N2.8"), "{}", r.stdout);
    assert_no_pins(&r);
    assert!(
        std::fs::read_dir(&documents)
            .expect("documents")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("application")),
        "the application is written where asked"
    );

    let r = run(emu.smartkey().args(["status", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let records: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["agent_id"], 5282);
    assert_eq!(records[0]["key"]["serial"], SERIAL);
    let r = run(emu.smartkey().arg("status"));
    assert!(r.stdout.contains("agentId 5282"), "{}", r.stdout);
    let state = std::fs::read(emu.path("state/smartkey/pending.json")).expect("the record");
    for pin in [NEW_PIN, NEW_ADMIN_PIN] {
        assert!(!state.windows(pin.len()).any(|w| w == pin.as_bytes()));
    }
}

/// Every file and folder under `root`, with its permission bits.
#[cfg(unix)]
fn modes_under(root: &std::path::Path) -> Vec<(std::path::PathBuf, bool, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        out.push((
            path.clone(),
            meta.is_dir(),
            meta.permissions().mode() & 0o777,
        ));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).expect("readable") {
                stack.push(entry.expect("entry").path());
            }
        }
    }
    out
}

/// A run leaves what it wrote for its owner alone: the state folder (records, logs,
/// transcripts), the application as text (and PDF), the transcript and the recording
/// named on the command line, and the bank's request database and mail, each file
/// 0600 in folders 0700.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_a_run_writes_is_its_owners_alone() {
    let bank = Bank::start(Some(std::time::Duration::from_millis(100))).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    bank.profiles(emu.dir.path());
    let script = emu.path("new.jsonl");
    std::fs::write(&script, new_flow_script()).expect("script");
    let documents = emu.path("documents");
    let transcript = emu.path("transcript.txt");
    let recording = emu.path("recording.jsonl");

    let mut cmd = emu.smartkey();
    cmd.env("PIN_NEW", NEW_PIN)
        .env("PIN_ADMIN_NEW", NEW_ADMIN_PIN)
        .arg("-v")
        .arg("--banks")
        .arg(emu.path("banks.toml"))
        .args(["--bank", "5282", "new", "--script"])
        .arg(&script)
        .arg("--out-dir")
        .arg(&documents)
        .arg("--transcript")
        .arg(&transcript)
        .arg("--record")
        .arg(&recording);
    let r = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .expect("the command ran");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // The bank mails the link once it approves: its Maildir has a message.
    let mail = bank.dir.path().join("mail");
    for _ in 0..100 {
        if modes_under(&mail).iter().any(|(_, dir, _)| !dir) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let mut written = modes_under(&emu.path("state"));
    written.extend(modes_under(&documents));
    written.extend(modes_under(&mail));
    for file in [
        transcript.clone(),
        recording.clone(),
        recording.with_extension("screens"),
    ] {
        written.extend(modes_under(&file));
    }
    for name in ["bankca.db", "bankca.db-wal", "bankca.db-shm"] {
        written.extend(modes_under(&bank.dir.path().join(name)));
    }
    for kind in [
        "logs",
        "transcripts",
        "pending.json",
        "application",
        "bankca.db-wal",
    ] {
        assert!(
            written
                .iter()
                .any(|(p, _, _)| p.to_string_lossy().contains(kind)),
            "nothing of {kind} was written: {written:?}"
        );
    }
    assert!(
        written
            .iter()
            .any(|(p, _, _)| p.starts_with(mail.join("new")) && p != &mail.join("new")),
        "no mail was written: {written:?}"
    );
    let loose: Vec<String> = written
        .iter()
        .filter(|(_, dir, mode)| *mode != if *dir { 0o700 } else { 0o600 })
        .map(|(path, _, mode)| format!("{} {mode:o}", path.display()))
        .collect();
    assert!(loose.is_empty(), "open to others: {loose:#?}");
}

#[test]
fn status_with_nothing_waiting_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = run(smartkey_in(dir.path()).arg("status"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("No request is waiting"), "{}", r.stdout);
    let r = run(smartkey_in(dir.path()).args(["status", "--json"]));
    assert_eq!(r.stdout.trim(), "[]");
}

#[test]
fn save_refuses_something_that_is_not_a_link() {
    let emu = RutokenEmu::new();
    let r = run(emu.smartkey().args(["save", "not a link"]));
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("link"), "{}", r.stderr);
}

/// The preflight runs before every flow: without the PKCS#11 library, each flow stops
/// before its first step with the failing check and what to do, and nothing is written
/// but the lock.
#[test]
fn a_missing_library_stops_every_flow_before_its_first_step() {
    let link =
        "https://ca.example.ru/cmp?agentId=5282&transactionID=00112233445566778899aabbccddeeff";
    for flow in [
        &["new"][..],
        &["renew"],
        &["save", link],
        &["destroy-old-key"],
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = run(smartkey_in(dir.path())
            .args([
                "--lang",
                "en",
                "--bank",
                "5282",
                "--module",
                "/nonexistent/libpkcs11.so",
            ])
            .args(flow)
            .arg("--plain"));
        assert_eq!(r.code, 3, "{flow:?}: {}\n{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("FAIL  PKCS#11 library") && r.stderr.contains("what to do"),
            "{flow:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("/nonexistent/libpkcs11.so"),
            "{}",
            r.stderr
        );
        for code in ["N2.1", "R2.1", "N2.9", "R2.11", "R2.13"] {
            assert!(
                !r.stdout.contains(code),
                "{flow:?} showed {code}: {}",
                r.stdout
            );
        }
        let written: Vec<String> = state_files(&dir.path().join("state/smartkey"))
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !name.ends_with("lock"))
            .collect();
        assert!(written.is_empty(), "{flow:?} wrote {written:?}");
    }
}

/// A request waiting at the bank, as an earlier run recorded it.
fn earlier_record() -> PendingRecord {
    PendingRecord {
        agent_id: 5282,
        transaction: TransactionId("00112233445566778899aabbccddeeff".into()),
        kind: RequestKind::New,
        key: KeyRef {
            serial: SERIAL.into(),
            key_id: "01".into(),
        },
        key_type: KeyType::Gost2012_256,
        subject: "Иванов Иван Иванович".into(),
        created: CivilDate::new(2026, 3, 2).expect("a date"),
        kept: None,
    }
}

/// A child process killed when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What is in the state directory apart from the logs (which every run appends to).
fn state_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("the state directory")
        .flatten()
        .filter(|e| e.file_name() != "logs")
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_second_smartkey_on_the_same_state_refuses_and_changes_nothing() {
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    let state = emu.path("state/smartkey");
    PendingStore::in_dir(&state)
        .record(earlier_record())
        .expect("an earlier run's record");

    // The first one waits at N2.1 for a line that does not come.
    let mut first = emu
        .smartkey()
        .args(["--lang", "en", "new", "--plain"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("smartkey starts");
    // Its first screen shown: everything a run makes when it starts is made by then.
    let (shown, at_first_step) = std::sync::mpsc::channel();
    let stdout = first.stdout.take().expect("the first smartkey's output");
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("N2.1") {
                let _ = shown.send(());
            }
        }
    });
    let first = Running(first);
    let pid = first.0.id().to_string();
    at_first_step
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the first smartkey shows N2.1");
    assert_eq!(
        std::fs::read_to_string(state.join("smartkey.lock"))
            .unwrap_or_default()
            .trim(),
        pid,
        "the first smartkey holds the lock"
    );
    let before = state_files(&state);
    assert!(
        before.iter().any(|(name, _)| name == "pending.json"),
        "{before:?}"
    );

    let r = run(emu.smartkey().args(["--lang", "en", "new", "--plain"]));
    assert_eq!(r.code, 7, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "Another smartkey is running (PID {pid}). Let it finish or close it"
        )),
        "{}",
        r.stderr
    );
    assert!(
        !r.stdout.contains("N2.1"),
        "no screen was shown: {}",
        r.stdout
    );
    // In the person's language (Russian by default), for every wizard command.
    for args in [
        &["new"][..],
        &["renew", "--plain"],
        &["destroy-old-key"],
        &[
            "save",
            "https://ca.example.ru/cmp/5282/00112233445566778899aabbccddeeff",
        ],
    ] {
        let r = run(emu.smartkey().args(args));
        assert_eq!(r.code, 7, "{args:?}: {}\n{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains(&format!("Уже работает другой smartkey (PID {pid})")),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(state_files(&state), before, "the state is untouched");

    // Reading needs no lock.
    let r = run(emu.smartkey().args(["status", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("00112233445566778899aabbccddeeff"),
        "{}",
        r.stdout
    );

    // Once the first has gone (even killed), the next one runs.
    drop(first);
    let r = run(emu.smartkey().args(["--lang", "en", "new", "--plain"]));
    assert!(!r.stderr.contains("Another smartkey"), "{}", r.stderr);
    assert!(r.stdout.contains("N2.1"), "{}\n{}", r.stdout, r.stderr);
}

/// N2.9-N2.11 as a script file: the certificate saved, the act signed and written.
fn save_flow_script() -> String {
    [
        json!({"wait": "N2.9"}),
        json!({"answer": "next"}),
        json!({"answer": {"pin": "${PIN_NEW}"}}),
        json!({"wait": "N2.10"}),
        json!({"answer": "next"}),
        json!({"wait": "N2.11"}),
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect()
}

/// The document of `kind` ("application", "act") in `dir`: its file name and text.
fn document(dir: &std::path::Path, kind: &str) -> (String, String) {
    let entry = std::fs::read_dir(dir)
        .expect("documents")
        .flatten()
        .find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.contains(kind) && name.ends_with(".txt")
        })
        .unwrap_or_else(|| panic!("no {kind} in {}", dir.display()));
    let text = std::fs::read_to_string(entry.path()).expect("read");
    (entry.file_name().to_string_lossy().into_owned(), text)
}

/// The date line of a document: under its title and the bank's line.
fn date_line(text: &str) -> &str {
    text.lines().nth(3).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_and_the_act_carry_the_clients_local_date() {
    let bank = Bank::start(None).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    bank.profiles(emu.dir.path());
    let new_script = emu.path("new.jsonl");
    std::fs::write(&new_script, new_flow_script()).expect("script");
    let save_script = emu.path("save.jsonl");
    std::fs::write(&save_script, save_flow_script()).expect("script");
    let documents = emu.path("documents");
    // 22:30 UTC on 14 March is 05:30 on 15 March in Novosibirsk (UTC+7).
    let smartkey = |args: &[&str], script: &std::path::Path| {
        let mut cmd = emu.smartkey();
        cmd.env("TZ", "Asia/Novosibirsk")
            .env("SMARTKEY_NOW", "2026-03-14T22:30:00Z")
            .env("PIN_NEW", NEW_PIN)
            .env("PIN_ADMIN_NEW", NEW_ADMIN_PIN)
            .arg("--banks")
            .arg(emu.path("banks.toml"))
            .args(["--bank", "5282"])
            .args(args)
            .arg("--script")
            .arg(script)
            .arg("--out-dir")
            .arg(&documents);
        cmd
    };

    let mut cmd = smartkey(&["new"], &new_script);
    let r = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .expect("the command ran");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_no_pins(&r);
    let (name, text) = document(&documents, "application");
    assert_eq!(date_line(&text), "15.03.2026", "{text}");
    assert!(name.contains("20260315"), "{name}");
    let r = run(emu.smartkey().args(["status", "--json"]));
    let records: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(records[0]["created"], "2026-03-15", "{records}");

    bank.approve_waiting();
    let link = bank.pickup_link(1).to_string();
    let mut cmd = smartkey(&["save", &link], &save_script);
    let r = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .expect("the command ran");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("N2.11"), "{}", r.stdout);
    assert_no_pins(&r);
    let (name, text) = document(&documents, "act");
    assert_eq!(date_line(&text), "15.03.2026", "{text}");
    assert!(name.contains("20260315"), "{name}");
}

#[test]
fn a_clock_that_is_not_an_instant_is_refused() {
    let emu = RutokenEmu::new();
    let r = run(emu
        .smartkey()
        .env("SMARTKEY_NOW", "tomorrow")
        .args(["new", "--plain"]));
    assert_eq!(r.code, 6, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("SMARTKEY_NOW"), "{}", r.stderr);
}

/// `new` run again while its request waits at the bank, the person pressing Enter at
/// every screen as they did the first time: the flow opens with the waiting request and
/// Enter continues it, so the bank still holds exactly one request, and no second key
/// pair is made (the run never reaches N2.6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_again_with_a_request_waiting_makes_no_second_request() {
    let bank = Bank::start(None).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    bank.profiles(emu.dir.path());
    let new = |script: String| {
        let file = emu.path("new.jsonl");
        std::fs::write(&file, script).expect("script");
        let mut cmd = emu.smartkey();
        cmd.env("PIN_NEW", NEW_PIN)
            .env("PIN_ADMIN_NEW", NEW_ADMIN_PIN)
            .arg("--banks")
            .arg(emu.path("banks.toml"))
            .args(["--bank", "5282", "new", "--script"])
            .arg(&file)
            .arg("--out-dir")
            .arg(emu.path("documents"));
        cmd
    };
    let requests = || bank.server.ca().list(None).expect("requests").len();
    let mut first = new(new_flow_script());
    let r = tokio::task::spawn_blocking(move || run(&mut first))
        .await
        .expect("the command ran");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(requests(), 1);

    // Enter, Enter, Enter: the waiting request is asked about, nothing is made anew.
    let again = [
        json!({"wait": "N2.1"}),
        json!({"see": "уже ожидает"}),
        json!({"answer": "next"}),
        json!({"wait": "N2.9"}),
        json!({"answer": "next"}),
        json!({"answer": "next"}),
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect::<String>();
    let mut second = new(again);
    let r = tokio::task::spawn_blocking(move || run(&mut second))
        .await
        .expect("the command ran");
    assert!(r.stdout.contains("N2.9"), "{}\n{}", r.stdout, r.stderr);
    assert!(
        !r.stdout.contains("[N2.2]") && !r.stdout.contains("[N2.6]"),
        "a second application was begun:\n{}",
        r.stdout
    );
    assert_eq!(requests(), 1, "the bank holds one request");
    let status = |args: &[&str]| {
        let mut cmd = emu.smartkey();
        cmd.arg("--banks").arg(emu.path("banks.toml")).args(args);
        run(&mut cmd)
    };
    let r = status(&["status", "--json"]);
    let records: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(records.as_array().map(Vec::len), Some(1), "{}", r.stdout);
    assert_eq!(records[0]["at_bank"], "waiting", "{}", r.stdout);

    // The bank refuses it: `status` asks, says so, and the record is done with.
    let waiting = bank.server.ca().list(None).expect("requests");
    bank.server
        .ca()
        .reject(waiting[0].id, "Нет оригинала заявления", "operator")
        .expect("rejected");
    let r = status(&["status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("decided by the bank"), "{}", r.stdout);
    let r = status(&["status"]);
    assert!(r.stdout.contains("No request is waiting"), "{}", r.stdout);
}

/// A request recorded before it was sent, whose sending was interrupted before the bank
/// got it: `new` opens with it, the bank says it does not know it, and the record is
/// dropped, so the next `new` starts a fresh application.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_request_the_bank_never_got_is_settled_and_dropped() {
    let bank = Bank::start(None).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    bank.profiles(emu.dir.path());
    let state = emu.path("state/smartkey");
    PendingStore::in_dir(&state)
        .record(earlier_record())
        .expect("the record");
    let script = emu.path("again.jsonl");
    let lines = [
        json!({"wait": "N2.1"}),
        json!({"see": "уже ожидает"}),
        json!({"answer": "next"}),
        json!({"wait": "N2.9"}),
        json!({"see": "Запрос не дошёл до банка"}),
    ];
    std::fs::write(
        &script,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .expect("script");
    let mut cmd = emu.smartkey();
    cmd.arg("--banks")
        .arg(emu.path("banks.toml"))
        .args(["--bank", "5282", "new", "--script"])
        .arg(&script);
    let r = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .expect("the command ran");
    assert!(
        r.stdout.contains("NeverArrived"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        PendingStore::in_dir(&state)
            .load()
            .expect("records")
            .is_empty(),
        "the record of a request the bank never got is dropped"
    );
    assert!(bank.server.ca().list(None).expect("requests").is_empty());
}
