//! `PyGateway`: httpserver's `Gateway` for a Python WSGI callable.
//!
//! Each worker thread attaches to the interpreter once, for its whole life
//! ([`Gateway::worker_life`]), and is detached except while it runs Python: its thread
//! state, and with it every `threading.local` (web.py's `web.ctx` is one), lives as long
//! as the worker. The GIL is released around every write to the connection, and the
//! worker waits on the poller with no GIL at all.

use std::ffi::CString;
use std::path::Path;

use httpserver::{BodyFraming, Error, Gateway, HttpRequest, Response};
use pyo3::exceptions::PyRuntimeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyModule, PyTuple};

use crate::args::AppSpec;
use crate::environ;
use crate::input::Input;
use crate::start_response::StartResponse;

/// Serves one Python WSGI application.
pub struct PyGateway {
    app: Py<PyAny>,
    /// The environ keys that are the same for every request.
    template: Py<PyDict>,
}

/// `wsgi.errors`: what the application writes there goes to the log (`tracing`, target
/// `pywsgi::errors`), a line per `write`.
#[pyclass(module = "pywsgi", frozen)]
struct Errors;

#[pymethods]
impl Errors {
    fn write(&self, text: &str) {
        let text = text.trim_end_matches('\n');
        if !text.is_empty() {
            tracing::error!(target: "pywsgi::errors", "{text}");
        }
    }

    fn writelines(&self, lines: &Bound<'_, PyAny>) -> PyResult<()> {
        for line in lines.try_iter()? {
            self.write(&line?.extract::<String>()?);
        }
        Ok(())
    }

    fn flush(&self) {}
}

/// Puts `chdir` (when given, after changing into it) or the current directory first on
/// `sys.path`, as gunicorn does, so `MODULE` is found where the user stands.
/// `PYTHONPATH` is read by the interpreter itself and stays after it.
///
/// # Errors
/// The directory cannot be entered, or `sys.path` cannot be changed.
pub fn prepare_sys_path(py: Python<'_>, chdir: Option<&Path>) -> PyResult<()> {
    if let Some(dir) = chdir {
        std::env::set_current_dir(dir)
            .map_err(|e| PyRuntimeError::new_err(format!("--chdir {}: {e}", dir.display())))?;
    }
    let cwd = std::env::current_dir()
        .map_err(|e| PyRuntimeError::new_err(format!("current directory: {e}")))?;
    let path = py.import("sys")?.getattr("path")?;
    path.call_method1("insert", (0, cwd.to_string_lossy().into_owned()))?;
    Ok(())
}

/// Imports `spec.module` and follows `spec.callable`'s dotted attributes.
///
/// # Errors
/// The import fails (the exception as Python raised it), an attribute is missing, or
/// what it names is not callable.
pub fn load_app(py: Python<'_>, spec: &AppSpec) -> PyResult<Py<PyAny>> {
    let mut app = py.import(spec.module.as_str())?.into_any();
    for part in spec.callable.split('.') {
        app = app.getattr(part)?;
    }
    if !app.is_callable() {
        return Err(PyRuntimeError::new_err(format!(
            "{}:{} is not callable",
            spec.module, spec.callable
        )));
    }
    Ok(app.unbind())
}

impl PyGateway {
    /// A gateway for `app`. `threads` is the server's worker count: with more than one,
    /// `wsgi.multithread` is true.
    ///
    /// # Errors
    /// The environ's constant part cannot be built (the interpreter is broken).
    pub fn new(py: Python<'_>, app: Py<PyAny>, threads: usize) -> PyResult<PyGateway> {
        let helpers = PyModule::from_code(
            py,
            &CString::new(include_str!("helpers.py"))
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?,
            c"pywsgi/helpers.py",
            c"_pywsgi",
        )?;
        let env = PyDict::new(py);
        env.set_item("SCRIPT_NAME", "")?;
        env.set_item(
            "SERVER_SOFTWARE",
            concat!("pywsgi/", env!("CARGO_PKG_VERSION")),
        )?;
        env.set_item("SERVER_PROTOCOL", "HTTP/1.1")?;
        env.set_item("wsgi.version", PyTuple::new(py, [1, 0])?)?;
        env.set_item("wsgi.url_scheme", "http")?;
        env.set_item("wsgi.input", Py::new(py, Input::new(None))?)?;
        env.set_item("wsgi.errors", Py::new(py, Errors)?)?;
        env.set_item("wsgi.multithread", threads > 1)?;
        env.set_item("wsgi.multiprocess", false)?;
        env.set_item("wsgi.run_once", false)?;
        env.set_item("wsgi.input_terminated", true)?;
        env.set_item("wsgi.file_wrapper", helpers.getattr("FileWrapper")?)?;
        Ok(PyGateway {
            app,
            template: env.unbind(),
        })
    }

    /// The environ for `req`, its body moved into `wsgi.input`: the trip's
    /// `PyGateway.environ` step.
    fn environ<'py>(&self, py: Python<'py>, req: &mut HttpRequest) -> PyResult<Bound<'py, PyDict>> {
        let _step = tracing::debug_span!("PyGateway.environ").entered();
        let env = self.template.bind(py).copy()?;
        environ::fill(py, &env, req.head())?;
        if !matches!(req.framing(), BodyFraming::None | BodyFraming::Length(0)) {
            let input = Input::new(Some(req.take_body()));
            env.set_item(intern!(py, "wsgi.input"), Py::new(py, input)?)?;
        }
        tracing::debug!(keys = env.len(), "environ built");
        Ok(env)
    }
}

/// Why a response stopped: the application raised, or the connection failed.
enum Failure {
    Python(PyErr),
    Connection(Error),
}

impl From<PyErr> for Failure {
    fn from(error: PyErr) -> Failure {
        Failure::Python(error)
    }
}

/// Logs a Python exception with its traceback, and turns it into the server's
/// application error (a 500 before the headers, a cut connection after).
fn app_error(py: Python<'_>, error: &PyErr, during: &str) -> Error {
    let traceback = py
        .import("traceback")
        .and_then(|tb| {
            let args = (error.get_type(py), error.value(py), error.traceback(py));
            tb.call_method1("format_exception", args)
        })
        .and_then(|lines| lines.extract::<Vec<String>>())
        .map(|lines| lines.concat())
        .unwrap_or_else(|_| error.to_string());
    tracing::error!(target: "pywsgi::errors", "exception {during}:\n{}", traceback.trim_end());
    Error::app(format!("Python exception {during}: {error}"))
}

// ANCHOR: respond
impl Gateway for PyGateway {
    fn respond(&self, req: &mut HttpRequest) -> Result<(), Error> {
        let _span = tracing::debug_span!("PyGateway.respond").entered();
        let head_request = req.method() == "HEAD";
        Python::attach(|py| {
            let env = self
                .environ(py, req)
                .map_err(|e| app_error(py, &e, "building the environ"))?;
            let start_response = Bound::new(py, StartResponse::default())
                .map_err(|e| app_error(py, &e, "building start_response"))?;
            let body = {
                // The Python call alone, timed apart from the environ and the writes.
                let _step = tracing::debug_span!("PyGateway.call").entered();
                self.app.bind(py).call1((env, &start_response))
            };
            let body = body.map_err(|e| app_error(py, &e, "in the application"))?;
            let mut sink = Sink {
                response: req.response(),
                start_response,
                head_request,
                sent_bytes: 0,
            };
            let outcome = sink.send(&body);
            // PEP 3333: close() is called on every path, errors and departed clients too.
            finish(py, outcome, close(&body))
        })
    }

    // ANCHOR_END: respond
    // ANCHOR: worker_life
    fn worker_life(&self, life: &mut (dyn FnMut() + Send)) {
        // Attached once, detached at once: the thread state lives as long as the worker,
        // and each request's `Python::attach` only takes the GIL back.
        Python::attach(|py| py.detach(life));
    }
}
// ANCHOR_END: worker_life

/// Calls the body's `close()`, if it has one. A plain list or tuple (most bodies) has
/// none: looking would cost an `AttributeError` raised and caught on every request.
fn close(body: &Bound<'_, PyAny>) -> PyResult<()> {
    if body.is_exact_instance_of::<PyList>() || body.is_exact_instance_of::<PyTuple>() {
        return Ok(());
    }
    match body.getattr_opt(intern!(body.py(), "close"))? {
        Some(close) => close.call0().map(drop),
        None => Ok(()),
    }
}

/// What the server is told, once the body was sent (or not) and closed (or not): a
/// failed `close()` is logged, and an application error wins over it.
fn finish(py: Python<'_>, outcome: Result<(), Failure>, closed: PyResult<()>) -> Result<(), Error> {
    let close_failed = |closed: PyResult<()>| closed.err().map(|e| app_error(py, &e, "in close()"));
    match outcome {
        Err(Failure::Connection(error)) => {
            close_failed(closed);
            Err(error)
        }
        Err(Failure::Python(error)) => {
            close_failed(closed);
            Err(app_error(py, &error, "in the response body"))
        }
        Ok(()) => close_failed(closed).map_or(Ok(()), Err),
    }
}

/// The body's way to the connection.
struct Sink<'a, 'py> {
    response: &'a mut Response,
    start_response: Bound<'py, StartResponse>,
    head_request: bool,
    /// Body bytes handed to the connection.
    sent_bytes: u64,
}

impl<'py> Sink<'_, 'py> {
    /// Iterates the application's body, writing each chunk as it comes: the trip's
    /// `PyGateway.send` step (a generator's Python runs inside it, each write outside
    /// the GIL).
    fn send(&mut self, body: &Bound<'py, PyAny>) -> Result<(), Failure> {
        let _step = tracing::debug_span!("PyGateway.send").entered();
        self.flush_written()?;
        if let Ok(list) = body.cast::<PyList>() {
            for chunk in list.iter() {
                if self.chunk(&chunk)? {
                    return Ok(());
                }
            }
        } else {
            for chunk in body.try_iter()? {
                if self.chunk(&chunk?)? {
                    return Ok(());
                }
                self.flush_written()?;
            }
        }
        self.flush_written()?;
        if !self.start_response.borrow().started.sent {
            // An empty body: the headers go out now, or there was never a status. Sent
            // here rather than left to the server, the framing is cheroot's (chunked,
            // with its last chunk, when the app gave no length), not `Content-Length: 0`.
            self.send_headers()?;
            let response = &mut *self.response;
            self.start_response
                .py()
                .detach(|| response.send_headers())
                .map_err(Failure::Connection)?;
        }
        Ok(())
    }

    /// Writes one chunk; `true` when nothing more may be sent (a declared length was
    /// reached, or the response has no body).
    fn chunk(&mut self, chunk: &Bound<'py, PyAny>) -> Result<bool, Failure> {
        let bytes = chunk.cast::<PyBytes>().map_err(|_| {
            PyErr::new::<pyo3::exceptions::PyTypeError, _>(format!(
                "the response body must yield bytes, not {}",
                chunk
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        })?;
        self.write(bytes.as_bytes())
    }

    /// What `write()` was given, in order.
    fn flush_written(&mut self) -> Result<(), Failure> {
        let written = std::mem::take(&mut self.start_response.borrow_mut().started.written);
        for bytes in written {
            self.write(bytes.bind(self.start_response.py()).as_bytes())?;
        }
        Ok(())
    }

    fn write(&mut self, mut data: &[u8]) -> Result<bool, Failure> {
        if data.is_empty() {
            return Ok(false);
        }
        let (sent, declared, status) = {
            let this = self.start_response.borrow();
            (
                this.started.sent,
                this.started.content_length,
                this.started.status.as_ref().map(|s| s.0),
            )
        };
        if !sent {
            self.send_headers()?;
        }
        if self.head_request || matches!(status, Some(100..=199 | 204 | 304)) {
            return Ok(true);
        }
        if let Some(declared) = declared {
            let room = declared.saturating_sub(self.sent_bytes);
            if (data.len() as u64) > room {
                tracing::warn!(declared, "pywsgi: the application yielded more than its Content-Length; the rest is not sent");
                data = &data[..room as usize];
            }
        }
        let response = &mut *self.response;
        self.start_response
            .py()
            .detach(|| response.write(data))
            .map_err(Failure::Connection)?;
        self.sent_bytes += data.len() as u64;
        Ok(declared.is_some_and(|d| self.sent_bytes >= d))
    }

    /// Hands the status and headers to the connection (they leave with the first chunk).
    fn send_headers(&mut self) -> Result<(), Failure> {
        let mut this = self.start_response.borrow_mut();
        let Some((code, reason)) = this.started.status.clone() else {
            return Err(
                PyRuntimeError::new_err("the application never called start_response").into(),
            );
        };
        let response = &mut *self.response;
        response
            .set_status(code, &reason)
            .map_err(Failure::Connection)?;
        for (name, value) in &this.started.headers {
            response
                .add_header(name, value)
                .map_err(Failure::Connection)?;
        }
        this.started.sent = true;
        tracing::debug!(
            status = code,
            headers = this.started.headers.len(),
            "start_response"
        );
        Ok(())
    }
}
