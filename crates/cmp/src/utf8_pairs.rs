//! Name-value pairs in a certificate request's `regInfo`: `id-regInfo-utf8Pairs`
//! (RFC 4211 section 7.1), `UTF8Pairs ::= UTF8String` with the syntax
//! `Name?Value%[Name?Value%]*`.
//!
//! A name ends with `?` and a value with `%`; a `?` or `%` inside a name or value is
//! written as `%3F` or `%25` (the `%xx` escape of RFC 1738). Names must not start with a
//! digit, and that is what tells the two uses of `%` apart when reading: a `%` followed
//! by a digit is an escape (both escapes the encoder writes start with a digit), any
//! other `%` ends a value. `regInfo` is outside the proof-of-possession signature, but
//! inside the message the protection covers, so pairs sent in a signed `kur` are vouched
//! for by the old key.
//!
//! The pairs travel from a client the CA does not trust yet, so reading is bounded (text
//! length, number of pairs, name length) and every malformed input is a typed error,
//! never a panic.

use der::asn1::{Any, ObjectIdentifier};
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;

use crate::oid;

/// The longest `UTF8Pairs` text read or written, in bytes, summed over every
/// `utf8Pairs` entry of one `regInfo`. Contact details need a few hundred.
pub const MAX_TEXT_LEN: usize = 2048;
/// The most pairs in one `regInfo`.
pub const MAX_PAIRS: usize = 32;
/// The longest name, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// The pair names of docs/bank-protocol.md, shared by the wizard and the bank's CA.
pub mod names {
    /// The e-mail address the client confirmed (R2.4): where the pickup link goes.
    pub const EMAIL: &str = "email";
    /// The phone number the client confirmed (R2.4).
    pub const PHONE: &str = "phone";
}

/// Why pairs could not be read or written.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum Utf8PairsError {
    /// The `regInfo` entry is not a UTF8String.
    #[error("the utf8Pairs value is not a UTF8String")]
    NotUtf8String,
    /// The text is not valid UTF-8, or an escape makes it so.
    #[error("the utf8Pairs text is not valid UTF-8")]
    NotUtf8,
    /// Longer than [`MAX_TEXT_LEN`].
    #[error("the utf8Pairs text is {len} bytes long; at most {MAX_TEXT_LEN} are accepted")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// More than [`MAX_PAIRS`] pairs.
    #[error("more than {MAX_PAIRS} utf8Pairs")]
    TooMany,
    /// No pair at all: the syntax asks for at least one.
    #[error("the utf8Pairs text is empty")]
    Empty,
    /// The text ends inside a name or a value (a missing `?` or `%`).
    #[error("the utf8Pairs text ends without the closing '?' or '%' of its last pair")]
    Unterminated,
    /// A name with nothing in it.
    #[error("a utf8Pairs name is empty")]
    EmptyName,
    /// A name starting with a digit, which the syntax forbids.
    #[error("the utf8Pairs name {0:?} starts with a digit")]
    NameStartsWithDigit(String),
    /// A name longer than [`MAX_NAME_LEN`].
    #[error("a utf8Pairs name is longer than {MAX_NAME_LEN} bytes")]
    NameTooLong,
    /// A `%` inside a name that is not an escape: a value's end where a `?` belongs.
    #[error("the utf8Pairs name {0:?} has no '?' before its value")]
    NameWithoutValue(String),
    /// A `%` and a digit not followed by a second hexadecimal digit.
    #[error("a '%' escape at byte {at} of the utf8Pairs text is not two hexadecimal digits")]
    BadEscape {
        /// Where the `%` is.
        at: usize,
    },
    /// A name that should be there once is there several times.
    #[error("the utf8Pairs name {0:?} is given more than once")]
    Repeated(String),
    /// The `regInfo` entry could not be encoded.
    #[error("the utf8Pairs value cannot be encoded: {0}")]
    Encoding(#[from] der::Error),
}

/// Name-value pairs in the order they were given. A name may appear more than once, as
/// RFC 4211 allows; [`Utf8Pairs::get`] refuses to choose between repeated values.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct Utf8Pairs {
    pairs: Vec<(String, String)>,
}

impl Utf8Pairs {
    /// No pairs yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a pair; the name must be one the syntax allows, and the whole must stay
    /// within the limits.
    pub fn push(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<(), Utf8PairsError> {
        let name = name.into();
        check_name(&name)?;
        if self.pairs.len() >= MAX_PAIRS {
            return Err(Utf8PairsError::TooMany);
        }
        self.pairs.push((name, value.into()));
        let len = self.encoded_len();
        if len > MAX_TEXT_LEN {
            self.pairs.pop();
            return Err(Utf8PairsError::TooLong { len });
        }
        Ok(())
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The value of `name`, if given; an error if it is given more than once with
    /// different values, since which one counts would be a guess.
    pub fn get(&self, name: &str) -> Result<Option<&str>, Utf8PairsError> {
        let mut values = self.pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
        let Some(first) = values.next() else {
            return Ok(None);
        };
        if values.any(|v| v != first) {
            return Err(Utf8PairsError::Repeated(name.to_owned()));
        }
        Ok(Some(first.as_str()))
    }

    /// The `UTF8Pairs` text.
    pub fn encode(&self) -> String {
        let mut text = String::with_capacity(self.encoded_len());
        for (name, value) in &self.pairs {
            escape_into(name, &mut text);
            text.push('?');
            escape_into(value, &mut text);
            text.push('%');
        }
        text
    }

    fn encoded_len(&self) -> usize {
        self.pairs
            .iter()
            .map(|(n, v)| escaped_len(n) + escaped_len(v) + 2)
            .sum()
    }

    /// Reads a `UTF8Pairs` text.
    pub fn decode(text: &str) -> Result<Self, Utf8PairsError> {
        let mut pairs = Self::new();
        pairs.decode_more(text)?;
        if pairs.is_empty() {
            return Err(Utf8PairsError::Empty);
        }
        Ok(pairs)
    }

    /// Reads the pairs of `text` after those already held, within the same limits.
    fn decode_more(&mut self, text: &str) -> Result<(), Utf8PairsError> {
        let start_len = self.encoded_len();
        if start_len + text.len() > MAX_TEXT_LEN {
            return Err(Utf8PairsError::TooLong {
                len: start_len + text.len(),
            });
        }
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let (name, after_name) = read_part(bytes, at, Part::Name)?;
            let (value, after_value) = read_part(bytes, after_name, Part::Value)?;
            check_name(&name)?;
            if self.pairs.len() >= MAX_PAIRS {
                return Err(Utf8PairsError::TooMany);
            }
            self.pairs.push((name, value));
            at = after_value;
        }
        Ok(())
    }

    /// The `regInfo` entry carrying these pairs.
    pub fn to_attribute(&self) -> Result<AttributeTypeAndValue, Utf8PairsError> {
        if self.is_empty() {
            return Err(Utf8PairsError::Empty);
        }
        let text = self.encode();
        Ok(AttributeTypeAndValue {
            oid: oid::REG_INFO_UTF8_PAIRS,
            value: Any::new(Tag::Utf8String, text.into_bytes())?,
        })
    }

    /// The pairs of every `utf8Pairs` entry in `reg_info`, in order, or `None` when there
    /// is none. Other entries (such as `certReq`) are left to the caller.
    pub fn from_reg_info(
        reg_info: &[AttributeTypeAndValue],
    ) -> Result<Option<Self>, Utf8PairsError> {
        let mut pairs = Self::new();
        let mut found = false;
        for entry in reg_info.iter().filter(|e| e.oid == REG_INFO_UTF8_PAIRS) {
            found = true;
            if entry.value.tag() != Tag::Utf8String {
                return Err(Utf8PairsError::NotUtf8String);
            }
            let text =
                std::str::from_utf8(entry.value.value()).map_err(|_| Utf8PairsError::NotUtf8)?;
            if text.is_empty() {
                return Err(Utf8PairsError::Empty);
            }
            pairs.decode_more(text)?;
        }
        Ok(found.then_some(pairs))
    }
}

/// `id-regInfo-utf8Pairs`, re-exported here for callers that match `regInfo` entries.
pub const REG_INFO_UTF8_PAIRS: ObjectIdentifier = oid::REG_INFO_UTF8_PAIRS;

fn check_name(name: &str) -> Result<(), Utf8PairsError> {
    match name.chars().next() {
        None => Err(Utf8PairsError::EmptyName),
        Some(c) if c.is_ascii_digit() => Err(Utf8PairsError::NameStartsWithDigit(
            name.chars().take(MAX_NAME_LEN).collect(),
        )),
        Some(_) if name.len() > MAX_NAME_LEN => Err(Utf8PairsError::NameTooLong),
        Some(_) => Ok(()),
    }
}

fn escaped_len(text: &str) -> usize {
    text.len() + 2 * text.bytes().filter(|b| matches!(b, b'?' | b'%')).count()
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '?' => out.push_str("%3F"),
            '%' => out.push_str("%25"),
            other => out.push(other),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Name,
    Value,
}

/// Reads a name (up to its `?`) or a value (up to its `%`) starting at byte `at`,
/// unescaping; returns it and where the next part starts.
fn read_part(bytes: &[u8], mut at: usize, part: Part) -> Result<(String, usize), Utf8PairsError> {
    let mut out = Vec::new();
    loop {
        let Some(&b) = bytes.get(at) else {
            return Err(Utf8PairsError::Unterminated);
        };
        match b {
            b'%' if bytes.get(at + 1).is_some_and(u8::is_ascii_digit) => {
                let high = bytes.get(at + 1).copied().and_then(hex_value);
                let low = bytes.get(at + 2).copied().and_then(hex_value);
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(Utf8PairsError::BadEscape { at });
                };
                out.push((high << 4) | low);
                at += 3;
            }
            b'%' if part == Part::Value => {
                let text = String::from_utf8(out).map_err(|_| Utf8PairsError::NotUtf8)?;
                return Ok((text, at + 1));
            }
            b'%' => {
                let name = String::from_utf8_lossy(&out);
                return Err(Utf8PairsError::NameWithoutValue(
                    name.chars().take(MAX_NAME_LEN).collect(),
                ));
            }
            b'?' if part == Part::Name => {
                let text = String::from_utf8(out).map_err(|_| Utf8PairsError::NotUtf8)?;
                return Ok((text, at + 1));
            }
            other => {
                out.push(other);
                at += 1;
            }
        }
        if part == Part::Name && out.len() > MAX_NAME_LEN {
            return Err(Utf8PairsError::NameTooLong);
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    fn pairs(list: &[(&str, &str)]) -> Utf8Pairs {
        let mut p = Utf8Pairs::new();
        for (n, v) in list {
            p.push(*n, *v).expect("a valid pair");
        }
        p
    }

    #[test]
    fn writes_the_rfc_syntax() {
        let p = pairs(&[("email", "buh@example.ru"), ("phone", "+7 (495) 500-55-50")]);
        assert_eq!(p.encode(), "email?buh@example.ru%phone?+7 (495) 500-55-50%");
        assert_eq!(Utf8Pairs::decode(&p.encode()).expect("decode"), p);
    }

    #[test]
    fn reads_the_rfc_example() {
        let p = Utf8Pairs::decode(
            "version?1%corp_company?Example, Inc.%org_unit?Engineering%mail_email?john@example.com%",
        )
        .expect("decode");
        assert_eq!(p.get("corp_company"), Ok(Some("Example, Inc.")));
        assert_eq!(p.get("mail_email"), Ok(Some("john@example.com")));
        assert_eq!(p.get("absent"), Ok(None));
        assert_eq!(p.iter().count(), 4);
    }

    #[test]
    fn question_marks_and_percents_are_escaped_both_ways() {
        let p = pairs(&[("odd?name%", "50% off? yes%"), ("e", "")]);
        let text = p.encode();
        assert_eq!(text, "odd%3Fname%25?50%25 off%3F yes%25%e?%");
        assert_eq!(Utf8Pairs::decode(&text).expect("decode"), p);
        // Lower-case escapes, and escapes of other characters, are read too.
        let lower = Utf8Pairs::decode("a?x%3fy%25z%41%").expect("decode");
        assert_eq!(lower.get("a"), Ok(Some("x?y%zA")));
        // Non-ASCII text passes unescaped.
        let ru = pairs(&[("name", "Бухгалтерия ООО «Ромашка»")]);
        assert_eq!(Utf8Pairs::decode(&ru.encode()).expect("decode"), ru);
    }

    #[test]
    fn a_percent_before_a_letter_ends_the_value() {
        // "%ab" would be an escape under RFC 1738 alone; names cannot start with a
        // digit, and escapes here must, so this is value "x" and then name "ab".
        let p = Utf8Pairs::decode("a?x%ab?y%").expect("decode");
        assert_eq!(p.get("a"), Ok(Some("x")));
        assert_eq!(p.get("ab"), Ok(Some("y")));
    }

    #[test]
    fn malformed_text_is_refused_in_words() {
        use Utf8PairsError as E;
        let cases: &[(&str, Utf8PairsError)] = &[
            ("", E::Empty),
            ("email", E::Unterminated),
            ("email?x", E::Unterminated),
            ("email?x%phone", E::Unterminated),
            ("?x%", E::EmptyName),
            ("1st?x%", E::NameStartsWithDigit("1st".into())),
            ("email%x?y%", E::NameWithoutValue("email".into())),
            ("a?x%4", E::BadEscape { at: 3 }),
            ("a?x%4g%", E::BadEscape { at: 3 }),
            ("a?x%ff%", E::NameWithoutValue("ff".into())),
            ("a?%C3%", E::NameWithoutValue("C3".into())),
            ("a?%99%", E::NotUtf8),
            ("a?%80%", E::NotUtf8),
            ("%80?x%", E::NotUtf8),
        ];
        for (text, expected) in cases {
            assert_eq!(Utf8Pairs::decode(text).as_ref(), Err(expected), "{text:?}");
            assert!(!expected.to_string().is_empty());
        }
    }

    #[test]
    fn repeated_names_are_refused_only_when_they_disagree() {
        let same = Utf8Pairs::decode("email?a@b.ru%email?a@b.ru%").expect("decode");
        assert_eq!(same.get("email"), Ok(Some("a@b.ru")));
        let differ = Utf8Pairs::decode("email?a@b.ru%email?c@d.ru%").expect("decode");
        assert_eq!(
            differ.get("email"),
            Err(Utf8PairsError::Repeated("email".into()))
        );
    }

    #[test]
    fn sizes_are_bounded() {
        let long = "x".repeat(MAX_TEXT_LEN);
        assert!(matches!(
            Utf8Pairs::decode(&format!("a?{long}%")),
            Err(Utf8PairsError::TooLong { .. })
        ));
        let many: String = (0..=MAX_PAIRS).map(|i| format!("n{i}?v%")).collect();
        assert_eq!(Utf8Pairs::decode(&many), Err(Utf8PairsError::TooMany));
        let long_name = format!("{}?v%", "n".repeat(MAX_NAME_LEN + 1));
        assert_eq!(
            Utf8Pairs::decode(&long_name),
            Err(Utf8PairsError::NameTooLong)
        );
        let mut p = Utf8Pairs::new();
        assert_eq!(
            p.push("n".repeat(MAX_NAME_LEN + 1), "v"),
            Err(Utf8PairsError::NameTooLong)
        );
        assert!(matches!(
            p.push("a", "%".repeat(MAX_TEXT_LEN / 3 + 1)),
            Err(Utf8PairsError::TooLong { .. })
        ));
        assert!(p.is_empty(), "a refused pair is not kept");
        for i in 0..MAX_PAIRS {
            p.push(format!("n{i}"), "v").expect("within the limit");
        }
        assert_eq!(p.push("one", "more"), Err(Utf8PairsError::TooMany));
        assert_eq!(p.push("", "v"), Err(Utf8PairsError::EmptyName));
        assert_eq!(
            p.push("9", "v"),
            Err(Utf8PairsError::NameStartsWithDigit("9".into()))
        );
    }

    #[test]
    fn reg_info_entries_round_trip_and_hostile_ones_are_refused() {
        let p = pairs(&[("email", "a@b.ru"), ("phone", "+7 495 000-00-00")]);
        let entry = p.to_attribute().expect("attribute");
        assert_eq!(entry.oid.to_string(), "1.3.6.1.5.5.7.5.2.1");
        let der = entry.to_der().expect("der");
        let back = AttributeTypeAndValue::from_der(&der).expect("decode");
        let other = AttributeTypeAndValue {
            oid: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.2.2"),
            value: Any::new(Tag::Sequence, Vec::new()).expect("any"),
        };
        let more = pairs(&[("extra", "1")]).to_attribute().expect("attribute");
        let read = Utf8Pairs::from_reg_info(&[other.clone(), back, more])
            .expect("read")
            .expect("present");
        assert_eq!(read.get(names::EMAIL), Ok(Some("a@b.ru")));
        assert_eq!(read.get("extra"), Ok(Some("1")));
        assert_eq!(Utf8Pairs::from_reg_info(&[other]), Ok(None));
        assert_eq!(Utf8Pairs::from_reg_info(&[]), Ok(None));
        assert_eq!(Utf8Pairs::new().to_attribute(), Err(Utf8PairsError::Empty));

        let entry = |tag: Tag, bytes: &[u8]| AttributeTypeAndValue {
            oid: REG_INFO_UTF8_PAIRS,
            value: Any::new(tag, bytes.to_vec()).expect("any"),
        };
        assert_eq!(
            Utf8Pairs::from_reg_info(&[entry(Tag::OctetString, b"a?b%")]),
            Err(Utf8PairsError::NotUtf8String)
        );
        assert_eq!(
            Utf8Pairs::from_reg_info(&[entry(Tag::Utf8String, &[0xff, b'?', b'%'])]),
            Err(Utf8PairsError::NotUtf8)
        );
        assert_eq!(
            Utf8Pairs::from_reg_info(&[entry(Tag::Utf8String, b"")]),
            Err(Utf8PairsError::Empty)
        );
        // The limit holds over all entries together.
        let half = format!("a?{}%", "x".repeat(MAX_TEXT_LEN / 2));
        assert!(matches!(
            Utf8Pairs::from_reg_info(&[
                entry(Tag::Utf8String, half.as_bytes()),
                entry(Tag::Utf8String, half.as_bytes())
            ]),
            Err(Utf8PairsError::TooLong { .. })
        ));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A small deterministic generator over the characters that matter.
        let alphabet = b"?%0123456789aFz\xc3\xa9\xff ";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| alphabet[((state >> (i % 8 * 8)) as usize + i) % alphabet.len()])
                .collect();
            if let Ok(text) = std::str::from_utf8(&bytes)
                && let Ok(p) = Utf8Pairs::decode(text)
            {
                // Whatever is read writes back to text that reads the same.
                assert_eq!(Utf8Pairs::decode(&p.encode()).as_ref(), Ok(&p), "{text:?}");
            }
        }
    }
}
