//! `Validator`: reports servers and apps that break the contract, in the spirit of
//! Python's `wsgiref.validate`.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::CountingSink;
use crate::app::{Middleware, SharedApp, WsgiApp};
use crate::body::Body;
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

impl WsgiApp for Validator {
    fn call(&self, env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
        let mut found = check_environ(env);
        let mut response: Option<(u16, Option<u64>, bool)> = None;
        let mut names = Vec::new();
        let written = Arc::new(AtomicU64::new(0));
        let result = {
            let mut forward = sr.forward(|status, headers| {
                let length = find_header(headers, "Content-Length").and_then(|v| v.parse().ok());
                let typed = find_header(headers, "Content-Type").is_some();
                response = Some((status.code(), length, typed));
                names = headers.iter().map(|(name, _)| name.clone()).collect();
            });
            let mut counting = CountingSink::new(&mut forward, Arc::clone(&written));
            self.app.call(env, &mut StartResponse::new(&mut counting))
        };
        let body = match result {
            Ok(body) => body,
            Err(error) => {
                found.push(Finding::AppFailed {
                    error: error.to_string(),
                });
                self.report(env, found);
                return Err(error);
            }
        };
        let Some((status, declared, typed)) = response else {
            found.push(Finding::NoStartResponse);
            self.report(env, found);
            return Ok(body);
        };
        found.extend(names.into_iter().filter_map(check_header_name));
        let no_content = status < 200 || status == 204 || status == 304;
        if no_content && typed {
            found.push(Finding::ContentTypeWithoutContent { status });
        }
        if !no_content && !typed {
            found.push(Finding::NoContentType { status });
        }
        self.report(env, found);
        let findings = self.findings.clone();
        let counted = Arc::clone(&written);
        let failed = Arc::new(Mutex::new(None));
        let failed_in = Arc::clone(&failed);
        // Whether the server pulled the body to its end: one that stopped early (a HEAD
        // whose headers are out, a client gone) saw fewer bytes than the app would yield.
        let exhausted = Arc::new(AtomicBool::new(false));
        let ended = Arc::clone(&exhausted);
        Ok(body
            .map_stream(move |mut chunks| {
                std::iter::from_fn(move || {
                    let next = chunks.next();
                    match &next {
                        None => ended.store(true, Ordering::Relaxed),
                        Some(Ok(bytes)) => {
                            counted.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                        }
                        Some(Err(error)) => {
                            *failed_in.lock().unwrap_or_else(|p| p.into_inner()) =
                                Some(error.to_string());
                        }
                    }
                    next
                })
            })
            .on_close(move || {
                let produced = written.load(Ordering::Relaxed);
                if let Some(error) = failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    findings.push(Finding::AppFailed { error });
                    return;
                }
                if no_content && produced > 0 {
                    findings.push(Finding::BodyForNoContentStatus {
                        status,
                        bytes: produced,
                    });
                    return;
                }
                // Short counts only when the body ended by itself; long counts always.
                let ended = exhausted.load(Ordering::Relaxed);
                let mismatch = |&d: &u64| d < produced || (d > produced && ended);
                if let Some(declared) = declared.filter(mismatch).filter(|_| !no_content) {
                    findings.push(Finding::ContentLengthMismatch { declared, produced });
                }
            }))
    }
}

impl Validator {
    fn report(&self, env: &mut Environ, found: Vec<Finding>) {
        for finding in found {
            // wsgi.errors is the app's diagnostic stream; a failure to write there must
            // not change the response.
            let _ = writeln!(env.errors(), "validator: {finding}");
            self.findings.push(finding);
        }
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
/// The environ rules of PEP 3333 (and of `wsgiref.validate.check_environ`).
fn check_environ(env: &Environ) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut bad = |key: &str, problem: &str| {
        found.push(Finding::Environ {
            key: key.to_owned(),
            problem: problem.to_owned(),
        })
    };
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
    let script = env.script_name_bytes();
    let path = env.path_info_bytes();
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
    found
}
// ANCHOR_END: check_environ
