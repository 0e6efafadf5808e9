//! A session on one token: login, PIN changes, and the entry point to keys and
//! certificates.

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};

use super::error::TokenError;
use super::info::TokenInfo;
use super::module::{Module, ck_error};
use super::vendor::CallError;
use smartkey_wizard::{Pin, PinRole, check_new_pin};

/// An open read-write session on a token. Dropping it closes the session, which also
/// ends any login on it.
pub struct TokenSession<'m> {
    module: &'m Module,
    token: TokenInfo,
    session: Session,
}

/// What Rutoken's own PIN return codes mean (rtpkcs11t.h), if `code` is one of them.
fn vendor_pin_error(role: PinRole, code: cryptoki_sys::CK_RV) -> Option<TokenError> {
    match code {
        rutoken_sys::CKR_PIN_IN_HISTORY => Some(TokenError::PinInHistory { role }),
        rutoken_sys::CKR_INAPPROPRIATE_PIN => Some(TokenError::PinAgainstPolicy { role }),
        _ => None,
    }
}

fn user_type(role: PinRole) -> UserType {
    match role {
        PinRole::User => UserType::User,
        PinRole::Admin => UserType::So,
    }
}

impl Module {
    /// Opens a read-write session on `token`.
    pub fn open(&self, token: &TokenInfo) -> Result<TokenSession<'_>, TokenError> {
        let session = self.open_rw(token)?;
        Ok(TokenSession::new(self, token.clone(), session))
    }
}

impl<'m> TokenSession<'m> {
    pub(crate) fn new(module: &'m Module, token: TokenInfo, session: Session) -> Self {
        TokenSession {
            module,
            token,
            session,
        }
    }

    /// The token as it was when the session was opened (see [`Self::refresh`]).
    pub fn token(&self) -> &TokenInfo {
        &self.token
    }

    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    /// Direct calls for the GOST mechanisms and attributes cryptoki cannot name.
    pub(crate) fn vendor(&self) -> &super::vendor::VendorCalls {
        self.module.vendor()
    }

    /// Reads the token's information again (PIN state changes after logins).
    pub fn refresh(&mut self) -> Result<&TokenInfo, TokenError> {
        self.token = self.module.token_info(self.token.slot_handle)?;
        Ok(&self.token)
    }

    /// Maps a failed call on this session. A lost session whose token is no longer in
    /// its slot is a removal, whatever code the module chose to report it with.
    pub(crate) fn fail(&self, operation: &'static str, e: impl Into<CallError>) -> TokenError {
        let e = match e.into() {
            CallError::Ck(e) => e,
            CallError::Implausible(what) => return TokenError::Implausible { operation, what },
        };
        let lost = matches!(
            e,
            CkError::Pkcs11(
                RvError::SessionHandleInvalid | RvError::SessionClosed | RvError::DeviceError,
                _
            )
        );
        if lost && !self.module.token_present(self.token.slot_handle) {
            return TokenError::Removed;
        }
        ck_error(operation, e)
    }

    /// Maps a failed PIN operation to what it means for the person typing the PIN.
    fn pin_failure(&mut self, role: PinRole, operation: &'static str, e: CkError) -> TokenError {
        match e {
            CkError::Pkcs11(RvError::PinIncorrect, _) => {
                let tries_left = match self.refresh() {
                    Ok(info) => info.pin(role).tries_left(),
                    Err(e) => return e,
                };
                if matches!(tries_left, smartkey_wizard::Tries::Exactly(0)) {
                    TokenError::PinLocked { role }
                } else {
                    TokenError::PinIncorrect { role, tries_left }
                }
            }
            CkError::Pkcs11(RvError::PinLocked, _) => TokenError::PinLocked { role },
            CkError::Pkcs11(RvError::PinLenRange, _) => TokenError::PinLength {
                role,
                min: self.token.pin_limits.min,
                max: self.token.pin_limits.max,
            },
            CkError::Pkcs11(RvError::PinInvalid | RvError::PinTooWeak, _) => {
                TokenError::PinRejected { role }
            }
            CkError::Pkcs11(RvError::VendorDefined(code), function) => {
                match vendor_pin_error(role, code) {
                    Some(e) => e,
                    None => self.fail(
                        operation,
                        CkError::Pkcs11(RvError::VendorDefined(code), function),
                    ),
                }
            }
            e => self.fail(operation, e),
        }
    }

    /// Logs in as the user (PIN) or the security officer (admin PIN). One call is one
    /// attempt: a wrong PIN is reported with the tries left, never retried.
    pub fn login(&mut self, role: PinRole, pin: &Pin) -> Result<(), TokenError> {
        match self.session.login(user_type(role), Some(pin.auth())) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
            Err(e) => Err(self.pin_failure(role, "logging in", e)),
        }
    }

    /// Ends the login of this session (and of the application's other sessions).
    pub fn logout(&self) -> Result<(), TokenError> {
        match self.session.logout() {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserNotLoggedIn, _)) => Ok(()),
            Err(e) => Err(self.fail("logging out", e)),
        }
    }

    /// Changes the PIN of `role` from `current` to `new`.
    ///
    /// The policy (length within the token's limits, not a factory default, different
    /// from the current PIN, confirmation equal) is checked first; a refused PIN never
    /// reaches the token and costs no try. Then the role logs in with `current` (one
    /// attempt) and C_SetPIN sets the new PIN.
    pub fn change_pin(
        &mut self,
        role: PinRole,
        current: &Pin,
        new: Pin,
        confirmation: &Pin,
    ) -> Result<(), TokenError> {
        let new = check_new_pin(role, current, new, confirmation, self.token.pin_limits)?;
        self.login(role, current)?;
        let result = self.session.set_pin(current.auth(), new.pin().auth());
        let result = match result {
            Ok(()) => Ok(()),
            Err(e) => Err(self.pin_failure(role, "changing the PIN", e)),
        };
        let logout = self.logout();
        result?;
        logout?;
        self.refresh()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rutoken_pin_codes_are_words() {
        let history = vendor_pin_error(PinRole::User, rutoken_sys::CKR_PIN_IN_HISTORY);
        assert!(matches!(
            history,
            Some(TokenError::PinInHistory {
                role: PinRole::User
            })
        ));
        let policy = vendor_pin_error(PinRole::Admin, rutoken_sys::CKR_INAPPROPRIATE_PIN);
        assert!(matches!(
            policy,
            Some(TokenError::PinAgainstPolicy {
                role: PinRole::Admin
            })
        ));
        assert!(
            vendor_pin_error(PinRole::User, rutoken_sys::CKR_CERT_CHAIN_NOT_VERIFIED).is_none()
        );
        for e in [history, policy].into_iter().flatten() {
            let text = e.to_string();
            assert!(!text.contains("0x") && !text.contains("CKR_"), "{text}");
        }
        let words = crate::token::error::describe_rv(RvError::VendorDefined(
            rutoken_sys::CKR_PIN_IN_HISTORY,
        ));
        assert_eq!(words, "the token had this PIN before and refuses it again");
    }
}
