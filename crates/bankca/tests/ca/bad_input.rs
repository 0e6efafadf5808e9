//! Bad input never crashes the CA and never changes a request it should not: each gets a
//! CMP `error` message or an HTTP error, the server keeps answering, and the database
//! stays sound. The time limits of the pickup link answer with errorCode 4101 and 4102.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::common::*;
use bankca::keys::RsaCaKey;
use cmp::FailureReason;
use cmp::PkiMessage;
use cmp::build;
use cmp::der::Encode;
use cmp::der::asn1::OctetString;

/// The states of all requests, for comparing before and after.
fn states(ca: &CaDir) -> Vec<(i64, String)> {
    ca.requests()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap_or_default(),
                r["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn post(server: &Server, agent: u32, content_type: Option<&str>, body: &[u8]) -> HttpAnswer {
    http(
        server.addr,
        "POST",
        &Server::cmp_path(agent),
        content_type,
        body,
    )
}

/// The answer to bytes that are not a DER PKIMessage: an `error` message, unprotected,
/// since there is no request to bind it to and signing whatever arrives would let anyone
/// spend the CA's CPU on RSA signatures.
fn cmp_error(server: &Server, body: &[u8]) -> (Vec<FailureReason>, Option<i64>, String) {
    let answer = post(server, RSA_BANK, Some("application/pkixcmp"), body).pki_message();
    assert!(
        answer.protection.is_none() && answer.header.protection_alg.is_none(),
        "garbage is answered cheaply"
    );
    refusal(&answer)
}

/// A request that is waiting, and one whose certificate is issued and mailed, with the
/// key that made it.
fn two_requests(ca: &CaDir, server: &Server) -> (PkiMessage, PkiMessage, RsaCaKey) {
    let waiting = p10cr(&rsa_key(), subject("Ожидающий", "wait@example.ru"));
    server.cmp(RSA_BANK, &waiting);
    let key = rsa_key();
    let issued = p10cr(&key, subject("Выпущенный", "issued@example.ru"));
    server.cmp(RSA_BANK, &issued);
    ca.bankca_ok(&["approve", &ca.id(&tid(&issued)).to_string()]);
    let maildir = ca.path.join("mail");
    wait_for("the certificate to be issued and mailed", || {
        let mailed = ca
            .request(&tid(&issued))
            .is_some_and(|r| r["state"] == "issued" && !r["mailed_at"].is_null());
        (mailed && !maildir_messages(&maildir).is_empty()).then_some(())
    });
    (waiting, issued, key)
}

#[test]
fn bad_input_gets_errors_and_changes_nothing() {
    let ca = CaDir::new();
    let server = Server::start(&ca, ServerOptions::default());
    let (waiting, issued, key) = two_requests(&ca, &server);
    let before = states(&ca);
    assert_eq!(before.len(), 2);

    // Not a PKIMessage: truncated, garbage, empty.
    let der = waiting.to_der().expect("encode");
    for body in [
        &der[..der.len() / 2],
        &der[..der.len() - 1],
        b"\x30\x82\xff\xff garbage",
        b"",
    ] {
        let (failures, _, details) = cmp_error(&server, body);
        assert_eq!(failures, [FailureReason::BadDataFormat], "{details}");
    }
    let garbage: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let (failures, _, _) = cmp_error(&server, &garbage);
    assert_eq!(failures, [FailureReason::BadDataFormat]);

    // HTTP-level refusals.
    let huge = vec![0x30u8; 70 * 1024];
    assert_eq!(
        post(&server, RSA_BANK, Some("application/pkixcmp"), &huge).status,
        413
    );
    assert_eq!(
        post(&server, RSA_BANK, Some("text/plain"), &der).status,
        415
    );
    assert_eq!(post(&server, RSA_BANK, None, &der).status, 415);
    assert_eq!(
        post(&server, 1, Some("application/pkixcmp"), &der).status,
        404
    );
    assert_eq!(
        http(server.addr, "GET", &Server::cmp_path(RSA_BANK), None, b"").status,
        405
    );
    assert_eq!(
        http(server.addr, "GET", "/pickup/1/00", None, b"").status,
        404
    );
    assert_eq!(
        http(server.addr, "GET", "/pickup/6184/zz", None, b"").status,
        404
    );
    assert_eq!(
        http(
            server.addr,
            "GET",
            &format!("/pickup/6184/{}", "ab".repeat(16)),
            None,
            b""
        )
        .status,
        404
    );
    assert_eq!(
        http(server.addr, "GET", "/nothing/here", None, b"").status,
        404
    );

    // A pollReq for a transaction the CA does not know.
    let unknown = link_poll(&[7u8; 16]);
    let (failures, _, details) = refusal(&server.cmp(RSA_BANK, &unknown));
    assert_eq!(failures, [FailureReason::BadCertId], "{details}");

    // An unprotected poll can only fetch: sent twice, it is answered twice, and its
    // nonce is not kept (nobody authenticated it, so it would only fill the table).
    let poll = link_poll(&tid(&issued));
    let (cert, cert_req_id) = granted(&server.cmp(RSA_BANK, &poll));
    let first = server.cmp(RSA_BANK, &poll);
    assert_eq!(granted(&first), (cert.clone(), cert_req_id));
    let latest = first.header.sender_nonce.clone();

    // A recipNonce that is not the CA's latest.
    let stale = OctetString::new([1u8; 16]).expect("nonce");
    let wrong = build::poll_req(follow_up_header(&tid(&issued), Some(&stale)), 0);
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &wrong));
    assert_eq!(failures, [FailureReason::BadRecipientNonce]);

    // A certConf, signed by the requester, with the hash of another certificate.
    let by_requester = |conf| signed(conf, Requester::Rsa(&key), &cert);
    let conf = by_requester(cert_conf(
        &tid(&issued),
        latest.as_ref(),
        &ca.rsa_ca(),
        cert_req_id,
    ));
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(failures, [FailureReason::BadCertId]);
    // A signed message is never taken twice: the same senderNonce again is a replay.
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(failures, [FailureReason::BadSenderNonce]);
    // ... and one for a certReqId the transaction does not have.
    let conf = by_requester(cert_conf(&tid(&issued), latest.as_ref(), &cert, 5));
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(failures, [FailureReason::BadCertId]);
    // Without recipNonce, an acceptance is refused: it must answer the bank's message.
    let conf = by_requester(cert_conf(&tid(&issued), None, &cert, cert_req_id));
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(failures, [FailureReason::BadRecipientNonce]);
    // Nobody but the requester accepts: not unprotected, not another request's key.
    let conf = cert_conf(&tid(&issued), latest.as_ref(), &cert, cert_req_id);
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(failures, [FailureReason::NotAuthorized]);
    let conf = cert_conf(&tid(&waiting), None, &cert, -1);
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(failures, [FailureReason::NotAuthorized]);
    let conf = by_requester(cert_conf(&tid(&waiting), None, &cert, -1));
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(failures, [FailureReason::SignerNotTrusted]);

    // A new request reusing a transactionID.
    let mut reuse = p10cr(&rsa_key(), subject("Повтор", "again@example.ru"));
    reuse.header.transaction_id = waiting.header.transaction_id.clone();
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &reuse));
    assert_eq!(failures, [FailureReason::TransactionIdInUse]);

    // Requests the bank's rules refuse.
    let bad_inn = p10cr(
        &rsa_key(),
        subject_with_inn("Ошибка", "x@example.ru", "7707083894"),
    );
    let (failures, _, details) = refusal(&server.cmp(RSA_BANK, &bad_inn));
    assert_eq!(failures, [FailureReason::BadCertTemplate]);
    assert!(details.contains("check digit"), "{details}");
    let no_email = p10cr(&rsa_key(), subject_without_email("Без почты"));
    let (failures, _, details) = refusal(&server.cmp(RSA_BANK, &no_email));
    assert_eq!(failures, [FailureReason::BadCertTemplate], "{details}");
    let gost = gost_ir(
        &gost3410::SigningKey::generate(gost3410::ParamSet::CryptoProA),
        subject("ГОСТ", "gost@example.ru"),
    );
    let (failures, _, details) = refusal(&server.cmp(RSA_BANK, &gost));
    assert_eq!(
        failures,
        [FailureReason::BadAlg],
        "this bank takes RSA only: {details}"
    );
    let mut forged = p10cr(&rsa_key(), subject("Подделка", "forged@example.ru"));
    if let cmp::PkiBody::P10cr(csr) = &mut forged.body {
        csr.info.subject = subject("Другой", "other@example.ru");
    }
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &forged));
    assert_eq!(failures, [FailureReason::BadPop]);
    let mut kur = gost.clone();
    kur.header.transaction_id = Some(OctetString::new([9u8; 16]).expect("tid"));
    kur.header.sender_nonce = Some(OctetString::new([9u8; 16]).expect("nonce"));
    if let cmp::PkiBody::Ir(reqs) = &kur.body {
        kur.body = cmp::PkiBody::Kur(reqs.clone());
    }
    let (failures, _, _) = refusal(&server.cmp(GOST_BANK, &kur));
    assert_eq!(
        failures,
        [FailureReason::NotAuthorized],
        "an unsigned renewal"
    );
    let mut v1 = link_poll(&tid(&issued));
    v1.header.pvno = 1;
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &v1));
    assert_eq!(failures, [FailureReason::UnsupportedVersion]);
    let mut short = link_poll(&tid(&issued));
    short.header.sender_nonce = Some(OctetString::new([1u8; 4]).expect("nonce"));
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &short));
    assert_eq!(failures, [FailureReason::BadSenderNonce]);
    let wrong_kind = cmp::respond::pki_conf(follow_up_header(&tid(&issued), None));
    let (failures, _, _) = refusal(&server.cmp(RSA_BANK, &wrong_kind));
    assert_eq!(failures, [FailureReason::BadRequest]);

    // Nothing changed, nothing was added, the server still works and never panicked.
    assert_eq!(states(&ca), before);
    integrity_check(&ca);
    let poll = link_poll(&tid(&issued));
    assert!(granted(&server.cmp(RSA_BANK, &poll)).0 == cert);
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

fn set_clock(path: &Path, at: SystemTime) {
    std::fs::write(path, bankca::clock::format_rfc3339(at)).expect("write the clock file");
}

#[test]
fn late_pickups_answer_4101_then_4102() {
    let ca = CaDir::new();
    let clock = ca.work.join("clock");
    let start = SystemTime::now();
    set_clock(&clock, start);
    let server = Server::start(
        &ca,
        ServerOptions {
            clock_file: Some(clock.clone()),
            ..Default::default()
        },
    );
    let (_, issued, key) = two_requests(&ca, &server);
    let tid = tid(&issued);
    let link = format!("{}/pickup/6184/{}", server.url, hex::encode(&tid));
    let hour = Duration::from_secs(3600);
    let day = Duration::from_secs(86_400);

    // Two days and an hour after the e-mail: the link no longer works.
    set_clock(&clock, start + 2 * day + hour);
    let (failures, code, details) = refusal(&server.cmp(RSA_BANK, &link_poll(&tid)));
    assert_eq!(
        (failures, code),
        (vec![FailureReason::BadRequest], Some(4101)),
        "{details}"
    );
    let page = get_url(&link);
    assert_eq!(page.status, 410);
    assert!(page.text().contains("2 дня"), "{}", page.text());
    assert_eq!(ca.state(&tid).as_deref(), Some("issued"));

    // The operator sends the link again: a new 2-day window.
    ca.bankca_ok(&["resend", &ca.id(&tid).to_string()]);
    let maildir = ca.path.join("mail");
    wait_for("the second e-mail", || {
        (maildir_messages(&maildir).len() == 2).then_some(())
    });
    let answer = server.cmp(RSA_BANK, &link_poll(&tid));
    assert_eq!(granted(&answer).1, -1);
    assert_eq!(get_url(&link).status, 200);

    // More than three days after issuing: void, the procedure starts again.
    set_clock(&clock, start + 3 * day + hour);
    let (failures, code, details) = refusal(&server.cmp(RSA_BANK, &link_poll(&tid)));
    assert_eq!(
        (failures, code),
        (vec![FailureReason::BadRequest], Some(4102)),
        "{details}"
    );
    assert_eq!(ca.state(&tid).as_deref(), Some("expired"));
    assert_eq!(get_url(&link).status, 410);
    let out = ca.bankca(&["resend", &ca.id(&tid).to_string()]);
    assert!(!out.status.success(), "no resend for an expired request");
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    let (cert, _) = granted(&answer);
    let latest = answer.header.sender_nonce.as_ref();
    let conf = accepted(&tid, latest, &cert, -1, Requester::Rsa(&key));
    let (_, code, _) = refusal(&server.cmp(RSA_BANK, &conf));
    assert_eq!(
        code,
        Some(4102),
        "an acceptance after 3 days is refused too"
    );
    // The waiting request is untouched by the clock.
    assert!(states(&ca).iter().any(|(_, s)| s == "waiting"));
    integrity_check(&ca);
}
