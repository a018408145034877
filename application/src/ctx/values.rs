//! Application data on `ctx`: web.py's `web.ctx.user = user`, typed.
//!
//! Python set any attribute on `web.ctx`; Rust has no open structs, so a request holds one
//! value per type. A processor puts the logged-in user there, the handler takes it out:
//! `ctx::insert(User { .. })` then `ctx::get::<User>()`. The values live as long as the
//! request's `ctx`: each request starts with none, a mounted sub-application sees its
//! parent's (it is the same request), an in-process `request()` made by a handler does not.

use std::any::{Any, TypeId};
use std::sync::Arc;

use super::with_live;
use crate::Error;

// ANCHOR: values
/// Stores `value` for the rest of the request, replacing a value of the same type.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn insert<T: Any + Send + Sync>(value: T) -> Result<(), Error> {
    let value: Arc<dyn Any + Send + Sync> = Arc::new(value);
    let old = with_live(|live| {
        let slot = live
            .values
            .iter_mut()
            .find(|(t, _)| *t == TypeId::of::<T>());
        match slot {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                live.values.push((TypeId::of::<T>(), value));
                None
            }
        }
    })?;
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
    let found = with_live(|live| {
        let slot = live.values.iter().find(|(t, _)| *t == TypeId::of::<T>());
        slot.map(|(_, v)| Arc::clone(v))
    })?;
    // Cloned outside the borrow, since `T::clone` is the application's code.
    Ok(found.and_then(|v| v.downcast_ref::<T>().cloned()))
}

/// Removes the value of type `T`; returns whether there was one (web.py's `del web.ctx.x`).
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn remove<T: Any + Send + Sync>() -> Result<bool, Error> {
    let old = with_live(|live| {
        let at = live
            .values
            .iter()
            .position(|(t, _)| *t == TypeId::of::<T>());
        at.map(|i| live.values.swap_remove(i))
    })?;
    Ok(old.is_some())
}
// ANCHOR_END: values_get
