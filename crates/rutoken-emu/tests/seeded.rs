//! `RUTOKEN_EMU_SEED`: the same seed and the same operations on fresh state directories
//! give the same keys, random bytes and token files, across module loads and the CLI (a
//! process of its own); another seed, or none, gives other keys.

mod common;

use common::{Raw, TestDir, serial_guard};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

const SERIAL: &str = "5EED0A0B";

/// What a run shows: the public keys, the random bytes, and the token file.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    rsa_modulus: Vec<u8>,
    gost_256: Vec<u8>,
    random: Vec<u8>,
    token_file: Vec<u8>,
}

fn pin(text: &str) -> AuthPin {
    AuthPin::new(text.into())
}

fn set_seed(seed: Option<&str>) {
    // SAFETY: every test of this file holds `serial_guard`, and no other thread of the
    // test process reads the environment meanwhile.
    unsafe {
        match seed {
            Some(seed) => std::env::set_var("RUTOKEN_EMU_SEED", seed),
            None => std::env::remove_var("RUTOKEN_EMU_SEED"),
        }
    }
}

fn open(dir: &TestDir) -> Pkcs11 {
    dir.activate();
    let pkcs11 = Pkcs11::new(common::module_path()).unwrap();
    pkcs11
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    pkcs11
}

/// Creates a token with the CLI, then in one module load changes the PIN and generates
/// an RSA key, and in a second load (as a later process would) a GOST key and random
/// bytes.
fn run(name: &str, seed: Option<&str>) -> Run {
    set_seed(seed);
    let dir = TestDir::new(name);
    dir.token(SERIAL);

    let rsa_modulus = {
        let pkcs11 = open(&dir);
        let slot = pkcs11.get_slots_with_token().unwrap()[0];
        let session = pkcs11.open_rw_session(slot).unwrap();
        session
            .login(UserType::User, Some(&pin("12345678")))
            .unwrap();
        session
            .set_pin(&pin("12345678"), &pin("replay-pin"))
            .unwrap();
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::ModulusBits(1024.into()),
            Attribute::Id(b"rsa".to_vec()),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sign(true),
            Attribute::Id(b"rsa".to_vec()),
        ];
        let (public, _) = session
            .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)
            .unwrap();
        match session
            .get_attributes(public, &[AttributeType::Modulus])
            .unwrap()
            .as_slice()
        {
            [Attribute::Modulus(n)] => n.clone(),
            other => panic!("no modulus: {other:?}"),
        }
    };

    let (gost_256, random) = {
        let pkcs11 = open(&dir);
        let raw = Raw::load();
        let slot = pkcs11.get_slots_with_token().unwrap()[0];
        let session = pkcs11.open_rw_session(slot).unwrap();
        session
            .login(UserType::User, Some(&pin("replay-pin")))
            .unwrap();
        let h = session.handle();
        let (public, _) = raw.gost_pair(h, false, b"gost").unwrap();
        let value = raw.attribute(h, public, cryptoki_sys::CKA_VALUE).unwrap();
        let mut random = [0u8; 48];
        session.generate_random_slice(&mut random).unwrap();
        (value, random.to_vec())
    };

    let token_file = std::fs::read(dir.0.join("tokens").join(format!("{SERIAL}.json"))).unwrap();
    set_seed(None);
    Run {
        rsa_modulus,
        gost_256,
        random,
        token_file,
    }
}

#[test]
fn same_seed_same_keys_other_seed_or_none_other_keys() {
    let _guard = serial_guard();
    let first = run("seed-a1", Some("training lesson 1"));
    let second = run("seed-a2", Some("training lesson 1"));
    assert_eq!(first.rsa_modulus.len(), 128);
    assert_eq!(first.gost_256.len(), 64);
    // Keys, random bytes, PIN salts and the draw counter: byte for byte.
    assert_eq!(first, second);

    let other = run("seed-b", Some("training lesson 2"));
    assert_ne!(other.rsa_modulus, first.rsa_modulus);
    assert_ne!(other.gost_256, first.gost_256);
    assert_ne!(other.random, first.random);

    let plain_1 = run("unseeded-1", None);
    let plain_2 = run("unseeded-2", None);
    assert_ne!(plain_1.rsa_modulus, plain_2.rsa_modulus);
    assert_ne!(plain_1.gost_256, plain_2.gost_256);
    assert_ne!(plain_1.random, plain_2.random);
    assert_ne!(plain_1.rsa_modulus, first.rsa_modulus);
    // Unseeded token files keep their format: no draw counter.
    let text = String::from_utf8_lossy(&plain_1.token_file);
    assert!(!text.contains("seeded_draws"), "{text}");
}

#[test]
fn an_empty_seed_is_no_seed() {
    let _guard = serial_guard();
    let first = run("empty-1", Some(""));
    let second = run("empty-2", Some(""));
    assert_ne!(first.gost_256, second.gost_256);
    assert_ne!(first.random, second.random);
}
