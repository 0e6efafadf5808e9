//! The documents a person signs on paper: the certificate application (N2.7) and the
//! acceptance act (N2.10, R2.10). The wizard produces their content as data (labelled
//! entries and signature lines); the runtime renders it on screen and as a PDF, in the
//! person's language, through the catalogue.

use serde::{Deserialize, Serialize};

use crate::applicant::Applicant;
use crate::msg::Msg;

use super::date::CivilDate;
use super::field::FieldId;
use super::model::{BankInfo, CertificateView, KeyType, TransactionId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// "Заявление на выдачу сертификата ключа проверки электронной подписи" (N2.7).
    Application,
    /// "Акт приёма-передачи сертификата ключа проверки электронной подписи" (N2.10).
    Act,
}

/// One line of a document: what it is and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub label: Msg,
    pub value: Msg,
}

/// A document's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    pub title: Msg,
    pub bank: String,
    pub agent_id: u32,
    pub date: CivilDate,
    pub entries: Vec<Entry>,
    /// The lines left for signatures and the stamp.
    pub signatures: Vec<Msg>,
}

fn label(field: FieldId) -> Msg {
    Msg::FieldLabel { field }
}

fn entry(label: Msg, value: impl Into<String>) -> Entry {
    Entry {
        label,
        value: Msg::Plain { text: value.into() },
    }
}

/// What is needed for an application besides the form.
pub struct ApplicationFacts<'a> {
    pub bank: &'a BankInfo,
    pub applicant: &'a Applicant,
    pub key_type: KeyType,
    pub token_model: &'a str,
    pub token_serial: &'a str,
    pub transaction: &'a TransactionId,
    pub date: CivilDate,
}

/// The application (N2.7), as the form was filled in and the request sent.
pub fn application(f: &ApplicationFacts<'_>) -> Document {
    let a = f.applicant;
    let mut entries = vec![
        entry(label(FieldId::Surname), &a.surname),
        entry(label(FieldId::GivenName), &a.given_name),
        entry(label(FieldId::Patronymic), &a.patronymic),
        Entry {
            label: label(FieldId::LegalEntity),
            value: Msg::YesNo {
                yes: a.legal_entity,
            },
        },
        entry(label(FieldId::Organization), &a.organization),
        entry(label(FieldId::Inn), &a.inn),
        entry(label(FieldId::Document), &a.document),
        Entry {
            label: label(FieldId::Country),
            value: Msg::CountryRussia,
        },
        entry(label(FieldId::City), &a.city),
        entry(label(FieldId::Address), &a.address),
        entry(label(FieldId::Phone), &a.phone),
        entry(label(FieldId::Email), &a.email),
        Entry {
            label: label(FieldId::KeyType),
            value: Msg::KeyTypeName {
                key_type: f.key_type,
            },
        },
        entry(
            Msg::DocToken,
            format!("{} № {}", f.token_model, f.token_serial),
        ),
        entry(Msg::DocRequestNumber, &f.transaction.0),
    ];
    entries.retain(|e| !matches!(&e.value, Msg::Plain { text } if text.is_empty()));
    Document {
        kind: DocumentKind::Application,
        title: Msg::DocApplicationTitle,
        bank: f.bank.name.clone(),
        agent_id: f.bank.agent_id,
        date: f.date,
        entries,
        signatures: vec![Msg::DocSignOwner, Msg::DocSignHead, Msg::DocStamp],
    }
}

/// The acceptance act (N2.10, R2.10) of an issued certificate.
pub fn act(bank: &BankInfo, certificate: &CertificateView, date: CivilDate) -> Document {
    let c = certificate;
    let mut entries = Vec::new();
    if let Some(owner) = &c.owner {
        entries.push(entry(Msg::DocOwner, owner));
    }
    if let Some(org) = &c.organization {
        entries.push(entry(label(FieldId::Organization), org));
    }
    entries.push(entry(Msg::DocCertificateSerial, &c.serial));
    entries.push(entry(Msg::DocIssuer, &c.issuer));
    if let Some(from) = c.valid_from {
        entries.push(Entry {
            label: Msg::DocValidFrom,
            value: Msg::Date { date: from },
        });
    }
    if let Some(until) = c.valid_until {
        entries.push(Entry {
            label: Msg::DocValidUntil,
            value: Msg::Date { date: until },
        });
    }
    if let Some(fp) = &c.public_key {
        entries.push(entry(Msg::DocKeyFingerprint, fp));
    }
    Document {
        kind: DocumentKind::Act,
        title: Msg::DocActTitle,
        bank: bank.name.clone(),
        agent_id: bank.agent_id,
        date,
        entries,
        signatures: vec![Msg::DocSignOwner, Msg::DocSignBank, Msg::DocStamp],
    }
}
