//! The browser's passkeys (`navigator.credentials`): creation options in, a new
//! credential out; request options in, an assertion out. `webauthn-rs-proto`
//! converts to and from the JavaScript objects.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, CredentialCreationOptions, CredentialRequestOptions, DomException};
use webauthn_rs_proto::{
    CreationChallengeResponse, Mediation, PublicKeyCredential, PublicKeyCredentialExt,
    RegisterPublicKeyCredential, RequestChallengeResponse,
};

use crate::failure::{BrowserPasskey, Failure};

/// Whether this page may use WebAuthn at all (a secure context with the API).
fn supported() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"PublicKeyCredential".into())
        .is_ok_and(|api| !api.is_undefined())
}

fn unsupported() -> Failure {
    Failure::Passkey(BrowserPasskey::Unsupported)
}

/// Waits for a `navigator.credentials` promise. `Ok(None)`: the page aborted it.
async fn settle(
    promise: Result<Promise, JsValue>,
) -> Result<Option<web_sys::PublicKeyCredential>, Failure> {
    let answer = match promise {
        Ok(promise) => JsFuture::from(promise).await,
        Err(thrown) => Err(thrown),
    };
    match answer {
        Ok(credential) => credential
            .dyn_into::<web_sys::PublicKeyCredential>()
            .map(Some)
            .map_err(|_| Failure::Passkey(BrowserPasskey::Failed)),
        Err(thrown) => {
            let name = thrown.dyn_ref::<DomException>().map(DomException::name);
            match BrowserPasskey::from_exception(name.as_deref().unwrap_or_default()) {
                Some(refusal) => Err(Failure::Passkey(refusal)),
                None => Ok(None),
            }
        }
    }
}

/// Creates a passkey on an authenticator of the user's choice.
pub async fn create(
    options: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, Failure> {
    if !supported() {
        return Err(unsupported());
    }
    let window = web_sys::window().ok_or_else(unsupported)?;
    let options = CredentialCreationOptions::from(options);
    let promise = window
        .navigator()
        .credentials()
        .create_with_options(&options);
    match settle(promise).await? {
        Some(credential) => Ok(credential.into()),
        None => Err(Failure::Passkey(BrowserPasskey::Cancelled)),
    }
}

/// Asks for a passkey: a prompt now, or, with `autofill`, quietly among the
/// account field's suggestions (conditional mediation) until the user picks one or
/// the signal aborts it (`Ok(None)`).
pub async fn get(
    mut options: RequestChallengeResponse,
    autofill: Option<&AbortSignal>,
) -> Result<Option<PublicKeyCredential>, Failure> {
    if !supported() {
        return Err(unsupported());
    }
    let window = web_sys::window().ok_or_else(unsupported)?;
    options.mediation = autofill.map(|_| Mediation::Conditional);
    let request = CredentialRequestOptions::from(options);
    if let Some(signal) = autofill {
        request.set_signal(signal);
    }
    let promise = window.navigator().credentials().get_with_options(&request);
    Ok(settle(promise).await?.map(PublicKeyCredential::from))
}

/// Whether the browser offers passkeys among the account field's suggestions.
pub async fn autofill_available() -> bool {
    if !supported() {
        return false;
    }
    match PublicKeyCredentialExt::is_conditional_mediation_available() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .is_ok_and(|available| available.is_truthy()),
        Err(_) => false,
    }
}
