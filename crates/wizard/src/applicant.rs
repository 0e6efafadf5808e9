//! The applicant: the person who will own the certificate and the organisation they act
//! for, as the bank's application form (PROCEDURE.md N2.3) asks for them.
//!
//! [`Applicant`] is the raw form (also the JSON file of `smartkey csr --applicant`);
//! [`Applicant::validate`] checks every field and names each one that is wrong, so that
//! a form can show all problems at once.

use std::fmt;

use serde::{Deserialize, Serialize};

use ru_ids::{InnKind, OgrnKind, check_inn, check_ogrn};

/// The words a sole proprietor's organisation name must start with, in full (N2.3).
pub const SOLE_PROPRIETOR_PREFIX: &str = "Индивидуальный предприниматель";

/// The application form as filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub surname: String,
    pub given_name: String,
    #[serde(default)]
    pub patronymic: String,
    /// The form's tick "I receive the certificate as a legal entity".
    pub legal_entity: bool,
    #[serde(default)]
    pub organization: String,
    pub inn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ogrn: Option<String>,
    /// The document on whose basis the person acts (charter, power of attorney...).
    pub document: String,
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub city: String,
    /// The organisation's legal address.
    pub address: String,
    pub phone: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A field of the application form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Surname,
    GivenName,
    Patronymic,
    Organization,
    Inn,
    Ogrn,
    Document,
    Country,
    Region,
    City,
    Address,
    Phone,
    Email,
    Title,
}

impl Field {
    /// The key of this field in the applicant JSON file.
    pub fn key(self) -> &'static str {
        match self {
            Field::Surname => "surname",
            Field::GivenName => "given_name",
            Field::Patronymic => "patronymic",
            Field::Organization => "organization",
            Field::Inn => "inn",
            Field::Ogrn => "ogrn",
            Field::Document => "document",
            Field::Country => "country",
            Field::Region => "region",
            Field::City => "city",
            Field::Address => "address",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Title => "title",
        }
    }

    /// The field's name on the form.
    pub fn label(self) -> &'static str {
        match self {
            Field::Surname => "Surname",
            Field::GivenName => "Given name",
            Field::Patronymic => "Patronymic",
            Field::Organization => "Organisation",
            Field::Inn => "INN",
            Field::Ogrn => "OGRN",
            Field::Document => "Acting on the basis of",
            Field::Country => "Country",
            Field::Region => "Region",
            Field::City => "City",
            Field::Address => "Legal address",
            Field::Phone => "Phone",
            Field::Email => "E-mail",
            Field::Title => "Position",
        }
    }
}

/// One wrong field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub problem: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.field.label(),
            self.field.key(),
            self.problem
        )
    }
}

/// Every wrong field of a form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ApplicantErrors(pub Vec<FieldError>);

impl ApplicantErrors {
    /// Whether `field` is among the wrong ones.
    pub fn has(&self, field: Field) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
}

impl fmt::Display for ApplicantErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the application has mistakes:")?;
        for e in &self.0 {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

/// Who the certificate is for, as told by the INN and the legal-entity tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// An organisation (10-digit INN, OGRN of 13 digits).
    Organisation,
    /// A sole proprietor (12-digit INN, OGRNIP of 15 digits).
    SoleProprietor,
    /// A private person (12-digit INN, no organisation).
    Person,
}

/// An application whose every field passed [`Applicant::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplicant {
    applicant: Applicant,
    kind: ApplicantKind,
}

impl ValidApplicant {
    pub fn applicant(&self) -> &Applicant {
        &self.applicant
    }

    pub fn kind(&self) -> ApplicantKind {
        self.kind
    }

    /// "Surname Given Patronymic", the certificate owner's full name.
    pub fn full_name(&self) -> String {
        self.applicant.full_name()
    }
}

/// Collapses runs of white space and trims, so that "  Иванов  " is "Иванов".
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A character a person's name may hold (letters, hyphen, space, apostrophes, dot).
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '-' | ' ' | '\'' | '’' | '.')
}

/// How many digits a phone number has, when it is written only with digits, spaces,
/// `( ) -` and one leading `+`.
pub(crate) fn phone_digits(phone: &str) -> Option<usize> {
    let ok = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '(' | ')' | '-'));
    let plus_at_start = phone.find('+').is_none_or(|i| i == 0) && phone.matches('+').count() <= 1;
    (ok && plus_at_start).then(|| phone.chars().filter(char::is_ascii_digit).count())
}

/// Whether an e-mail address is one the bank's link can reach.
pub(crate) fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && email.is_ascii()
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

impl Applicant {
    /// "Surname Given Patronymic" with the patronymic left out when empty.
    pub fn full_name(&self) -> String {
        tidy(&format!(
            "{} {} {}",
            self.surname, self.given_name, self.patronymic
        ))
    }

    /// The same form with white space tidied in every field.
    pub fn tidied(&self) -> Applicant {
        let opt = |o: &Option<String>| o.as_deref().map(tidy).filter(|s| !s.is_empty());
        Applicant {
            surname: tidy(&self.surname),
            given_name: tidy(&self.given_name),
            patronymic: tidy(&self.patronymic),
            legal_entity: self.legal_entity,
            organization: tidy(&self.organization),
            inn: self.inn.trim().to_string(),
            ogrn: self
                .ogrn
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
            document: tidy(&self.document),
            country: self.country.trim().to_uppercase(),
            region: opt(&self.region),
            city: tidy(&self.city),
            address: tidy(&self.address),
            phone: tidy(&self.phone),
            email: self.email.trim().to_string(),
            title: opt(&self.title),
        }
    }

    /// Checks every field; on failure lists each wrong field with what to do.
    pub fn validate(&self) -> Result<ValidApplicant, ApplicantErrors> {
        let a = self.tidied();
        let mut errors = Vec::new();
        let mut err = |field: Field, problem: &str| {
            errors.push(FieldError {
                field,
                problem: problem.to_string(),
            })
        };

        for (field, value, required) in [
            (Field::Surname, &a.surname, true),
            (Field::GivenName, &a.given_name, true),
            (Field::Patronymic, &a.patronymic, false),
        ] {
            if value.is_empty() {
                if required {
                    err(field, "is required");
                }
            } else if !value.chars().all(is_name_char) {
                err(field, "may hold only letters, hyphens and spaces");
            } else if value.chars().count() > 64 {
                err(field, "is longer than 64 characters");
            }
        }

        let inn_kind = match check_inn(&a.inn) {
            Ok(kind) => Some(kind),
            Err(e) => {
                err(Field::Inn, &e.to_string());
                None
            }
        };
        let kind = match (a.legal_entity, inn_kind) {
            (true, Some(InnKind::Organisation)) => Some(ApplicantKind::Organisation),
            (true, Some(InnKind::Person)) => Some(ApplicantKind::SoleProprietor),
            (false, Some(InnKind::Person)) => Some(ApplicantKind::Person),
            (false, Some(InnKind::Organisation)) => {
                err(
                    Field::Inn,
                    "a 10-digit INN belongs to an organisation: tick \"legal entity\", or give the person's 12-digit INN",
                );
                None
            }
            (_, None) => None,
        };

        let org = &a.organization;
        let abbreviated =
            org.starts_with("ИП ") || org == "ИП" || org.to_lowercase().starts_with("инд. ");
        if a.legal_entity && org.is_empty() {
            err(Field::Organization, "is required for a legal entity");
        } else if org.chars().count() > 255 {
            err(Field::Organization, "is longer than 255 characters");
        } else if abbreviated {
            err(
                Field::Organization,
                "a sole proprietor writes \"Индивидуальный предприниматель\" and the full name, without abbreviations",
            );
        } else {
            let proprietor_form = org
                .to_lowercase()
                .starts_with(&SOLE_PROPRIETOR_PREFIX.to_lowercase());
            match kind {
                Some(ApplicantKind::SoleProprietor) => {
                    let expected = format!("{SOLE_PROPRIETOR_PREFIX} {}", a.full_name());
                    if org.to_lowercase().replace('ё', "е")
                        != expected.to_lowercase().replace('ё', "е")
                    {
                        err(
                            Field::Organization,
                            &format!(
                                "for a sole proprietor it must read \"{expected}\" in full, no abbreviations"
                            ),
                        );
                    }
                }
                Some(ApplicantKind::Organisation) if proprietor_form => err(
                    Field::Organization,
                    "names a sole proprietor, but the INN has 10 digits (an organisation's); a sole proprietor's INN has 12",
                ),
                _ => {}
            }
        }

        if let Some(ogrn) = &a.ogrn {
            match (check_ogrn(ogrn), kind) {
                (Err(e), _) => err(Field::Ogrn, &e.to_string()),
                (Ok(OgrnKind::SoleProprietor), Some(ApplicantKind::Organisation)) => err(
                    Field::Ogrn,
                    "has 15 digits (an OGRNIP of a sole proprietor); an organisation's OGRN has 13",
                ),
                (Ok(OgrnKind::Organisation), Some(ApplicantKind::SoleProprietor)) => err(
                    Field::Ogrn,
                    "has 13 digits (an organisation's OGRN); a sole proprietor's OGRNIP has 15",
                ),
                (Ok(_), Some(ApplicantKind::Person)) => {
                    err(Field::Ogrn, "a private person has no OGRN: leave it empty")
                }
                _ => {}
            }
        }

        if a.document.is_empty() {
            err(
                Field::Document,
                "is required (for example: charter, power of attorney)",
            );
        }
        if a.country != "RU" {
            err(Field::Country, "must be RU (Russia)");
        }
        if a.city.is_empty() {
            err(Field::City, "is required");
        }
        if a.address.is_empty() {
            err(
                Field::Address,
                "is required: the organisation's legal address",
            );
        }
        match phone_digits(&a.phone) {
            Some(10 | 11) => {}
            _ => err(
                Field::Phone,
                "give a landline with its city code or a mobile number, for example +7 495 123-45-67",
            ),
        }
        if !email_ok(&a.email) {
            err(
                Field::Email,
                "is not a valid e-mail address; it must be right, the link to save the certificate is sent there",
            );
        }

        match kind {
            Some(kind) if errors.is_empty() => Ok(ValidApplicant { applicant: a, kind }),
            _ => Err(ApplicantErrors(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn company() -> Applicant {
        Applicant {
            surname: "Иванов".into(),
            given_name: "Иван".into(),
            patronymic: "Иванович".into(),
            legal_entity: true,
            organization: "ООО \"Ромашка\"".into(),
            inn: "7707083893".into(),
            ogrn: Some("1027700132195".into()),
            document: "Устав".into(),
            country: "RU".into(),
            region: Some("Москва".into()),
            city: "Москва".into(),
            address: "ул. Вавилова, д. 19".into(),
            phone: "+7 (495) 500-55-50".into(),
            email: "ivanov@example.ru".into(),
            title: Some("Генеральный директор".into()),
        }
    }

    fn sole_proprietor() -> Applicant {
        Applicant {
            legal_entity: true,
            organization: "Индивидуальный предприниматель Иванов Иван Иванович".into(),
            inn: "500100732259".into(),
            ogrn: Some("304500116000157".into()),
            ..company()
        }
    }

    #[test]
    fn a_company_and_a_sole_proprietor_pass() {
        assert_eq!(
            company().validate().map(|v| v.kind()),
            Ok(ApplicantKind::Organisation)
        );
        assert_eq!(
            sole_proprietor().validate().map(|v| v.kind()),
            Ok(ApplicantKind::SoleProprietor)
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = Applicant {
            surname: " ".into(),
            inn: "7707083894".into(),
            ogrn: Some("1027700132196".into()),
            phone: "12-34".into(),
            email: "ivanov@example".into(),
            country: "KZ".into(),
            ..company()
        };
        let errors = bad.validate().unwrap_err();
        for field in [
            Field::Surname,
            Field::Inn,
            Field::Ogrn,
            Field::Phone,
            Field::Email,
            Field::Country,
        ] {
            assert!(errors.has(field), "{field:?} not reported in {errors}");
        }
        assert!(
            errors
                .to_string()
                .contains("INN (inn): the check digit does not match")
        );
    }

    #[test]
    fn the_sole_proprietor_rule() {
        for org in [
            "ИП Иванов Иван Иванович",
            "Индивидуальный предприниматель Иванов И. И.",
            "Индивидуальный предприниматель Петров Иван Иванович",
        ] {
            let a = Applicant {
                organization: org.into(),
                ..sole_proprietor()
            };
            let errors = a.validate().unwrap_err();
            assert!(errors.has(Field::Organization), "{org} accepted");
        }
        let company_named_like_proprietor = Applicant {
            organization: "Индивидуальный предприниматель Иванов Иван Иванович".into(),
            ..company()
        };
        assert!(
            company_named_like_proprietor
                .validate()
                .unwrap_err()
                .has(Field::Organization)
        );
        let ogrnip_for_company = Applicant {
            ogrn: Some("304500116000157".into()),
            ..company()
        };
        assert!(ogrnip_for_company.validate().unwrap_err().has(Field::Ogrn));
    }

    #[test]
    fn reads_the_documented_json_keys() {
        let json = r#"{"surname":"Иванов","given_name":"Иван","patronymic":"Иванович",
            "legal_entity":true,"organization":"ООО \"Ромашка\"","inn":"7707083893",
            "document":"Устав","country":"RU","city":"Москва","address":"ул. Вавилова, 19",
            "phone":"+7 495 500-55-50","email":"ivanov@example.ru"}"#;
        let a: Applicant = serde_json::from_str(json).unwrap();
        assert!(a.validate().is_ok());
        let typo = json.replace("\"email\"", "\"e-mail\"");
        assert!(serde_json::from_str::<Applicant>(&typo).is_err());
    }
}
