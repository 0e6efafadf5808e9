//! `PKIMessage` through its codec: whatever decodes must encode, decode to the same
//! value, and encode to the same bytes again. Protection covers the DER of the header
//! and body as re-encoded, so an encoding that drifts breaks every signature.

use cmp::PkiMessage;
use cmp::der::{Decode, Encode};

/// decode → encode → decode: equal values, and encode(decode(encode(x))) == encode(x).
/// A message that decodes is also taken as a request kept in the outbox would be
/// (`enroll::kept_request`), with its `ProtectedPart`.
pub fn pki_message_roundtrip(data: &[u8]) {
    let Ok(message) = PkiMessage::from_der(data) else {
        return;
    };
    let encoded = message.to_der().expect("a decoded message encodes");
    let again = PkiMessage::from_der(&encoded).expect("an encoded message decodes");
    assert_eq!(
        again, message,
        "decoding its encoding gives another message"
    );
    let encoded_again = again.to_der().expect("a decoded message encodes");
    assert_eq!(encoded_again, encoded, "the encoding is not stable");
    let part = message
        .protected_part_der()
        .expect("the protected part encodes");
    let part_again = again
        .protected_part_der()
        .expect("the protected part encodes");
    assert_eq!(part, part_again, "the protected part is not stable");
    let _ = smartkey::enroll::kept_request(data);
}
