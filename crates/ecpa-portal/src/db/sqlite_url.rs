//! `sqlite://FILE` creates FILE when it does not exist, as a new operator expects;
//! sqlx opens an SQLite URL read-write without creating unless the URL says `mode=rwc`.

use std::borrow::Cow;

/// Whether an SQLite `url` names an in-memory database rather than a file.
pub fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// `url` with `mode=rwc` added when it names an SQLite file and sets no `mode`.
pub fn creating(url: &str) -> Cow<'_, str> {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Cow::Borrowed(url);
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let sets_mode = query.split('&').any(|pair| pair.starts_with("mode="));
    if sets_mode || path.trim_start_matches('/').is_empty() || in_memory(path) {
        return Cow::Borrowed(url);
    }
    let separator = if query.is_empty() { "?" } else { "&" };
    let separator = if url.ends_with('?') || url.ends_with('&') {
        ""
    } else {
        separator
    };
    Cow::Owned(format!("{url}{separator}mode=rwc"))
}

#[cfg(test)]
mod tests {
    use super::creating;

    #[test]
    fn a_file_url_without_a_mode_creates_the_file() {
        let cases = [
            ("sqlite://ecpa.db", "sqlite://ecpa.db?mode=rwc"),
            (
                "sqlite:///var/lib/ecpa/ecpa.db",
                "sqlite:///var/lib/ecpa/ecpa.db?mode=rwc",
            ),
            ("sqlite:ecpa.db", "sqlite:ecpa.db?mode=rwc"),
            (
                "sqlite://ecpa.db?cache=shared",
                "sqlite://ecpa.db?cache=shared&mode=rwc",
            ),
            ("sqlite://ecpa.db?", "sqlite://ecpa.db?mode=rwc"),
            ("sqlite://ecpa.db?mode=rwc", "sqlite://ecpa.db?mode=rwc"),
            ("sqlite://ecpa.db?mode=ro", "sqlite://ecpa.db?mode=ro"),
            ("sqlite::memory:", "sqlite::memory:"),
            ("sqlite://:memory:", "sqlite://:memory:"),
            (
                "postgres://ecpa@localhost/ecpa",
                "postgres://ecpa@localhost/ecpa",
            ),
        ];
        for (given, used) in cases {
            assert_eq!(creating(given), used, "{given}");
        }
    }
}
