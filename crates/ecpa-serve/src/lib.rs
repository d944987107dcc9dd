//! The HTTP/1 serve loop shared by `ecpa-portal` and `ecpa-agent`: a client must send
//! a request's header within a deadline (which also ends an idle kept-alive
//! connection) and its body within another, and must not leave a part of an answer
//! unread for longer than that; at most a set number of connections are open at once;
//! `accept` failures never end the loop; a shutdown signal lets requests in flight
//! finish.

mod body;
mod open_files;
mod send_deadline;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

pub use body::{BodyTimedOut, DeadlineBody};
pub use open_files::default_max_connections;
pub use send_deadline::{SendDeadline, SendTimedOut};

/// How long `accept` rests after a failure such as running out of file descriptors.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// What one client may hold of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the connection's start, or the end of its last response, to the end of
    /// the next request's header; then the connection is closed.
    pub header_timeout: Duration,
    /// From the end of a request's header to the end of its body; then reading the
    /// body fails (the handler answers its own "unreadable request" error). Also the
    /// longest a write of an answer waits on a client that reads nothing; then the
    /// connection is closed.
    pub body_timeout: Duration,
    /// Connections open at once. When all are taken, new connections wait in the
    /// listen queue until one closes.
    pub max_connections: usize,
}

/// Serves `app` on `listener` under `limits` until `shutdown` resolves, then stops
/// accepting and waits for the open connections to finish their requests. Every
/// request carries `ConnectInfo<SocketAddr>` of its client.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = pin!(shutdown);
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut full = FullLog::default();
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener, &permits, &mut full, limits.max_connections) => accepted,
            () = &mut shutdown => break,
        };
        let (stream, client, permit) = accepted;
        tokio::spawn(serve_connection(
            stream,
            client,
            app.clone(),
            limits,
            graceful.watcher(),
            permit,
        ));
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Says when the connection limit is reached, at most once a minute, with how many
/// times connections waited since.
#[derive(Debug, Default)]
struct FullLog {
    last: Option<Instant>,
    waits: u64,
}

impl FullLog {
    const EVERY: Duration = Duration::from_secs(60);

    fn waiting(&mut self, max_connections: usize) {
        self.waits += 1;
        let now = Instant::now();
        if self
            .last
            .is_none_or(|last| now.duration_since(last) >= Self::EVERY)
        {
            tracing::warn!(
                max_connections,
                waits = self.waits,
                "connection limit reached; new connections wait in the listen queue until one closes"
            );
            self.last = Some(now);
            self.waits = 0;
        }
    }
}

/// The next connection, once one of `permits` is free.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
    full: &mut FullLog,
    max_connections: usize,
) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
    loop {
        let permit = match Arc::clone(permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                full.waiting(max_connections);
                match Arc::clone(permits).acquire_owned().await {
                    Ok(permit) => permit,
                    // The semaphore is never closed; rest as after a failed accept.
                    Err(_) => {
                        tokio::time::sleep(ACCEPT_RETRY).await;
                        continue;
                    }
                }
            }
        };
        match listener.accept().await {
            Ok((stream, client)) => return (stream, client, permit),
            Err(error) if is_connection_error(&error) => {
                tracing::debug!(%error, "a connection failed before it was accepted");
            }
            Err(error) => {
                tracing::warn!(%error, "accept failed; retrying");
                tokio::time::sleep(ACCEPT_RETRY).await;
            }
        }
    }
}

/// Failures of one incoming connection, not of the listener.
fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// Serves one HTTP/1 connection of `client` with the header deadline set and every
/// request's body under the body deadline; its `permit` is given back at the end.
async fn serve_connection(
    stream: TcpStream,
    client: SocketAddr,
    app: Router,
    limits: Limits,
    watcher: Watcher,
    permit: OwnedSemaphorePermit,
) {
    let body_timeout = limits.body_timeout;
    let service = app.map_request(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(|body| DeadlineBody::new(body, body_timeout));
        request.extensions_mut().insert(ConnectInfo(client));
        request
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(
            TokioIo::new(SendDeadline::new(stream, limits.body_timeout)),
            TowerToHyperService::new(service),
        );
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!(%client, %error, "connection ended");
    }
    drop(permit);
}
