//! `start_response` and the `write` callable it returns (PEP 3333, "The
//! start_response() Callable").
//!
//! `start_response` only records: the status and headers reach the connection when the
//! gateway meets the first non-empty chunk of the body (or the end of an empty one), so a
//! generator that calls `start_response` lazily works, and a second call with `exc_info`
//! replaces them until then. Once they are sent, a call with `exc_info` re-raises it.

use pyo3::exceptions::{PyAssertionError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

/// RFC 9110 §7.6.1's hop-by-hop fields, which PEP 3333 forbids an application to set.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
];

/// What the application has said about its response so far.
#[derive(Default)]
pub(crate) struct Started {
    /// The status code and reason, once `start_response` was called.
    pub(crate) status: Option<(u16, String)>,
    /// Header names and values, the values Latin-1 bytes.
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    /// The `Content-Length` the application declared.
    pub(crate) content_length: Option<u64>,
    /// The gateway has handed the status and headers to the connection.
    pub(crate) sent: bool,
    /// What `write` was given and the gateway has not sent yet.
    pub(crate) written: Vec<Py<PyBytes>>,
}

/// The `start_response` callable handed to the application, one per request.
#[pyclass(module = "pywsgi")]
#[derive(Default)]
pub(crate) struct StartResponse {
    pub(crate) started: Started,
}

#[pymethods]
impl StartResponse {
    #[pyo3(signature = (status, headers, exc_info = None))]
    fn __call__(
        slf: &Bound<'_, Self>,
        status: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
        exc_info: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let exc_info = exc_info.filter(|e| !e.is_none());
        {
            let this = slf.borrow();
            match (&exc_info, this.started.status.is_some(), this.started.sent) {
                // "if the headers have already been sent, start_response must raise an
                // error, and should re-raise using the exc_info tuple".
                (Some(exc_info), _, true) => return Err(PyErr::from_value(exc_info.get_item(1)?)),
                (None, true, _) => {
                    return Err(PyAssertionError::new_err(
                        "start_response called a second time without exc_info",
                    ))
                }
                _ => {}
            }
        }
        let status = parse_status(status)?;
        let (headers, content_length) = parse_headers(headers)?;
        let mut this = slf.borrow_mut();
        this.started.status = Some(status);
        this.started.headers = headers;
        this.started.content_length = content_length;
        Ok(slf.getattr(pyo3::intern!(slf.py(), "write"))?.unbind())
    }

    /// PEP 3333's `write(data)`: kept, and sent before the iterable's first chunk.
    fn write(&mut self, data: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.started.status.is_none() {
            return Err(PyAssertionError::new_err("write() before start_response()"));
        }
        let bytes = data.cast::<PyBytes>().map_err(|_| {
            PyTypeError::new_err(format!(
                "write() takes bytes, not {}",
                data.get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        })?;
        self.started.written.push(bytes.clone().unbind());
        Ok(())
    }
}

/// The text of a native string that must be Latin-1 (PEP 3333: status and headers).
fn latin1(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    let text = value
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a str")))?
        .to_cow()?;
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| PyValueError::new_err(format!("{what} is not Latin-1: {text:?}")))
}

fn parse_status(status: &Bound<'_, PyAny>) -> PyResult<(u16, String)> {
    let bytes = latin1(status, "status")?;
    let bad = || {
        PyValueError::new_err(format!(
            "status must be \"NNN Reason\": {:?}",
            String::from_utf8_lossy(&bytes)
        ))
    };
    if bytes.len() < 4 || bytes[3] != b' ' || !bytes[..3].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let code = (u16::from(bytes[0] - b'0') * 100)
        + u16::from(bytes[1] - b'0') * 10
        + u16::from(bytes[2] - b'0');
    if code < 100 || bytes.iter().any(|&b| b < 0x20 && b != b'\t') {
        return Err(bad());
    }
    Ok((code, bytes[4..].iter().map(|&b| char::from(b)).collect()))
}

type Headers = (Vec<(String, Vec<u8>)>, Option<u64>);

fn parse_headers(headers: &Bound<'_, PyAny>) -> PyResult<Headers> {
    let list = headers
        .cast::<PyList>()
        .map_err(|_| PyTypeError::new_err("response_headers must be a list"))?;
    let mut out = Vec::with_capacity(list.len());
    let mut content_length = None;
    for item in list.iter() {
        let pair = item
            .cast::<PyTuple>()
            .ok()
            .filter(|t| t.len() == 2)
            .ok_or_else(|| PyTypeError::new_err("each header must be a (name, value) tuple"))?;
        let name = latin1(&pair.get_item(0)?, "header name")?;
        let value = latin1(&pair.get_item(1)?, "header value")?;
        let name = String::from_utf8(name)
            .ok()
            .filter(|n| !n.is_empty() && n.bytes().all(is_token))
            .ok_or_else(|| PyValueError::new_err("header name must be an HTTP token"))?;
        if value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(PyValueError::new_err(format!(
                "header {name}: CR, LF or NUL in its value"
            )));
        }
        if HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(&name)) {
            tracing::error!(header = %name, "pywsgi: the application set a hop-by-hop header; PEP 3333 forbids it (the server frames the connection)");
            return Err(PyAssertionError::new_err(format!(
                "hop-by-hop header not allowed: {name}"
            )));
        }
        if name.eq_ignore_ascii_case("content-length") {
            let parsed = std::str::from_utf8(&value)
                .ok()
                .and_then(|v| v.trim().parse().ok());
            content_length = Some(
                parsed.ok_or_else(|| PyValueError::new_err("Content-Length is not a number"))?,
            );
        }
        out.push((name, value));
    }
    Ok((out, content_length))
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
