//! The seeds that are made rather than collected: state files as smartkey writes them,
//! and GOST keys with signatures that verify, one per parameter set and way of giving
//! the key. Run `cargo test -p smartkey-fuzzing --test seeds -- --ignored` to write them
//! again (into `fuzz/seeds/`); the committed files are what the tests and fuzzing read.

use std::path::{Path, PathBuf};

use bankca::keys::{RsaCaKey, RsaSignature};
use cmp::build;
use cmp::der::Encode;
use cmp::protection::protect_with_pbm;
use cmp::x509_cert::builder::{Builder, RequestBuilder};
use cmp::{CertTemplate, PkiMessage};
use gost3410::{ParamSet, SigningKey};
use smartkey_wizard::{
    Applicant, CivilDate, FormDraft, KeptCertificate, KeyRef, KeyType, PendingRecord, RequestKind,
    TransactionId,
};

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds")
}

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = seeds().join(target);
    std::fs::create_dir_all(&dir).expect("seed folder");
    std::fs::write(dir.join(name), data).expect("write a seed");
}

fn records() -> Vec<PendingRecord> {
    let der = std::fs::read(seeds().join("certificate/rsa-cyrillic.der")).expect("a certificate");
    let cert = smartkey::token::parse_certificate(&der).expect("it parses");
    let key = KeyRef {
        serial: "0C0C0C03".into(),
        key_id: "a1b2c3d4".into(),
    };
    vec![
        PendingRecord {
            agent_id: 6184,
            transaction: TransactionId("0123456789abcdef0123456789abcdef".into()),
            kind: RequestKind::New,
            key: key.clone(),
            key_type: KeyType::Rsa2048,
            subject: "Иванов Иван Иванович, ООО Ромашка".into(),
            created: CivilDate::new(2026, 11, 23).expect("a day"),
            kept: Some(Box::new(KeptCertificate {
                certificate: smartkey::pki::certificate_view(&cert),
                accepted: true,
            })),
        },
        PendingRecord {
            agent_id: 5282,
            transaction: TransactionId("ffeeddccbbaa99887766554433221100".into()),
            kind: RequestKind::Renewal {
                old_key: key.clone(),
                old_certificate_serial: "01ab".into(),
            },
            key,
            key_type: KeyType::Gost2012_512,
            subject: "Петров Пётр".into(),
            created: CivilDate::new(2027, 2, 28).expect("a day"),
            kept: None,
        },
    ]
}

fn draft() -> FormDraft {
    FormDraft {
        agent_id: 6184,
        key_type: KeyType::Gost2012_256,
        applicant: Applicant {
            surname: "Иванов".into(),
            given_name: "Иван".into(),
            patronymic: "Иванович".into(),
            legal_entity: true,
            organization: "ООО Ромашка".into(),
            inn: "7707083893".into(),
            ogrn: Some("1027700132195".into()),
            document: "Устав".into(),
            country: "RU".into(),
            region: Some("77 г. Москва".into()),
            city: "Москва".into(),
            address: "ул. Ленина, д. 1".into(),
            phone: "+7 495 123-45-67".into(),
            email: "ivanov@example.ru".into(),
            title: Some("Генеральный директор".into()),
        },
    }
}

/// A little-endian scalar of `n` bytes, below every parameter set's order.
fn scalar(n: usize, fill: u8) -> Vec<u8> {
    let mut v = vec![fill; n];
    v[n - 1] = 0x01;
    v
}

/// First requests as smartkey sends them, which the bank CA takes (unprotected, or
/// MAC-protected with the secret of the fuzzing CA's third bank): a `p10cr` and an `ir`
/// for a GOST key and for an RSA key, with the subject smartkey makes of the form.
fn requests() -> Vec<(String, Vec<u8>)> {
    let applicant = draft().applicant.validate().expect("a valid form");
    let subject = smartkey::pki::subject::subject_name(&applicant).expect("a subject");
    let gost = SigningKey::from_bytes_le(ParamSet::CryptoProA, &scalar(32, 0x77)).expect("a key");
    let rsa = RsaCaKey::generate(2048).expect("an RSA key");
    let header = || build::new_header(build::null_dn(), build::null_dn()).expect("a header");
    let template = || CertTemplate {
        subject: Some(subject.clone()),
        ..CertTemplate::default()
    };
    let gost_csr = RequestBuilder::new(subject.clone())
        .expect("a builder")
        .build::<_, gost3410::Signature>(&gost)
        .expect("a GOST request");
    let rsa_csr = RequestBuilder::new(subject.clone())
        .expect("a builder")
        .build::<_, RsaSignature>(&rsa)
        .expect("an RSA request");
    let gost_ir = build::signed_cert_req_msg::<_, gost3410::Signature>(0, template(), None, &gost)
        .expect("a GOST ir");
    let rsa_ir = build::signed_cert_req_msg::<_, RsaSignature>(0, template(), None, &rsa)
        .expect("an RSA ir");
    let mut messages: Vec<(&str, PkiMessage)> = vec![
        ("p10cr-gost", build::p10cr(header(), gost_csr.clone())),
        ("p10cr-rsa", build::p10cr(header(), rsa_csr)),
        (
            "ir-gost",
            build::cert_request(header(), build::RequestKind::Ir, vec![gost_ir]),
        ),
        (
            "ir-rsa",
            build::cert_request(header(), build::RequestKind::Ir, vec![rsa_ir]),
        ),
    ];
    let mut mac = build::p10cr(header(), gost_csr);
    protect_with_pbm(&mut mac, b"1234", b"insta").expect("MAC protection");
    messages.push(("p10cr-gost-pbm", mac));
    messages
        .into_iter()
        .map(|(name, m)| (format!("smartkey-{name}.der"), m.to_der().expect("DER")))
        .collect()
}

#[test]
#[ignore = "writes the generated seeds into fuzz/seeds"]
fn write_generated_seeds() {
    for (name, der) in requests() {
        write("bankca_request", &name, &der);
        write("pki_message_roundtrip", &name, &der);
    }
    let json = serde_json::to_vec_pretty(&records()).expect("JSON");
    write("pending", "records.json", &json);
    write("pending", "empty.json", b"[]\n");
    write(
        "pending",
        "draft.json",
        &serde_json::to_vec_pretty(&draft()).expect("JSON"),
    );

    let message = "Акт приёма-передачи сертификата".as_bytes();
    for (index, params) in ParamSet::ALL.iter().copied().enumerate() {
        let n = params.coordinate_len();
        let index = u8::try_from(index).expect("seven sets");
        let d = scalar(n, 0x5a);
        let k = scalar(n, 0x3c);
        let signer = SigningKey::from_bytes_le(params, &d).expect("a key");
        let key = signer.verifying_key();
        let digest = gost3410::streebog_digest(params.size(), message);
        let sig = signer.sign_digest_with_k(&digest, &k).expect("a signature");
        let name = format!("{params:?}").to_lowercase();

        let mut value = vec![index];
        value.extend(key.to_pkcs11_value());
        value.extend(sig.to_bytes());
        value.extend(message);
        write("gost_verify", &format!("{name}-value.bin"), &value);

        let spki = key.to_spki_der().expect("SubjectPublicKeyInfo");
        let mut info = vec![index | (1 << 3)];
        info.extend(u16::try_from(spki.len()).expect("short").to_be_bytes());
        info.extend(&spki);
        info.extend(sig.to_bytes());
        info.extend(message);
        write("gost_verify", &format!("{name}-spki.bin"), &info);

        let mut private = vec![index | (2 << 3)];
        private.extend(&d);
        private.extend(&k);
        private.extend(sig.to_bytes());
        private.extend(message);
        write("gost_verify", &format!("{name}-private.bin"), &private);
    }
}
