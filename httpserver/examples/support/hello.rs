//! What the three designs' examples share: reading one request head from a buffer,
//! and the one response they all send, byte for byte what the engine sends for the
//! `engine_hello` example's gateway (`Content-Length`, `Date`, `Server`). Included with
//! `#[path]`, so each example stays one file a reader can run.
#![allow(dead_code)]

use httpserver::{RequestHead, ServerConfig};

/// The body every design answers with.
pub const BODY: &[u8] = b"hello, load";

/// A request head found at the start of a buffer.
pub struct Head {
    /// The head's length in bytes.
    pub len: usize,
    /// The `Content-Length` body that follows it (these examples refuse chunked bodies).
    pub body: usize,
    /// Whether the client lets the connection persist.
    pub keep_alive: bool,
}

/// If `buf` starts with a whole request head, what it says. `Err` for a head the parser
/// refuses.
pub fn parse_head(buf: &[u8], config: &ServerConfig) -> Result<Option<Head>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let (head, len) = RequestHead::parse(&buf[..end + 4], config).map_err(|e| e.to_string())?;
    if head.framing() == httpserver::BodyFraming::Chunked {
        return Err("chunked bodies are not served by this example".into());
    }
    let body = usize::try_from(head.content_length().unwrap_or(0)).map_err(|e| e.to_string())?;
    Ok(Some(Head {
        len,
        body,
        keep_alive: head.keep_alive(),
    }))
}

/// Appends the hello response to `out`.
pub fn push_response(out: &mut Vec<u8>, keep_alive: bool) {
    out.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n");
    out.extend_from_slice(format!("Content-Length: {}\r\n", BODY.len()).as_bytes());
    out.extend_from_slice(b"Date: ");
    out.extend_from_slice(httpdate::fmt_http_date(std::time::SystemTime::now()).as_bytes());
    out.extend_from_slice(b"\r\nServer: httpserver-example\r\n");
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(BODY);
}
