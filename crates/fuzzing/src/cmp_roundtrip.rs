//! `PKIMessage` through its codec: whatever decodes must encode, decode to the same
//! value, and encode to the same bytes again; and what is received as DER
//! (`cmp::Received`) re-encodes to exactly the input, its protected part sliced from the
//! input equal to the one encoded.

use cmp::der::{Decode, Encode};
use cmp::{PkiMessage, Received};

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
    if let Ok(received) = Received::from_der(data) {
        assert_eq!(
            encoded, data,
            "a message received as DER re-encodes to its bytes"
        );
        assert_eq!(
            received.protected_part(),
            part.as_slice(),
            "the protected part as received is the one encoded"
        );
    }
    let _ = smartkey::enroll::kept_request(data);
}
