//! The enrollment layer end to end: keys on real tokens (SoftHSM2 for RSA, the virtual
//! Rutoken for GOST R 34.10-2012), requests sent over CMP/HTTP to a bankca started here,
//! the operator's approval, the e-mailed link, the pickup, the acceptance act, and the
//! certificate saved onto the token and checked by OpenSSL.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use bankca::{Ca, ServeConfig, ServerHandle, State};
use common::*;
use der::{Encode, EncodePem};
use smartkey::enroll::{self, Answer, BankEndpoint, ClientOptions, CmpClient, Issued, PickupLink};
use smartkey::pki::build_csr;
use smartkey::pki::subject::subject_name;
use smartkey::token::{Module, TokenSession, TokenSigner};
use smartkey_wizard::Applicant;
use smartkey_wizard::{KeyType, Pin, PinRole};
use x509_cert::Certificate;

/// Module configuration lives in this process's environment: one module test at a time.
/// An async lock, because each test holds it across its exchanges with the bank.
static MODULE_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn pin(text: &str) -> Pin {
    Pin::new(text.to_string())
}

/// A running bankca with its directory.
struct Bank {
    dir: tempfile::TempDir,
    server: ServerHandle,
}

impl Bank {
    async fn start() -> Bank {
        let dir = tempfile::tempdir().expect("temp dir");
        Ca::init(dir.path()).expect("bankca init");
        let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0");
        config.check_after = Duration::from_secs(1);
        let server = bankca::serve(config).await.expect("bankca serves");
        Bank { dir, server }
    }

    fn endpoint(&self, agent_id: &str) -> BankEndpoint {
        BankEndpoint::new(
            self.server.base_url(),
            agent_id,
            vec![self.server.ca().rsa_certificate().clone()],
        )
        .expect("endpoint")
    }

    /// The one request waiting for the operator, approved.
    fn approve_waiting(&self) -> i64 {
        let waiting = self
            .server
            .ca()
            .list(Some(State::Waiting))
            .expect("list requests");
        assert_eq!(waiting.len(), 1, "one request waits: {waiting:?}");
        let id = waiting[0].id;
        self.server.approve(id).expect("approve");
        id
    }

    /// Waits (bounded) for the `n`-th pickup e-mail in the default Maildir and returns
    /// its text.
    fn pickup_mail(&self, n: usize) -> String {
        let new = self.dir.path().join("mail").join("new");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut mails: Vec<PathBuf> = std::fs::read_dir(&new)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            mails.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
            if mails.len() >= n {
                return std::fs::read_to_string(&mails[n - 1]).expect("read mail");
            }
            assert!(Instant::now() < deadline, "no pickup e-mail arrived");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The link in the `n`-th pickup e-mail.
    fn pickup_link(&self, n: usize) -> PickupLink {
        let text = self.pickup_mail(n);
        let line = text
            .lines()
            .find(|l| l.trim().starts_with(self.server.base_url()))
            .unwrap_or_else(|| panic!("no link in the e-mail:\n{text}"));
        PickupLink::parse(line).expect("the e-mailed link parses")
    }

    fn state_of(&self, id: i64) -> State {
        self.server.ca().show(id).expect("show").request.state
    }
}

/// Fresh token -> both PINs changed -> logged in.
fn prepared_session<'m>(module: &'m Module, serial: &str) -> TokenSession<'m> {
    let token = module.find_token(Some(serial)).expect("token");
    let mut session = module.open(&token).expect("session");
    session
        .change_pin(
            PinRole::User,
            &pin(FACTORY_PIN),
            pin(NEW_PIN),
            &pin(NEW_PIN),
        )
        .expect("user PIN");
    session
        .change_pin(
            PinRole::Admin,
            &pin(FACTORY_ADMIN_PIN),
            pin(NEW_ADMIN_PIN),
            &pin(NEW_ADMIN_PIN),
        )
        .expect("admin PIN");
    session.login(PinRole::User, &pin(NEW_PIN)).expect("login");
    session
}

fn applicant(dir: &Path) -> Applicant {
    let path = dir.join("applicant.json");
    write_applicant(&path);
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("applicant")
}

/// How the first request carries the key: PKCS#10 (`p10cr`) or CRMF (`ir`).
#[derive(Clone, Copy, Debug)]
enum Form {
    P10cr,
    Ir,
}

/// N2.6 to N2.10 for a key already on the token: request, approval, link, pickup,
/// acceptance signed by the new key, certificate saved. Returns the certificate.
async fn new_client(
    bank: &Bank,
    agent: &str,
    (session, signer): (&TokenSession<'_>, &TokenSigner<'_, '_>),
    form: Form,
    dir: &Path,
    mail_number: usize,
) -> Certificate {
    let endpoint = bank.endpoint(agent);
    let client = endpoint.client(&ClientOptions::default()).expect("client");
    let applicant = applicant(dir).validate().expect("valid");
    let mut request = match form {
        Form::P10cr => {
            let csr = build_csr(&applicant, signer).expect("csr");
            enroll::new_request(csr, endpoint.recipient(), random_id()).expect("p10cr")
        }
        Form::Ir => {
            let subject = subject_name(&applicant).expect("subject");
            enroll::initial_request(signer, subject, endpoint.recipient(), random_id()).expect("ir")
        }
    };
    let answer = client
        .exchange(&mut request.transaction, &request.message)
        .await
        .expect("the bank answers");
    assert!(
        matches!(answer, Answer::Waiting { .. }),
        "the bank waits for the paper application: {answer:?}"
    );

    let id = bank.approve_waiting();
    let link = bank.pickup_link(mail_number);
    assert_eq!(link.agent_id(), agent);
    assert_eq!(
        link.transaction_id(),
        request.transaction.transaction_id(),
        "the link names our transaction"
    );
    let issued = pick_up(&client, &link, &endpoint).await;
    let (certificate, mut transaction) = issued;

    let act = enroll::acceptance(&transaction, &certificate, signer, &certificate.certificate)
        .expect("act signed with the new key");
    let answer = client
        .exchange(&mut transaction, &act)
        .await
        .expect("confirmed");
    assert_eq!(answer, Answer::Confirmed);
    assert_eq!(bank.state_of(id), State::Confirmed);

    let der = certificate.certificate.to_der().expect("der");
    session
        .import_certificate(&der)
        .expect("saved onto the token");
    certificate.certificate
}

/// N2.9 / R2.11: from the link to the issued certificate, polling while the bank is
/// still issuing.
async fn pick_up(
    client: &CmpClient,
    link: &PickupLink,
    endpoint: &BankEndpoint,
) -> (Issued, enroll::Transaction) {
    let mut pickup = enroll::pickup(link, endpoint.recipient()).expect("pollReq");
    let mut answer = client
        .exchange(&mut pickup.transaction, &pickup.message)
        .await
        .expect("pickup answer");
    if matches!(answer, Answer::Waiting { .. }) {
        answer = client
            .poll_until_decided(
                &mut pickup.transaction,
                &cmp::protection::Unprotected,
                Duration::from_secs(30),
                &mut |_| {},
            )
            .await
            .expect("decided");
    }
    let Answer::Issued(issued) = answer else {
        panic!("expected the certificate, got {answer:?}");
    };
    (*issued, pickup.transaction)
}

fn openssl_verify(ca: &Certificate, cert: &Certificate, dir: &Path, gost: bool) {
    let ca_path = dir.join("ca.pem");
    let cert_path = dir.join("cert.pem");
    let pem = |c: &Certificate| c.to_pem(der::pem::LineEnding::LF).expect("pem");
    std::fs::write(&ca_path, pem(ca)).expect("write");
    std::fs::write(&cert_path, pem(cert)).expect("write");
    let mut cmd = Command::new("openssl");
    if gost {
        cmd.env("OPENSSL_CONF", gost_openssl_conf(dir));
    }
    run_ok(
        cmd.arg("verify")
            .arg("-CAfile")
            .arg(&ca_path)
            .arg(&cert_path),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_rsa_certificate_on_softhsm() {
    let _lock = MODULE_LOCK.lock().await;
    let bank = Bank::start().await;
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("bank key");
    // SAFETY: every test of this binary that reads the environment holds MODULE_LOCK.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };
    let module = Module::load(&softhsm_module()).expect("SoftHSM2 loads");
    let session = prepared_session(&module, &serial);
    let dir = hsm.dir.path();
    let mut certs = Vec::new();
    for (n, form) in [Form::P10cr, Form::Ir].into_iter().enumerate() {
        let key = session.generate_rsa_2048("bank key").expect("key");
        let signer = TokenSigner::new(&session, &key.id).expect("signer");
        let cert = new_client(&bank, "6184", (&session, &signer), form, dir, n + 1).await;
        assert_eq!(
            cert.signature_algorithm().oid.to_string(),
            "1.2.840.113549.1.1.11"
        );
        openssl_verify(bank.server.ca().rsa_certificate(), &cert, dir, false);
        certs.push(cert);
    }
    let pairs = session.key_pairs(true).expect("pairs");
    assert_eq!(pairs.len(), 2);
    for pair in pairs {
        let cert = pair.certificate.expect("each key has its certificate");
        assert!(certs.contains(&cert));
    }
}

/// The whole renewal of seed 000 in messages: a GOST certificate on the old token, a new
/// GOST key on a new token, the kur signed with the old key, the act signed with the old
/// key, the new certificate saved onto the new token with the old subject.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gost_renewal_on_the_virtual_rutoken() {
    let _lock = MODULE_LOCK.lock().await;
    let bank = Bank::start().await;
    let emu = RutokenEmu::new();
    emu.cli(&["readers", "2"]);
    emu.cli(&["init", "--serial", "0A0A0A01", "--label", "old"]);
    emu.cli(&["init", "--serial", "0B0B0B02", "--label", "new"]);
    emu.cli(&["insert", "0A0A0A01", "--reader", "0"]);
    emu.cli(&["insert", "0B0B0B02", "--reader", "1"]);
    // SAFETY: every test of this binary that reads the environment holds MODULE_LOCK.
    unsafe { std::env::set_var("RUTOKEN_EMU_DIR", emu.dir.path()) };
    let module = Module::load(&rutoken_emu_module()).expect("rutoken-emu loads");
    let dir = emu.dir.path();

    // The old token's certificate, itself enrolled over CMP with a GOST key.
    let old = prepared_session(&module, "0A0A0A01");
    let old_key = old
        .generate(KeyType::Gost2012_256, "old key")
        .expect("old GOST key");
    let old_signer = TokenSigner::new(&old, &old_key.id).expect("signer");
    let old_cert = new_client(&bank, "5282", (&old, &old_signer), Form::P10cr, dir, 1).await;
    assert_eq!(
        old_cert.signature_algorithm().oid.to_string(),
        "1.2.643.7.1.1.3.2"
    );

    // R2.5-R2.7 on the new token.
    let new = prepared_session(&module, "0B0B0B02");
    let new_key = new
        .generate(KeyType::Gost2012_256, "new key")
        .expect("new GOST key");
    let new_signer = TokenSigner::new(&new, &new_key.id).expect("signer");

    // R2.8: the request, protected by the old key.
    let endpoint = bank.endpoint("5282");
    let client = endpoint.client(&ClientOptions::default()).expect("client");
    // R2.7 on the new token, R2.8 on the old one: never both at once.
    // R2.4's contacts, changed from the ones the old certificate was issued with.
    let contacts =
        enroll::contact_pairs(" buh@example.ru ", "+7 (495) 123-45-67").expect("contacts");
    let proof =
        enroll::renewal_proof(&new_signer, &old_cert, &contacts).expect("proof of possession");
    let mut request = enroll::renewal_request(
        proof,
        &old_signer,
        &old_cert,
        endpoint.recipient(),
        random_id(),
    )
    .expect("kur");
    let answer = client
        .exchange(&mut request.transaction, &request.message)
        .await
        .expect("the bank answers");
    assert!(matches!(answer, Answer::Waiting { .. }), "{answer:?}");
    let id = bank.approve_waiting();
    let stored = bank.server.ca().show(id).expect("show").request;
    assert_eq!(stored.email, "buh@example.ru");
    assert_eq!(stored.phone.as_deref(), Some("+7 (495) 123-45-67"));

    // R2.9-R2.11: the link (mailed to the confirmed address, not the old certificate's),
    // the act signed with the OLD key, the certificate saved onto the NEW token.
    let mail = bank.pickup_mail(2);
    assert!(
        mail.lines().any(|l| l.trim() == "To: buh@example.ru"),
        "the renewal's link goes to the confirmed e-mail:\n{mail}"
    );
    assert!(
        bank.pickup_mail(1)
            .lines()
            .any(|l| l.starts_with("To: ") && !l.contains("buh@example.ru")),
        "the first certificate's link went to the address of its application"
    );
    let link = bank.pickup_link(2);
    let (issued, mut transaction) = pick_up(&client, &link, &endpoint).await;
    let new_cert = issued.certificate.clone();
    assert_eq!(
        new_cert.tbs_certificate().subject(),
        old_cert.tbs_certificate().subject(),
        "the new certificate keeps the old subject"
    );
    assert_eq!(
        new_cert.tbs_certificate().subject_public_key_info(),
        &new.public_key(&new_key.id).expect("public key"),
        "the new certificate is for the new token's key"
    );
    let act = enroll::acceptance(&transaction, &issued, &old_signer, &old_cert)
        .expect("act signed with the old key");
    assert_eq!(
        client
            .exchange(&mut transaction, &act)
            .await
            .expect("confirmed"),
        Answer::Confirmed
    );
    assert_eq!(bank.state_of(id), State::Confirmed);

    // A client that stopped after the act was accepted, before the certificate was on
    // the token, picks it up again from the link: the same certificate, and the repeated
    // act is confirmed again.
    let (again, mut transaction) = pick_up(&client, &link, &endpoint).await;
    assert_eq!(
        again.certificate, new_cert,
        "the accepted certificate, again"
    );
    let act = enroll::acceptance(&transaction, &again, &old_signer, &old_cert).expect("act");
    assert_eq!(
        client
            .exchange(&mut transaction, &act)
            .await
            .expect("confirmed again"),
        Answer::Confirmed
    );
    assert_eq!(bank.state_of(id), State::Confirmed);

    // The certificate belongs on the new token only.
    let der = new_cert.to_der().expect("der");
    assert!(
        old.import_certificate(&der).is_err(),
        "not onto the old token"
    );
    new.import_certificate(&der).expect("onto the new token");
    openssl_verify(bank.server.ca().gost_certificate(), &new_cert, dir, true);
}

/// A fresh transactionID.
fn random_id() -> der::asn1::OctetString {
    cmp::build::random_id().expect("random bytes")
}
