//! The pickup e-mail (N2.8, R2.9): into the Maildir by default, and through a real SMTP
//! server. Its sender, subject and recipient are the bank's, and the link in it leads to
//! the certificate: the page answers, and a `pollReq` in that transaction returns it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;
use cmp::PkiBody;
use cmp::crmf::CertTemplate;
use cmp::der::Encode;
use cmp::der::asn1::{Ia5String, OctetString};
use cmp::x509_cert::ext::Extension;
use cmp::x509_cert::ext::pkix::SubjectAltName;
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::{BodyKind, PkiStatus};
use mailparse::MailHeaderMap;

const SUBJECT_LINE: &str = "Сертификат для работы в Интернет-Банке";

/// Checks the e-mail and returns its link.
fn check_mail(raw: &[u8], to: &str, server: &Server, tid: &[u8], agent: u32) -> String {
    let (parsed, body) = mail_body(raw);
    let headers = parsed.get_headers();
    let from = headers.get_first_value("From").expect("From");
    assert!(from.contains("<noreply@faktura.ru>"), "From: {from}");
    assert_eq!(
        headers.get_first_value("Subject").as_deref(),
        Some(SUBJECT_LINE)
    );
    let raw_subject = String::from_utf8_lossy(raw)
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .map(String::from)
        .unwrap_or_default();
    assert!(
        raw_subject.contains("=?utf-8?"),
        "MIME-encoded: {raw_subject}"
    );
    assert_eq!(headers.get_first_value("To").as_deref(), Some(to));
    let link = link_in(&body);
    assert_eq!(
        link,
        format!("{}/pickup/{agent}/{}", server.url, hex::encode(tid)),
        "the link has a line of its own"
    );
    assert!(body.contains("2 дней"), "the 2-day rule: {body}");
    assert!(body.contains("3 дней"), "the 3-day rule: {body}");
    assert!(body.contains(&format!("smartkey save {link}")), "{body}");
    link
}

/// Follows the link: the page, then a pickup `pollReq` and the `certConf`.
fn follow_link(
    ca: &CaDir,
    server: &Server,
    link: &str,
    agent: u32,
    tid: &[u8],
    key: Requester<'_>,
) -> cmp::x509_cert::Certificate {
    let page = get_url(link);
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(
        page.content_type.starts_with("text/plain"),
        "{}",
        page.content_type
    );
    assert!(page.text().contains("Состояние: issued"), "{}", page.text());
    assert!(
        page.text().contains(&format!("smartkey save {link}")),
        "{}",
        page.text()
    );

    let poll = link_poll(tid);
    let answer = server.cmp(agent, &poll);
    check_answer(ca, &poll, &answer);
    let (cert, cert_req_id) = granted(&answer);
    let conf = accepted(
        tid,
        answer.header.sender_nonce.as_ref(),
        &cert,
        cert_req_id,
        key,
    );
    let done = server.cmp(agent, &conf);
    check_answer(ca, &conf, &done);
    assert_eq!(done.kind(), BodyKind::PkiConf, "{done:?}");
    assert_eq!(ca.state(tid).as_deref(), Some("confirmed"));
    let page = get_url(link);
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Состояние: confirmed"),
        "{}",
        page.text()
    );
    cert
}

#[test]
fn pickup_mail_in_the_maildir_leads_to_the_certificate() {
    let ca = CaDir::new();
    let server = Server::start(&ca, ServerOptions::default());
    let key = rsa_key();
    let request = p10cr(&key, subject("Иванов Иван Иванович", "ivanov@example.ru"));
    let tid = tid(&request);
    let answer = server.cmp(RSA_BANK, &request);
    check_answer(&ca, &request, &answer);
    assert_eq!(answer.kind(), BodyKind::Cp);
    let response = &answer.body.cert_rep().expect("cp").response[0];
    assert_eq!(response.status.status(), PkiStatus::Waiting);
    assert_eq!(response.cert_req_id, -1);
    let reason = response
        .status
        .status_string
        .clone()
        .unwrap_or_default()
        .join(" ");
    assert!(
        reason.contains("dbo@nokss.ru"),
        "where the application goes: {reason}"
    );

    let page = get_url(&format!("{}/pickup/6184/{}", server.url, hex::encode(&tid)));
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Состояние: waiting"),
        "{}",
        page.text()
    );

    let id = ca.id(&tid);
    ca.bankca_ok(&["approve", &id.to_string()]);
    let maildir = ca.path.join("mail");
    let raw = wait_for("the pickup e-mail in the Maildir", || {
        maildir_messages(&maildir).into_iter().next()
    });
    assert!(!raw.contains(&b'\r'), "Maildir files end lines with LF");
    let link = check_mail(&raw, "ivanov@example.ru", &server, &tid, RSA_BANK);
    let cert = follow_link(&ca, &server, &link, RSA_BANK, &tid, Requester::Rsa(&key));
    verify_issued(&cert, &ca.rsa_ca());
    assert_eq!(
        cert.tbs_certificate().subject(),
        &subject("Иванов Иван Иванович", "ivanov@example.ru")
    );
    assert_eq!(maildir_messages(&maildir).len(), 1, "one e-mail per issue");
}

/// The SMTP server the test needs is missing.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0} with aiosmtpd is needed (Debian: apt-get install python3-aiosmtpd, or scripts/setup.sh)"
)]
struct NoSmtpServer(&'static str);

/// `/usr/bin/python3` with aiosmtpd (Debian's python3-aiosmtpd), or why not.
fn aiosmtpd() -> Result<(), NoSmtpServer> {
    let python = "/usr/bin/python3";
    let ok = Command::new(python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(NoSmtpServer(python))
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The messages aiosmtpd's default (Debugging) handler printed.
fn printed_messages(output: &str) -> Vec<String> {
    let mut messages = Vec::new();
    let mut rest = output;
    while let Some(start) = rest.find("---------- MESSAGE FOLLOWS ----------") {
        let after = &rest[start..];
        let Some(end) = after.find("------------ END MESSAGE ------------") else {
            break;
        };
        let block = &after[after.find('\n').map_or(0, |i| i + 1)..end];
        // Envelope options come first, then an empty line, then the message.
        let block = if block.starts_with("mail options:") {
            block.split_once("\n\n").map_or(block, |(_, m)| m)
        } else {
            block
        };
        messages.push(block.to_string());
        rest = &after[end..];
    }
    messages
}

#[test]
fn pickup_mail_through_a_real_smtp_server() {
    if let Err(why) = aiosmtpd() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the SMTP test: {why}"
        );
        eprintln!("SKIPPED pickup_mail_through_a_real_smtp_server: {why}");
        return;
    }
    let ca = CaDir::new();
    let port = free_port();
    let smtp_log = ca.work.join("smtp.out");
    let smtp = Command::new("/usr/bin/python3")
        .args([
            "-u",
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
        ])
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&smtp_log).expect("smtp log"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let _smtp = Guard(smtp);
    let smtp_addr = SocketAddr::from(([127, 0, 0, 1], port));
    wait_for("the SMTP server to listen", || {
        TcpStream::connect_timeout(&smtp_addr, Duration::from_millis(200))
            .ok()
            .map(|_| ())
    });

    let mail = format!("smtp://127.0.0.1:{port}");
    let server = Server::start(
        &ca,
        ServerOptions {
            extra: vec!["--mail", &mail],
            ..Default::default()
        },
    );
    // A GOST key for the renewal bank, the e-mail only in subjectAltName.
    let key = gost3410::SigningKey::generate(gost3410::ParamSet::CryptoProA);
    let name = subject_without_email("Петров Пётр");
    let san = SubjectAltName(vec![GeneralName::Rfc822Name(
        Ia5String::new("petrov@example.ru").expect("ia5"),
    )]);
    let extension = Extension {
        extn_id: const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME,
        critical: false,
        extn_value: OctetString::new(san.to_der().expect("SAN")).expect("octets"),
    };
    let template = CertTemplate {
        subject: Some(name),
        extensions: Some(vec![extension]),
        ..Default::default()
    };
    let msg = cmp::build::signed_cert_req_msg::<_, gost3410::Signature>(0, template, None, &key)
        .expect("CertReqMsg");
    let header = cmp::build::new_header(cmp::build::null_dn(), bank_name()).expect("header");
    let request = cmp::build::cert_request(header, cmp::build::RequestKind::Ir, vec![msg]);
    let tid = tid(&request);
    let answer = server.cmp(GOST_BANK, &request);
    check_answer(&ca, &request, &answer);
    assert_eq!(answer.kind(), BodyKind::Ip);
    assert!(
        matches!(&answer.body, PkiBody::Ip(rep) if rep.response[0].status.status() == PkiStatus::Waiting)
    );

    ca.bankca_ok(&["approve", &ca.id(&tid).to_string()]);
    let message = wait_for("the e-mail at the SMTP server", || {
        let output = std::fs::read_to_string(&smtp_log).unwrap_or_default();
        printed_messages(&output).into_iter().next()
    });
    let link = check_mail(
        message.as_bytes(),
        "petrov@example.ru",
        &server,
        &tid,
        GOST_BANK,
    );
    assert!(
        server.log().contains("pickup link e-mailed"),
        "{}",
        server.log()
    );
    let cert = follow_link(&ca, &server, &link, GOST_BANK, &tid, Requester::Gost(&key));
    verify_issued(&cert, &ca.gost_ca());
    assert_eq!(cert.signature_algorithm().oid, cmp::oid::GOST_SIGN_256);
}
