//! Who may do what with a request (crates/bankca/README.md, "Who may do what"): a pickup
//! link fetches, only the requester accepts or refuses; a MAC secret is one client's and
//! protects one request; nothing is remembered for a sender nobody authenticated; a
//! protected message must be fresh.

use std::time::{Duration, SystemTime};

use cmp::der::asn1::{GeneralizedTime, OctetString};
use cmp::der::{DateTime, Encode};
use cmp::protection::{protect_with_pbm, verify_pbm};
use cmp::x509_cert::Certificate;
use cmp::{BodyKind, FailureReason, PkiMessage, PkiStatus, PkiStatusInfo, build, respond};
use gost3410::{ParamSet, SigningKey};

use crate::common::{self, Requester, granted, refusal};
use crate::library::{Fixture, exchange_with, fixture, ir, request_id};
use bankca::State;
use bankca::service::{CmpReply, ServiceOptions};
use bankca::store::ClientSecret;

/// The bank that takes MAC-protected requests in the library's agents file.
const MAC_BANK: u32 = 7000;

fn options() -> ServiceOptions {
    ServiceOptions {
        check_after: Duration::from_secs(1),
        ..ServiceOptions::default()
    }
}

/// A fixture whose CA clock reads the real time, so that messages made now are fresh.
fn fixture_now() -> Fixture {
    let f = fixture();
    f.clock.set(SystemTime::now());
    f
}

fn send(f: &Fixture, agent: u32, message: &PkiMessage) -> cmp::Received {
    exchange_with(&f.ca, agent, message, &options())
}

fn generalized(at: SystemTime) -> GeneralizedTime {
    let seconds = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    GeneralizedTime::from_date_time(
        DateTime::from_unix_duration(Duration::from_secs(seconds)).expect("date"),
    )
}

fn mac(mut message: PkiMessage, secret: &ClientSecret) -> PkiMessage {
    protect_with_pbm(
        &mut message,
        secret.reference.as_bytes(),
        secret.secret.as_bytes(),
    )
    .expect("MAC");
    message
}

/// An `ir` at `agent` (MAC-protected with `secret` if given), approved and issued; the
/// answer of the first poll, which carries the certificate.
fn issued(
    f: &Fixture,
    agent: u32,
    key: &SigningKey,
    name: &str,
    secret: Option<&ClientSecret>,
) -> (Vec<u8>, cmp::Received) {
    let mut request = ir(key, name);
    if let Some(secret) = secret {
        request = mac(request, secret);
    }
    assert_eq!(send(f, agent, &request).kind(), BodyKind::Ip);
    f.ca.approve(request_id(&f.ca, &request), "operator")
        .expect("approve");
    f.ca.issue_approved().expect("issue");
    let tid = common::tid(&request);
    let mut poll = common::link_poll(&tid);
    if let Some(secret) = secret {
        poll = mac(poll, secret);
    }
    let answer = send(f, agent, &poll);
    (tid, answer)
}

fn state(f: &Fixture, tid: &[u8]) -> State {
    f.ca.list(None)
        .expect("list")
        .into_iter()
        .find(|r| r.transaction_id == tid)
        .expect("stored")
        .state
}

/// `cert_conf` refusing the certificate (`statusInfo` rejection).
fn refusing(tid: &[u8], recip: Option<&OctetString>, cert: &Certificate, id: i64) -> PkiMessage {
    let mut conf = common::cert_conf(tid, recip, cert, id);
    if let cmp::PkiBody::CertConf(statuses) = &mut conf.body {
        statuses[0].status_info =
            Some(PkiStatusInfo::new(PkiStatus::Rejection, &[]).expect("status"));
    }
    conf
}

#[test]
fn the_link_fetches_but_only_the_requester_accepts_or_refuses() {
    let f = fixture_now();
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let (tid, answer) = issued(&f, 5282, &key, "Владелец", None);
    // Anyone with the link gets the certificate: it is what the link promises.
    let (cert, id) = granted(&answer);
    let latest = answer.header.sender_nonce.clone();

    // ... but an unprotected certConf, accepting or refusing, changes nothing.
    let accept = common::cert_conf(&tid, latest.as_ref(), &cert, id);
    assert_eq!(
        refusal(&send(&f, 5282, &accept)).0,
        [FailureReason::NotAuthorized]
    );
    let refuse = refusing(&tid, latest.as_ref(), &cert, id);
    assert_eq!(
        refusal(&send(&f, 5282, &refuse)).0,
        [FailureReason::NotAuthorized]
    );
    assert_eq!(state(&f, &tid), State::Issued, "not accepted, not voided");

    // Another client's certificate and key do not make it theirs.
    let stranger = SigningKey::generate(ParamSet::CryptoProA);
    let (other_tid, other_answer) = issued(&f, 5282, &stranger, "Чужой", None);
    let (other_cert, _) = granted(&other_answer);
    let forged = common::signed(
        refusing(&tid, latest.as_ref(), &cert, id),
        Requester::Gost(&stranger),
        &other_cert,
    );
    assert_eq!(
        refusal(&send(&f, 5282, &forged)).0,
        [FailureReason::SignerNotTrusted]
    );
    assert_eq!(state(&f, &tid), State::Issued);
    assert_eq!(state(&f, &other_tid), State::Issued);

    // The requester signs the act with the new certificate's key: accepted.
    let act = common::accepted(&tid, latest.as_ref(), &cert, id, Requester::Gost(&key));
    assert_eq!(send(&f, 5282, &act).kind(), BodyKind::PkiConf);
    assert_eq!(state(&f, &tid), State::Confirmed);
}

#[test]
fn a_mac_secret_is_one_clients_and_protects_one_request() {
    let f = fixture_now();
    let mine = f.ca.new_client_secret(MAC_BANK).expect("secret");
    let theirs = f.ca.new_client_secret(MAC_BANK).expect("secret");
    assert_ne!(mine.reference, theirs.reference);
    assert_ne!(mine.secret.as_str(), theirs.secret.as_str());
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let (tid, answer) = issued(&f, MAC_BANK, &key, "С паролем", Some(&mine));
    verify_pbm(&answer, mine.secret.as_bytes()).expect("answered with the client's secret");
    let (cert, id) = granted(&answer);
    let latest = answer.header.sender_nonce.clone();

    // Another client's valid secret: no poll, no acceptance, no refusal.
    let poll = mac(common::link_poll(&tid), &theirs);
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &poll)).0,
        [FailureReason::NotAuthorized]
    );
    let refuse = mac(refusing(&tid, latest.as_ref(), &cert, id), &theirs);
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &refuse)).0,
        [FailureReason::NotAuthorized]
    );
    assert_eq!(state(&f, &tid), State::Issued);

    // The client's own secret accepts.
    let accept = mac(common::cert_conf(&tid, latest.as_ref(), &cert, id), &mine);
    let done = send(&f, MAC_BANK, &accept);
    assert_eq!(done.kind(), BodyKind::PkiConf, "{done:?}");
    assert_eq!(state(&f, &tid), State::Confirmed);

    // A spent secret protects no second request.
    let again = mac(
        ir(&SigningKey::generate(ParamSet::CryptoProA), "Снова"),
        &mine,
    );
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &again)).0,
        [FailureReason::NotAuthorized]
    );
}

#[test]
fn nonces_are_remembered_only_for_authenticated_messages_and_only_for_a_while() {
    let f = fixture_now();
    let secret = f.ca.new_client_secret(MAC_BANK).expect("secret");
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let (tid, _) = issued(&f, MAC_BANK, &key, "Счётчик", Some(&secret));
    let before = f.ca.remembered_nonces().expect("count");
    assert_eq!(
        before, 1,
        "the poll's; a first request is guarded by its transactionID"
    );

    // Unprotected messages, and messages whose protection fails, leave nothing behind.
    for _ in 0..20 {
        send(&f, MAC_BANK, &common::link_poll(&tid));
        send(&f, MAC_BANK, &common::link_poll(&[9u8; 16]));
    }
    let header = common::follow_up_header(&tid, None);
    let mut forged = build::poll_req(header.clone(), 0);
    protect_with_pbm(&mut forged, secret.reference.as_bytes(), b"a guess").expect("MAC");
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &forged)).0,
        [FailureReason::BadMessageCheck]
    );
    // Nor does a message signed by a client of another transaction.
    let stranger = SigningKey::generate(ParamSet::CryptoProA);
    let (_, answer) = issued(&f, 5282, &stranger, "Чужой", None);
    let (their_cert, _) = granted(&answer);
    let theirs = common::signed(
        common::link_poll(&tid),
        Requester::Gost(&stranger),
        &their_cert,
    );
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &theirs)).0,
        [FailureReason::SignerNotTrusted]
    );
    assert_eq!(f.ca.remembered_nonces().expect("count"), before);
    // So the real client's message with that nonce is still taken.
    let real = mac(build::poll_req(header, 0), &secret);
    assert_eq!(send(&f, MAC_BANK, &real).kind(), BodyKind::Ip);
    assert_eq!(f.ca.remembered_nonces().expect("count"), before + 1);
    // Once taken, it is a replay.
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &real)).0,
        [FailureReason::BadSenderNonce]
    );

    // Twenty-one minutes later (twice the window and more), the old nonces are gone.
    let later = SystemTime::now() + Duration::from_secs(21 * 60);
    f.clock.set(later);
    let mut header = common::follow_up_header(&tid, None);
    header.message_time = Some(generalized(later));
    let poll = mac(build::poll_req(header, 0), &secret);
    assert_eq!(send(&f, MAC_BANK, &poll).kind(), BodyKind::Ip);
    assert_eq!(f.ca.remembered_nonces().expect("count"), 1);
}

#[test]
fn a_protected_follow_up_must_be_fresh_but_a_kept_request_may_come_late() {
    let f = fixture_now();
    let secret = f.ca.new_client_secret(MAC_BANK).expect("secret");
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let (tid, _) = issued(&f, MAC_BANK, &key, "Часы", Some(&secret));
    let now = SystemTime::now();
    for (time, why) in [
        (
            Some(now - Duration::from_secs(11 * 60)),
            "eleven minutes old",
        ),
        (
            Some(now + Duration::from_secs(11 * 60)),
            "eleven minutes ahead",
        ),
        (None, "no time at all"),
    ] {
        let mut header = common::follow_up_header(&tid, None);
        header.message_time = time.map(generalized);
        let poll = mac(build::poll_req(header, 0), &secret);
        let (failures, _, details) = refusal(&send(&f, MAC_BANK, &poll));
        assert_eq!(failures, [FailureReason::BadTime], "{why}: {details}");
    }
    // Within the window: taken.
    let mut header = common::follow_up_header(&tid, None);
    header.message_time = Some(generalized(now - Duration::from_secs(9 * 60)));
    let poll = mac(build::poll_req(header, 0), &secret);
    assert_eq!(send(&f, MAC_BANK, &poll).kind(), BodyKind::Ip);
    // A first request kept by its client and sent again after an interruption, an hour
    // later, is still taken; sent twice, it is refused by its transactionID.
    let late = f.ca.new_client_secret(MAC_BANK).expect("secret");
    let mut kept = ir(&SigningKey::generate(ParamSet::CryptoProA), "Позже");
    kept.header.message_time = Some(generalized(now - Duration::from_secs(3600)));
    let kept = mac(kept, &late);
    assert_eq!(send(&f, MAC_BANK, &kept).kind(), BodyKind::Ip);
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &kept)).0,
        [FailureReason::TransactionIdInUse]
    );
    // An unprotected poll's time proves nothing and is not checked: it only fetches.
    let mut header = common::follow_up_header(&tid, None);
    header.message_time = Some(generalized(now - Duration::from_secs(86_400)));
    let poll = build::poll_req(header, 0);
    assert_eq!(send(&f, MAC_BANK, &poll).kind(), BodyKind::Ip);
}

#[test]
fn a_clients_error_report_must_be_its_own_and_is_kept_short() {
    let f = fixture_now();
    let secret = f.ca.new_client_secret(MAC_BANK).expect("secret");
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let (tid, answer) = issued(&f, MAC_BANK, &key, "Отчёт", Some(&secret));
    let latest = answer.header.sender_nonce.clone();
    let id =
        f.ca.list(None)
            .expect("list")
            .into_iter()
            .find(|r| r.transaction_id == tid)
            .expect("stored")
            .id;
    let events = || f.ca.show(id).expect("show").events.len();
    let before = events();
    let text = "ж".repeat(30_000);
    let report = |recip: Option<&OctetString>| {
        respond::error(
            common::follow_up_header(&tid, recip),
            &[FailureReason::SystemFailure],
            None,
            vec![text.clone()],
        )
        .expect("error message")
    };

    // Unprotected: anyone could have sent it; refused and not written down.
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &report(latest.as_ref()))).0,
        [FailureReason::NotAuthorized]
    );
    // Protected but not answering the bank's last message.
    assert_eq!(
        refusal(&send(&f, MAC_BANK, &mac(report(None), &secret))).0,
        [FailureReason::BadRecipientNonce]
    );
    assert_eq!(events(), before, "nothing recorded");

    // The client's own, answering the bank: confirmed and kept, cut short.
    let done = send(&f, MAC_BANK, &mac(report(latest.as_ref()), &secret));
    assert_eq!(done.kind(), BodyKind::PkiConf, "{done:?}");
    let details = f.ca.show(id).expect("show");
    assert_eq!(details.events.len(), before + 1);
    let what = &details.events.last().expect("event").what;
    assert!(
        what.chars().count() <= 513,
        "{} characters",
        what.chars().count()
    );
    assert!(what.contains("жжж"), "{what}");
    assert_eq!(details.request.state, State::Issued);
}

#[test]
fn garbage_is_answered_without_a_signature() {
    let f = fixture_now();
    for body in [&b""[..], b"\x30\x03\x02\x01", &[0x30; 300]] {
        let CmpReply::Message(der) = f.ca.handle_cmp("5282", body, &options()).expect("answer")
        else {
            panic!("a CMP answer");
        };
        let answer = cmp::Received::from_der(&der).expect("DER");
        assert!(answer.protection.is_none() && answer.header.protection_alg.is_none());
        assert_eq!(refusal(&answer).0, [FailureReason::BadDataFormat]);
    }
    // A request that decodes is answered signed, refusal or not.
    let request = ir(&SigningKey::generate(ParamSet::CryptoProA), "Подпись");
    let answer = send(&f, 5282, &request);
    cmp::protection::verify_signature_protection(&answer, f.ca.rsa_certificate()).expect("signed");
}

/// A message that is not DER is refused, even when its protection would verify over its
/// re-encoding: the MAC is checked over the bytes received or not at all.
#[test]
fn a_message_that_is_not_der_is_refused() {
    let f = fixture_now();
    let secret = f.ca.new_client_secret(MAC_BANK).expect("secret");
    let mut header = build::new_header(
        cmp::x509_cert::ext::pkix::name::GeneralName::DirectoryName(
            std::str::FromStr::from_str("CN=AAAA+O=BBBB").expect("name"),
        ),
        common::bank_name(),
    )
    .expect("header");
    header.recip_nonce = None;
    let poll = mac(build::poll_req(header, 0), &secret);
    let der = poll.to_der().expect("encode");
    let cn = hex::decode("300b06035504030c0441414141").expect("hex");
    let o = hex::decode("300b060355040a0c0442424242").expect("hex");
    let i = der.windows(cn.len()).position(|w| w == cn).expect("cn");
    let j = der.windows(o.len()).position(|w| w == o).expect("o");
    let mut unsorted = der.clone();
    unsorted[i..i + cn.len()].copy_from_slice(&o);
    unsorted[j..j + o.len()].copy_from_slice(&cn);
    let CmpReply::Message(answer) =
        f.ca.handle_cmp(&MAC_BANK.to_string(), &unsorted, &options())
            .expect("answer")
    else {
        panic!("a CMP answer");
    };
    let answer = cmp::Received::from_der(&answer).expect("DER");
    let (failures, _, details) = refusal(&answer);
    assert_eq!(failures, [FailureReason::BadDataFormat], "{details}");
    assert!(details.contains("not DER"), "{details}");
}

/// At the connection cap, a further connection waits unserved until one ends: idle
/// connections cannot pile up without bound.
#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    use std::io::{Read, Write};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_dir = crate::library::default_ca_dir(dir.path());
    let mut config = bankca::ServeConfig::new(&ca_dir, "127.0.0.1:0");
    config.max_connections = 1;
    let server = runtime.block_on(bankca::serve(config)).expect("serve");
    let addr = server.local_addr();

    // The first connection takes the only slot (the kernel hands connections out in
    // the order they came) and sends nothing.
    let idle = std::net::TcpStream::connect(addr).expect("connect");
    let mut waiting = std::net::TcpStream::connect(addr).expect("connect");
    waiting
        .write_all(b"GET /pickup/1/00 HTTP/1.0\r\nHost: x\r\n\r\n")
        .expect("write");
    waiting
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("timeout");
    let mut buf = [0u8; 64];
    assert!(
        waiting.read(&mut buf).is_err(),
        "no answer while the only slot is taken"
    );
    drop(idle);
    waiting
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut answer = Vec::new();
    let _ = waiting.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.0 404"), "{text}");
    runtime.block_on(server.shutdown());
}
