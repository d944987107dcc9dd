//! A card on a PKCS#11 token (SoftHSM2): a fresh token, RSA-2048 key pairs made on
//! it, and certificates imported beside their keys with the same CKA_ID.

use std::path::Path;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::{Decode, Encode};
use rsa::pkcs8::EncodePublicKey;

use crate::DevcardError;

/// An open PKCS#11 module.
pub struct TokenStore {
    context: Pkcs11,
}

/// A token initialised by [`TokenStore::init_token`], its user logged in.
pub struct CardToken {
    session: Session,
    pub slot: Slot,
}

impl TokenStore {
    /// Loads and initialises the module (SoftHSM2 reads `SOFTHSM2_CONF` now).
    pub fn open(module: &Path) -> Result<Self, DevcardError> {
        let context = Pkcs11::new(module).map_err(token("loading the PKCS#11 module"))?;
        context
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(token("C_Initialize"))?;
        Ok(Self { context })
    }

    /// Finalises the module (C_Finalize), so another user in this process may
    /// initialise it again.
    pub fn close(self) -> Result<(), DevcardError> {
        self.context.finalize().map_err(token("C_Finalize"))
    }

    /// Labels of the initialised tokens.
    pub fn labels(&self) -> Result<Vec<String>, DevcardError> {
        let slots = self
            .context
            .get_slots_with_initialized_token()
            .map_err(token("listing slots"))?;
        slots
            .into_iter()
            .map(|slot| {
                self.context
                    .get_token_info(slot)
                    .map(|info| info.label().trim().to_owned())
                    .map_err(token("reading a token"))
            })
            .collect()
    }

    /// Initialises a free token as `label` with the SO PIN and the user PIN, and
    /// logs the user in. Refuses a label that is already taken.
    pub fn init_token(
        &self,
        label: &str,
        so_pin: &str,
        pin: &str,
    ) -> Result<CardToken, DevcardError> {
        if self.labels()?.iter().any(|l| l == label) {
            return Err(DevcardError::Options(format!("已有標籤為 {label} 的卡片")));
        }
        let free = self
            .context
            .get_slots_with_token()
            .map_err(token("listing slots"))?
            .into_iter()
            .find(|slot| {
                self.context
                    .get_token_info(*slot)
                    .is_ok_and(|info| !info.token_initialized())
            })
            .ok_or_else(|| DevcardError::Token("沒有可初始化的空白卡片槽".into()))?;
        let so_pin = AuthPin::from(so_pin);
        self.context
            .init_token(free, &so_pin, label)
            .map_err(token("C_InitToken"))?;
        // SoftHSM2 moves an initialised token to a new slot: find it by label.
        let slot = self.slot_by_label(label)?;
        let session = self
            .context
            .open_rw_session(slot)
            .map_err(token("opening a session"))?;
        session
            .login(UserType::So, Some(&so_pin))
            .map_err(token("SO login"))?;
        session
            .init_pin(&AuthPin::from(pin))
            .map_err(token("C_InitPIN"))?;
        session.logout().map_err(token("SO logout"))?;
        session
            .login(UserType::User, Some(&AuthPin::from(pin)))
            .map_err(token("user login"))?;
        Ok(CardToken { session, slot })
    }

    fn slot_by_label(&self, label: &str) -> Result<Slot, DevcardError> {
        for slot in self
            .context
            .get_slots_with_initialized_token()
            .map_err(token("listing slots"))?
        {
            let info = self
                .context
                .get_token_info(slot)
                .map_err(token("reading a token"))?;
            if info.label().trim() == label {
                return Ok(slot);
            }
        }
        Err(DevcardError::Token(format!("找不到標籤為 {label} 的卡片")))
    }
}

impl CardToken {
    /// Makes an RSA-2048 key pair on the token (private key sensitive, never
    /// extractable) and returns its public key as DER SubjectPublicKeyInfo.
    pub fn generate_key_pair(&self, id: &[u8], label: &str) -> Result<Vec<u8>, DevcardError> {
        let public_template = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::ModulusBits(2048.into()),
            Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            Attribute::Verify(true),
            Attribute::Encrypt(true),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Decrypt(true),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        let (public, _private) = self
            .session
            .generate_key_pair(
                &Mechanism::RsaPkcsKeyPairGen,
                &public_template,
                &private_template,
            )
            .map_err(token("generating the key pair"))?;
        let attributes = self
            .session
            .get_attributes(
                public,
                &[AttributeType::Modulus, AttributeType::PublicExponent],
            )
            .map_err(token("reading the public key"))?;
        let mut modulus = None;
        let mut exponent = None;
        for attribute in attributes {
            match attribute {
                Attribute::Modulus(n) => modulus = Some(n),
                Attribute::PublicExponent(e) => exponent = Some(e),
                _ => {}
            }
        }
        let (Some(n), Some(e)) = (modulus, exponent) else {
            return Err(DevcardError::Token(
                "公開金鑰缺少 modulus 或 exponent".into(),
            ));
        };
        let key = rsa::RsaPublicKey::new(
            rsa::BigUint::from_bytes_be(&n),
            rsa::BigUint::from_bytes_be(&e),
        )
        .map_err(|e| DevcardError::Token(format!("公開金鑰不正確：{e}")))?;
        key.to_public_key_der()
            .map(|der| der.as_bytes().to_vec())
            .map_err(|e| DevcardError::Token(format!("公開金鑰無法編碼：{e}")))
    }

    /// Imports a DER certificate as a public CKO_CERTIFICATE object with CKA_ID `id`.
    pub fn import_certificate(
        &self,
        id: &[u8],
        label: &str,
        der: &[u8],
    ) -> Result<(), DevcardError> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| DevcardError::Token(format!("憑證無法解析：{e}")))?;
        let tbs = &cert.tbs_certificate;
        let encode = |value: Result<Vec<u8>, der::Error>| {
            value.map_err(|e| DevcardError::Token(format!("憑證欄位無法編碼：{e}")))
        };
        let template = [
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Subject(encode(tbs.subject.to_der())?),
            Attribute::Issuer(encode(tbs.issuer.to_der())?),
            Attribute::SerialNumber(encode(tbs.serial_number.to_der())?),
            Attribute::Value(der.to_vec()),
        ];
        self.session
            .create_object(&template)
            .map(drop)
            .map_err(token("importing the certificate"))
    }
}

fn token(what: &'static str) -> impl Fn(cryptoki::error::Error) -> DevcardError {
    move |e| DevcardError::Token(format!("{what}: {e}"))
}
