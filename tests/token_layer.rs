//! The token layer's API against a real PKCS#11 module, in process.
//!
//! Each test is written once against [`Backend`] so that any module can run it; the
//! modules' configuration lives in process-wide environment variables, so tests that
//! load a module take a lock and set the variable for their own token directory.

mod common;

use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use common::*;
use smartkey::pki::{build_csr, csr_pem};
use smartkey::token::{Module, TokenError, TokenSigner, gost_size};
use smartkey_wizard::{Applicant, KeyType, Pin, PinPolicyError, PinRole, Tries};

static MODULE_LOCK: Mutex<()> = Mutex::new(());

/// A module with one fresh token (factory PINs), loaded in this process.
struct Backend {
    // Field order matters: the module is unloaded before its token directory goes.
    module: Module,
    serial: String,
    /// Scratch space for files, and the token directory.
    dir: std::path::PathBuf,
    emu: Option<RutokenEmu>,
    _softhsm: Option<SoftHsm>,
    _guard: MutexGuard<'static, ()>,
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
            module,
            serial,
            dir: hsm.dir.path().to_path_buf(),
            emu: None,
            _softhsm: Some(hsm),
            _guard: guard,
        }
    }

    fn rutoken_emu() -> Backend {
        let guard = MODULE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let emu = RutokenEmu::new();
        let serial = emu.add_token("0A1B2C3D", "layer-test");
        // SAFETY: every test that reads the environment of this process holds MODULE_LOCK.
        unsafe { std::env::set_var("RUTOKEN_EMU_DIR", emu.dir.path()) };
        let module = Module::load(&rutoken_emu_module()).expect("rutoken-emu loads");
        Backend {
            module,
            serial,
            dir: emu.dir.path().to_path_buf(),
            emu: Some(emu),
            _softhsm: None,
            _guard: guard,
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.join(name)
    }
}

fn pin(s: &str) -> Pin {
    Pin::new(s.to_string())
}

fn all_backends() -> Vec<fn() -> Backend> {
    vec![Backend::softhsm, Backend::rutoken_emu]
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
        assert_eq!(key.algorithm, KeyType::Rsa2048);
        let protection = s.key_protection(&key.id).unwrap();
        assert!(protection.sensitive, "CKA_SENSITIVE is not true");
        assert!(!protection.extractable, "CKA_EXTRACTABLE is not false");

        let spki = s.public_key(&key.id).unwrap();
        assert_eq!(spki.algorithm.oid.to_string(), "1.2.840.113549.1.1.1");

        let applicant: Applicant = serde_json::from_str(&{
            let path = b.path("a.json");
            write_applicant(&path);
            std::fs::read_to_string(path).unwrap()
        })
        .unwrap();
        let signer = TokenSigner::new(&s, &key.id).unwrap();
        let csr = build_csr(&applicant.validate().unwrap(), &signer).unwrap();
        let path = b.path("req.pem");
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

        let ca = OpensslCa::new(&b.dir);
        let cert = b.path("cert.pem");
        ca.issue(&path, &cert);
        let id = s
            .import_certificate(&std::fs::read(&cert).unwrap())
            .unwrap();
        assert_eq!(id, key.id);
        assert!(s.key_pairs(true).unwrap()[0].certificate.is_some());
        let other = ca.issue_for_other_key(&b.dir);
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
                if let Tries::Exactly(n) = tries_left {
                    assert!(n < 10);
                }
            }
            other => panic!("expected PinIncorrect, got {other:?}"),
        }
        // The right PIN still works: one wrong entry does not lock anything.
        s.login(PinRole::User, &pin(FACTORY_PIN)).unwrap();

        let policy = smartkey_wizard::check_new_pin(
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

#[test]
fn gost_keys_sign_on_the_virtual_rutoken_and_survive_removal() {
    let b = Backend::rutoken_emu();
    let emu = b.emu.as_ref().expect("rutoken-emu");
    let token = b.module.find_token(Some(&b.serial)).unwrap();
    assert_eq!(token.display_model(), "Rutoken ECP 2.0");
    assert_eq!(token.user_pin.is_default, Some(true));
    let mut s = b.module.open(&token).unwrap();
    s.login(PinRole::User, &pin(FACTORY_PIN)).unwrap();
    let mut keys = Vec::new();
    for algorithm in [KeyType::Gost2012_256, KeyType::Gost2012_512] {
        let key = s.generate(algorithm, "gost").unwrap();
        let signer = TokenSigner::new(&s, &key.id).unwrap();
        assert_eq!(signer.algorithm(), algorithm);
        let signature = signer.sign_message(b"payment order 1").unwrap();
        // Checked by the independent implementation, from the SPKI the token layer built.
        let spki = der::Encode::to_der(&s.public_key(&key.id).unwrap()).unwrap();
        let verifying = gost3410::VerifyingKey::from_spki_der(&spki).unwrap();
        let size = gost_size(algorithm).unwrap();
        let digest = gost3410::streebog_digest(size, b"payment order 1");
        let sig = gost3410::Signature::from_bytes(signature.as_bytes()).unwrap();
        verifying.verify_digest(&digest, &sig).unwrap();
        let protection = s.key_protection(&key.id).unwrap();
        assert!(protection.sensitive && !protection.extractable);
        keys.push(key);
    }

    // Pulled out between key generation and signing: a typed removal, no crash.
    emu.cli(&["remove", &b.serial]);
    let signer_err = TokenSigner::new(&s, &keys[0].id).and_then(|signer| signer.sign_message(b"x"));
    match signer_err {
        Err(e) => assert!(e.is_removed(), "expected a removal, got {e:?}"),
        Ok(_) => panic!("signed on a removed token"),
    }
    assert!(matches!(
        b.module.find_token(Some(&b.serial)),
        Err(TokenError::NotFound { .. })
    ));
    drop(s);

    // Put back: the keys are still there and sign.
    emu.cli(&["insert", &b.serial]);
    let token = b.module.find_token(Some(&b.serial)).unwrap();
    let mut s = b.module.open(&token).unwrap();
    s.login(PinRole::User, &pin(FACTORY_PIN)).unwrap();
    let pairs = s.key_pairs(true).unwrap();
    for key in &keys {
        assert!(
            pairs
                .iter()
                .any(|p| p.id == key.id && p.has_private_key == Some(true))
        );
    }
    TokenSigner::new(&s, &keys[1].id)
        .unwrap()
        .sign_message(b"again")
        .unwrap();
}
