//! Plain rules of the passkey screens: who may add one now, what a name may be, and
//! the portal's instants in Taiwan time.

use ecpa_wire::api::Principal;

use crate::failure::Failure;

/// The longest passkey name the portal keeps, in characters.
pub const NAME_MAX_CHARS: usize = 64;

/// Whether this session may add a passkey now: an employee whose session a card
/// login opened within the last 5 minutes (the portal decides; `/api/me` says).
pub fn can_add_passkey(me: Option<&Principal>) -> bool {
    matches!(
        me,
        Some(Principal::Employee {
            can_add_passkey: true,
            ..
        })
    )
}

/// A typed passkey name, trimmed: 1 to [`NAME_MAX_CHARS`] characters.
pub fn passkey_name(typed: &str) -> Result<String, Failure> {
    let name = typed.trim();
    let length = name.chars().count();
    if (1..=NAME_MAX_CHARS).contains(&length) {
        Ok(name.to_owned())
    } else {
        Err(Failure::PasskeyName)
    }
}

/// An instant the portal sent (RFC 3339) in Taiwan time; as sent when unreadable.
pub fn taipei_time(rfc3339: &str) -> String {
    ecpa_cert::rfc3339_to_unix(rfc3339).map_or_else(|| rfc3339.to_owned(), ecpa_cert::format_taipei)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use ecpa_wire::api::LoginMethod;

    fn employee(login_method: LoginMethod, can_add_passkey: bool) -> Principal {
        Principal::Employee {
            name: "王大明".into(),
            national_id_masked: "A12345****".into(),
            agency_code: "3230000".into(),
            agency_name: None,
            is_personnel_officer: false,
            login_method,
            can_add_passkey,
        }
    }

    #[test]
    fn only_a_fresh_card_session_may_add_a_passkey() {
        assert!(can_add_passkey(Some(&employee(
            LoginMethod::Certificate,
            true
        ))));
        assert!(!can_add_passkey(Some(&employee(
            LoginMethod::Certificate,
            false
        ))));
        assert!(!can_add_passkey(Some(&employee(
            LoginMethod::Password,
            false
        ))));
        assert!(!can_add_passkey(None));
    }

    #[test]
    fn names_are_trimmed_and_1_to_64_characters() {
        assert_eq!(passkey_name("  公務筆電 ").unwrap(), "公務筆電");
        assert_eq!(passkey_name(" \t"), Err(Failure::PasskeyName));
        let longest = "鍵".repeat(NAME_MAX_CHARS);
        assert_eq!(passkey_name(&longest).unwrap(), longest);
        assert_eq!(
            passkey_name(&format!("{longest}鍵")),
            Err(Failure::PasskeyName)
        );
    }

    #[test]
    fn portal_instants_are_shown_in_taiwan_time() {
        assert_eq!(taipei_time("2026-12-02T10:15:43Z"), "2026-12-02 18:15:43");
        assert_eq!(
            taipei_time("2026-12-02T16:00:00.5+00:00"),
            "2026-12-03 00:00:00"
        );
        assert_eq!(taipei_time("yesterday"), "yesterday");
    }
}
