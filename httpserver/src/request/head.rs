//! `RequestHead`: the parsed request line and header section, and their accessors.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::headers::{header_facts, read_request_headers, BodyFraming, HeaderFacts};
use super::line::{read_request_line, RequestLine};
use crate::error::ClientError;
use crate::{Error, ServerConfig};

/// The HTTP version of a request. Only these two are served (a higher `HTTP/1.x` is read
/// as `HTTP/1.1`); others get 505.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `HTTP/1.0`: close after each response unless `Connection: keep-alive`.
    Http10,
    /// `HTTP/1.1`: persistent unless `Connection: close`.
    Http11,
}

impl Version {
    /// `"HTTP/1.0"` or `"HTTP/1.1"`: the CGI `SERVER_PROTOCOL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// Everything the request line and header section said, plus the two socket addresses.
///
/// This is what a [`Gateway`](crate::Gateway) reads to build its environment; every
/// field is the request as received (names keep their case, values are bytes) except
/// where the accessor says it decodes.
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub(crate) method: String,
    pub(crate) uri: String,
    pub(crate) target_scheme: Option<String>,
    pub(crate) authority: Option<String>,
    pub(crate) raw_path: String,
    pub(crate) path: Vec<u8>,
    pub(crate) query: String,
    pub(crate) version: Version,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) framing: BodyFraming,
    pub(crate) keep_alive: bool,
    pub(crate) expect_continue: bool,
    pub(crate) close_after: bool,
    /// Which of `headers` is `Host`.
    pub(crate) host: Option<usize>,
    pub(crate) remote_addr: SocketAddr,
    pub(crate) server_addr: SocketAddr,
}

impl RequestHead {
    // ANCHOR: head_parse
    /// Parses a complete request head (request line, fields, empty line) at the start of
    /// `bytes`; returns it and how many bytes it took. The addresses are unspecified
    /// (`0.0.0.0:0`) until the connection fills them in.
    ///
    /// Any input, however malformed, gives `Ok` or a client [`Error`]: never a panic.
    pub fn parse(bytes: &[u8], config: &ServerConfig) -> Result<(RequestHead, usize), Error> {
        let (line, line_len) = read_request_line(bytes, config)?;
        let rest = &bytes[line_len..];
        if super::headers::section_end(rest).is_none() && rest.len() <= config.max_header_bytes {
            return Err(Error::Client(ClientError::BadHeader {
                why: "header section does not end with an empty line",
                evidence: rest.iter().take(256).copied().collect(),
            }));
        }
        let fields_len = super::headers::section_len(rest, config, line_len)?;
        let mut head = RequestHead::empty();
        read_request_headers(&rest[..fields_len], config, &mut head.headers)?;
        let facts = header_facts(&head.headers, line.version, config)?;
        head.set_line(&line);
        head.set_facts(facts);
        Ok((head, line_len + fields_len))
    }
    // ANCHOR_END: head_parse

    /// A head with nothing parsed yet, and unspecified addresses.
    pub(crate) fn empty() -> RequestHead {
        let unspecified = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
        RequestHead {
            method: String::new(),
            uri: String::new(),
            target_scheme: None,
            authority: None,
            raw_path: String::new(),
            path: Vec::new(),
            query: String::new(),
            version: Version::Http11,
            headers: Vec::new(),
            framing: BodyFraming::None,
            keep_alive: false,
            expect_continue: false,
            close_after: false,
            host: None,
            remote_addr: unspecified,
            server_addr: unspecified,
        }
    }

    // ANCHOR: set_line
    /// Copies the parsed line in, reusing this head's strings: a connection keeps its
    /// head from request to request, so a request like the last costs no allocation.
    pub(crate) fn set_line(&mut self, line: &RequestLine<'_>) {
        fn copy(dst: &mut String, src: &str) {
            dst.clear();
            dst.push_str(src);
        }
        copy(&mut self.method, line.method);
        copy(&mut self.uri, line.uri);
        self.version = line.version;
        self.target_scheme = line.target.scheme.map(str::to_ascii_lowercase);
        self.authority = line.target.authority.map(str::to_string);
        copy(&mut self.raw_path, line.target.raw_path);
        self.path.clear();
        line.target.decode_path_into(&mut self.path);
        copy(&mut self.query, line.target.query);
    }
    // ANCHOR_END: set_line

    pub(crate) fn set_facts(&mut self, facts: HeaderFacts) {
        self.framing = facts.framing;
        self.keep_alive = facts.keep_alive;
        self.expect_continue = facts.expect_continue;
        self.close_after = facts.close_after;
        self.host = facts.host;
    }

    /// The method, e.g. `GET` (case-sensitive, as sent): `REQUEST_METHOD`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request-target exactly as received, e.g. `/a%2Fb?x=1`: `REQUEST_URI`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The path percent-decoded to bytes (`/a%2Fb` gives `/a/b`), for `PATH_INFO`. The
    /// bytes need not be UTF-8. `*` for `OPTIONS *`.
    pub fn path(&self) -> &[u8] {
        &self.path
    }

    /// The path as received, still percent-encoded: where `%2F` and `/` differ.
    pub fn raw_path(&self) -> &str {
        &self.raw_path
    }

    /// Everything after the first `?` of the target, as received: `QUERY_STRING`.
    pub fn query_string(&self) -> &str {
        &self.query
    }

    /// The scheme the request reached the server with: `wsgi.url_scheme`. Always `http`:
    /// this server does not terminate TLS (an absolute-form target's scheme is in
    /// [`target_scheme`](Self::target_scheme)).
    pub fn scheme(&self) -> &str {
        "http"
    }

    /// The scheme of an absolute-form target (`http://host/path`), lowercased.
    pub fn target_scheme(&self) -> Option<&str> {
        self.target_scheme.as_deref()
    }

    /// The authority of an absolute-form target, e.g. `example.com:8080`.
    pub fn authority(&self) -> Option<&str> {
        self.authority.as_deref()
    }

    /// The request's version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// `"HTTP/1.0"` or `"HTTP/1.1"`: `SERVER_PROTOCOL`.
    pub fn request_protocol(&self) -> &'static str {
        self.version.as_str()
    }

    /// The header fields in arrival order, names as received, values as bytes. Repeated
    /// fields appear once per line; trailers of a chunked body are not here.
    pub fn headers(&self) -> &[(String, Vec<u8>)] {
        &self.headers
    }

    /// The first field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// How the body is framed.
    pub fn framing(&self) -> BodyFraming {
        self.framing
    }

    /// The declared `Content-Length`, if the body is framed by one: `CONTENT_LENGTH`.
    pub fn content_length(&self) -> Option<u64> {
        match self.framing {
            BodyFraming::Length(n) => Some(n),
            _ => None,
        }
    }

    /// The client's address: `REMOTE_ADDR`, `REMOTE_PORT`.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote_addr
    }

    /// The server's local address on this connection: `SERVER_PORT`.
    pub fn server_addr(&self) -> SocketAddr {
        self.server_addr
    }

    /// `SERVER_NAME`: the `Host` header without its port, else the local address's IP.
    pub fn server_name(&self) -> String {
        let host = self
            .host
            .and_then(|i| self.headers.get(i))
            .map(|(_, value)| String::from_utf8_lossy(value));
        match self.authority.as_deref().or(host.as_deref()) {
            Some(host) if !host.is_empty() => strip_port(host).to_string(),
            _ => self.server_addr.ip().to_string(),
        }
    }

    /// Whether the client asked for `100 Continue` (HTTP/1.1 `Expect: 100-continue`).
    pub fn expects_continue(&self) -> bool {
        self.expect_continue
    }

    /// Whether the client allows the connection to persist after this exchange.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive && !self.close_after
    }
}

/// `host:port` → `host`; `[::1]:80` → `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_name_drops_the_port() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("example.com"), "example.com");
    }
}
