//! The new-certificate flow with an RSA key on SoftHSM2 through the real runtime, against
//! a bankca started here: N2.1-N2.8, the approval, then saving from the link. SoftHSM2
//! does not say whether its PINs are the factory ones, so no PIN change is asked (the
//! wizard never second-guesses a module without those flags).

mod app_common;
mod common;

use app_common::*;
use common::*;
use smartkey::app::RunEnd;
use smartkey::token::Module;
use smartkey_wizard::{Ending, Wizard};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_rsa_certificate_on_softhsm_through_the_runtime() {
    let _lock = MODULE_LOCK.lock().await;
    let bank = Bank::start(None).await;
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("bank key");
    // SAFETY: every test of this binary that reads the environment holds MODULE_LOCK.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };
    let place = Place::new();
    let banks = bank.profiles(place.dir.path());

    let mut script = to_the_form_and_past_it();
    script.extend([
        wait("N2.6"),
        pin(FACTORY_PIN),
        wait("N2.7"),
        next(),
        wait("N2.8"),
    ]);
    let start = smartkey::app::start::start(&banks, Some(6184), Vec::new()).expect("start");
    let (end, seen) = play(
        Wizard::new_flow(start),
        script,
        None,
        place.config(softhsm_module(), banks.clone()),
    )
    .await;
    assert!(
        matches!(
            &end,
            RunEnd::Finished {
                ending: Ending::RequestSent,
                ..
            }
        ),
        "{end:?} after {:?}",
        seen.codes
    );
    assert!(!seen.codes.iter().any(|c| c == "N2.4"), "{:?}", seen.codes);

    bank.approve_waiting();
    let link = bank.pickup_link(1);
    let pending = place.pending().load().expect("records");
    let start = smartkey::app::start::start(&banks, None, pending).expect("start");
    let script = vec![
        wait("N2.9"),
        next(),
        pin(FACTORY_PIN),
        wait("N2.10"),
        next(),
        wait("N2.11"),
    ];
    let (end, _) = play(
        Wizard::save_flow(smartkey::enroll::pickup_ref(&link).expect("pickup"), start),
        script,
        None,
        place.config(softhsm_module(), banks),
    )
    .await;
    assert!(
        matches!(
            &end,
            RunEnd::Finished {
                ending: Ending::CertificateSaved,
                ..
            }
        ),
        "{end:?}"
    );

    let module = Module::load(&softhsm_module()).expect("module");
    let info = module.find_token(Some(&serial)).expect("token");
    let session = module.open(&info).expect("session");
    let pairs = session.key_pairs(false).expect("pairs");
    assert_eq!(pairs.len(), 1);
    let cert = pairs[0]
        .certificate
        .as_ref()
        .expect("the certificate is saved");
    assert_eq!(
        cert.signature_algorithm().oid.to_string(),
        "1.2.840.113549.1.1.11",
        "an RSA certificate"
    );
    let transcript = std::fs::read_to_string(place.transcript()).expect("transcript");
    for line in transcript.lines().filter(|l| l.starts_with('>')) {
        assert!(!line.contains(FACTORY_PIN), "{line}");
    }
}
