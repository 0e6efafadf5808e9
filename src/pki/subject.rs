//! The certificate subject built from an application, with the attribute types and
//! string encodings Russian CAs expect: UTF8String for text (Cyrillic included),
//! PrintableString for the country and phone, IA5String for e-mail, NumericString for
//! INN and OGRN.

use const_oid::ObjectIdentifier;
use der::asn1::Any;
use der::{Decode, Encode, Tag};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use smartkey_wizard::{ApplicantKind, ValidApplicant};

/// The attribute types of a subject, by OID.
pub mod oids {
    use const_oid::ObjectIdentifier as Oid;

    pub const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
    pub const SURNAME: Oid = Oid::new_unwrap("2.5.4.4");
    pub const COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
    pub const LOCALITY: Oid = Oid::new_unwrap("2.5.4.7");
    pub const STATE_OR_PROVINCE: Oid = Oid::new_unwrap("2.5.4.8");
    pub const STREET: Oid = Oid::new_unwrap("2.5.4.9");
    pub const ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
    pub const TITLE: Oid = Oid::new_unwrap("2.5.4.12");
    pub const TELEPHONE: Oid = Oid::new_unwrap("2.5.4.20");
    pub const GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
    pub const EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
    /// ИНН ЮЛ: the 10-digit INN of an organisation.
    pub const INNLE: Oid = Oid::new_unwrap("1.2.643.100.4");
    /// ИНН: the 12-digit INN of a person or sole proprietor.
    pub const INN: Oid = Oid::new_unwrap("1.2.643.3.131.1.1");
    /// ОГРН: an organisation's state registration number.
    pub const OGRN: Oid = Oid::new_unwrap("1.2.643.100.1");
    /// ОГРНИП: a sole proprietor's state registration number.
    pub const OGRNIP: Oid = Oid::new_unwrap("1.2.643.100.5");
}

/// Why a subject could not be encoded.
#[derive(Debug, thiserror::Error)]
#[error("the subject could not be encoded: {0}")]
pub struct SubjectError(#[from] der::Error);

fn attribute(
    oid: ObjectIdentifier,
    tag: Tag,
    value: &str,
) -> Result<RelativeDistinguishedName, SubjectError> {
    let atv = AttributeTypeAndValue {
        oid,
        value: Any::new(tag, value.as_bytes())?,
    };
    Ok(RelativeDistinguishedName::try_from(vec![atv])?)
}

/// The subject of the certificate request for a validated application.
pub fn subject_name(applicant: &ValidApplicant) -> Result<Name, SubjectError> {
    let a = applicant.applicant();
    let utf8 = Tag::Utf8String;
    let mut attrs: Vec<(ObjectIdentifier, Tag, String)> =
        vec![(oids::COUNTRY, Tag::PrintableString, a.country.clone())];
    if let Some(region) = &a.region {
        attrs.push((oids::STATE_OR_PROVINCE, utf8, region.clone()));
    }
    attrs.push((oids::LOCALITY, utf8, a.city.clone()));
    attrs.push((oids::STREET, utf8, a.address.clone()));
    if !a.organization.is_empty() {
        attrs.push((oids::ORGANIZATION, utf8, a.organization.clone()));
    }
    if let Some(title) = &a.title {
        attrs.push((oids::TITLE, utf8, title.clone()));
    }
    attrs.push((oids::SURNAME, utf8, a.surname.clone()));
    let given = format!("{} {}", a.given_name, a.patronymic)
        .trim()
        .to_string();
    attrs.push((oids::GIVEN_NAME, utf8, given));
    attrs.push((oids::COMMON_NAME, utf8, applicant.full_name()));
    let inn_oid = match applicant.kind() {
        ApplicantKind::Organisation => oids::INNLE,
        ApplicantKind::SoleProprietor | ApplicantKind::Person => oids::INN,
    };
    attrs.push((inn_oid, Tag::NumericString, a.inn.clone()));
    if let Some(ogrn) = &a.ogrn {
        let oid = match applicant.kind() {
            ApplicantKind::SoleProprietor => oids::OGRNIP,
            _ => oids::OGRN,
        };
        attrs.push((oid, Tag::NumericString, ogrn.clone()));
    }
    attrs.push((oids::EMAIL_ADDRESS, Tag::Ia5String, a.email.clone()));
    attrs.push((oids::TELEPHONE, Tag::PrintableString, a.phone.clone()));

    let mut rdns = RdnSequence::default();
    for (oid, tag, value) in attrs {
        rdns.push(attribute(oid, tag, &value)?);
    }
    // Name has no public constructor from an RdnSequence; the DER round trip is the
    // supported way and checks the encoding once more.
    Ok(Name::from_der(&rdns.to_der()?)?)
}
