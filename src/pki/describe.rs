//! Names and certificates in words a person reads: attribute types by their usual short
//! names (INN and OGRN included, which generic tools show as hex), string values
//! decoded, most general first as on the application form.

use der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use der::{Tag, Tagged};
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::name::Name;

use super::subject::oids;

fn short_name(oid: &const_oid::ObjectIdentifier) -> String {
    let known = [
        (oids::COUNTRY, "C"),
        (oids::STATE_OR_PROVINCE, "ST"),
        (oids::LOCALITY, "L"),
        (oids::STREET, "street"),
        (oids::ORGANIZATION, "O"),
        (oids::TITLE, "title"),
        (oids::SURNAME, "SN"),
        (oids::GIVEN_NAME, "GN"),
        (oids::COMMON_NAME, "CN"),
        (oids::INNLE, "INNLE"),
        (oids::INN, "INN"),
        (oids::OGRN, "OGRN"),
        (oids::OGRNIP, "OGRNIP"),
        (oids::EMAIL_ADDRESS, "E"),
        (oids::TELEPHONE, "tel"),
    ];
    known
        .iter()
        .find(|(o, _)| o == oid)
        .map_or_else(|| oid.to_string(), |(_, n)| n.to_string())
}

fn value_text(value: &der::asn1::Any) -> String {
    let bytes = value.value();
    let text = match value.tag() {
        Tag::Utf8String => Utf8StringRef::new(bytes)
            .ok()
            .map(|s| s.as_str().to_string()),
        Tag::PrintableString => PrintableStringRef::new(bytes)
            .ok()
            .map(|s| s.as_str().to_string()),
        Tag::Ia5String => Ia5StringRef::new(bytes)
            .ok()
            .map(|s| s.as_str().to_string()),
        Tag::NumericString => std::str::from_utf8(bytes).ok().map(String::from),
        _ => None,
    };
    text.unwrap_or_else(|| format!("#{}", hex::encode(bytes)))
}

/// "C=RU, L=Москва, O=..., CN=..., INNLE=7707083893".
pub fn describe_name(name: &Name) -> String {
    name.iter()
        .map(|atv| format!("{}={}", short_name(&atv.oid), value_text(&atv.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value of the first attribute of type `oid` in `name`.
pub fn name_attribute(name: &Name, oid: &const_oid::ObjectIdentifier) -> Option<String> {
    name.iter()
        .find(|atv| &atv.oid == oid)
        .map(|atv| value_text(&atv.value))
}

/// What a person needs to know about a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateSummary {
    pub subject: String,
    /// The owner's name (the subject's CN).
    pub owner: Option<String>,
    pub organization: Option<String>,
    pub issuer: String,
    /// The serial number in hex.
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
}

impl CertificateSummary {
    pub fn of(cert: &Certificate) -> CertificateSummary {
        let tbs = cert.tbs_certificate();
        CertificateSummary {
            subject: describe_name(tbs.subject()),
            owner: name_attribute(tbs.subject(), &oids::COMMON_NAME),
            organization: name_attribute(tbs.subject(), &oids::ORGANIZATION),
            issuer: describe_name(tbs.issuer()),
            serial: hex::encode(tbs.serial_number().as_bytes()),
            not_before: tbs.validity().not_before.to_string(),
            not_after: tbs.validity().not_after.to_string(),
        }
    }
}
