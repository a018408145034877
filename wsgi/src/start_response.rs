//! `start_response` and the `write` it returns, with PEP 3333's rules enforced.
//!
//! Where the bytes go is a `ResponseSink`: the gateway's connection, the in-process
//! recorder, or a middleware's `Forward` that looks at (and may change) the status and
//! headers on their way out.

use std::io;

use httpserver::rules::Header;

use crate::error::{AppError, WsgiError};
use crate::headers::{field_error, validate_header, Headers};
use crate::status::Status;

/// Where `start_response` and `write` deliver: implemented by the gateway (the
/// connection), by the in-process caller (a recorder) and by `Forward` (middleware).
///
/// The sink receives values already checked, once: by `StartResponse`, by a `Forward`
/// after its hook, or where a framework made them [`Header`]s
/// ([`set_checked_response`](Self::set_checked_response)); its job is the "headers go
/// out with the first non-empty chunk" rule: `set_response` only records, `write` sends the recorded headers
/// before its first non-empty data.
pub trait ResponseSink {
    /// Whether this sink checks the headers itself after it may have changed them (a
    /// `Forward` does, since its hook may add headers), so that `StartResponse` need not
    /// check them first: each header is checked once on its way to the connection.
    fn checks_headers(&self) -> bool {
        false
    }

    /// Records the status and headers (again, to replace them, when an error response
    /// takes over before anything was sent).
    fn set_response(&mut self, status: Status, headers: Headers) -> Result<(), WsgiError>;

    /// Records a response whose headers were checked where they were made: each
    /// [`Header`] is the proof, so nothing checks them again. The default hands them on
    /// as text to [`set_response`](Self::set_response); the connection's sink writes them
    /// as they are, copying nothing, and a sink that passes a response on to another
    /// passes it on here too (else the next sink, a `Forward`, would check the text).
    fn set_checked_response(
        &mut self,
        status: Status,
        headers: Vec<Header>,
    ) -> Result<(), WsgiError> {
        self.set_response(status, headers.into_iter().map(Header::into_pair).collect())
    }

    /// Whether the status line and headers have reached the client.
    fn headers_sent(&self) -> bool;

    /// Sends body bytes, preceded by the headers if they have not gone out yet. Empty
    /// `data` sends nothing, not even the headers (PEP 3333: headers go with the first
    /// non-empty chunk, so an app can still switch to an error response).
    fn write(&mut self, data: &[u8]) -> io::Result<()>;
}

// ANCHOR: start_response
/// PEP 3333's `start_response` callable, handed to `WsgiApp::call`.
///
/// It borrows the sink for the duration of `call`, so — a difference from Python, made
/// by the borrow checker — it must be called before `call` returns, not on the body's
/// first iteration. web.py never relied on that latitude: it peeks at a streaming body's
/// first chunk, then calls `start_response`, then returns the body.
pub struct StartResponse<'s> {
    sink: &'s mut dyn ResponseSink,
    called: bool,
}
// ANCHOR_END: start_response

impl<'s> StartResponse<'s> {
    /// A `start_response` delivering to `sink`.
    pub fn new(sink: &'s mut dyn ResponseSink) -> Self {
        StartResponse {
            sink,
            called: false,
        }
    }

    // ANCHOR: start_response_call
    /// Sets the status (`NNN reason`) and headers; returns the `write` handle.
    ///
    /// # Errors
    /// `StartResponseCalledTwice` on a second call (use `start_response_with_error`),
    /// `InvalidStatus`, `InvalidHeaderName`, `InvalidHeaderValue`, `HopByHopHeader`,
    /// `InvalidContentLength` for bad input; nothing is recorded then.
    pub fn start_response<H, K, V>(
        &mut self,
        status: &str,
        headers: H,
    ) -> Result<Writer<'_>, WsgiError>
    where
        H: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        if self.called {
            return Err(WsgiError::StartResponseCalledTwice);
        }
        self.record(status, headers)
    }
    // ANCHOR_END: start_response_call

    // ANCHOR: start_response_checked
    /// `start_response` for a framework whose headers are [`Header`]s, each checked where
    /// the handler set it (`application`'s `web::header` and `HttpError::with_header`
    /// are): they go to the sink as they are, checked no more. The status was parsed
    /// into a [`Status`] already.
    ///
    /// # Errors
    /// `StartResponseCalledTwice` on a second call; what the sink refuses.
    pub fn start_response_checked(
        &mut self,
        status: Status,
        headers: Vec<Header>,
    ) -> Result<Writer<'_>, WsgiError> {
        if self.called {
            return Err(WsgiError::StartResponseCalledTwice);
        }
        self.sink.set_checked_response(status, headers)?;
        self.called = true;
        Ok(Writer {
            sink: &mut *self.sink,
        })
    }
    // ANCHOR_END: start_response_checked

    /// The second form of PEP 3333's call, `start_response(status, headers, exc_info)`:
    /// replaces the response with an error response while nothing has been sent.
    ///
    /// # Errors
    /// `HeadersAlreadySent`, carrying `error` back, when the headers already went out:
    /// the response can no longer change, and the caller should give up on it (the
    /// gateway then cuts the connection so the client sees a truncated response).
    /// The validation errors of `start_response`.
    pub fn start_response_with_error<H, K, V>(
        &mut self,
        status: &str,
        headers: H,
        error: AppError,
    ) -> Result<Writer<'_>, WsgiError>
    where
        H: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        if self.sink.headers_sent() {
            return Err(WsgiError::HeadersAlreadySent { error });
        }
        self.record(status, headers)
    }

    // ANCHOR: record
    fn record<H, K, V>(&mut self, status: &str, headers: H) -> Result<Writer<'_>, WsgiError>
    where
        H: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let status = Status::parse(status)?;
        let headers: Headers = headers
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        // Checked here, or by the sink when it is a `Forward` whose hook may change them
        // (it checks after the hook): once either way.
        if !self.sink.checks_headers() {
            for (name, value) in &headers {
                validate_header(name, value)?;
            }
        }
        self.sink.set_response(status, headers)?;
        self.called = true;
        Ok(Writer {
            sink: &mut *self.sink,
        })
    }
    // ANCHOR_END: record
}

impl<'s> StartResponse<'s> {
    /// Whether `start_response` has been called successfully.
    pub fn called(&self) -> bool {
        self.called
    }

    /// Whether the headers have reached the client.
    pub fn headers_sent(&self) -> bool {
        self.sink.headers_sent()
    }

    /// The `write` handle again, once `start_response` has been called.
    ///
    /// # Errors
    /// `StartResponseNotCalled` before the first successful call.
    pub fn writer(&mut self) -> Result<Writer<'_>, WsgiError> {
        if !self.called {
            return Err(WsgiError::StartResponseNotCalled);
        }
        Ok(Writer {
            sink: &mut *self.sink,
        })
    }

    /// For middleware: a sink for the inner application's own `StartResponse` that lets
    /// `hook` see and change the status and headers before they are forwarded here.
    ///
    /// ```
    /// # use wsgi::{Body, Environ, StartResponse, WsgiApp, AppError};
    /// fn tag<A: WsgiApp>(inner: &A, env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
    ///     let mut forward = sr.forward(|_status, headers| {
    ///         headers.push(("X-Tagged".into(), "yes".into()));
    ///     });
    ///     inner.call(env, &mut StartResponse::new(&mut forward))
    /// }
    /// ```
    pub fn forward<F>(&mut self, hook: F) -> Forward<'_, 's, F>
    where
        F: FnMut(&mut Status, &mut Headers),
    {
        Forward { outer: self, hook }
    }

    /// For middleware that only looks at the status (an access log): a sink for the
    /// inner application's `StartResponse` that shows it to `look` and passes the
    /// response on unchanged, so its headers are neither copied nor checked again, as
    /// they would be by a [`forward`](Self::forward) hook that may change them.
    pub fn observe<F>(&mut self, look: F) -> Observe<'_, 's, F>
    where
        F: FnMut(&Status),
    {
        Observe { outer: self, look }
    }
}

/// PEP 3333's `write` callable, for legacy applications that push bytes imperatively
/// instead of returning them as the body. The bytes go to the client through the same
/// sink as the body (headers first); prefer returning a `Body`.
pub struct Writer<'a> {
    sink: &'a mut dyn ResponseSink,
}

impl Writer<'_> {
    /// Sends `data` (the headers first, if this is the first non-empty data).
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.sink.write(data)
    }
}

impl io::Write for Writer<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.sink.write(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The sink `StartResponse::forward` returns: the inner app's response passes through
/// `hook` and on to the outer `StartResponse`.
pub struct Forward<'a, 's, F> {
    outer: &'a mut StartResponse<'s>,
    hook: F,
}

impl<F> Forward<'_, '_, F> {
    /// Hands checked headers to the outer sink and marks the outer call made.
    fn forward_checked(&mut self, status: Status, headers: Vec<Header>) -> Result<(), WsgiError> {
        self.outer.sink.set_checked_response(status, headers)?;
        self.outer.called = true;
        Ok(())
    }
}

/// The sink `StartResponse::observe` returns: the inner app's response passes, as it is,
/// to the outer `StartResponse`, its status shown to `look` on the way.
pub struct Observe<'a, 's, F> {
    outer: &'a mut StartResponse<'s>,
    look: F,
}

impl<F: FnMut(&Status)> ResponseSink for Observe<'_, '_, F> {
    fn checks_headers(&self) -> bool {
        // Whoever checks for the outer sink checks for this one: nothing changes here.
        self.outer.sink.checks_headers()
    }

    fn set_response(&mut self, status: Status, headers: Headers) -> Result<(), WsgiError> {
        (self.look)(&status);
        self.outer.sink.set_response(status, headers)?;
        self.outer.called = true;
        Ok(())
    }

    fn set_checked_response(
        &mut self,
        status: Status,
        headers: Vec<Header>,
    ) -> Result<(), WsgiError> {
        (self.look)(&status);
        self.outer.sink.set_checked_response(status, headers)?;
        self.outer.called = true;
        Ok(())
    }

    fn headers_sent(&self) -> bool {
        self.outer.sink.headers_sent()
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.outer.sink.write(data)
    }
}

/// `name: value` checked into a [`Header`], or the error naming it.
fn checked(name: String, value: String) -> Result<Header, WsgiError> {
    Header::new(name, value)
        .map_err(|refused| field_error(refused.why, &refused.name, &refused.value))
}

impl<F> ResponseSink for Forward<'_, '_, F>
where
    F: FnMut(&mut Status, &mut Headers),
{
    fn checks_headers(&self) -> bool {
        true
    }

    fn set_response(&mut self, mut status: Status, mut headers: Headers) -> Result<(), WsgiError> {
        (self.hook)(&mut status, &mut headers);
        // The app's headers were not checked yet (this sink said it checks them), and the
        // hook may have added some: all are checked here, after the hook, and go on as
        // checked `Header`s, so a `Forward` further out checks none of them again.
        let checked = headers
            .into_iter()
            .map(|(name, value)| checked(name, value))
            .collect::<Result<_, _>>()?;
        self.forward_checked(status, checked)
    }

    fn set_checked_response(
        &mut self,
        mut status: Status,
        headers: Vec<Header>,
    ) -> Result<(), WsgiError> {
        let mut text: Headers = headers
            .iter()
            .map(|h| (h.name().to_owned(), h.value().to_owned()))
            .collect();
        (self.hook)(&mut status, &mut text);
        // What the hook left as it was keeps its proof; what it added or changed is
        // checked here, once.
        let mut given = headers.into_iter();
        let mut checked_headers = Vec::with_capacity(text.len());
        for (name, value) in text {
            match given.next() {
                Some(h) if h.name() == name && h.value() == value => checked_headers.push(h),
                _ => checked_headers.push(checked(name, value)?),
            }
        }
        self.forward_checked(status, checked_headers)
    }

    fn headers_sent(&self) -> bool {
        self.outer.sink.headers_sent()
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.outer.sink.write(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::in_process::Recorder;

    /// `start_response(status, headers)` through a middleware's `Forward` with `hook`,
    /// onto a recorder: what the connection would have been given.
    fn through_forward(
        headers: &[(&str, &str)],
        hook: impl FnMut(&mut Status, &mut Headers),
    ) -> Result<Headers, WsgiError> {
        let mut recorder = Recorder::default();
        let mut outer = StartResponse::new(&mut recorder);
        let mut forward = outer.forward(hook);
        StartResponse::new(&mut forward).start_response("200 OK", headers.iter().copied())?;
        Ok(recorder.headers)
    }

    #[test]
    fn headers_are_checked_once_after_the_last_hook_that_may_change_them() {
        // A bad header from the app is still refused, by the `Forward`, naming it.
        let err = through_forward(&[("X-Control", "a\x01b")], |_, _| {}).expect_err("refused");
        assert!(
            matches!(&err, WsgiError::InvalidHeaderValue { name, .. } if name == "X-Control"),
            "{err:?}"
        );
        // A hook's own header faces the same rules.
        let err = through_forward(&[], |_, h| h.push(("Bad Name".into(), "x".into())))
            .expect_err("refused");
        assert!(matches!(&err, WsgiError::InvalidHeaderName { name } if name == "Bad Name"));
        // What reaches the connection is what the check saw: a hook that drops the app's
        // bad header lets the response through (it was checked after the hook, not before).
        let sent = through_forward(&[("X-Ok", "1"), ("X-Control", "\x01")], |_, h| {
            h.retain(|(name, _)| name != "X-Control")
        })
        .expect("the hook dropped the bad header");
        assert_eq!(sent, [("X-Ok".to_string(), "1".to_string())]);
    }

    #[test]
    fn a_bad_header_straight_to_a_sink_is_refused_by_start_response() {
        let mut recorder = Recorder::default();
        let err = StartResponse::new(&mut recorder)
            .start_response("204 No Content", [("X", "\r\n")])
            .err()
            .expect("refused");
        assert!(
            matches!(err, WsgiError::InvalidHeaderValue { .. }),
            "{err:?}"
        );
        assert!(recorder.status.is_none(), "nothing recorded");
    }
}
