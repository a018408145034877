//! `WsgiApp`, the notes' "WSGI callable", and middleware: functions from app to app.

use std::sync::Arc;

use crate::body::Body;
use crate::environ::Environ;
use crate::error::AppError;
use crate::start_response::StartResponse;

// ANCHOR: wsgi_app
/// The WSGI callable of the design notes, `wsgi(env, start_resp)`: given the environ and
/// `start_response`, call `start_response` once and return the body.
///
/// `Send + Sync` because one app serves every worker thread at once (Python's
/// `wsgi.multithread`). Plain functions and closures with the signature of `call` are
/// apps already (see `app_fn` for closures whose types need a hint).
///
/// An `Err` (or a panic) before the headers were sent becomes a 500; after, the
/// connection is cut so the client sees a truncated response.
pub trait WsgiApp: Send + Sync + 'static {
    /// Handles one request.
    fn call(
        &self,
        environ: &mut Environ,
        start_response: &mut StartResponse<'_>,
    ) -> Result<Body, AppError>;
}

impl<F> WsgiApp for F
where
    F: Fn(&mut Environ, &mut StartResponse<'_>) -> Result<Body, AppError> + Send + Sync + 'static,
{
    fn call(
        &self,
        environ: &mut Environ,
        start_response: &mut StartResponse<'_>,
    ) -> Result<Body, AppError> {
        self(environ, start_response)
    }
}
// ANCHOR_END: wsgi_app

/// A shared, type-erased app: what middleware takes and returns, and what the gateway
/// holds. Cloning it is cheap (one reference count).
pub type SharedApp = Arc<dyn WsgiApp>;

/// Wraps a closure as an app, so Rust infers its argument types from the signature here
/// (a closure passed straight to a generic `A: WsgiApp` parameter needs them spelled out).
pub fn app_fn<F>(f: F) -> SharedApp
where
    F: Fn(&mut Environ, &mut StartResponse<'_>) -> Result<Body, AppError> + Send + Sync + 'static,
{
    Arc::new(f)
}

/// Shares any app as a `SharedApp`.
pub fn shared<A: WsgiApp>(app: A) -> SharedApp {
    Arc::new(app)
}

struct Delegate(SharedApp);

impl WsgiApp for Delegate {
    fn call(
        &self,
        environ: &mut Environ,
        start_response: &mut StartResponse<'_>,
    ) -> Result<Body, AppError> {
        self.0.call(environ, start_response)
    }
}

// ANCHOR: middleware
/// A middleware: a function from app to app. It receives the app it wraps and returns
/// the app the server (or the next middleware) calls.
pub type Middleware = Box<dyn FnOnce(SharedApp) -> SharedApp + Send>;

/// Applies `middleware` to `app` in web.py's `wsgifunc(*middleware)` order:
/// `for m in middleware: wsgi = m(wsgi)`. The **first** middleware wraps the app
/// directly (innermost) and the **last** is outermost: it sees the request first and the
/// response last. (web.py's processors go the other way: the first added is outermost.)
pub fn apply_middleware<I>(app: SharedApp, middleware: I) -> SharedApp
where
    I: IntoIterator<Item = Middleware>,
{
    middleware.into_iter().fold(app, |app, m| m(app))
}
// ANCHOR_END: middleware

/// Turns a function `fn(inner, environ, start_response)` into a middleware, for
/// middleware that needs no state of its own.
pub fn middleware_fn<F>(f: F) -> Middleware
where
    F: Fn(&dyn WsgiApp, &mut Environ, &mut StartResponse<'_>) -> Result<Body, AppError>
        + Send
        + Sync
        + 'static,
{
    Box::new(move |inner: SharedApp| -> SharedApp {
        let inner = Delegate(inner);
        Arc::new(move |env: &mut Environ, sr: &mut StartResponse<'_>| f(&inner, env, sr))
    })
}
