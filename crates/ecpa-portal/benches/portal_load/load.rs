//! The load: challenges fetched and signed before the timed phases, then logins sent
//! from several connections, closed loop (as fast as answered) and open loop (a
//! steady offered rate). Requests go out on kept-alive connections through
//! [`raw_http`], so the load generator takes little of the cores it shares.

use std::sync::Arc;
use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use ecpa_devcard::SoftwareCard;
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};

use crate::raw_http::{self, Answer, Connection};

/// Connections the steady phase sends from unless `ECPA_BENCH_STEADY_CONNECTIONS` says.
pub const STEADY_CONNECTIONS: usize = 64;

/// A challenge answered by a card's signature: the login request, ready to write.
pub struct Prepared {
    request: Vec<u8>,
}

/// A fetched challenge: `(cookie, nonce, tbs)`.
pub type Fetched = (String, Value, String);

fn challenge_request(authority: &str) -> Vec<u8> {
    let body = json!({"purpose": "login"}).to_string();
    raw_http::post(authority, "/api/challenges", None, &body)
}

/// One challenge for a new visitor.
async fn challenge(connection: &mut Connection, request: &[u8]) -> Fetched {
    fetched(connection.exchange(request).await)
}

/// The challenge an answer to [`challenge_request`] carries.
fn fetched(answer: Answer) -> Fetched {
    let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    assert_eq!(answer.status, 200, "{json}");
    let tbs = json["tbs"].as_str().unwrap().to_owned();
    (answer.cookie.unwrap(), json["nonce"].clone(), tbs)
}

/// Fetches `count` login challenges over `connections` connections.
pub async fn challenges(base: &str, count: usize, connections: usize) -> Vec<Fetched> {
    let request = challenge_request(&raw_http::authority(base));
    let answers = send_all(base, vec![request; count], connections).await;
    answers.into_iter().map(fetched).collect()
}

/// Sends `requests` from `connections` connections, each connection's next request as
/// soon as its last was answered; the answers in the requests' order.
async fn send_all(base: &str, requests: Vec<Vec<u8>>, connections: usize) -> Vec<Answer> {
    let (authority, requests) = (raw_http::authority(base), Arc::new(requests));
    let count = requests.len();
    let mut tasks = Vec::new();
    for c in 0..connections.min(count) {
        let (authority, requests) = (authority.clone(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(&authority).await;
            let mut answers = Vec::new();
            for i in (c..count).step_by(connections) {
                answers.push((i, connection.exchange(&requests[i]).await));
            }
            answers
        }));
    }
    let mut all: Vec<(usize, Answer)> = Vec::with_capacity(count);
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, answer)| answer).collect()
}

/// Signs every challenge (the cards take turns), on every core, before timing starts.
pub async fn sign(
    base: &str,
    cards: Arc<Vec<SoftwareCard>>,
    challenges: Vec<Fetched>,
) -> Vec<Prepared> {
    let authority = raw_http::authority(base);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = challenges.len().div_ceil(cores).max(1);
    let mut tasks = Vec::new();
    for (n, part) in challenges.chunks(chunk).enumerate() {
        let (cards, part, authority) = (cards.clone(), part.to_vec(), authority.clone());
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
                    let path = "/api/session/certificate";
                    Prepared {
                        request: raw_http::post(&authority, path, Some(&cookie), &body.to_string()),
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

/// Sends one login: `Ok` when answered 200, else the refusal.
async fn login(connection: &mut Connection, prepared: &Prepared) -> Result<(), String> {
    let answer = connection.exchange(&prepared.request).await;
    refusal(&answer).map_or(Ok(()), Err)
}

/// A login's answer other than 200, as text.
fn refusal(answer: &Answer) -> Option<String> {
    (answer.status != 200).then(|| {
        format!(
            "{} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        )
    })
}

/// Sends every login from `connections` connections as fast as they are answered.
pub async fn logins_closed_loop(base: &str, prepared: Vec<Prepared>, connections: usize) {
    let requests = prepared.into_iter().map(|p| p.request).collect();
    for answer in send_all(base, requests, connections).await {
        if let Some(refusal) = refusal(&answer) {
            panic!("login refused: {refusal}");
        }
    }
}

/// Sends `count` requests that ask the portal for nothing but its client settings
/// (`GET /api/config`: no session, no database), as fast as they are answered.
pub async fn config_reads(base: &str, count: usize, connections: usize) {
    let request = raw_http::get(&raw_http::authority(base), "/api/config");
    for answer in send_all(base, vec![request; count], connections).await {
        assert_eq!(answer.status, 200);
    }
}

/// Latencies at a steady offered rate: each tick sends one prepared login and asks for
/// one new challenge (the work of one complete login). Measured from the tick, so a
/// late send, or a wait for a free connection, counts against the portal.
pub struct Steady {
    pub logins: Vec<Duration>,
    /// Each answered login's latency by the tick it was due at (0, 1, …), in tick order.
    pub by_tick: Vec<(usize, Duration)>,
    pub challenges: Vec<Duration>,
    /// Logins not answered 200 (e.g. a write that waited too long), with one example.
    pub failed: usize,
    pub failure: Option<String>,
    /// Connections the logins and challenges were sent from.
    pub connections: usize,
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
    /// The portal's busiest threads and their cores busy, busiest first.
    pub busiest_threads: Vec<(String, f64)>,
}

/// A request of the steady phase, with the tick it was due at.
enum Job {
    Login(usize, tokio::time::Instant),
    Challenge(tokio::time::Instant),
}

/// What one connection of the steady phase measured.
#[derive(Default)]
struct Measured {
    logins: Vec<Result<(usize, Duration), String>>,
    challenges: Vec<Duration>,
}

/// Sends one prepared login and asks for one new challenge at each tick of `rate`,
/// from `connection_count` connections opened beforehand.
pub async fn steady(
    base: &str,
    prepared: Vec<Prepared>,
    rate: f64,
    connection_count: usize,
) -> Steady {
    let authority = raw_http::authority(base);
    let prepared = Arc::new(prepared);
    let challenge_request = Arc::new(challenge_request(&authority));
    let (sender, receiver) = mpsc::unbounded_channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let mut connections = Vec::new();
    for _ in 0..connection_count {
        connections.push(Connection::open(&authority).await);
    }
    let mut workers = Vec::new();
    for mut connection in connections {
        let (receiver, prepared) = (receiver.clone(), prepared.clone());
        let challenge_request = challenge_request.clone();
        workers.push(tokio::spawn(async move {
            let mut measured = Measured::default();
            loop {
                let job = receiver.lock().await.recv().await;
                match job {
                    Some(Job::Login(i, tick)) => {
                        let answer = login(&mut connection, &prepared[i]).await;
                        measured.logins.push(answer.map(|()| (i, tick.elapsed())));
                    }
                    Some(Job::Challenge(tick)) => {
                        challenge(&mut connection, &challenge_request).await;
                        measured.challenges.push(tick.elapsed());
                    }
                    None => return measured,
                }
            }
        }));
    }
    let start = tokio::time::Instant::now();
    for i in 0..prepared.len() {
        let tick = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(tick).await;
        sender.send(Job::Login(i, tick)).unwrap();
        sender.send(Job::Challenge(tick)).unwrap();
    }
    drop(sender);
    let mut result = Steady {
        logins: Vec::new(),
        by_tick: Vec::new(),
        challenges: Vec::new(),
        failed: 0,
        failure: None,
        connections: connection_count,
        busy: Busy::default(),
    };
    for worker in workers {
        let measured = worker.await.unwrap();
        for login in measured.logins {
            match login {
                Ok(answered) => result.by_tick.push(answered),
                Err(failure) => {
                    result.failed += 1;
                    result.failure.get_or_insert(failure);
                }
            }
        }
        result.challenges.extend(measured.challenges);
    }
    result.by_tick.sort();
    result.logins = result.by_tick.iter().map(|&(_, latency)| latency).collect();
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
