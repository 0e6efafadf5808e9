//! Russian registration numbers and their check digits: INN (taxpayer number, 10 digits
//! for a company, 12 for a person or sole proprietor) and OGRN / OGRNIP (state
//! registration number, 13 digits for a company, 15 for a sole proprietor).
//!
//! The algorithms are those of the Federal Tax Service: weighted sums modulo 11 for INN,
//! the number without its last digit modulo 11 (OGRN) or 13 (OGRNIP) for OGRN.
//!
//! A crate of its own because both sides check the same numbers: the wizard when the
//! applicant types them, the bank's CA when it reads them from a certificate request.

/// Why a number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must hold digits only")]
    NotDigits,
    #[error("must have {expected} digits, not {got}")]
    Length { expected: &'static str, got: usize },
    #[error(
        "the check digit does not match: a digit is mistyped; copy the number again from the registration document"
    )]
    CheckDigit,
}

fn digits(text: &str) -> Result<Vec<u32>, IdError> {
    text.chars()
        .map(|c| c.to_digit(10).ok_or(IdError::NotDigits))
        .collect()
}

fn weighted_check(d: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = d.iter().zip(weights).map(|(a, w)| a * w).sum();
    sum % 11 % 10
}

/// What kind of taxpayer an INN belongs to, by its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InnKind {
    /// 10 digits: an organisation (a legal entity).
    Organisation,
    /// 12 digits: a person, including a sole proprietor.
    Person,
}

/// Checks an INN of either length.
pub fn check_inn(text: &str) -> Result<InnKind, IdError> {
    let d = digits(text)?;
    match d.len() {
        10 => {
            let c = weighted_check(&d[..9], &[2, 4, 10, 3, 5, 9, 4, 6, 8]);
            if c == d[9] {
                Ok(InnKind::Organisation)
            } else {
                Err(IdError::CheckDigit)
            }
        }
        12 => {
            let c11 = weighted_check(&d[..10], &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
            let c12 = weighted_check(&d[..11], &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
            if c11 == d[10] && c12 == d[11] {
                Ok(InnKind::Person)
            } else {
                Err(IdError::CheckDigit)
            }
        }
        got => Err(IdError::Length {
            expected: "10 (organisation) or 12 (person)",
            got,
        }),
    }
}

/// What kind of registrant an OGRN belongs to, by its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OgrnKind {
    /// 13 digits: OGRN of an organisation.
    Organisation,
    /// 15 digits: OGRNIP of a sole proprietor.
    SoleProprietor,
}

/// Checks an OGRN (13 digits) or OGRNIP (15 digits).
pub fn check_ogrn(text: &str) -> Result<OgrnKind, IdError> {
    let d = digits(text)?;
    let (kind, modulus) = match d.len() {
        13 => (OgrnKind::Organisation, 11u64),
        15 => (OgrnKind::SoleProprietor, 13u64),
        got => {
            return Err(IdError::Length {
                expected: "13 (OGRN) or 15 (OGRNIP)",
                got,
            });
        }
    };
    let body = d[..d.len() - 1]
        .iter()
        .fold(0u64, |acc, x| acc * 10 + u64::from(*x));
    let check = (body % modulus % 10) as u32;
    if check == d[d.len() - 1] {
        Ok(kind)
    } else {
        Err(IdError::CheckDigit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_numbers() {
        // Published registration numbers of well-known organisations and a sample person.
        assert_eq!(check_inn("7707083893"), Ok(InnKind::Organisation));
        assert_eq!(check_inn("7736207543"), Ok(InnKind::Organisation));
        assert_eq!(check_inn("500100732259"), Ok(InnKind::Person));
        assert_eq!(check_ogrn("1027700132195"), Ok(OgrnKind::Organisation));
        assert_eq!(check_ogrn("1027700229193"), Ok(OgrnKind::Organisation));
        assert_eq!(check_ogrn("304500116000157"), Ok(OgrnKind::SoleProprietor));
    }

    #[test]
    fn refuses_a_changed_digit_anywhere() {
        for good in ["7707083893", "500100732259"] {
            for i in 0..good.len() {
                let mut bad: Vec<char> = good.chars().collect();
                bad[i] = char::from_digit((bad[i].to_digit(10).unwrap() + 1) % 10, 10).unwrap();
                let bad: String = bad.into_iter().collect();
                assert_eq!(check_inn(&bad), Err(IdError::CheckDigit), "{bad}");
            }
        }
        assert_eq!(check_ogrn("1027700132196"), Err(IdError::CheckDigit));
        assert_eq!(check_ogrn("304500116000158"), Err(IdError::CheckDigit));
    }

    #[test]
    fn refuses_wrong_lengths_and_letters() {
        assert!(matches!(
            check_inn("770708389"),
            Err(IdError::Length { got: 9, .. })
        ));
        assert_eq!(check_inn("770708389O"), Err(IdError::NotDigits));
        assert!(matches!(
            check_ogrn("10277001321"),
            Err(IdError::Length { got: 11, .. })
        ));
    }
}
