//! The request's environ as the application sees it: the shared variables and the body
//! reader.
//!
//! The gateway lends its `Environ` to the application only for the duration of the
//! call, but `ctx` must outlive the call while a streaming body runs. So the application
//! takes the environ's variables shared (`Environ::shared_vars`: a reference count, not a
//! copy; a middleware that sets a variable afterwards changes its own copy, never this
//! one) and takes the body reader. The path is there once, as the environ keeps it.

use std::io::Read;
use std::iter;
use std::sync::Arc;

use wsgi::{Environ, Vars};

/// The variables and the body reader of one request.
pub(crate) struct Env {
    pub(crate) vars: Arc<Vars>,
    pub(crate) input: Option<Box<dyn Read + Send>>,
}

impl Env {
    /// The application's share of the gateway's environ; the body reader moves over.
    pub(crate) fn from_environ(environ: &mut Environ) -> Env {
        Env {
            vars: environ.shared_vars(),
            input: Some(environ.take_input()),
        }
    }
}

/// The key web.py's `ctx.env` had beside the CGI variables.
const URL_SCHEME: &str = "wsgi.url_scheme";

/// One variable as web.py's `ctx.env` had it: a string variable, or `wsgi.url_scheme`.
pub(crate) fn var<'v>(vars: &'v Vars, key: &str) -> Option<&'v str> {
    match key {
        URL_SCHEME => Some(vars.url_scheme()),
        _ => vars.get(key),
    }
}

/// Every variable `var` finds, in key order.
pub(crate) fn all(vars: &Vars) -> impl Iterator<Item = (&str, &str)> {
    let before = vars.iter().take_while(|&(key, _)| key < URL_SCHEME);
    let after = vars.iter().skip_while(|&(key, _)| key < URL_SCHEME);
    before
        .chain(iter::once((URL_SCHEME, vars.url_scheme())))
        .chain(after)
}
