//! Processors: functions that wrap the rest of the chain, web.py's `add_processor`.
//!
//! For processors `[p1, p2, p3]` added in that order the call is `p1(p2(p3(handle)))`:
//! the first added is outermost. A processor receives [`Next`], may look at or change
//! `ctx` before calling it, calls it (or not: answering early), and may look at or
//! change the [`Outcome`] after. HTTP errors are values in that outcome, so an outer
//! processor sees the 404 an inner one or the handler produced.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use crate::ctx::with_live;
use crate::outcome::{Body, OnDrop, Outcome};
use crate::HttpError;

/// What `add_processor` takes. Any `Fn(Next<'_>) -> Outcome + Send + Sync` function or
/// closure is one; [`processor_fn`] makes one from a closure without the `Next<'_>`
/// annotation and can give it a name.
pub trait Processor: Send + Sync + 'static {
    /// Runs this processor around the rest of the chain.
    fn process(&self, next: Next<'_>) -> Outcome;

    /// What the trace calls this processor. By default the Rust type's name, which for
    /// a function is its path and for a closure only names the function it was written
    /// in (two closures in one function read alike): name those with
    /// [`ProcessorFn::named`] or
    /// [`Application::add_processor_named`](crate::Application::add_processor_named).
    fn name(&self) -> Cow<'_, str> {
        Cow::Owned(shown(std::any::type_name::<Self>()))
    }
}

impl<F> Processor for F
where
    F: Fn(Next<'_>) -> Outcome + Send + Sync + 'static,
{
    fn process(&self, next: Next<'_>) -> Outcome {
        self(next)
    }
}

// ANCHOR: next
/// The rest of the chain: the processors added after this one, then the handler.
pub struct Next<'a> {
    rest: &'a [Arc<dyn Processor>],
    handle: &'a dyn Fn() -> Outcome,
}

impl Next<'_> {
    /// Runs the rest of the chain and returns its outcome.
    pub fn run(self) -> Outcome {
        run_chain(self.rest, self.handle)
    }
}
// ANCHOR_END: next

/// A processor made by [`processor_fn`], [`loadhook`] or [`unloadhook`], with the name
/// the trace shows for it.
pub struct ProcessorFn<F> {
    f: F,
    name: Cow<'static, str>,
}

/// A processor from a closure, as `wsgi::app_fn` makes an application from one: the
/// closure's argument needs no `Next<'_>` annotation.
///
/// ```
/// use application::{processor_fn, web, Application};
/// let mut app = Application::new(Vec::<(&str, application::Target)>::new())?;
/// app.add_processor(processor_fn(|next| {
///     web::header("X-Frame-Options", "DENY")?;
///     next.run()
/// }).named("frame_options"));
/// # Ok::<(), application::Error>(())
/// ```
pub fn processor_fn<F>(f: F) -> ProcessorFn<F>
where
    F: Fn(Next<'_>) -> Outcome + Send + Sync + 'static,
{
    let name = Cow::Owned(shown(std::any::type_name::<F>()));
    ProcessorFn { f, name }
}

impl<F> ProcessorFn<F> {
    /// The same processor under `name` in the trace (`Application.processor name=csrf`).
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        self
    }
}

impl<F> Processor for ProcessorFn<F>
where
    F: Fn(Next<'_>) -> Outcome + Send + Sync + 'static,
{
    fn process(&self, next: Next<'_>) -> Outcome {
        (self.f)(next)
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.name)
    }
}

/// Any processor under a name of its own: what `add_processor_named` adds.
pub(crate) struct Named<P> {
    pub(crate) name: Cow<'static, str>,
    pub(crate) inner: P,
}

impl<P: Processor> Processor for Named<P> {
    fn process(&self, next: Next<'_>) -> Outcome {
        self.inner.process(next)
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.name)
    }
}

// ANCHOR: run_chain
/// `p1(p2(p3(handle)))`. Every level catches a panic from below and turns it into a 500
/// value, as web.py's `process` turned any exception into `internalerror()`, so the
/// processors outside a panicking one still run and see the 500. The headers the
/// panicking part had added are dropped (a half-built response must not lend its
/// `Content-Type` to the error page); those added before it, and after by outer
/// processors, stay.
pub(crate) fn run_chain(
    processors: &[Arc<dyn Processor>],
    handle: &dyn Fn() -> Outcome,
) -> Outcome {
    let mark = with_live(|live| live.headers.len()).unwrap_or(0);
    let step = || match processors.split_first() {
        None => handle(),
        Some((first, rest)) => {
            let _span =
                tracing::debug_span!("Application.processor", name = %first.name()).entered();
            first.process(Next { rest, handle })
        }
    };
    match catch_unwind(AssertUnwindSafe(step)) {
        Ok(outcome) => outcome,
        Err(payload) => {
            let _ = with_live(|live| live.headers.truncate(mark));
            Err(HttpError::from_panic(payload.as_ref()))
        }
    }
}
// ANCHOR_END: run_chain

/// A processor's type name as the trace shows it: a function's path as it is, a closure
/// as `closure in` the function around it, with `<impl path::Type>` read as `Type` and
/// generic arguments left out; so
/// `session::process::<impl session::session::Session>::install::{{closure}}` reads
/// `closure in session::process::Session::install`.
fn shown(type_name: &str) -> String {
    let mut text = String::new();
    let mut rest = type_name;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let mut depth = 0;
        let close = rest[open..]
            .find(|c| {
                depth += match c {
                    '<' => 1,
                    '>' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |at| open + at);
        let inner = &rest[open + 1..close.min(rest.len())];
        if let Some(path) = inner.strip_prefix("impl ") {
            text.push_str(path.rsplit("::").next().unwrap_or(path));
        }
        rest = rest.get(close + 1..).unwrap_or("");
    }
    text.push_str(rest);
    let path = text.replace("::{{closure}}", "");
    if path.len() < text.len() {
        format!("closure in {path}")
    } else {
        path
    }
}

/// What a hook returns: nothing, or a `Result` whose error becomes the response (web.py's
/// hook raised `web.seeother(…)` or `web.unauthorized()`).
pub trait HookOutcome {
    /// The hook's answer as a result.
    fn into_result(self) -> Result<(), HttpError>;
}

impl HookOutcome for () {
    fn into_result(self) -> Result<(), HttpError> {
        Ok(())
    }
}

impl HookOutcome for Result<(), HttpError> {
    fn into_result(self) -> Result<(), HttpError> {
        self
    }
}

/// A crate error in a hook (`web::header` refusing a value) is a 500, as in a handler.
impl HookOutcome for Result<(), crate::Error> {
    fn into_result(self) -> Result<(), HttpError> {
        self.map_err(HttpError::from)
    }
}

// ANCHOR: loadhook
/// A processor that runs `f` before the rest of the chain (web.py's `loadhook`). When
/// `f` returns an error, that error is the response and the rest does not run. The trace
/// calls it by `f`'s name (`loadhook blog::require_login`).
pub fn loadhook<R, F>(f: F) -> ProcessorFn<impl Fn(Next<'_>) -> Outcome + Send + Sync + 'static>
where
    R: HookOutcome,
    F: Fn() -> R + Send + Sync + 'static,
{
    let name = format!("loadhook {}", shown(std::any::type_name::<F>()));
    processor_fn(move |next| {
        f().into_result()?;
        next.run()
    })
    .named(name)
}

// ANCHOR_END: loadhook

/// A processor that runs `f` after the rest of the chain (web.py's `unloadhook`): also
/// when it failed or panicked, and for a streaming body only when the stream ends or
/// is abandoned, so `f` sees the whole response go out. An error from `f` replaces the
/// response, except after a stream, whose status has gone out already: there it is
/// dropped.
pub fn unloadhook<R, F>(f: F) -> ProcessorFn<impl Fn(Next<'_>) -> Outcome + Send + Sync + 'static>
where
    R: HookOutcome,
    F: Fn() -> R + Send + Sync + 'static,
{
    let name = format!("unloadhook {}", shown(std::any::type_name::<F>()));
    let f = Arc::new(f);
    processor_fn(move |next| {
        // run_chain has already turned a panic below into an Err value.
        match next.run() {
            Ok(Body::Stream(inner)) => {
                let f = Arc::clone(&f);
                Ok(Body::Stream(Box::new(OnDrop {
                    inner,
                    hook: Some(move || drop(f().into_result())),
                })))
            }
            other => {
                f().into_result()?;
                other
            }
        }
    })
    .named(name)
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn the_trace_names_functions_by_path_and_closures_by_their_function() {
        assert_eq!(
            shown("demo::app::serve_assets_first"),
            "demo::app::serve_assets_first"
        );
        assert_eq!(
            shown("demo::app::build::{{closure}}"),
            "closure in demo::app::build"
        );
        assert_eq!(
            shown("demo::app::build<session::MemoryStore>::{{closure}}"),
            "closure in demo::app::build"
        );
        assert_eq!(
            shown("session::process::<impl session::session::Session>::install::{{closure}}"),
            "closure in session::process::Session::install"
        );
    }
}
