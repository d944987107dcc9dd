//! The default connection cap, from the process's open-file limit.

/// Files kept for everything but client connections (the database, the SPA's
/// files, outgoing requests, the listener).
const RESERVED_FILES: u64 = 128;
/// The cap when the limit is unknown or unlimited.
const FALLBACK: usize = 4096;

/// Three quarters of the open-file limit (soft `RLIMIT_NOFILE`), and at most the limit
/// less [`RESERVED_FILES`], so client connections alone never exhaust it; at least 16.
pub fn default_max_connections() -> usize {
    open_file_limit().map_or(FALLBACK, |limit| {
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
