//! `GET /api/openapi.json`, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

use super::{
    agencies, certificates, challenges, eligibility, my_passkeys, passkey_login,
    passkey_registration, registrations, session,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ECPA portal",
        description = "Certificate registration and login. Every error answer is \
                       {\"error\": \"STABLE_CODE\", \"message\": \"…\"}; state-changing calls \
                       need Origin equal to the public origin (else FORBIDDEN_ORIGIN)."
    ),
    paths(
        session::client_config,
        session::password_login,
        session::logout,
        session::me,
        challenges::create,
        certificates::status,
        certificates::login,
        registrations::register,
        registrations::list,
        registrations::withdraw,
        eligibility::check,
        passkey_registration::start,
        passkey_registration::finish,
        passkey_login::start,
        passkey_login::finish,
        my_passkeys::list,
        my_passkeys::rename,
        my_passkeys::remove,
        agencies::lookup,
        document,
    )
)]
pub struct ApiDoc;

/// The OpenAPI document.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "this document")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
