//! Field checks of the application form (N2.3) and the contacts (R2.4), one problem per
//! field, as data.
//!
//! The rules are those of [`Applicant::validate`], which stays the final word: the form
//! goes on only when it passes. They are repeated here field by field because
//! `validate` words its problems in English text, and a person reading Russian needs
//! them typed, to be worded by the catalogue.

use crate::applicant::Applicant;
use crate::applicant::{SOLE_PROPRIETOR_PREFIX, email_ok, is_name_char, phone_digits};
use crate::cities::CityIndex;
use crate::field::FieldId;
use crate::problems::FieldProblem;
use ru_ids::{IdError, InnKind, check_inn};

const NAME_MAX: usize = 64;
const ORGANIZATION_MAX: usize = 255;

fn name(value: &str, required: bool) -> Option<FieldProblem> {
    if value.is_empty() {
        required.then_some(FieldProblem::Required)
    } else if !value.chars().all(is_name_char) {
        Some(FieldProblem::NameCharacters)
    } else if value.chars().count() > NAME_MAX {
        Some(FieldProblem::TooLong {
            max: NAME_MAX as u32,
        })
    } else {
        None
    }
}

/// A landline with its city code or a mobile: 10 or 11 digits, with `+ ( ) -` and spaces.
pub fn phone(value: &str) -> Option<FieldProblem> {
    (!matches!(phone_digits(value.trim()), Some(10 | 11))).then_some(FieldProblem::Phone)
}

/// An e-mail address the bank's link can reach.
pub fn email(value: &str) -> Option<FieldProblem> {
    (!email_ok(value.trim())).then_some(FieldProblem::Email)
}

fn folded(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// Every problem of the form, field by field, in the form's order.
pub fn form(applicant: &Applicant, cities: &CityIndex) -> Vec<(FieldId, FieldProblem)> {
    let a = applicant.tidied();
    let mut problems = Vec::new();
    let mut add = |field, problem: Option<FieldProblem>| {
        if let Some(p) = problem {
            problems.push((field, p));
        }
    };
    add(FieldId::Surname, name(&a.surname, true));
    add(FieldId::GivenName, name(&a.given_name, true));
    add(FieldId::Patronymic, name(&a.patronymic, false));

    let inn = match check_inn(&a.inn) {
        Ok(kind) => Some(kind),
        Err(e) => {
            add(
                FieldId::Inn,
                Some(match e {
                    IdError::NotDigits if a.inn.is_empty() => FieldProblem::Required,
                    IdError::Length { got: 0, .. } => FieldProblem::Required,
                    IdError::NotDigits => FieldProblem::InnNotDigits,
                    IdError::Length { got, .. } => FieldProblem::InnLength {
                        got: u32::try_from(got).unwrap_or(u32::MAX),
                    },
                    IdError::CheckDigit => FieldProblem::InnCheckDigit,
                }),
            );
            None
        }
    };
    if !a.legal_entity && inn == Some(InnKind::Organisation) {
        add(FieldId::Inn, Some(FieldProblem::InnNeedsLegalEntity));
    }

    let org = &a.organization;
    let abbreviated =
        org.starts_with("ИП ") || org == "ИП" || org.to_lowercase().starts_with("инд. ");
    let proprietor_form = folded(org).starts_with(&folded(SOLE_PROPRIETOR_PREFIX));
    let org_problem = if a.legal_entity && org.is_empty() {
        Some(FieldProblem::Required)
    } else if org.chars().count() > ORGANIZATION_MAX {
        Some(FieldProblem::TooLong {
            max: ORGANIZATION_MAX as u32,
        })
    } else if abbreviated {
        Some(FieldProblem::Abbreviated)
    } else {
        match (a.legal_entity, inn) {
            (true, Some(InnKind::Person)) => {
                let expected = format!("{SOLE_PROPRIETOR_PREFIX} {}", a.full_name());
                (folded(org) != folded(&expected))
                    .then_some(FieldProblem::SoleProprietorName { expected })
            }
            (true, Some(InnKind::Organisation)) if proprietor_form => {
                Some(FieldProblem::ProprietorNameWithCompanyInn)
            }
            _ => None,
        }
    };
    add(FieldId::Organization, org_problem);

    add(
        FieldId::Document,
        a.document.is_empty().then_some(FieldProblem::Required),
    );
    add(
        FieldId::Country,
        (a.country != "RU").then_some(FieldProblem::Country),
    );
    let city = if a.city.is_empty() {
        Some(FieldProblem::Required)
    } else if !cities.is_empty() && cities.find(&a.city).is_none() {
        Some(FieldProblem::CityNotInList)
    } else {
        None
    };
    add(FieldId::City, city);
    add(
        FieldId::Address,
        a.address.is_empty().then_some(FieldProblem::Required),
    );
    add(FieldId::Phone, phone(&a.phone));
    add(FieldId::Email, email(&a.email));
    problems
}

/// The form field a field of [`crate::applicant::Field`] is entered in.
pub fn field_id(field: crate::applicant::Field) -> Option<FieldId> {
    use crate::applicant::Field;
    Some(match field {
        Field::Surname => FieldId::Surname,
        Field::GivenName => FieldId::GivenName,
        Field::Patronymic => FieldId::Patronymic,
        Field::Organization => FieldId::Organization,
        Field::Inn => FieldId::Inn,
        Field::Document => FieldId::Document,
        Field::Country => FieldId::Country,
        Field::City => FieldId::City,
        Field::Address => FieldId::Address,
        Field::Phone => FieldId::Phone,
        Field::Email => FieldId::Email,
        Field::Ogrn | Field::Region | Field::Title => return None,
    })
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
            ogrn: None,
            document: "Устав".into(),
            country: "RU".into(),
            region: None,
            city: "Москва".into(),
            address: "ул. Вавилова, д. 19".into(),
            phone: "+7 (495) 500-55-50".into(),
            email: "ivanov@example.ru".into(),
            title: None,
        }
    }

    fn problems(a: &Applicant) -> Vec<(FieldId, FieldProblem)> {
        form(a, &CityIndex::default())
    }

    /// The field checks agree with `Applicant::validate` on which fields are wrong.
    #[test]
    fn agrees_with_validate() {
        let proprietor = Applicant {
            organization: "Индивидуальный предприниматель Иванов Иван Иванович".into(),
            inn: "500100732259".into(),
            ..company()
        };
        let cases = vec![
            company(),
            proprietor.clone(),
            Applicant {
                organization: "ИП Иванов Иван Иванович".into(),
                ..proprietor.clone()
            },
            Applicant {
                organization: "Индивидуальный предприниматель Петров".into(),
                ..proprietor.clone()
            },
            Applicant {
                organization: "Индивидуальный предприниматель Иванов Иван Иванович".into(),
                ..company()
            },
            Applicant {
                legal_entity: false,
                ..company()
            },
            Applicant {
                surname: "Ivanov1".into(),
                given_name: String::new(),
                inn: "7707083894".into(),
                phone: "12".into(),
                email: "x@y".into(),
                country: "KZ".into(),
                document: " ".into(),
                address: String::new(),
                city: String::new(),
                ..company()
            },
            Applicant {
                inn: "77070838".into(),
                patronymic: "О'Коннор-Ли".into(),
                ..company()
            },
            Applicant {
                inn: "77070838a3".into(),
                organization: "x".repeat(300),
                ..company()
            },
            Applicant::default(),
        ];
        for a in cases {
            let mine: Vec<FieldId> = problems(&a).into_iter().map(|(f, _)| f).collect();
            let theirs: Vec<FieldId> = match a.validate() {
                Ok(_) => Vec::new(),
                Err(e) => e.0.iter().filter_map(|e| field_id(e.field)).collect(),
            };
            let mut mine_sorted = mine.clone();
            mine_sorted.sort();
            mine_sorted.dedup();
            let mut theirs_sorted = theirs.clone();
            theirs_sorted.sort();
            theirs_sorted.dedup();
            assert_eq!(mine_sorted, theirs_sorted, "{a:?}");
        }
    }

    #[test]
    fn words_each_problem_by_kind() {
        let a = Applicant {
            organization: "Индивидуальный предприниматель Петров".into(),
            inn: "500100732259".into(),
            ..company()
        };
        assert_eq!(
            problems(&a),
            vec![(
                FieldId::Organization,
                FieldProblem::SoleProprietorName {
                    expected: "Индивидуальный предприниматель Иванов Иван Иванович".into()
                }
            )]
        );
        let a = Applicant {
            inn: "7707083894".into(),
            ..company()
        };
        assert_eq!(
            problems(&a),
            vec![(FieldId::Inn, FieldProblem::InnCheckDigit)]
        );
        let a = Applicant {
            inn: "770708".into(),
            ..company()
        };
        assert_eq!(
            problems(&a),
            vec![(FieldId::Inn, FieldProblem::InnLength { got: 6 })]
        );
    }

    #[test]
    fn a_city_must_come_from_the_list_when_there_is_one() {
        let cities =
            CityIndex::from_csv("city,population\nМосква,100\nКоролёв,10\n").expect("reads");
        let a = Applicant {
            city: "Королев".into(),
            ..company()
        };
        assert!(form(&a, &cities).is_empty());
        let a = Applicant {
            city: "Атлантида".into(),
            ..company()
        };
        assert_eq!(
            form(&a, &cities),
            vec![(FieldId::City, FieldProblem::CityNotInList)]
        );
    }
}
