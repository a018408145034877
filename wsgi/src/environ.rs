//! `Environ`: the CGI variables and `wsgi.*` entries of PEP 3333, in Rust types.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;

use percent_encoding::percent_decode;

use crate::error::WsgiError;
use crate::extensions::Extensions;

mod vars;
pub use vars::Vars;

/// The `SERVER_SOFTWARE` this crate reports.
pub const SERVER_SOFTWARE: &str = concat!("webpy-rs-wsgi/", env!("CARGO_PKG_VERSION"));

/// The request body reader behind `wsgi.input`.
pub type Input = Box<dyn Read + Send>;

/// The error stream behind `wsgi.errors`.
pub type Errors = Box<dyn Write + Send>;

/// Header names a request sent that the environ leaves out, because their name has an
/// underscore (see `Environ::add_header`). Stored in `Environ::extensions` when non-empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DroppedHeaders(pub Vec<String>);

// ANCHOR: environ
/// The environ of PEP 3333: what the application learns about one request.
///
/// * String variables, looked up by their CGI names with `get`: `REQUEST_METHOD`,
///   `SCRIPT_NAME`, `PATH_INFO`, `QUERY_STRING` (raw, still percent-encoded),
///   `REQUEST_URI`, `SERVER_PROTOCOL` (the request's version), `SERVER_NAME`,
///   `SERVER_PORT`, `SERVER_SOFTWARE`, `REMOTE_ADDR`, `REMOTE_PORT`, `CONTENT_TYPE`,
///   `CONTENT_LENGTH`, `HTTPS`, one `HTTP_*` per request header, and any string key a
///   server or middleware adds (`set`).
/// * `PATH_INFO` and `SCRIPT_NAME` are percent-decoded **bytes** (`path_info_bytes`):
///   `%2F` decodes to `/` and `%FF` to the byte 0xFF. `path_info()` gives them as
///   `&str` or a `NonUtf8Path` error (an application answers 400); `get("PATH_INFO")`
///   gives the lossy UTF-8 form (U+FFFD for invalid bytes), for display only. Python's
///   PEP 3333 instead decoded them as Latin-1; Rust strings are UTF-8, so the bytes are
///   the truth here and nothing is guessed.
/// * The `wsgi.*` entries as typed fields: `wsgi.input` (`input`, a `Read`: the
///   server's `KnownLengthRFile`/`ChunkedRFile`, or a `Cursor` for an in-process call),
///   `wsgi.input_terminated`, `wsgi.errors`, `wsgi.url_scheme`, `wsgi.multithread`,
///   `wsgi.multiprocess`, `wsgi.run_once`; `wsgi.version` is always `(1, 0)`.
/// * `extensions`: typed values middleware attaches.
///
/// The string variables, the paths and `wsgi.url_scheme` are one [`Vars`], shared behind
/// an `Arc`: an application keeps them past the call with `shared_vars`, at the cost of a
/// reference count, and a `set` made after that copies them first (see `Vars`).
pub struct Environ {
    vars: Arc<Vars>,
    input: Input,
    input_terminated: bool,
    errors: ErrorStream,
    multithread: bool,
    multiprocess: bool,
    run_once: bool,
    extensions: Extensions,
}
// ANCHOR_END: environ

/// `wsgi.errors`: the process's stderr unless replaced (held without a box, since every
/// environ starts with it).
enum ErrorStream {
    Stderr(io::Stderr),
    Set(Errors),
}

impl Default for Environ {
    fn default() -> Environ {
        Environ::new()
    }
}

impl Environ {
    /// An environ for `GET /` with the variables PEP 3333 requires set to neutral values
    /// (`SERVER_NAME=localhost`, `SERVER_PORT=80`, `SERVER_PROTOCOL=HTTP/1.1`), an empty
    /// `wsgi.input` and `wsgi.errors` on stderr: the starting point of an in-process call.
    ///
    /// The storage of its variables is the last recycled environ's on this thread, when
    /// there is one (see [`recycle`](Self::recycle)).
    pub fn new() -> Environ {
        let mut env = Environ {
            vars: Vars::fresh(),
            input: Box::new(io::empty()),
            input_terminated: true,
            errors: ErrorStream::Stderr(io::stderr()),
            multithread: false,
            multiprocess: false,
            run_once: false,
            extensions: Extensions::new(),
        };
        env.vars_mut().set_defaults(&[
            ("PATH_INFO", "/"),
            ("QUERY_STRING", ""),
            ("REQUEST_METHOD", "GET"),
            ("REQUEST_URI", "/"),
            ("SCRIPT_NAME", ""),
            ("SERVER_NAME", "localhost"),
            ("SERVER_PORT", "80"),
            ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("SERVER_SOFTWARE", SERVER_SOFTWARE),
        ]);
        env
    }

    /// Ends the environ, keeping the storage of its variables for the next environ made
    /// on this thread, if nothing else holds it (an application dropped what it took
    /// with `shared_vars`). The gateway does this after each request, so a worker's
    /// environs allocate nothing in steady state; dropping an environ instead just frees
    /// its storage.
    pub fn recycle(self) {
        let Environ { vars, .. } = self;
        Vars::give_back(vars);
    }

    /// The variables to change: copied first if an application holds them (`shared_vars`),
    /// so what it holds never changes.
    fn vars_mut(&mut self) -> &mut Vars {
        Arc::make_mut(&mut self.vars)
    }

    /// The string variables, paths and `wsgi.url_scheme`, shared rather than copied: what
    /// an application keeps of the request past the call. A later change to this environ
    /// does not show in what was taken.
    pub fn shared_vars(&self) -> Arc<Vars> {
        Arc::clone(&self.vars)
    }

    /// An environ for `method` and a request target such as `/a%20b?x=1`: `PATH_INFO` is
    /// the percent-decoded path, `QUERY_STRING` the raw query, `REQUEST_URI` the target.
    /// Malformed escapes (`%`, `%4`, `%zz`) stay as they are.
    pub fn from_target(method: &str, target: &str) -> Environ {
        let mut env = Environ::new();
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, query),
            None => (target, ""),
        };
        env.set("REQUEST_METHOD", method);
        env.set("QUERY_STRING", query);
        env.set("REQUEST_URI", target);
        let path: std::borrow::Cow<'_, [u8]> = percent_decode(path.as_bytes()).into();
        env.set_path_info(path);
        env
    }

    /// The string variable `key` (`REQUEST_METHOD`, `HTTP_HOST`, ...).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key)
    }

    /// Sets a string variable. `PATH_INFO` and `SCRIPT_NAME` go through
    /// `set_path_info` / `set_script_name`, so their byte form stays in step, and
    /// `wsgi.url_scheme` through `set_url_scheme`.
    pub fn set(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) {
        let value = value.as_ref();
        match key.as_ref() {
            "PATH_INFO" => self.set_path_info(value),
            "SCRIPT_NAME" => self.set_script_name(value),
            "wsgi.url_scheme" => self.set_url_scheme(value),
            key => self.vars_mut().insert(key, value),
        }
    }

    /// Sets a string variable to what `value` displays as (a port number, an address),
    /// written straight into the variables' text.
    pub(crate) fn set_display(&mut self, key: &'static str, value: impl fmt::Display) {
        use std::fmt::Write as _;
        self.vars_mut().insert_with_constant(key, |text| {
            // Writing to a `String` cannot fail.
            let _ = write!(text, "{value}");
        });
    }

    /// Removes a string variable, returning its value. `PATH_INFO` and `SCRIPT_NAME`
    /// cannot be removed (PEP 3333 requires them); they become empty instead.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        match key {
            "PATH_INFO" | "SCRIPT_NAME" => {
                let old = self.vars.get(key).map(str::to_owned);
                self.set(key, "");
                old
            }
            _ => self.vars_mut().remove(key),
        }
    }

    /// The string variables in key order (`PATH_INFO` and `SCRIPT_NAME` in lossy form).
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter()
    }

    /// The `wsgi.*` entries rendered as Python would print them (`wsgi.multithread` →
    /// `True`), for diagnostics such as the conformance app's `/env`.
    pub fn wsgi_entries(&self) -> Vec<(&'static str, String)> {
        let py = |b: bool| if b { "True" } else { "False" }.to_owned();
        vec![
            ("wsgi.version", "(1, 0)".to_owned()),
            ("wsgi.url_scheme", self.url_scheme().to_owned()),
            ("wsgi.input", "<input>".to_owned()),
            ("wsgi.input_terminated", py(self.input_terminated)),
            ("wsgi.errors", "<errors>".to_owned()),
            ("wsgi.multithread", py(self.multithread)),
            ("wsgi.multiprocess", py(self.multiprocess)),
            ("wsgi.run_once", py(self.run_once)),
        ]
    }
}

/// The environ key for request header `name`, `None` for a name with `_` (dropped and
/// listed in the `DroppedHeaders` extension): the CGI rule, whose one home is
/// `httpserver::rules::cgi_header_key`, where `pywsgi` finds it too.
pub use httpserver::rules::cgi_header_key as header_key;

/// The keys `header_key` gives the headers nearly every request has, so that they cost
/// no new string (a test checks each against `header_key`).
const USUAL_HEADERS: &[(&str, &str)] = &[
    ("host", "HTTP_HOST"),
    ("user-agent", "HTTP_USER_AGENT"),
    ("accept", "HTTP_ACCEPT"),
    ("accept-encoding", "HTTP_ACCEPT_ENCODING"),
    ("accept-language", "HTTP_ACCEPT_LANGUAGE"),
    ("connection", "HTTP_CONNECTION"),
    ("cookie", "HTTP_COOKIE"),
    ("content-type", "CONTENT_TYPE"),
    ("content-length", "CONTENT_LENGTH"),
];

/// `header_key(name)`, borrowed for the usual headers.
fn environ_key(name: &str) -> Option<Cow<'static, str>> {
    match USUAL_HEADERS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some(&(_, key)) => Some(Cow::Borrowed(key)),
        None => header_key(name).map(Cow::Owned),
    }
}

impl Environ {
    // ANCHOR: add_header
    /// Adds one request header. A header seen again is joined to the earlier value with
    /// `, ` (RFC 9110 §5.3: a list header may be split over lines or joined by commas,
    /// with the same meaning); `Cookie` is joined with `; `, its own separator (RFC 6265
    /// §5.4), so cookie parsing still works. `Content-Type`/`Content-Length` keep their
    /// first value (the server already refused conflicting lengths). Returns `false` when
    /// the header is dropped (a name with `_`, see `header_key`).
    pub fn add_header(&mut self, name: &str, value: &str) -> bool {
        self.add_header_bytes(name, value.as_bytes())
    }

    /// `add_header` for a value as it came on the wire: valid UTF-8 is kept as is,
    /// anything else is read as Latin-1 (one char per byte, PEP 3333's rule), so no byte
    /// is lost or replaced. The value is written straight into the variables' text.
    pub(crate) fn add_header_bytes(&mut self, name: &str, value: &[u8]) -> bool {
        let Some(key) = environ_key(name) else {
            let mut dropped = self
                .extensions
                .remove::<DroppedHeaders>()
                .unwrap_or_default();
            dropped.0.push(name.to_owned());
            self.extensions.insert(dropped);
            return false;
        };
        let separator = if key == "HTTP_COOKIE" { "; " } else { ", " };
        let write = |text: &mut String| match std::str::from_utf8(value) {
            Ok(utf8) => text.push_str(utf8),
            Err(_) => text.extend(value.iter().map(|&b| char::from(b))),
        };
        let vars = self.vars_mut();
        if vars.get(&key).is_none() {
            match key {
                Cow::Borrowed(constant) => vars.insert_with_constant(constant, write),
                Cow::Owned(key) => vars.insert_with(&key, write),
            }
        } else if !key.starts_with("CONTENT_") {
            vars.append_with(&key, separator, write);
        }
        true
    }
    // ANCHOR_END: add_header

    /// The value of request header `name` (any case), joined as `add_header` joined it.
    pub fn header(&self, name: &str) -> Option<&str> {
        environ_key(name).and_then(|key| self.vars.get(&key))
    }

    /// `REQUEST_METHOD`.
    pub fn request_method(&self) -> &str {
        self.get("REQUEST_METHOD").unwrap_or("GET")
    }

    /// `QUERY_STRING`, raw (still percent-encoded).
    pub fn query_string(&self) -> &str {
        self.get("QUERY_STRING").unwrap_or("")
    }

    /// `PATH_INFO` as UTF-8.
    ///
    /// # Errors
    /// `NonUtf8Path` when the decoded bytes are not UTF-8 (`/%FF`).
    pub fn path_info(&self) -> Result<&str, WsgiError> {
        let bytes = self.path_info_bytes();
        std::str::from_utf8(bytes).map_err(|_| WsgiError::NonUtf8Path {
            key: "PATH_INFO",
            bytes: bytes.to_vec(),
        })
    }

    /// `PATH_INFO` as the percent-decoded bytes.
    pub fn path_info_bytes(&self) -> &[u8] {
        self.vars.path_info_bytes()
    }

    /// Sets `PATH_INFO` (decoded bytes).
    pub fn set_path_info(&mut self, bytes: impl AsRef<[u8]>) {
        self.vars_mut().set_path(false, bytes.as_ref());
    }

    /// `SCRIPT_NAME` as UTF-8: the mount point of the application ("" at the root).
    ///
    /// # Errors
    /// `NonUtf8Path` when the bytes are not UTF-8.
    pub fn script_name(&self) -> Result<&str, WsgiError> {
        let bytes = self.script_name_bytes();
        std::str::from_utf8(bytes).map_err(|_| WsgiError::NonUtf8Path {
            key: "SCRIPT_NAME",
            bytes: bytes.to_vec(),
        })
    }

    /// `SCRIPT_NAME` as bytes.
    pub fn script_name_bytes(&self) -> &[u8] {
        self.vars.script_name_bytes()
    }

    /// Sets `SCRIPT_NAME` (decoded bytes).
    pub fn set_script_name(&mut self, bytes: impl AsRef<[u8]>) {
        self.vars_mut().set_path(true, bytes.as_ref());
    }

    /// `wsgi.input`: the request body. It reads the body and then EOF, never past it.
    pub fn input(&mut self) -> &mut (dyn Read + Send) {
        &mut *self.input
    }

    /// Replaces `wsgi.input` (an in-process caller passes a `Cursor` over the body).
    pub fn set_input(&mut self, input: Input) {
        self.input = input;
    }

    /// Takes `wsgi.input` out, leaving an empty reader: for a streaming body that reads
    /// the request as it writes the response, and so must own the reader.
    pub fn take_input(&mut self) -> Input {
        std::mem::replace(&mut self.input, Box::new(io::empty()))
    }

    /// `wsgi.input_terminated`: the input yields EOF at the end of the body, so an app
    /// may read to EOF without trusting `CONTENT_LENGTH`. True for every input this
    /// crate builds.
    pub fn input_terminated(&self) -> bool {
        self.input_terminated
    }

    /// Sets `wsgi.input_terminated`.
    pub fn set_input_terminated(&mut self, terminated: bool) {
        self.input_terminated = terminated;
    }

    /// `wsgi.errors`: where an application writes diagnostics.
    pub fn errors(&mut self) -> &mut (dyn Write + Send) {
        match &mut self.errors {
            ErrorStream::Stderr(stderr) => stderr,
            ErrorStream::Set(errors) => &mut **errors,
        }
    }

    /// Replaces `wsgi.errors`.
    pub fn set_errors(&mut self, errors: Errors) {
        self.errors = ErrorStream::Set(errors);
    }

    /// `wsgi.url_scheme`: `http` or `https`.
    pub fn url_scheme(&self) -> &str {
        self.vars.url_scheme()
    }

    /// Sets `wsgi.url_scheme`, and `HTTPS` to `on`/`off` to match.
    pub fn set_url_scheme(&mut self, scheme: &str) {
        let https = if scheme.eq_ignore_ascii_case("https") {
            "on"
        } else {
            "off"
        };
        let vars = self.vars_mut();
        vars.set_url_scheme(scheme);
        vars.insert_static("HTTPS", https);
    }

    /// `wsgi.multithread`, `wsgi.multiprocess`, `wsgi.run_once`.
    pub fn concurrency(&self) -> (bool, bool, bool) {
        (self.multithread, self.multiprocess, self.run_once)
    }

    /// Sets `wsgi.multithread`, `wsgi.multiprocess`, `wsgi.run_once`.
    pub fn set_concurrency(&mut self, multithread: bool, multiprocess: bool, run_once: bool) {
        self.multithread = multithread;
        self.multiprocess = multiprocess;
        self.run_once = run_once;
    }

    /// Typed values attached by the server or middleware.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Typed values, mutably.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }
}

impl fmt::Debug for Environ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environ")
            .field("vars", &self.vars)
            .field("url_scheme", &self.url_scheme())
            .field("extensions", &self.extensions)
            .finish_non_exhaustive()
    }
}
