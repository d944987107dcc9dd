//! The default connection cap, from the process's open-file limit.

/// Files kept for everything but client connections (the database, the SPA's
/// files, outgoing requests, the listener).
const RESERVED_FILES: u64 = 128;
/// The cap when the limit is unknown or unlimited.
const FALLBACK: usize = 4096;

/// Three quarters of the open-file limit (soft `RLIMIT_NOFILE`), and at most the limit
/// less [`RESERVED_FILES`], so client connections alone never exhaust it; at least 16.
pub fn default_max_connections() -> usize {
    cap_for(open_file_limit())
}

fn cap_for(open_file_limit: Option<u64>) -> usize {
    open_file_limit.map_or(FALLBACK, |limit| {
        let cap = (limit / 4 * 3).min(limit.saturating_sub(RESERVED_FILES));
        usize::try_from(cap.max(16)).unwrap_or(FALLBACK)
    })
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::cap_for;

    #[test]
    fn the_cap_leaves_files_for_the_process() {
        assert_eq!(cap_for(Some(20_000)), 15_000);
        assert_eq!(cap_for(Some(1024)), 768);
        // A small limit: the reserve decides, then the floor.
        assert_eq!(cap_for(Some(200)), 72);
        assert_eq!(cap_for(Some(100)), 16);
        assert_eq!(cap_for(None), 4096);
    }
}
