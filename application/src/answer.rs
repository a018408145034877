//! One request from environ to status, headers and body: the heart of the notes'
//! `wsgi(env, start_resp)`, independent of how the gateway calls it.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use crate::build::Inner;
use crate::ctx::{scope, with_live, Ctx, Live};
use crate::env::Env;
use crate::hosts::{homedomain, host_allowed};
use crate::http_error::{badrequest, nomethod, HttpError};
use crate::outcome::{Body, Outcome};
use crate::Application;

use wsgi::rules::Header;

/// What the application answers: the arguments of `start_response` and the body.
pub(crate) struct Answer {
    pub(crate) status: Cow<'static, str>,
    /// Each checked where it was set: `start_response_checked` takes them as they are.
    pub(crate) headers: Vec<Header>,
    pub(crate) body: AnswerBody,
}

// ANCHOR: serve
impl Application {
    /// The notes' `wsgi(env, start_resp)` up to `start_resp`: load a fresh `ctx` (which
    /// clears whatever the last request left), run the processors around `handle`, and
    /// read `status, headers = ctx.status, ctx.headers`.
    pub(crate) fn serve(&self, env: Env) -> Answer {
        let inner = self.current();
        let _span =
            tracing::debug_span!("Application", processors = inner.processors.len()).entered();
        tracing::debug!(path = %String::from_utf8_lossy(env.vars.path_info_bytes()), "ctx cleared and set");
        let mut slot = Some(load(env, &inner));
        let (status, headers, first, rest) = scope(&mut slot, || {
            let (first, rest) = match outcome(&inner).and_then(peep) {
                Ok(parts) => parts,
                Err(e) => (Some(error_to_ctx(e)), None),
            };
            let (status, headers, is_head) = take_response(first.as_deref(), rest.is_some());
            // HEAD: the headers GET would have sent, no body (RFC 9110 §9.3.2).
            if is_head {
                return (status, headers, None, None);
            }
            (status, headers, first, rest)
        });
        tracing::debug!(
            status = &*status,
            headers = headers.len(),
            "the response taken from ctx"
        );
        // A body that is all there needs no ctx any more; a stream keeps it to lend it
        // back around every chunk.
        let ctx = if rest.is_some() { slot } else { None };
        let body = AnswerBody { first, rest, ctx };
        Answer {
            status,
            headers,
            body,
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: refusal
/// The request's `ctx`, loaded from the environ with the root application's settings.
fn load(env: Env, inner: &Inner) -> Live {
    let settings = Arc::clone(&inner.settings);
    let homedomain = homedomain(&env.vars, settings.home.as_deref());
    let (ctx, bad_path) = Ctx::load(env.vars, homedomain);
    Live::new(ctx, bad_path, env.input, settings)
}

/// The processors around `handle`, unless the request is refused before any of them.
fn outcome(inner: &Inner) -> Outcome {
    if let Some(refused) = refusal()? {
        return Err(inner.page_for(refused));
    }
    inner.handle_with_processors()
}

/// The answer for a request no processor should see: a `Host` the application does not
/// serve (400), a path that is not UTF-8 (400), a method that is not upper case (web.py's
/// `nomethod()`, a 405 listing its five methods).
fn refusal() -> Result<Option<HttpError>, crate::Error> {
    let (allowed, bad_path, lower_case) = with_live(|live| {
        let hosts = live.settings.allowed_hosts.as_deref();
        let allowed = hosts.is_none_or(|h| host_allowed(live.ctx.host.as_deref(), h));
        let lower = live.ctx.method.bytes().any(|b| b.is_ascii_lowercase());
        (allowed, live.bad_path, lower)
    })?;
    Ok(if !allowed {
        Some(badrequest().with_body("this application does not serve the host asked for"))
    } else if bad_path {
        Some(badrequest().with_body("the path is not UTF-8"))
    } else if lower_case {
        Some(nomethod())
    } else {
        None
    })
}
// ANCHOR_END: refusal

// ANCHOR: take_response
/// `status, headers = ctx.status, ctx.headers`, plus the `Content-Length` of a whole
/// body, so the server need not chunk it (never on 1xx, 204 and 304, which have no body:
/// RFC 9110 §8.6). From here on the headers are fixed. Also says whether the request
/// was a HEAD.
fn take_response(whole: Option<&[u8]>, streaming: bool) -> (Cow<'static, str>, Vec<Header>, bool) {
    let taken = with_live(|live| {
        live.sent = true;
        let status = std::mem::take(&mut live.status);
        (
            status,
            std::mem::take(&mut live.headers),
            live.ctx.method == "HEAD",
        )
    });
    let (status, mut headers, is_head) =
        taken.unwrap_or_else(|_| ("500 Internal Server Error".into(), Vec::new(), false));
    // The status was set through `ctx::set_status` or an `HttpError`, neither of which
    // checks it: a malformed one has no code here, and `wsgifunc` refuses it (a 500).
    let bodiless = status
        .get(..3)
        .and_then(|code| code.parse().ok())
        .is_some_and(wsgi::rules::status_has_no_body);
    let has_length = headers.iter().any(|h| h.is("content-length"));
    if let (Some(bytes), false, false, false) = (whole, streaming, bodiless, has_length) {
        headers.push(content_length(bytes.len()));
    }
    (status, headers, is_head)
}
// ANCHOR_END: take_response

/// `Content-Length: n`: digits, so the rules' check cannot refuse it.
fn content_length(n: usize) -> Header {
    Header::new("Content-Length", n.to_string()).expect("a number is digits only")
}

type Stream = Box<dyn Iterator<Item = Vec<u8>> + Send>;

// ANCHOR: peep
/// web.py's `peep`: pull a stream's first chunk before `start_response`, so headers set
/// while producing it count, and a panic there is still a clean 500. A reply given as
/// `Ok` (a redirect, a `201`) takes the road of the same value given as `Err` from here.
fn peep(body: Body) -> Result<(Option<Vec<u8>>, Option<Stream>), HttpError> {
    match body {
        Body::Bytes(b) => Ok((Some(b), None)),
        Body::Reply(reply) => Err(reply),
        Body::Stream(mut s) => match catch_unwind(AssertUnwindSafe(|| s.next())) {
            Ok(first) => Ok((first, Some(s))),
            Err(payload) => Err(HttpError::from_panic(payload.as_ref())),
        },
    }
}
// ANCHOR_END: peep

/// Puts an error's status and headers into `ctx` as web.py's `HTTPError.__init__` did,
/// keeping the headers set before (a cookie set before a `seeother` must survive), and
/// returns its body. Unlike web.py, which appended, an error's header replaces the ones of
/// the same name set before it (a JSON handler answering `notfound()` sent two
/// `Content-Type`s), except `Set-Cookie`, of which a response may have many.
fn error_to_ctx(e: HttpError) -> Vec<u8> {
    let (status, headers, body) = e.into_parts();
    let _ = with_live(|live| {
        live.status = status.into();
        live.headers
            .retain(|h| h.is("set-cookie") || !headers.iter().any(|e| e.is(h.name())));
        live.headers.extend(headers);
    });
    body
}

/// The body handed to the gateway: the peeked first chunk, then the rest of the stream
/// with `ctx` lent around every chunk, then `close`, which drops the stream (running
/// unload hooks) while `ctx` is still lent.
pub(crate) struct AnswerBody {
    first: Option<Vec<u8>>,
    rest: Option<Stream>,
    ctx: Option<Live>,
}

impl AnswerBody {
    /// The bytes of a body that was all there (no stream, so no `ctx` kept for it);
    /// `None`, and nothing taken, for a stream.
    pub(crate) fn take_whole(&mut self) -> Option<Vec<u8>> {
        if self.rest.is_some() {
            return None;
        }
        Some(self.first.take().unwrap_or_default())
    }

    /// Ends the response: drops the stream inside the request's `ctx`, then the `ctx`.
    pub(crate) fn close(&mut self) {
        if let Some(rest) = self.rest.take() {
            // A panicking unload hook must not abort the process when close runs from
            // Drop during unwinding.
            let _ = catch_unwind(AssertUnwindSafe(|| scope(&mut self.ctx, || drop(rest))));
        }
        self.ctx = None;
    }
}

impl Iterator for AnswerBody {
    type Item = Vec<u8>;
    fn next(&mut self) -> Option<Vec<u8>> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        let rest = self.rest.as_mut()?;
        let chunk = scope(&mut self.ctx, || rest.next());
        if chunk.is_none() {
            self.close();
        }
        chunk
    }
}

impl Drop for AnswerBody {
    fn drop(&mut self) {
        self.close();
    }
}
