//! The HTML pages: the version page and the popup bridge.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use ecpa_wire::agent::ret;

use crate::{AGENT_VERSION, AgentState, CARD_ERROR, SERVER_VERSION};

/// Scripts only inline, fetches only to the agent, forms only to the agent.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// The agent's own look (its name and version on every page), unlike the portal's,
/// so that a user sees these pages come from the program on their computer.
const AGENT_STYLE: &str = "body{margin:0;font:16px/1.6 system-ui,\"Noto Sans TC\",\"Microsoft JhengHei\",sans-serif;\
color:#1b1b1b;background:#f4f1ea}\
.agent-bar{background:#3b3024;color:#fff;padding:.6rem 1rem;border-bottom:4px solid #c77700}\
.agent-name{font-weight:700;margin:0;font-size:1.05rem}.agent-meta{margin:0;font-size:.85rem;color:#f1e3c8}\
main{max-width:34rem;margin:1rem auto;padding:1rem 1.25rem;background:#fff;border:1px solid #d8cdb8;border-radius:6px}\
h1{font-size:1.25rem;margin:0 0 .75rem;color:#3b3024}\
button{font:inherit;min-height:2.75rem;padding:.45rem 1.1rem;border-radius:6px;border:1px solid #7a4a00;background:#fff;color:#5a3600;cursor:pointer}\
button#confirm{background:#7a4a00;color:#fff}button:disabled{opacity:.55}\
:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}\
.agent-note{font-size:.85rem;color:#5c5346;text-align:center;margin:0 1rem 1rem}";

/// A page of the agent: its bar (name, version), `body` in `main`, and a note that
/// this is not the web site.
pub(super) fn agent_page(title: &str, body: &str) -> Response {
    page(format!(
        "<!doctype html><html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — ECPA 讀卡元件</title><style>{AGENT_STYLE}</style></head><body>\
         <header class=\"agent-bar\"><p class=\"agent-name\">ECPA 讀卡元件（HiPKI Local Server 相容）</p>\
         <p class=\"agent-meta\">ecpa-agent {AGENT_VERSION} · 協定 {SERVER_VERSION} · 本機 127.0.0.1</p></header>\
         <main>{body}</main>\
         <p class=\"agent-note\">此視窗由您電腦上的讀卡元件顯示，不是 ECPA 人事服務網的網頁。</p></body></html>"
    ))
}

/// `GET /`: tells a page that the agent runs, the protocol level it speaks
/// (`version:`, as HiPKI's page writes it) and this program's own version.
pub(super) async fn version_page() -> Response {
    agent_page(
        "執行中",
        &format!(
            "<h1>ECPA 讀卡元件執行中</h1>\
             <p id=\"version\">version:{SERVER_VERSION}</p>\
             <p id=\"agent-version\">ecpa-agent {AGENT_VERSION}</p>"
        ),
    )
}

/// `GET /popupForm` and `GET /ChtPopupForm`: the bridge between the opener page
/// and the agent.
///
/// On load it posts `{"func":"getTbs"}` to its opener. The opener answers with a
/// package, a JSON string (or object). By its `func`:
///
/// | func | runs | answer's `func` |
/// |---|---|---|
/// | `pkcs11info` (`withcert`) | `POST /pkcs11info[?withcert=true]` | `pkcs11info` |
/// | `CheckEnvir` (ChtICToken.js) | `POST /pkcs11info` | `pkcs11info` |
/// | `GetUserCert` (ChtICToken.js) | `POST /pkcs11info?withcert=true` | `pkcs11info` |
/// | `MakeSignature` | `POST /sign` | `sign` |
/// | `DecryptData` | `POST /decrypt` | `decrypt` |
/// | `changeUserPINCode` (ChtICToken.js) | `POST /CardManagement/sendCardCommand` | `changeUserPINCode` |
/// | anything else | nothing | the same, `ret_code` 0x7600000E |
///
/// A string package is posted on as the raw form body `tbsPackage=` + the text,
/// exactly as HiPKI's bridge does, and the agent URL-decodes it once; an object
/// is form-encoded first. Every call names the opener's origin in
/// `X-ECPA-Opener-Origin`, which `/sign` binds an ECPA challenge to. The agent's JSON answer is posted back as a string to
/// the opener's origin only; then the popup closes. An opener whose origin is
/// not trusted gets `ret_code` 0x76000031 and nothing else happens.
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
        .replace("__UNSUPPORTED__", &ret::UNSUPPORTED.to_string())
        .replace("__CARD_ERROR__", &CARD_ERROR.to_string());
    agent_page(
        "讀卡視窗",
        &format!(
            "<h1>讀卡視窗</h1><p id=\"status\" role=\"status\">正在與網頁連線…</p>\
             <script id=\"bridge\">{script}</script>"
        ),
    )
}

fn page(html: String) -> Response {
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
function failure(func, code) { return JSON.stringify({ func: func, ret_code: code, last_error: 0 }); }
function answerName(func) {
  switch (func) {
    case "pkcs11info": case "CheckEnvir": case "GetUserCert": return "pkcs11info";
    case "MakeSignature": return "sign";
    case "DecryptData": return "decrypt";
    default: return String(func);
  }
}
async function agent(path, body, opener) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-ECPA-Opener-Origin": opener },
    body: body,
    credentials: "omit",
  });
  return response.text();
}
function packageBody(data) {
  return "tbsPackage=" + (typeof data === "string" ? data : encodeURIComponent(JSON.stringify(data)));
}
async function cards(withCert, opener) {
  const info = JSON.parse(await agent("/pkcs11info?withcert=" + withCert, "", opener));
  info.func = "pkcs11info";
  return JSON.stringify(info);
}
async function run(request, data, opener) {
  switch (request.func) {
    case "pkcs11info": return cards(String(request.withcert) === "true", opener);
    case "CheckEnvir": return cards(false, opener);
    case "GetUserCert": return cards(true, opener);
    case "MakeSignature": return agent("/sign", packageBody(data), opener);
    case "DecryptData": return agent("/decrypt", packageBody(data), opener);
    case "changeUserPINCode": return agent("/CardManagement/sendCardCommand", packageBody(data), opener);
    default: return failure(answerName(request.func), __UNSUPPORTED__);
  }
}
window.addEventListener("message", async (event) => {
  if (!window.opener || event.source !== window.opener || busy) return;
  let request = null;
  try {
    request = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
  } catch (e) {
    request = null;
  }
  const valid = request !== null && typeof request === "object";
  const func = answerName(valid ? request.func : "MakeSignature");
  if (!TRUSTED.includes(event.origin)) {
    answer(event.origin, failure(func, __NOT_TRUSTED__));
    show("此網站尚未加入信任的網站：" + event.origin);
    return;
  }
  if (!valid) {
    answer(event.origin, failure(func, __BAD_JSON__));
    return;
  }
  busy = true;
  show("讀卡中，請勿移除卡片…");
  try {
    answer(event.origin, await run(request, event.data, event.origin));
  } catch (e) {
    answer(event.origin, failure(func, __CARD_ERROR__));
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
