//! Hostile input: garbage, truncated, mutated, oversized and unsupported messages must
//! give a `der` error, never a panic.

mod common;

use cmp::PkiMessage;
use cmp::der::{Decode, Encode};

/// Real messages from an OpenSSL exchange: p10cr, cp (with a certificate), certConf,
/// pkiconf.
fn real_messages() -> Vec<Vec<u8>> {
    common::openssl_p10cr_exchange()
}

#[test]
fn mutations_never_panic() {
    for original in real_messages() {
        assert!(PkiMessage::from_der(&original).is_ok());
        // Every truncation is an error.
        for len in 0..original.len() {
            assert!(
                PkiMessage::from_der(&original[..len]).is_err(),
                "truncated to {len}"
            );
        }
        // Trailing bytes are an error.
        let mut longer = original.clone();
        longer.push(0);
        assert!(PkiMessage::from_der(&longer).is_err());
        // Byte mutations may or may not decode, but never panic; what decodes re-encodes.
        for pos in 0..original.len() {
            for value in [0x00, 0xff, original[pos] ^ 0x01, 0x80, 0x30] {
                let mut bytes = original.clone();
                bytes[pos] = value;
                if let Ok(msg) = PkiMessage::from_der(&bytes) {
                    let _ = msg.to_der();
                }
            }
        }
    }
}

#[test]
fn garbage_and_oversized_lengths_are_errors() {
    let cases: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x30],
        vec![0x30, 0x80, 0x00, 0x00], // indefinite length is not DER
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x03, 0x02, 0x01, 0x02],
        b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        (0..=255u8).cycle().take(4096).collect(),
    ];
    for bytes in cases {
        assert!(PkiMessage::from_der(&bytes).is_err(), "{bytes:02x?}");
    }
    // A header that claims far more content than is present.
    let mut huge = vec![0x30, 0x83, 0x7f, 0xff, 0xff];
    huge.extend_from_slice(&[0u8; 64]);
    assert!(PkiMessage::from_der(&huge).is_err());
}

/// A body arm this crate does not model (genm [21]) is a clean decode error.
#[test]
fn unsupported_body_is_an_error() {
    let real = &real_messages()[0];
    let msg = PkiMessage::from_der(real).unwrap();
    let header = msg.header.to_der().unwrap();
    for tag in [0xa5u8, 0xb5, 0xbf] {
        let mut content = header.clone();
        if tag == 0xbf {
            // [31] and above use the long tag form.
            content.extend_from_slice(&[0xbf, 0x1f, 0x02, 0x30, 0x00]);
        } else {
            content.extend_from_slice(&[tag, 0x02, 0x30, 0x00]);
        }
        let mut der = vec![0x30, 0x82];
        der.extend_from_slice(&(content.len() as u16).to_be_bytes());
        der.extend_from_slice(&content);
        assert!(PkiMessage::from_der(&der).is_err(), "tag {tag:#x}");
    }
}
