//! A received message is DER or nothing, and its protection is checked over the bytes
//! that arrived: an encoding a decoder quietly normalises (an unsorted SET OF) is
//! refused instead of being verified over its re-encoding.

mod common;

use std::str::FromStr;

use cmp::der::{Decode, Encode};
use cmp::protection::{protect_with_pbm, verify_pbm};
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::x509_cert::name::Name;
use cmp::{PkiMessage, ReceiveError, Received, build};

/// A `pollReq` whose sender is a name with a two-valued RDN, whose two values encode to
/// the same length: swapping them leaves every length as it is.
fn poll_with_two_valued_rdn() -> PkiMessage {
    let sender = Name::from_str("CN=AAAA+O=BBBB").expect("name");
    let header = build::new_header(
        GeneralName::DirectoryName(sender),
        GeneralName::DirectoryName(Name::default()),
    )
    .expect("header");
    build::poll_req(header, 0)
}

#[test]
fn messages_from_openssl_are_der_and_their_protected_part_is_the_received_bytes() {
    let messages = common::openssl_p10cr_exchange();
    assert!(messages.len() >= 4, "p10cr, cp, certConf, pkiConf");
    for bytes in messages {
        let received = Received::from_der(&bytes).expect("OpenSSL writes DER");
        assert_eq!(
            received.protected_part(),
            received.protected_part_der().expect("encode"),
            "for DER, the bytes received and the re-encoding agree"
        );
        verify_pbm(&received, common::SECRET.as_bytes()).expect("PBM over the received bytes");
    }
}

#[test]
fn an_unsorted_set_of_decodes_but_is_not_received() {
    let mut message = poll_with_two_valued_rdn();
    protect_with_pbm(&mut message, b"ref", b"secret").expect("MAC");
    let der = message.to_der().expect("encode");
    let received = Received::from_der(&der).expect("our own encoding is DER");
    verify_pbm(&received, b"secret").expect("MAC verifies");

    // DER sorts the SET's two values by their encodings; written the other way round,
    // the message still decodes (to the same value) but is not DER.
    let unsorted = common::with_unsorted_set(&der);
    assert_ne!(unsorted, der);
    let decoded = PkiMessage::from_der(&unsorted).expect("the decoder takes an unsorted SET OF");
    assert_eq!(
        decoded.to_der().expect("encode"),
        der,
        "and re-encodes it sorted"
    );
    assert!(
        matches!(Received::from_der(&unsorted), Err(ReceiveError::NotDer)),
        "not DER, so never verified over a re-encoding"
    );
}

#[test]
fn the_protected_part_is_sliced_from_the_input() {
    let mut message = poll_with_two_valued_rdn();
    protect_with_pbm(&mut message, b"ref", b"secret").expect("MAC");
    let der = message.to_der().expect("encode");
    let received = Received::from_der(&der).expect("DER");
    let part = received.protected_part();
    // SEQUENCE { header, body }: the input's own bytes after the outer header, up to
    // where the protection begins.
    let length_octets = if part[1] < 0x80 {
        0
    } else {
        usize::from(part[1] & 0x7f)
    };
    let inner = &part[2 + length_octets..];
    assert!(
        der.windows(inner.len()).any(|w| w == inner),
        "the header and body bytes appear in the input as they are"
    );
    assert_eq!(received.message(), &message);
    // Trailing bytes and truncation are refused as malformed.
    let mut longer = der.clone();
    longer.push(0);
    assert!(matches!(
        Received::from_der(&longer),
        Err(ReceiveError::Malformed(_))
    ));
    assert!(matches!(
        Received::from_der(&der[..der.len() - 1]),
        Err(ReceiveError::Malformed(_))
    ));
}
