//! The demo PKI: a root and two issuing CAs shaped like MOICA and the GCA.

use std::path::Path;

use rsa::rand_core::CryptoRngCore;
use time::{Duration, OffsetDateTime};

use super::ca::CaProfile;
use super::encoding::{
    COMMON_NAME, COUNTRY, ORGANIZATION, ORGANIZATIONAL_UNIT, name, printable, utf8,
};
use super::{Ca, CaKey, PkiError};

/// The CA keys' algorithm: RSA like GRCA G1–G3 and the CAs under them, or P-384 like
/// the GTestCA G4 root (its issuing CAs then sign with ECDSA too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootAlgorithm {
    Rsa2048,
    EcdsaP384,
}

impl RootAlgorithm {
    /// A new CA key of this algorithm.
    fn generate_key(self, rng: &mut impl CryptoRngCore) -> Result<CaKey, PkiError> {
        Ok(match self {
            Self::Rsa2048 => CaKey::generate_rsa(rng)?,
            Self::EcdsaP384 => CaKey::generate_p384(rng),
        })
    }
}

/// Root (self-signed) + MOICA-profile issuing CA + GCA-profile issuing CA.
#[derive(Debug)]
pub struct DemoPki {
    pub root: Ca,
    pub moica: Ca,
    pub gca: Ca,
}

/// `OU` of the MOICA-profile issuing CA (as the real MOICA test CA).
pub const MOICA_UNIT: &str = "(測試用) 內政部憑證管理中心";
/// `OU` of the GCA-profile issuing CA.
pub const GCA_UNIT: &str = "(測試用) 政府憑證管理中心";

const FILES: [&str; 3] = ["root", "moica", "gca"];

impl DemoPki {
    /// Root `C=TW, O=行政院, CN=(測試用) Government Root Certification Authority - <label>`
    /// (20 years) and issuing CAs `C=TW, O=行政院, OU=(測試用) 內政部憑證管理中心` and
    /// `C=TW, O=行政院, OU=(測試用) 政府憑證管理中心` (10 years, pathLen 0, policy
    /// 2.16.886.101.0.3.3), with RSA-2048 or P-384 keys throughout, all valid from a day before `now`. Issuing CAs of
    /// different demo PKIs share names, as real CA generations do: tell them apart by
    /// key identifier.
    pub fn generate(
        algorithm: RootAlgorithm,
        label: &str,
        now: OffsetDateTime,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, PkiError> {
        let not_before = now - Duration::days(1);
        let root_key = algorithm.generate_key(rng)?;
        let root_name = name(vec![
            (COUNTRY, printable("TW", "國別")?),
            (ORGANIZATION, utf8("行政院", "機關名稱")?),
            (
                COMMON_NAME,
                utf8(
                    &format!("(測試用) Government Root Certification Authority - {label}"),
                    "根憑證名稱",
                )?,
            ),
        ])?;
        let root = Ca::create(
            root_key,
            CaProfile {
                name: root_name,
                not_before,
                not_after: now + Duration::days(20 * 365),
                issuer: None,
            },
            rng,
        )?;
        let moica = issuing_ca(&root, algorithm, MOICA_UNIT, now, rng)?;
        let gca = issuing_ca(&root, algorithm, GCA_UNIT, now, rng)?;
        Ok(DemoPki { root, moica, gca })
    }

    /// Writes `root.pem`, `moica.pem`, `gca.pem` (certificates), `root.key`,
    /// `moica.key`, `gca.key` (PKCS#8 PEM, owner-only) and `trust-anchors.pem`
    /// (all three certificates) into `dir`, creating it if needed.
    pub fn save(&self, dir: &Path) -> Result<(), PkiError> {
        std::fs::create_dir_all(dir).map_err(|source| PkiError::Io {
            path: dir.to_owned(),
            source,
        })?;
        for (file, ca) in FILES.iter().zip(self.cas()) {
            write(&dir.join(format!("{file}.pem")), &ca.cert_pem(), false)?;
            write(
                &dir.join(format!("{file}.key")),
                &ca.key().to_pkcs8_pem()?,
                true,
            )?;
        }
        write(
            &dir.join("trust-anchors.pem"),
            &self.trust_anchors_pem(),
            false,
        )
    }

    /// Reads what `save` wrote.
    pub fn load(dir: &Path) -> Result<Self, PkiError> {
        let read_ca = |file: &str| {
            Ca::load(
                &dir.join(format!("{file}.pem")),
                &dir.join(format!("{file}.key")),
            )
        };
        Ok(DemoPki {
            root: read_ca("root")?,
            moica: read_ca("moica")?,
            gca: read_ca("gca")?,
        })
    }

    /// The root's, MOICA's and the GCA's certificates, PEM, in that order.
    pub fn trust_anchors_pem(&self) -> String {
        self.cas().iter().map(|ca| ca.cert_pem()).collect()
    }

    fn cas(&self) -> [&Ca; 3] {
        [&self.root, &self.moica, &self.gca]
    }
}

fn issuing_ca(
    root: &Ca,
    algorithm: RootAlgorithm,
    unit: &str,
    now: OffsetDateTime,
    rng: &mut impl CryptoRngCore,
) -> Result<Ca, PkiError> {
    let ca_name = name(vec![
        (COUNTRY, printable("TW", "國別")?),
        (ORGANIZATION, utf8("行政院", "機關名稱")?),
        (ORGANIZATIONAL_UNIT, utf8(unit, "單位名稱")?),
    ])?;
    Ca::create(
        algorithm.generate_key(rng)?,
        CaProfile {
            name: ca_name,
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(10 * 365),
            issuer: Some(root),
        },
        rng,
    )
}

fn write(path: &Path, text: &str, private: bool) -> Result<(), PkiError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    options
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|source| PkiError::Io {
            path: path.to_owned(),
            source,
        })
}
