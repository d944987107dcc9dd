//! A client on a bare TCP connection, for the tests of the portal and the agent that
//! check the serve loop's deadlines and cap (included by path in both test binaries).
//! Each test waits for the server to act; the read timeout only keeps a broken server
//! from hanging the test.

use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Far beyond the tests' 1 s deadlines: reaching it fails the test instead of hanging it.
const SAFETY: Duration = Duration::from_secs(60);

pub fn connect(server: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(server).unwrap();
    stream.set_read_timeout(Some(SAFETY)).unwrap();
    stream
}

/// Everything the server sends until it closes the connection.
pub fn until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .unwrap_or_else(|e| panic!("the server kept the connection open: {e}"));
    String::from_utf8_lossy(&answer).into_owned()
}

/// Whether the server has already closed `stream` (nothing sent, end of stream).
pub fn already_closed(stream: &mut TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let closed = match stream.read(&mut [0; 1]) {
        Ok(0) => true,
        Ok(_) => panic!("the server answered a connection that sent nothing"),
        Err(e) if e.kind() == ErrorKind::WouldBlock => false,
        Err(e) => panic!("{e}"),
    };
    stream.set_nonblocking(false).unwrap();
    closed
}
