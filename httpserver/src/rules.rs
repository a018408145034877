//! The HTTP rules more than one layer checks, each written once: token characters, field
//! values, status codes and reason phrases, `Content-Length`, the statuses without a body,
//! and the environ key of a request header (for the gateways above, `wsgi` and `pywsgi`).
//!
//! `httpserver` is the lowest layer that needs them (its parser and its `Response`), so they
//! live here and `wsgi` (`validate_header`, `Status::parse`, the gateway, the validator) and
//! `application` (`web::header`, the `Content-Length` it adds) call them: a rule changed here
//! changes for every layer at once, and no two layers can disagree on what a header is.

use std::borrow::Cow;
use std::fmt;

/// `tchar` of RFC 9110 §5.6.2: the bytes a token (a method, a header name, a transfer
/// coding, a chunk extension's name) is made of.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `s` is a token (RFC 9110 §5.6.2): one or more [`is_tchar`] bytes.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// The length of the token at the start of `s` (0 if there is none).
pub fn token_len(s: &[u8]) -> usize {
    s.iter().take_while(|&&b| is_tchar(b)).count()
}

/// Whether `value` may stand as a field value (RFC 9110 §5.5): visible characters,
/// `obs-text`, spaces and tabs, so no control byte but HTAB. A CR or LF would end the
/// field and start another of the sender's choosing (response splitting); NUL, DEL and
/// the other controls are refused by the RFC and read differently by different parsers.
pub fn is_field_value(value: &[u8]) -> bool {
    value.iter().all(|&b| is_field_byte(b))
}

/// Whether `b` may stand in a field value, a reason phrase or a quoted string (RFC 9110
/// §5.5, §5.6.4): any byte but a control byte, except HTAB.
pub fn is_field_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// Whether `reason` may stand as a reason phrase: RFC 9112 §4's `*( HTAB / SP / VCHAR /
/// obs-text )`, the same bytes as a field value, so a reason cannot split the status line.
pub fn is_reason_phrase(reason: &[u8]) -> bool {
    is_field_value(reason)
}

/// Whether `code` is a status code (RFC 9110 §15: three digits, 100 to 599).
pub fn is_status_code(code: u16) -> bool {
    (100..=599).contains(&code)
}

/// Whether a response with this status has no content whatever is written (RFC 9110
/// §6.4.1): 1xx, 204 and 304. A HEAD request's response has none either, but that is
/// the request's doing, not the status's.
pub fn status_has_no_body(code: u16) -> bool {
    (100..200).contains(&code) || code == 204 || code == 304
}

/// A `Content-Length` value (RFC 9110 §8.6, `1*DIGIT`) as a number; `None` for anything
/// else: empty, a sign, spaces, a list, or a number past `u64`.
pub fn parse_content_length(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// What is wrong with a response header, from [`check_header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    /// The name is empty or not a token (a space, a colon, a CR or LF...).
    Name,
    /// The value holds a control byte other than HTAB.
    Value,
    /// A `Content-Length` that is not digits only.
    ContentLength,
    /// A hop-by-hop header ([`is_hop_by_hop`]): the server's, not the application's.
    HopByHop,
}

impl FieldError {
    /// Why the header is refused, in words.
    pub fn why(self) -> &'static str {
        match self {
            FieldError::Name => "the name is not a token (CR, LF, space, colon...)",
            FieldError::Value => "the value holds a control character (CR, LF, NUL...)",
            FieldError::ContentLength => "Content-Length is not digits only",
            FieldError::HopByHop => "a hop-by-hop header is the server's to set",
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.why())
    }
}

impl std::error::Error for FieldError {}

// ANCHOR: check_header
/// Checks one response header as it is set: the name is a token, the value a field
/// value, and a `Content-Length` digits only. What is checked here is not checked again
/// below: a [`Header`] carries the proof.
pub fn check_header(name: &str, value: &[u8]) -> Result<(), FieldError> {
    #[cfg(debug_assertions)]
    CHECKS.with(|n| n.set(n.get() + 1));
    if !is_token(name.as_bytes()) {
        return Err(FieldError::Name);
    }
    if !is_field_value(value) {
        return Err(FieldError::Value);
    }
    if name.eq_ignore_ascii_case("content-length") && parse_content_length(value).is_none() {
        return Err(FieldError::ContentLength);
    }
    Ok(())
}
// ANCHOR_END: check_header

/// The hop-by-hop headers of RFC 9110 §7.6.1 (plus `Proxy-Connection`), which PEP 3333
/// forbids applications to set: the server owns connection management and framing.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether `name` is a hop-by-hop header, reserved to the server.
pub fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
}

// ANCHOR: header
/// A response header an application may set, checked once, where it is made: the name
/// a token, the value a field value, a `Content-Length` digits only ([`check_header`]),
/// and not hop-by-hop ([`is_hop_by_hop`]). [`Header::new`] is the only way to make one,
/// so a layer that is handed a `Header` holds the proof that it was checked and checks
/// nothing again ([`Response::add_checked_header`](crate::Response::add_checked_header)).
///
/// Name and value are borrowed when they are constant text (`Header::new("Vary",
/// "Cookie")` copies nothing) and owned otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    name: Cow<'static, str>,
    value: Cow<'static, str>,
}

impl Header {
    /// The header `name: value`, or, refused, what is wrong with it and the text given
    /// back.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Result<Header, RefusedHeader> {
        let (name, value) = (name.into(), value.into());
        let checked = check_header(&name, value.as_bytes()).and_then(|()| {
            if is_hop_by_hop(&name) {
                Err(FieldError::HopByHop)
            } else {
                Ok(())
            }
        });
        match checked {
            Ok(()) => Ok(Header { name, value }),
            Err(why) => Err(RefusedHeader { why, name, value }),
        }
    }
}
// ANCHOR_END: header

impl Header {
    /// The name, in the case it was given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the name is `name`, in any case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Name and value, as owned text (copied only if they were borrowed).
    pub fn into_pair(self) -> (String, String) {
        (self.name.into_owned(), self.value.into_owned())
    }
}

/// A header [`Header::new`] refused: why, and the text it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedHeader {
    /// What is wrong with it.
    pub why: FieldError,
    /// The name as given.
    pub name: Cow<'static, str>,
    /// The value as given.
    pub value: Cow<'static, str>,
}

impl fmt::Display for RefusedHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "header {:?}: {}", self.name, self.why)
    }
}

impl std::error::Error for RefusedHeader {}

#[cfg(debug_assertions)]
thread_local! {
    static CHECKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many headers [`check_header`] checked on this thread (debug builds only, 0 in
/// release): how the tests show that a header is checked once on its way down.
#[doc(hidden)]
pub fn headers_checked_on_this_thread() -> u64 {
    #[cfg(debug_assertions)]
    return CHECKS.with(std::cell::Cell::get);
    #[cfg(not(debug_assertions))]
    0
}

// ANCHOR: header_key
/// The environ key a gateway gives request header `name` (CGI, RFC 3875 §4.1.18, as WSGI
/// and every gateway on this server use it): `CONTENT_TYPE` and `CONTENT_LENGTH` for
/// those two, `HTTP_` + the name uppercased with `-` as `_` otherwise. `None` for a name
/// containing `_`: both `X-Foo` and `X_Foo` would become `HTTP_X_FOO`, so a client could
/// forge a header a proxy in front of the server set (`X-Forwarded-For`) by sending its
/// underscore twin. Such headers are dropped, as nginx and Apache httpd do.
pub fn cgi_header_key(name: &str) -> Option<String> {
    if name.contains('_') {
        return None;
    }
    if name.eq_ignore_ascii_case("content-type") {
        return Some("CONTENT_TYPE".to_owned());
    }
    if name.eq_ignore_ascii_case("content-length") {
        return Some("CONTENT_LENGTH".to_owned());
    }
    let mut key = String::with_capacity(5 + name.len());
    key.push_str("HTTP_");
    key.extend(name.chars().map(|c| {
        if c == '-' {
            '_'
        } else {
            c.to_ascii_uppercase()
        }
    }));
    Some(key)
}
// ANCHOR_END: header_key

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_tchars_only() {
        assert!(is_token(b"X-Request-Id"));
        assert!(is_token(b"!#$%&'*+-.^_`|~09azAZ"));
        for bad in [
            &b""[..],
            b"Bad Name",
            b"X:Y",
            b"X\r\nY",
            b"X\x01",
            b"\"q\"",
            b"caf\xc3\xa9",
        ] {
            assert!(!is_token(bad), "{bad:?}");
        }
        assert_eq!(token_len(b"name=value"), 4);
        assert_eq!(token_len(b" name"), 0);
    }

    #[test]
    fn a_field_value_has_no_control_byte_but_htab() {
        assert!(is_field_value(b"text/html; charset=utf-8"));
        assert!(is_field_value(b"a\tb \xc3\xa9"));
        assert!(is_field_value(b""));
        for b in (0u8..0x20).filter(|&b| b != b'\t').chain([0x7f]) {
            assert!(!is_field_value(&[b'a', b, b'b']), "control byte {b:#04x}");
            assert!(!is_reason_phrase(&[b'O', b, b'K']), "control byte {b:#04x}");
        }
    }

    #[test]
    fn the_statuses_without_a_body_are_1xx_204_and_304() {
        let bodiless: Vec<u16> = (100..=599).filter(|&c| status_has_no_body(c)).collect();
        let expected: Vec<u16> = (100..200).chain([204, 304]).collect();
        assert_eq!(bodiless, expected);
    }

    #[test]
    fn status_codes_are_100_to_599() {
        assert!(is_status_code(100) && is_status_code(599));
        assert!(!is_status_code(99) && !is_status_code(600) && !is_status_code(0));
    }

    #[test]
    fn a_content_length_is_digits_only() {
        assert_eq!(parse_content_length(b"0"), Some(0));
        assert_eq!(
            parse_content_length(b"18446744073709551615"),
            Some(u64::MAX)
        );
        for bad in [
            &b""[..],
            b" 5",
            b"+5",
            b"-5",
            b"5,5",
            b"0x5",
            b"18446744073709551616",
        ] {
            assert_eq!(parse_content_length(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn check_header_names_what_is_wrong() {
        assert_eq!(check_header("X-Ok", b"fine"), Ok(()));
        assert_eq!(check_header("Bad Name", b"x"), Err(FieldError::Name));
        assert_eq!(check_header("", b"x"), Err(FieldError::Name));
        assert_eq!(check_header("X", b"\x01"), Err(FieldError::Value));
        assert_eq!(
            check_header("X", b"a\r\nSet-Cookie: x=1"),
            Err(FieldError::Value)
        );
        assert_eq!(
            check_header("content-length", b"ten"),
            Err(FieldError::ContentLength)
        );
        assert_eq!(check_header("Content-Length", b"10"), Ok(()));
    }

    #[test]
    fn a_header_is_made_only_through_the_check() {
        let vary = Header::new("Vary", "Cookie").expect("a good header");
        assert_eq!((vary.name(), vary.value()), ("Vary", "Cookie"));
        assert!(vary.is("vary"));
        let why = |name: &'static str, value: &'static str| Header::new(name, value).err();
        let refused = why("Bad Name", "x").expect("refused");
        assert_eq!(
            (refused.why, &*refused.name),
            (FieldError::Name, "Bad Name")
        );
        assert_eq!(why("X", "a\nb").map(|r| r.why), Some(FieldError::Value));
        assert_eq!(
            why("Content-Length", "ten").map(|r| r.why),
            Some(FieldError::ContentLength)
        );
        for servers in ["Connection", "transfer-encoding", "Keep-Alive", "Upgrade"] {
            assert_eq!(why(servers, "x").map(|r| r.why), Some(FieldError::HopByHop));
        }
    }
}
