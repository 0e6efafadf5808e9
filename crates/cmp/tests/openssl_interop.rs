//! Interoperability with OpenSSL's `openssl cmp`, client and mock server, as the
//! independent peer.

mod common;

use cmp::body::PkiBody;
use cmp::build::{self, RequestKind};
use cmp::checks::{check_response, check_transaction_id};
use cmp::crmf::CertTemplate;
use cmp::der::{Decode, Encode};
use cmp::protection::{
    protect_with_pbm, protect_with_signature, verify_pbm, verify_signature_protection,
};
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::x509_cert::request::CertReq;
use cmp::{BodyKind, PkiMessage, PkiStatus, Received};
use common::{ClientRun, MockServer, fixtures, post, run_client};

/// Decodes every captured message, checks that it re-encodes to the same bytes, and that
/// requests and responses pair up (same transaction, nonces echoed, version 2 or 3).
fn decode_run(run: &ClientRun) -> (Vec<Received>, Vec<Received>) {
    assert!(run.success, "openssl cmp client failed: {}", run.stderr);
    assert!(!run.requests.is_empty(), "no requests captured");
    assert_eq!(
        run.requests.len(),
        run.responses.len(),
        "requests and responses pair up"
    );
    let decode = |all: &[Vec<u8>]| {
        all.iter()
            .map(|der| {
                let msg = Received::from_der(der).expect("decode OpenSSL message, DER");
                assert_eq!(
                    &msg.to_der().expect("re-encode"),
                    der,
                    "byte-exact round trip"
                );
                msg
            })
            .collect::<Vec<_>>()
    };
    let (reqs, rsps) = (decode(&run.requests), decode(&run.responses));
    for (req, rsp) in reqs.iter().zip(&rsps) {
        check_response(req, rsp, &[rsp.kind()]).expect("response matches request");
        check_transaction_id(&reqs[0], req).expect("one transaction throughout");
    }
    (reqs, rsps)
}

fn kinds(msgs: &[Received]) -> Vec<BodyKind> {
    msgs.iter().map(|m| m.kind()).collect()
}

#[test]
fn openssl_p10cr_with_pbm() {
    let f = fixtures();
    let server = MockServer::with_pbm(&[]);
    let run = run_client(
        &server,
        &[
            "-cmd",
            "p10cr",
            "-csr",
            &f.file("ee.csr"),
            "-ref",
            common::REF,
            "-secret",
            "pass:test",
        ],
    );
    let (reqs, rsps) = decode_run(&run);
    assert_eq!(kinds(&reqs), [BodyKind::P10cr, BodyKind::CertConf]);
    assert_eq!(kinds(&rsps), [BodyKind::Cp, BodyKind::PkiConf]);
    for msg in reqs.iter().chain(&rsps) {
        verify_pbm(msg, common::SECRET.as_bytes()).expect("PBM verifies");
        assert!(
            verify_pbm(msg, b"wrong").is_err(),
            "a wrong secret is refused"
        );
    }
    let PkiBody::P10cr(csr) = &reqs[0].body else {
        unreachable!()
    };
    assert_eq!(csr.to_der().unwrap(), f.read("ee.csr.der"));
    let rep = rsps[0].body.cert_rep().expect("cp content");
    let response = &rep.response[0];
    assert_eq!(response.status.status(), PkiStatus::Accepted);
    assert_eq!(response.certificate(), Some(&f.cert("ee.der")));
    assert_eq!(rep.ca_pubs, None, "OpenSSL sends caPubs only in ip");
    // Our certHash of the issued certificate equals OpenSSL's.
    let PkiBody::CertConf(conf) = &reqs[1].body else {
        unreachable!()
    };
    let (hash, hash_alg) = build::cert_hash(&f.cert("ee.der")).unwrap();
    assert_eq!(conf[0].cert_hash.as_bytes(), &hash[..]);
    assert!(hash_alg.is_none());
    assert_eq!(conf[0].cert_req_id, response.cert_req_id);
}

#[test]
fn openssl_ir_with_pbm_has_verifiable_pop() {
    let f = fixtures();
    let server = MockServer::with_pbm(&[]);
    let run = run_client(
        &server,
        &[
            "-cmd",
            "ir",
            "-newkey",
            &f.file("ee.key"),
            "-subject",
            "/CN=ee",
            "-ref",
            common::REF,
            "-secret",
            "pass:test",
        ],
    );
    let (reqs, rsps) = decode_run(&run);
    assert_eq!(kinds(&reqs), [BodyKind::Ir, BodyKind::CertConf]);
    assert_eq!(kinds(&rsps), [BodyKind::Ip, BodyKind::PkiConf]);
    for msg in reqs.iter().chain(&rsps) {
        verify_pbm(msg, common::SECRET.as_bytes()).expect("PBM verifies");
    }
    let ip = rsps[0].body.cert_rep().expect("ip content");
    assert_eq!(ip.ca_pubs.as_deref(), Some(&[f.cert("ca.der")][..]));
    assert_eq!(ip.response[0].certificate(), Some(&f.cert("ee.der")));
    let PkiBody::Ir(msgs) = &reqs[0].body else {
        unreachable!()
    };
    let template = &msgs[0].cert_req.cert_template;
    let ee = f.cert("ee.der");
    assert_eq!(
        template.public_key.as_ref(),
        Some(ee.tbs_certificate().subject_public_key_info())
    );
    assert_eq!(
        template.subject.as_ref(),
        Some(ee.tbs_certificate().subject())
    );
    // The signature proof of possession verifies with the requested key.
    cmp::protection::verify_signature_pop(&msgs[0]).expect("POP verifies");
    let mut forged = msgs[0].clone();
    forged.cert_req.cert_req_id += 1;
    assert!(cmp::protection::verify_signature_pop(&forged).is_err());
}

#[test]
fn openssl_kur_with_signature_protection() {
    let f = fixtures();
    // OpenSSL 3.0's mock server wants `oldCertID` to name its `-rsp_cert`, so the
    // request names ee.pem as the old certificate while the P-256 key protects it.
    let server = MockServer::with_signature(&[]);
    let run = run_client(
        &server,
        &[
            "-cmd",
            "kur",
            "-cert",
            &f.file("ec.pem"),
            "-key",
            &f.file("ec.key"),
            "-oldcert",
            &f.file("ee.pem"),
            "-newkey",
            &f.file("ee.key"),
            "-trusted",
            &f.file("ca.pem"),
        ],
    );
    let (reqs, rsps) = decode_run(&run);
    assert_eq!(kinds(&reqs), [BodyKind::Kur, BodyKind::CertConf]);
    assert_eq!(kinds(&rsps), [BodyKind::Kup, BodyKind::PkiConf]);
    let (ec, ca) = (f.cert("ec.der"), f.cert("ca.der"));
    for req in &reqs {
        // ECDSA P-256 from the client's key.
        verify_signature_protection(req, &ec).expect("client signature verifies");
        assert!(verify_signature_protection(req, &ca).is_err());
        assert_eq!(req.extra_certs.as_ref().map(|c| &c[0]), Some(&ec));
    }
    for rsp in &rsps {
        // RSA PKCS#1 v1.5 from the CA.
        verify_signature_protection(rsp, &ca).expect("server signature verifies");
        assert!(verify_pbm(rsp, b"test").is_err(), "not MAC-protected");
    }
}

#[test]
fn openssl_polling() {
    let f = fixtures();
    let server = MockServer::with_pbm(&["-poll_count", "2", "-check_after", "1"]);
    let run = run_client(
        &server,
        &[
            "-cmd",
            "p10cr",
            "-csr",
            &f.file("ee.csr"),
            "-ref",
            common::REF,
            "-secret",
            "pass:test",
        ],
    );
    let (reqs, rsps) = decode_run(&run);
    let req_kinds = kinds(&reqs);
    let rsp_kinds = kinds(&rsps);
    assert_eq!(req_kinds.first(), Some(&BodyKind::P10cr));
    assert!(req_kinds.contains(&BodyKind::PollReq), "{req_kinds:?}");
    assert!(rsp_kinds.contains(&BodyKind::PollRep), "{rsp_kinds:?}");
    let waiting = rsps[0].body.cert_rep().expect("first answer is cp");
    assert_eq!(waiting.response[0].status.status(), PkiStatus::Waiting);
    for (req, rsp) in reqs.iter().zip(&rsps) {
        verify_pbm(rsp, common::SECRET.as_bytes()).expect("PBM verifies");
        if let (PkiBody::PollReq(ask), PkiBody::PollRep(answer)) = (&req.body, &rsp.body) {
            assert_eq!(answer[0].check_after, 1);
            assert_eq!(answer[0].cert_req_id, ask[0].cert_req_id);
        }
    }
    let granted = rsps
        .iter()
        .filter_map(|r| r.body.cert_rep())
        .filter_map(|rep| rep.response[0].certificate())
        .next();
    assert_eq!(granted, Some(&f.cert("ee.der")));
}

#[test]
fn openssl_rejection_reports_failure_reasons() {
    let f = fixtures();
    // Status 2 (rejection) with failure bit 9 (badPOP).
    let server = MockServer::with_pbm(&["-pkistatus", "2", "-failure", "9"]);
    let run = run_client(
        &server,
        &[
            "-cmd",
            "p10cr",
            "-csr",
            &f.file("ee.csr"),
            "-ref",
            common::REF,
            "-secret",
            "pass:test",
        ],
    );
    assert!(!run.success, "the client must fail on a rejection");
    let rsp = PkiMessage::from_der(&run.responses[0]).expect("decode");
    assert_eq!(rsp.to_der().unwrap(), run.responses[0]);
    let status = match &rsp.body {
        PkiBody::Error(e) => &e.pki_status_info,
        body => &body.cert_rep().expect("cp or error").response[0].status,
    };
    assert_eq!(status.status(), PkiStatus::Rejection);
    assert_eq!(status.failures(), [cmp::FailureReason::BadPop]);
    let text = status.to_string();
    assert!(
        text.contains("rejected") && text.contains("key on the token"),
        "{text}"
    );
}

/// A p10cr and certConf built and PBM-protected by this crate, POSTed to the OpenSSL mock
/// server, are accepted; its answers pass our checks and PBM verification.
#[test]
fn our_pbm_p10cr_is_accepted_by_openssl() {
    let f = fixtures();
    let server = MockServer::with_pbm(&[]);
    let ca = f.cert("ca.der");
    let recipient = GeneralName::DirectoryName(ca.tbs_certificate().subject().clone());
    let csr = CertReq::from_der(&f.read("ee.csr.der")).unwrap();

    let header = build::new_header(build::null_dn(), recipient).unwrap();
    let mut request = build::p10cr(header, csr);
    protect_with_pbm(
        &mut request,
        common::REF.as_bytes(),
        common::SECRET.as_bytes(),
    )
    .unwrap();
    let der = request.to_der().unwrap();
    assert_eq!(PkiMessage::from_der(&der).unwrap(), request);

    let response = Received::from_der(&post(&server, &der)).expect("decode answer");
    check_response(&request, &response, &[BodyKind::Ip, BodyKind::Cp]).expect("checks pass");
    verify_pbm(&response, common::SECRET.as_bytes()).expect("answer's PBM verifies");
    let cert_response = &response.body.cert_rep().unwrap().response[0];
    assert!(
        cert_response.status.status().is_granted(),
        "{}",
        cert_response.status
    );
    let cert = cert_response.certificate().expect("certificate").clone();
    assert_eq!(cert, f.cert("ee.der"));

    // certConf: OpenSSL's mock server compares our certHash with its own.
    let header = build::next_header(&request.header, &response.header).unwrap();
    let mut conf = build::cert_conf(header, &cert, cert_response.cert_req_id).unwrap();
    protect_with_pbm(&mut conf, common::REF.as_bytes(), common::SECRET.as_bytes()).unwrap();
    let answer = Received::from_der(&post(&server, &conf.to_der().unwrap())).unwrap();
    check_response(&conf, &answer, &[BodyKind::PkiConf]).expect("pkiconf");
    verify_pbm(&answer, common::SECRET.as_bytes()).unwrap();
}

/// An ir with a P-256 signature POP, signature-protected by the same key and certificate,
/// built by this crate, is accepted by OpenSSL, which checks both signatures.
#[test]
fn our_signed_ir_is_accepted_by_openssl() {
    use p256::pkcs8::DecodePrivateKey;
    let f = fixtures();
    let server = MockServer::with_signature(&[]);
    let (ca, ec) = (f.cert("ca.der"), f.cert("ec.der"));
    let key = p256::ecdsa::SigningKey::from_pkcs8_der(&f.read("ec.key.der")).unwrap();

    let template = CertTemplate {
        subject: Some(ec.tbs_certificate().subject().clone()),
        ..Default::default()
    };
    let msg = build::signed_cert_req_msg::<_, p256::ecdsa::DerSignature>(0, template, None, &key)
        .unwrap();
    let sender = GeneralName::DirectoryName(ec.tbs_certificate().subject().clone());
    let recipient = GeneralName::DirectoryName(ca.tbs_certificate().subject().clone());
    let header = build::new_header(sender, recipient).unwrap();
    let mut request = build::cert_request(header, RequestKind::Ir, vec![msg]);
    protect_with_signature::<_, p256::ecdsa::DerSignature>(&mut request, &key, vec![ec.clone()])
        .unwrap();
    let sent = Received::from_der(&request.to_der().unwrap()).expect("DER");
    verify_signature_protection(&sent, &ec).expect("own signature verifies");

    let response = Received::from_der(&post(&server, &request.to_der().unwrap())).unwrap();
    check_response(&request, &response, &[BodyKind::Ip]).unwrap_or_else(|e| {
        panic!("{e}");
    });
    verify_signature_protection(&response, &ca).expect("CA signature verifies");
    let status = &response.body.cert_rep().unwrap().response[0].status;
    assert!(status.status().is_granted(), "{status}");
}
