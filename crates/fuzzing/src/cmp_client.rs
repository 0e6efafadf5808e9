//! The bank's side of the wire as the client reads it: a CMP answer, and the pickup link
//! a person pastes from the bank's e-mail.

use std::sync::OnceLock;

use cmp::client::{ClientError, PickupLink, ResponseTrust};
use cmp::der::Decode;
use cmp::x509_cert::Certificate;
use cmp::{Answer, PkiMessage, Received, Transaction};
use zeroize::Zeroizing;

/// Requests made by OpenSSL's cmp client, each answered by its mock server with one of
/// the seeds of `cmp_answer`: a fuzzed answer that keeps their transaction number and
/// nonce goes past the matching checks into what the answer says.
const REQUESTS: &[&[u8]] = &[
    include_bytes!("../fixtures/openssl-cmp/ir1.der"),
    include_bytes!("../fixtures/openssl-cmp/ir2.der"),
    include_bytes!("../fixtures/openssl-cmp/ir3.der"),
    include_bytes!("../fixtures/openssl-cmp/cr1.der"),
    include_bytes!("../fixtures/openssl-cmp/cr2.der"),
    include_bytes!("../fixtures/openssl-cmp/cr3.der"),
    include_bytes!("../fixtures/openssl-cmp/kur1.der"),
    include_bytes!("../fixtures/openssl-cmp/kur2.der"),
    include_bytes!("../fixtures/openssl-cmp/kur3.der"),
    include_bytes!("../fixtures/openssl-cmp/p10.der"),
    include_bytes!("../fixtures/openssl-cmp/p10b.der"),
    include_bytes!("../fixtures/openssl-cmp/p10c.der"),
];

/// The mock server's CA certificate, trusted as a bank profile's anchor would be.
const ANCHOR: &[u8] = include_bytes!("../fixtures/openssl-cmp/test-bank-ca.der");

/// The shared secret MAC-protected answers are checked with.
const SECRET: &[u8] = b"insta";

struct Fixed {
    requests: Vec<PkiMessage>,
    certificates: ResponseTrust,
    mac: ResponseTrust,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| Fixed {
        requests: REQUESTS
            .iter()
            .map(|der| PkiMessage::from_der(der).expect("a fixture request"))
            .collect(),
        certificates: ResponseTrust::Certificates(vec![
            Certificate::from_der(ANCHOR).expect("the fixture anchor"),
        ]),
        mac: ResponseTrust::SharedSecret(Zeroizing::new(SECRET.to_vec())),
    })
}

/// The transaction a request belongs to: begun by it, or (a `pollReq` or `certConf`)
/// resumed from its transaction number, as a pickup link resumes one.
fn transaction_of(request: &PkiMessage) -> Transaction {
    Transaction::begin(request).unwrap_or_else(|_| {
        let header = &request.header;
        let tid = header
            .transaction_id
            .as_ref()
            .map_or(&[1u8][..], |t| t.as_bytes());
        Transaction::resume(header.sender.clone(), header.recipient.clone(), tid)
            .expect("a fixture's transaction")
    })
}

/// A bank's answer, as `CmpClient::exchange` reads one: decoded, its protection checked
/// against a certificate anchor and a shared secret, then matched against each fixed
/// request and turned into an [`Answer`]; what the app then makes of it (a refusal in the
/// wizard's words, an issued certificate as the wizard's view, the `certConf` and
/// `pollReq` that follow).
pub fn cmp_answer(data: &[u8]) {
    let response = match Received::from_der(data) {
        Ok(response) => response,
        Err(e) => {
            let _ = smartkey::app::failure::bank(&ClientError::Malformed(e));
            return;
        }
    };
    let fixed = fixed();
    for trust in [&fixed.certificates, &fixed.mac] {
        if let Err(e) = trust.verify(&response) {
            let _ = smartkey::app::failure::bank(&ClientError::Untrusted(e));
        }
    }
    for request in &fixed.requests {
        let mut transaction = transaction_of(request);
        match transaction.answer(request, &response) {
            Ok(Answer::Issued(issued)) => {
                let view = smartkey::pki::certificate_view(&issued.certificate);
                assert!(!view.der.0.is_empty(), "an issued certificate re-encodes");
                let _ = transaction.cert_conf(&issued);
                let _ = transaction.poll_req();
            }
            Ok(Answer::Rejected(status)) => {
                let _ = status.to_string();
            }
            Ok(Answer::Waiting { .. }) => {
                let _ = transaction.poll_req();
            }
            Ok(Answer::Confirmed) => {}
            Err(e) => {
                let _ = e.to_string();
                let _ = smartkey::app::failure::bank(&ClientError::Response(e));
            }
        }
    }
}

/// A pickup link as pasted: parsed, put in the wizard's words, and its endpoint made.
/// A link that parses is written out and parsed back to the same link.
pub fn pickup_link(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(link) = PickupLink::parse(text) else {
        return;
    };
    let _ = smartkey::enroll::pickup_ref(&link);
    let _ = link.endpoint();
    let written = link.to_string();
    let again = PickupLink::parse(&written).expect("a written link parses");
    assert_eq!(again, link, "{written}");
}
