//! Adding a passkey needs a fresh card login: a passkey inherits the card's assurance,
//! never a password's or another passkey's.

use ecpa_wire::api::LoginMethod;
use ecpa_wire::{ErrorCode, NationalId};

use super::principal::stored_national_id;
use crate::PortalError;
use crate::db::{SessionKind, SessionRow};

/// How long after a card login a passkey may be added.
pub const STEP_UP_SECONDS: i64 = 5 * 60;

/// True when `session` is an employee session a citizen card opened at most
/// [`STEP_UP_SECONDS`] before `now` (Unix seconds).
pub fn is_fresh_card_login(session: &SessionRow, now: i64) -> bool {
    let age = now - session.created_at;
    session.kind == SessionKind::Employee
        && session.login_method == Some(LoginMethod::Certificate)
        && session.registration_id.is_some()
        && (0..=STEP_UP_SECONDS).contains(&age)
}

/// A session's employee and the card registration that logged them in, when it may add
/// a passkey now: no login is `UNAUTHENTICATED`, any other login
/// `PASSKEY_STEP_UP_REQUIRED`.
pub fn card_step_up(
    session: Option<&SessionRow>,
    now: i64,
) -> Result<(NationalId, i64), PortalError> {
    let session = session
        .filter(|s| s.kind != SessionKind::Anonymous)
        .ok_or(ErrorCode::UNAUTHENTICATED)?;
    match session.registration_id {
        Some(registration_id) if is_fresh_card_login(session, now) => Ok((
            stored_national_id(session.national_id.as_deref())?,
            registration_id,
        )),
        _ => Err(ErrorCode::PASSKEY_STEP_UP_REQUIRED.into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn session(kind: SessionKind, method: Option<LoginMethod>) -> SessionRow {
        SessionRow {
            token_hash: "00".repeat(32),
            kind,
            national_id: Some("A123456789".into()),
            registration_id: Some(7),
            login_method: method,
            passkey_id: None,
            created_at: 1_000,
            expires_at: 1_000 + 8 * 3600,
        }
    }

    #[test]
    fn only_a_card_login_within_five_minutes_steps_up() {
        let card = session(SessionKind::Employee, Some(LoginMethod::Certificate));
        assert!(is_fresh_card_login(&card, 1_000));
        assert!(is_fresh_card_login(&card, 1_300));
        assert!(!is_fresh_card_login(&card, 1_301));
        assert!(!is_fresh_card_login(&card, 999));
        for method in [LoginMethod::Password, LoginMethod::Passkey] {
            assert!(!is_fresh_card_login(
                &session(SessionKind::Employee, Some(method)),
                1_000
            ));
        }
        let organization = session(SessionKind::Organization, Some(LoginMethod::Certificate));
        assert!(!is_fresh_card_login(&organization, 1_000));
    }

    #[test]
    fn refusals_name_what_is_missing() {
        let code = |r: Result<(NationalId, i64), PortalError>| r.unwrap_err().code();
        assert_eq!(code(card_step_up(None, 0)), ErrorCode::UNAUTHENTICATED);
        let anonymous = session(SessionKind::Anonymous, None);
        assert_eq!(
            code(card_step_up(Some(&anonymous), 1_000)),
            ErrorCode::UNAUTHENTICATED
        );
        let password = session(SessionKind::Employee, Some(LoginMethod::Password));
        assert_eq!(
            code(card_step_up(Some(&password), 1_000)),
            ErrorCode::PASSKEY_STEP_UP_REQUIRED
        );
        let card = session(SessionKind::Employee, Some(LoginMethod::Certificate));
        let (id, registration) = card_step_up(Some(&card), 1_100).unwrap();
        assert_eq!((id.as_str(), registration), ("A123456789", 7));
    }
}
