//! The request line: `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3).

use percent_encoding::percent_decode;

use crate::error::ClientError;
use crate::ServerConfig;

/// The request-target split into its parts (RFC 9112 §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    /// `http` or `https` (in any case) for an absolute-form target, else `None`.
    pub(crate) scheme: Option<&'a str>,
    /// The authority of an absolute-form target.
    pub(crate) authority: Option<&'a str>,
    /// The path as received, still percent-encoded; `*` for `OPTIONS *`.
    pub(crate) raw_path: &'a str,
    /// What follows the first `?`, as received.
    pub(crate) query: &'a str,
}

impl Target<'_> {
    /// The path percent-decoded to bytes, appended to `out`. `%`, `%4` and `%zz` are not
    /// escapes: they stay as they are, never panic.
    pub(crate) fn decode_path_into(&self, out: &mut Vec<u8>) {
        if self.raw_path == "*" {
            out.extend_from_slice(b"*");
        } else {
            out.extend(percent_decode(self.raw_path.as_bytes()));
        }
    }
}

/// Where the request line ends in `bytes`: the index just past its LF, or `None` if no LF
/// is there yet. The search stops at `limit` bytes, so a huge line costs no more than that.
pub(crate) fn line_end(bytes: &[u8], limit: usize) -> Option<usize> {
    let window = &bytes[..bytes.len().min(limit)];
    window.iter().position(|&b| b == b'\n').map(|i| i + 1)
}

// ANCHOR: read_request_line
/// The request line's rules, one step at a time, for a head httparse refused: find the
/// line within its limit ([`find_line`]), let `httparse` check its three words
/// ([`split_line`]), then [`check_line`]. Returns the bytes the line took, line ending
/// included.
pub(crate) fn read_request_line(bytes: &[u8], config: &ServerConfig) -> Result<usize, ClientError> {
    let (line, end) = find_line(bytes, config)?;
    let (method, uri) = split_line(line)?;
    check_line(method, uri)?;
    Ok(end)
}

/// What httparse does not check in a request line it took: `CONNECT` is refused, the
/// target is split ([`parse_target`]).
pub(crate) fn check_line<'a>(method: &str, uri: &'a str) -> Result<Target<'a>, ClientError> {
    // A 2xx to CONNECT tells the client its tunnel is open (RFC 9110 §9.3.6), whatever
    // the target's form: no application behind this server can keep that promise.
    if method == "CONNECT" {
        return Err(ClientError::MethodNotImplemented {
            method: method.to_string(),
        });
    }
    parse_target(method, uri)
}
// ANCHOR_END: read_request_line

/// The request line at the start of `bytes`, LF included, and its length; 414 past
/// `max_request_line` (line ending excluded), even before its end arrives: waiting for
/// the rest would let a client make the server buffer without bound.
fn find_line<'a>(bytes: &'a [u8], config: &ServerConfig) -> Result<(&'a [u8], usize), ClientError> {
    let too_long = || ClientError::RequestLineTooLong {
        limit_bytes: config.max_request_line,
    };
    let Some(end) = line_end(bytes, config.max_request_line.saturating_add(2)) else {
        return Err(if bytes.len() > config.max_request_line {
            too_long()
        } else {
            ClientError::BadRequestLine {
                line: bytes.to_vec(),
            }
        });
    };
    let line = &bytes[..end];
    // The window above allows a CRLF; a bare LF ending leaves room for one byte more.
    let content = line.strip_suffix(b"\n").unwrap_or(line);
    let content = content.strip_suffix(b"\r").unwrap_or(content);
    if content.len() > config.max_request_line {
        return Err(too_long());
    }
    Ok((line, end))
}

/// Method and target, as `httparse` checked them: the method a token, the target
/// visible ASCII, the version `HTTP/1.0` or `HTTP/1.1`.
fn split_line(line: &[u8]) -> Result<(&str, &str), ClientError> {
    let mut no_headers = [];
    let mut req = httparse::Request::new(&mut no_headers);
    // The line alone is a "partial" request to httparse (the headers are missing), but by
    // then it has filled in the method, target and version it checked.
    let bad = || ClientError::BadRequestLine {
        line: line.to_vec(),
    };
    match req.parse(line) {
        Ok(_) => {}
        Err(httparse::Error::Version) => return Err(version_error(line)),
        Err(_) => return Err(bad()),
    }
    match (req.method, req.path, req.version) {
        (Some(method), Some(uri), Some(_)) => Ok((method, uri)),
        _ => Err(bad()),
    }
}

/// The index of the minor digit if `line` is `method SP target SP HTTP/1.D` with `D` above
/// 1 (three words exactly: `GET /a b HTTP/1.2` is malformed, not a newer version).
pub(crate) fn higher_http1_minor(line: &[u8]) -> Option<usize> {
    let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
    let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
    if trimmed.iter().filter(|&&b| b == b' ').count() != 2 {
        return None;
    }
    match trimmed.rsplit(|&b| b == b' ').next()? {
        [b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor] if (b'2'..=b'9').contains(minor) => {
            Some(trimmed.len() - 1)
        }
        _ => None,
    }
}

/// A version httparse refused (a higher HTTP/1 minor never gets here: it is read as
/// `HTTP/1.1` before): 505 if it is a well-formed
/// `HTTP/D.D` (the client speaks a version we do not, e.g. `HTTP/2.0` or `HTTP/0.9`), 400
/// if it is not a version at all.
fn version_error(line: &[u8]) -> ClientError {
    let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
    let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
    // Exactly `method SP target SP version`: in `GET /a b HTTP/1.1` the last word looks
    // like a version, but the line is malformed (a space in the target), so it is a 400.
    let words: Vec<&[u8]> = trimmed.split(|&b| b == b' ').collect();
    let version = match words.as_slice() {
        [_, _, version] => *version,
        _ => b"",
    };
    match version {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            ClientError::UnsupportedVersion {
                version: String::from_utf8_lossy(version).into_owned(),
            }
        }
        _ => ClientError::BadRequestLine {
            line: line.to_vec(),
        },
    }
}

// ANCHOR: valid_host
/// Whether `host` is `uri-host [ ":" port ]` (RFC 3986 §3.2.2, as RFC 9110 §7.2 requires
/// of `Host` and an absolute-form authority): a reg-name of unreserved characters,
/// percent escapes and sub-delims, or a bracketed IP literal; then optional digits. Empty
/// is valid (a `Host` for a URI without an authority). No spaces, slashes, `@` (userinfo)
/// or second colons: a host read two ways is a cache key or a redirect read two ways.
pub(crate) fn valid_host(host: &[u8]) -> bool {
    let (name, port) = if host.first() == Some(&b'[') {
        let Some(close) = host.iter().position(|&b| b == b']') else {
            return false;
        };
        let literal = &host[1..close];
        let literal_ok = !literal.is_empty()
            && literal
                .iter()
                .all(|&b| b.is_ascii_hexdigit() || b":.vV".contains(&b) || is_sub_delim(b));
        if !literal_ok {
            return false;
        }
        (&host[..0], &host[close + 1..])
    } else {
        match host.iter().position(|&b| b == b':') {
            Some(colon) => (&host[..colon], &host[colon..]),
            None => (host, &host[host.len()..]),
        }
    };
    let name_ok = name.iter().all(|&b| REG_NAME[usize::from(b)]);
    let port_ok = match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    };
    name_ok && port_ok
}
// ANCHOR_END: valid_host

/// The bytes of a reg-name (RFC 3986 §3.2.2): unreserved, `%` and sub-delims, as a table
/// (`Host` is checked on every request).
const REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'.' | b'_' | b'~' | b'%')
            || matches!(
                c,
                b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
            );
        b += 1;
    }
    table
};

/// RFC 3986 `sub-delims`.
fn is_sub_delim(b: u8) -> bool {
    b"!$&'()*+,;=".contains(&b)
}

// ANCHOR: parse_target
/// Splits a request-target in any of its forms (RFC 9112 §3.2): origin-form `/path?q`,
/// absolute-form `http://host/path?q`, asterisk-form `*` (for `OPTIONS` only).
/// Authority-form (`host:port`, for `CONNECT`) is refused: this server is no proxy
/// (`CONNECT` itself never gets here: it is 501 whatever its target).
fn parse_target<'a>(method: &str, uri: &'a str) -> Result<Target<'a>, ClientError> {
    let refuse = || ClientError::BadRequestTarget {
        target: uri.to_string(),
    };
    if uri == "*" {
        if method != "OPTIONS" {
            return Err(refuse());
        }
        return Ok(Target {
            scheme: None,
            authority: None,
            raw_path: "*",
            query: "",
        });
    }
    // A fragment is the client's business and never sent (RFC 9112 §3.2 has no `#` in
    // any form): served, `/a?q#x` would give the application a query ending in `#x`.
    // cheroot answers 400 "Illegal #fragment in Request-URI." too.
    if uri.contains('#') {
        return Err(refuse());
    }
    // ANCHOR_END: parse_target
    let (scheme, authority, rest) = if uri.starts_with('/') {
        // `//x` is a path whose first segment is empty, not an authority: only the
        // absolute-form carries one (RFC 9112 §3.2.1).
        (None, None, uri)
    } else {
        let (scheme, after) = uri.split_once("://").ok_or_else(refuse)?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(refuse());
        }
        let slash = after.find(['/', '?']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(slash);
        if authority.is_empty() || !valid_host(authority.as_bytes()) {
            return Err(refuse());
        }
        (Some(scheme), Some(authority), rest)
    };
    let (raw_path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let raw_path = if raw_path.is_empty() { "/" } else { raw_path };
    Ok(Target {
        scheme,
        authority,
        raw_path,
        query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target<'a>(method: &str, uri: &'a str) -> Result<Target<'a>, ClientError> {
        parse_target(method, uri)
    }

    fn path(t: &Target<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        t.decode_path_into(&mut out);
        out
    }

    #[test]
    fn double_slash_is_a_path_not_an_authority() {
        let t = target("GET", "//x/y?q=1").expect("valid");
        assert_eq!((t.authority, t.raw_path), (None, "//x/y"));
        assert_eq!(t.query, "q=1");
    }

    #[test]
    fn absolute_form_gives_scheme_authority_and_path() {
        let t = target("GET", "HTTP://example.com:8080/a%20b?x").expect("valid");
        assert_eq!(t.scheme, Some("HTTP"));
        assert_eq!(t.authority, Some("example.com:8080"));
        assert_eq!(path(&t), b"/a b");
        let t = target("GET", "http://example.com").expect("valid");
        assert_eq!(t.raw_path, "/");
    }

    #[test]
    fn broken_escapes_stay_literal() {
        assert_eq!(path(&target("GET", "/%").expect("valid")), b"/%");
        assert_eq!(path(&target("GET", "/%4").expect("valid")), b"/%4");
        assert_eq!(path(&target("GET", "/%zz").expect("valid")), b"/%zz");
        assert_eq!(path(&target("GET", "/a%2Fb").expect("valid")), b"/a/b");
        assert_eq!(target("GET", "/a%2Fb").expect("valid").raw_path, "/a%2Fb");
    }

    #[test]
    fn hosts_are_uri_host_and_port() {
        for good in [
            "",
            "x",
            "example.com",
            "example.com:8080",
            "example.com:",
            "[::1]",
            "[::1]:80",
            "127.0.0.1:80",
            "a-b_c~d%41",
            "xn--bcher-kva.example",
        ] {
            assert!(valid_host(good.as_bytes()), "{good:?}");
        }
        for bad in [
            "a b",
            "a/b",
            "user@host",
            "a:b:c",
            "host:8o",
            "[::1",
            "[]",
            "[::1]x",
            "a\tb",
            "a\\b",
            "a\"b",
            "<x>",
        ] {
            assert!(!valid_host(bad.as_bytes()), "{bad:?}");
        }
        assert!(target("GET", "http://user@example.com/").is_err());
    }

    #[test]
    fn asterisk_only_for_options() {
        assert!(target("OPTIONS", "*").is_ok());
        assert!(target("GET", "*").is_err());
        assert!(target("CONNECT", "example.com:443").is_err());
    }
}
