//! Response headers as the application gives them, and the checks `start_response` runs.

use httpserver::rules::{self, FieldError};

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
/// Checks one response header: httpserver's [`rules::check_header`] (the name is an RFC
/// 9110 token, the value has no CR, LF, NUL or other control character but HTAB, a
/// `Content-Length` is digits only), then PEP 3333's own rule: no hop-by-hop header.
pub fn validate_header(name: &str, value: &str) -> Result<(), WsgiError> {
    // A CR or LF in the value would end this header and start another one chosen by
    // whoever controls the value (response splitting); NUL and other controls confuse
    // parsers. The rule is httpserver's, so the layers cannot disagree on it.
    rules::check_header(name, value.as_bytes()).map_err(|error| match error {
        FieldError::Name => WsgiError::InvalidHeaderName {
            name: name.to_owned(),
        },
        FieldError::Value => WsgiError::InvalidHeaderValue {
            name: name.to_owned(),
            value: value.to_owned(),
        },
        FieldError::ContentLength => WsgiError::InvalidContentLength {
            value: value.to_owned(),
        },
    })?;
    if is_hop_by_hop(name) {
        return Err(WsgiError::HopByHopHeader {
            name: name.to_owned(),
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
