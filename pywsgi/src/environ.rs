//! The environ as Python sees it: a real `dict` of native strings, each decoded as
//! Latin-1 from the request's raw bytes (PEP 3333, "Unicode Issues").
//!
//! The keys that never change (`SCRIPT_NAME`, `SERVER_SOFTWARE`, `wsgi.*`) sit in a
//! template built once; each request copies it (one C-level `dict.copy`) and sets the rest
//! with interned keys, so a request creates only the strings that are its own.

use httpserver::RequestHead;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

// ANCHOR: latin1
/// A Python `str` with one character per byte (Latin-1), as PEP 3333 asks of every
/// environ value: bytes 0x80-0xFF are kept, never dropped or replaced.
pub(crate) fn latin1<'py>(py: Python<'py>, bytes: &[u8]) -> Bound<'py, PyString> {
    match std::str::from_utf8(bytes) {
        Ok(text) if bytes.is_ascii() => PyString::new(py, text),
        _ => PyString::new(
            py,
            &bytes.iter().map(|&b| char::from(b)).collect::<String>(),
        ),
    }
}
// ANCHOR_END: latin1

/// The method as an interned string when it is a common one.
fn method<'py>(py: Python<'py>, method: &str) -> Bound<'py, PyString> {
    match method {
        "GET" => intern!(py, "GET").clone(),
        "POST" => intern!(py, "POST").clone(),
        "HEAD" => intern!(py, "HEAD").clone(),
        other => PyString::new(py, other),
    }
}

/// Sets the per-request keys of `env` (a copy of the template) from `head`.
pub(crate) fn fill(py: Python<'_>, env: &Bound<'_, PyDict>, head: &RequestHead) -> PyResult<()> {
    env.set_item(intern!(py, "REQUEST_METHOD"), method(py, head.method()))?;
    env.set_item(intern!(py, "PATH_INFO"), latin1(py, head.path()))?;
    env.set_item(
        intern!(py, "QUERY_STRING"),
        latin1(py, head.query_string().as_bytes()),
    )?;
    env.set_item(
        intern!(py, "REQUEST_URI"),
        latin1(py, head.uri().as_bytes()),
    )?;
    if head.request_protocol() != "HTTP/1.1" {
        env.set_item(intern!(py, "SERVER_PROTOCOL"), head.request_protocol())?;
    }
    env.set_item(intern!(py, "SERVER_NAME"), head.server_name())?;
    env.set_item(
        intern!(py, "SERVER_PORT"),
        head.server_addr().port().to_string(),
    )?;
    let remote = head.remote_addr();
    env.set_item(intern!(py, "REMOTE_ADDR"), remote.ip().to_string())?;
    env.set_item(intern!(py, "REMOTE_PORT"), remote.port().to_string())?;
    if head.scheme() != "http" {
        env.set_item(intern!(py, "wsgi.url_scheme"), head.scheme())?;
    }
    for (name, value) in head.headers() {
        // `X_Forwarded_For` would become the same key as `X-Forwarded-For`: a client
        // could forge what a proxy set. Dropped, as the `wsgi` layer drops it.
        if name.contains('_') {
            tracing::debug!(header = %name, "pywsgi: a header name with '_' is not put in the environ");
            continue;
        }
        let key = header_key(py, name);
        let value = match env.get_item(&key)? {
            // A field sent twice is one list (RFC 9110 §5.3); cookies join with "; ".
            Some(first) => {
                let sep: &[u8] = if name.eq_ignore_ascii_case("cookie") {
                    b"; "
                } else {
                    b", "
                };
                let first: String = first.extract()?;
                let mut joined: Vec<u8> = first.chars().map(|c| c as u32 as u8).collect();
                joined.extend_from_slice(sep);
                joined.extend_from_slice(value);
                latin1(py, &joined)
            }
            None => latin1(py, value),
        };
        env.set_item(key, value)?;
    }
    Ok(())
}

/// `HTTP_` and the name in upper case with `-` as `_`; `CONTENT_TYPE` and
/// `CONTENT_LENGTH` without the prefix (CGI's names, `httpserver::rules::cgi_header_key`).
/// The common ones are interned.
fn header_key<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    macro_rules! known {
        ($($wire:literal => $key:literal),* $(,)?) => {
            $(if name.eq_ignore_ascii_case($wire) { return intern!(py, $key).clone(); })*
        };
    }
    known!(
        "host" => "HTTP_HOST",
        "user-agent" => "HTTP_USER_AGENT",
        "accept" => "HTTP_ACCEPT",
        "accept-encoding" => "HTTP_ACCEPT_ENCODING",
        "accept-language" => "HTTP_ACCEPT_LANGUAGE",
        "connection" => "HTTP_CONNECTION",
        "cookie" => "HTTP_COOKIE",
        "content-type" => "CONTENT_TYPE",
        "content-length" => "CONTENT_LENGTH",
        "referer" => "HTTP_REFERER",
    );
    // Names with `_` were left out by the caller; the rule is httpserver's, as the
    // `wsgi` layer's environ uses it.
    let key = httpserver::rules::cgi_header_key(name).unwrap_or_default();
    PyString::new(py, &key)
}
