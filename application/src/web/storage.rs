//! `Storage`: web.py's `storage` of form values and cookies, with `storify`'s defaults,
//! lists and required keys.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::upload::FileUpload;
use crate::http_error::badrequest;
use crate::HttpError;

/// web.py's `storage` of form values: ordered pairs, the last value of a key wins unless
/// a list is asked for.
///
/// web.py's `web.input(*requireds, **defaults)` becomes calls on the result:
/// `web.input("title", page="1", tags=[])` is
/// `web::input()?.required(["title"])?.with_default("page", "1").with_default_list("tags", [])`.
///
/// A clone shares the values with the original: the request keeps its parsed form in
/// `ctx` for later calls, and what a handler gets costs no copy of a large field.
#[derive(Debug, Clone, Default)]
pub struct Storage {
    pub(crate) pairs: Vec<(String, Arc<String>)>,
    pub(crate) files: Vec<(String, FileUpload)>,
    /// Keys given a list default: `to_map` shows them even with no value.
    lists: Vec<String>,
}

impl Storage {
    // ANCHOR: storage_get
    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The last value of `key`, or `default` (web.py: `web.input(page="1").page`).
    pub fn get_or<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.get(key).unwrap_or(default)
    }

    /// The last value of `key`, or web.py's plain `badrequest()` (body `bad request`)
    /// when it is missing, as `web.input("name")` answered.
    pub fn require(&self, key: &str) -> Result<&str, HttpError> {
        self.get(key).ok_or_else(badrequest)
    }
    // ANCHOR_END: storage_get

    /// Every value of `key` in order (web.py: `web.input(ids=[]).ids`).
    pub fn list(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The uploaded file under `key` (file parts are not text, so `get` does not see them).
    pub fn file(&self, key: &str) -> Option<&FileUpload> {
        self.files
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f)
    }

    /// All text pairs in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether `key` has a value or a file.
    pub fn contains(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key) || self.files.iter().any(|(k, _)| k == key)
    }
}

impl Storage {
    /// The same storage if every key in `keys` has a value or a file, else web.py's plain
    /// `badrequest()`: `web.input("title", "body")`.
    pub fn required<'k>(self, keys: impl IntoIterator<Item = &'k str>) -> Result<Self, HttpError> {
        match keys.into_iter().all(|k| self.contains(k)) {
            true => Ok(self),
            false => Err(badrequest()),
        }
    }

    /// `value` under `key` when the request sent none: `web.input(page="1")`.
    pub fn with_default(mut self, key: &str, value: &str) -> Self {
        if !self.contains(key) {
            self.pairs
                .push((key.to_string(), Arc::new(value.to_string())));
        }
        self
    }

    /// `values` under `key` when the request sent none, and `key` counted as a list:
    /// `web.input(tags=[])`. ([`list`](Storage::list) gives every value of any key; this
    /// matters for `to_map`, which then shows the key even with no value.)
    pub fn with_default_list<'v>(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = &'v str>,
    ) -> Self {
        if !self.contains(key) {
            let pairs = values
                .into_iter()
                .map(|v| (key.to_string(), Arc::new(v.to_string())));
            self.pairs.extend(pairs);
        }
        self.lists.push(key.to_string());
        self
    }

    /// Every text key with all its values in order, for code that wants the whole form
    /// as one map. Files are not text and are left out. For web.py's `dict(i)`, where
    /// only the list defaults are lists, see [`to_dict`](Storage::to_dict).
    pub fn to_map(&self) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for key in &self.lists {
            map.entry(key.clone()).or_default();
        }
        for (k, v) in &self.pairs {
            map.entry(k.clone()).or_default().push(v.to_string());
        }
        map
    }

    /// web.py's `dict(web.input(tags=[]))`: every text key with its last value, except
    /// the keys given a list default ([`with_default_list`](Storage::with_default_list)),
    /// which keep all their values, none included. Files are left out.
    ///
    /// ```
    /// # use application::{web::{self, FormValue}, Application, Args, Target};
    /// # let app = Application::new([("/", Target::func(|_: &Args| {
    /// let form = web::input()?.with_default_list("tags", []).to_dict();
    /// # Ok(format!("{form:?}").into())
    /// # }))])?;
    /// // ?title=a&title=b → {"tags": List([]), "title": One("b")}
    /// # assert_eq!(app.request("/?title=a&title=b").send().text(),
    /// #     r#"{"tags": List([]), "title": One("b")}"#);
    /// # Ok::<(), application::Error>(())
    /// ```
    pub fn to_dict(&self) -> BTreeMap<String, FormValue> {
        let mut dict = BTreeMap::new();
        for key in &self.lists {
            let values = self.list(key).into_iter().map(str::to_string).collect();
            dict.insert(key.clone(), FormValue::List(values));
        }
        for (key, value) in &self.pairs {
            if !self.lists.contains(key) {
                dict.insert(key.clone(), FormValue::One(value.to_string()));
            }
        }
        dict
    }
}

/// A value of [`Storage::to_dict`]: what web.py's `dict(storage)` held under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormValue {
    /// The key's last value (web.py: a string).
    One(String),
    /// Every value of a key given a list default (web.py: a list).
    List(Vec<String>),
}

impl FormValue {
    /// The value as one string: `One`'s, or a `List`'s last (`None` for an empty list).
    pub fn last(&self) -> Option<&str> {
        match self {
            FormValue::One(v) => Some(v),
            FormValue::List(vs) => vs.last().map(String::as_str),
        }
    }
}

impl Storage {
    /// A storage of text pairs only.
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Storage {
        Storage {
            pairs: pairs.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
            ..Storage::default()
        }
    }

    /// web.py's `dictadd(query, body)`: a key the body has takes all its values from it.
    pub(crate) fn overlaid_by(mut self, body: Storage) -> Storage {
        self.pairs.retain(|(k, _)| !body.contains(k));
        self.pairs.extend(body.pairs);
        self.files = body.files;
        self
    }
}
