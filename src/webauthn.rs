//! The browser's passkeys (`navigator.credentials`): creation options in, a new
//! credential out; request options in, an assertion out. The portal's JSON text
//! goes to the browser through its own `PublicKeyCredential.parse…OptionsFromJSON`,
//! and a credential comes back as the text of its `toJSON()` (base64url fields, as
//! webauthn-rs reads them), so the page neither decodes nor converts either.

use js_sys::{Function, JSON, Object, Promise, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, CredentialCreationOptions, CredentialRequestOptions, DomException};

use crate::failure::{BrowserPasskey, Failure};

#[wasm_bindgen]
extern "C" {
    /// `PublicKeyCredential`'s static methods (WebAuthn Level 3).
    type Browser;

    #[wasm_bindgen(static_method_of = Browser, js_class = "PublicKeyCredential",
        js_name = parseCreationOptionsFromJSON, catch)]
    fn parse_creation_options(json: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(static_method_of = Browser, js_class = "PublicKeyCredential",
        js_name = parseRequestOptionsFromJSON, catch)]
    fn parse_request_options(json: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(static_method_of = Browser, js_class = "PublicKeyCredential",
        js_name = isConditionalMediationAvailable, catch)]
    fn is_conditional_mediation_available() -> Result<Promise, JsValue>;

    /// A credential the browser returned, as far as `toJSON()`.
    type JsonCredential;

    #[wasm_bindgen(method, js_name = toJSON, catch)]
    fn to_json(this: &JsonCredential) -> Result<JsValue, JsValue>;
}

fn has_function(object: &JsValue, name: &str) -> bool {
    Reflect::get(object, &name.into()).is_ok_and(|f| f.is_instance_of::<Function>())
}

/// Whether this page may use WebAuthn as it does: a secure context with the API and
/// its JSON methods.
fn supported() -> bool {
    let Ok(api) = Reflect::get(&js_sys::global(), &"PublicKeyCredential".into()) else {
        return false;
    };
    let prototype = Reflect::get(&api, &"prototype".into()).unwrap_or_default();
    has_function(&api, "parseCreationOptionsFromJSON")
        && has_function(&api, "parseRequestOptionsFromJSON")
        && has_function(&prototype, "toJSON")
}

fn unsupported() -> Failure {
    Failure::Passkey(BrowserPasskey::Unsupported)
}

fn failed() -> Failure {
    Failure::Passkey(BrowserPasskey::Failed)
}

/// The `publicKey` member of the portal's options: the browser's `…OptionsJSON`.
fn public_key(options: &str) -> Result<JsValue, Failure> {
    let options = JSON::parse(options).map_err(|_| failed())?;
    Reflect::get(&options, &"publicKey".into()).map_err(|_| failed())
}

/// `{publicKey: parsed}`, the dictionary `navigator.credentials` takes.
fn credential_options(parsed: Result<JsValue, JsValue>) -> Result<Object, Failure> {
    let parsed = parsed.map_err(|_| failed())?;
    let options = Object::new();
    Reflect::set(&options, &"publicKey".into(), &parsed).map_err(|_| failed())?;
    Ok(options)
}

/// Waits for a `navigator.credentials` promise and returns the credential's
/// `toJSON()` text. `Ok(None)`: the page aborted it.
async fn settle(promise: Result<Promise, JsValue>) -> Result<Option<String>, Failure> {
    let answer = match promise {
        Ok(promise) => JsFuture::from(promise).await,
        Err(thrown) => Err(thrown),
    };
    match answer {
        Ok(credential) if credential.is_object() => {
            let json = credential
                .unchecked_into::<JsonCredential>()
                .to_json()
                .map_err(|_| failed())?;
            let text = JSON::stringify(&json).map_err(|_| failed())?;
            Ok(Some(text.into()))
        }
        Ok(_) => Err(failed()),
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
pub async fn create(options: &str) -> Result<String, Failure> {
    if !supported() {
        return Err(unsupported());
    }
    let window = web_sys::window().ok_or_else(unsupported)?;
    let json = public_key(options)?;
    let request = credential_options(Browser::parse_creation_options(&json))?;
    let promise = window
        .navigator()
        .credentials()
        .create_with_options(request.unchecked_ref::<CredentialCreationOptions>());
    settle(promise)
        .await?
        .ok_or(Failure::Passkey(BrowserPasskey::Cancelled))
}

/// Asks for a passkey: a prompt now, or, with `autofill`, quietly among the
/// account field's suggestions (conditional mediation) until the user picks one or
/// the signal aborts it (`Ok(None)`).
pub async fn get(options: &str, autofill: Option<&AbortSignal>) -> Result<Option<String>, Failure> {
    if !supported() {
        return Err(unsupported());
    }
    let window = web_sys::window().ok_or_else(unsupported)?;
    let json = public_key(options)?;
    let request = credential_options(Browser::parse_request_options(&json))?;
    if let Some(signal) = autofill {
        Reflect::set(&request, &"mediation".into(), &"conditional".into())
            .and_then(|_| Reflect::set(&request, &"signal".into(), signal))
            .map_err(|_| failed())?;
    }
    let promise = window
        .navigator()
        .credentials()
        .get_with_options(request.unchecked_ref::<CredentialRequestOptions>());
    settle(promise).await
}

/// Whether the browser offers passkeys among the account field's suggestions.
pub async fn autofill_available() -> bool {
    if !supported() {
        return false;
    }
    match Browser::is_conditional_mediation_available() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .is_ok_and(|available| available.is_truthy()),
        Err(_) => false,
    }
}
