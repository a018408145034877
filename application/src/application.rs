//! `Application`: the mapping, the processors, `handle` and `handle_with_processors`.

use std::sync::Arc;

use regex::RegexSet;

use crate::body::Outcome;
use crate::ctx;
use crate::http_error::{notfound, HttpError};
use crate::mapping::{Found, Mapping, Target};
use crate::processor::{run_chain, Processor};
use crate::{debug, web, Error};

/// A custom page: gets the error with its default body, returns the error to send.
type Page = Arc<dyn Fn(HttpError) -> HttpError + Send + Sync>;

/// The default limit for a request body read by `input()` or `data()`: 10 MiB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;

/// The default limit on the number of form fields `input()` parses (query string and
/// body together), as Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`: the byte limit alone lets
/// a 10 MiB body of `a&a&a…` become five million pairs, hundreds of MiB in memory.
pub const DEFAULT_MAX_FIELDS: usize = 1000;

// ANCHOR: application
/// web.py's `application`: an ordered URL mapping, processors around it, custom pages.
///
/// Cloning is cheap (the parts are shared). Changing a clone (`add_processor`…) does not
/// change gateway callables already made by `wsgifunc`: they keep the application as it
/// was when they were made.
#[derive(Clone)]
pub struct Application {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    routing: Routing,
    processors: Vec<Arc<dyn Processor>>,
    pages: Vec<(u16, Page)>,
    debug: bool,
    max_body: usize,
    max_fields: usize,
}

#[derive(Clone)]
enum Routing {
    /// `Application::new`: dispatch on the path.
    Paths(Mapping),
    /// `Application::subdomains`: dispatch on the host (web.py's `subdomain_application`).
    Hosts(RegexSet, Vec<Application>),
}
// ANCHOR_END: application

impl Application {
    // ANCHOR: new
    /// web.py's `application(mapping)`: `(pattern, target)` pairs, first match wins.
    ///
    /// ```
    /// use application::{Application, Target, Args};
    /// let app = Application::new([
    ///     ("/", Target::func(|_: &Args| Ok("hello".into()))),
    ///     ("/old", Target::redirect("/")),
    /// ])?;
    /// # Ok::<(), application::Error>(())
    /// ```
    pub fn new<S: Into<String>>(
        mapping: impl IntoIterator<Item = (S, Target)>,
    ) -> Result<Application, Error> {
        let mapping = mapping.into_iter().map(|(p, t)| (p.into(), t)).collect();
        Ok(Application::from_routing(Routing::Paths(Mapping::new(
            mapping,
        )?)))
    }
    // ANCHOR_END: new

    /// web.py's `subdomain_application`: `(host pattern, application)` pairs matched
    /// against the `Host` header without its port, anchored, first match wins.
    pub fn subdomains<S: Into<String>>(
        mapping: impl IntoIterator<Item = (S, Application)>,
    ) -> Result<Application, Error> {
        let (patterns, apps): (Vec<String>, Vec<Application>) =
            mapping.into_iter().map(|(p, a)| (p.into(), a)).unzip();
        let anchored: Vec<String> = patterns.iter().map(|p| format!(r"\A(?:{p})\z")).collect();
        let set = RegexSet::new(&anchored).map_err(|e| Error::BadPattern {
            pattern: patterns.join(" | "),
            reason: e.to_string(),
        })?;
        Ok(Application::from_routing(Routing::Hosts(set, apps)))
    }

    fn from_routing(routing: Routing) -> Application {
        let inner = Inner {
            routing,
            processors: Vec::new(),
            pages: Vec::new(),
            debug: false,
            max_body: DEFAULT_MAX_BODY,
            max_fields: DEFAULT_MAX_FIELDS,
        };
        Application {
            inner: Arc::new(inner),
        }
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::make_mut(&mut self.inner)
    }

    /// Adds a processor; the first added is outermost: `p1(p2(p3(handle)))`.
    pub fn add_processor(&mut self, processor: impl Processor) {
        self.inner_mut().processors.push(Arc::new(processor));
    }

    /// A custom page for a status code, any code (web.py only had `notfound` and
    /// `internalerror`). It replaces errors that still carry their default message; an
    /// error with a body of its own (`notfound().with_body("no such user")`) passes.
    pub fn set_page(
        &mut self,
        code: u16,
        page: impl Fn(HttpError) -> HttpError + Send + Sync + 'static,
    ) {
        let inner = self.inner_mut();
        inner.pages.retain(|(c, _)| *c != code);
        inner.pages.push((code, Arc::new(page)));
    }

    /// Turns the debug error page on or off (off by default): a 500 then shows the
    /// panic message and the request, which helps while developing and must never be
    /// on in production (it shows headers and cookies).
    pub fn set_debug(&mut self, on: bool) {
        self.inner_mut().debug = on;
    }

    /// The limit for a request body read by `input()` and `data()`; larger is a 413.
    /// Limits are read from the application the server calls (the root): a mounted
    /// sub-application's own are not used.
    pub fn set_max_body(&mut self, bytes: usize) {
        self.inner_mut().max_body = bytes;
    }

    /// The limit on the number of fields `input()` parses, query string and body
    /// together ([`DEFAULT_MAX_FIELDS`]); more is a 413. Like `set_max_body`, it counts
    /// on the root application only.
    pub fn set_max_fields(&mut self, fields: usize) {
        self.inner_mut().max_fields = fields;
    }

    /// The limits a request of this application is read with.
    pub(crate) fn limits(&self) -> Limits {
        Limits {
            max_body: self.inner.max_body,
            max_fields: self.inner.max_fields,
        }
    }

    // ANCHOR: handle
    /// Matches `ctx.path` against the mapping and calls the target: web.py's `handle`.
    pub fn handle(&self) -> Outcome {
        let (path, method, query) =
            ctx::with(|c| (c.path.clone(), c.method.clone(), c.query.clone()))?;
        match &self.inner.routing {
            Routing::Paths(mapping) => match mapping.find(&path) {
                None => Err(notfound()),
                Some(Found::Call(call, args)) => call(&method, &args),
                Some(Found::Redirect(mut url)) => {
                    if method == "GET" {
                        url.push_str(&query);
                    }
                    Err(web::redirect(&url))
                }
                Some(Found::Mount(prefix, app)) => delegate(prefix, app),
            },
            Routing::Hosts(set, apps) => {
                let host = ctx::with(|c| c.host.clone().unwrap_or_default())?;
                // The port is what follows the last `:`, unless that `:` is inside an
                // IPv6 literal (`[::1]` has no port).
                let name = match host.rsplit_once(':') {
                    Some((name, port)) if !port.contains(']') => name,
                    _ => host.as_str(),
                };
                match set.matches(name).into_iter().next() {
                    Some(i) => apps[i].handle_with_processors(),
                    None => Err(notfound()),
                }
            }
        }
    }
    // ANCHOR_END: handle

    // ANCHOR: handle_with_processors
    /// Runs the processors around `handle`, then this application's custom pages and
    /// debug page on an error that still has its default body.
    pub fn handle_with_processors(&self) -> Outcome {
        let outcome = run_chain(&self.inner.processors, &|| self.handle());
        outcome.map_err(|e| self.page_for(e))
    }
    // ANCHOR_END: handle_with_processors

    fn page_for(&self, mut e: HttpError) -> HttpError {
        if !e.has_default_body() {
            return e;
        }
        if self.inner.debug && e.code() == 500 {
            return debug::page(e);
        }
        if let Some((_, page)) = self.inner.pages.iter().find(|(c, _)| *c == e.code()) {
            e = page(e);
            e.mark_custom();
        }
        e
    }
}

/// What a request may make the application hold: set on the root application, and
/// copied into `ctx` when the request starts (a sub-application's own are not used).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_body: usize,
    pub(crate) max_fields: usize,
}

// ANCHOR: delegate
/// Hands the request to a sub-application mounted at `prefix`: inside it `path` and
/// `fullpath` lose the prefix, `home` and `homepath` gain it; all four are restored
/// afterwards (web.py's `_delegate_sub_application`).
fn delegate(prefix: &str, app: &Application) -> Outcome {
    let saved = ctx::with_mut(|c| {
        let saved = (
            c.path.clone(),
            c.fullpath.clone(),
            c.home.clone(),
            c.homepath.clone(),
        );
        c.path = c.path.get(prefix.len()..).unwrap_or("").to_string();
        c.fullpath = c.fullpath.get(prefix.len()..).unwrap_or("").to_string();
        c.home.push_str(prefix);
        c.homepath.push_str(prefix);
        saved
    })?;
    // handle_with_processors catches panics, so this restore always runs.
    let outcome = app.handle_with_processors();
    ctx::with_mut(|c| (c.path, c.fullpath, c.home, c.homepath) = saved)?;
    outcome
}
// ANCHOR_END: delegate
