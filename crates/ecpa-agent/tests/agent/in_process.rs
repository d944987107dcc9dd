//! The agent's router in this process, over the fake card, with a fixed clock.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ecpa_agent::{AgentState, CardReader, Clock, Origin, TrustedSites, router};
use http_body_util::BodyExt;
use rsa::RsaPrivateKey;
use time::OffsetDateTime;
use tower::ServiceExt;

use crate::certs::{CardCert, DAY, now_unix, spki_of};
use crate::fake_card::FakeCard;

pub const PORT: u16 = 61161;
pub const HOST: &str = "127.0.0.1:61161";
pub const OWN_ORIGIN: &str = "http://127.0.0.1:61161";
pub const PORTAL: &str = "http://localhost:8080";
pub const PIN: &str = "246810";

/// The fake card's key, made once.
pub static FAKE_KEY: LazyLock<RsaPrivateKey> =
    LazyLock::new(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap());

struct FixedClock(OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

pub struct TestAgent<C = FakeCard> {
    pub app: Router,
    pub card: Arc<C>,
    pub trusted: Arc<TrustedSites>,
}

/// A fake citizen card whose signing certificate is valid from `not_before` to
/// `not_after` (unix seconds), plus its encryption certificate.
pub fn fake_card_valid(not_before: u64, not_after: u64) -> FakeCard {
    fake_card_with(PIN, not_before, not_after)
}

/// A fake card valid for a year around now whose PIN is `pin`.
pub fn fake_card_with_pin(pin: &str) -> FakeCard {
    let now = now_unix();
    fake_card_with(pin, now - 30 * DAY, now + 300 * DAY)
}

fn fake_card_with(pin: &str, not_before: u64, not_after: u64) -> FakeCard {
    FakeCard::new(
        FAKE_KEY.clone(),
        pin,
        citizen_certificates(not_before, not_after),
    )
}

/// A citizen card's signing and encryption certificates for `FAKE_KEY`, valid from
/// `not_before` to `not_after` (unix seconds).
pub fn citizen_certificates(not_before: u64, not_after: u64) -> Vec<Vec<u8>> {
    let spki = spki_of(&FAKE_KEY);
    let cert = |signing, serial| {
        crate::certs::issue(
            &spki,
            &CardCert {
                name: "王大明",
                id_last4: Some("6789"),
                signing,
                serial,
                not_before,
                not_after,
            },
        )
    };
    vec![cert(true, 0xA1), cert(false, 0xA2)]
}

/// A fake card valid for a year around now.
pub fn fake_card() -> FakeCard {
    let now = now_unix();
    fake_card_valid(now - 30 * DAY, now + 300 * DAY)
}

/// The router over `card`, trusting `PORTAL` only (in memory).
pub fn agent_with(card: FakeCard) -> TestAgent {
    agent_trusting(
        card,
        TrustedSites::in_memory(vec![Origin::parse(PORTAL).unwrap()]),
    )
}

pub fn agent_trusting(card: FakeCard, trusted: TrustedSites) -> TestAgent {
    agent_over(card, trusted)
}

/// The router over any card, trusting what `trusted` holds.
pub fn agent_over<C: CardReader + 'static>(card: C, trusted: TrustedSites) -> TestAgent<C> {
    let card = Arc::new(card);
    let trusted = Arc::new(trusted);
    let state = AgentState {
        card: card.clone(),
        trusted: trusted.clone(),
        clock: Arc::new(FixedClock(OffsetDateTime::now_utc())),
        port: PORT,
    };
    TestAgent {
        app: router(state),
        card,
        trusted,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl<C> TestAgent<C> {
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// `POST /sign` with `tbsPackage` = `package`, from `origin`.
    pub async fn sign(&self, origin: Option<&str>, package: &str) -> Answer {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("tbsPackage", package)
            .finish();
        self.post("/sign", origin, body).await
    }

    /// `POST path` with `body` as it is (a form body), from `origin`.
    pub async fn post(&self, path: &str, origin: Option<&str>, body: String) -> Answer {
        let mut request = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&self, path: &str, origin: Option<&str>) -> Answer {
        let mut request = Request::get(path).header(header::HOST, HOST);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }
}

/// A MakeSignature package over UTF-8 text.
pub fn package(tbs: &str, pin: &str) -> String {
    serde_json::json!({
        "func": "MakeSignature",
        "signatureType": "PKCS1",
        "tbs": tbs,
        "tbsEncoding": "NONE",
        "hashAlgorithm": "SHA256",
        "pin": pin,
    })
    .to_string()
}
