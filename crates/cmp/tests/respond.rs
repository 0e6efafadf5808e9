//! Responses built by the CA side answer the request they are built for: the client-side
//! checks accept them, they decode back identically, and they say what was meant.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cmp::body::PkiBody;
use cmp::build;
use cmp::checks::{ResponseError, check_response};
use cmp::der::{Decode, Encode};
use cmp::respond::{self, ResponseKind};
use cmp::x509_cert::Certificate;
use cmp::x509_cert::builder::{Builder, CertificateBuilder, profile::BuilderProfile};
use cmp::x509_cert::ext::Extension;
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::x509_cert::name::Name;
use cmp::x509_cert::serial_number::SerialNumber;
use cmp::x509_cert::time::Validity;
use cmp::{BodyKind, FailureReason, PkiMessage, PkiStatus};
use gost3410::{ParamSet, SigningKey};

fn round_trip(msg: &PkiMessage) -> PkiMessage {
    let der = msg.to_der().expect("encode");
    let back = PkiMessage::from_der(&der).expect("decode");
    assert_eq!(&back, msg);
    back
}

fn ca_name() -> GeneralName {
    GeneralName::DirectoryName(Name::from_str("CN=Test Bank CA").unwrap())
}

fn client_request() -> PkiMessage {
    let header = build::new_header(build::null_dn(), ca_name()).unwrap();
    build::poll_req(header, 0)
}

fn at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

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

fn certificate() -> Certificate {
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let spki = spki::SubjectPublicKeyInfoOwned::from_key(&key.verifying_key()).unwrap();
    CertificateBuilder::new(
        SelfSigned(Name::from_str("CN=Client").unwrap()),
        SerialNumber::from(9u32),
        Validity::from_now(Duration::from_secs(3600)).unwrap(),
        spki,
    )
    .unwrap()
    .build::<_, gost3410::Signature>(&key)
    .unwrap()
}

#[test]
fn header_answers_the_request() {
    let request = client_request();
    let header = respond::response_header(&request.header, ca_name(), at()).unwrap();
    assert_eq!(header.transaction_id, request.header.transaction_id);
    assert_eq!(header.recip_nonce, request.header.sender_nonce);
    assert_ne!(header.sender_nonce, request.header.sender_nonce);
    assert_eq!(
        header.sender_nonce.as_ref().map(|n| n.as_bytes().len()),
        Some(16)
    );
    assert_eq!(header.recipient, request.header.sender);
    assert_eq!(header.sender, ca_name());
    assert_eq!(header.pvno, 2);
    let time = header.message_time.expect("message time");
    assert_eq!(time.to_unix_duration().as_secs(), 1_800_000_000);

    let mut v3 = request.clone();
    v3.header.pvno = 3;
    let header = respond::response_header(&v3.header, ca_name(), at()).unwrap();
    assert_eq!(
        header.pvno, 3,
        "a version 3 request gets a version 3 answer"
    );
    let mut odd = request;
    odd.header.pvno = 7;
    let header = respond::response_header(&odd.header, ca_name(), at()).unwrap();
    assert_eq!(header.pvno, 2);
}

#[test]
fn every_response_passes_the_client_checks() {
    let request = client_request();
    let header = || respond::response_header(&request.header, ca_name(), at()).unwrap();
    let cert = certificate();
    let responses = [
        respond::waiting(header(), ResponseKind::Cp, -1, vec!["checking".into()]).unwrap(),
        respond::granted(
            header(),
            ResponseKind::Ip,
            0,
            cert.clone(),
            Some(vec![cert]),
        )
        .unwrap(),
        respond::rejection(
            header(),
            ResponseKind::Kup,
            0,
            &[FailureReason::BadCertTemplate],
            vec!["no".into()],
        )
        .unwrap(),
        respond::poll_rep(header(), 0, Duration::from_secs(1), Vec::new()),
        respond::pki_conf(header()),
    ];
    for response in &responses {
        let back = round_trip(response);
        check_response(&request, &back, &[back.kind()]).expect("the client accepts it");
    }
    let error = respond::error(header(), &[FailureReason::BadRequest], Some(4101), vec![]).unwrap();
    let back = round_trip(&error);
    assert!(matches!(
        check_response(&request, &back, &[BodyKind::PollRep]),
        Err(ResponseError::BankError(_))
    ));
}

#[test]
fn certificate_responses_say_what_was_decided() {
    let request = client_request();
    let header = || respond::response_header(&request.header, ca_name(), at()).unwrap();
    let cert = certificate();

    let waiting = respond::waiting(header(), ResponseKind::Cp, -1, Vec::new()).unwrap();
    assert_eq!(waiting.kind(), BodyKind::Cp);
    let rep = waiting.body.cert_rep().unwrap();
    assert_eq!(rep.response[0].cert_req_id, -1);
    assert_eq!(rep.response[0].status.status(), PkiStatus::Waiting);
    assert_eq!(rep.response[0].certificate(), None);
    assert_eq!(rep.response[0].status.status_string, None);

    let granted = respond::granted(header(), ResponseKind::Kup, 0, cert.clone(), None).unwrap();
    assert_eq!(granted.kind(), BodyKind::Kup);
    let rep = granted.body.cert_rep().unwrap();
    assert_eq!(rep.response[0].status.status(), PkiStatus::Accepted);
    assert_eq!(rep.response[0].certificate(), Some(&cert));
    assert_eq!(rep.ca_pubs, None);
    let with_empty_pubs = respond::granted(
        header(),
        ResponseKind::Ip,
        0,
        cert.clone(),
        Some(Vec::new()),
    )
    .unwrap();
    assert_eq!(
        with_empty_pubs.body.cert_rep().unwrap().ca_pubs,
        None,
        "an empty caPubs is left out (SIZE (1..MAX))"
    );

    let rejected = respond::rejection(
        header(),
        ResponseKind::Ip,
        0,
        &[FailureReason::BadPop],
        vec!["Заявление не получено".into()],
    )
    .unwrap();
    let status = &rejected.body.cert_rep().unwrap().response[0].status;
    assert_eq!(status.status(), PkiStatus::Rejection);
    assert_eq!(status.failures(), [FailureReason::BadPop]);
    assert_eq!(
        status.status_string.as_deref(),
        Some(&["Заявление не получено".to_string()][..])
    );
}

#[test]
fn poll_rep_and_error_content() {
    let request = client_request();
    let header = || respond::response_header(&request.header, ca_name(), at()).unwrap();
    let poll = respond::poll_rep(header(), -1, Duration::ZERO, vec!["wait".into()]);
    let PkiBody::PollRep(entries) = &poll.body else {
        panic!("pollRep expected");
    };
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].cert_req_id, -1);
    assert_eq!(entries[0].check_after, 1, "never less than a second");
    assert_eq!(
        entries[0].reason.as_deref(),
        Some(&["wait".to_string()][..])
    );

    let error = respond::error(
        header(),
        &[FailureReason::BadRequest],
        Some(4102),
        vec!["issued more than 3 days ago".into()],
    )
    .unwrap();
    let PkiBody::Error(content) = &error.body else {
        panic!("error expected");
    };
    assert_eq!(content.error_code, Some(4102));
    assert_eq!(content.pki_status_info.status(), PkiStatus::Rejection);
    assert_eq!(
        content.pki_status_info.failures(),
        [FailureReason::BadRequest]
    );
    assert_eq!(
        content.error_details.as_deref(),
        Some(&["issued more than 3 days ago".to_string()][..])
    );
    let bare = respond::error(header(), &[], None, Vec::new()).unwrap();
    let PkiBody::Error(content) = &bare.body else {
        panic!("error expected");
    };
    assert_eq!(content.error_details, None);
    assert_eq!(content.pki_status_info.fail_info, None);
}

#[test]
fn unsolicited_header_has_no_transaction() {
    let header = respond::unsolicited_header(ca_name(), build::null_dn(), at()).unwrap();
    assert_eq!(header.transaction_id, None);
    assert_eq!(header.recip_nonce, None);
    assert!(header.sender_nonce.is_some());
    let msg = respond::error(header, &[FailureReason::BadDataFormat], None, vec![]).unwrap();
    round_trip(&msg);
}

#[test]
fn response_kinds() {
    assert_eq!(
        ResponseKind::answering(BodyKind::Ir),
        Some(ResponseKind::Ip)
    );
    assert_eq!(
        ResponseKind::answering(BodyKind::Cr),
        Some(ResponseKind::Cp)
    );
    assert_eq!(
        ResponseKind::answering(BodyKind::P10cr),
        Some(ResponseKind::Cp)
    );
    assert_eq!(
        ResponseKind::answering(BodyKind::Kur),
        Some(ResponseKind::Kup)
    );
    assert_eq!(ResponseKind::answering(BodyKind::PollReq), None);
    assert_eq!(ResponseKind::Kup.body_kind(), BodyKind::Kup);
}

#[test]
fn message_time_needs_a_time_after_1970() {
    assert!(respond::message_time(UNIX_EPOCH - Duration::from_secs(1)).is_err());
    assert!(respond::message_time(at()).is_ok());
}

/// A client that stopped after its act was accepted, before its certificate was saved,
/// resumes from the link: the bank answers the `pollReq` with the accepted certificate
/// again, and the transaction takes it as issued, then the repeated act as confirmed.
#[test]
fn a_certificate_given_again_after_the_acceptance_is_issued_again() {
    use cmp::{Answer, Transaction};
    let cert = certificate();
    let tid = [0x42; 16];
    for attempt in 0..2 {
        let mut transaction =
            Transaction::resume(build::null_dn(), ca_name(), &tid).expect("resumed");
        let poll = transaction.poll_req().expect("pollReq");
        let header = respond::response_header(&poll.header, ca_name(), at()).unwrap();
        let answer = round_trip(
            &respond::granted(header, ResponseKind::Kup, 0, cert.clone(), None).unwrap(),
        );
        let Answer::Issued(issued) = transaction.answer(&poll, &answer).expect("believed") else {
            panic!("attempt {attempt}: not taken as issued");
        };
        assert_eq!(issued.certificate, cert, "attempt {attempt}");
        assert_eq!(issued.cert_req_id, 0);
        let conf = transaction.cert_conf(&issued).expect("certConf");
        assert_eq!(
            conf.header.recip_nonce, answer.header.sender_nonce,
            "the act answers the bank's latest nonce"
        );
        let header = respond::response_header(&conf.header, ca_name(), at()).unwrap();
        let done = round_trip(&respond::pki_conf(header));
        assert_eq!(
            transaction.answer(&conf, &done).expect("believed"),
            Answer::Confirmed
        );
    }
}
