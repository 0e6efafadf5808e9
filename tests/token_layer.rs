//! The token layer's API against a real PKCS#11 module, in process.
//!
//! Each test is written once against [`Backend`] so that any module can run it; the
//! modules' configuration lives in process-wide environment variables, so tests that
//! load a module take a lock and set the variable for their own token directory.

mod common;

use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use common::*;
use smartkey::pki::{Applicant, build_csr, csr_pem};
use smartkey::token::{
    KeyAlgorithm, Module, Pin, PinPolicyError, PinRole, TokenError, TokenSigner, TriesLeft,
};

static MODULE_LOCK: Mutex<()> = Mutex::new(());

/// A module with one fresh token (factory PINs), loaded in this process.
struct Backend {
    _guard: MutexGuard<'static, ()>,
    hsm: SoftHsm,
    module: Module,
    serial: String,
}

impl Backend {
    fn softhsm() -> Backend {
        let guard = MODULE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let hsm = SoftHsm::new();
        let serial = hsm.add_token("layer-test");
        // SAFETY: every test that reads the environment of this process holds MODULE_LOCK.
        unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };
        let module = Module::load(&softhsm_module()).expect("SoftHSM2 loads");
        Backend {
            _guard: guard,
            hsm,
            module,
            serial,
        }
    }
}

fn pin(s: &str) -> Pin {
    Pin::new(s.to_string())
}

fn all_backends() -> Vec<fn() -> Backend> {
    vec![Backend::softhsm]
}

#[test]
fn pin_changes_key_generation_and_on_token_signing() {
    for make in all_backends() {
        let b = make();
        let token = b.module.find_token(Some(&b.serial)).unwrap();
        let mut s = b.module.open(&token).unwrap();
        s.change_pin(
            PinRole::User,
            &pin(FACTORY_PIN),
            pin(NEW_PIN),
            &pin(NEW_PIN),
        )
        .unwrap();
        s.change_pin(
            PinRole::Admin,
            &pin(FACTORY_ADMIN_PIN),
            pin(NEW_ADMIN_PIN),
            &pin(NEW_ADMIN_PIN),
        )
        .unwrap();
        assert!(matches!(
            s.login(PinRole::User, &pin(FACTORY_PIN)),
            Err(TokenError::PinIncorrect {
                role: PinRole::User,
                ..
            })
        ));
        s.login(PinRole::User, &pin(NEW_PIN)).unwrap();

        let key = s.generate_rsa_2048("layer key").unwrap();
        assert_eq!(key.algorithm, KeyAlgorithm::Rsa2048);
        let protection = s.key_protection(&key.id).unwrap();
        assert!(protection.sensitive, "CKA_SENSITIVE is not true");
        assert!(!protection.extractable, "CKA_EXTRACTABLE is not false");

        let spki = s.public_key(&key.id).unwrap();
        assert_eq!(spki.algorithm.oid.to_string(), "1.2.840.113549.1.1.1");

        let applicant: Applicant = serde_json::from_str(&{
            let path = b.hsm.path("a.json");
            write_applicant(&path);
            std::fs::read_to_string(path).unwrap()
        })
        .unwrap();
        let signer = TokenSigner::new(&s, &key.id).unwrap();
        let csr = build_csr(&applicant.validate().unwrap(), &signer).unwrap();
        let path = b.hsm.path("req.pem");
        std::fs::write(&path, csr_pem(&csr).unwrap()).unwrap();
        run_ok(
            Command::new("openssl")
                .args(["req", "-noout", "-verify", "-in"])
                .arg(&path),
        );

        let pairs = s.key_pairs(true).unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].id, key.id);
        assert_eq!(pairs[0].label, "layer key");
        assert_eq!(pairs[0].has_private_key, Some(true));

        let ca = OpensslCa::new(b.hsm.dir.path());
        let cert = b.hsm.path("cert.pem");
        ca.issue(&path, &cert);
        let id = s
            .import_certificate(&std::fs::read(&cert).unwrap())
            .unwrap();
        assert_eq!(id, key.id);
        assert!(s.key_pairs(true).unwrap()[0].certificate.is_some());
        let other = ca.issue_for_other_key(b.hsm.dir.path());
        assert!(matches!(
            s.import_certificate(&std::fs::read(other).unwrap()),
            Err(TokenError::CertificateKeyNotOnToken)
        ));

        assert_eq!(s.delete_key_pair(&key.id).unwrap(), 3);
        assert!(s.key_pairs(true).unwrap().is_empty());
        assert!(matches!(
            s.delete_key_pair(&key.id),
            Err(TokenError::KeyNotFound { .. })
        ));
    }
}

#[test]
fn wrong_pins_are_typed_and_policy_breaches_never_reach_the_token() {
    for make in all_backends() {
        let b = make();
        let token = b.module.find_token(Some(&b.serial)).unwrap();
        let mut s = b.module.open(&token).unwrap();

        let before = s.refresh().unwrap().clone();
        for (new, confirm, expected) in [
            (FACTORY_PIN, FACTORY_PIN, "FactoryDefault"),
            ("12345", "12345", "TooShort"),
            (NEW_PIN, "different-1", "ConfirmationMismatch"),
        ] {
            // A wrong current PIN as well: had the token been asked, it would count a try.
            let err = s
                .change_pin(PinRole::User, &pin("not-the-pin"), pin(new), &pin(confirm))
                .unwrap_err();
            match err {
                TokenError::PinPolicy(p) => {
                    assert!(format!("{p:?}").starts_with(expected), "{p:?}")
                }
                other => panic!("expected a policy refusal, got {other:?}"),
            }
        }
        let after = s.refresh().unwrap().clone();
        assert_eq!(
            before.user_pin, after.user_pin,
            "the token's PIN state changed"
        );

        match s.login(PinRole::User, &pin("wrong-pin-1")) {
            Err(TokenError::PinIncorrect {
                role: PinRole::User,
                tries_left,
            }) => {
                // The message carries what the module tells, never a bare return code.
                let words = TokenError::PinIncorrect {
                    role: PinRole::User,
                    tries_left,
                }
                .to_string();
                assert!(words.starts_with("wrong PIN: "), "{words}");
                assert!(!words.contains("CKR_"), "{words}");
                if let TriesLeft::Exactly(n) = tries_left {
                    assert!(n < 10);
                }
            }
            other => panic!("expected PinIncorrect, got {other:?}"),
        }
        // The right PIN still works: one wrong entry does not lock anything.
        s.login(PinRole::User, &pin(FACTORY_PIN)).unwrap();

        let policy = smartkey::token::check_new_pin(
            PinRole::Admin,
            &pin(FACTORY_ADMIN_PIN),
            pin("secret-one"),
            &pin("secret-two"),
            token.pin_limits,
        );
        assert_eq!(
            policy.err(),
            Some(PinPolicyError::ConfirmationMismatch {
                role: PinRole::Admin
            })
        );
    }
}

#[test]
fn token_listing_and_choice() {
    for make in all_backends() {
        let b = make();
        let tokens = b.module.tokens().unwrap();
        let t = tokens
            .iter()
            .find(|t| t.serial == b.serial)
            .expect("the token is listed");
        assert_eq!(t.label, "layer-test");
        assert!(t.pin_limits.min >= 1 && t.pin_limits.max >= t.pin_limits.min);
        assert!(!t.user_pin.is_locked());
        // One initialised token: chosen without a serial.
        assert_eq!(b.module.find_token(None).unwrap().serial, b.serial);
        assert!(matches!(
            b.module.find_token(Some("nope")),
            Err(TokenError::NotFound { .. })
        ));
        let info = b.module.library_info().unwrap();
        assert!(!info.manufacturer.is_empty());
    }
}
