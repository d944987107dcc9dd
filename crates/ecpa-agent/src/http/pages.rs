//! The HTML pages: the version page and the popup bridge.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use ecpa_wire::agent::ret;

use crate::{AgentState, CARD_ERROR, SERVER_VERSION};

/// Scripts only inline, fetches only to the agent, forms only to the agent.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// `GET /`: tells a page that the agent runs, and which version.
pub(super) async fn version_page() -> Response {
    page(format!(
        "<!doctype html><html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
         <title>ECPA 讀卡元件</title></head><body>\
         <p>ECPA 讀卡元件（HiPKI Local Server 相容）執行中</p>\
         <p id=\"version\">version:{SERVER_VERSION}</p></body></html>"
    ))
}

/// `GET /popupForm`: the bridge between the opener page and the agent.
///
/// On load it posts `{"func":"getTbs"}` to its opener. The opener answers with a
/// package (a JSON string or object): `MakeSignature` goes to `POST /sign`,
/// `pkcs11info` to `POST /pkcs11info`, and the agent's JSON answer is posted back
/// as a string to the opener's origin only; then the popup closes. An opener whose
/// origin is not trusted gets `ret_code` 0x76000031 and nothing else happens.
pub(super) async fn popup_form(State(state): State<AgentState>) -> Response {
    let trusted: Vec<String> = state
        .trusted
        .list()
        .iter()
        .map(|o| o.as_str().to_owned())
        .collect();
    // Origins are validated (no `<`), and `<` is escaped anyway for the script context.
    let trusted_json = serde_json::to_string(&trusted)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let script = POPUP_SCRIPT
        .replace("__TRUSTED__", &trusted_json)
        .replace("__NOT_TRUSTED__", &ret::SITE_NOT_TRUSTED.to_string())
        .replace("__BAD_JSON__", &ret::BAD_JSON.to_string())
        .replace("__BAD_PARAMETER__", &ret::BAD_PARAMETER.to_string())
        .replace("__CARD_ERROR__", &CARD_ERROR.to_string());
    page(format!(
        "<!doctype html><html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
         <title>ECPA 讀卡元件</title></head><body>\
         <p id=\"status\">正在與網頁連線…</p>\
         <script id=\"bridge\">{script}</script></body></html>"
    ))
}

pub(super) fn page(html: String) -> Response {
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

const POPUP_SCRIPT: &str = r#"
"use strict";
const TRUSTED = __TRUSTED__;
let busy = false;
function show(text) { document.getElementById("status").textContent = text; }
function answer(origin, text) { window.opener.postMessage(text, origin); }
async function agent(path, body) {
  const response = await fetch(path, { method: "POST", body: body, credentials: "omit" });
  return response.text();
}
window.addEventListener("message", async (event) => {
  if (!window.opener || event.source !== window.opener || busy) return;
  let request = null;
  try {
    request = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
  } catch (e) {
    request = null;
  }
  const func = request && request.func === "pkcs11info" ? "pkcs11info" : "sign";
  if (!TRUSTED.includes(event.origin)) {
    answer(event.origin, JSON.stringify({ func: func, ret_code: __NOT_TRUSTED__, last_error: 0 }));
    show("此網站尚未加入信任的網站：" + event.origin);
    return;
  }
  if (!request || typeof request !== "object") {
    answer(event.origin, JSON.stringify({ func: "sign", ret_code: __BAD_JSON__, last_error: 0 }));
    return;
  }
  busy = true;
  show("讀卡中，請勿移除卡片…");
  try {
    if (request.func === "MakeSignature") {
      const form = new URLSearchParams();
      form.set("tbsPackage", typeof event.data === "string" ? event.data : JSON.stringify(request));
      answer(event.origin, await agent("/sign", form));
    } else if (request.func === "pkcs11info") {
      const withCert = String(request.withcert) === "true";
      const info = JSON.parse(await agent("/pkcs11info?withcert=" + withCert, null));
      info.func = "pkcs11info";
      answer(event.origin, JSON.stringify(info));
    } else {
      answer(event.origin, JSON.stringify({ func: String(request.func), ret_code: __BAD_PARAMETER__, last_error: 0 }));
    }
  } catch (e) {
    answer(event.origin, JSON.stringify({ func: func, ret_code: __CARD_ERROR__, last_error: 0 }));
  } finally {
    window.close();
  }
});
if (window.opener) {
  window.opener.postMessage(JSON.stringify({ func: "getTbs" }), "*");
} else {
  show("請由網頁開啟此視窗");
}
"#;
