//! A connection whose writes fail once one has waited too long on a client that
//! does not read: hyper times the reading of a request's header, never the writing
//! of an answer, so a client that stops reading would otherwise hold its connection
//! (and one of the capped places) for as long as it likes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// No part of an answer could be sent within the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendTimedOut(pub Duration);

impl std::fmt::Display for SendTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the client read nothing of the answer for {:?}", self.0)
    }
}

impl std::error::Error for SendTimedOut {}

/// `stream`, whose writes fail with [`SendTimedOut`] when one has made no progress for
/// `limit`; every write that goes through starts the clock again, so a slow reader is
/// served and only a stopped one is cut off. Reads pass through untouched.
#[derive(Debug)]
pub struct SendDeadline<S> {
    stream: S,
    limit: Duration,
    /// Set while a write waits on the client; dropped when one goes through.
    waiting: Option<Pin<Box<Sleep>>>,
}

impl<S> SendDeadline<S> {
    pub fn new(stream: S, limit: Duration) -> Self {
        Self {
            stream,
            limit,
            waiting: None,
        }
    }

    /// Passes a finished write on and stops the clock; for one that must wait, starts
    /// the clock (if not already running) and fails once it runs out.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        write: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if let Poll::Ready(done) = write {
            self.waiting = None;
            return Poll::Ready(done);
        }
        let limit = self.limit;
        let waiting = self
            .waiting
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match waiting.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                SendTimedOut(limit),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for SendDeadline<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SendDeadline<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let write = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, write)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let write = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, write)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flush = Pin::new(&mut this.stream).poll_flush(cx);
        this.watch(cx, flush)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let shutdown = Pin::new(&mut this.stream).poll_shutdown(cx);
        this.watch(cx, shutdown)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use std::io::{ErrorKind, Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;

    use axum::Router;
    use axum::routing::get;
    use tokio::net::TcpListener;

    use crate::{Limits, serve};

    /// Far more than the kernel's socket buffers hold, so the server must wait on
    /// the client to send it all.
    const ANSWER_BYTES: usize = 64 << 20;

    /// Serves one large answer with a 1 s send limit; returns the address and the
    /// task serving it.
    async fn large_answer_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let app = Router::new().route("/", get(|| async { vec![b'x'; ANSWER_BYTES] }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let limits = Limits {
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(1),
            max_connections: 4,
        };
        let server = tokio::spawn(serve(listener, app, limits, std::future::pending()));
        (address, server)
    }

    /// Asks for the answer, rests `pause`, then reads until the server closes the
    /// connection (or 10 s pass with nothing more); the bytes received.
    fn fetch_after(address: SocketAddr, pause: Duration) -> usize {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .unwrap();
        std::thread::sleep(pause);
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut received = 0;
        let mut chunk = vec![0; 1 << 16];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => return received,
                Ok(n) => received += n,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return received,
                Err(e) => panic!("the server neither sent nor closed: {e}"),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_stops_reading_is_cut_off() {
        let (address, server) = large_answer_server().await;
        let received =
            tokio::task::spawn_blocking(move || fetch_after(address, Duration::from_secs(3)))
                .await
                .unwrap();
        assert!(
            received < ANSWER_BYTES,
            "the whole answer ({received} bytes) waited for a client that read nothing for 3 s"
        );
        server.abort();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_reads_gets_the_whole_answer() {
        let (address, server) = large_answer_server().await;
        let received = tokio::task::spawn_blocking(move || fetch_after(address, Duration::ZERO))
            .await
            .unwrap();
        assert!(
            received > ANSWER_BYTES,
            "only {received} bytes of a {ANSWER_BYTES}-byte answer arrived"
        );
        server.abort();
    }
}
