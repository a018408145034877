//! Application data on `ctx`: web.py's `web.ctx.user = user`.
//!
//! Python set any attribute on `web.ctx`; Rust has no open structs, so a request holds
//! values two ways: one per type (`ctx::insert(User { .. })`, then `ctx::get::<User>()`),
//! which needs a type per attribute and no name, and one per name (`ctx::set("title",
//! "Home")`, then `ctx::attr::<&str>("title")`), which is web.py's attribute as it was.
//! The values live as long as the request's `ctx`: each request starts with none, a
//! mounted sub-application sees its parent's (it is the same request), an in-process
//! `request()` made by a handler does not.

use std::any::{Any, TypeId};
use std::sync::Arc;

use super::with_live;
use crate::Error;

/// Where a value is kept: under its type or under a name.
#[derive(PartialEq, Eq)]
pub(crate) enum Key {
    Type(TypeId),
    Name(String),
}

type Value = Arc<dyn Any + Send + Sync>;

/// Puts `value` under `key`, returning the value it replaces.
fn put(key: Key, value: Value) -> Result<(), Error> {
    let old = with_live(
        |live| match live.values.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                live.values.push((key, value));
                None
            }
        },
    )?;
    // Dropped here, outside the borrow: a `Drop` of the application's may use ctx.
    drop(old);
    Ok(())
}

fn find(key: &Key) -> Result<Option<Value>, Error> {
    with_live(|live| {
        let slot = live.values.iter().find(|(k, _)| k == key);
        slot.map(|(_, v)| Arc::clone(v))
    })
}

fn take(key: &Key) -> Result<Option<Value>, Error> {
    with_live(|live| {
        let at = live.values.iter().position(|(k, _)| k == key);
        at.map(|i| live.values.swap_remove(i).1)
    })
}

/// Takes the value out, lets `f` change it, puts it back: the borrow of the thread-local
/// is not held while `f`, the application's code, runs.
fn change<T, R>(key: Key, f: impl FnOnce(&mut T) -> R) -> Result<Option<R>, Error>
where
    T: Any + Clone + Send + Sync,
{
    let Some(value) = take(&key)? else {
        return Ok(None);
    };
    let mut value = match value.downcast::<T>() {
        Ok(value) => value,
        Err(other) => {
            put(key, other)?;
            return Ok(None);
        }
    };
    // Cloned only when someone else still holds it (a `get` made earlier is a copy).
    let answer = f(Arc::make_mut(&mut value));
    put(key, value)?;
    Ok(Some(answer))
}

// ANCHOR: values
/// Stores `value` for the rest of the request, replacing a value of the same type.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn insert<T: Any + Send + Sync>(value: T) -> Result<(), Error> {
    put(Key::Type(TypeId::of::<T>()), Arc::new(value))
}
// ANCHOR_END: values

// ANCHOR: values_get
/// A copy of the value of type `T` stored by [`insert`], `None` when there is none.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn get<T: Any + Clone + Send + Sync>() -> Result<Option<T>, Error> {
    let found = find(&Key::Type(TypeId::of::<T>()))?;
    // Cloned outside the borrow, since `T::clone` is the application's code.
    Ok(found.and_then(|v| v.downcast_ref::<T>().cloned()))
}

/// Removes the value of type `T`; returns whether there was one (web.py's `del web.ctx.x`).
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn remove<T: Any + Send + Sync>() -> Result<bool, Error> {
    Ok(take(&Key::Type(TypeId::of::<T>()))?.is_some())
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
    change(Key::Type(TypeId::of::<T>()), f)
}
// ANCHOR_END: values_get

// ANCHOR: values_named
/// `web.ctx.name = value`: stores `value` under `name` for the rest of the request,
/// whatever its type, replacing what that name held.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn set<T: Any + Send + Sync>(name: &str, value: T) -> Result<(), Error> {
    put(Key::Name(name.to_string()), Arc::new(value))
}

/// `web.ctx.name`: a copy of the value stored under `name` by [`set`], `None` when the
/// name holds nothing or holds something that is not a `T` (`set("n", 1)` stores an
/// `i32`, so `attr::<u64>("n")` is `None`).
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn attr<T: Any + Clone + Send + Sync>(name: &str) -> Result<Option<T>, Error> {
    let found = find(&Key::Name(name.to_string()))?;
    Ok(found.and_then(|v| v.downcast_ref::<T>().cloned()))
}

/// `del web.ctx.name`; returns whether the name held something.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn unset(name: &str) -> Result<bool, Error> {
    Ok(take(&Key::Name(name.to_string()))?.is_some())
}

/// `web.ctx.name += 1`: [`update`] for a value stored under `name`; `None` when the name
/// holds nothing or not a `T`.
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn update_attr<T, R>(name: &str, f: impl FnOnce(&mut T) -> R) -> Result<Option<R>, Error>
where
    T: Any + Clone + Send + Sync,
{
    change(Key::Name(name.to_string()), f)
}
// ANCHOR_END: values_named
