//! Reading a response the way a client must: status line, headers, then a body framed by
//! chunks, `Content-Length` or the close (RFC 9112 §6.3), noting whether it was complete.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use crate::net::MAX_RESPONSE;

/// One response as the client saw it.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The status line and header lines as received, with their line ends (and, from
    /// [`read_final_response`], the interim 1xx responses before them).
    pub head: String,
    /// The headers, in order, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// The body ended as its framing says (length reached, last chunk seen); false when
    /// the connection ended first.
    pub complete: bool,
    /// The body was chunked on the wire.
    pub chunked: bool,
}

impl Response {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers_named(name).first().copied()
    }

    /// Every header called `name` (any case), in order: `Set-Cookie`, for one.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The same as [`text`](Self::text), by the name the httpserver tests use.
    pub fn body_text(&self) -> String {
        self.text()
    }
}

/// Reads one response from `reader`, an interim `1xx` included (it has no body);
/// `head_request` when it answers a HEAD (no body whatever the headers say).
///
/// # Panics
/// On a status line without a status code, a header line without a colon or a chunk
/// size that is not hex: the server broke the protocol, and the test fails there.
pub fn read_response(reader: &mut impl BufRead, head_request: bool) -> Response {
    let (status, head, headers) = read_head(reader);
    let mut response = Response {
        status,
        head,
        headers,
        body: Vec::new(),
        complete: true,
        chunked: false,
    };
    // RFC 9112 §6.3: these responses end at their head.
    if head_request || status < 200 || status == 204 || status == 304 {
        return response;
    }
    read_body(reader, &mut response);
    response
}

/// Reads the next final (non-1xx) response: interim responses such as `100 Continue`
/// are read and skipped, their lines kept at the start of [`Response::head`].
pub fn read_final_response(reader: &mut impl BufRead, head_request: bool) -> Response {
    let mut interim = String::new();
    loop {
        let mut response = read_response(reader, head_request);
        if response.status >= 200 {
            response.head.insert_str(0, &interim);
            return response;
        }
        interim.push_str(&response.head);
    }
}

/// Sends `request` on the reader's stream and reads one response (a HEAD's without body).
pub fn send(reader: &mut BufReader<TcpStream>, request: &[u8]) -> Response {
    reader.get_mut().write_all(request).expect("request sent");
    read_response(reader, request.starts_with(b"HEAD "))
}

/// The status line and the header lines up to the empty one.
fn read_head(reader: &mut impl BufRead) -> (u16, String, Vec<(String, String)>) {
    let mut head = read_line(reader);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader);
        head.push_str(&line);
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed
            .split_once(':')
            .unwrap_or_else(|| panic!("no colon in the header line {trimmed:?}"));
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    (status, head, headers)
}

/// The body after the head: chunked wins over `Content-Length` (RFC 9112 §6.3), and
/// without either the body runs to the close.
fn read_body(reader: &mut impl BufRead, response: &mut Response) {
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    if chunked {
        response.chunked = true;
        response.complete = read_chunked(reader, &mut response.body);
    } else if let Some(length) = response.header("Content-Length") {
        let length: u64 = length.parse().expect("a Content-Length");
        // A read error (the timeout, a reset) keeps what came: the body is then short.
        let _ = reader.by_ref().take(length).read_to_end(&mut response.body);
        response.complete = response.body.len() as u64 == length;
    } else {
        let _ = reader
            .by_ref()
            .take(MAX_RESPONSE)
            .read_to_end(&mut response.body);
    }
}

/// Decodes a chunked body into `body`; false when the connection ended (or failed)
/// before the last chunk and the empty line after the trailers.
fn read_chunked(reader: &mut impl BufRead, body: &mut Vec<u8>) -> bool {
    loop {
        let line = read_line(reader);
        if line.is_empty() {
            return false;
        }
        let size = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size.trim(), 16)
            .unwrap_or_else(|_| panic!("no chunk size in {line:?}"));
        if size == 0 {
            // The trailers, then the empty line.
            loop {
                let line = read_line(reader);
                if line.trim().is_empty() {
                    return !line.is_empty();
                }
            }
        }
        let mut chunk = vec![0; size + 2];
        if reader.read_exact(&mut chunk).is_err() {
            return false;
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// One line with its line end, lossy UTF-8; empty at EOF or on a read error (a timeout
/// or a reset: what the caller sees as the connection's end).
fn read_line(reader: &mut impl BufRead) -> String {
    let mut line = Vec::new();
    let _ = reader.read_until(b'\n', &mut line);
    String::from_utf8_lossy(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(wire: &[u8], head_request: bool) -> Response {
        read_response(&mut &wire[..], head_request)
    }

    #[test]
    fn a_length_framed_body_is_read_to_its_length_and_no_further() {
        let r = read(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 ...",
            false,
        );
        assert_eq!(
            (r.status, r.text().as_str(), r.complete),
            (200, "hello", true)
        );
        assert_eq!(r.head, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    }

    #[test]
    fn a_body_cut_short_is_incomplete() {
        let r = read(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", false);
        assert_eq!((r.text().as_str(), r.complete), ("hello", false));
        let r = read(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            false,
        );
        assert_eq!(
            (r.text().as_str(), r.complete, r.chunked),
            ("hello", false, true)
        );
    }

    #[test]
    fn chunks_with_extensions_and_trailers_are_decoded() {
        let r = read(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
              2;x=y\r\nab\r\n2\r\ncd\r\n0\r\nX-Trailer: 1\r\n\r\n",
            false,
        );
        assert_eq!((r.text().as_str(), r.complete), ("abcd", true));
    }

    #[test]
    fn head_1xx_204_and_304_answers_have_no_body() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        assert!(read(wire, true).body.is_empty());
        for status in ["100 Continue", "204 No Content", "304 Not Modified"] {
            let wire = format!("HTTP/1.1 {status}\r\nContent-Length: 5\r\n\r\nhello");
            assert!(read(wire.as_bytes(), false).body.is_empty(), "{status}");
        }
    }

    #[test]
    fn the_final_response_skips_interim_ones_but_keeps_their_lines() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        let r = read_final_response(&mut &wire[..], false);
        assert_eq!((r.status, r.text().as_str()), (200, "ok"));
        assert!(r
            .head
            .starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
        assert_eq!(read(wire, false).status, 100);
    }

    #[test]
    fn headers_are_found_in_any_case_and_all_of_a_name_in_order() {
        let r = read(
            b"HTTP/1.1 204 No Content\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n",
            false,
        );
        assert_eq!(r.header("SET-COOKIE"), Some("a=1"));
        assert_eq!(r.headers_named("Set-Cookie"), ["a=1", "b=2"]);
    }
}
