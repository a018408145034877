//! Typed access to the current request's session data: `get`, `set`, `remove`, `kill`.
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::id::SessionId;
use crate::session::Session;
use crate::state::{self, State};

impl Session {
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> Result<R> {
        let key = self.key().ok_or(Error::NotInRequest)?;
        state::with(key, f).ok_or(Error::NotInRequest)
    }

    // ANCHOR: typed_access
    /// The value under `key`, read as a `T`; `None` when the key is absent.
    ///
    /// # Errors
    /// [`Error::Decode`] when the stored value is not a `T`; [`Error::NotInRequest`]
    /// outside a request.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let Some(value) = self.with_state(|s| s.data.get(key).cloned())? else {
            return Ok(None);
        };
        serde_json::from_value(value)
            .map(Some)
            .map_err(|source| Error::Decode {
                key: key.to_owned(),
                source,
            })
    }

    /// Stores `value` under `key`. Setting the value a key already has is not a change,
    /// so it does not make the request write the store.
    ///
    /// # Errors
    /// [`Error::Encode`] when `value` has no JSON form; [`Error::NotInRequest`] outside a
    /// request.
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        let value = serde_json::to_value(value).map_err(|source| Error::Encode {
            key: key.to_owned(),
            source,
        })?;
        self.with_state(|s| {
            if s.data.get(key) != Some(&value) {
                s.data.insert(key.to_owned(), value);
                s.changed = true;
            }
        })
    }
    // ANCHOR_END: typed_access

    /// Removes `key`; returns whether it was there.
    ///
    /// # Errors
    /// [`Error::NotInRequest`] outside a request.
    pub fn remove(&self, key: &str) -> Result<bool> {
        self.with_state(|s| {
            let was_there = s.data.remove(key).is_some();
            s.changed |= was_there;
            was_there
        })
    }

    /// Whether `key` is set.
    ///
    /// # Errors
    /// [`Error::NotInRequest`] outside a request.
    pub fn contains(&self, key: &str) -> Result<bool> {
        self.with_state(|s| s.data.contains_key(key))
    }

    // ANCHOR: short_forms
    /// The value under `key`, or `default` when the key is absent: web.py's
    /// `session.get("count", 0)`.
    ///
    /// # Errors
    /// As [`get`](Session::get).
    pub fn get_or<T: DeserializeOwned>(&self, key: &str, default: T) -> Result<T> {
        Ok(self.get(key)?.unwrap_or(default))
    }

    /// Changes the value under `key` in place and returns it; an absent key starts from
    /// `T::default()`: web.py's `session.count += 1` is
    /// `session.update("count", |n: &mut u64| *n += 1)?`.
    ///
    /// # Errors
    /// As [`get`](Session::get) and [`set`](Session::set).
    pub fn update<T>(&self, key: &str, f: impl FnOnce(&mut T)) -> Result<T>
    where
        T: Serialize + DeserializeOwned + Default,
    {
        // Read, change, write: `f` is the application's code, so it runs with no
        // session state borrowed and may use the session itself.
        let mut value = self.get(key)?.unwrap_or_default();
        f(&mut value);
        self.set(key, &value)?;
        Ok(value)
    }
    // ANCHOR_END: short_forms

    /// Appends `value` to the list under `key`, starting the list when the key is absent:
    /// web.py's `session.setdefault("items", []).append(value)`.
    ///
    /// # Errors
    /// [`Error::Decode`] when the key holds something other than a list; as
    /// [`set`](Session::set) otherwise.
    pub fn push<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        let value = serde_json::to_value(value).map_err(|source| Error::Encode {
            key: key.to_owned(),
            source,
        })?;
        let pushed = self.with_state(|s| {
            let slot = s
                .data
                .entry(key.to_owned())
                .or_insert(Value::Array(Vec::new()));
            let list = slot.as_array_mut()?;
            list.push(value);
            s.changed = true;
            Some(())
        })?;
        pushed.ok_or_else(|| Error::Decode {
            key: key.to_owned(),
            source: serde::de::Error::custom("the value is not a list, so nothing can be appended"),
        })
    }

    // ANCHOR: kill
    /// Ends the session: its record is deleted from the store now (as web.py did), nothing
    /// is saved at the end of the request, and the response carries an expired cookie. The
    /// client's next request starts a new session.
    ///
    /// # Errors
    /// A store error from the delete; [`Error::NotInRequest`] outside a request.
    pub fn kill(&self) -> Result<()> {
        let id = self.with_state(|s| {
            s.killed = true;
            s.id.clone()
        })?;
        self.store().delete(&id)
    }
    // ANCHOR_END: kill

    // ANCHOR: regenerate_id
    /// Gives the session a new id, keeping its data. Call it when the user logs in, so an
    /// id someone else saw or planted before the login is worth nothing after it
    /// (session fixation). web.py had no way to do this.
    ///
    /// The record is saved under the new id at the end of the request, the old record is
    /// then deleted, and the response's cookie carries the new id.
    ///
    /// # Errors
    /// [`Error::Randomness`]; [`Error::NotInRequest`] outside a request.
    pub fn regenerate_id(&self) -> Result<()> {
        let fresh = SessionId::generate(&self.config().secret_key)?;
        self.with_state(|s| {
            let old = std::mem::replace(&mut s.id, fresh);
            // After two regenerations in one request, only the first id was ever stored.
            if s.retired.is_none() && !s.is_new {
                s.retired = Some(old);
            }
            s.changed = true;
        })
    }
    // ANCHOR_END: regenerate_id

    /// The current session id (what the response's cookie will carry). Asking for it keeps
    /// a new session even if nothing is stored in it, since the caller may hand the id out.
    ///
    /// # Errors
    /// [`Error::NotInRequest`] outside a request.
    pub fn id(&self) -> Result<String> {
        self.with_state(|s| {
            s.changed |= s.is_new;
            s.id.as_str().to_owned()
        })
    }

    /// Whether this request started the session (no valid id came with it).
    ///
    /// # Errors
    /// [`Error::NotInRequest`] outside a request.
    pub fn is_new(&self) -> Result<bool> {
        self.with_state(|s| s.is_new)
    }
}
