//! Headless Chromium through chromedriver, with the few steps a scenario needs.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::process::{ChildProcess, free_port, wait_for_port};

/// How long a scenario waits for something to appear on the page.
const PATIENCE: Duration = Duration::from_secs(20);

/// One chromedriver with one browser session; `close` ends both.
pub struct Browser {
    client: Client,
    // Dropped after `client` is closed: kills chromedriver and any Chromium left.
    _driver: ChildProcess,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a fresh headless Chromium profile.
    pub async fn start(work_dir: &Path) -> Result<Self> {
        let port = free_port()?;
        let mut command = Command::new("chromedriver");
        command.arg(format!("--port={port}"));
        let driver =
            ChildProcess::spawn("chromedriver", command, &work_dir.join("chromedriver.log"))?;
        wait_for_port(port, Duration::from_secs(20))?;
        let profile = work_dir.join("chromium-profile");
        std::fs::create_dir_all(&profile)?;
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
            "goog:loggingPrefs": { "performance": "ALL", "browser": "ALL" },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities must be an object");
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("opening a Chromium session")?;
        Ok(Self {
            client,
            _driver: driver,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))
    }

    /// Waits for the element with this id and clicks it.
    pub async fn click(&self, id: &str) -> Result<()> {
        let element = self.wait_for_id(id).await?;
        element
            .click()
            .await
            .with_context(|| format!("clicking #{id}"))
    }

    /// Waits for the input with this id, clears it and types `text`.
    pub async fn fill(&self, id: &str, text: &str) -> Result<()> {
        let element = self.wait_for_id(id).await?;
        element.clear().await?;
        element
            .send_keys(text)
            .await
            .with_context(|| format!("typing into #{id}"))
    }

    pub async fn wait_for_id(&self, id: &str) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Id(id))
            .await
            .with_context(|| format!("waiting for #{id}"))
    }

    /// Waits until the element with this id contains `expected`; returns its text.
    pub async fn wait_for_text(&self, id: &str, expected: &str) -> Result<String> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut last = String::new();
        while tokio::time::Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Id(id)).await {
                last = element.text().await.unwrap_or_default();
                if last.contains(expected) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("#{id} never showed {expected:?}; last text: {last:?}")
    }

    /// Waits until the page's visible text contains `expected`.
    pub async fn wait_for_page_text(&self, expected: &str) -> Result<()> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while tokio::time::Instant::now() < deadline {
            if self.page_text().await.is_ok_and(|t| t.contains(expected)) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "the page never showed {expected:?}; it shows:\n{}",
            self.page_text().await.unwrap_or_default()
        )
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> Result<String> {
        let body = self.client.find(Locator::Css("body")).await?;
        Ok(body.text().await?)
    }

    /// Saves a PNG of the current page.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.client.screenshot().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// Every request URL and POST body the browser sent (from Chromium's performance log).
    pub async fn network_requests(&self) -> Result<Vec<String>> {
        let logs = self
            .client
            .issue_cmd(SessionCommand::log("performance"))
            .await;
        let Ok(serde_json::Value::Array(entries)) = logs else {
            return Ok(Vec::new());
        };
        let mut requests = Vec::new();
        for entry in entries {
            let Some(message) = entry.get("message").and_then(|m| m.as_str()) else {
                continue;
            };
            let Ok(parsed) = serde_json::from_str::<serde_json::Value>(message) else {
                continue;
            };
            let inner = &parsed["message"];
            if inner["method"] == "Network.requestWillBeSent" {
                let request = &inner["params"]["request"];
                requests.push(format!(
                    "{} {} {}",
                    request["method"].as_str().unwrap_or_default(),
                    request["url"].as_str().unwrap_or_default(),
                    request["postData"].as_str().unwrap_or_default()
                ));
            }
        }
        Ok(requests)
    }

    /// The page's console messages so far (errors, warnings, logs).
    pub async fn console_log(&self) -> Vec<String> {
        let Ok(serde_json::Value::Array(entries)) =
            self.client.issue_cmd(SessionCommand::log("browser")).await
        else {
            return Vec::new();
        };
        entries
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["level"].as_str().unwrap_or_default(),
                    e["message"].as_str().unwrap_or_default()
                )
            })
            .collect()
    }

    /// Adds a WebDriver virtual authenticator that holds passkeys on this "device"
    /// (CTAP2, internal transport, resident keys, user verification that succeeds);
    /// returns its id.
    pub async fn add_virtual_authenticator(&self) -> Result<String> {
        let options = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
        });
        let added = self
            .client
            .issue_cmd(SessionCommand {
                method: http::Method::POST,
                path: "webauthn/authenticator".into(),
                body: Some(options),
            })
            .await
            .context("adding a virtual authenticator")?;
        match added {
            serde_json::Value::String(id) => Ok(id),
            other => bail!("the virtual authenticator's id is {other}"),
        }
    }

    /// Whether a virtual authenticator's user verification succeeds from now on
    /// (when it fails, the browser refuses the request with `NotAllowedError`).
    pub async fn set_user_verified(&self, authenticator: &str, verified: bool) -> Result<()> {
        self.client
            .issue_cmd(SessionCommand {
                method: http::Method::POST,
                path: format!("webauthn/authenticator/{authenticator}/uv"),
                body: Some(json!({ "isUserVerified": verified })),
            })
            .await
            .context("setting the virtual authenticator's user verification")?;
        Ok(())
    }

    /// The credentials a virtual authenticator holds (WebDriver's `Credential`
    /// objects: `credentialId`, `isResidentCredential`, `rpId`, `signCount`, …).
    pub async fn authenticator_credentials(
        &self,
        authenticator: &str,
    ) -> Result<Vec<serde_json::Value>> {
        let listed = self
            .client
            .issue_cmd(SessionCommand {
                method: http::Method::GET,
                path: format!("webauthn/authenticator/{authenticator}/credentials"),
                body: None,
            })
            .await
            .context("listing the virtual authenticator's credentials")?;
        match listed {
            serde_json::Value::Array(credentials) => Ok(credentials),
            other => bail!("the credentials are {other}"),
        }
    }

    /// Emulates a slower link for this tab from now on (chromedriver's
    /// `chromium/network_conditions`): `latency_ms` added to each request, both
    /// directions limited to `bytes_per_second`.
    pub async fn emulate_link(&self, latency_ms: u32, bytes_per_second: u32) -> Result<()> {
        let conditions = json!({
            "network_conditions": {
                "offline": false,
                "latency": latency_ms,
                "download_throughput": bytes_per_second,
                "upload_throughput": bytes_per_second,
            }
        });
        self.client
            .issue_cmd(SessionCommand {
                method: http::Method::POST,
                path: "chromium/network_conditions".into(),
                body: Some(conditions),
            })
            .await
            .context("emulating a slower link")?;
        Ok(())
    }

    /// Ends the session (Chromium exits) and stops chromedriver.
    pub async fn close(self) -> Result<()> {
        let Self { client, _driver } = self;
        client
            .close()
            .await
            .context("closing the browser session")?;
        drop(_driver);
        Ok(())
    }
}

/// A WebDriver command on the current session that fantoccini has no method for:
/// `method` on `session/{id}/{path}` with a JSON body.
#[derive(Debug)]
struct SessionCommand {
    method: http::Method,
    path: String,
    body: Option<serde_json::Value>,
}

impl SessionCommand {
    /// chromedriver's log of one type (`POST session/{id}/se/log`).
    fn log(kind: &str) -> Self {
        Self {
            method: http::Method::POST,
            path: "se/log".into(),
            body: Some(json!({ "type": kind })),
        }
    }
}

impl fantoccini::wd::WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(serde_json::Value::to_string),
        )
    }
}
