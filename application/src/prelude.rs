//! One `use` for a program: `use application::prelude::*;` is web.py's `import web`.
//!
//! What a handler module names in nearly every port: the application and its mapping
//! ([`Application`], [`Target`], the route shorthands), what a handler takes and returns
//! ([`Args`], [`Outcome`], [`HttpError`] and the commonest statuses), the hooks, `ctx` and
//! the `web` module itself (so `web::input()` reads as web.py's `web.input()`). Anything
//! else stays at its own path; nothing here is not also exported where it lives.

pub use crate::web::{self, websafe};
pub use crate::{
    ctx, delete, forbidden, get, loadhook, notfound, post, processor_fn, put, unloadhook,
    Application, Args, Error, HttpError, Next, Outcome, Target,
};
