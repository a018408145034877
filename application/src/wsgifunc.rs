//! `wsgifunc`: the application as a WSGI callable, with middleware around it.

use wsgi::{
    apply_middleware, shared, AppError, Environ, Middleware, SharedApp, StartResponse, Status,
    WsgiApp,
};

use crate::env::Env;
use crate::Application;

/// The application seen from the gateway: `WsgiApp::call` is the notes' `wsgi(env, start_resp)`.
struct Callable(Application);

// ANCHOR: wsgi_call
impl WsgiApp for Callable {
    fn call(
        &self,
        environ: &mut Environ,
        start_response: &mut StartResponse<'_>,
    ) -> Result<wsgi::Body, AppError> {
        let answer = self.0.serve(Env::from_environ(environ));
        // Each header was checked where it was set (`web::header`, `with_header`): they
        // go down as they are. `ctx.status` is text a handler may have set to anything:
        // one that is not `NNN reason` becomes a 500 that says why, in the log too.
        let status = match Status::parse(&answer.status) {
            Ok(status) => status,
            Err(e) => return refused(start_response, &e),
        };
        if let Err(e) = start_response.start_response_checked(status, answer.headers) {
            return refused(start_response, &e);
        }
        // A whole body is one chunk; dropping a stream's `answer.body` (the gateway's
        // close) drops the stream inside its ctx.
        let mut body = answer.body;
        Ok(match body.take_whole() {
            Some(bytes) => wsgi::Body::from_bytes(bytes),
            None => wsgi::Body::from_chunks(body),
        })
    }
}
// ANCHOR_END: wsgi_call

/// The 500 for a response `start_response` refused, saying why.
fn refused(
    start_response: &mut StartResponse<'_>,
    e: &wsgi::WsgiError,
) -> Result<wsgi::Body, AppError> {
    tracing::error!(error = %e, "application: invalid response from the handler");
    let body = format!("internal server error: {e}");
    let length = body.len().to_string();
    start_response.start_response(
        "500 Internal Server Error",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", length.as_str()),
        ],
    )?;
    Ok(wsgi::Body::from_bytes(body))
}

impl Application {
    // ANCHOR: wsgifunc
    /// The application as a WSGI callable, wrapped in `middleware` in web.py's order:
    /// `for m in middleware: app = m(app)`, so the first given is innermost and the last
    /// outermost (the opposite of processors, where the first added is outermost;
    /// `run_with` and `start_with` take a [`MiddlewareStack`](crate::MiddlewareStack),
    /// which names its order).
    pub fn wsgifunc(&self, middleware: impl IntoIterator<Item = Middleware>) -> SharedApp {
        apply_middleware(shared(Callable(self.clone())), middleware)
    }
    // ANCHOR_END: wsgifunc
}
