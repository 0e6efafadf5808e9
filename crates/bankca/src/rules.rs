//! The bank's rules, as pure functions: what a certificate subject must hold, and how
//! long a pickup link and an unsaved certificate live (PROCEDURE.md N2.8).

use std::time::{Duration, SystemTime};

use der::asn1::{Any, ObjectIdentifier};
use der::{Tag, Tagged};
use ru_ids::{InnKind, OgrnKind};
use x509_cert::name::Name;

/// The pickup link works for 2 days after the e-mail.
pub const LINK_LIFETIME: Duration = Duration::from_secs(2 * 86_400);
/// A certificate not saved (confirmed) within 3 days of issuing is void; the procedure
/// starts again.
pub const UNSAVED_LIFETIME: Duration = Duration::from_secs(3 * 86_400);
/// `errorCode` for a pickup link older than [`LINK_LIFETIME`] (docs/bank-protocol.md).
pub const ERROR_LINK_EXPIRED: i64 = 4101;
/// `errorCode` for a certificate issued more than [`UNSAVED_LIFETIME`] ago and never
/// saved (docs/bank-protocol.md).
pub const ERROR_REQUEST_EXPIRED: i64 = 4102;

/// Attribute types the CA reads from a subject.
pub mod oids {
    use der::asn1::ObjectIdentifier as Oid;

    /// commonName
    pub const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
    /// emailAddress (PKCS#9)
    pub const EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
    /// ИНН ЮЛ: the 10-digit INN of an organisation.
    pub const INNLE: Oid = Oid::new_unwrap("1.2.643.100.4");
    /// ИНН: the 12-digit INN of a person or sole proprietor (older profiles also put an
    /// organisation's INN here, padded with two leading zeros).
    pub const INN: Oid = Oid::new_unwrap("1.2.643.3.131.1.1");
    /// ОГРН
    pub const OGRN: Oid = Oid::new_unwrap("1.2.643.100.1");
    /// ОГРНИП
    pub const OGRNIP: Oid = Oid::new_unwrap("1.2.643.100.5");
}

/// Whether a pickup (a `pollReq`, a `certConf`, opening the link) may still happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickupVerdict {
    /// Within both limits.
    Open,
    /// The e-mailed link is older than 2 days: the bank must send it again.
    LinkExpired,
    /// The certificate was issued more than 3 days ago and never saved: start again.
    RequestExpired,
}

/// Applies the time limits to a certificate issued at `issued_at` whose link was last
/// e-mailed at `mailed_at` (if it was). The 3-day rule wins: a fresh link does not
/// revive a certificate that is void.
pub fn pickup_verdict(
    issued_at: SystemTime,
    mailed_at: Option<SystemTime>,
    now: SystemTime,
) -> PickupVerdict {
    if now > issued_at + UNSAVED_LIFETIME {
        return PickupVerdict::RequestExpired;
    }
    if let Some(mailed) = mailed_at
        && now > mailed + LINK_LIFETIME
    {
        return PickupVerdict::LinkExpired;
    }
    PickupVerdict::Open
}

/// What the CA learned from a subject that passed the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectFacts {
    /// The common name, if any.
    pub common_name: Option<String>,
    /// Where the pickup link goes.
    pub email: String,
    /// The INN.
    pub inn: String,
    /// The OGRN or OGRNIP, if any.
    pub ogrn: Option<String>,
}

/// The text of a directory string value, whatever string type it was written with.
pub fn attribute_text(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::NumericString
        | Tag::Ia5String
        | Tag::VisibleString => String::from_utf8(bytes.to_vec()).ok(),
        // T.61 as Latin-1: good enough for the ASCII these carry in practice.
        Tag::TeletexString => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// Every value of attribute `oid` in `name`, as text; a value that is not a string is
/// an error.
fn values(
    name: &Name,
    oid: ObjectIdentifier,
    label: &'static str,
) -> Result<Vec<String>, SubjectProblem> {
    name.iter()
        .filter(|atv| atv.oid == oid)
        .map(|atv| attribute_text(&atv.value).ok_or(SubjectProblem::NotText(label)))
        .collect()
}

/// A plausible e-mail address: one `@`, something on each side, a dot in the domain, no
/// spaces or control characters. The mail system has the last word.
pub fn plausible_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && text.len() <= 254
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"'))
}

/// A plausible phone number (N2.3, R2.4): a landline with its city code or a mobile,
/// 5 to 15 digits (E.164 has at most 15), written with spaces, dashes, brackets and
/// one leading `+`; at most 32 characters.
pub fn plausible_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let plus_first = text.rfind('+').is_none_or(|i| i == 0);
    text.len() <= 32
        && (5..=15).contains(&digits)
        && plus_first
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
}

/// Which rule of the bank a certificate subject breaks; the words go back to the client.
#[derive(Debug, thiserror::Error)]
pub enum SubjectProblem {
    #[error("the subject is empty")]
    Empty,
    #[error("the {0} is not a text value")]
    NotText(&'static str),
    #[error("the organisation INN {0} has 12 digits; an organisation's INN has 10")]
    PersonInnAsOrganisation(String),
    #[error("the {what} {value} {why}")]
    Id {
        what: &'static str,
        value: String,
        why: ru_ids::IdError,
    },
    #[error("the subject has no INN (ИНН): it is required")]
    NoInn,
    #[error("{0} is an OGRNIP (15 digits) written as an OGRN; an OGRN has 13 digits")]
    OgrnipAsOgrn(String),
    #[error("{0} is an OGRN (13 digits) written as an OGRNIP; an OGRNIP has 15 digits")]
    OgrnAsOgrnip(String),
    #[error(
        "the request has no e-mail address, and the link to save the certificate is sent by e-mail"
    )]
    NoEmail,
    #[error("the e-mail address {0:?} is not valid")]
    BadEmail(String),
}

/// Checks a certificate subject against the bank's rules (N2.3): an INN with valid check
/// digits (10 digits for an organisation, 12 for a person or sole proprietor), an OGRN or
/// OGRNIP with a valid check digit if present, and an e-mail address for the pickup link
/// (from the subject's emailAddress, else from `alt_emails`, the request's
/// subjectAltName).
pub fn check_subject(name: &Name, alt_emails: &[String]) -> Result<SubjectFacts, SubjectProblem> {
    if name.is_empty() {
        return Err(SubjectProblem::Empty);
    }
    let mut inns = Vec::new();
    for value in values(name, oids::INNLE, "INN")? {
        match ru_ids::check_inn(&value) {
            Ok(InnKind::Organisation) => inns.push(value),
            Ok(InnKind::Person) => {
                return Err(SubjectProblem::PersonInnAsOrganisation(value));
            }
            Err(why) => {
                return Err(SubjectProblem::Id {
                    what: "INN",
                    value,
                    why,
                });
            }
        }
    }
    for value in values(name, oids::INN, "INN")? {
        let unpadded = match value.strip_prefix("00") {
            Some(rest) if value.len() == 12 => rest.to_string(),
            _ => value.clone(),
        };
        if let Err(why) = ru_ids::check_inn(&unpadded) {
            return Err(SubjectProblem::Id {
                what: "INN",
                value,
                why,
            });
        }
        inns.push(unpadded);
    }
    let Some(inn) = inns.first().cloned() else {
        return Err(SubjectProblem::NoInn);
    };
    let mut ogrn = None;
    for value in values(name, oids::OGRN, "OGRN")? {
        match ru_ids::check_ogrn(&value) {
            Ok(OgrnKind::Organisation) => ogrn = Some(value),
            Ok(OgrnKind::SoleProprietor) => {
                return Err(SubjectProblem::OgrnipAsOgrn(value));
            }
            Err(why) => {
                return Err(SubjectProblem::Id {
                    what: "OGRN",
                    value,
                    why,
                });
            }
        }
    }
    for value in values(name, oids::OGRNIP, "OGRNIP")? {
        match ru_ids::check_ogrn(&value) {
            Ok(OgrnKind::SoleProprietor) => ogrn = Some(value),
            Ok(OgrnKind::Organisation) => {
                return Err(SubjectProblem::OgrnAsOgrnip(value));
            }
            Err(why) => {
                return Err(SubjectProblem::Id {
                    what: "OGRNIP",
                    value,
                    why,
                });
            }
        }
    }
    let subject_emails = values(name, oids::EMAIL_ADDRESS, "e-mail address")?;
    let email = subject_emails
        .iter()
        .chain(alt_emails)
        .next()
        .cloned()
        .ok_or(SubjectProblem::NoEmail)?;
    if !plausible_email(&email) {
        return Err(SubjectProblem::BadEmail(email));
    }
    let common_name = values(name, oids::COMMON_NAME, "common name")?
        .into_iter()
        .next();
    Ok(SubjectFacts {
        common_name,
        email,
        inn,
        ogrn,
    })
}

/// A one-line description of a name for operators: short labels for the attribute types
/// a Russian certificate uses, the dotted number for others.
pub fn describe_name(name: &Name) -> String {
    let label = |oid: ObjectIdentifier| -> String {
        match oid.to_string().as_str() {
            "2.5.4.3" => "CN".into(),
            "2.5.4.4" => "SN".into(),
            "2.5.4.42" => "G".into(),
            "2.5.4.6" => "C".into(),
            "2.5.4.7" => "L".into(),
            "2.5.4.8" => "ST".into(),
            "2.5.4.9" => "STREET".into(),
            "2.5.4.10" => "O".into(),
            "2.5.4.11" => "OU".into(),
            "2.5.4.12" => "T".into(),
            "2.5.4.20" => "TEL".into(),
            "1.2.840.113549.1.9.1" => "E".into(),
            "1.2.643.100.4" => "INNLE".into(),
            "1.2.643.3.131.1.1" => "INN".into(),
            "1.2.643.100.1" => "OGRN".into(),
            "1.2.643.100.5" => "OGRNIP".into(),
            other => other.into(),
        }
    };
    name.iter()
        .map(|atv| {
            let value = attribute_text(&atv.value)
                .unwrap_or_else(|| format!("#{}", hex::encode(atv.value.value())));
            let value: String = value.chars().filter(|c| !c.is_control()).collect();
            format!("{}={}", label(atv.oid), value)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

    type Attr = (ObjectIdentifier, Tag, &'static str);

    fn name(attrs: &[(ObjectIdentifier, Tag, &str)]) -> Name {
        let mut rdns = RdnSequence::default();
        for (oid, tag, value) in attrs {
            let atv = AttributeTypeAndValue {
                oid: *oid,
                value: Any::new(*tag, value.as_bytes()).unwrap(),
            };
            rdns.push(RelativeDistinguishedName::try_from(vec![atv]).unwrap());
        }
        Name::from_der(&rdns.to_der().unwrap()).unwrap()
    }

    const CN: (ObjectIdentifier, Tag, &str) = (oids::COMMON_NAME, Tag::Utf8String, "Иванов Иван");
    const EMAIL: (ObjectIdentifier, Tag, &str) =
        (oids::EMAIL_ADDRESS, Tag::Ia5String, "ivanov@example.ru");

    #[test]
    fn a_good_subject_passes() {
        let n = name(&[
            CN,
            (oids::INNLE, Tag::NumericString, "7707083893"),
            (oids::OGRN, Tag::NumericString, "1027700132195"),
            EMAIL,
        ]);
        let facts = check_subject(&n, &[]).unwrap();
        assert_eq!(facts.inn, "7707083893");
        assert_eq!(facts.ogrn.as_deref(), Some("1027700132195"));
        assert_eq!(facts.email, "ivanov@example.ru");
        assert_eq!(facts.common_name.as_deref(), Some("Иванов Иван"));
        let text = describe_name(&n);
        assert!(
            text.contains("CN=Иванов Иван") && text.contains("INNLE=7707083893"),
            "{text}"
        );
    }

    #[test]
    fn person_inn_ogrnip_and_alt_name_email() {
        let n = name(&[
            (oids::INN, Tag::Utf8String, "500100732259"),
            (oids::OGRNIP, Tag::PrintableString, "304500116000157"),
        ]);
        let facts = check_subject(&n, &["ip@example.ru".into()]).unwrap();
        assert_eq!(facts.inn, "500100732259");
        assert_eq!(facts.email, "ip@example.ru");
        // An organisation's INN padded to 12 digits in the older attribute.
        let padded = name(&[(oids::INN, Tag::NumericString, "007707083893"), EMAIL]);
        assert_eq!(check_subject(&padded, &[]).unwrap().inn, "7707083893");
    }

    #[test]
    fn subject_rules_refuse() {
        let cases: Vec<(Vec<Attr>, &str)> = vec![
            (vec![CN, EMAIL], "no INN"),
            (
                vec![(oids::INNLE, Tag::NumericString, "7707083894"), EMAIL],
                "check digit",
            ),
            (
                vec![(oids::INNLE, Tag::NumericString, "500100732259"), EMAIL],
                "12 digits",
            ),
            (
                vec![(oids::INN, Tag::NumericString, "12345"), EMAIL],
                "digits",
            ),
            (
                vec![
                    (oids::INNLE, Tag::NumericString, "7707083893"),
                    (oids::OGRN, Tag::NumericString, "1027700132196"),
                    EMAIL,
                ],
                "check digit",
            ),
            (
                vec![
                    (oids::INNLE, Tag::NumericString, "7707083893"),
                    (oids::OGRN, Tag::NumericString, "304500116000157"),
                    EMAIL,
                ],
                "OGRNIP",
            ),
            (
                vec![(oids::INNLE, Tag::NumericString, "7707083893")],
                "no e-mail",
            ),
            (
                vec![
                    (oids::INNLE, Tag::NumericString, "7707083893"),
                    (oids::EMAIL_ADDRESS, Tag::Ia5String, "not an address"),
                ],
                "not valid",
            ),
            (vec![], "empty"),
        ];
        for (attrs, why) in cases {
            let err = check_subject(&name(&attrs), &[]).unwrap_err().to_string();
            assert!(err.contains(why), "{err} should mention {why}");
        }
        let binary = name(&[(oids::INNLE, Tag::OctetString, "7707083893"), EMAIL]);
        assert!(check_subject(&binary, &[]).is_err());
    }

    #[test]
    fn time_limits() {
        let issued = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let hour = Duration::from_secs(3600);
        assert_eq!(pickup_verdict(issued, None, issued), PickupVerdict::Open);
        assert_eq!(
            pickup_verdict(issued, Some(issued), issued + LINK_LIFETIME),
            PickupVerdict::Open
        );
        assert_eq!(
            pickup_verdict(issued, Some(issued), issued + LINK_LIFETIME + hour),
            PickupVerdict::LinkExpired
        );
        // Resent on day 2: the link works again until the 3-day limit.
        let resent = issued + LINK_LIFETIME;
        assert_eq!(
            pickup_verdict(issued, Some(resent), issued + LINK_LIFETIME + hour),
            PickupVerdict::Open
        );
        assert_eq!(
            pickup_verdict(issued, Some(resent), issued + UNSAVED_LIFETIME + hour),
            PickupVerdict::RequestExpired
        );
        // Never mailed: only the 3-day rule applies.
        assert_eq!(
            pickup_verdict(issued, None, issued + LINK_LIFETIME + hour),
            PickupVerdict::Open
        );
        assert_eq!(
            pickup_verdict(issued, None, issued + UNSAVED_LIFETIME + hour),
            PickupVerdict::RequestExpired
        );
    }

    #[test]
    fn string_types() {
        let bmp = Any::new(Tag::BmpString, [0x04, 0x10, 0x00, 0x41].as_slice()).unwrap();
        assert_eq!(attribute_text(&bmp).as_deref(), Some("АA"));
        let odd = Any::new(Tag::BmpString, [0x04].as_slice()).unwrap();
        assert_eq!(attribute_text(&odd), None);
        let t61 = Any::new(Tag::TeletexString, b"abc".as_slice()).unwrap();
        assert_eq!(attribute_text(&t61).as_deref(), Some("abc"));
        assert!(plausible_email("a@b.ru"));
        assert!(!plausible_email("a@b"));
        assert!(!plausible_email("a b@c.ru"));
        assert!(!plausible_email("<a@b.ru>"));
    }

    #[test]
    fn phones() {
        for ok in [
            "+7 (495) 500-55-50",
            "8-800-200-999-7",
            "84951234567",
            "12345",
        ] {
            assert!(plausible_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "1234",
            "+7 495 1234567 ext. 5",
            "7+4951234567",
            "++74951234567",
            "1234567890123456",
            "+7\n4951234567",
            "+7 (495) 500-55-50                    ",
        ] {
            assert!(!plausible_phone(bad), "{bad:?}");
        }
    }
}
