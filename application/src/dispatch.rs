//! `handle` and `handle_with_processors`: from `ctx.path` (or the host) to the handler's
//! outcome, with the processors around it and the custom pages on its way out.

use std::sync::Arc;

use crate::build::Inner;
use crate::ctx::{self, with_live, Ctx};
use crate::hosts::strip_port;
use crate::http_error::{notfound, HttpError};
use crate::mapping::{Found, Subject};
use crate::outcome::{Body, Outcome};
use crate::processor::run_chain;
use crate::{debug, web, Application};

impl Application {
    // ANCHOR: handle
    /// Matches `ctx.path` (or, for `subdomains`, the host) against the mapping and calls
    /// the target: web.py's `handle`.
    pub fn handle(&self) -> Outcome {
        self.current().handle()
    }
    // ANCHOR_END: handle

    // ANCHOR: handle_with_processors
    /// Runs the processors around `handle`, then this application's custom pages and
    /// debug page on an error that still has its default body.
    pub fn handle_with_processors(&self) -> Outcome {
        self.current().handle_with_processors()
    }
}

impl Inner {
    /// The processors around `handle`, then the pages, on one version of the application:
    /// on an error, and on a reply given as `Ok`, which answers as the same `Err` would.
    pub(crate) fn handle_with_processors(&self) -> Outcome {
        match run_chain(&self.processors, &|| self.handle()) {
            Ok(Body::Reply(reply)) => Ok(Body::Reply(self.page_for(reply))),
            Err(e) => Err(self.page_for(e)),
            ok => ok,
        }
    }
    // ANCHOR_END: handle_with_processors

    // ANCHOR: dispatch
    /// One lookup and one call: a handler's method, a redirect, a sub-application.
    fn handle(&self) -> Outcome {
        let _span = tracing::debug_span!("Application.handle").entered();
        let c = ctx::snapshot()?;
        let subject = match self.mapping.subject() {
            Subject::Path => c.path.as_str(),
            Subject::Host => strip_port(c.host.as_deref().unwrap_or("")),
        };
        match self.mapping.find(subject) {
            None => {
                tracing::debug!(subject, "no pattern matches: 404");
                Err(notfound())
            }
            Some(Found::Call(methods, args)) => methods.call(&c.method, &args),
            Some(Found::Redirect(mut url)) => {
                // web.py kept the query of a GET only.
                if c.method == "GET" {
                    url.push_str(&c.query);
                }
                Err(web::redirect(&url))
            }
            Some(Found::Mount(prefix, app)) => delegate(prefix, app),
        }
    }
    // ANCHOR_END: dispatch

    /// This application's custom page or debug page for an error with its default body.
    pub(crate) fn page_for(&self, mut e: HttpError) -> HttpError {
        if !e.has_default_body() {
            return e;
        }
        if self.debug && e.code() == 500 {
            return debug::page(e);
        }
        if let Some((_, page)) = self.pages.iter().find(|(c, _)| *c == e.code()) {
            e = page(e);
            e.mark_custom();
        }
        e
    }
}

/// Hands the request to a sub-application mounted at `prefix`: inside it `path` and
/// `fullpath` lose the prefix, `home` and `homepath` gain it; the parent's `ctx` comes
/// back afterwards (web.py's `_delegate_sub_application`). A host mapping's
/// sub-application has an empty prefix: it sees the request as it came.
fn delegate(prefix: &str, app: &Application) -> Outcome {
    let saved = with_live(|live| {
        let mut inside = Ctx::clone(&live.ctx);
        inside.path = inside.path.get(prefix.len()..).unwrap_or("").to_string();
        inside.fullpath = inside
            .fullpath
            .get(prefix.len()..)
            .unwrap_or("")
            .to_string();
        inside.home.push_str(prefix);
        inside.homepath.push_str(prefix);
        std::mem::replace(&mut live.ctx, Arc::new(inside))
    })?;
    // handle_with_processors catches panics, so this restore always runs.
    let outcome = app.handle_with_processors();
    with_live(|live| live.ctx = saved)?;
    outcome
}
