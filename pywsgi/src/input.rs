//! `wsgi.input`: the request body as a Python file-like object (PEP 3333's "Input and
//! Error Streams": `read(size)`, `readline(size)`, `readlines(hint)`, iteration).
//!
//! The body was received whole before the application runs (in memory or a temporary
//! file), so a read never waits on the client and holds the GIL only for a copy. It ends
//! at the end of the body, returning `b""` from then on: `wsgi.input_terminated` is true.

use std::io::{BufRead, Read};

use httpserver::RequestBody;
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

/// One request's body, or none (an empty body shares one `Input` with no bytes).
#[pyclass(module = "pywsgi")]
pub(crate) struct Input {
    body: Option<RequestBody>,
    /// Bytes not read yet.
    left: u64,
}

impl Input {
    pub(crate) fn new(body: Option<RequestBody>) -> Input {
        let left = body.as_ref().map_or(0, RequestBody::len);
        Input { body, left }
    }

    /// Up to `limit` bytes of the next line (ending with its `\n`), or fewer at the end.
    fn line(&mut self, py: Python<'_>, limit: usize) -> PyResult<Py<PyBytes>> {
        let Some(body) = self.body.as_mut() else {
            return Ok(PyBytes::new(py, b"").unbind());
        };
        let mut line = Vec::new();
        while line.len() < limit {
            let buf = body.fill_buf().map_err(io_error)?;
            if buf.is_empty() {
                break;
            }
            let room = (limit - line.len()).min(buf.len());
            let (take, done) = match memchr(b'\n', &buf[..room]) {
                Some(at) => (at + 1, true),
                None => (room, false),
            };
            line.extend_from_slice(&buf[..take]);
            body.consume(take);
            if done {
                break;
            }
        }
        self.left -= line.len() as u64;
        Ok(PyBytes::new(py, &line).unbind())
    }
}

fn memchr(byte: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == byte)
}

fn io_error(error: std::io::Error) -> PyErr {
    PyOSError::new_err(format!("wsgi.input: {error}"))
}

/// A size argument as PEP 3333 and `io` read it: absent, `None` or negative means all.
fn limit(size: Option<isize>) -> usize {
    match size {
        Some(n) if n >= 0 => n as usize,
        _ => usize::MAX,
    }
}

#[pymethods]
impl Input {
    /// `read()` or `read(-1)`: the rest of the body; `read(n)`: at most `n` bytes.
    #[pyo3(signature = (size = None))]
    fn read(&mut self, py: Python<'_>, size: Option<isize>) -> PyResult<Py<PyBytes>> {
        let n = limit(size).min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let Some(body) = self.body.as_mut() else {
            return Ok(PyBytes::new(py, b"").unbind());
        };
        let bytes = PyBytes::new_with(py, n, |buf| body.read_exact(buf).map_err(io_error))?;
        self.left -= n as u64;
        Ok(bytes.unbind())
    }

    /// The next line, `\n` included; at most `size` bytes of it when given.
    #[pyo3(signature = (size = None))]
    fn readline(&mut self, py: Python<'_>, size: Option<isize>) -> PyResult<Py<PyBytes>> {
        self.line(py, limit(size))
    }

    /// The remaining lines; stops once `hint` bytes were read when a hint is given.
    #[pyo3(signature = (hint = None))]
    fn readlines(&mut self, py: Python<'_>, hint: Option<isize>) -> PyResult<Py<PyList>> {
        let (hint, mut total) = (limit(hint), 0usize);
        let lines = PyList::empty(py);
        loop {
            let line = self.line(py, usize::MAX)?;
            let len = line.bind(py).as_bytes().len();
            if len == 0 {
                break;
            }
            lines.append(line)?;
            total += len;
            if hint != usize::MAX && hint != 0 && total >= hint {
                break;
            }
        }
        Ok(lines.unbind())
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyBytes>>> {
        let line = self.line(py, usize::MAX)?;
        Ok((!line.bind(py).as_bytes().is_empty()).then_some(line))
    }
}
