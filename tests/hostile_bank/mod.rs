//! A hostile bank: a loopback HTTP proxy in front of a real bankca that answers CMP
//! requests the way a broken or malicious server (or someone on the wire) might.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cmp::der::{Decode, Encode};
use cmp::x509_cert::Certificate;
use cmp::{CertOrEncCert, FailureReason, PkiBody, PkiMessage};

/// How the proxy answers.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Passes requests on to the bank and its answers back.
    Through,
    /// HTTP 200 with bytes that are no CMP message.
    Garbage,
    /// The bank's real answer, cut in half (with a matching Content-Length).
    Truncated,
    /// An answer that announces 8 MiB and keeps sending.
    Enormous,
    /// A real, signed answer the bank gave in another transaction.
    OtherTransaction(Vec<u8>),
    /// An unprotected `error` message, "no such request", for this very transaction.
    UnprotectedUnknown,
    /// The bank's real answer with the issued certificate swapped for one of another
    /// key, signed again with the bank's own CMP key: a bank that issued the wrong thing.
    OtherKey {
        /// The certificate put in its place.
        certificate: Box<Certificate>,
        /// The bank's CMP signing key and certificate.
        key: Arc<bankca::keys::RsaCaKey>,
        signer: Box<Certificate>,
    },
}

/// The proxy; it lives as long as the test.
pub struct HostileBank {
    pub addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
}

impl HostileBank {
    /// A proxy in front of the bank at `bank`.
    pub fn start(bank: SocketAddr) -> HostileBank {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let mode = Arc::new(Mutex::new(Mode::Through));
        let shared = mode.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let mode = shared.lock().expect("mode").clone();
                std::thread::spawn(move || serve(client, bank, mode));
            }
        });
        HostileBank { addr, mode }
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().expect("mode") = mode;
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Reads one HTTP request: its head and its body.
fn read_request(client: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).into_owned();
            let length: usize = head
                .to_ascii_lowercase()
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                return Some((head, got[end + 4..end + 4 + length].to_vec()));
            }
        }
        match client.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// POSTs `body` to `path` at the bank; the answer's body.
pub fn ask(bank: SocketAddr, path: &str, body: &[u8]) -> Vec<u8> {
    ask_bank(bank, path, body)
}

fn ask_bank(bank: SocketAddr, path: &str, body: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(bank).expect("the bank");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {bank}\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    answer[end + 4..].to_vec()
}

fn reply(client: &mut TcpStream, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = client.write_all(head.as_bytes());
    let _ = client.write_all(body);
    let _ = client.shutdown(std::net::Shutdown::Write);
}

fn serve(mut client: TcpStream, bank: SocketAddr, mode: Mode) {
    let Some((head, body)) = read_request(&mut client) else {
        return;
    };
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    match mode {
        Mode::Through => reply(&mut client, &ask_bank(bank, &path, &body)),
        Mode::Garbage => {
            let junk: Vec<u8> = (0..300u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
                .collect();
            reply(&mut client, &junk);
        }
        Mode::Truncated => {
            let answer = ask_bank(bank, &path, &body);
            reply(&mut client, &answer[..answer.len() / 2]);
        }
        Mode::Enormous => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/pkixcmp\r\nContent-Length: 8388608\r\nConnection: close\r\n\r\n";
            let _ = client.write_all(head.as_bytes());
            let chunk = [0x30u8; 64 * 1024];
            for _ in 0..128 {
                if client.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
        Mode::OtherTransaction(answer) => reply(&mut client, &answer),
        Mode::UnprotectedUnknown => {
            let request = PkiMessage::from_der(&body).expect("the client's request");
            let mut header = request.header.clone();
            header.recip_nonce = request.header.sender_nonce.clone();
            header.sender_nonce = Some(cmp::der::asn1::OctetString::new(vec![5u8; 16]).unwrap());
            let error = cmp::respond::error(
                header,
                &[FailureReason::BadCertId],
                None,
                vec!["the bank has no request with this transactionID".into()],
            )
            .expect("an error message");
            reply(&mut client, &error.to_der().expect("encode"));
        }
        Mode::OtherKey {
            certificate,
            key,
            signer,
        } => {
            let answer = ask_bank(bank, &path, &body);
            let mut message = PkiMessage::from_der(&answer).expect("the bank's answer");
            if let PkiBody::Cp(rep) | PkiBody::Ip(rep) | PkiBody::Kup(rep) = &mut message.body {
                for response in &mut rep.response {
                    if let Some(pair) = &mut response.certified_key_pair {
                        pair.cert_or_enc_cert = CertOrEncCert::Certificate((*certificate).clone());
                    }
                }
            }
            cmp::protection::protect_with_signature::<_, bankca::keys::RsaSignature>(
                &mut message,
                key.as_ref(),
                vec![(*signer).clone()],
            )
            .expect("sign");
            reply(&mut client, &message.to_der().expect("encode"));
        }
    }
}
