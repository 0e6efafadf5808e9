//! The renewal through the real runtime on the virtual Rutoken (GOST): an old carrier
//! enrolled first (the new and save flows), then R2.1-R2.9 with the two swaps done by
//! the `rutoken-emu` command between steps, the approval, and R2.10-R2.12 with the act
//! signed by the old key and the certificate saved onto the new token; then R2.13, the
//! old key destroyed after both confirmations.

mod app_common;
mod common;

use app_common::*;
use common::*;
use smartkey::app::RunEnd;
use smartkey::token::Module;
use smartkey_wizard::{Answer, Ending, FieldId, PickupRef, Wizard};

const OLD: &str = "0A0A0A01";
const NEW: &str = "0B0B0B02";
const OLD_PIN: &str = "Qw7-old-pin";
const OLD_ADMIN_PIN: &str = "Zx9-old-admin";

fn ended(end: &RunEnd, code: &str, ending: Ending) {
    match end {
        RunEnd::Finished { at, ending: e } if at.as_str() == code && *e == ending => {}
        other => panic!("expected {ending:?} at {code}, got {other:?}"),
    }
}

/// The subjects of the certificates on a token, by key.
fn certificates_on(serial: &str) -> Vec<x509_cert::Certificate> {
    let module = Module::load(&rutoken_emu_module()).expect("module");
    let info = module.find_token(Some(serial)).expect("token");
    let session = module.open(&info).expect("session");
    session
        .key_pairs(false)
        .expect("pairs")
        .into_iter()
        .filter_map(|p| p.certificate)
        .collect()
}

/// What the renewal leaves: the bank with the renewal approved and its link e-mailed,
/// the two tokens, the run's place, and the old carrier's certificates.
struct Renewed {
    bank: Bank,
    emu: RutokenEmu,
    place: Place,
    banks: Vec<smartkey::bank::BankProfile>,
    pickup: PickupRef,
    old_certs: Vec<x509_cert::Certificate>,
}

/// The old carrier enrolled (300 days ago), R2.1-R2.9 with both swaps today, and the
/// renewal approved. The caller holds [`MODULE_LOCK`].
async fn renewed() -> Renewed {
    // The old certificate was issued 300 days ago; the renewal happens today.
    let now = std::time::SystemTime::now();
    let clock = std::sync::Arc::new(bankca::ManualClock::new(
        now - std::time::Duration::from_secs(300 * 86_400),
    ));
    let bank = Bank::start_with(None, Some(clock.clone())).await;
    let emu = RutokenEmu::new();
    emu.cli(&["init", "--serial", OLD, "--label", "old"]);
    emu.cli(&["init", "--serial", NEW, "--label", "new"]);
    emu.cli(&["insert", OLD, "--reader", "0"]);
    // SAFETY: every test of this binary that reads the environment holds MODULE_LOCK.
    unsafe { std::env::set_var("RUTOKEN_EMU_DIR", emu.dir.path()) };
    let place = Place::new();
    let banks = bank.profiles(place.dir.path());
    let config = || place.config(rutoken_emu_module(), banks.clone());
    let bench = bench(emu.dir.path());

    // The old carrier, enrolled the way its owner once did.
    let mut script = to_the_form_and_past_it();
    script.extend([
        wait("N2.4"),
        change_pin(FACTORY_PIN, OLD_PIN),
        wait("N2.5"),
        change_pin(FACTORY_ADMIN_PIN, OLD_ADMIN_PIN),
        wait("N2.6"),
        pin(OLD_PIN),
        wait("N2.7"),
        next(),
        wait("N2.8"),
    ]);
    let start = smartkey::app::start::start(&banks, Some(5282), Vec::new()).expect("start");
    let (end, _) = play(Wizard::new_flow(start), script, None, config()).await;
    ended(&end, "N2.8", Ending::RequestSent);
    bank.approve_waiting();
    let link = bank.pickup_link(1);
    let start = smartkey::app::start::start(&banks, None, place.pending().load().expect("records"))
        .expect("start");
    let script = vec![
        wait("N2.9"),
        next(),
        pin(OLD_PIN),
        wait("N2.10"),
        next(),
        wait("N2.11"),
    ];
    let (end, _) = play(
        Wizard::save_flow(smartkey::enroll::pickup_ref(&link).expect("pickup"), start),
        script,
        None,
        config(),
    )
    .await;
    ended(&end, "N2.11", Ending::CertificateSaved);
    let old_certs = certificates_on(OLD);
    assert_eq!(old_certs.len(), 1);

    clock.set(now);

    // R2.1-R2.9: two swaps.
    let script = vec![
        wait("R2.1"),
        next(),
        wait("R2.2"),
        pin(OLD_PIN),
        wait("R2.3"),
        next(),
        wait("R2.4"),
        answer(Answer::Edit {
            field: FieldId::Email,
            value: "buh@example.ru".into(),
        }),
        answer(Answer::Edit {
            field: FieldId::Phone,
            value: "+7 (495) 123-45-67".into(),
        }),
        next(),
        remove(OLD),
        ScriptStepExt::wait_gone(OLD),
        insert(NEW, 1),
        ScriptStepExt::wait_token(NEW),
        wait("R2.4"),
        next(),
        wait("R2.5"),
        change_pin(FACTORY_PIN, NEW_PIN),
        wait("R2.6"),
        change_pin(FACTORY_ADMIN_PIN, NEW_ADMIN_PIN),
        wait("R2.7"),
        pin(NEW_PIN),
        wait("R2.8"),
        remove(NEW),
        ScriptStepExt::wait_gone(NEW),
        insert(OLD, 0),
        ScriptStepExt::wait_token(OLD),
        wait("R2.8"),
        pin(OLD_PIN),
        wait("R2.9"),
    ];
    let start =
        smartkey::app::start::start(&banks, Some(5282), place.pending().load().expect("records"))
            .expect("start");
    let (end, seen) = play(
        Wizard::renew_flow(start),
        script,
        Some(bench.clone()),
        config(),
    )
    .await;
    ended(&end, "R2.9", Ending::RenewalSent);
    assert!(seen.codes.iter().any(|c| c == "R2.7"));
    let pending = place.pending().load().expect("records");
    assert_eq!(pending.len(), 1, "the renewal waits: {pending:?}");

    // R2.10-R2.12: the act with the old key, the certificate onto the new token.
    bank.approve_waiting();
    let link = bank.pickup_link(2);
    let pickup = smartkey::enroll::pickup_ref(&link).expect("pickup");
    assert_eq!(
        pickup.transaction, pending[0].transaction,
        "the link names the recorded request"
    );
    // The contacts changed at R2.4 reached the bank: the link went to the new e-mail.
    assert_eq!(
        mail_to(&bank, 1),
        "ivanov@example.ru",
        "the first certificate's link"
    );
    assert_eq!(
        mail_to(&bank, 2),
        "buh@example.ru",
        "the renewal's link goes to the e-mail confirmed at R2.4"
    );
    let stored = bank
        .server
        .ca()
        .list(None)
        .expect("requests")
        .into_iter()
        .find(|r| hex::encode(&r.transaction_id) == pickup.transaction.0)
        .expect("the renewal at the bank");
    assert_eq!(stored.email, "buh@example.ru");
    assert_eq!(stored.phone.as_deref(), Some("+7 (495) 123-45-67"));
    assert!(stored.contacts_confirmed);
    Renewed {
        bank,
        emu,
        place,
        banks,
        pickup,
        old_certs,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_with_both_swaps_then_save_then_destroy_the_old_key() {
    let _lock = MODULE_LOCK.lock().await;
    let Renewed {
        bank: _bank,
        emu,
        place,
        banks,
        pickup,
        old_certs,
    } = renewed().await;
    let config = || place.config(rutoken_emu_module(), banks.clone());
    let bench = bench(emu.dir.path());
    let pending = place.pending().load().expect("records");
    let script = vec![
        wait("R2.10"),
        next(),
        pin(OLD_PIN),
        wait("R2.11"),
        remove(OLD),
        ScriptStepExt::wait_gone(OLD),
        insert(NEW, 1),
        ScriptStepExt::wait_token(NEW),
        wait("R2.11"),
        next(),
        pin(NEW_PIN),
        wait("R2.12"),
        next(),
    ];
    let start = smartkey::app::start::start(&banks, None, pending).expect("start");
    let (end, _) = play(
        Wizard::save_flow(pickup, start),
        script,
        Some(bench),
        config(),
    )
    .await;
    ended(&end, "R2.12", Ending::RenewalSaved);
    assert!(place.pending().load().expect("records").is_empty());

    let new_certs = certificates_on(NEW);
    assert_eq!(
        new_certs.len(),
        1,
        "the new token holds the new certificate"
    );
    assert_eq!(
        new_certs[0].tbs_certificate().subject(),
        old_certs[0].tbs_certificate().subject(),
        "the renewal keeps the subject"
    );
    emu.cli(&["insert", OLD, "--reader", "0"]);
    assert_eq!(
        certificates_on(OLD).len(),
        1,
        "the old key stays until R2.13"
    );

    // R2.13: the new carrier shown first, then the old one, two confirmations, its PIN.
    emu.cli(&["remove", OLD]);
    let script = vec![
        wait("R2.13"),
        remove(NEW),
        ScriptStepExt::wait_gone(NEW),
        insert(OLD, 0),
        ScriptStepExt::wait_token(OLD),
        wait("R2.13"),
        next(),
        answer(Answer::Tick {
            field: FieldId::PaymentWentThrough,
            on: true,
        }),
        answer(Answer::Confirm),
        answer(Answer::Edit {
            field: FieldId::SerialTail,
            value: "0A01".into(),
        }),
        answer(Answer::Confirm),
        pin(OLD_PIN),
    ];
    let start = smartkey::app::start::start(&banks, Some(5282), Vec::new()).expect("start");
    let (end, seen) = play(
        Wizard::destroy_old_key_flow(start),
        script,
        Some(app_common::bench(emu.dir.path())),
        config(),
    )
    .await;
    assert!(
        matches!(
            &end,
            RunEnd::Finished {
                ending: Ending::OldKeyDestroyed,
                ..
            }
        ),
        "{end:?} after {:?}",
        seen.screens.last().map(|s| (&s.notice, &s.body))
    );
    assert!(certificates_on(OLD).is_empty(), "the old key is gone");
    let transcript = std::fs::read_to_string(place.transcript()).expect("transcript");
    for pin in [OLD_PIN, OLD_ADMIN_PIN, NEW_PIN, NEW_ADMIN_PIN] {
        assert!(
            !place
                .all_bytes()
                .windows(pin.len())
                .any(|w| w == pin.as_bytes()),
            "{pin}"
        );
        assert!(!transcript.contains(pin));
    }
}

/// The recipient (the `To` header) of the `n`-th pickup e-mail in the bank's Maildir.
fn mail_to(bank: &Bank, n: usize) -> String {
    let new = bank.dir.path().join("mail").join("new");
    let mut mails: Vec<std::path::PathBuf> = std::fs::read_dir(&new)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    mails.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    let text = std::fs::read_to_string(&mails[n - 1]).expect("read mail");
    text.lines()
        .find_map(|l| l.strip_prefix("To: "))
        .unwrap_or_else(|| panic!("no To header:\n{text}"))
        .trim()
        .to_string()
}

/// The token waits of a script.
struct ScriptStepExt;

impl ScriptStepExt {
    fn wait_token(serial: &str) -> smartkey::app::ScriptStep {
        smartkey::app::ScriptStep::WaitToken(serial.into())
    }

    fn wait_gone(serial: &str) -> smartkey::app::ScriptStep {
        smartkey::app::ScriptStep::WaitNoToken(serial.into())
    }
}

/// The renewal's save, as `smartkey save LINK` runs it, killed (SIGKILL) once the bank
/// has accepted the act signed by the old key and before the certificate is written onto
/// the new token: a second `save LINK` puts the renewed certificate on the new token,
/// from the copy kept on this computer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_save_killed_after_the_act_finishes_with_a_second_save() {
    let _lock = MODULE_LOCK.lock().await;
    let r = renewed().await;
    let link = format!(
        "{}/pickup/{}/{}",
        r.bank.server.base_url(),
        r.pickup.agent_id,
        r.pickup.transaction.0
    );
    // The binary keeps its state where smartkey_in points it; the records of the runs so
    // far move there.
    let state = r.emu.path("state/smartkey");
    std::fs::create_dir_all(&state).expect("state directory");
    std::fs::copy(r.place.pending().path(), state.join("pending.json")).expect("records");
    let banks = r.place.dir.path().join("banks.toml");
    let save = |script: &str| {
        let file = r.emu.path("save.jsonl");
        std::fs::write(&file, script).expect("script");
        let mut cmd = r.emu.smartkey();
        cmd.env("PIN_OLD", OLD_PIN)
            .env("PIN_NEW", NEW_PIN)
            .arg("--banks")
            .arg(&banks)
            .args(["--bank", "5282", "save", &link, "--script"])
            .arg(&file)
            .arg("--out-dir")
            .arg(r.emu.path("documents"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    // The moment of the kill: the bank has the act, and this computer has noted so with
    // the kept certificate (the run then waits at R2.11 for the new token).
    let accepted = || {
        let at_bank = r
            .bank
            .server
            .ca()
            .list(None)
            .expect("requests")
            .into_iter()
            .any(|q| {
                hex::encode(&q.transaction_id) == r.pickup.transaction.0
                    && q.state == bankca::State::Confirmed
            });
        let noted = std::fs::read(state.join("pending.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v[0]["kept"]["accepted"] == serde_json::json!(true));
        at_bank && noted
    };

    // R2.10: the act signed by the old key; then the run waits at R2.11 for the new
    // token, and is killed there.
    let mut first = save(concat!(
        "{\"wait\": \"R2.10\"}\n",
        "{\"answer\": \"next\"}\n",
        "{\"answer\": {\"pin\": \"${PIN_OLD}\"}}\n",
        "{\"wait\": \"R2.11\"}\n",
        "{\"wait_token\": \"0B0B0B02\"}\n",
    ))
    .spawn()
    .expect("smartkey save runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !accepted() {
        assert!(
            std::time::Instant::now() < deadline,
            "the bank never got the act"
        );
        assert!(
            first.try_wait().expect("the run").is_none(),
            "the run ended before the act was accepted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    first.kill().expect("SIGKILL");
    let _ = first.wait();
    let records: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("pending.json")).expect("records"))
            .expect("JSON");
    assert!(
        records[0]["kept"]["certificate"]["der"].is_string(),
        "the certificate is kept on this computer: {records}"
    );

    // The client swaps the tokens and runs the same command again.
    r.emu.cli(&["remove", OLD]);
    r.emu.cli(&["insert", NEW, "--reader", "1"]);
    assert!(
        certificates_on(NEW).is_empty(),
        "killed before the certificate reached the new token"
    );
    let second = save(concat!(
        "{\"wait\": \"R2.11\"}\n",
        "{\"answer\": \"next\"}\n",
        "{\"answer\": {\"pin\": \"${PIN_NEW}\"}}\n",
        "{\"wait\": \"R2.12\"}\n",
        "{\"answer\": \"next\"}\n",
    ))
    .output()
    .expect("smartkey save runs");
    let out = String::from_utf8_lossy(&second.stdout);
    assert_eq!(
        second.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(out.contains("R2.12"), "{out}");
    let new_certs = certificates_on(NEW);
    assert_eq!(
        new_certs.len(),
        1,
        "the renewed certificate is on the new token"
    );
    assert_eq!(
        new_certs[0].tbs_certificate().subject(),
        r.old_certs[0].tbs_certificate().subject()
    );
    let records = std::fs::read(state.join("pending.json")).expect("records");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&records).expect("JSON"),
        serde_json::json!([]),
        "the request is done with"
    );
}
