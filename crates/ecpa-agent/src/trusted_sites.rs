//! The sites the user has trusted: one origin a line in a text file (SPEC §8).

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::sync::RwLock;

use crate::AgentError;

/// A web origin `scheme://host[:port]`, lower-case, default port left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    /// Reads `http(s)://host[:port]` (a trailing `/` is allowed), or a bare
    /// `host[:port]`, which means `https://host[:port]`.
    pub fn parse(input: &str) -> Option<Self> {
        let text = input.trim().trim_end_matches('/').to_ascii_lowercase();
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme @ ("http" | "https"), rest)) => (scheme, rest),
            Some(_) => return None,
            None => ("https", text.as_str()),
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port.parse::<u16>().ok()?)),
            None => (rest, None),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && !host.starts_with(['.', '-'])
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !host_ok {
            return None;
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        Some(match port {
            Some(p) if p != default_port => Self(format!("{scheme}://{host}:{p}")),
            _ => Self(format!("{scheme}://{host}")),
        })
    }

    /// Reads an `Origin` header or `event.origin`: the scheme is required.
    pub fn parse_header(value: &str) -> Option<Self> {
        if value.contains("://") {
            Self::parse(value)
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for an origin a user may add to the trusted list: `https://`, or plain
    /// `http://` only on this computer (`localhost`, `127.0.0.1`), for development.
    pub fn may_be_trusted(&self) -> bool {
        if self.0.starts_with("https://") {
            return true;
        }
        let Some(rest) = self.0.strip_prefix("http://") else {
            return false;
        };
        let host = rest.rsplit_once(':').map_or(rest, |(host, _)| host);
        matches!(host, "localhost" | "127.0.0.1")
    }
}

/// The per-user trusted-sites file: `$XDG_CONFIG_HOME/ecpa-agent/trusted-sites`, or
/// `$HOME/.config/ecpa-agent/trusted-sites`; `None` when neither is set (an empty or
/// relative value is not used, as the XDG base directory rules say).
pub fn default_trusted_sites_file(
    xdg_config_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    let absolute = |value: Option<OsString>| value.map(PathBuf::from).filter(|p| p.is_absolute());
    let config = absolute(xdg_config_home).or_else(|| absolute(home).map(|h| h.join(".config")))?;
    Some(config.join("ecpa-agent").join("trusted-sites"))
}

/// The trusted origins, kept in memory and appended to their file.
#[derive(Debug)]
pub struct TrustedSites {
    file: Option<PathBuf>,
    origins: RwLock<Vec<Origin>>,
}

impl TrustedSites {
    /// Reads the file (a missing file is an empty list); lines that are not an
    /// origin are skipped with a warning.
    pub fn load(file: PathBuf) -> Result<Self, AgentError> {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(AgentError::TrustedSitesFile(e)),
        };
        let mut origins = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match Origin::parse(line) {
                Some(origin) if !origins.contains(&origin) => origins.push(origin),
                Some(_) => {}
                None => tracing::warn!(line, "skipping a trusted-sites line that is not an origin"),
            }
        }
        Ok(Self {
            file: Some(file),
            origins: RwLock::new(origins),
        })
    }

    /// A list that lives only in memory.
    pub fn in_memory(origins: Vec<Origin>) -> Self {
        Self {
            file: None,
            origins: RwLock::new(origins),
        }
    }

    /// True when the `Origin` header value is a trusted site. A header always
    /// names its scheme: `null` or a bare host never matches.
    pub fn contains(&self, origin: &str) -> bool {
        let Some(origin) = Origin::parse_header(origin) else {
            return false;
        };
        self.list().contains(&origin)
    }

    pub fn list(&self) -> Vec<Origin> {
        self.origins.read().map(|o| o.clone()).unwrap_or_default()
    }

    /// Trusts `origin` from now on and appends it to the file.
    pub fn add(&self, origin: Origin) -> Result<(), AgentError> {
        let mut origins = self
            .origins
            .write()
            .map_err(|_| AgentError::Card("trusted sites lock poisoned".into()))?;
        if origins.contains(&origin) {
            return Ok(());
        }
        if let Some(file) = &self.file {
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(AgentError::TrustedSitesFile)?;
            }
            let mut out = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .map_err(AgentError::TrustedSitesFile)?;
            writeln!(out, "{}", origin.as_str()).map_err(AgentError::TrustedSitesFile)?;
        }
        origins.push(origin);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> Option<String> {
        Origin::parse(s).map(|o| o.0)
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            parsed("ecpa.dgpa.gov.tw"),
            Some("https://ecpa.dgpa.gov.tw".into())
        );
        assert_eq!(
            parsed("http://localhost:8080/"),
            Some("http://localhost:8080".into())
        );
        assert_eq!(
            parsed("HTTPS://Example.ORG:443"),
            Some("https://example.org".into())
        );
        assert_eq!(
            parsed("http://example.org:80"),
            Some("http://example.org".into())
        );
    }

    #[test]
    fn non_origins_are_refused() {
        for bad in [
            "",
            "ftp://example.org",
            "javascript:alert(1)",
            "https://example.org/path",
            "https://user@example.org",
            "https://example.org:99999",
            "https://exa mple.org",
            "https://<script>",
        ] {
            assert_eq!(parsed(bad), None, "{bad}");
        }
        assert_eq!(Origin::parse_header("null"), None);
        assert_eq!(Origin::parse_header("localhost:8080"), None);
    }

    #[test]
    fn the_default_file_is_per_user() {
        let file = |xdg: Option<&str>, home: Option<&str>| {
            default_trusted_sites_file(xdg.map(Into::into), home.map(Into::into))
        };
        assert_eq!(
            file(Some("/x/config"), Some("/home/u")),
            Some(PathBuf::from("/x/config/ecpa-agent/trusted-sites"))
        );
        assert_eq!(
            file(None, Some("/home/u")),
            Some(PathBuf::from("/home/u/.config/ecpa-agent/trusted-sites"))
        );
        assert_eq!(
            file(Some(""), Some("/home/u")),
            Some(PathBuf::from("/home/u/.config/ecpa-agent/trusted-sites"))
        );
        assert_eq!(
            file(Some("relative"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.config/ecpa-agent/trusted-sites"))
        );
        assert_eq!(file(None, None), None);
        assert_eq!(file(None, Some("")), None);
    }

    #[test]
    fn file_round_trip() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { return };
        let file = dir.path().join("trusted.txt");
        std::fs::write(&file, "http://localhost:8080\nnot an origin\n").unwrap_or_default();
        let sites = TrustedSites::load(file.clone());
        assert!(
            sites
                .as_ref()
                .is_ok_and(|s| s.contains("http://localhost:8080"))
        );
        if let (Ok(sites), Some(new)) = (sites, Origin::parse("ecpa.example")) {
            assert!(sites.add(new).is_ok());
            assert!(sites.contains("https://ecpa.example"));
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(text.ends_with("https://ecpa.example\n"), "{text}");
    }
}
