//! The portal's REST API (SPEC §7) on the page's own origin. Cookies are the
//! portal's (HttpOnly); a same-origin fetch sends them.

use ecpa_wire::api::{
    AgencyLookup, ApiError, CardKind, CertificateLogin, CertificateStatus,
    CertificateStatusRequest, Challenge, ChallengePurpose, ChallengeRequest, ClientConfig,
    Eligibility, Passkey, PasskeyRename, PasswordLogin, Principal, Registration,
    RegistrationRequest,
};
use ecpa_wire::{AgencyCode, ErrorCode};
use gloo_net::http::{Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::failure::Failure;

/// Sends a request and returns the body of a 2xx answer, else the portal's failure.
/// Not generic, so the browser bundle holds the request code once.
async fn send(request: Result<Request, gloo_net::Error>) -> Result<String, Failure> {
    let response = request
        .map_err(|_| Failure::Network)?
        .send()
        .await
        .map_err(|_| Failure::Network)?;
    if response.ok() {
        response.text().await.map_err(|_| Failure::Network)
    } else {
        Err(error_of(response).await)
    }
}

async fn error_of(response: Response) -> Failure {
    match response.json::<ApiError>().await {
        Ok(error) => Failure::from_api_error(error),
        Err(_) if response.status() == 401 => Failure::Api(ErrorCode::UNAUTHENTICATED),
        Err(_) => Failure::Api(ErrorCode::INTERNAL),
    }
}

fn decode<T: DeserializeOwned>(body: &str) -> Result<T, Failure> {
    serde_json::from_str(body).map_err(|_| Failure::Network)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    decode(&send(Request::get(path).build()).await?)
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Failure> {
    decode(&send(Request::post(path).json(body)).await?)
}

async fn delete(path: &str) -> Result<(), Failure> {
    send(Request::delete(path).build()).await.map(drop)
}

/// `GET /api/config`: the agent's origin, first of all.
pub async fn config() -> Result<ClientConfig, Failure> {
    get("/api/config").await
}

/// `GET /api/me`; `None` without a session.
pub async fn me() -> Result<Option<Principal>, Failure> {
    match get("/api/me").await {
        Ok(principal) => Ok(Some(principal)),
        Err(Failure::Api(ErrorCode::UNAUTHENTICATED)) => Ok(None),
        Err(other) => Err(other),
    }
}

pub async fn password_login(login: &PasswordLogin) -> Result<Principal, Failure> {
    post("/api/session/password", login).await
}

pub async fn logout() -> Result<(), Failure> {
    delete("/api/session").await
}

pub async fn challenge(purpose: ChallengePurpose) -> Result<Challenge, Failure> {
    post("/api/challenges", &ChallengeRequest { purpose }).await
}

pub async fn certificate_status(certificate: &str) -> Result<CertificateStatus, Failure> {
    let body = CertificateStatusRequest {
        certificate: certificate.to_owned(),
    };
    post("/api/certificates/status", &body).await
}

pub async fn certificate_login(login: &CertificateLogin) -> Result<Principal, Failure> {
    post("/api/session/certificate", login).await
}

pub async fn register(request: &RegistrationRequest) -> Result<Registration, Failure> {
    post("/api/registrations", request).await
}

pub async fn my_certificates() -> Result<Vec<Registration>, Failure> {
    get("/api/me/certificates").await
}

pub async fn withdraw(id: i64) -> Result<(), Failure> {
    delete(&format!("/api/me/certificates/{id}")).await
}

/// `GET /api/agencies/{code}`: the agency and, for an employee, whether they may
/// register its organization card.
pub async fn agency(code: &AgencyCode) -> Result<AgencyLookup, Failure> {
    get(&format!("/api/agencies/{}", code.as_str())).await
}

/// `GET /api/me/eligibility`: whether the signed-in employee may register a card of
/// `kind` now.
pub async fn eligibility(kind: CardKind) -> Result<Eligibility, Failure> {
    get(&format!("/api/me/eligibility?kind={}", kind.as_str())).await
}

/// The body of a ceremony's start: `{}`.
#[derive(Serialize)]
struct Empty {}

/// Posts `body`, JSON text the browser wrote, and decodes the answer.
async fn post_text<T: DeserializeOwned>(path: &str, body: String) -> Result<T, Failure> {
    let request = Request::post(path)
        .header("Content-Type", "application/json")
        .body(body);
    decode(&send(request).await?)
}

/// `POST /api/passkeys/registration/start`: creation options (JSON text, handed to
/// the browser as they are), in a session opened by a card login within the last 5
/// minutes.
pub async fn passkey_registration_start() -> Result<String, Failure> {
    send(Request::post("/api/passkeys/registration/start").json(&Empty {})).await
}

/// `POST /api/passkeys/registration/finish` with the browser's new credential (its
/// `toJSON()` text); the portal names it.
pub async fn passkey_registration_finish(credential: &str) -> Result<Passkey, Failure> {
    let body = format!("{{\"credential\":{credential}}}");
    post_text("/api/passkeys/registration/finish", body).await
}

/// `POST /api/passkeys/authentication/start`: options for a discoverable passkey
/// (JSON text).
pub async fn passkey_authentication_start() -> Result<String, Failure> {
    send(Request::post("/api/passkeys/authentication/start").json(&Empty {})).await
}

/// `POST /api/passkeys/authentication/finish` with the browser's assertion (its
/// `toJSON()` text).
pub async fn passkey_login(credential: String) -> Result<Principal, Failure> {
    post_text("/api/passkeys/authentication/finish", credential).await
}

pub async fn my_passkeys() -> Result<Vec<Passkey>, Failure> {
    get("/api/me/passkeys").await
}

pub async fn rename_passkey(id: i64, rename: &PasskeyRename) -> Result<Passkey, Failure> {
    decode(&send(Request::patch(&format!("/api/me/passkeys/{id}")).json(rename)).await?)
}

pub async fn remove_passkey(id: i64) -> Result<(), Failure> {
    delete(&format!("/api/me/passkeys/{id}")).await
}
