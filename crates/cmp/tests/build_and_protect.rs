//! Messages built and protected by this crate decode back identically and verify; status
//! and failure information reads as plain words; the response checks catch mismatches.

mod common;

use std::str::FromStr;
use std::time::Duration;

use cmp::Received;
use cmp::body::PkiBody;
use cmp::build::{self, RequestKind};
use cmp::checks::{self, ResponseError};
use cmp::crmf::{CertTemplate, ProofOfPossession};
use cmp::der::asn1::OctetString;
use cmp::der::{Decode, Encode};
use cmp::protection::{
    ProtectionError, ProtectionVerifier, StandardVerifier, protect_with_pbm,
    protect_with_signature, verify_pbm, verify_signature_protection,
};
use cmp::x509_cert::Certificate;
use cmp::x509_cert::builder::{Builder, CertificateBuilder, profile::BuilderProfile};
use cmp::x509_cert::ext::Extension;
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::x509_cert::name::Name;
use cmp::x509_cert::request::CertReq;
use cmp::x509_cert::serial_number::SerialNumber;
use cmp::x509_cert::time::Validity;
use cmp::{BodyKind, FailureReason, PkiMessage, PkiStatus, PkiStatusInfo};
use gost3410::{ParamSet, SigningKey};

/// `msg` as a peer receives it.
fn received(msg: &PkiMessage) -> Received {
    Received::from_der(&msg.to_der().expect("encode")).expect("our encoding is DER")
}

fn round_trip(msg: &PkiMessage) -> PkiMessage {
    let der = msg.to_der().expect("encode");
    let back = PkiMessage::from_der(&der).expect("decode");
    assert_eq!(&back, msg);
    assert_eq!(back.to_der().unwrap(), der);
    back
}

/// A self-signed certificate with no extensions: all the protection tests need.
struct SelfSigned(Name);

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.0.clone()
    }

    fn build_extensions(
        &self,
        _: spki::SubjectPublicKeyInfoRef<'_>,
        _: spki::SubjectPublicKeyInfoRef<'_>,
        _: &cmp::x509_cert::TbsCertificate,
    ) -> cmp::x509_cert::builder::Result<Vec<Extension>> {
        Ok(Vec::new())
    }
}

fn gost_cert(key: &SigningKey) -> Certificate {
    let name = Name::from_str("CN=GOST client,O=Test Bank,C=RU").unwrap();
    let spki = spki::SubjectPublicKeyInfoOwned::from_key(&key.verifying_key()).unwrap();
    CertificateBuilder::new(
        SelfSigned(name),
        SerialNumber::from(7u32),
        Validity::from_now(Duration::from_secs(3600)).unwrap(),
        spki,
    )
    .unwrap()
    .build::<_, gost3410::Signature>(key)
    .unwrap()
}

fn names() -> (GeneralName, GeneralName) {
    let bank = Name::from_str("CN=Test Bank CA").unwrap();
    (build::null_dn(), GeneralName::DirectoryName(bank))
}

#[test]
fn header_has_fresh_ids_and_time() {
    let (sender, recipient) = names();
    let a = build::new_header(sender.clone(), recipient.clone()).unwrap();
    let b = build::new_header(sender, recipient).unwrap();
    assert_eq!(a.pvno, 2);
    assert!(a.message_time.is_some());
    assert_eq!(a.transaction_id.as_ref().unwrap().as_bytes().len(), 16);
    assert_eq!(a.sender_nonce.as_ref().unwrap().as_bytes().len(), 16);
    assert_ne!(a.transaction_id, b.transaction_id);
    assert_ne!(a.sender_nonce, b.sender_nonce);
}

#[test]
fn pbm_p10cr_round_trips_and_verifies() {
    let f = common::fixtures();
    let (sender, recipient) = names();
    let csr = CertReq::from_der(&f.read("ee.csr.der")).unwrap();
    let mut msg = build::p10cr(build::new_header(sender, recipient).unwrap(), csr);
    protect_with_pbm(&mut msg, b"1234", b"secret").unwrap();
    let back = round_trip(&msg);
    assert_eq!(
        back.header.sender_kid,
        Some(OctetString::new(b"1234".to_vec()).unwrap())
    );
    verify_pbm(&received(&back), b"secret").unwrap();
    assert!(matches!(
        verify_pbm(&received(&back), b"other"),
        Err(ProtectionError::MacMismatch)
    ));
    // Any change to the protected part breaks the MAC.
    let mut altered = back.clone();
    altered.header.pvno = 3;
    assert!(matches!(
        verify_pbm(&received(&altered), b"secret"),
        Err(ProtectionError::MacMismatch)
    ));
    // The secret never shows up in errors.
    let text = verify_pbm(&received(&back), b"hunter2")
        .unwrap_err()
        .to_string();
    assert!(!text.contains("hunter2"));
    // A MAC-protected message is not mistaken for a signed one.
    let cert = f.cert("ee.der");
    assert!(matches!(
        verify_signature_protection(&received(&back), &cert),
        Err(ProtectionError::WrongKind { .. })
    ));
}

#[test]
fn gost_ir_kur_and_cert_conf() {
    let key = SigningKey::generate(ParamSet::Tc26Gost256A);
    let cert = gost_cert(&key);
    let template = CertTemplate {
        subject: Some(cert.tbs_certificate().subject().clone()),
        ..Default::default()
    };
    let req =
        build::signed_cert_req_msg::<_, gost3410::Signature>(0, template, None, &key).unwrap();
    // The proof of possession verifies with the template's key.
    let Some(ProofOfPossession::Signature(pop)) = &req.popo else {
        panic!("no POP")
    };
    StandardVerifier
        .verify(
            &pop.algorithm_identifier,
            req.cert_req.cert_template.public_key.as_ref().unwrap(),
            &req.cert_req.popo_signed_bytes().unwrap(),
            pop.signature.as_bytes().unwrap(),
        )
        .unwrap();
    cmp::protection::verify_signature_pop(&req).expect("POP verifies");

    let (_, recipient) = names();
    let sender = GeneralName::DirectoryName(cert.tbs_certificate().subject().clone());
    for kind in [RequestKind::Ir, RequestKind::Cr, RequestKind::Kur] {
        let header = build::new_header(sender.clone(), recipient.clone()).unwrap();
        let mut msg = build::cert_request(header, kind, vec![req.clone()]);
        protect_with_signature::<_, gost3410::Signature>(&mut msg, &key, vec![cert.clone()])
            .unwrap();
        let back = round_trip(&msg);
        verify_signature_protection(&received(&back), &cert).expect("GOST protection verifies");
        let mut altered = back.clone();
        altered.header.sender_nonce = Some(OctetString::new(vec![0; 16]).unwrap());
        assert!(matches!(
            verify_signature_protection(&received(&altered), &cert),
            Err(ProtectionError::BadSignature)
        ));
    }

    // certConf for a GOST certificate hashes with Streebog-256 and stays version 2.
    let header = build::new_header(sender, recipient).unwrap();
    let conf = build::cert_conf(header, &cert, 0).unwrap();
    let back = round_trip(&conf);
    let PkiBody::CertConf(statuses) = &back.body else {
        panic!("not certConf")
    };
    let expected = gost3410::streebog_digest(gost3410::KeySize::Gost256, &cert.to_der().unwrap());
    assert_eq!(statuses[0].cert_hash.as_bytes(), &expected[..]);
    assert_eq!(statuses[0].hash_alg, None);
    assert_eq!(back.header.pvno, 2);
}

#[test]
fn poll_req_and_follow_up_header() {
    let (sender, recipient) = names();
    let first = build::new_header(sender, recipient).unwrap();
    let mut answer = first.clone();
    answer.sender_nonce = Some(OctetString::new(vec![9; 16]).unwrap());
    let next = build::next_header(&first, &answer).unwrap();
    assert_eq!(next.transaction_id, first.transaction_id);
    assert_eq!(next.recip_nonce, answer.sender_nonce);
    assert_ne!(next.sender_nonce, first.sender_nonce);
    let msg = build::poll_req(next, -1);
    let back = round_trip(&msg);
    assert_eq!(back.kind(), BodyKind::PollReq);
}

#[test]
fn failure_bits_and_words() {
    for reason in FailureReason::ALL {
        let info = PkiStatusInfo::new(PkiStatus::Rejection, &[reason]).unwrap();
        let der = info.to_der().unwrap();
        let back = PkiStatusInfo::from_der(&der).unwrap();
        assert_eq!(back.failures(), [reason]);
        assert_eq!(FailureReason::from_bit(reason.bit()), Some(reason));
        assert!(reason.to_string().ends_with('.'));
    }
    let info = PkiStatusInfo::new(
        PkiStatus::Rejection,
        &[FailureReason::BadAlg, FailureReason::DuplicateCertReq],
    )
    .unwrap();
    assert_eq!(
        info.failures(),
        [FailureReason::BadAlg, FailureReason::DuplicateCertReq]
    );
    let text = info.to_string();
    assert!(text.starts_with("The bank rejected the request."), "{text}");
    assert!(text.contains("already issued"), "{text}");
    assert_eq!(PkiStatus::from_code(3), PkiStatus::Waiting);
    assert_eq!(PkiStatus::from_code(42), PkiStatus::Unknown(42));
}

#[test]
fn checks_catch_mismatches() {
    let (sender, recipient) = names();
    let request = build::poll_req(build::new_header(sender, recipient).unwrap(), 0);
    let mut response = request.clone();
    response.body = PkiBody::PkiConf(cmp::der::asn1::Null);
    response.header.recip_nonce = request.header.sender_nonce.clone();
    checks::check_response(&request, &response, &[BodyKind::PkiConf]).unwrap();

    let mut other = response.clone();
    other.header.transaction_id = Some(OctetString::new(vec![1; 16]).unwrap());
    assert!(matches!(
        checks::check_response(&request, &other, &[BodyKind::PkiConf]),
        Err(ResponseError::TransactionIdMismatch)
    ));
    let mut replay = response.clone();
    replay.header.recip_nonce = Some(OctetString::new(vec![2; 16]).unwrap());
    assert!(matches!(
        checks::check_response(&request, &replay, &[BodyKind::PkiConf]),
        Err(ResponseError::RecipNonceMismatch)
    ));
    let mut old = response.clone();
    old.header.pvno = 1;
    assert!(matches!(
        checks::check_response(&request, &old, &[BodyKind::PkiConf]),
        Err(ResponseError::UnsupportedVersion(1))
    ));
    let err =
        checks::check_response(&request, &response, &[BodyKind::Ip, BodyKind::Cp]).unwrap_err();
    assert!(matches!(
        err,
        ResponseError::UnexpectedBody {
            got: BodyKind::PkiConf,
            ..
        }
    ));
    assert!(err.to_string().contains("a confirmation"), "{err}");

    let mut error = response.clone();
    error.body = PkiBody::Error(cmp::ErrorMsgContent {
        pki_status_info: PkiStatusInfo::new(PkiStatus::Rejection, &[FailureReason::NotAuthorized])
            .unwrap(),
        error_code: None,
        error_details: None,
    });
    let err = checks::check_response(&request, &error, &[BodyKind::Cp]).unwrap_err();
    assert!(err.to_string().contains("not authorised"), "{err}");
}
