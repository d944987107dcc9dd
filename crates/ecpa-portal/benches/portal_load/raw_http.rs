//! HTTP/1.1 on kept-alive loopback connections, written by hand. The load generator
//! shares the portal's cores, so each request costs it one prepared write and one
//! parse of a response with a `Content-Length`, nothing more.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::portal_process::ORIGIN;

/// The portal's `host:port` in a base URL such as `http://127.0.0.1:8080`.
pub fn authority(base: &str) -> String {
    base.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// A complete JSON POST, ready to write as it is.
pub fn post(authority: &str, path: &str, cookie: Option<&str>, body: &str) -> Vec<u8> {
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/json\r\n{cookie}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A GET without a body or cookie.
pub fn get(authority: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nOrigin: {ORIGIN}\r\n\r\n").into_bytes()
}

/// An answer: its status, the session cookie it set (`name=value`), its body.
pub struct Answer {
    pub status: u16,
    pub cookie: Option<String>,
    pub body: Vec<u8>,
}

/// One connection, one request at a time.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    pub async fn open(authority: &str) -> Self {
        let stream = TcpStream::connect(authority).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buffer: Vec::with_capacity(4096),
        }
    }

    /// Writes `request` and reads its answer.
    pub async fn exchange(&mut self, request: &[u8]) -> Answer {
        self.stream.write_all(request).await.unwrap();
        self.buffer.clear();
        let head_end = loop {
            self.fill().await;
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = std::str::from_utf8(&self.buffer[..head_end]).unwrap();
        let status = head[9..12].parse().unwrap();
        let mut length = None;
        let mut cookie = None;
        for line in head.split("\r\n").skip(1) {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().unwrap());
            } else if name.eq_ignore_ascii_case("set-cookie") {
                cookie = value.split(';').next().map(str::to_owned);
            }
        }
        let length = length.unwrap_or_else(|| panic!("no Content-Length in {head}"));
        while self.buffer.len() < head_end + length {
            self.fill().await;
        }
        assert_eq!(self.buffer.len(), head_end + length, "more than one answer");
        Answer {
            status,
            cookie,
            body: self.buffer[head_end..].to_vec(),
        }
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 4096];
        let read = self.stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "the portal closed the connection");
        self.buffer.extend_from_slice(&chunk[..read]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
