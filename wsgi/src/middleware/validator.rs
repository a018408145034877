//! `Validator`: reports servers and apps that break the contract, in the spirit of
//! Python's `wsgiref.validate`.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::CountingSink;
use crate::app::{Middleware, SharedApp, WsgiApp};
use crate::body::{Body, Chunk};
use crate::environ::Environ;
use crate::error::AppError;
use crate::headers::find_header;
use crate::start_response::StartResponse;

/// One broken rule, and who broke it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// The server built an environ PEP 3333 does not allow.
    Environ {
        /// The key concerned.
        key: String,
        /// What is wrong.
        problem: String,
    },
    /// The app returned a body without calling `start_response`.
    NoStartResponse,
    /// The app failed (an `Err` from `call` or from a body chunk).
    AppFailed {
        /// The error, as text.
        error: String,
    },
    /// A response with content but no `Content-Type` (wsgiref's "No Content-Type header
    /// found in headers").
    NoContentType {
        /// The status code.
        status: u16,
    },
    /// A response header name `wsgiref.validate` refuses: `Status` (CGI would read it as
    /// the status line), or a name ending in `-` or `_`.
    BadHeaderName {
        /// The name.
        name: String,
        /// Why it is refused.
        problem: &'static str,
    },
    /// A `Content-Type` on a 1xx, 204 or 304 response, which has no content.
    ContentTypeWithoutContent {
        /// The status code.
        status: u16,
    },
    /// Body bytes yielded for a 1xx, 204 or 304 response (the server will drop them).
    BodyForNoContentStatus {
        /// The status code.
        status: u16,
        /// How many bytes the app produced.
        bytes: u64,
    },
    /// The app produced a different number of bytes than its `Content-Length` says: the
    /// server must cut the connection (fewer) or drop the excess (more). Fewer counts
    /// only when the body ended by itself, not when the server stopped pulling it (a
    /// HEAD, a client gone).
    ContentLengthMismatch {
        /// The declared length.
        declared: u64,
        /// The bytes produced (before a HEAD response is stripped).
        produced: u64,
    },
}

impl Finding {
    /// Who broke the rule: `"server"` or `"application"`.
    pub fn blame(&self) -> &'static str {
        match self {
            Finding::Environ { .. } => "server",
            _ => "application",
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.blame())?;
        match self {
            Finding::Environ { key, problem } => write!(f, "environ {key}: {problem}"),
            Finding::NoStartResponse => write!(f, "returned a body without calling start_response"),
            Finding::AppFailed { error } => write!(f, "failed: {error}"),
            Finding::NoContentType { status } => {
                write!(f, "{status} response without Content-Type")
            }
            Finding::BadHeaderName { name, problem } => {
                write!(f, "response header {name:?}: {problem}")
            }
            Finding::ContentTypeWithoutContent { status } => {
                write!(
                    f,
                    "Content-Type on a {status} response, which has no content"
                )
            }
            Finding::BodyForNoContentStatus { status, bytes } => {
                write!(
                    f,
                    "{bytes} body bytes for a {status} response, which has no content"
                )
            }
            Finding::ContentLengthMismatch { declared, produced } => write!(
                f,
                "Content-Length says {declared} bytes but the body has {produced}"
            ),
        }
    }
}

/// The findings of a `Validator`, shared with whoever reads them (a test, a log).
#[derive(Clone, Debug, Default)]
pub struct Findings(Arc<Mutex<Vec<Finding>>>);

impl Findings {
    fn push(&self, finding: Finding) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(finding);
    }

    /// A copy of the findings so far.
    pub fn list(&self) -> Vec<Finding> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Removes and returns the findings so far.
    pub fn take(&self) -> Vec<Finding> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Wraps an app and checks both sides of the contract on every request: the environ the
/// server built, and the status, headers and body the app produced. Findings are
/// collected in `findings()` and written to `wsgi.errors`; the response itself passes
/// through unchanged (unlike `wsgiref.validate`, which raised `AssertionError` and so
/// turned a finding into a 500 and hid the rest).
pub struct Validator {
    app: SharedApp,
    findings: Findings,
}

impl Validator {
    /// Wraps `app`.
    pub fn new(app: SharedApp) -> Validator {
        Validator {
            app,
            findings: Findings::default(),
        }
    }

    /// The findings handle (clone it before handing the validator to a server).
    pub fn findings(&self) -> Findings {
        self.findings.clone()
    }
}

/// The validator as a `Middleware`, reporting into `findings`.
pub fn validator(findings: Findings) -> Middleware {
    Box::new(move |app: SharedApp| -> SharedApp { Arc::new(Validator { app, findings }) })
}

// ANCHOR: validator_call
impl WsgiApp for Validator {
    /// The steps of `wsgiref.validate`'s wrapper: check the environ, call the app
    /// watching what it passes to `start_response`, check that head, then watch the body
    /// until it is closed.
    fn call(&self, env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
        let mut found = check_environ(env);
        let written = Arc::new(AtomicU64::new(0));
        let (result, head) = self.call_watched(env, sr, &written);
        let body = match result {
            Ok(body) => body,
            Err(error) => {
                let error_text = error.to_string();
                found.push(Finding::AppFailed { error: error_text });
                self.report(env, found);
                return Err(error);
            }
        };
        let Some(head) = head else {
            found.push(Finding::NoStartResponse);
            self.report(env, found);
            return Ok(body);
        };
        found.extend(check_head(&head));
        self.report(env, found);
        Ok(self.watch_body(body, &head, written))
    }
}
// ANCHOR_END: validator_call

/// What the app passed to `start_response`, as the validator saw it go by.
struct Head {
    status: u16,
    /// Its `Content-Length`, when it gave one that is a number.
    declared: Option<u64>,
    /// Whether it gave a `Content-Type`.
    typed: bool,
    names: Vec<String>,
}

impl Head {
    /// 1xx, 204 and 304 answers have no content (httpserver's rule).
    fn no_content(&self) -> bool {
        httpserver::rules::status_has_no_body(self.status)
    }
}

impl Validator {
    /// Calls the app with a `start_response` that records the head on its way to `sr`
    /// and counts the bytes the app writes through it into `written`.
    fn call_watched(
        &self,
        env: &mut Environ,
        sr: &mut StartResponse<'_>,
        written: &Arc<AtomicU64>,
    ) -> (Result<Body, AppError>, Option<Head>) {
        let mut head = None;
        let mut forward = sr.forward(|status, headers| {
            head = Some(Head {
                status: status.code(),
                declared: find_header(headers, "Content-Length").and_then(|v| v.parse().ok()),
                typed: find_header(headers, "Content-Type").is_some(),
                names: headers.iter().map(|(name, _)| name.clone()).collect(),
            });
        });
        let mut counting = CountingSink::new(&mut forward, Arc::clone(written));
        let result = self.app.call(env, &mut StartResponse::new(&mut counting));
        (result, head)
    }

    // ANCHOR: watch_body
    /// The body, counted as the server pulls it; when it is closed, its length is
    /// checked against the head (`written` already holds what the app wrote).
    fn watch_body(&self, body: Body, head: &Head, written: Arc<AtomicU64>) -> Body {
        let tally = Arc::new(Tally {
            produced: written,
            failed: Mutex::new(None),
            exhausted: AtomicBool::new(false),
        });
        let counting = Arc::clone(&tally);
        let findings = self.findings.clone();
        let (status, declared, no_content) = (head.status, head.declared, head.no_content());
        body.map_stream(move |mut chunks| {
            std::iter::from_fn(move || {
                let next = chunks.next();
                counting.count(&next);
                next
            })
        })
        .on_close(move || {
            if let Some(finding) = tally.check_end(status, declared, no_content) {
                findings.push(finding);
            }
        })
    }
    // ANCHOR_END: watch_body

    fn report(&self, env: &mut Environ, found: Vec<Finding>) {
        for finding in found {
            // wsgi.errors is the app's diagnostic stream; a failure to write there must
            // not change the response.
            let _ = writeln!(env.errors(), "validator: {finding}");
            self.findings.push(finding);
        }
    }
}

/// The head's own rules: header names, and a `Content-Type` exactly when there is
/// content.
fn check_head(head: &Head) -> Vec<Finding> {
    let mut found: Vec<Finding> = head
        .names
        .iter()
        .cloned()
        .filter_map(check_header_name)
        .collect();
    let status = head.status;
    match (head.no_content(), head.typed) {
        (true, true) => found.push(Finding::ContentTypeWithoutContent { status }),
        (false, false) => found.push(Finding::NoContentType { status }),
        _ => {}
    }
    found
}

/// What the validator learns as the body streams.
struct Tally {
    /// Bytes yielded as chunks or written through `start_response`'s writer.
    produced: Arc<AtomicU64>,
    /// The error of a chunk that failed.
    failed: Mutex<Option<String>>,
    /// Whether the server pulled the body to its end: one that stopped early (a HEAD
    /// whose headers are out, a client gone) saw fewer bytes than the app would yield.
    exhausted: AtomicBool,
}

impl Tally {
    /// Takes in the stream's next item.
    fn count(&self, next: &Option<Chunk>) {
        match next {
            None => self.exhausted.store(true, Ordering::Relaxed),
            Some(Ok(bytes)) => {
                self.produced
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            Some(Err(error)) => {
                *self.failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.to_string());
            }
        }
    }

    /// At close: a failed chunk, a body where there must be none, or a length that
    /// differs from the declared one.
    fn check_end(&self, status: u16, declared: Option<u64>, no_content: bool) -> Option<Finding> {
        let produced = self.produced.load(Ordering::Relaxed);
        if let Some(error) = self.failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Some(Finding::AppFailed { error });
        }
        if no_content {
            return (produced > 0).then_some(Finding::BodyForNoContentStatus {
                status,
                bytes: produced,
            });
        }
        // Short counts only when the body ended by itself; long counts always.
        let ended = self.exhausted.load(Ordering::Relaxed);
        let mismatch = |&d: &u64| d < produced || (d > produced && ended);
        declared
            .filter(mismatch)
            .map(|declared| Finding::ContentLengthMismatch { declared, produced })
    }
}

/// `wsgiref.validate.check_headers`' name rules, beyond the token rule `start_response`
/// enforces already.
fn check_header_name(name: String) -> Option<Finding> {
    let problem = if name.eq_ignore_ascii_case("status") {
        "a Status header is read as the status line by CGI; use start_response's status"
    } else if name.ends_with(['-', '_']) {
        "header names may not end in '-' or '_'"
    } else {
        return None;
    };
    Some(Finding::BadHeaderName { name, problem })
}

// ANCHOR: check_environ
/// The environ rules of PEP 3333 (and of `wsgiref.validate.check_environ`): the
/// required keys, the method, the two path halves, then the values with a syntax.
fn check_environ(env: &Environ) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut bad = |key: &str, problem: &str| {
        found.push(Finding::Environ {
            key: key.to_owned(),
            problem: problem.to_owned(),
        })
    };
    check_required(env, &mut bad);
    check_paths(env.script_name_bytes(), env.path_info_bytes(), &mut bad);
    check_values(env, &mut bad);
    found
}
// ANCHOR_END: check_environ

/// The CGI keys PEP 3333 requires, and a method that is one.
fn check_required(env: &Environ, bad: &mut impl FnMut(&str, &str)) {
    for key in [
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
    ] {
        if env.get(key).is_none() {
            bad(key, "required but missing");
        }
    }
    let method = env.get("REQUEST_METHOD").unwrap_or("");
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-') {
        bad(
            "REQUEST_METHOD",
            "must be a non-empty method name such as GET",
        );
    }
}

// ANCHOR: check_paths
/// `SCRIPT_NAME` and `PATH_INFO`: each empty or starting with `/`, together never
/// empty, and the root spelt `('', '/')`.
fn check_paths(script: &[u8], path: &[u8], bad: &mut impl FnMut(&str, &str)) {
    if !script.is_empty() && !script.starts_with(b"/") {
        bad("SCRIPT_NAME", "must be empty or start with '/'");
    }
    if script == b"/" {
        bad(
            "SCRIPT_NAME",
            "cannot be '/': it should be '' with PATH_INFO '/'",
        );
    }
    if !path.is_empty() && !path.starts_with(b"/") {
        bad("PATH_INFO", "must be empty or start with '/'");
    }
    if script.is_empty() && path.is_empty() {
        bad("PATH_INFO", "should be '/' when SCRIPT_NAME is empty");
    }
}
// ANCHOR_END: check_paths

/// The values with a syntax: port and length in digits, the scheme, the protocol, and
/// the two headers CGI moves out of `HTTP_*`.
fn check_values(env: &Environ, bad: &mut impl FnMut(&str, &str)) {
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    if env.get("SERVER_PORT").is_some_and(|p| !digits(p)) {
        bad("SERVER_PORT", "must be digits");
    }
    if env.get("CONTENT_LENGTH").is_some_and(|l| !digits(l)) {
        bad("CONTENT_LENGTH", "must be digits when present");
    }
    if !matches!(env.url_scheme(), "http" | "https") {
        bad("wsgi.url_scheme", "must be http or https");
    }
    if env
        .get("SERVER_PROTOCOL")
        .is_some_and(|p| !p.starts_with("HTTP/"))
    {
        bad("SERVER_PROTOCOL", "must look like HTTP/1.1");
    }
    for key in ["HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"] {
        if env.get(key).is_some() {
            bad(key, "must not be set; use CONTENT_TYPE / CONTENT_LENGTH");
        }
    }
}
