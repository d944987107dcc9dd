//! `/addDomain`: the user trusts a site, and only by confirming on the agent's own page.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::pages::agent_page;
use crate::{AgentState, Origin};

/// `GET /addDomain?domain=ORIGIN`: asks; trusts nothing.
pub(super) async fn consent_page(RawQuery(query): RawQuery) -> Response {
    let domain = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "domain")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let origin = match trustable(Origin::parse(&domain)) {
        Ok(origin) => origin,
        Err(why) => return (StatusCode::BAD_REQUEST, message_page(why)).into_response(),
    };
    let site = escape(origin.as_str());
    agent_page(
        "加入信任的網站",
        &format!(
            "<h1>加入信任的網站</h1>\
             <p>網站 <strong id=\"site\">{site}</strong> 要求使用此電腦上的讀卡元件\
             （讀取卡片上的憑證、以卡片簽章）。</p>\
             <p>請只加入您信任的網站。</p>\
             <form method=\"post\" action=\"/addDomain\">\
             <input type=\"hidden\" name=\"domain\" value=\"{site}\">\
             <button type=\"submit\" id=\"confirm\" name=\"confirm\" value=\"yes\" disabled>確定加入</button> \
             <button type=\"submit\" id=\"cancel\" name=\"confirm\" value=\"no\">取消</button>\
             </form><script>{ARM_CONFIRM}</script>"
        ),
    )
}

/// Enables 「確定加入」 only after the page has been in front for a second, so a site
/// cannot open this window under the user's double-click (clickjacking by popup).
const ARM_CONFIRM: &str = r#"
"use strict";
(function () {
  const confirm = document.getElementById("confirm");
  let timer = null;
  function arm() {
    clearTimeout(timer);
    confirm.disabled = true;
    timer = setTimeout(function () { confirm.disabled = false; }, 1000);
  }
  window.addEventListener("focus", arm);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { arm(); }
  });
  arm();
})();
"#;

/// `POST /addDomain` (`domain`, `confirm=yes`) from the consent page itself.
pub(super) async fn confirm(
    State(state): State<AgentState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .unwrap_or_default();
    if !state.own_origins().iter().any(|own| own == origin) {
        tracing::warn!(
            origin,
            "refused addDomain from outside the agent's own page"
        );
        return (
            StatusCode::FORBIDDEN,
            message_page("只能在讀卡元件的確認頁面加入信任的網站。"),
        )
            .into_response();
    }
    let mut domain = None;
    let mut confirmed = false;
    for (key, value) in form_urlencoded::parse(&body) {
        match &*key {
            "domain" => domain = Origin::parse(&value),
            "confirm" => confirmed = value == "yes",
            _ => {}
        }
    }
    let site = match trustable(domain) {
        Ok(site) => site,
        Err(why) => return (StatusCode::BAD_REQUEST, message_page(why)).into_response(),
    };
    if !confirmed {
        return message_page("已取消，沒有加入任何網站。");
    }
    let shown = escape(site.as_str());
    match state.trusted.add(site) {
        Ok(()) => {
            tracing::info!(site = %shown, "site trusted");
            message_page(&format!(
                "已將 {shown} 加入信任的網站，請回到原網頁重新操作。"
            ))
        }
        Err(e) => {
            tracing::error!(code = e.code(), cause = ?e, "could not trust a site");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                message_page("無法儲存信任的網站清單。"),
            )
                .into_response()
        }
    }
}

/// The origin when it may be trusted; otherwise why not, for the user.
fn trustable(origin: Option<Origin>) -> Result<Origin, &'static str> {
    let origin = origin.ok_or("網址格式不正確，無法加入信任的網站。")?;
    if !origin.may_be_trusted() {
        tracing::warn!(
            origin = origin.as_str(),
            "refused to trust a site without https"
        );
        return Err(
            "只能加入以 https:// 開頭的網站（開發用的 http://localhost 與 http://127.0.0.1 除外）。",
        );
    }
    Ok(origin)
}

fn message_page(text: &str) -> Response {
    agent_page(
        "訊息",
        &format!("<p id=\"message\" role=\"status\">{text}</p>"),
    )
}

/// HTML text escaping (origins are validated already; this keeps it so).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
