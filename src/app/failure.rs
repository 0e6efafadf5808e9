//! What the token and the bank report, as the wizard's [`FailureKind`]s: the wizard
//! words them for the person; the technical detail is kept for support.

use cmp::status::FailureReason;

use crate::enroll::{ClientError, EnrollError};
use crate::token::TokenError;
use smartkey_wizard::FailureKind;

/// The bank's error codes (docs/bank-protocol.md, "Time limits").
const LINK_EXPIRED: i64 = 4101;
const REQUEST_EXPIRED: i64 = 4102;

/// A token failure as the wizard knows it.
pub fn token(e: &TokenError) -> FailureKind {
    use cryptoki::error::RvError;
    match e {
        TokenError::PinIncorrect { role, tries_left } => FailureKind::WrongPin {
            role: (*role),
            tries: (*tries_left),
        },
        TokenError::PinLocked { role } => FailureKind::PinLocked { role: (*role) },
        TokenError::PinLength { role, .. }
        | TokenError::PinRejected { role }
        | TokenError::PinInHistory { role }
        | TokenError::PinAgainstPolicy { role } => FailureKind::PinRefused { role: (*role) },
        TokenError::PinPolicy(p) => FailureKind::PinRefused { role: p.role() },
        TokenError::Removed | TokenError::NoToken | TokenError::NotFound { .. } => {
            FailureKind::TokenRemoved
        }
        TokenError::CertificateKeyNotOnToken | TokenError::KeyNotFound { .. } => {
            FailureKind::KeyNotOnToken
        }
        TokenError::Device {
            rv: RvError::DeviceMemory,
            ..
        } => FailureKind::TokenFull,
        other => FailureKind::Device {
            detail: other.to_string(),
        },
    }
}

/// A failure to prepare a message on the token.
pub fn enroll(e: &EnrollError) -> FailureKind {
    match e {
        EnrollError::Token(t) => token(t),
        other => FailureKind::Device {
            detail: other.to_string(),
        },
    }
}

/// A failed exchange with the bank.
pub fn bank(e: &ClientError) -> FailureKind {
    use cmp::ResponseError;
    match e {
        ClientError::Transport(t) => FailureKind::BankUnreachable {
            detail: t.to_string(),
        },
        ClientError::Response(ResponseError::BankError(refusal)) => match refusal.error_code {
            Some(LINK_EXPIRED) => FailureKind::LinkExpired,
            Some(REQUEST_EXPIRED) => FailureKind::RequestExpired,
            _ if refusal
                .status
                .failures()
                .contains(&FailureReason::BadCertId) =>
            {
                FailureKind::UnknownRequest
            }
            _ => {
                let mut reasons = refusal.details.clone();
                if reasons.is_empty() {
                    reasons.push(refusal.to_string());
                }
                FailureKind::BankRejected { reasons }
            }
        },
        other => FailureKind::BankAnswerInvalid {
            detail: other.to_string(),
        },
    }
}

/// The bank took too long to answer.
pub fn timeout(seconds: u64) -> FailureKind {
    FailureKind::BankUnreachable {
        detail: format!("no answer from the bank within {seconds} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_wizard::{PinRole, Tries};

    #[test]
    fn pin_failures_keep_their_role_and_tries() {
        let wrong = TokenError::PinIncorrect {
            role: PinRole::Admin,
            tries_left: Tries::Exactly(2),
        };
        assert_eq!(
            token(&wrong),
            FailureKind::WrongPin {
                role: PinRole::Admin,
                tries: Tries::Exactly(2)
            }
        );
        assert_eq!(
            token(&TokenError::PinLocked {
                role: PinRole::User
            }),
            FailureKind::PinLocked {
                role: PinRole::User
            }
        );
        assert_eq!(token(&TokenError::Removed), FailureKind::TokenRemoved);
        assert_eq!(
            token(&TokenError::CertificateKeyNotOnToken),
            FailureKind::KeyNotOnToken
        );
    }
}
