//! `POST /decrypt` (`DecryptData`): answered with 0x7600000E 不支援的方法. The agent
//! does not decrypt; the package is still checked as the real agent would.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use ecpa_wire::agent::DecryptResult;

use super::package::Package;
use super::{check_origin, log_failure};
use crate::{AgentError, AgentState};

pub(super) async fn decrypt(
    State(state): State<AgentState>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<DecryptResult> {
    let error = refusal(&state, &headers, &body);
    log_failure("decrypt", &error);
    Json(DecryptResult {
        func: "decrypt".into(),
        ret_code: error.ret_code(),
        last_error: error.last_error(),
        plain: String::new(),
    })
}

/// Why the request gets no plain text: a site that is not trusted, a package
/// that cannot be read, or, for a well-formed `DecryptData`, "not supported".
fn refusal(state: &AgentState, headers: &HeaderMap, body: &[u8]) -> AgentError {
    if let Err(e) = check_origin(state, headers) {
        return e;
    }
    match Package::read(body) {
        Err(e) => e,
        Ok(mut package) => {
            drop(package.take_pin());
            if package.func == "DecryptData" {
                AgentError::Unsupported("DecryptData")
            } else {
                AgentError::BadParameter("func")
            }
        }
    }
}
