//! A passkey authenticator for the tests, and the ceremonies a browser runs with it.
//!
//! The keys, attestation, assertions, signature counter and user verification flag are
//! webauthn-authenticator-rs's `SoftPasskey`, driven through its `WebauthnAuthenticator`
//! (which checks origin and RP ID as a browser does). `SoftPasskey` stores no resident
//! keys, so `Device` does what a platform authenticator and the browser do for a
//! discoverable credential: it keeps the user handle from registration, offers its
//! credential when the request names none, and returns the user handle with the
//! assertion (which is not signed, in WebAuthn either).

use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::Url;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{
    AllowCredentials, CreationChallengeResponse, RequestChallengeResponse, UserVerificationPolicy,
};

use crate::support::*;

pub struct Device {
    soft: SoftPasskey,
    /// The credential ID and the user handle it was created for.
    credential: Option<(Vec<u8>, Vec<u8>)>,
}

fn origin() -> Url {
    Url::parse(ORIGIN).unwrap()
}

impl Device {
    /// An authenticator that performs user verification.
    pub fn new() -> Self {
        Self {
            soft: SoftPasskey::new(true),
            credential: None,
        }
    }

    /// The browser's answer to the portal's creation options.
    pub fn create(&mut self, options: &Value) -> Value {
        let mut options: CreationChallengeResponse =
            serde_json::from_value(options.clone()).unwrap();
        let user_handle = options.public_key.user.id.clone();
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            // Kept by this Device, not by SoftPasskey (see the module comment).
            selection.require_resident_key = false;
        }
        let answer = self.soft.do_registration(origin(), options).unwrap();
        self.credential = Some((answer.raw_id.clone(), user_handle));
        serde_json::to_value(answer).unwrap()
    }

    /// The browser's assertion for the portal's request options, user verified.
    pub fn get(&mut self, options: &Value) -> Value {
        self.assert(options, UserVerificationPolicy::Required)
    }

    /// An assertion with user presence only (no PIN or biometric).
    pub fn get_without_verification(&mut self, options: &Value) -> Value {
        self.assert(options, UserVerificationPolicy::Discouraged_DO_NOT_USE)
    }

    fn assert(&mut self, options: &Value, verification: UserVerificationPolicy) -> Value {
        let mut options: RequestChallengeResponse =
            serde_json::from_value(options.clone()).unwrap();
        let (credential_id, user_handle) = self.credential.clone().expect("no passkey yet");
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id: credential_id,
            transports: None,
        }];
        options.public_key.user_verification = verification;
        let mut answer = self.soft.do_authentication(origin(), options).unwrap();
        answer.response.user_handle = Some(user_handle);
        serde_json::to_value(answer).unwrap()
    }
}

impl Browser<'_> {
    /// Registration start, the device's answer, finish (with `name` when given).
    pub async fn add_passkey(&mut self, device: &mut Device, name: Option<&str>) -> Answer {
        let options = self
            .post("/api/passkeys/registration/start", json!({}))
            .await;
        if !options.status.is_success() {
            return options;
        }
        let mut body = json!({"credential": device.create(&options.body)});
        if let Some(name) = name {
            body["name"] = json!(name);
        }
        self.post("/api/passkeys/registration/finish", body).await
    }

    /// Authentication options, answered by `device`: the finish body, not sent yet.
    pub async fn passkey_assertion(&mut self, device: &mut Device) -> Value {
        let options = self
            .post("/api/passkeys/authentication/start", json!({}))
            .await;
        options.assert_status(200);
        device.get(&options.body)
    }

    pub async fn passkey_login(&mut self, device: &mut Device) -> Answer {
        let assertion = self.passkey_assertion(device).await;
        self.post("/api/passkeys/authentication/finish", assertion)
            .await
    }
}

/// A clerk (number `n`, account `emp`) whose citizen card is registered, and a browser
/// that has just logged in with it: their national ID and that browser.
pub async fn fresh_card_login(app: &TestApp, n: u32) -> (String, Browser<'_>) {
    let id = national_id(n);
    let card = citizen_card("林小美", &id);
    let mut clerk = clerk_logged_in(app, &id, "林小美").await;
    clerk
        .register(&card, "citizen", None)
        .await
        .assert_status(201);
    let mut browser = app.browser();
    browser.certificate_login(&card).await.assert_ok();
    (id, browser)
}
