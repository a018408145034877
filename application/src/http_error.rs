//! `HttpError`: web.py's `HTTPError` family as a value, not an exception.
//!
//! web.py raised `web.notfound()` and friends; the innermost `handle_with_processors`
//! turned them into a response before the outer processors could look (web.py issue
//! 249). Here a handler returns `Err(HttpError)` and the value travels out through every
//! processor, which may inspect it, replace its body, or turn it into a success.

use std::fmt;

use wsgi::rules::Header;

use crate::Error;

// ANCHOR: http_error
/// An HTTP response that ends the handler early: a status line, extra headers and a
/// body. Handlers return it as `Err(..)`, web.py's `raise`; processors see it and may
/// change it. The successes of the family (the redirects, `ok`, `created`, `accepted`,
/// `nocontent`) may instead be returned as `Ok(reply.into())`, which answers the same
/// (see [`Body::Reply`](crate::Body::Reply)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    status: String,
    // Checked where they were set (`with_header`, `new`): nothing below checks them again.
    headers: Vec<Header>,
    body: Vec<u8>,
    // True while the body is web.py's default message, so that an application's custom
    // page for this status may replace it (web.py: `web.notfound()` without a message
    // used `app.notfound`, with a message it did not).
    default_body: bool,
    // The panic message, when this 500 stands for a handler that panicked; shown only
    // by the debug error page.
    pub(crate) detail: Option<String>,
    // For a redirect to a path of this site: the path and `ctx.realhome`, so that
    // `absolute()` can make `Location` leave a sub-application. Boxed: an error is
    // returned by value through every processor, and most are not redirects.
    redirect: Option<Box<(String, String)>>,
}
// ANCHOR_END: http_error

impl HttpError {
    /// An error with the given status line (`"418 I'm a teapot"`), headers and body:
    /// web.py's `HTTPError(status, headers, data)`. The body counts as custom: an
    /// application's page for this status leaves it alone. The same in one chained
    /// expression: `HttpError::from_status("403 Forbidden").with_header("X-Reason",
    /// "quota")?.with_body("over quota")`.
    ///
    /// # Errors
    /// [`Error::BadHeader`], naming the first header httpserver's rules refuse (as
    /// [`with_header`](Self::with_header)).
    pub fn new(
        status: impl Into<String>,
        headers: Vec<(String, String)>,
        body: impl Into<Vec<u8>>,
    ) -> Result<Self, Error> {
        let headers = headers
            .into_iter()
            .map(|(name, value)| Header::new(name, value))
            .collect::<Result<_, _>>()?;
        Ok(HttpError {
            status: status.into(),
            headers,
            body: body.into(),
            default_body: false,
            detail: None,
            redirect: None,
        })
    }

    /// An error for any status line, with web.py's default body for a status it had no
    /// class for: the reason phrase (`"418 I'm a teapot"` → `I'm a teapot`). The body
    /// counts as default, so a custom page for the code replaces it.
    pub fn from_status(status: impl Into<String>) -> Self {
        let status = status.into();
        let reason = status.split_once(' ').map_or("", |(_, r)| r).to_string();
        HttpError::standard(&status, &reason)
    }

    /// web.py's shape for its error classes: `Content-Type: text/html` and a default
    /// message.
    fn standard(status: &str, message: &str) -> Self {
        HttpError {
            status: status.to_string(),
            headers: vec![constant("Content-Type", "text/html")],
            body: message.as_bytes().to_vec(),
            default_body: true,
            detail: None,
            redirect: None,
        }
    }

    /// The status line, for example `"404 Not Found"`.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// The numeric status code (0 when the status line does not start with one).
    pub fn code(&self) -> u16 {
        self.status
            .get(..3)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// The headers this error adds to the response.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the body is still the default message (a custom page may replace it).
    pub fn has_default_body(&self) -> bool {
        self.default_body
    }

    /// The same error with another body (web.py: `web.notfound("no such user")`).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.default_body = false;
        self
    }

    // ANCHOR: with_header
    /// The same error with header `name` set to `value`, replacing one of the same name
    /// (web.py kept an error's headers in a dict); `Set-Cookie` is added, never replaced.
    /// The header is checked here, once, as `web::header` checks it: in a handler,
    /// `notfound().with_header("X-Reason", reason)?` (a refused header is a 500 whose
    /// detail names it), never a 500 later with no name.
    ///
    /// # Errors
    /// [`Error::BadHeader`], naming the header httpserver's rules refuse.
    pub fn with_header(
        self,
        name: impl Into<std::borrow::Cow<'static, str>>,
        value: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Result<Self, Error> {
        Ok(self.with(Header::new(name, value)?))
    }

    /// [`with_header`](Self::with_header) for a [`Header`] made (so checked) already.
    pub fn with(mut self, header: Header) -> Self {
        let repeatable = header.is("set-cookie");
        match self
            .headers
            .iter_mut()
            .find(|h| !repeatable && h.is(header.name()))
        {
            Some(slot) => *slot = header,
            None => self.headers.push(header),
        }
        self
    }
    // ANCHOR_END: with_header

    /// Splits the error into status, headers and body.
    pub fn into_parts(self) -> (String, Vec<Header>, Vec<u8>) {
        (self.status, self.headers, self.body)
    }

    /// The 500 that stands for a panic, carrying its message for the debug page.
    pub(crate) fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let message = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "a panic with a non-string payload".to_string()
        };
        let mut e = internalerror();
        e.detail = Some(message);
        e
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)
    }
}

impl std::error::Error for HttpError {}

/// A crate [`Error`] inside a handler (for example `header()` with a bad value) is a
/// 500: it is the program's fault, not the client's. `?` works in handlers because of
/// this conversion.
impl From<Error> for HttpError {
    fn from(e: Error) -> Self {
        let mut err = internalerror();
        err.detail = Some(e.to_string());
        err
    }
}

/// A lock poisoned by a handler that panicked while holding it is a 500, so `?` works on
/// `lock()` (`TODOS.lock()?.push(title)`): the data behind it may be half-changed, and
/// the log says so once per request that finds it.
impl<T> From<std::sync::PoisonError<T>> for HttpError {
    fn from(_: std::sync::PoisonError<T>) -> Self {
        tracing::error!("a lock was poisoned by a panic while it was held: answering 500");
        let mut err = internalerror();
        err.detail = Some("a lock poisoned by an earlier panic".to_string());
        err
    }
}

/// An I/O error in a handler (reading an upload, a file to serve) is a 500 too, so `?`
/// works on it.
impl From<std::io::Error> for HttpError {
    fn from(e: std::io::Error) -> Self {
        HttpError::from(Error::Io(e))
    }
}

macro_rules! family {
    ($($(#[$doc:meta])* $name:ident => $status:literal, $message:literal;)*) => {
        $(
            $(#[$doc])*
            pub fn $name() -> HttpError {
                HttpError::standard($status, $message)
            }
        )*
    };
}

// ANCHOR: error_family
family! {
    /// `400 Bad Request`, body `bad request`.
    badrequest => "400 Bad Request", "bad request";
    /// `401 Unauthorized`, body `unauthorized`.
    unauthorized => "401 Unauthorized", "unauthorized";
    /// `403 Forbidden`, body `forbidden`.
    forbidden => "403 Forbidden", "forbidden";
    /// `406 Not Acceptable`, body `not acceptable`.
    notacceptable => "406 Not Acceptable", "not acceptable";
    /// `409 Conflict`, body `conflict`.
    conflict => "409 Conflict", "conflict";
    /// `410 Gone`, body `gone`.
    gone => "410 Gone", "gone";
    /// `412 Precondition Failed`, body `precondition failed`.
    preconditionfailed => "412 Precondition Failed", "precondition failed";
    /// `413 Payload Too Large` (not in web.py, which had no body limit).
    payloadtoolarge => "413 Payload Too Large", "payload too large";
    /// `415 Unsupported Media Type`, body `unsupported media type`.
    unsupportedmediatype => "415 Unsupported Media Type", "unsupported media type";
    /// `451 Unavailable For Legal Reasons`, body `unavailable for legal reasons`.
    unavailableforlegalreasons => "451 Unavailable For Legal Reasons", "unavailable for legal reasons";
    /// `500 Internal Server Error`, body `internal server error`.
    internalerror => "500 Internal Server Error", "internal server error";
    /// `200 OK` as an early exit, empty body (web.py's `web.ok`).
    ok => "200 OK", "";
    /// `201 Created`, body `Created`.
    created => "201 Created", "Created";
    /// `202 Accepted`, body `Accepted`.
    accepted => "202 Accepted", "Accepted";
    /// `204 No Content`: web.py sent the body `No Content`, which a 204 must not have
    /// (RFC 9110 §15.3.5), so this one is empty.
    nocontent => "204 No Content", "";
    /// `304 Not Modified`, empty body.
    notmodified => "304 Not Modified", "";
}
// ANCHOR_END: error_family

// ANCHOR: notfound
/// `404 Not Found`, body `not found`, with web.py's `_NotFound` header
/// `Content-Type: text/html; charset=utf-8` (its other errors say `text/html` only). The
/// application answers it for a path, host or mount that matches nothing.
pub fn notfound() -> HttpError {
    HttpError::standard("404 Not Found", "not found")
        .with(constant("Content-Type", "text/html; charset=utf-8"))
}

/// `405 Method Not Allowed` with web.py's `NoMethod()` list, `Allow: GET, HEAD, POST,
/// PUT, DELETE`. For another list, replace the header:
/// `nomethod().with_header("Allow", "GET, POST")?` (a route's 405 lists its own methods).
pub fn nomethod() -> HttpError {
    HttpError::standard("405 Method Not Allowed", "method not allowed")
        .with(constant("Allow", "GET, HEAD, POST, PUT, DELETE"))
}

/// A header of this crate's own constant text, which the rules accept: checked all the
/// same (a typo here is a bug the tests catch at once), copying nothing.
pub(crate) fn constant(name: &'static str, value: &'static str) -> Header {
    Header::new(name, value).expect("this crate's constant headers follow the rules")
}
// ANCHOR_END: notfound

impl HttpError {
    /// Marks the body as custom (used by pages so an outer page does not replace it).
    pub(crate) fn mark_custom(&mut self) {
        self.default_body = false;
    }

    /// A redirect: status, `Location`, empty body (used by the redirect family). A
    /// `Location` the rules refuse (a URL with CR or LF) is a 500 naming it.
    pub(crate) fn redirect_parts(
        status: &str,
        location: String,
        redirect: Option<(String, String)>,
    ) -> Self {
        let location = match Header::new("Location", location) {
            Ok(location) => location,
            Err(refused) => return HttpError::from(Error::from(refused)),
        };
        let redirect = redirect.map(Box::new);
        HttpError {
            status: status.to_string(),
            headers: vec![constant("Content-Type", "text/html"), location],
            body: Vec::new(),
            default_body: true,
            detail: None,
            redirect,
        }
    }

    /// web.py's `absolute=True` for the redirect family: a redirect to a path of this
    /// site goes to it from `ctx.realhome`, the application the server called, not from
    /// the sub-application the handler is in (`seeother("/login").absolute()`). Other
    /// errors, and redirects to full URLs, are returned unchanged.
    pub fn absolute(self) -> Self {
        match self.redirect.clone() {
            Some(to) => self
                .with_header("Location", format!("{}{}", to.1, to.0))
                .unwrap_or_else(HttpError::from),
            None => self,
        }
    }
}
