//! The module as an application sees it through the `cryptoki` crate (and raw calls on
//! the same loaded module for what `cryptoki` cannot name): PINs and their flags, RSA and
//! GOST keys and signatures checked with independent implementations, lockout, hot-plug.

mod common;

use common::{Raw, STREEBOG_256, STREEBOG_512, TestDir, serial_guard};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use rsa::pkcs1v15::{Signature as RsaSignature, VerifyingKey as RsaVerifyingKey};
use rsa::signature::Verifier;
use rsa::{BoxedUint, PublicKey as RsaPublicKey};
use rutoken_sys::{TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT, TOKEN_FLAGS_USER_PIN_NOT_DEFAULT};
use sha2::Sha256;

fn pin(text: &str) -> AuthPin {
    AuthPin::new(text.into())
}

fn rv(result: cryptoki::error::Result<impl Sized>) -> RvError {
    match result {
        Err(Error::Pkcs11(rv, _)) => rv,
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("unexpected success"),
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

fn rsa_pair(
    session: &Session,
    id: &[u8],
) -> (
    cryptoki::object::ObjectHandle,
    cryptoki::object::ObjectHandle,
) {
    let public = [
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Verify(true),
        Attribute::ModulusBits(2048.into()),
        Attribute::PublicExponent(vec![1, 0, 1]),
        Attribute::Id(id.to_vec()),
        Attribute::Label(b"rsa key".to_vec()),
    ];
    let private = [
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sign(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Id(id.to_vec()),
        Attribute::Label(b"rsa key".to_vec()),
    ];
    session
        .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)
        .unwrap()
}

#[test]
fn pin_changes_flip_flags_and_rsa_signs() {
    let _guard = serial_guard();
    let dir = TestDir::new("pins-rsa");
    dir.token("1A2B3C4D");
    let pkcs11 = open(&dir);
    let raw = Raw::load();
    let slot = pkcs11.get_slots_with_token().unwrap()[0];

    let info = pkcs11.get_token_info(slot).unwrap();
    assert_eq!(info.manufacturer_id(), "Aktiv Co.");
    assert_eq!(info.model(), "Rutoken ECP");
    assert_eq!(info.serial_number(), "1A2B3C4D");
    assert!(info.user_pin_to_be_changed() && info.so_pin_to_be_changed());
    let ext = raw.extended(slot.id()).unwrap();
    assert_eq!(
        ext.flags & (TOKEN_FLAGS_USER_PIN_NOT_DEFAULT | TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT),
        0
    );

    let session = pkcs11.open_rw_session(slot).unwrap();
    session
        .login(UserType::User, Some(&pin("12345678")))
        .unwrap();
    assert_eq!(
        rv(session.set_pin(&pin("12345678"), &pin("123"))),
        RvError::PinLenRange
    );
    assert_eq!(
        rv(session.set_pin(&pin("00000000"), &pin("11223344"))),
        RvError::PinIncorrect
    );
    session.set_pin(&pin("12345678"), &pin("11223344")).unwrap();
    let info = pkcs11.get_token_info(slot).unwrap();
    assert!(!info.user_pin_to_be_changed() && info.so_pin_to_be_changed());
    // The failed attempt above was followed by a success: the counter is full again.
    assert!(!info.user_pin_count_low());
    let ext = raw.extended(slot.id()).unwrap();
    assert_eq!(
        ext.flags & TOKEN_FLAGS_USER_PIN_NOT_DEFAULT,
        TOKEN_FLAGS_USER_PIN_NOT_DEFAULT
    );
    assert_eq!(ext.flags & TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT, 0);
    session.logout().unwrap();

    session.login(UserType::So, Some(&pin("87654321"))).unwrap();
    session
        .set_pin(&pin("87654321"), &pin("admin-pin-2"))
        .unwrap();
    session.logout().unwrap();
    let info = pkcs11.get_token_info(slot).unwrap();
    assert!(!info.user_pin_to_be_changed() && !info.so_pin_to_be_changed());
    let ext = raw.extended(slot.id()).unwrap();
    assert_eq!(
        ext.flags & (TOKEN_FLAGS_USER_PIN_NOT_DEFAULT | TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT),
        TOKEN_FLAGS_USER_PIN_NOT_DEFAULT | TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT
    );
    assert_eq!(
        rv(session.login(UserType::User, Some(&pin("12345678")))),
        RvError::PinIncorrect
    );
    session
        .login(UserType::User, Some(&pin("11223344")))
        .unwrap();

    // RSA-2048 on the token, SHA256-RSA-PKCS verified by the rsa crate.
    let (public, private) = rsa_pair(&session, b"\x01");
    let numbers = session
        .get_attributes(
            public,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )
        .unwrap();
    let (mut n, mut e) = (Vec::new(), Vec::new());
    for attribute in numbers {
        match attribute {
            Attribute::Modulus(v) => n = v,
            Attribute::PublicExponent(v) => e = v,
            _ => {}
        }
    }
    assert_eq!(n.len(), 256);
    let key = RsaPublicKey::new(
        BoxedUint::from_be_slice_vartime(&n),
        BoxedUint::from_be_slice_vartime(&e),
    )
    .unwrap();
    let message = b"application for a certificate";
    let signature = session
        .sign(&Mechanism::Sha256RsaPkcs, private, message)
        .unwrap();
    RsaVerifyingKey::<Sha256>::new(key.clone())
        .verify(
            message,
            &RsaSignature::try_from(signature.as_slice()).unwrap(),
        )
        .unwrap();
    // CKM_RSA_PKCS over a caller-built DigestInfo gives the same signature (deterministic).
    let digest_info = [
        &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ][..],
        &<Sha256 as sha2::Digest>::digest(message)[..],
    ]
    .concat();
    assert_eq!(
        session
            .sign(&Mechanism::RsaPkcs, private, &digest_info)
            .unwrap(),
        signature
    );
    session
        .verify(&Mechanism::Sha256RsaPkcs, public, message, &signature)
        .unwrap();
    assert_eq!(
        rv(session.verify(&Mechanism::Sha256RsaPkcs, public, b"other", &signature)),
        RvError::SignatureInvalid
    );
    // The private key never shows its secrets.
    assert_eq!(
        raw.attribute(
            session.handle(),
            private.handle(),
            cryptoki_sys::CKA_PRIVATE_EXPONENT
        ),
        Err(cryptoki_sys::CKR_ATTRIBUTE_SENSITIVE)
    );

    // A certificate object and a label change.
    let certificate = session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(cryptoki::object::CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Id(b"\x01".to_vec()),
            Attribute::Label(b"my cert".to_vec()),
            Attribute::Subject(b"\x30\x00".to_vec()),
            Attribute::Issuer(b"\x30\x00".to_vec()),
            Attribute::SerialNumber(b"\x02\x01\x01".to_vec()),
            Attribute::Value(b"\x30\x03\x02\x01\x01".to_vec()),
        ])
        .unwrap();
    session
        .update_attributes(certificate, &[Attribute::Label(b"renamed".to_vec())])
        .unwrap();
    let found = session
        .find_objects(&[Attribute::Id(b"\x01".to_vec())])
        .unwrap();
    assert_eq!(found.len(), 3);
    session.logout().unwrap();
    // Only the public objects remain visible.
    assert_eq!(
        session
            .find_objects(&[Attribute::Id(b"\x01".to_vec())])
            .unwrap()
            .len(),
        2
    );
    session
        .login(UserType::User, Some(&pin("11223344")))
        .unwrap();
    session.destroy_object(certificate).unwrap();
    assert_eq!(
        session
            .find_objects(&[Attribute::Id(b"\x01".to_vec())])
            .unwrap()
            .len(),
        2
    );
    drop(session);
    pkcs11.finalize().unwrap();
}

#[test]
fn gost_keys_sign_raw_and_with_hash() {
    let _guard = serial_guard();
    let dir = TestDir::new("gost");
    dir.token("2B3C4D5E");
    let pkcs11 = open(&dir);
    let raw = Raw::load();
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    let session = pkcs11.open_rw_session(slot).unwrap();
    session
        .login(UserType::User, Some(&pin("12345678")))
        .unwrap();
    let h = session.handle();
    let message = b"GOST R 34.10-2012 test message";

    for (wide, params, size, raw_mech, hash_mech, oid) in [
        (
            false,
            gost3410::ParamSet::CryptoProA,
            gost3410::KeySize::Gost256,
            rutoken_sys::CKM_GOSTR3410,
            rutoken_sys::CKM_GOSTR3410_WITH_GOSTR3411_12_256,
            STREEBOG_256,
        ),
        (
            true,
            gost3410::ParamSet::Tc26Gost512A,
            gost3410::KeySize::Gost512,
            rutoken_sys::CKM_GOSTR3410_512,
            rutoken_sys::CKM_GOSTR3410_WITH_GOSTR3411_12_512,
            STREEBOG_512,
        ),
    ] {
        let (public, private) = raw.gost_pair(h, wide, b"gost").unwrap();
        let value = raw.attribute(h, public, cryptoki_sys::CKA_VALUE).unwrap();
        assert_eq!(value.len(), 2 * size.coordinate_len());
        assert_eq!(
            raw.attribute(h, private, rutoken_sys::CKA_GOSTR3410_PARAMS)
                .unwrap(),
            params.oid_der()
        );
        assert_eq!(
            raw.attribute(h, private, rutoken_sys::CKA_GOSTR3411_PARAMS)
                .unwrap(),
            oid
        );
        let key = gost3410::VerifyingKey::from_pkcs11_value(params, &value).unwrap();

        let digest = gost3410::streebog_digest(size, message);
        let signature = raw.sign(h, raw_mech, &[], private, &digest).unwrap();
        key.verify_digest(
            &digest,
            &gost3410::Signature::from_bytes(&signature).unwrap(),
        )
        .unwrap();
        let signature = raw.sign(h, hash_mech, oid, private, message).unwrap();
        key.verify_digest(
            &digest,
            &gost3410::Signature::from_bytes(&signature).unwrap(),
        )
        .unwrap();
        let signature = raw.sign(h, hash_mech, &[], private, message).unwrap();
        key.verify_digest(
            &digest,
            &gost3410::Signature::from_bytes(&signature).unwrap(),
        )
        .unwrap();
        // A raw signature needs exactly one digest.
        assert_eq!(
            raw.sign(h, raw_mech, &[], private, message),
            Err(cryptoki_sys::CKR_DATA_LEN_RANGE)
        );

        // The digest on the token equals Streebog.
        let mechanism = Mechanism::VendorDefined(
            cryptoki::mechanism::vendor_defined::VendorDefinedMechanism::new::<()>(
                cryptoki::mechanism::MechanismType::new_vendor_defined(if wide {
                    rutoken_sys::CKM_GOSTR3411_12_512
                } else {
                    rutoken_sys::CKM_GOSTR3411_12_256
                })
                .unwrap(),
                None,
            ),
        );
        assert_eq!(session.digest(&mechanism, message).unwrap(), digest);
    }
    drop(session);
    pkcs11.finalize().unwrap();
}

#[test]
fn ten_wrong_pins_lock_and_so_unlocks() {
    let _guard = serial_guard();
    let dir = TestDir::new("lockout");
    dir.token("3C4D5E6F");
    let pkcs11 = open(&dir);
    let raw = Raw::load();
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    let session = pkcs11.open_rw_session(slot).unwrap();
    for attempt in 1..=10 {
        let result = rv(session.login(UserType::User, Some(&pin("99999999"))));
        let left = raw.extended(slot.id()).unwrap().ulUserRetryCountLeft;
        assert_eq!(left, 10 - attempt);
        if attempt < 10 {
            assert_eq!(result, RvError::PinIncorrect, "attempt {attempt}");
        } else {
            assert_eq!(result, RvError::PinLocked);
        }
        let info = pkcs11.get_token_info(slot).unwrap();
        assert!(info.user_pin_count_low());
        assert_eq!(info.user_pin_final_try(), attempt == 9);
    }
    assert!(pkcs11.get_token_info(slot).unwrap().user_pin_locked());
    assert_eq!(
        rv(session.login(UserType::User, Some(&pin("12345678")))),
        RvError::PinLocked
    );

    session.login(UserType::So, Some(&pin("87654321"))).unwrap();
    session.init_pin(&pin("unlocked-1")).unwrap();
    session.logout().unwrap();
    let ext = raw.extended(slot.id()).unwrap();
    assert_eq!(
        (ext.ulUserRetryCountLeft, ext.ulMaxUserRetryCount),
        (10, 10)
    );
    assert!(!pkcs11.get_token_info(slot).unwrap().user_pin_locked());
    session
        .login(UserType::User, Some(&pin("unlocked-1")))
        .unwrap();
    drop(session);
    pkcs11.finalize().unwrap();

    // Counters configured at init, and persisted across module loads.
    let dir = TestDir::new("lockout-config");
    dir.cli(&[
        "init",
        "--serial",
        "4D5E6F70",
        "--user-retries",
        "3",
        "--admin-retries",
        "5",
    ]);
    dir.cli(&["insert", "4D5E6F70", "--reader", "1"]);
    let pkcs11 = open(&dir);
    let ext = raw.extended(1).unwrap();
    assert_eq!((ext.ulMaxUserRetryCount, ext.ulMaxAdminRetryCount), (3, 5));
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    assert_eq!(slot.id(), 1);
    let session = pkcs11.open_rw_session(slot).unwrap();
    assert_eq!(
        rv(session.login(UserType::So, Some(&pin("00000000")))),
        RvError::PinIncorrect
    );
    drop(session);
    pkcs11.finalize().unwrap();
    let listed = dir.cli(&["list", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(json["tokens"][0]["admin_retries_left"], 4);
    assert_eq!(json["readers"][1], "4D5E6F70");
}

#[test]
fn removal_between_generation_and_signing() {
    let _guard = serial_guard();
    let dir = TestDir::new("hotplug");
    dir.token("5E6F7081");
    let pkcs11 = open(&dir);
    let raw = Raw::load();
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    let session = pkcs11.open_rw_session(slot).unwrap();
    session
        .login(UserType::User, Some(&pin("12345678")))
        .unwrap();
    let (_, private) = rsa_pair(&session, b"\x07");

    dir.cli(&["remove", "5E6F7081"]);
    assert_eq!(
        rv(session.sign(&Mechanism::Sha256RsaPkcs, private, b"data")),
        RvError::DeviceRemoved
    );
    assert_eq!(
        rv(session.sign(&Mechanism::Sha256RsaPkcs, private, b"data")),
        RvError::SessionHandleInvalid
    );
    assert_eq!(rv(pkcs11.get_token_info(slot)), RvError::TokenNotPresent);
    assert!(pkcs11.get_slots_with_token().unwrap().is_empty());
    assert_eq!(pkcs11.get_all_slots().unwrap().len(), 2);
    assert_eq!(rv(pkcs11.open_rw_session(slot)), RvError::TokenNotPresent);
    let mut event = 0;
    let event_rv = unsafe {
        (raw.f.C_WaitForSlotEvent.unwrap())(
            cryptoki_sys::CKF_DONT_BLOCK,
            &mut event,
            std::ptr::null_mut(),
        )
    };
    assert_eq!((event_rv, event), (cryptoki_sys::CKR_OK, 0));
    drop(session);

    // Back in another reader: the key is still there, and the old session stays dead.
    dir.cli(&["insert", "5E6F7081", "--reader", "1"]);
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    assert_eq!(slot.id(), 1);
    let session = pkcs11.open_rw_session(slot).unwrap();
    // Login state died with the removal.
    assert!(
        session
            .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
            .unwrap()
            .is_empty()
    );
    session
        .login(UserType::User, Some(&pin("12345678")))
        .unwrap();
    let keys = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(b"\x07".to_vec()),
        ])
        .unwrap();
    assert_eq!(keys.len(), 1);
    let signature = session
        .sign(&Mechanism::Sha256RsaPkcs, keys[0], b"data")
        .unwrap();
    assert_eq!(signature.len(), 256);
    drop(session);
    pkcs11.finalize().unwrap();
}
