//! Response headers as a WSGI application gives them, and the check `start_response` runs
//! on them (once; a [`Header`](rules::Header) made above comes checked).

use httpserver::rules::{self, FieldError};

use crate::error::WsgiError;

/// Response headers: `(name, value)` pairs in the order the application gave them, as in
/// PEP 3333's `response_headers` list. Names keep their case; lookups ignore it.
pub type Headers = Vec<(String, String)>;

// ANCHOR: validate_header
/// Checks one response header the application gave as text: httpserver's rules, the ones
/// a [`Header`](rules::Header) is made through (the name is an RFC 9110 token, the value has no CR, LF,
/// NUL or other control character but HTAB, a `Content-Length` is digits only, and no
/// hop-by-hop header, PEP 3333's rule: those are the server's).
pub fn validate_header(name: &str, value: &str) -> Result<(), WsgiError> {
    // A CR or LF in the value would end this header and start another one chosen by
    // whoever controls the value (response splitting); NUL and other controls confuse
    // parsers. The rule is httpserver's, so the layers cannot disagree on it.
    let checked = rules::check_header(name, value.as_bytes()).and_then(|()| {
        if is_hop_by_hop(name) {
            Err(FieldError::HopByHop)
        } else {
            Ok(())
        }
    });
    checked.map_err(|error| field_error(error, name, value))
}
// ANCHOR_END: validate_header

/// `rules`' refusal of header `name: value` as this crate's error, naming the header.
pub(crate) fn field_error(error: FieldError, name: &str, value: &str) -> WsgiError {
    match error {
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
        FieldError::HopByHop => WsgiError::HopByHopHeader {
            name: name.to_owned(),
        },
    }
}

/// Whether `name` is a hop-by-hop header reserved to the server: httpserver's
/// [`rules::is_hop_by_hop`].
pub fn is_hop_by_hop(name: &str) -> bool {
    rules::is_hop_by_hop(name)
}

/// The first value of header `name` (case-insensitive), if present.
pub fn find_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
