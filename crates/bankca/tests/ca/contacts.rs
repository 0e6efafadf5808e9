//! The contacts a client confirms at R2.4, carried in a renewal's regInfo `utf8Pairs`:
//! stored with the request, shown by `bankca show`, and where the pickup e-mail goes; a
//! malformed or implausible contact refuses the request and stores nothing. And an
//! accepted certificate is handed out again to a client that did not get to save it.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::common::*;
use cmp::build::{self, RequestKind};
use cmp::crmf::CertTemplate;
use cmp::der::Tag;
use cmp::der::asn1::{Any, OctetString};
use cmp::protection::protect_with_signature;
use cmp::utf8_pairs::{REG_INFO_UTF8_PAIRS, Utf8Pairs};
use cmp::x509_cert::Certificate;
use cmp::x509_cert::attr::AttributeTypeAndValue;
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::{BodyKind, FailureReason, PkiMessage};
use gost3410::{ParamSet, SigningKey};
use mailparse::MailHeaderMap;

const OLD_EMAIL: &str = "ivanov@example.ru";
const NEW_EMAIL: &str = "buh@example.ru";
const NEW_PHONE: &str = "+7 (495) 123-45-67";

fn set_clock(path: &Path, at: SystemTime) {
    std::fs::write(path, bankca::clock::format_rfc3339(at)).expect("write the clock file");
}

/// The pickup e-mails so far, oldest first, as (To, body).
fn mails(ca: &CaDir) -> Vec<(String, String)> {
    let dir = ca.path.join("mail");
    let mut files: Vec<_> = std::fs::read_dir(dir.join("new"))
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|raw| {
            let (parsed, body) = mail_body(&raw);
            let to = parsed
                .get_headers()
                .get_first_value("To")
                .unwrap_or_default();
            (to, body)
        })
        .collect()
}

fn wait_for_mails(ca: &CaDir, n: usize) -> Vec<(String, String)> {
    wait_for(&format!("{n} pickup e-mails"), || {
        let all = mails(ca);
        (all.len() >= n).then_some(all)
    })
}

/// A GOST certificate for `OLD_EMAIL`, enrolled and accepted at the renewal bank.
fn enrolled(ca: &CaDir, server: &Server, key: &SigningKey) -> Certificate {
    let request = gost_ir(key, subject("Иванов Иван Иванович", OLD_EMAIL));
    let tid = tid(&request);
    assert_eq!(server.cmp(GOST_BANK, &request).kind(), BodyKind::Ip);
    ca.bankca_ok(&["approve", &ca.id(&tid).to_string()]);
    wait_for_mails(ca, 1);
    let answer = server.cmp(GOST_BANK, &link_poll(&tid));
    let (cert, id) = granted(&answer);
    let conf = accepted(
        &tid,
        answer.header.sender_nonce.as_ref(),
        &cert,
        id,
        Requester::Gost(key),
    );
    assert_eq!(server.cmp(GOST_BANK, &conf).kind(), BodyKind::PkiConf);
    cert
}

/// A renewal of `old_cert` with a new key, carrying `reg_info`, signed by the old key.
fn kur(
    old_key: &SigningKey,
    old_cert: &Certificate,
    reg_info: Option<Vec<AttributeTypeAndValue>>,
) -> PkiMessage {
    let new_key = SigningKey::generate(ParamSet::Tc26Gost256A);
    let mut msg = build::signed_cert_req_msg::<_, gost3410::Signature>(
        0,
        CertTemplate::default(),
        None,
        &new_key,
    )
    .expect("CertReqMsg");
    msg.reg_info = reg_info;
    let sender = GeneralName::DirectoryName(old_cert.tbs_certificate().subject().clone());
    let header = build::new_header(sender, bank_name()).expect("header");
    let mut request = build::cert_request(header, RequestKind::Kur, vec![msg]);
    protect_with_signature::<_, gost3410::Signature>(&mut request, old_key, vec![old_cert.clone()])
        .expect("sign");
    request
}

fn contacts(email: &str, phone: &str) -> Vec<AttributeTypeAndValue> {
    let mut pairs = Utf8Pairs::new();
    pairs.push("email", email).expect("email");
    pairs.push("phone", phone).expect("phone");
    vec![pairs.to_attribute().expect("regInfo")]
}

fn raw_pairs(tag: Tag, bytes: &[u8]) -> Vec<AttributeTypeAndValue> {
    vec![AttributeTypeAndValue {
        oid: REG_INFO_UTF8_PAIRS,
        value: Any::new(tag, bytes.to_vec()).expect("any"),
    }]
}

#[test]
fn renewal_contacts_are_stored_shown_and_mailed_to() {
    let ca = CaDir::new();
    let server = Server::start(&ca, ServerOptions::default());
    let old_key = SigningKey::generate(ParamSet::CryptoProA);
    let old = enrolled(&ca, &server, &old_key);

    let renewal = kur(&old_key, &old, Some(contacts(NEW_EMAIL, NEW_PHONE)));
    let tid = tid(&renewal);
    let answer = server.cmp(GOST_BANK, &renewal);
    check_answer(&ca, &renewal, &answer);
    assert_eq!(answer.kind(), BodyKind::Kup);
    let id = ca.id(&tid).to_string();

    let shown = ca.bankca_ok(&["show", &id]);
    let line = |label: &str| {
        shown
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line:\n{shown}"))
            .to_string()
    };
    assert!(line("E-mail").contains(NEW_EMAIL), "{shown}");
    assert!(
        line("E-mail").contains("confirmed by the client"),
        "{shown}"
    );
    assert!(line("Phone").contains(NEW_PHONE), "{shown}");
    assert!(
        line("Subject").contains(OLD_EMAIL),
        "the subject stays: {shown}"
    );
    assert!(
        shown.contains(&format!(
            "e-mail {NEW_EMAIL} (confirmed by the client), phone {NEW_PHONE}"
        )),
        "the history says so: {shown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ca.bankca_ok(&["show", &id, "--json"])).expect("JSON");
    assert_eq!(json["email"], NEW_EMAIL);
    assert_eq!(json["phone"], NEW_PHONE);
    assert_eq!(json["contacts_confirmed"], true);
    // The first request, without contacts, shows where its address came from.
    let first = ca.bankca_ok(&["show", "1"]);
    assert!(
        first.contains(&format!("{OLD_EMAIL} (from the subject)")),
        "{first}"
    );
    assert!(!first.contains("Phone"), "{first}");

    // The pickup link goes to the confirmed address, and the certificate names it.
    ca.bankca_ok(&["approve", &id]);
    let all = wait_for_mails(&ca, 2);
    assert_eq!(all[0].0, OLD_EMAIL, "the first certificate's link");
    assert_eq!(
        all[1].0, NEW_EMAIL,
        "the renewal's link: the confirmed e-mail"
    );
    assert!(all[1].1.contains(&hex::encode(&tid)), "{}", all[1].1);
    let (new, _) = granted(&server.cmp(GOST_BANK, &link_poll(&tid)));
    assert_eq!(
        new.tbs_certificate().subject(),
        old.tbs_certificate().subject()
    );
    let san = new
        .tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
        .expect("subjectAltName");
    assert!(
        san.extn_value
            .as_bytes()
            .windows(NEW_EMAIL.len())
            .any(|w| w == NEW_EMAIL.as_bytes()),
        "the new certificate carries the confirmed e-mail"
    );
    integrity_check(&ca);
}

#[test]
fn malformed_or_implausible_contacts_are_refused_and_nothing_is_stored() {
    let ca = CaDir::new();
    let server = Server::start(&ca, ServerOptions::default());
    let old_key = SigningKey::generate(ParamSet::CryptoProA);
    let old = enrolled(&ca, &server, &old_key);
    let before = ca.requests().len();

    let long = format!("email?{}%", "a".repeat(5000));
    let cases: Vec<(&str, Vec<AttributeTypeAndValue>, FailureReason, &str)> = vec![
        (
            "not a UTF8String",
            raw_pairs(Tag::OctetString, b"email?a@b.ru%"),
            FailureReason::BadDataFormat,
            "UTF8String",
        ),
        (
            "not UTF-8",
            raw_pairs(Tag::Utf8String, b"email?\xff@b.ru%"),
            FailureReason::BadDataFormat,
            "UTF-8",
        ),
        (
            "unterminated",
            raw_pairs(Tag::Utf8String, b"email?a@b.ru"),
            FailureReason::BadDataFormat,
            "closing",
        ),
        (
            "a broken escape",
            raw_pairs(Tag::Utf8String, b"email?a%4@b.ru%"),
            FailureReason::BadDataFormat,
            "escape",
        ),
        (
            "too long",
            raw_pairs(Tag::Utf8String, long.as_bytes()),
            FailureReason::BadDataFormat,
            "at most",
        ),
        (
            "two different e-mails",
            raw_pairs(Tag::Utf8String, b"email?a@b.ru%email?c@d.ru%"),
            FailureReason::BadDataFormat,
            "more than once",
        ),
        (
            "not an e-mail",
            contacts("buh at example.ru", NEW_PHONE),
            FailureReason::BadRequest,
            "e-mail address",
        ),
        (
            "a header smuggled into the e-mail",
            contacts("a@b.ru\r\nBcc: x@evil.example", NEW_PHONE),
            FailureReason::BadRequest,
            "e-mail address",
        ),
        (
            "not a phone",
            contacts(NEW_EMAIL, "call me"),
            FailureReason::BadRequest,
            "phone number",
        ),
    ];
    for (what, reg_info, failure, words) in cases {
        let request = kur(&old_key, &old, Some(reg_info));
        let answer = server.cmp(GOST_BANK, &request);
        check_answer(&ca, &request, &answer);
        let (failures, _, details) = refusal(&answer);
        assert_eq!(failures, [failure], "{what}: {details}");
        assert!(details.contains(words), "{what}: {details}");
        assert!(!details.contains('\n'), "{what}: {details:?}");
        assert!(details.len() < 400, "{what}: the words are bounded");
    }
    assert_eq!(ca.requests().len(), before, "no refused request was stored");
    integrity_check(&ca);
    // Pairs with other names are left alone; the request goes through.
    let other = kur(
        &old_key,
        &old,
        Some(raw_pairs(Tag::Utf8String, b"version?1%")),
    );
    assert_eq!(server.cmp(GOST_BANK, &other).kind(), BodyKind::Kup);
    let stored = ca.request(&tid(&other)).expect("stored");
    assert_eq!(stored["email"], OLD_EMAIL);
    assert_eq!(stored["contacts_confirmed"], false);
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

#[test]
fn an_accepted_certificate_is_given_again_whenever_asked() {
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
    let old_key = SigningKey::generate(ParamSet::CryptoProA);
    let old = enrolled(&ca, &server, &old_key);
    let renewal = kur(&old_key, &old, Some(contacts(NEW_EMAIL, NEW_PHONE)));
    let tid = tid(&renewal);
    server.cmp(GOST_BANK, &renewal);
    ca.bankca_ok(&["approve", &ca.id(&tid).to_string()]);
    wait_for_mails(&ca, 2);
    let answer = server.cmp(GOST_BANK, &link_poll(&tid));
    let (new, cert_req_id) = granted(&answer);
    let signed_conf = |recip: Option<&OctetString>| {
        let mut conf = cert_conf(&tid, recip, &new, cert_req_id);
        protect_with_signature::<_, gost3410::Signature>(&mut conf, &old_key, vec![old.clone()])
            .expect("sign");
        conf
    };
    let conf = signed_conf(answer.header.sender_nonce.as_ref());
    assert_eq!(server.cmp(GOST_BANK, &conf).kind(), BodyKind::PkiConf);
    assert_eq!(ca.state(&tid).as_deref(), Some("confirmed"));

    // Days later, well past the 2-day and 3-day limits of unaccepted certificates, the
    // client that never wrote the certificate onto its token asks again from the link.
    set_clock(&clock, start + Duration::from_secs(10 * 86_400));
    let poll = link_poll(&tid);
    let again = server.cmp(GOST_BANK, &poll);
    check_answer(&ca, &poll, &again);
    assert_eq!(again.kind(), BodyKind::Kup, "the kind that answers a kur");
    let (cert, id) = granted(&again);
    assert_eq!(cert, new, "the accepted certificate, again");
    assert_eq!(id, cert_req_id, "its real certReqId");
    // Its repeated act, with the same hash, is confirmed again; nothing changes.
    let conf = signed_conf(again.header.sender_nonce.as_ref());
    let done = server.cmp(GOST_BANK, &conf);
    check_answer(&ca, &conf, &done);
    assert_eq!(done.kind(), BodyKind::PkiConf);
    // A certConf for another certificate is still refused.
    let mut wrong = cert_conf(&tid, done.header.sender_nonce.as_ref(), &old, cert_req_id);
    protect_with_signature::<_, gost3410::Signature>(&mut wrong, &old_key, vec![old.clone()])
        .expect("sign");
    assert_eq!(
        refusal(&server.cmp(GOST_BANK, &wrong)).0,
        [FailureReason::BadCertId]
    );
    let details = ca.request(&tid).expect("listed");
    assert_eq!(details["state"], "confirmed");
    // The page behind the link says how to write it again.
    let page = get_url(&format!(
        "{}/pickup/{GOST_BANK}/{}",
        server.url,
        hex::encode(&tid)
    ));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("smartkey save"), "{}", page.text());
    integrity_check(&ca);
}
