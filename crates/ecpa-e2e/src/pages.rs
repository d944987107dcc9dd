//! A tiny HTTP server for client pages a test writes itself (the HiPKI client
//! families of the conformance tests), on a loopback port whose origin the agent
//! trusts. GET only; every answer closes its connection.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Serves `path → HTML` until dropped.
pub struct PageServer {
    task: tokio::task::JoinHandle<()>,
}

impl PageServer {
    /// Serves `pages` on 127.0.0.1:`port`.
    pub async fn start(port: u16, pages: HashMap<String, String>) -> Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .with_context(|| format!("binding the page server to port {port}"))?;
        let pages = Arc::new(pages);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, pages.clone()));
            }
        });
        Ok(Self { task })
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(mut stream: TcpStream, pages: Arc<HashMap<String, String>>) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 64 * 1024 {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let head = String::from_utf8_lossy(&request);
    let path = head
        .split_whitespace()
        .nth(1)
        .and_then(|target| target.split('?').next())
        .unwrap_or("/");
    let (status, body) = match pages.get(path) {
        Some(page) => ("200 OK", page.as_str()),
        None => ("404 Not Found", "not found"),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
