//! Application data on `ctx`: web.py's `web.ctx.user = user`, typed.
//!
//! Python set any attribute on `web.ctx`; Rust has no open structs, so a request holds one
//! value per type. A processor puts the logged-in user there, the handler takes it out:
//! `ctx::insert(User { .. })` then `ctx::get::<User>()`. The values live as long as the
//! request's `ctx`: each request starts with none, a mounted sub-application sees its
//! parent's (it is the same request), an in-process `request()` made by a handler does not.

use std::any::Any;
use std::sync::Arc;

use super::with_live;
use crate::Error;

// ANCHOR: values
/// Stores `value` for the rest of the request, replacing a value of the same type.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn insert<T: Any + Send + Sync>(value: T) -> Result<(), Error> {
    // The map is `wsgi`'s `Extensions`, the one type-keyed map of the workspace; the
    // value goes in an `Arc` so `get` can hand out a copy without holding the borrow.
    let old = with_live(|live| live.values.insert(Arc::new(value)))?;
    // Dropped here, outside the borrow: a `Drop` of the application's may use ctx.
    drop(old);
    Ok(())
}
// ANCHOR_END: values

// ANCHOR: values_get
/// A copy of the value of type `T` stored by [`insert`], `None` when there is none.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn get<T: Any + Clone + Send + Sync>() -> Result<Option<T>, Error> {
    let found = with_live(|live| live.values.get::<Arc<T>>().map(Arc::clone))?;
    // Cloned outside the borrow, since `T::clone` is the application's code.
    Ok(found.map(|v| T::clone(&v)))
}

/// Removes the value of type `T`; returns whether there was one (web.py's `del web.ctx.x`).
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn remove<T: Any + Send + Sync>() -> Result<bool, Error> {
    let old = with_live(|live| live.values.remove::<Arc<T>>())?;
    // Dropped outside the borrow, as in `insert`.
    Ok(old.is_some())
}
// ANCHOR_END: values_get
