//! Response headers as the application gives them, and the checks `start_response` runs.

use crate::error::WsgiError;

/// Response headers: `(name, value)` pairs in the order the application gave them, as in
/// PEP 3333's `response_headers` list. Names keep their case; lookups ignore it.
pub type Headers = Vec<(String, String)>;

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

// ANCHOR: validate_header
/// Checks one response header: the name is an RFC 9110 token and not hop-by-hop, the
/// value has no CR, LF, NUL or other control character (HTAB is allowed), and a
/// `Content-Length` is digits only.
pub fn validate_header(name: &str, value: &str) -> Result<(), WsgiError> {
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(WsgiError::InvalidHeaderName {
            name: name.to_owned(),
        });
    }
    // A CR or LF here would end this header and start another one chosen by whoever
    // controls the value (response splitting); NUL and other controls confuse parsers.
    if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(WsgiError::InvalidHeaderValue {
            name: name.to_owned(),
            value: value.to_owned(),
        });
    }
    if is_hop_by_hop(name) {
        return Err(WsgiError::HopByHopHeader {
            name: name.to_owned(),
        });
    }
    if name.eq_ignore_ascii_case("content-length")
        && (value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(WsgiError::InvalidContentLength {
            value: value.to_owned(),
        });
    }
    Ok(())
}
// ANCHOR_END: validate_header

/// Whether `name` is a hop-by-hop header reserved to the server.
pub fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// The first value of header `name` (case-insensitive), if present.
pub fn find_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
