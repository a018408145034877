//! Application data on `ctx`: web.py's `web.ctx.user = user`.
//!
//! Python set any attribute on `web.ctx`; Rust has no open structs, so a request holds
//! values two ways: one per type (`ctx::insert(User { .. })`, then `ctx::get::<User>()`),
//! which needs a type per attribute and no name, and one per name (`ctx::set("title",
//! "Home")`, then `ctx::attr::<&str>("title")`), which is web.py's attribute as it was.
//! The values live as long as the request's `ctx`: each request starts with none, a
//! mounted sub-application sees its parent's (it is the same request), an in-process
//! `request()` made by a handler does not.

use std::any::Any;
use std::sync::Arc;

use super::with_live;
use crate::Error;

type Value = Arc<dyn Any + Send + Sync>;

// Values kept by type live in `wsgi`'s `Extensions` (the workspace's one type-keyed map),
// each in an `Arc<T>` so `get` hands out a copy made outside the borrow; values kept by
// name in a short list beside it. Whatever is taken out is dropped outside the borrow:
// a `Drop` of the application's may use ctx.

fn put_named(name: &str, value: Value) -> Result<(), Error> {
    let old = with_live(
        |live| match live.named.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                live.named.push((name.to_string(), value));
                None
            }
        },
    )?;
    drop(old);
    Ok(())
}

fn find_named(name: &str) -> Result<Option<Value>, Error> {
    with_live(|live| {
        let slot = live.named.iter().find(|(n, _)| n == name);
        slot.map(|(_, v)| Arc::clone(v))
    })
}

fn take_named(name: &str) -> Result<Option<Value>, Error> {
    with_live(|live| {
        let at = live.named.iter().position(|(n, _)| n == name);
        at.map(|i| live.named.swap_remove(i).1)
    })
}

/// Lets `f` change `value` and returns what it returns; cloned first only when someone
/// else still holds the value (a `get` made earlier is a copy). The borrow of the
/// thread-local is not held while `f`, the application's code, runs.
fn change_in<T: Clone, R>(value: &mut Arc<T>, f: impl FnOnce(&mut T) -> R) -> R {
    f(Arc::make_mut(value))
}

// ANCHOR: values
/// Stores `value` for the rest of the request, replacing a value of the same type.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn insert<T: Any + Send + Sync>(value: T) -> Result<(), Error> {
    let old = with_live(|live| live.values.insert(Arc::new(value)))?;
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
    Ok(old.is_some())
}

/// Changes the value of type `T` in place (web.py's `web.ctx.count += 1`):
/// `ctx::update(|n: &mut Visits| n.0 += 1)?`. Returns what `f` returns, or `None` (and
/// does not call `f`) when there is no such value. While `f` runs the value is out of
/// `ctx`, so a `get::<T>()` inside `f` finds nothing, and a panic in `f` loses it.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn update<T, R>(f: impl FnOnce(&mut T) -> R) -> Result<Option<R>, Error>
where
    T: Any + Clone + Send + Sync,
{
    let Some(mut value) = with_live(|live| live.values.remove::<Arc<T>>())? else {
        return Ok(None);
    };
    let answer = change_in(&mut value, f);
    // Back as the `Arc<T>` it was taken out as (`insert` would wrap it once more).
    let old = with_live(|live| live.values.insert(value))?;
    drop(old);
    Ok(Some(answer))
}
// ANCHOR_END: values_get

// ANCHOR: values_named
/// `web.ctx.name = value`: stores `value` under `name` for the rest of the request,
/// whatever its type, replacing what that name held.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn set<T: Any + Send + Sync>(name: &str, value: T) -> Result<(), Error> {
    put_named(name, Arc::new(value))
}

/// `web.ctx.name`: a copy of the value stored under `name` by [`set`], `None` when the
/// name holds nothing or holds something that is not a `T` (`set("n", 1)` stores an
/// `i32`, so `attr::<u64>("n")` is `None`).
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn attr<T: Any + Clone + Send + Sync>(name: &str) -> Result<Option<T>, Error> {
    let found = find_named(name)?;
    Ok(found.and_then(|v| v.downcast_ref::<T>().cloned()))
}

// ANCHOR_END: values_named

/// `del web.ctx.name`; returns whether the name held something.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn unset(name: &str) -> Result<bool, Error> {
    Ok(take_named(name)?.is_some())
}

/// `web.ctx.name += 1`: [`update`] for a value stored under `name`; `None` when the name
/// holds nothing or not a `T`.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn update_attr<T, R>(name: &str, f: impl FnOnce(&mut T) -> R) -> Result<Option<R>, Error>
where
    T: Any + Clone + Send + Sync,
{
    let Some(value) = take_named(name)? else {
        return Ok(None);
    };
    let mut value = match value.downcast::<T>() {
        Ok(value) => value,
        Err(other) => {
            put_named(name, other)?;
            return Ok(None);
        }
    };
    let answer = change_in(&mut value, f);
    put_named(name, value)?;
    Ok(Some(answer))
}
