//! C_Login that always checks the PIN it is given.
//!
//! PKCS#11 keeps the login per token for the whole process: when an earlier
//! operation left the token logged in, C_Login answers
//! CKR_USER_ALREADY_LOGGED_IN without looking at the PIN. Taking that as success
//! would let any PIN sign, so the token is logged out and asked again.

use crate::AgentError;
use crate::card::CardPin;

/// What C_Login answered.
#[derive(Debug)]
pub enum LoginAnswer {
    LoggedIn,
    /// CKR_USER_ALREADY_LOGGED_IN: the PIN was not checked.
    AlreadyLoggedIn,
    Refused(AgentError),
}

/// One token session's C_Login and C_Logout.
pub trait TokenLogin {
    fn login(&self, pin: &CardPin) -> LoginAnswer;
    fn logout(&self) -> Result<(), AgentError>;
}

/// Logs in with `pin` so that the token checks it: a token already logged in is
/// logged out and asked again, and refused if it still will not check the PIN.
pub fn log_in(token: &impl TokenLogin, pin: &CardPin) -> Result<(), AgentError> {
    match token.login(pin) {
        LoginAnswer::LoggedIn => return Ok(()),
        LoginAnswer::Refused(e) => return Err(e),
        LoginAnswer::AlreadyLoggedIn => {}
    }
    tracing::warn!("the token was already logged in; logging out to check the PIN");
    token.logout()?;
    match token.login(pin) {
        LoginAnswer::LoggedIn => Ok(()),
        LoginAnswer::Refused(e) => Err(e),
        LoginAnswer::AlreadyLoggedIn => Err(AgentError::Card(
            "the token stays logged in after C_Logout".into(),
        )),
    }
}
