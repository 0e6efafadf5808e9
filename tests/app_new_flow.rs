//! The new-certificate flow through the real runtime: a scripted person, the virtual
//! Rutoken (GOST) in its readers, a bankca started here. N2.1 to N2.8, the operator's
//! approval, then saving from the e-mailed link, N2.9 to N2.11; and a `new` interrupted
//! after the PIN change and again after the key generation, finished by a later run; and
//! saving through a hostile bank, which loses nothing.

mod app_common;
mod common;
mod hostile_bank;

use app_common::*;
use common::*;
use smartkey::app::{RunEnd, ScriptStep};
use smartkey::token::Module;
use smartkey_wizard::{Answer, Ending, Wizard};

const SERIAL: &str = "0A1B2C3D";

fn set_emu(emu: &RutokenEmu) {
    // SAFETY: every test of this binary that reads the environment holds MODULE_LOCK.
    unsafe { std::env::set_var("RUTOKEN_EMU_DIR", emu.dir.path()) };
}

/// The chosen PINs appear nowhere; the factory ones (which the screens quote, as the
/// bank's instructions do) appear in no answer.
fn assert_no_pin_in(bytes: &[u8], transcript: &str) {
    for line in transcript.lines().filter(|l| l.starts_with('>')) {
        assert!(
            !line.contains(FACTORY_PIN) && !line.contains(FACTORY_ADMIN_PIN),
            "{line}"
        );
    }
    for pin in [NEW_PIN, NEW_ADMIN_PIN] {
        assert!(
            !bytes.windows(pin.len()).any(|w| w == pin.as_bytes()),
            "the PIN {pin} was written down"
        );
    }
}

fn finished(end: &RunEnd, code: &str, ending: Ending) {
    match end {
        RunEnd::Finished { at, ending: e } => {
            assert_eq!(at.as_str(), code);
            assert_eq!(*e, ending);
        }
        other => panic!("the flow did not finish at {code}: {other:?}"),
    }
}

/// The key pairs on the token now, with whether each has a certificate.
fn keys_on_token(serial: &str) -> Vec<(String, bool)> {
    let module = Module::load(&rutoken_emu_module()).expect("module");
    let info = module.find_token(Some(serial)).expect("token");
    let session = module.open(&info).expect("session");
    session
        .key_pairs(false)
        .expect("pairs")
        .into_iter()
        .map(|p| (p.label, p.certificate.is_some()))
        .collect()
}

/// N2.1 to N2.8 on a fresh token: the form, both PIN changes, the key, the request.
fn to_the_request() -> Vec<ScriptStep> {
    let mut script = to_the_form_and_past_it();
    script.extend([
        wait("N2.4"),
        change_pin(FACTORY_PIN, NEW_PIN),
        wait("N2.5"),
        change_pin(FACTORY_ADMIN_PIN, NEW_ADMIN_PIN),
        wait("N2.6"),
        pin(NEW_PIN),
        wait("N2.7"),
        next(),
        wait("N2.8"),
    ]);
    script
}

/// N2.9 to N2.11: the act signed, the certificate saved.
fn to_the_saved_certificate() -> Vec<ScriptStep> {
    vec![
        wait("N2.9"),
        next(),
        pin(NEW_PIN),
        wait("N2.10"),
        next(),
        wait("N2.11"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_on_the_virtual_rutoken_then_save_from_the_link() {
    let _lock = MODULE_LOCK.lock().await;
    let bank = Bank::start(None).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    set_emu(&emu);
    let place = Place::new();
    let banks = bank.profiles(place.dir.path());

    // N2.1-N2.8.
    let start = smartkey::app::start::start(&banks, Some(5282), Vec::new()).expect("start");
    let script = to_the_request();
    let (end, seen) = play(
        Wizard::new_flow(start),
        script,
        None,
        place.config(rutoken_emu_module(), banks.clone()),
    )
    .await;
    finished(&end, "N2.8", Ending::RequestSent);
    for code in [
        "N2.1", "N2.2", "N2.3", "N2.4", "N2.5", "N2.6", "N2.7", "N2.8",
    ] {
        assert!(
            seen.codes.iter().any(|c| c == code),
            "{code} was shown: {:?}",
            seen.codes
        );
    }
    let pending = place.pending().load().expect("records");
    assert_eq!(pending.len(), 1, "the request is recorded");
    let application = std::fs::read_dir(place.documents())
        .expect("documents")
        .flatten()
        .find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.contains("application") && name.ends_with(".txt")
        })
        .expect("the application is saved");
    let text = std::fs::read_to_string(application.path()).expect("read");
    assert!(text.contains("Иванов"), "{text}");

    // The bank approves; the link arrives.
    bank.approve_waiting();
    let link = bank.pickup_link(1);
    let pickup = smartkey::enroll::pickup_ref(&link).expect("a pickup");
    assert_eq!(pickup.transaction, pending[0].transaction);

    // N2.9-N2.11.
    let start = smartkey::app::start::start(&banks, None, pending).expect("start");
    let script = to_the_saved_certificate();
    let (end, _) = play(
        Wizard::save_flow(pickup, start),
        script,
        None,
        place.config(rutoken_emu_module(), banks),
    )
    .await;
    finished(&end, "N2.11", Ending::CertificateSaved);
    assert!(place.pending().load().expect("records").is_empty());
    let keys = keys_on_token(SERIAL);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].1, "the certificate is on the token next to its key");
    assert!(
        std::fs::read_dir(place.documents())
            .expect("documents")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("act")),
        "the act is saved"
    );
    let transcript = std::fs::read_to_string(place.transcript()).expect("transcript");
    assert!(transcript.contains("N2.6") && transcript.contains("(hidden)"));
    let transcript = std::fs::read_to_string(place.transcript()).expect("transcript");
    assert_no_pin_in(&place.all_bytes(), &transcript);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_new_finishes_without_a_second_pin_change_or_a_stray_key() {
    let _lock = MODULE_LOCK.lock().await;
    let bank = Bank::start(None).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    set_emu(&emu);
    let place = Place::new();
    let banks = bank.profiles(place.dir.path());

    // First run: both PINs changed, then the person leaves at N2.6.
    let mut script = to_the_form_and_past_it();
    script.extend([
        wait("N2.4"),
        change_pin(FACTORY_PIN, NEW_PIN),
        wait("N2.5"),
        change_pin(FACTORY_ADMIN_PIN, NEW_ADMIN_PIN),
        wait("N2.6"),
    ]);
    let start = smartkey::app::start::start(&banks, Some(5282), Vec::new()).expect("start");
    let (end, _) = play(
        Wizard::new_flow(start),
        script,
        None,
        place.config(rutoken_emu_module(), banks.clone()),
    )
    .await;
    assert!(
        matches!(end, RunEnd::Left { ref at } if at.as_str() == "N2.6"),
        "{end:?}"
    );

    // Second run: no PIN change asked; the key is made, but the bank cannot be reached.
    let offline = bank.profiles_at(place.dir.path(), "http://127.0.0.1:9");
    let mut script = to_the_form_and_past_it();
    script.extend([wait("N2.6"), pin(NEW_PIN), wait("N2.6")]);
    let start = smartkey::app::start::start(&offline, Some(5282), Vec::new()).expect("start");
    let (end, seen) = play(
        Wizard::new_flow(start),
        script,
        None,
        place.config(rutoken_emu_module(), offline),
    )
    .await;
    assert!(matches!(end, RunEnd::Left { .. }), "{end:?}");
    assert!(
        !seen.codes.iter().any(|c| c == "N2.4" || c == "N2.5"),
        "no second PIN change: {:?}",
        seen.codes
    );
    assert_eq!(keys_on_token(SERIAL).len(), 1, "the key was made");

    // Third run: the key made before is reused, not a second one.
    let banks = bank.profiles(place.dir.path());
    let mut script = to_the_form_and_past_it();
    script.extend([
        wait("N2.6"),
        answer(Answer::Choose(0)),
        pin(NEW_PIN),
        wait("N2.7"),
        next(),
        wait("N2.8"),
    ]);
    let start = smartkey::app::start::start(&banks, Some(5282), Vec::new()).expect("start");
    let (end, seen) = play(
        Wizard::new_flow(start),
        script,
        None,
        place.config(rutoken_emu_module(), banks),
    )
    .await;
    finished(&end, "N2.8", Ending::RequestSent);
    assert!(!seen.codes.iter().any(|c| c == "N2.4" || c == "N2.5"));
    let keys = keys_on_token(SERIAL);
    assert_eq!(keys.len(), 1, "no stray key: {keys:?}");
    let transcript = std::fs::read_to_string(place.transcript()).expect("transcript");
    assert_no_pin_in(&place.all_bytes(), &transcript);
}

/// Saving from the link while the bank's answers are garbage, cut short, enormous, another
/// transaction's, an unprotected "no such request", or a certificate for another key:
/// each run stops with a clear failure, nothing is accepted or written, the local
/// record stays; then the real bank's answer finishes the job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_bank_loses_nothing() {
    use hostile_bank::{HostileBank, Mode};
    use smartkey_wizard::{FailureKind, Msg};

    let _lock = MODULE_LOCK.lock().await;
    let bank = Bank::start(None).await;
    let emu = RutokenEmu::new();
    emu.add_token(SERIAL, "Рутокен");
    set_emu(&emu);
    let place = Place::new();
    let addr = bank.server.local_addr();
    let hostile = HostileBank::start(addr);
    let banks = bank.profiles_at(place.dir.path(), &hostile.base_url());

    let start = smartkey::app::start::start(&banks, Some(5282), Vec::new()).expect("start");
    let script = to_the_request();
    let (end, _) = play(
        Wizard::new_flow(start),
        script,
        None,
        place.config(rutoken_emu_module(), banks.clone()),
    )
    .await;
    finished(&end, "N2.8", Ending::RequestSent);
    bank.approve_waiting();
    let link = bank.pickup_link(1);
    let pickup = smartkey::enroll::pickup_ref(&link).expect("a pickup");

    // A signed answer of the bank in another transaction.
    let other = {
        let header =
            cmp::build::new_header(cmp::build::null_dn(), cmp::build::null_dn()).expect("header");
        let poll = cmp::build::poll_req(header, 0);
        let der = cmp::der::Encode::to_der(&poll).expect("encode");
        tokio::task::spawn_blocking(move || {
            hostile_bank::ask(addr, "/.well-known/cmp/p/5282", &der)
        })
        .await
        .expect("ask")
    };
    let read = |name: &str| std::fs::read_to_string(bank.dir.path().join(name)).expect("CA file");
    let pem_cert = |name: &str| {
        <cmp::x509_cert::Certificate as cmp::der::DecodePem>::from_pem(read(name)).expect("PEM")
    };
    let other_key = Mode::OtherKey {
        certificate: Box::new(pem_cert("ca-gost.pem")),
        key: std::sync::Arc::new(
            bankca::keys::RsaCaKey::from_pem(&read("ca-rsa.key")).expect("the CA key"),
        ),
        signer: Box::new(pem_cert("ca-rsa.pem")),
    };

    let state = || bank.server.ca().list(None).expect("list")[0].state;
    for mode in [
        Mode::Garbage,
        Mode::Truncated,
        Mode::Enormous,
        Mode::OtherTransaction(other),
        Mode::UnprotectedUnknown,
        other_key,
    ] {
        let name = format!("{mode:?}").chars().take(24).collect::<String>();
        hostile.set(mode);
        let pending = place.pending().load().expect("records");
        assert_eq!(pending.len(), 1, "{name}: the record is there before");
        let start = smartkey::app::start::start(&banks, None, pending).expect("start");
        let script = vec![wait("N2.9"), answer(Answer::Cancel)];
        let (end, seen) = play(
            Wizard::save_flow(pickup.clone(), start),
            script,
            None,
            place.config(rutoken_emu_module(), banks.clone()),
        )
        .await;
        let failed = seen.screens.iter().any(|s| {
            s.notice.as_ref().is_some_and(|n| {
                matches!(
                    &n.text,
                    Msg::Failed {
                        kind: FailureKind::BankAnswerInvalid { .. }
                            | FailureKind::BankUnreachable { .. }
                    }
                )
            })
        });
        assert!(
            failed,
            "{name}: the failure is shown: {:?}",
            seen.screens.last()
        );
        assert!(
            matches!(
                &end,
                RunEnd::Finished {
                    ending: Ending::Cancelled,
                    ..
                } | RunEnd::Left { .. }
            ),
            "{name}: {end:?}"
        );
        assert_eq!(
            place.pending().load().expect("records").len(),
            1,
            "{name}: the record is kept"
        );
        assert!(
            keys_on_token(SERIAL)
                .iter()
                .all(|(_, with_cert)| !with_cert),
            "{name}: no certificate is written"
        );
        assert_eq!(state(), bankca::State::Issued, "{name}: nothing accepted");
    }

    // The wire mends: the same record finishes.
    hostile.set(Mode::Through);
    let pending = place.pending().load().expect("records");
    let start = smartkey::app::start::start(&banks, None, pending).expect("start");
    let script = to_the_saved_certificate();
    let (end, _) = play(
        Wizard::save_flow(pickup, start),
        script,
        None,
        place.config(rutoken_emu_module(), banks),
    )
    .await;
    finished(&end, "N2.11", Ending::CertificateSaved);
    assert!(place.pending().load().expect("records").is_empty());
    assert_eq!(state(), bankca::State::Confirmed);
}
