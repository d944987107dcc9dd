//! Passkey names: what a person may call one, and what it is called otherwise.

/// Longest name, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 64;

/// The name trimmed, when it has 1 to [`MAX_NAME_CHARS`] characters and no control
/// characters.
pub fn checked_name(text: &str) -> Option<String> {
    let name = text.trim();
    let count = name.chars().count();
    ((1..=MAX_NAME_CHARS).contains(&count) && !name.chars().any(char::is_control))
        .then(|| name.to_owned())
}

/// 「通行密鑰 N」: N one more than the passkeys there are, moved on past a name in use.
pub fn default_name<'a>(taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut n = taken.clone().count() + 1;
    loop {
        let name = format!("通行密鑰 {n}");
        if !taken.clone().any(|t| t == name) {
            return name;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(checked_name("  筆電  ").as_deref(), Some("筆電"));
        assert_eq!(checked_name("   "), None);
        assert_eq!(
            checked_name(&"鑰".repeat(64)).map(|n| n.chars().count()),
            Some(64)
        );
        assert_eq!(checked_name(&"鑰".repeat(65)), None);
        assert_eq!(checked_name("a\u{0}b"), None);
    }

    #[test]
    fn the_default_name_counts_on_past_names_in_use() {
        assert_eq!(default_name([].into_iter()), "通行密鑰 1");
        assert_eq!(default_name(["手機"].into_iter()), "通行密鑰 2");
        assert_eq!(
            default_name(["通行密鑰 2", "通行密鑰 3"].into_iter()),
            "通行密鑰 4"
        );
        assert_eq!(default_name(["通行密鑰 2"].into_iter()), "通行密鑰 3");
    }
}
