//! The request on this thread: what `scope` lends to the thread-local while application
//! code runs, and the one function (`with_live`) that reaches it.

use std::any::Any;
use std::cell::RefCell;
use std::io::Read;
use std::sync::Arc;

use super::Ctx;
use crate::build::Settings;
use crate::web::Storage;
use crate::{Error, HttpError};

/// One request's state: the fields handlers read (`ctx`, shared and replaced whole, never
/// changed in place while lent), the response being built, the body, application data.
pub(crate) struct Live {
    pub(crate) ctx: Arc<Ctx>,
    /// Constant text until a handler sets its own (the default `200 OK` costs nothing).
    pub(crate) status: std::borrow::Cow<'static, str>,
    pub(crate) headers: Vec<wsgi::rules::Header>,
    /// The status and headers went to `start_response`: later changes would be lost.
    pub(crate) sent: bool,
    /// The body reader, until `data()` or `input()` takes it.
    pub(crate) input: Option<Box<dyn Read + Send>>,
    /// What `data()` read (or why it could not), so a second call gives the same answer.
    pub(crate) raw: Option<Result<Arc<Vec<u8>>, HttpError>>,
    /// What `input()` parsed from the body, for the same reason.
    pub(crate) form: Option<Result<Storage, HttpError>>,
    /// `ctx::insert`'s values, one per type: `wsgi`'s type-keyed map, each value in an
    /// `Arc` so `ctx::get` can clone it outside the borrow.
    pub(crate) values: wsgi::Extensions,
    /// `ctx::set`'s values, one per name (web.py's `web.ctx.name`).
    pub(crate) named: Vec<(String, Arc<dyn Any + Send + Sync>)>,
    /// The root application's limits and host settings.
    pub(crate) settings: Arc<Settings>,
    /// The path was not UTF-8: the application answers 400 without dispatching.
    pub(crate) bad_path: bool,
}

impl Live {
    pub(crate) fn new(
        ctx: Ctx,
        bad_path: bool,
        input: Option<Box<dyn Read + Send>>,
        settings: Arc<Settings>,
    ) -> Live {
        Live {
            ctx: Arc::new(ctx),
            status: std::borrow::Cow::Borrowed("200 OK"),
            headers: Vec::new(),
            sent: false,
            input,
            raw: None,
            form: None,
            values: wsgi::Extensions::new(),
            named: Vec::new(),
            settings,
            bad_path,
        }
    }

    /// The response parts, while they can still change.
    pub(crate) fn open(&mut self) -> Result<&mut Live, Error> {
        if self.sent {
            Err(Error::HeadersSent)
        } else {
            Ok(self)
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Live>> = const { RefCell::new(None) };
}

// ANCHOR: scope
/// Lends the request in `slot` to this thread for the duration of `f`, then puts it
/// back into `slot`, whatever `f` does (a panic included), and restores whatever was
/// lent before (so an in-process `request()` made from a handler nests correctly).
pub(crate) fn scope<R>(slot: &mut Option<Live>, f: impl FnOnce() -> R) -> R {
    struct Guard<'s> {
        slot: &'s mut Option<Live>,
        prev: Option<Live>,
    }
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            let prev = self.prev.take();
            // No borrow of CURRENT outlives a `with_live` call, so none is held here.
            CURRENT.with(|c| {
                if let Ok(mut cur) = c.try_borrow_mut() {
                    *self.slot = std::mem::replace(&mut *cur, prev);
                }
            });
        }
    }
    let lent = slot.take();
    let prev = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), lent));
    let _guard = Guard { slot, prev };
    f()
}
// ANCHOR_END: scope

/// Runs `f` on the request lent to this thread, or errors with
/// [`Error::OutsideRequest`] when there is none.
///
/// The borrow lasts as long as `f`, so `f` must neither call application code nor
/// another function that reaches `ctx`, nor drop a value whose `Drop` could: every `f`
/// in this crate copies a value in or out and returns. That is what makes any public
/// call safe to make from inside any other (`ctx_and_the_web_api_compose` tests it).
pub(crate) fn with_live<R>(f: impl FnOnce(&mut Live) -> R) -> Result<R, Error> {
    CURRENT.with(|c| {
        let mut current = c.borrow_mut();
        current.as_mut().map(f).ok_or(Error::OutsideRequest)
    })
}
