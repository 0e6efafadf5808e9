//! The HTTP client against OpenSSL's `openssl cmp -port` mock server (a foreign CMP
//! peer), and against small raw HTTP servers that misbehave on purpose.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use cmp::build::{self, RequestKind};
use cmp::client::Url;
use cmp::client::{
    ClientError, ClientOptions, CmpClient, ResponseTrust, TransportError, TrustError,
};
use cmp::crmf::CertTemplate;
use cmp::der::{Decode, Encode};
use cmp::protection::{SignatureProtection, Unprotected};
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::x509_cert::request::CertReq;
use cmp::{Answer, FailureReason, PkiMessage, ResponseError, Transaction};
use common::{MockServer, fixtures};

fn mock_url(server: &MockServer) -> Url {
    Url::parse(&format!("http://127.0.0.1:{}/pkix/", server.port)).expect("url")
}

fn trusting_ca() -> ResponseTrust {
    ResponseTrust::Certificates(vec![fixtures().cert("ca.der")])
}

fn client(url: Url, trust: ResponseTrust) -> CmpClient {
    CmpClient::new(url, trust, &ClientOptions::default()).expect("client")
}

fn ca_name() -> GeneralName {
    GeneralName::DirectoryName(
        fixtures()
            .cert("ca.der")
            .tbs_certificate()
            .subject()
            .clone(),
    )
}

fn p10cr() -> PkiMessage {
    let csr = CertReq::from_der(&fixtures().read("ee.csr.der")).expect("csr");
    let header = build::new_header(build::null_dn(), ca_name()).expect("header");
    build::p10cr(header, csr)
}

/// A new client's request as the bank flow sends it: an unprotected p10cr, answered
/// "waiting"; the client polls, honouring checkAfter, gets the certificate and confirms it.
#[tokio::test]
async fn p10cr_waits_then_polls_to_the_certificate() {
    let server = MockServer::with_signature(&[
        "-accept_unprotected",
        "-poll_count",
        "2",
        "-check_after",
        "1",
    ]);
    let client = client(mock_url(&server), trusting_ca());
    let request = p10cr();
    let mut transaction = Transaction::begin(&request).expect("transaction");
    assert_eq!(transaction.cert_req_id(), -1);

    let first = client
        .exchange(&mut transaction, &request)
        .await
        .expect("first answer");
    assert!(matches!(first, Answer::Waiting { .. }), "{first:?}");

    let mut waits = Vec::new();
    let decided = client
        .poll_until_decided(
            &mut transaction,
            &Unprotected,
            Duration::from_secs(60),
            &mut |wait| waits.push(wait),
        )
        .await
        .expect("decided");
    let Answer::Issued(issued) = decided else {
        panic!("expected a certificate, got {decided:?}");
    };
    assert_eq!(issued.certificate, fixtures().cert("ee.der"));
    assert_eq!(issued.cert_req_id, -1);
    assert!(
        waits.contains(&Duration::from_secs(1)),
        "the client waited as checkAfter said: {waits:?}"
    );

    client
        .confirm(&mut transaction, &issued, &Unprotected)
        .await
        .expect("the mock server confirms our certHash");
}

/// When patience runs out before the bank decides, the client stops and says so with
/// the bank's checkAfter, instead of polling for ever.
#[tokio::test]
async fn polling_stops_when_patience_runs_out() {
    let server = MockServer::with_signature(&[
        "-accept_unprotected",
        "-poll_count",
        "5",
        "-check_after",
        "30",
    ]);
    let client = client(mock_url(&server), trusting_ca());
    let request = p10cr();
    let mut transaction = Transaction::begin(&request).expect("transaction");
    client
        .exchange(&mut transaction, &request)
        .await
        .expect("waiting");
    let answer = client
        .poll_until_decided(
            &mut transaction,
            &Unprotected,
            Duration::from_secs(5),
            &mut |_| {},
        )
        .await
        .expect("an answer");
    assert_eq!(
        answer,
        Answer::Waiting {
            check_after: Some(Duration::from_secs(30)),
            reason: Vec::new()
        }
    );
}

/// A request protected by an existing certificate (a renewal, kur): the mock server
/// checks our signature against its trusted CA and grants it; the certConf is protected
/// the same way.
#[tokio::test]
async fn kur_protected_by_an_existing_certificate() {
    use p256::pkcs8::DecodePrivateKey;
    let f = fixtures();
    let server = MockServer::with_signature(&[]);
    let client = client(mock_url(&server), trusting_ca());
    let ec = f.cert("ec.der");
    let key = p256::ecdsa::SigningKey::from_pkcs8_der(&f.read("ec.key.der")).expect("key");
    let template = CertTemplate {
        subject: Some(ec.tbs_certificate().subject().clone()),
        ..Default::default()
    };
    // OpenSSL 3.0's mock server wants `oldCertID` to name its `-rsp_cert` (ee.pem).
    let controls = vec![build::old_cert_id_control(&f.cert("ee.der")).expect("oldCertID")];
    let msg = build::signed_cert_req_msg::<_, p256::ecdsa::DerSignature>(
        0,
        template,
        Some(controls),
        &key,
    )
    .expect("request");
    let sender = GeneralName::DirectoryName(ec.tbs_certificate().subject().clone());
    let header = build::new_header(sender, ca_name()).expect("header");
    let mut request = build::cert_request(header, RequestKind::Kur, vec![msg]);
    let protection =
        SignatureProtection::<_, p256::ecdsa::DerSignature>::new(&key, vec![ec.clone()]);
    cmp::protection::Protect::protect(&protection, &mut request).expect("signed");

    let mut transaction = Transaction::begin(&request).expect("transaction");
    let answer = client
        .exchange(&mut transaction, &request)
        .await
        .expect("answer");
    let Answer::Issued(issued) = answer else {
        panic!("expected a certificate, got {answer:?}");
    };
    assert_eq!(issued.cert_req_id, 0);
    client
        .confirm(&mut transaction, &issued, &protection)
        .await
        .expect("confirmed");
}

/// A rejection comes back as an answer with the bank's reasons, not as a transport error.
#[tokio::test]
async fn rejection_carries_the_reasons() {
    let server =
        MockServer::with_signature(&["-accept_unprotected", "-pkistatus", "2", "-failure", "9"]);
    let client = client(mock_url(&server), trusting_ca());
    let request = p10cr();
    let mut transaction = Transaction::begin(&request).expect("transaction");
    let answer = client
        .exchange(&mut transaction, &request)
        .await
        .expect("answer");
    let Answer::Rejected(status) = answer else {
        panic!("expected a rejection, got {answer:?}");
    };
    assert_eq!(status.failures(), vec![FailureReason::BadPop]);
}

/// Answers signed by a CA the profile does not trust are refused.
#[tokio::test]
async fn answers_from_an_untrusted_signer_are_refused() {
    let server = MockServer::with_signature(&["-accept_unprotected"]);
    let stranger = fixtures().cert("ee.der");
    let client = client(
        mock_url(&server),
        ResponseTrust::Certificates(vec![stranger]),
    );
    let request = p10cr();
    let mut transaction = Transaction::begin(&request).expect("transaction");
    let error = client
        .exchange(&mut transaction, &request)
        .await
        .expect_err("untrusted");
    assert!(
        matches!(error, ClientError::Untrusted(TrustError::UnknownSigner)),
        "{error:?}"
    );
}

/// A one-connection-at-a-time HTTP server whose answer is made by `respond` from the
/// request body. Returns its URL.
fn raw_server<F>(respond: F) -> Url
where
    F: Fn(&[u8]) -> Vec<u8> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            let body = loop {
                let Ok(n) = stream.read(&mut buf) else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..n]);
                if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if data.len() >= end + 4 + length {
                        break Some(data[end + 4..end + 4 + length].to_vec());
                    }
                }
            };
            if let Some(body) = body {
                let _ = stream.write_all(&respond(&body));
            }
        }
    });
    Url::parse(&format!("http://127.0.0.1:{port}/.well-known/cmp/p/6184")).expect("url")
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

async fn send_p10cr(url: Url, options: ClientOptions) -> Result<Answer, ClientError> {
    let client = CmpClient::new(url, trusting_ca(), &options).expect("client");
    let request = p10cr();
    let mut transaction = Transaction::begin(&request).expect("transaction");
    client.exchange(&mut transaction, &request).await
}

/// The request echoed back with its header changed by `edit` and the body turned into a
/// waiting pollRep: a well-formed answer that is wrong in one way.
fn edited_echo(edit: fn(&mut PkiMessage)) -> impl Fn(&[u8]) -> Vec<u8> {
    move |body| {
        let Ok(mut message) = PkiMessage::from_der(body) else {
            return http("400 Bad Request", "text/plain", b"bad");
        };
        message.header.recip_nonce = message.header.sender_nonce.clone();
        message.body = cmp::PkiBody::PollRep(vec![cmp::PollRepEntry {
            cert_req_id: -1,
            check_after: 1,
            reason: None,
        }]);
        edit(&mut message);
        http(
            "200 OK",
            "application/pkixcmp",
            &message.to_der().expect("encode"),
        )
    }
}

#[tokio::test]
async fn answers_for_another_transaction_or_nonce_are_refused() {
    let url = raw_server(edited_echo(|m| {
        m.header.transaction_id = Some(cmp::der::asn1::OctetString::new(vec![7u8; 16]).unwrap());
    }));
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(
            error,
            ClientError::Response(ResponseError::TransactionIdMismatch)
        ),
        "{error:?}"
    );

    let url = raw_server(edited_echo(|m| {
        m.header.recip_nonce = Some(cmp::der::asn1::OctetString::new(vec![9u8; 16]).unwrap());
    }));
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(
            error,
            ClientError::Response(ResponseError::RecipNonceMismatch)
        ),
        "{error:?}"
    );

    // Right transaction and nonce, but not protected: not believed.
    let url = raw_server(edited_echo(|_| {}));
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(error, ClientError::Untrusted(TrustError::Unprotected)),
        "{error:?}"
    );
}

/// An `error` message without protection, however well it matches the request, is not
/// believed: anyone on the way could have written "the bank does not know this request"
/// and made the client drop its record.
#[tokio::test]
async fn an_unprotected_error_message_is_reported_but_not_believed() {
    let url = raw_server(|body| {
        let Ok(request) = PkiMessage::from_der(body) else {
            return http("400 Bad Request", "text/plain", b"bad");
        };
        let mut header = request.header.clone();
        header.recip_nonce = request.header.sender_nonce.clone();
        header.sender_nonce = Some(cmp::der::asn1::OctetString::new(vec![5u8; 16]).unwrap());
        let error = cmp::respond::error(
            header,
            &[cmp::FailureReason::BadCertId],
            None,
            vec!["no such request".into()],
        )
        .expect("error message");
        http(
            "200 OK",
            "application/pkixcmp",
            &error.to_der().expect("encode"),
        )
    });
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("refused");
    match &error {
        ClientError::Untrusted(TrustError::UnprotectedError(words)) => {
            assert!(words.contains("no such request"), "{words}");
        }
        other => panic!("an unprotected error must not be taken as the bank's: {other:?}"),
    }
}

/// An answer that decodes but is not DER (a SET OF out of order) is refused before its
/// protection is looked at.
#[tokio::test]
async fn an_answer_that_is_not_der_is_refused() {
    let url = raw_server(|body| {
        let Ok(request) = PkiMessage::from_der(body) else {
            return http("400 Bad Request", "text/plain", b"bad");
        };
        let mut header = request.header.clone();
        header.recip_nonce = request.header.sender_nonce.clone();
        header.sender = GeneralName::DirectoryName(
            std::str::FromStr::from_str("CN=AAAA+O=BBBB").expect("name"),
        );
        let answer = cmp::respond::pki_conf(header);
        let unsorted = common::with_unsorted_set(&answer.to_der().expect("encode"));
        http("200 OK", "application/pkixcmp", &unsorted)
    });
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("refused");
    assert!(matches!(error, ClientError::Malformed(_)), "{error:?}");
}

#[tokio::test]
async fn broken_transport_answers_are_plain_errors() {
    // Garbage with the right content type.
    let url = raw_server(|_| http("200 OK", "application/pkixcmp", b"\x30\x82garbage"));
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("garbage");
    assert!(matches!(error, ClientError::Malformed(_)), "{error:?}");

    // A web page instead of CMP.
    let url = raw_server(|_| http("200 OK", "text/html", b"<html>login</html>"));
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("html");
    assert!(
        matches!(error, ClientError::Transport(TransportError::NotCmp { .. })),
        "{error:?}"
    );

    // An HTTP error with a text, shown without control characters.
    let url = raw_server(|_| http("404 Not Found", "text/plain", b"unknown bank 6184\x1b[31m"));
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("404");
    let ClientError::Transport(TransportError::Status { status, text }) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*status, 404);
    assert_eq!(text, "unknown bank 6184[31m");

    // Larger than allowed, announced or not.
    let big = vec![0x30u8; 4096];
    let options = ClientOptions {
        max_response_bytes: 1024,
        ..ClientOptions::default()
    };
    let url = raw_server(move |_| http("200 OK", "application/pkixcmp", &big));
    let error = send_p10cr(url, options.clone())
        .await
        .expect_err("too large");
    assert!(
        matches!(
            error,
            ClientError::Transport(TransportError::TooLarge { limit: 1024 })
        ),
        "{error:?}"
    );
    let url = raw_server(|_| {
        let mut out =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/pkixcmp\r\nConnection: close\r\n\r\n"
                .to_vec();
        out.extend(std::iter::repeat_n(0x30u8, 4096));
        out
    });
    let error = send_p10cr(url, options)
        .await
        .expect_err("too large, unannounced");
    assert!(
        matches!(
            error,
            ClientError::Transport(TransportError::TooLarge { .. })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn silent_and_absent_servers_are_reported() {
    // Accepts the connection, never answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&held);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            keep.lock().expect("lock").push(stream);
        }
    });
    let url = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url");
    let options = ClientOptions {
        timeout: Duration::from_secs(1),
        ..ClientOptions::default()
    };
    let error = send_p10cr(url, options).await.expect_err("timeout");
    assert!(
        matches!(error, ClientError::Transport(TransportError::Timeout)),
        "{error:?}"
    );

    // Nothing listens.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url");
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("refused");
    let ClientError::Transport(TransportError::Unreachable { host }) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(host, &format!("127.0.0.1:{port}"));
    assert!(error.to_string().contains("cannot be reached"), "{error}");
}

/// An https server whose certificate no trust anchor vouches for is refused as a TLS
/// problem, with words that tell the person to stop.
#[tokio::test]
async fn untrusted_tls_is_refused() {
    let f = fixtures();
    let port = common::free_port();
    let _server = common::Guard(
        std::process::Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &port.to_string(),
                "-cert",
                &f.file("ee.pem"),
                "-key",
                &f.file("ee.key"),
                "-www",
                "-quiet",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openssl s_server"),
    );
    common::wait_for_port(port);
    let url = Url::parse(&format!("https://127.0.0.1:{port}/")).expect("url");
    let error = send_p10cr(url, ClientOptions::default())
        .await
        .expect_err("tls");
    assert!(
        matches!(error, ClientError::Transport(TransportError::Tls { .. })),
        "{error:?}"
    );
}
