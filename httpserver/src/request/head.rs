//! `RequestHead`: the parsed request line and header section, and their accessors.

use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::headers::{header_facts, BodyFraming, HeaderFacts};
use super::line::{self, Target};
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

/// Where a part of the head lies in one of its two buffers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// The header slots httparse fills on the stack: more fields than this (rare) take a
/// second parse with `max_headers` slots on the heap.
const STACK_FIELDS: usize = 32;

/// Everything the request line and header section said, plus the two socket addresses.
///
/// This is what a [`Gateway`](crate::Gateway) reads to build its environment; every
/// field is the request as received (names keep their case, values are bytes) except
/// where the accessor says it decodes.
///
/// The text httparse checked (method, target, field names) is kept in one string and the
/// field values in one byte buffer, both reused from request to request on a connection:
/// the accessors borrow from them, and a request like the last allocates nothing.
#[derive(Debug, Clone)]
pub struct RequestHead {
    /// The method, the target and every field name, one after another.
    text: String,
    /// Every field value, one after another.
    values: Vec<u8>,
    /// The percent-decoded path, when it differs from the raw one.
    decoded: Vec<u8>,
    path_decoded: bool,
    method: Span,
    uri: Span,
    raw_path: Span,
    query: Span,
    authority: Option<Span>,
    target_scheme: Option<&'static str>,
    /// Name (in `text`) and value (in `values`) of each field, in arrival order.
    fields: Vec<(Span, Span)>,
    pub(crate) version: Version,
    pub(crate) framing: BodyFraming,
    pub(crate) keep_alive: bool,
    pub(crate) expect_continue: bool,
    pub(crate) close_after: bool,
    /// Which of the fields is `Host`.
    host: Option<usize>,
    pub(crate) remote_addr: SocketAddr,
    pub(crate) server_addr: SocketAddr,
}

impl RequestHead {
    /// Parses a complete request head (request line, fields, empty line) at the start of
    /// `bytes`; returns it and how many bytes it took. The addresses are unspecified
    /// (`0.0.0.0:0`) until the connection fills them in.
    ///
    /// Any input, however malformed, gives `Ok` or a client [`Error`]: never a panic.
    pub fn parse(bytes: &[u8], config: &ServerConfig) -> Result<(RequestHead, usize), Error> {
        let mut head = RequestHead::empty();
        let used = head.parse_in_place(bytes, config)?;
        Ok((head, used))
    }

    /// What [`parse`](Self::parse) does, into this head, reusing its buffers: what a
    /// connection does for each of its requests. Returns the bytes the head took (with
    /// the empty lines skipped before it). On `Err` the head's contents are unspecified.
    pub fn parse_in_place(&mut self, bytes: &[u8], config: &ServerConfig) -> Result<usize, Error> {
        Ok(self.read_head(bytes, config)?)
    }

    /// [`parse_in_place`](Self::parse_in_place) with the client error as it is.
    pub(crate) fn read_head(
        &mut self,
        bytes: &[u8],
        config: &ServerConfig,
    ) -> Result<usize, ClientError> {
        let skip = leading_empty_lines(bytes);
        // Empty lines count against the request line's limit (RFC 9112 §2.2 asks a server
        // to skip at least one, not an unbounded number).
        if skip > config.max_request_line {
            return Err(ClientError::BadRequestLine {
                line: b"(empty lines longer than max_request_line)".to_vec(),
            });
        }
        Ok(skip + self.parse_head(&bytes[skip..], config)?)
    }

    // ANCHOR: parse_head
    /// One httparse pass over the whole head, then this server's rules on what it found
    /// ([`take`](Self::take)). A head httparse refuses goes through the steps one at a
    /// time ([`refusal`]) to name the rule it breaks; a higher `HTTP/1.x` minor is read
    /// as `HTTP/1.1` (RFC 9110 §2.5) by parsing a copy that says so.
    fn parse_head(&mut self, bytes: &[u8], config: &ServerConfig) -> Result<usize, ClientError> {
        let mut on_stack = [const { MaybeUninit::uninit() }; STACK_FIELDS];
        let mut req = httparse::Request::new(&mut []);
        match req.parse_with_uninit_headers(bytes, &mut on_stack) {
            Ok(httparse::Status::Complete(len)) => return self.take(&req, bytes, len, config),
            Err(httparse::Error::TooManyHeaders) if config.max_headers > STACK_FIELDS => {}
            Err(httparse::Error::Version) => {
                let line = line_end(bytes, config).map_or(&bytes[..0], |end| &bytes[..end]);
                if let Some(minor) = line::higher_http1_minor(line) {
                    let mut patched = bytes.to_vec();
                    patched[minor] = b'1';
                    return self.parse_head(&patched, config);
                }
                return Err(refusal(bytes, config));
            }
            _ => return Err(refusal(bytes, config)),
        }
        let mut on_heap = vec![MaybeUninit::uninit(); config.max_headers];
        let mut req = httparse::Request::new(&mut []);
        match req.parse_with_uninit_headers(bytes, &mut on_heap) {
            Ok(httparse::Status::Complete(len)) => self.take(&req, bytes, len, config),
            _ => Err(refusal(bytes, config)),
        }
    }
    // ANCHOR_END: parse_head

    /// The rules httparse does not know, in the order the step-by-step refusal applies
    /// them (the line's length, `CONNECT`, the target, the section's limits, the number
    /// of fields, then what the fields decide), and the copy of what the head said.
    fn take(
        &mut self,
        req: &httparse::Request<'_, '_>,
        bytes: &[u8],
        len: usize,
        config: &ServerConfig,
    ) -> Result<usize, ClientError> {
        let (Some(method), Some(uri), Some(minor)) = (req.method, req.path, req.version) else {
            return Err(refusal(bytes, config));
        };
        // The line ends where the first field starts, or the empty line does: httparse
        // found both, so no byte is searched twice.
        let line_len = match req.headers.first() {
            Some(field) => offset_in(bytes, field.name.as_bytes()),
            None if bytes[..len].ends_with(b"\r\n") => len - 2,
            None => len - 1,
        };
        let line_content = uri.len() + method.len() + " HTTP/1.1".len() + 1;
        if line_content > config.max_request_line {
            return Err(ClientError::RequestLineTooLong {
                limit_bytes: config.max_request_line,
            });
        }
        let target = line::check_line(method, uri)?;
        headers_within_limits(len - line_len, line_len, req.headers.len(), config)?;
        let version = if minor == 0 {
            Version::Http10
        } else {
            Version::Http11
        };
        let facts = header_facts(req.headers, version, config)?;
        self.copy_line(method, uri, &target);
        self.copy_fields(req.headers);
        self.version = version;
        self.set_facts(facts);
        Ok(len)
    }

    /// A head with nothing parsed yet, and unspecified addresses.
    pub(crate) fn empty() -> RequestHead {
        let unspecified = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
        RequestHead {
            text: String::new(),
            values: Vec::new(),
            decoded: Vec::new(),
            path_decoded: false,
            method: Span::default(),
            uri: Span::default(),
            raw_path: Span::default(),
            query: Span::default(),
            authority: None,
            target_scheme: None,
            fields: Vec::new(),
            version: Version::Http11,
            framing: BodyFraming::None,
            keep_alive: false,
            expect_continue: false,
            close_after: false,
            host: None,
            remote_addr: unspecified,
            server_addr: unspecified,
        }
    }

    /// Copies the request line in, reusing this head's buffers: a connection keeps its
    /// head from request to request, so a request like the last costs no allocation. The
    /// path is decoded only if it has a `%` in it.
    fn copy_line(&mut self, method: &str, uri: &str, target: &Target<'_>) {
        self.text.clear();
        self.method = push(&mut self.text, method);
        self.uri = push(&mut self.text, uri);
        let within_uri = |part: &str| {
            let start = (part.as_ptr() as usize).checked_sub(uri.as_ptr() as usize)?;
            let span = Span {
                start: self.uri.start + start,
                end: self.uri.start + start + part.len(),
            };
            (start + part.len() <= uri.len()).then_some(span)
        };
        let raw_path = within_uri(target.raw_path);
        let query = within_uri(target.query);
        self.authority = target.authority.and_then(within_uri);
        self.query = query.unwrap_or_default();
        // `/` for an absolute-form target without a path is not in the target: it is
        // added after it.
        self.raw_path = raw_path.unwrap_or_else(|| push(&mut self.text, target.raw_path));
        self.target_scheme = target.scheme.map(|s| {
            if s.eq_ignore_ascii_case("https") {
                "https"
            } else {
                "http"
            }
        });
        let raw = &self.text[self.raw_path.start..self.raw_path.end];
        self.path_decoded = raw != "*" && raw.contains('%');
        self.decoded.clear();
        if self.path_decoded {
            target.decode_path_into(&mut self.decoded);
        }
    }

    /// Copies the fields in after the line's text, reusing this head's buffers.
    fn copy_fields(&mut self, fields: &[httparse::Header<'_>]) {
        self.values.clear();
        self.fields.clear();
        for field in fields {
            let name = push(&mut self.text, field.name);
            let start = self.values.len();
            self.values.extend_from_slice(field.value);
            let value = Span {
                start,
                end: self.values.len(),
            };
            self.fields.push((name, value));
        }
    }

    fn set_facts(&mut self, facts: HeaderFacts) {
        self.framing = facts.framing;
        self.keep_alive = facts.keep_alive;
        self.expect_continue = facts.expect_continue;
        self.close_after = facts.close_after;
        self.host = facts.host;
    }

    fn str_at(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }

    /// The method, e.g. `GET` (case-sensitive, as sent): `REQUEST_METHOD`.
    pub fn method(&self) -> &str {
        self.str_at(self.method)
    }

    /// The request-target exactly as received, e.g. `/a%2Fb?x=1`: `REQUEST_URI`.
    pub fn uri(&self) -> &str {
        self.str_at(self.uri)
    }

    /// The path percent-decoded to bytes (`/a%2Fb` gives `/a/b`), for `PATH_INFO`. The
    /// bytes need not be UTF-8. `*` for `OPTIONS *`.
    pub fn path(&self) -> &[u8] {
        if self.path_decoded {
            &self.decoded
        } else {
            self.raw_path().as_bytes()
        }
    }

    /// The path as received, still percent-encoded: where `%2F` and `/` differ.
    pub fn raw_path(&self) -> &str {
        self.str_at(self.raw_path)
    }

    /// Everything after the first `?` of the target, as received: `QUERY_STRING`.
    pub fn query_string(&self) -> &str {
        self.str_at(self.query)
    }

    /// The scheme the request reached the server with: `wsgi.url_scheme`. Always `http`:
    /// this server does not terminate TLS (an absolute-form target's scheme is in
    /// [`target_scheme`](Self::target_scheme)).
    pub fn scheme(&self) -> &str {
        "http"
    }

    /// The scheme of an absolute-form target (`http://host/path`), lowercased.
    pub fn target_scheme(&self) -> Option<&str> {
        self.target_scheme
    }

    /// The authority of an absolute-form target, e.g. `example.com:8080`.
    pub fn authority(&self) -> Option<&str> {
        self.authority.map(|span| self.str_at(span))
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
    pub fn headers(&self) -> HeaderFields<'_> {
        HeaderFields {
            head: self,
            spans: self.fields.iter(),
        }
    }

    /// The first field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
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
            .and_then(|i| self.fields.get(i))
            .map(|&(_, value)| String::from_utf8_lossy(&self.values[value.start..value.end]));
        match self.authority().or(host.as_deref()) {
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

/// The fields of a [`RequestHead`], in arrival order: `(name, value)` pairs borrowed from
/// the head.
#[derive(Debug, Clone)]
pub struct HeaderFields<'a> {
    head: &'a RequestHead,
    spans: std::slice::Iter<'a, (Span, Span)>,
}

impl<'a> Iterator for HeaderFields<'a> {
    type Item = (&'a str, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let &(name, value) = self.spans.next()?;
        Some((
            self.head.str_at(name),
            &self.head.values[value.start..value.end],
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for HeaderFields<'_> {}

impl DoubleEndedIterator for HeaderFields<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let &(name, value) = self.spans.next_back()?;
        Some((
            self.head.str_at(name),
            &self.head.values[value.start..value.end],
        ))
    }
}

/// Appends `part` to `text`; where it lies.
fn push(text: &mut String, part: &str) -> Span {
    let start = text.len();
    text.push_str(part);
    Span {
        start,
        end: text.len(),
    }
}

/// Where `part`, a slice of `bytes`, starts in it.
fn offset_in(bytes: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize)
}

/// The end of the request line (just past its LF) in `bytes`, if it is within the limit.
fn line_end(bytes: &[u8], config: &ServerConfig) -> Option<usize> {
    super::line::line_end(bytes, config.max_request_line.saturating_add(2))
}

/// The header section's limits and field count, for a head httparse took whole.
fn headers_within_limits(
    section: usize,
    line_len: usize,
    fields: usize,
    config: &ServerConfig,
) -> Result<(), ClientError> {
    if section > config.max_header_bytes {
        return Err(ClientError::HeaderSectionTooLong {
            limit_bytes: config.max_header_bytes,
        });
    }
    if line_len.saturating_add(section) > config.max_head_bytes {
        return Err(ClientError::HeadTooLong {
            limit_bytes: config.max_head_bytes,
        });
    }
    if fields > config.max_headers {
        return Err(ClientError::TooManyHeaders {
            limit_lines: config.max_headers,
        });
    }
    Ok(())
}

/// Why a head httparse refused (or that is over a limit) is refused: the steps one at a
/// time, each with its own error — the request line ([`read_request_line`]), the header
/// section's end and limits, then its lines ([`check_fields`]).
///
/// [`read_request_line`]: super::line::read_request_line
/// [`check_fields`]: super::headers::check_fields
fn refusal(bytes: &[u8], config: &ServerConfig) -> ClientError {
    let steps = || -> Result<(), ClientError> {
        let line_len = line::read_request_line(bytes, config)?;
        let rest = &bytes[line_len..];
        if super::headers::section_end(rest).is_none() && rest.len() <= config.max_header_bytes {
            return Err(ClientError::BadHeader {
                why: "header section does not end with an empty line",
                evidence: rest.iter().take(256).copied().collect(),
            });
        }
        let len = super::headers::section_len(rest, config, line_len)?;
        super::headers::check_fields(&rest[..len], config)
    };
    match steps() {
        Err(err) => err,
        Ok(()) => ClientError::BadHeader {
            why: "malformed field line",
            evidence: bytes.iter().take(256).copied().collect(),
        },
    }
}

/// The CR and LF bytes before a request line (RFC 9112 §2.2 lets a server skip them).
pub(crate) fn leading_empty_lines(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
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

    fn parse(bytes: &[u8]) -> Result<RequestHead, Error> {
        RequestHead::parse(bytes, &ServerConfig::default()).map(|(head, _)| head)
    }

    #[test]
    fn server_name_drops_the_port() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("example.com"), "example.com");
    }

    #[test]
    fn a_reused_head_holds_only_the_last_request() {
        let mut head = RequestHead::empty();
        let config = ServerConfig::default();
        let first =
            b"POST /a%20b?x=1 HTTP/1.1\r\nHost: h:1\r\nX-Long: aaaa\r\nContent-Length: 3\r\n\r\n";
        assert_eq!(head.parse_in_place(first, &config).ok(), Some(first.len()));
        assert_eq!((head.path(), head.raw_path()), (&b"/a b"[..], "/a%20b"));
        let second = b"\r\nGET http://Example.com HTTP/1.0\r\nX: \xff\r\n\r\nrest";
        assert_eq!(
            head.parse_in_place(second, &config).ok(),
            Some(second.len() - 4)
        );
        assert_eq!(head.method(), "GET");
        assert_eq!((head.raw_path(), head.path()), ("/", &b"/"[..]));
        assert_eq!(
            (head.query_string(), head.authority()),
            ("", Some("Example.com"))
        );
        assert_eq!(head.target_scheme(), Some("http"));
        let fields: Vec<_> = head.headers().collect();
        assert_eq!(fields, [("X", &b"\xff"[..])]);
        assert_eq!(
            (head.framing(), head.version()),
            (BodyFraming::None, Version::Http10)
        );
        assert_eq!(head.server_name(), "Example.com");
    }

    #[test]
    fn more_fields_than_the_stack_holds_are_parsed_from_the_heap() {
        let mut bytes = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
        for i in 0..STACK_FIELDS + 5 {
            bytes.extend_from_slice(format!("X-{i}: {i}\r\n").as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        let head = parse(&bytes).expect("within max_headers");
        assert_eq!(head.headers().len(), STACK_FIELDS + 6);
        assert_eq!(head.headers().next_back(), Some(("X-36", &b"36"[..])));
        assert_eq!(head.header("host"), Some(&b"x"[..]));
    }

    #[test]
    fn refusals_name_the_rule() {
        let too_many = {
            let config = ServerConfig {
                max_headers: 2,
                ..ServerConfig::default()
            };
            RequestHead::parse(
                b"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n",
                &config,
            )
        };
        assert!(matches!(
            too_many,
            Err(Error::Client(ClientError::TooManyHeaders {
                limit_lines: 2
            }))
        ));
        assert!(matches!(
            parse(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
            Err(Error::Client(ClientError::UnsupportedVersion { .. }))
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            Err(Error::Client(ClientError::BadHeader { .. }))
        ));
        assert!(matches!(
            parse(b"CONNECT a:1 HTTP/1.1\r\nHost: x\r\n\r\n"),
            Err(Error::Client(ClientError::MethodNotImplemented { .. }))
        ));
        let head = parse(b"GET /x HTTP/1.7\r\nHost: x\r\n\r\n").expect("read as HTTP/1.1");
        assert_eq!((head.version(), head.path()), (Version::Http11, &b"/x"[..]));
    }
}
