//! The library without HTTP: the request state machine and the bank's rules, driven
//! through `Ca::handle_cmp` with a hand-set clock; and the in-process server the
//! wizard's demo starts.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use crate::common;
use crate::common::{bank_name, granted, refusal, subject, verify_issued};
use bankca::issue::SerialSource;
use bankca::service::{CmpReply, ServiceOptions};
use bankca::{Ca, Error, ManualClock, State};
use cmp::build::{self, RequestKind};
use cmp::crmf::CertTemplate;
use cmp::der::{Decode, Encode};
use cmp::protection::{protect_with_pbm, protect_with_signature, verify_pbm};
use cmp::x509_cert::Certificate;
use cmp::{BodyKind, FailureReason, PkiBody, PkiMessage, PkiStatus, Received};
use gost3410::{ParamSet, SigningKey};

/// An agents file with a second bank, whose clients MAC-protect their requests with
/// the reference and secret each is given (`Ca::new_client_secret`).
const AGENTS: &str = r#"
[[agent]]
id = 5282
name = "Банк-Клиент через Интернет"
key_types = ["gost2012-256", "gost2012-512", "rsa2048"]
support_phone = "8-800-250-33-00"
mail_domain = "faktura.ru"

[[agent]]
id = 7000
name = "Банк с паролем"
key_types = ["gost2012-256"]
support_phone = "8-800-000-00-00"
mail_domain = "bank.example"
"#;

fn template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ca");
        Ca::init(&path).expect("init");
        (dir, path)
    });
    path
}

/// A CA directory under `parent` with the template's keys and the default agents file,
/// for a server to open.
pub(crate) fn default_ca_dir(parent: &Path) -> std::path::PathBuf {
    let ca_dir = parent.join("ca");
    std::fs::create_dir_all(&ca_dir).expect("dir");
    for name in ["ca-rsa.key", "ca-rsa.pem", "ca-gost.key", "ca-gost.pem"] {
        std::fs::copy(template().join(name), ca_dir.join(name)).expect("copy");
    }
    std::fs::write(
        ca_dir.join("agents.toml"),
        bankca::agents::DEFAULT_AGENTS_TOML,
    )
    .expect("agents");
    ca_dir
}

pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) ca: Ca,
}

pub(crate) fn fixture() -> Fixture {
    fixture_with(SerialSource::Random)
}

fn fixture_with(serials: SerialSource) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["ca-rsa.key", "ca-rsa.pem", "ca-gost.key", "ca-gost.pem"] {
        std::fs::copy(template().join(name), dir.path().join(name)).expect("copy");
    }
    std::fs::write(dir.path().join("agents.toml"), AGENTS).expect("agents");
    let clock = Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    let ca = Ca::open_with_clock(dir.path(), clock.clone())
        .expect("open")
        .with_serial_source(serials);
    Fixture {
        _dir: dir,
        clock,
        ca,
    }
}

/// Sends `message` to a CA whose clock is set apart from the messages' own time, so the
/// `messageTime` window is off here; `fresh_messages_only` tests it.
fn exchange(ca: &Ca, agent: u32, message: &PkiMessage) -> Received {
    let options = ServiceOptions {
        check_after: Duration::from_secs(1),
        message_time_window: None,
    };
    exchange_with(ca, agent, message, &options)
}

pub(crate) fn exchange_with(
    ca: &Ca,
    agent: u32,
    message: &PkiMessage,
    options: &ServiceOptions,
) -> Received {
    let der = message.to_der().expect("encode");
    match ca
        .handle_cmp(&agent.to_string(), &der, options)
        .expect("an answer")
    {
        CmpReply::Message(der) => Received::from_der(&der).expect("the answer is DER"),
        CmpReply::UnknownAgent => panic!("unknown agent {agent}"),
    }
}

pub(crate) fn ir(key: &SigningKey, name: &str) -> PkiMessage {
    common::gost_ir(key, subject(name, "client@example.ru"))
}

fn tid(message: &PkiMessage) -> Vec<u8> {
    common::tid(message)
}

pub(crate) fn request_id(ca: &Ca, message: &PkiMessage) -> i64 {
    let tid = tid(message);
    ca.list(None)
        .expect("list")
        .into_iter()
        .find(|r| r.transaction_id == tid)
        .expect("stored")
        .id
}

fn poll(ca: &Ca, agent: u32, tid: &[u8]) -> Received {
    exchange(ca, agent, &common::link_poll(tid))
}

/// Enrols a GOST key at bank 5282 through approval and acceptance; the certificate.
fn enrol(f: &Fixture, key: &SigningKey) -> Certificate {
    let request = ir(key, "Владелец");
    exchange(&f.ca, 5282, &request);
    f.ca.approve(request_id(&f.ca, &request), "operator")
        .expect("approve");
    f.ca.issue_approved().expect("issue");
    let answer = poll(&f.ca, 5282, &tid(&request));
    let (cert, id) = granted(&answer);
    let conf = common::accepted(
        &tid(&request),
        answer.header.sender_nonce.as_ref(),
        &cert,
        id,
        common::Requester::Gost(key),
    );
    assert_eq!(exchange(&f.ca, 5282, &conf).kind(), BodyKind::PkiConf);
    cert
}

/// The serials of three certificates enrolled one after another on a fresh CA.
fn serials_of_three(serials: SerialSource) -> Vec<Vec<u8>> {
    let f = fixture_with(serials);
    (0..3)
        .map(|_| {
            let key = SigningKey::generate(ParamSet::CryptoProA);
            let cert = enrol(&f, &key);
            cert.tbs_certificate().serial_number().as_bytes().to_vec()
        })
        .collect()
}

#[test]
fn seeded_serials_repeat_in_the_order_of_issuance() {
    let seeded = || SerialSource::Seeded("replay-1".into());
    let first = serials_of_three(seeded());
    // A fresh CA, other keys and transactions: the same serials in the same order.
    assert_eq!(serials_of_three(seeded()), first);
    for serial in &first {
        assert_eq!(serial.len(), 16);
        // Positive, and no leading zero byte: exactly 16 bytes, as random serials.
        assert_eq!(serial[0] & 0xC0, 0x40, "{serial:02x?}");
    }
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "serials of one seed are unique");

    let other = serials_of_three(SerialSource::Seeded("replay-2".into()));
    assert!(other.iter().all(|s| !first.contains(s)));
    let random = serials_of_three(SerialSource::Random);
    assert_ne!(serials_of_three(SerialSource::Random), random);
    assert!(random.iter().all(|s| s.len() == 16 && s[0] & 0xC0 == 0x40));
}

#[test]
fn operator_decisions_follow_the_states() {
    let f = fixture();
    let ca = &f.ca;
    let key = SigningKey::generate(ParamSet::CryptoProA);

    let a = ir(&key, "Первый");
    let answer = exchange(ca, 5282, &a);
    assert_eq!(answer.kind(), BodyKind::Ip);
    let a_id = request_id(ca, &a);
    assert!(matches!(
        ca.approve(999, "operator"),
        Err(Error::NoSuchRequest(999))
    ));
    assert!(matches!(
        ca.reject(a_id, "  ", "operator"),
        Err(Error::Config(_))
    ));
    ca.approve(a_id, "operator").expect("approve");
    assert!(matches!(
        ca.approve(a_id, "operator"),
        Err(Error::WrongState {
            state: State::Approved,
            ..
        })
    ));
    // Approved but not issued yet: a rejection still stops it.
    ca.reject(a_id, "заявление не поступило", "operator")
        .expect("reject");
    assert!(matches!(
        ca.resend(a_id, "operator"),
        Err(Error::WrongState { .. })
    ));
    assert!(ca.issue_approved().expect("issue").is_empty());
    let answer = poll(ca, 5282, &tid(&a));
    let status = &answer.body.cert_rep().expect("ip").response[0].status;
    assert_eq!(status.status(), PkiStatus::Rejection);
    assert_eq!(
        status.status_string.as_deref(),
        Some(&["заявление не поступило".to_string()][..])
    );

    let b = ir(&SigningKey::generate(ParamSet::Tc26Gost512A), "Второй");
    exchange(ca, 5282, &b);
    let b_id = request_id(ca, &b);
    ca.approve(b_id, "operator").expect("approve");
    // Approved, not yet issued: the client is told to come back.
    let answer = poll(ca, 5282, &tid(&b));
    let PkiBody::PollRep(entries) = &answer.body else {
        panic!("pollRep expected, got {answer:?}");
    };
    assert_eq!((entries[0].cert_req_id, entries[0].check_after), (0, 1));
    assert_eq!(ca.issue_approved().expect("issue"), [b_id]);
    assert!(
        ca.issue_approved().expect("issue").is_empty(),
        "issued once"
    );
    let answer = poll(ca, 5282, &tid(&b));
    let (cert, _) = granted(&answer);
    let gost_ca = ca.gost_certificate().clone();
    verify_issued(&cert, &gost_ca);
    assert_eq!(
        answer.body.cert_rep().and_then(|r| r.ca_pubs.clone()),
        Some(vec![gost_ca])
    );
    assert_eq!(
        cert.tbs_certificate()
            .validity()
            .not_before
            .to_system_time(),
        f.clock.now_for_test(),
        "dated by the CA's clock"
    );
    let due = ca.mail_due().expect("mail");
    assert_eq!(due.len(), 1);
    ca.mark_mailed(&due[0], "client@example.ru")
        .expect("mailed");
    assert!(ca.mail_due().expect("mail").is_empty());
    ca.resend(b_id, "operator").expect("resend");
    assert_eq!(ca.mail_due().expect("mail").len(), 1, "a fresh link is due");

    // Never saved: void after three days.
    f.clock.advance(Duration::from_secs(3 * 86_400));
    assert!(
        ca.expire_due().expect("expire").is_empty(),
        "exactly 3 days is not more"
    );
    f.clock.advance(Duration::from_secs(1));
    assert_eq!(ca.expire_due().expect("expire"), [b_id]);
    assert!(matches!(
        ca.resend(b_id, "operator"),
        Err(Error::WrongState {
            state: State::Expired,
            ..
        })
    ));
    let details = ca.show(b_id).expect("show");
    assert_eq!(details.request.state, State::Expired);
    assert_eq!(
        details.certificate.map(|c| c.status),
        Some(bankca::store::CertStatus::Void)
    );

    // Demos: approval after a delay.
    let c = ir(&SigningKey::generate(ParamSet::CryptoProA), "Третий");
    exchange(ca, 5282, &c);
    assert!(
        ca.auto_approve_due(Duration::from_secs(10))
            .expect("auto")
            .is_empty()
    );
    f.clock.advance(Duration::from_secs(10));
    assert_eq!(
        ca.auto_approve_due(Duration::from_secs(10)).expect("auto"),
        [request_id(ca, &c)]
    );
}

trait NowForTest {
    fn now_for_test(&self) -> SystemTime;
}

impl NowForTest for ManualClock {
    fn now_for_test(&self) -> SystemTime {
        bankca::Clock::now(self).expect("manual clock")
    }
}

fn kur(
    old_key: &SigningKey,
    old_cert: &Certificate,
    new_key: &SigningKey,
    template: CertTemplate,
) -> PkiMessage {
    let msg = build::signed_cert_req_msg::<_, gost3410::Signature>(0, template, None, new_key)
        .expect("CertReqMsg");
    let sender = cmp::x509_cert::ext::pkix::name::GeneralName::DirectoryName(
        old_cert.tbs_certificate().subject().clone(),
    );
    let header = build::new_header(sender, bank_name()).expect("header");
    let mut request = build::cert_request(header, RequestKind::Kur, vec![msg]);
    protect_with_signature::<_, gost3410::Signature>(&mut request, old_key, vec![old_cert.clone()])
        .expect("sign");
    request
}

#[test]
fn renewal_replaces_the_old_certificate_only_when_accepted() {
    let f = fixture();
    let ca = &f.ca;
    let old_key = SigningKey::generate(ParamSet::CryptoProA);
    let old = enrol(&f, &old_key);
    let old_id = 1;
    let new_key = SigningKey::generate(ParamSet::Tc26Gost256A);

    // The template may not change the subject, and the key must be new.
    let other = CertTemplate {
        subject: Some(subject("Другой", "other@example.ru")),
        ..Default::default()
    };
    let (failures, _, _) = refusal(&exchange(ca, 5282, &kur(&old_key, &old, &new_key, other)));
    assert_eq!(failures, [FailureReason::BadCertTemplate]);
    let same_key = kur(&old_key, &old, &old_key, CertTemplate::default());
    assert_eq!(
        refusal(&exchange(ca, 5282, &same_key)).0,
        [FailureReason::BadCertTemplate]
    );
    // A renewal at another bank than the one that issued the certificate.
    let elsewhere = kur(&old_key, &old, &new_key, CertTemplate::default());
    assert_eq!(
        refusal(&exchange(ca, 7000, &elsewhere)).0,
        [FailureReason::SignerNotTrusted]
    );

    let renewal = kur(&old_key, &old, &new_key, CertTemplate::default());
    let answer = exchange(ca, 5282, &renewal);
    assert_eq!(answer.kind(), BodyKind::Kup);
    let new_id = request_id(ca, &renewal);
    ca.approve(new_id, "operator").expect("approve");
    ca.issue_approved().expect("issue");
    let answer = poll(ca, 5282, &tid(&renewal));
    assert_eq!(answer.kind(), BodyKind::Kup);
    let (new, cert_req_id) = granted(&answer);
    assert_eq!(
        new.tbs_certificate().subject(),
        old.tbs_certificate().subject()
    );
    assert_eq!(
        ca.show(old_id).expect("show").certificate.map(|c| c.status),
        Some(bankca::store::CertStatus::Active),
        "the old certificate stays valid until the new one is accepted"
    );

    // The acceptance of a renewal must be signed (R2.10: the act is signed with the old key).
    let unsigned = common::cert_conf(
        &tid(&renewal),
        answer.header.sender_nonce.as_ref(),
        &new,
        cert_req_id,
    );
    assert_eq!(
        refusal(&exchange(ca, 5282, &unsigned)).0,
        [FailureReason::NotAuthorized]
    );
    let mut signed = common::cert_conf(
        &tid(&renewal),
        answer.header.sender_nonce.as_ref(),
        &new,
        cert_req_id,
    );
    protect_with_signature::<_, gost3410::Signature>(&mut signed, &old_key, vec![old.clone()])
        .expect("sign");
    assert_eq!(exchange(ca, 5282, &signed).kind(), BodyKind::PkiConf);
    assert_eq!(
        ca.show(new_id).expect("show").request.state,
        State::Confirmed
    );
    let old_row = ca
        .show(old_id)
        .expect("show")
        .certificate
        .expect("certificate");
    assert_eq!(old_row.status, bankca::store::CertStatus::Replaced);
    assert!(old_row.replaced_by.is_some());

    // The replaced certificate signs no more renewals; the new one does.
    let again = kur(
        &old_key,
        &old,
        &SigningKey::generate(ParamSet::CryptoProA),
        CertTemplate::default(),
    );
    assert_eq!(
        refusal(&exchange(ca, 5282, &again)).0,
        [FailureReason::SignerNotTrusted]
    );
    let next = kur(
        &new_key,
        &new,
        &SigningKey::generate(ParamSet::CryptoProA),
        CertTemplate::default(),
    );
    assert_eq!(exchange(ca, 5282, &next).kind(), BodyKind::Kup);

    // A certificate this CA never issued signs nothing.
    let stranger_key = SigningKey::generate(ParamSet::CryptoProA);
    let stranger = bankca::issue::self_signed_ca::<_, gost3410::Signature>(
        &stranger_key,
        old.tbs_certificate().subject().clone(),
        SystemTime::now(),
    )
    .expect("self-signed");
    let forged = kur(
        &stranger_key,
        &stranger,
        &SigningKey::generate(ParamSet::CryptoProA),
        CertTemplate::default(),
    );
    assert_eq!(
        refusal(&exchange(ca, 5282, &forged)).0,
        [FailureReason::SignerNotTrusted]
    );
    // A signature that does not match the certificate sent.
    let mismatched = kur(
        &stranger_key,
        &new,
        &SigningKey::generate(ParamSet::CryptoProA),
        CertTemplate::default(),
    );
    assert_eq!(
        refusal(&exchange(ca, 5282, &mismatched)).0,
        [FailureReason::BadMessageCheck]
    );
}

#[test]
fn mac_protected_requests_get_mac_protected_answers() {
    let f = fixture();
    let ca = &f.ca;
    let given = ca.new_client_secret(7000).expect("a client secret");
    let (reference, secret) = (given.reference.as_bytes(), given.secret.as_bytes());
    assert!(given.reference.starts_with("7000-"));
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let mut request = ir(&key, "С паролем");
    protect_with_pbm(&mut request, reference, secret).expect("MAC");
    let answer = exchange(ca, 7000, &request);
    assert_eq!(answer.kind(), BodyKind::Ip, "{answer:?}");
    verify_pbm(&answer, secret).expect("the answer is MAC-protected with the same secret");
    assert!(cmp::protection::verify_signature_protection(&answer, ca.rsa_certificate()).is_err());

    let mut poll_req = common::link_poll(&tid(&request));
    protect_with_pbm(&mut poll_req, reference, secret).expect("MAC");
    let answer = exchange(ca, 7000, &poll_req);
    assert_eq!(answer.kind(), BodyKind::PollRep);
    verify_pbm(&answer, secret).expect("MAC");

    // A wrong secret or reference: refused, and the refusal is signed (no shared secret).
    let mut wrong = ir(&key, "С паролем");
    protect_with_pbm(&mut wrong, reference, b"guess").expect("MAC");
    let answer = exchange(ca, 7000, &wrong);
    assert_eq!(refusal(&answer).0, [FailureReason::BadMessageCheck]);
    cmp::protection::verify_signature_protection(&answer, ca.rsa_certificate()).expect("signed");
    let mut unknown = ir(&key, "С паролем");
    protect_with_pbm(&mut unknown, b"7000-other", secret).expect("MAC");
    assert_eq!(
        refusal(&exchange(ca, 7000, &unknown)).0,
        [FailureReason::BadMessageCheck]
    );
    // A secret is the bank's that issued it.
    let mut elsewhere = ir(&key, "С паролем");
    protect_with_pbm(&mut elsewhere, reference, secret).expect("MAC");
    assert_eq!(
        refusal(&exchange(ca, 5282, &elsewhere)).0,
        [FailureReason::BadMessageCheck]
    );
    // A secret protects one request: a second one with it is refused.
    let mut again = ir(&SigningKey::generate(ParamSet::CryptoProA), "Снова");
    protect_with_pbm(&mut again, reference, secret).expect("MAC");
    assert_eq!(
        refusal(&exchange(ca, 7000, &again)).0,
        [FailureReason::NotAuthorized]
    );
    // Key types the bank does not take.
    let fresh = ca.new_client_secret(7000).expect("another secret");
    let mut big = common::gost_ir(
        &SigningKey::generate(ParamSet::Tc26Gost512A),
        subject("Ключ", "k@example.ru"),
    );
    protect_with_pbm(
        &mut big,
        fresh.reference.as_bytes(),
        fresh.secret.as_bytes(),
    )
    .expect("MAC");
    assert_eq!(
        refusal(&exchange(ca, 7000, &big)).0,
        [FailureReason::BadAlg]
    );
    assert_eq!(
        ca.list(None).expect("list").len(),
        1,
        "only the good request is stored"
    );
    assert!(matches!(
        ca.new_client_secret(1),
        Err(Error::NoSuchAgent(1))
    ));
}

#[test]
fn unknown_banks_and_unreadable_bodies() {
    let f = fixture();
    let options = ServiceOptions::default();
    assert_eq!(
        f.ca.handle_cmp("6184", b"", &options).expect("answer"),
        CmpReply::UnknownAgent,
        "6184 is not in this CA's agents file"
    );
    assert_eq!(
        f.ca.handle_cmp("../5282", b"", &options).expect("answer"),
        CmpReply::UnknownAgent
    );
    let CmpReply::Message(der) =
        f.ca.handle_cmp("5282", &[0xff; 10], &options)
            .expect("answer")
    else {
        panic!("a CMP error");
    };
    let answer = PkiMessage::from_der(&der).expect("decode");
    assert_eq!(refusal(&answer).0, [FailureReason::BadDataFormat]);
    let page = f.ca.pickup_page("5282", "00", "http://x").expect("page");
    assert_eq!(page.status, 404);
}

#[test]
fn in_process_server_for_the_demo() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_dir = default_ca_dir(dir.path());
    runtime.block_on(async {
        let mut config = bankca::ServeConfig::new(&ca_dir, "127.0.0.1:0");
        config.check_after = Duration::from_secs(1);
        config.work_interval = Duration::from_millis(200);
        let server = bankca::serve(config).await.expect("serve");
        assert_eq!(
            server.cmp_url(5282),
            format!("{}/.well-known/cmp/p/5282", server.base_url())
        );
        let addr = server.local_addr();
        let request = ir(&SigningKey::generate(ParamSet::CryptoProA), "Демо");
        let der = request.to_der().expect("encode");
        let answer = tokio::task::spawn_blocking(move || {
            common::http(
                addr,
                "POST",
                "/.well-known/cmp/p/5282",
                Some("application/pkixcmp"),
                &der,
            )
        })
        .await
        .expect("post");
        assert_eq!(answer.pki_message().kind(), BodyKind::Ip);
        let id = request_id(server.ca(), &request);
        server.approve(id).expect("approve");
        let maildir = ca_dir.join("mail");
        let mut mailed = false;
        for _ in 0..300 {
            if !common::maildir_messages(&maildir).is_empty() {
                mailed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(mailed, "the pickup e-mail arrives in the Maildir");
        assert_eq!(
            server.ca().show(id).expect("show").request.state,
            State::Issued
        );
        server.shutdown().await;
    });
}
