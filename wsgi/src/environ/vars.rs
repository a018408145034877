//! `Vars`: the environ's string variables, kept sorted by name in one vector.
//!
//! Why not a `BTreeMap<String, String>`: a request's environ holds about fifteen
//! variables and is built once per request, so the map's cost was its allocations — a
//! node per few entries, and an owned string for every name, though nearly every name is
//! a constant (`REQUEST_METHOD`, `SERVER_PORT`...). Here the names that are constants are
//! borrowed (`Cow::Borrowed`), so are the defaults `Environ::new` sets, and the entries
//! live in one vector, searched by bisection: the same order (`vars()` lists them by
//! name), the same lookups, a fraction of the allocations.

use std::borrow::Cow;
use std::fmt;

type Text = Cow<'static, str>;

/// The names most requests have, stored without a copy (in name order).
const KNOWN: &[&str] = &[
    "CONTENT_LENGTH",
    "CONTENT_TYPE",
    "HTTPS",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_CONNECTION",
    "HTTP_COOKIE",
    "HTTP_HOST",
    "HTTP_USER_AGENT",
    "PATH_INFO",
    "QUERY_STRING",
    "REMOTE_ADDR",
    "REMOTE_PORT",
    "REQUEST_METHOD",
    "REQUEST_URI",
    "SCRIPT_NAME",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "SERVER_SOFTWARE",
];

/// Room for a typical request's variables, so the vector grows once at most.
const TYPICAL: usize = 20;

#[derive(Clone, Default)]
pub(crate) struct Vars {
    entries: Vec<(Text, Text)>,
}

impl Vars {
    pub(crate) fn new() -> Vars {
        Vars {
            entries: Vec::with_capacity(TYPICAL),
        }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        let i = self.find(key).ok()?;
        Some(&self.entries[i].1)
    }

    /// The value of `key`, to change in place.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut String> {
        let i = self.find(key).ok()?;
        Some(self.entries[i].1.to_mut())
    }

    /// Sets `key` to `value`. The name is stored only if it is new, and then borrowed if
    /// it is one of the usual names (`KNOWN`), copied otherwise.
    pub(crate) fn insert(&mut self, key: impl AsRef<str> + Into<String>, value: impl Into<Text>) {
        match self.find(key.as_ref()) {
            Ok(i) => self.entries[i].1 = value.into(),
            Err(i) => {
                let name = match KNOWN.binary_search(&key.as_ref()) {
                    Ok(known) => Cow::Borrowed(KNOWN[known]),
                    Err(_) => Cow::Owned(key.into()),
                };
                self.entries.insert(i, (name, value.into()));
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<String> {
        let i = self.find(key).ok()?;
        Some(self.entries.remove(i).1.into_owned())
    }

    /// The variables in name order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }
}

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{Vars, KNOWN};

    #[test]
    fn the_usual_names_are_in_name_order_for_the_binary_search() {
        assert!(KNOWN.windows(2).all(|pair| pair[0] < pair[1]), "{KNOWN:?}");
    }

    #[test]
    fn lookups_and_order_are_a_sorted_maps() {
        let mut vars = Vars::new();
        for (k, v) in [("b", "2"), ("a", "1"), ("c", "3")] {
            vars.insert(k, v);
        }
        vars.insert(String::from("b"), String::from("two"));
        assert_eq!(vars.get("b"), Some("two"));
        assert_eq!(vars.get("d"), None);
        let listed: Vec<_> = vars.iter().collect();
        assert_eq!(listed, [("a", "1"), ("b", "two"), ("c", "3")]);
        if let Some(v) = vars.get_mut("a") {
            v.push('0');
        }
        assert_eq!(vars.remove("a"), Some("10".to_owned()));
        assert_eq!(vars.remove("a"), None);
        assert_eq!(vars.iter().count(), 2);
    }
}
