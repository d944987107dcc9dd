//! SoftHSM2, the software token that plays the smart card: where Debian installs its
//! PKCS#11 module, and private token stores (a configuration file and a token
//! directory of their own), so that the demo and every test keep their tokens apart.

use std::path::{Path, PathBuf};

/// Where Debian's softhsm2 package puts the module.
const MODULE_PATHS: [&str; 2] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
];

/// Name of the configuration file in a token store's directory.
pub const CONF_FILE: &str = "softhsm2.conf";

/// The installed SoftHSM2 PKCS#11 module, if there is one.
pub fn installed_module() -> Option<PathBuf> {
    MODULE_PATHS.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// A SoftHSM2 configuration keeping its tokens in `token_dir`.
pub fn conf_text(token_dir: &Path) -> String {
    format!(
        "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
        token_dir.display()
    )
}

/// Makes `dir/tokens` and `dir/softhsm2.conf` naming it (an existing configuration is
/// kept); returns the configuration's path, for `SOFTHSM2_CONF`.
pub fn create_token_store(dir: &Path) -> std::io::Result<PathBuf> {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens)?;
    let conf = dir.join(CONF_FILE);
    if !conf.is_file() {
        std::fs::write(&conf, conf_text(&tokens.canonicalize()?))?;
    }
    Ok(conf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_store_names_its_own_token_directory_and_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let conf = create_token_store(dir.path()).unwrap();
        let tokens = dir.path().join("tokens").canonicalize().unwrap();
        assert_eq!(std::fs::read_to_string(&conf).unwrap(), conf_text(&tokens));
        std::fs::write(&conf, "directories.tokendir = /elsewhere\n").unwrap();
        assert_eq!(create_token_store(dir.path()).unwrap(), conf);
        assert_eq!(
            std::fs::read_to_string(&conf).unwrap(),
            "directories.tokendir = /elsewhere\n"
        );
    }
}
