//! The load: challenges fetched and signed before the timed phases, then logins sent
//! from several connections, closed loop (as fast as answered) and open loop (a
//! steady offered rate).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::SoftwareCard;
use serde_json::{Value, json};

use crate::portal_process::ORIGIN;

/// A challenge answered by a card's signature, ready to send as a login.
pub struct Prepared {
    cookie: String,
    body: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap()
}

/// POSTs `body`; the status, the session cookie it set, and the JSON answer.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
    body: String,
) -> (u16, Option<String>, Value) {
    let mut request = client
        .post(url)
        .header("Origin", ORIGIN)
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let json = response.json().await.unwrap_or(Value::Null);
    (status, cookie, json)
}

/// One challenge for a new visitor: `(cookie, nonce, tbs)`.
async fn challenge(client: &reqwest::Client, base: &str) -> (String, Value, String) {
    let url = format!("{base}/api/challenges");
    let body = json!({"purpose": "login"}).to_string();
    let (status, cookie, answer) = post(client, &url, None, body).await;
    assert_eq!(status, 200, "{answer}");
    let tbs = answer["tbs"].as_str().unwrap().to_owned();
    (cookie.unwrap(), answer["nonce"].clone(), tbs)
}

/// Runs `count` jobs from `connections` concurrent tasks; returns each job's output.
async fn spread<T, F, Fut>(count: usize, connections: usize, job: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    let job = Arc::new(job);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let job = job.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in (c..count).step_by(connections) {
                out.push(job(i).await);
            }
            out
        }));
    }
    let mut all = Vec::with_capacity(count);
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

/// Fetches `count` login challenges over `connections` connections.
pub async fn challenges(
    base: &str,
    count: usize,
    connections: usize,
) -> Vec<(String, Value, String)> {
    let (client, base) = (client(), base.to_owned());
    spread(count, connections, move |_| {
        let (client, base) = (client.clone(), base.clone());
        async move { challenge(&client, &base).await }
    })
    .await
}

/// Signs every challenge (the cards take turns), on every core, before timing starts.
pub async fn sign(
    cards: Arc<Vec<SoftwareCard>>,
    challenges: Vec<(String, Value, String)>,
) -> Vec<Prepared> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = challenges.len().div_ceil(cores).max(1);
    let mut tasks = Vec::new();
    for (n, part) in challenges.chunks(chunk).enumerate() {
        let (cards, part) = (cards.clone(), part.to_vec());
        tasks.push(tokio::task::spawn_blocking(move || {
            part.into_iter()
                .enumerate()
                .map(|(i, (cookie, nonce, tbs))| {
                    let card = &cards[(n * chunk + i) % cards.len()];
                    let body = json!({
                        "nonce": nonce,
                        "certificate": STANDARD.encode(&card.signing_cert_der),
                        "signature": STANDARD.encode(card.sign(tbs.as_bytes())),
                    });
                    Prepared {
                        cookie,
                        body: body.to_string(),
                    }
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

/// Sends one login; its latency, or the refusal when it was not answered 200.
async fn login(
    client: &reqwest::Client,
    base: &str,
    prepared: &Prepared,
) -> Result<Duration, String> {
    let start = Instant::now();
    let url = format!("{base}/api/session/certificate");
    let (status, _, answer) =
        post(client, &url, Some(&prepared.cookie), prepared.body.clone()).await;
    if status != 200 {
        return Err(format!("{status} {answer}"));
    }
    Ok(start.elapsed())
}

/// Sends every login from `connections` connections as fast as they are answered.
pub async fn logins_closed_loop(base: &str, prepared: Vec<Prepared>, connections: usize) {
    let (client, base, prepared) = (client(), base.to_owned(), Arc::new(prepared));
    let count = prepared.len();
    spread(count, connections, move |i| {
        let (client, base, prepared) = (client.clone(), base.clone(), prepared.clone());
        async move { login(&client, &base, &prepared[i]).await.unwrap() }
    })
    .await;
}

/// Latencies at a steady offered rate: each tick sends one prepared login and asks for
/// one new challenge (the work of one complete login). Measured from the tick, so a
/// late send counts against the portal, not in its favour.
pub struct Steady {
    pub logins: Vec<Duration>,
    pub challenges: Vec<Duration>,
    /// Logins not answered 200 (e.g. a write that waited too long), with one example.
    pub failed: usize,
    pub failure: Option<String>,
    /// How busy the cores were while the logins were sent and answered.
    pub busy: Busy,
}

/// Cores busy on average during a phase: the portal's and the load generator's CPU
/// time per second, and the share of all the machine's CPU time not idle.
#[derive(Debug, Default, Clone)]
pub struct Busy {
    pub portal: f64,
    pub client: f64,
    pub machine: f64,
    /// Of `machine`, the share the hypervisor took (steal).
    pub steal: f64,
    /// The portal's busiest thread and its cores busy.
    pub busiest_thread: Option<(String, f64)>,
}

pub async fn steady(base: &str, prepared: Vec<Prepared>, rate: f64) -> Steady {
    let client = client();
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for (i, item) in prepared.into_iter().enumerate() {
        let tick = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(tick).await;
        let (client, base) = (client.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let login = async {
                let answer = login(&client, &base, &item).await;
                answer.map(|_| tick.elapsed())
            };
            let challenge = async {
                challenge(&client, &base).await;
                tick.elapsed()
            };
            tokio::join!(login, challenge)
        }));
    }
    let mut result = Steady {
        logins: Vec::new(),
        challenges: Vec::new(),
        failed: 0,
        failure: None,
        busy: Busy::default(),
    };
    for task in tasks {
        let (login, challenge) = task.await.unwrap();
        match login {
            Ok(latency) => result.logins.push(latency),
            Err(failure) => {
                result.failed += 1;
                result.failure.get_or_insert(failure);
            }
        }
        result.challenges.push(challenge);
    }
    result.logins.sort();
    result.challenges.sort();
    result
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}
