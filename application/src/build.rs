//! Building an `Application`, before any request: the mapping, the processors, the custom
//! pages and the settings.

use std::borrow::Cow;
use std::sync::{Arc, PoisonError, RwLock};

use crate::http_error::HttpError;
use crate::mapping::{Mapping, Subject};
use crate::processor::{Named, Processor};
use crate::target::Target;
use crate::{hosts, Error};

/// A custom page: gets the error with its default body, returns the error to send.
pub(crate) type Page = Arc<dyn Fn(HttpError) -> HttpError + Send + Sync>;

/// The default limit for a request body read by `input()` or `data()`: 10 MiB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;

/// The default limit on the number of form fields `input()` parses (query string and
/// body together), as Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`: the byte limit alone lets
/// a 10 MiB body of `a&a&a…` become five million pairs, hundreds of MiB in memory.
pub const DEFAULT_MAX_FIELDS: usize = 1000;

/// web.py's `application`: an ordered URL mapping, processors around it, custom pages.
///
/// Cloning gives another handle to the same application, as a Python reference does:
/// a processor added through any handle reaches every mount of it and every callable
/// `wsgifunc` made from it, whatever the order of mounting and adding. (A request in
/// flight keeps the application as it was when the request started.)
#[derive(Clone)]
pub struct Application {
    shared: Arc<RwLock<Arc<Inner>>>,
}

/// One version of the application; a change makes a new one (copy on write), so a
/// request holds a consistent version for its whole run without holding a lock.
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) mapping: Mapping,
    pub(crate) processors: Vec<Arc<dyn Processor>>,
    pub(crate) pages: Vec<(u16, Page)>,
    pub(crate) debug: bool,
    pub(crate) settings: Arc<Settings>,
}

/// What the root application decides for every request: copied into `ctx` when the
/// request starts (a mounted sub-application's own are not used).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) max_body: usize,
    pub(crate) max_fields: usize,
    /// `None`: every host; `Some(list)`: these only, others are a 400.
    pub(crate) allowed_hosts: Option<Vec<String>>,
    /// The canonical `homedomain`, instead of one built from the client's `Host`.
    pub(crate) home: Option<String>,
}

impl Application {
    // ANCHOR: new
    /// web.py's `application(mapping)`: `(pattern, target)` pairs, first match wins.
    ///
    /// ```
    /// use application::{Application, Target, Args};
    /// let app = Application::new([
    ///     ("/", Target::route().get(|_: &Args| Ok("hello".into()))),
    ///     ("/old", Target::redirect("/")),
    /// ])?;
    /// # Ok::<(), application::Error>(())
    /// ```
    ///
    /// Errors with [`Error::BadPattern`] for a pattern that is not a regex and
    /// [`Error::BadTarget`] for a target built wrong.
    pub fn new<S: Into<String>>(
        mapping: impl IntoIterator<Item = (S, Target)>,
    ) -> Result<Application, Error> {
        Application::compile(Subject::Path, mapping)
    }
    // ANCHOR_END: new

    /// web.py's `subdomain_application`: `(host pattern, target)` pairs matched against
    /// the `Host` header without its port, anchored, first match wins. A pattern's groups
    /// reach a handler as its `Args`, as URL groups do; a sub-application target
    /// (`Target::app`, or an `Application` itself) gets the request with its path whole.
    pub fn subdomains<S: Into<String>, T: Into<Target>>(
        mapping: impl IntoIterator<Item = (S, T)>,
    ) -> Result<Application, Error> {
        let mapping = mapping.into_iter().map(|(p, t)| (p, t.into()));
        Application::compile(Subject::Host, mapping)
    }

    fn compile<S: Into<String>>(
        subject: Subject,
        mapping: impl IntoIterator<Item = (S, Target)>,
    ) -> Result<Application, Error> {
        let mapping = mapping.into_iter().map(|(p, t)| (p.into(), t)).collect();
        let inner = Inner {
            mapping: Mapping::new(subject, mapping)?,
            processors: Vec::new(),
            pages: Vec::new(),
            debug: false,
            settings: Arc::new(Settings {
                max_body: DEFAULT_MAX_BODY,
                max_fields: DEFAULT_MAX_FIELDS,
                allowed_hosts: None,
                home: None,
            }),
        };
        Ok(Application {
            shared: Arc::new(RwLock::new(Arc::new(inner))),
        })
    }

    /// The application as it is now. The lock is held only to copy the pointer; no lock
    /// is held while a request runs.
    pub(crate) fn current(&self) -> Arc<Inner> {
        let inner = self.shared.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&inner)
    }

    /// Changes the application for every handle and every later request.
    fn change(&mut self, f: impl FnOnce(&mut Inner)) {
        // A panic cannot leave `Inner` half-changed: `f` runs on a private copy when a
        // request holds the current version, and every `f` here is one assignment.
        let mut inner = self.shared.write().unwrap_or_else(PoisonError::into_inner);
        f(Arc::make_mut(&mut inner));
    }

    fn change_settings(&mut self, f: impl FnOnce(&mut Settings)) {
        self.change(|inner| f(Arc::make_mut(&mut inner.settings)));
    }

    /// Adds a processor; the first added is outermost: `p1(p2(p3(handle)))`, so it sees
    /// the request first and the outcome last (as the first of
    /// [`MiddlewareStack::outermost_first`](crate::MiddlewareStack::outermost_first)).
    pub fn add_processor(&mut self, processor: impl Processor) {
        let processor: Arc<dyn Processor> = Arc::new(processor);
        self.change(|inner| inner.processors.push(processor));
    }

    /// Adds a processor under `name`, the name the trace shows for it
    /// (`Application.processor name=csrf`) instead of its Rust type's.
    pub fn add_processor_named(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        processor: impl Processor,
    ) {
        let name = name.into();
        self.add_processor(Named {
            name,
            inner: processor,
        });
    }

    /// A custom page for a status code, any code (web.py only had `notfound` and
    /// `internalerror`). It replaces errors that still carry their default message; an
    /// error with a body of its own (`notfound().with_body("no such user")`) passes.
    pub fn set_page(
        &mut self,
        code: u16,
        page: impl Fn(HttpError) -> HttpError + Send + Sync + 'static,
    ) {
        let page: Page = Arc::new(page);
        self.change(|inner| {
            inner.pages.retain(|(c, _)| *c != code);
            inner.pages.push((code, page));
        });
    }

    /// Turns the debug error page on or off (off by default): a 500 then shows the
    /// panic message and the request, which helps while developing and must never be
    /// on in production (it shows headers and cookies).
    pub fn set_debug(&mut self, on: bool) {
        self.change(|inner| inner.debug = on);
    }

    /// The limit for a request body read by `input()` and `data()`; larger is a 413.
    /// Like every setting below, only the root application's (the one the server
    /// calls) counts: a mounted sub-application's own is not used.
    pub fn set_max_body(&mut self, bytes: usize) {
        self.change_settings(|s| s.max_body = bytes);
    }

    /// The limit on the number of fields `input()` parses, query string and body
    /// together ([`DEFAULT_MAX_FIELDS`]); more is a 413.
    pub fn set_max_fields(&mut self, fields: usize) {
        self.change_settings(|s| s.max_fields = fields);
    }

    /// The hosts this application answers for, as Django's `ALLOWED_HOSTS`: a request
    /// whose `Host` (without port, any case) is not listed, or that has no `Host`, is a
    /// 400 before any processor runs. `.example.com` allows the domain and its
    /// subdomains; `*` allows any host. web.py had no such list, so a redirect's
    /// `Location` carried whatever host the client sent.
    pub fn set_allowed_hosts<S: Into<String>>(&mut self, hosts: impl IntoIterator<Item = S>) {
        let hosts = hosts.into_iter().map(|h| h.into().to_ascii_lowercase());
        let hosts: Vec<String> = hosts.collect();
        self.change_settings(|s| s.allowed_hosts = Some(hosts));
    }

    /// The canonical `protocol://host[:port]` of the application: `ctx.homedomain`, and
    /// so every redirect, uses it instead of the client's `Host`.
    ///
    /// Errors with [`Error::BadHome`] for anything else than `http://` or `https://`
    /// followed by a host (no path, user or whitespace).
    pub fn set_home(&mut self, home: &str) -> Result<(), Error> {
        if !hosts::valid_home(home) {
            return Err(Error::BadHome(home.to_string()));
        }
        let home = home.to_string();
        self.change_settings(|s| s.home = Some(home));
        Ok(())
    }
}
