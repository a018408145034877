//! `Vars`: the environ's string variables, in one text buffer that the application can
//! share.
//!
//! A request's environ holds about fifteen variables. Their values are written one after
//! another into one `String`, and an entry is a name and the range of its value (a name
//! or value that is a constant, `REQUEST_METHOD` or `SERVER_SOFTWARE`'s, is borrowed
//! instead); the entries live in one vector kept sorted by name and searched by
//! bisection. So a whole environ is three allocations (the text, the entries, the `Arc`
//! around them), whatever the number of headers, where an owned `String` per value cost
//! one each and a `BTreeMap` more.
//!
//! The variables sit behind an `Arc` (`Environ::shared_vars`): an application that keeps
//! the request's variables past the call (web.py's `ctx.env`, needed while a streaming
//! body runs) takes a clone of the `Arc` instead of copying every variable. A `set` on the
//! environ after that copies them first (`Arc::make_mut`, copy-on-write), so what the
//! application took never changes under it. When nobody kept a clone, the gateway gives
//! the storage back at the end of the request (`Environ::recycle`) and the next environ
//! built on that worker thread reuses it: no allocation at all in steady state.
//!
//! Why not a lifetime (`Environ<'req>` borrowing the connection's buffer): the values of
//! an environ are not all in the request's head (`REMOTE_ADDR`, `SERVER_PORT`, joined
//! headers, what middleware sets), the application must keep them past the call, and a
//! lifetime would reach every middleware's signature. One buffer per worker, reused,
//! costs a copy of a few hundred bytes and keeps `&mut Environ` as the whole interface.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

/// Where a name or a value is: a constant, or a range of the text buffer.
#[derive(Clone, Copy, Debug)]
enum Str {
    Static(&'static str),
    At(usize, usize),
}

/// The names most requests have, stored as constants (in name order).
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

/// Room for a typical request's variables and their text, so neither grows.
const TYPICAL: usize = 24;
const TYPICAL_TEXT: usize = 512;
/// A buffer grown past this by one large request is freed rather than kept for the next.
const KEEP_AT_MOST: usize = 64 * 1024;

/// `PATH_INFO` or `SCRIPT_NAME`: percent-decoded bytes. Bytes that are UTF-8 (nearly
/// every path) are kept once, as the variable's text; others are kept as they are in
/// `Vars::raw`, beside their lossy text.
#[derive(Clone, Copy, Debug)]
struct Path {
    text: Str,
    raw: Option<(usize, usize)>,
}

const EMPTY_PATH: Path = Path {
    text: Str::Static(""),
    raw: None,
};

// ANCHOR: vars
/// The string variables of one environ (CGI names such as `REQUEST_METHOD` and
/// `HTTP_HOST`, and any a middleware sets), with `PATH_INFO` and `SCRIPT_NAME` as bytes
/// and `wsgi.url_scheme`: what an application may keep of a request's environ, shared
/// (`Environ::shared_vars`), never copied variable by variable.
#[derive(Clone)]
pub struct Vars {
    /// The text of every value, and of every name that is not in `KNOWN`.
    text: String,
    /// (name, value), sorted by name.
    entries: Vec<(Str, Str)>,
    /// The bytes of a path that is not UTF-8.
    raw: Vec<u8>,
    path_info: Path,
    script_name: Path,
    url_scheme: Str,
}
// ANCHOR_END: vars

thread_local! {
    /// Storage the last environ on this thread gave back, for the next one.
    static SPARE: Cell<Option<Arc<Vars>>> = const { Cell::new(None) };
}

impl Vars {
    fn new() -> Vars {
        Vars {
            text: String::with_capacity(TYPICAL_TEXT),
            entries: Vec::with_capacity(TYPICAL),
            raw: Vec::new(),
            path_info: EMPTY_PATH,
            script_name: EMPTY_PATH,
            url_scheme: Str::Static("http"),
        }
    }

    /// Empty storage: the storage this thread's last environ gave back, if any.
    pub(crate) fn fresh() -> Arc<Vars> {
        SPARE.take().unwrap_or_else(|| Arc::new(Vars::new()))
    }

    /// Keeps `vars` for the next `fresh` on this thread, if nothing else holds it.
    pub(crate) fn give_back(mut vars: Arc<Vars>) {
        let Some(storage) = Arc::get_mut(&mut vars) else {
            return;
        };
        if storage.text.capacity() > KEEP_AT_MOST || storage.raw.capacity() > KEEP_AT_MOST {
            return;
        }
        storage.clear();
        SPARE.set(Some(vars));
    }

    fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
        self.raw.clear();
        self.path_info = EMPTY_PATH;
        self.script_name = EMPTY_PATH;
        self.url_scheme = Str::Static("http");
    }

    fn str(&self, at: Str) -> &str {
        match at {
            Str::Static(text) => text,
            // Every range was recorded around text pushed whole, so it is on char
            // boundaries, and the text is only ever appended to (or cleared with its
            // entries).
            Str::At(start, end) => &self.text[start..end],
        }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        // Byte by byte, inline: the names are short and share prefixes (`HTTP_`,
        // `SERVER_`), where a call to `memcmp` per step was most of an environ's cost.
        let key = key.as_bytes();
        self.entries
            .binary_search_by(|&(name, _)| self.str(name).as_bytes().iter().cmp(key))
    }

    /// The variable `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        let i = self.find(key).ok()?;
        Some(self.str(self.entries[i].1))
    }

    /// The variables in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|&(name, value)| (self.str(name), self.str(value)))
    }

    /// How many variables there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `PATH_INFO` as the percent-decoded bytes.
    pub fn path_info_bytes(&self) -> &[u8] {
        self.path_bytes(self.path_info)
    }

    /// `SCRIPT_NAME` as bytes.
    pub fn script_name_bytes(&self) -> &[u8] {
        self.path_bytes(self.script_name)
    }

    /// `wsgi.url_scheme`: `http` or `https`.
    pub fn url_scheme(&self) -> &str {
        self.str(self.url_scheme)
    }

    fn path_bytes(&self, path: Path) -> &[u8] {
        match path.raw {
            Some((start, end)) => &self.raw[start..end],
            None => self.str(path.text).as_bytes(),
        }
    }

    /// Writes a value with `write` at the end of the text, and returns where it is.
    fn push(&mut self, write: impl FnOnce(&mut String)) -> Str {
        let start = self.text.len();
        write(&mut self.text);
        Str::At(start, self.text.len())
    }

    /// Sets constants, given in name order, without a search each: how every environ
    /// starts (`Environ::new`). `PATH_INFO` and `SCRIPT_NAME` among them are their bytes.
    pub(crate) fn set_defaults(&mut self, defaults: &[(&'static str, &'static str)]) {
        if !self.entries.is_empty() || !defaults.is_sorted_by_key(|&(key, _)| key) {
            for &(key, value) in defaults {
                match key {
                    "PATH_INFO" => self.set_path(false, value.as_bytes()),
                    "SCRIPT_NAME" => self.set_path(true, value.as_bytes()),
                    _ => self.insert_static(key, value),
                }
            }
            return;
        }
        let path = |value| Path {
            text: Str::Static(value),
            raw: None,
        };
        for &(key, value) in defaults {
            match key {
                "PATH_INFO" => self.path_info = path(value),
                "SCRIPT_NAME" => self.script_name = path(value),
                _ => {}
            }
            self.entries.push((Str::Static(key), Str::Static(value)));
        }
    }

    /// The index of `key`'s entry, made (with an empty value) if it is new: the name is
    /// stored only then, borrowed if it is one of the usual ones. Written before the
    /// value, so that the value is the last text written, where `append_with` extends it.
    fn entry(&mut self, key: &str) -> usize {
        self.entry_as(key, None)
    }

    /// `entry`, for a name the caller holds as a constant: stored as it is, without a
    /// look in `KNOWN`.
    fn entry_as(&mut self, key: &str, constant: Option<&'static str>) -> usize {
        match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                let name = match constant {
                    Some(name) => Str::Static(name),
                    None => {
                        match KNOWN.binary_search_by(|k| k.as_bytes().iter().cmp(key.as_bytes())) {
                            Ok(known) => Str::Static(KNOWN[known]),
                            Err(_) => self.push(|text| text.push_str(key)),
                        }
                    }
                };
                self.entries.insert(i, (name, Str::Static("")));
                i
            }
        }
    }

    /// Sets `key` to what `write` writes (a copy, a number, an address), with no string
    /// between. A value replaced stays in the text until the storage is cleared, which
    /// bounds the waste to what one request sets.
    pub(crate) fn insert_with(&mut self, key: &str, write: impl FnOnce(&mut String)) {
        let i = self.entry(key);
        self.entries[i].1 = self.push(write);
    }

    /// `insert_with` for a name that is a constant.
    pub(crate) fn insert_with_constant(
        &mut self,
        key: &'static str,
        write: impl FnOnce(&mut String),
    ) {
        let i = self.entry_as(key, Some(key));
        self.entries[i].1 = self.push(write);
    }

    /// Sets `key` to a copy of `value`.
    pub(crate) fn insert(&mut self, key: &str, value: &str) {
        self.insert_with(key, |text| text.push_str(value));
    }

    /// Sets `key` to a constant, stored without a copy.
    pub(crate) fn insert_static(&mut self, key: &'static str, value: &'static str) {
        let i = self.entry_as(key, Some(key));
        self.entries[i].1 = Str::Static(value);
    }

    /// Appends `separator` and what `write` writes to `key`'s value; `false` (and nothing
    /// changes) when `key` is not set.
    pub(crate) fn append_with(
        &mut self,
        key: &str,
        separator: &str,
        write: impl FnOnce(&mut String),
    ) -> bool {
        let Ok(i) = self.find(key) else {
            return false;
        };
        let start = match self.entries[i].1 {
            // The value is the last text written: it grows where it is.
            Str::At(start, end) if end == self.text.len() => start,
            // Otherwise it is copied to the end first.
            Str::At(start, end) => {
                let copy = self.text.len();
                self.text.extend_from_within(start..end);
                copy
            }
            Str::Static(old) => {
                let copy = self.text.len();
                self.text.push_str(old);
                copy
            }
        };
        self.text.push_str(separator);
        write(&mut self.text);
        let value = Str::At(start, self.text.len());
        self.entries[i].1 = value;
        true
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<String> {
        let i = self.find(key).ok()?;
        let (_, value) = self.entries.remove(i);
        Some(self.str(value).to_owned())
    }

    /// Sets `PATH_INFO` (or, with `script`, `SCRIPT_NAME`) to the decoded `bytes`, and
    /// its text to them (lossy when they are not UTF-8, for display only).
    pub(crate) fn set_path(&mut self, script: bool, bytes: &[u8]) {
        let (text, raw) = match std::str::from_utf8(bytes) {
            Ok(text) => (self.push(|buf| buf.push_str(text)), None),
            Err(_) => {
                let start = self.raw.len();
                self.raw.extend_from_slice(bytes);
                // What `String::from_utf8_lossy` gives, written in place.
                let lossy = self.push(|buf| {
                    for chunk in bytes.utf8_chunks() {
                        buf.push_str(chunk.valid());
                        if !chunk.invalid().is_empty() {
                            buf.push(char::REPLACEMENT_CHARACTER);
                        }
                    }
                });
                (lossy, Some((start, self.raw.len())))
            }
        };
        let path = Path { text, raw };
        let key = if script {
            self.script_name = path;
            "SCRIPT_NAME"
        } else {
            self.path_info = path;
            "PATH_INFO"
        };
        let i = self.entry(key);
        self.entries[i].1 = text;
    }

    /// Sets `wsgi.url_scheme` (`http` and `https` without a copy).
    pub(crate) fn set_url_scheme(&mut self, scheme: &str) {
        self.url_scheme = match scheme {
            "http" => Str::Static("http"),
            "https" => Str::Static("https"),
            other => self.push(|text| text.push_str(other)),
        };
    }
}

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

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
        vars.insert("b", "two");
        assert_eq!(vars.get("b"), Some("two"));
        assert_eq!(vars.get("d"), None);
        let listed: Vec<_> = vars.iter().collect();
        assert_eq!(listed, [("a", "1"), ("b", "two"), ("c", "3")]);
        assert!(vars.append_with("a", "", |text| text.push('0')));
        assert!(!vars.append_with("d", ", ", |text| text.push('x')));
        assert_eq!(vars.remove("a"), Some("10".to_owned()));
        assert_eq!(vars.remove("a"), None);
        assert_eq!(vars.len(), 2);
    }

    #[test]
    fn a_value_is_extended_in_place_or_copied_when_text_follows_it() {
        let mut vars = Vars::new();
        vars.insert("HTTP_ACCEPT", "a");
        assert!(vars.append_with("HTTP_ACCEPT", ", ", |t| t.push('b')));
        // A new name and value now follow the joined value in the text.
        vars.insert("HTTP_X_ONE", "1");
        assert!(vars.append_with("HTTP_ACCEPT", ", ", |t| t.push('c')));
        vars.insert_static("HTTPS", "off");
        assert!(vars.append_with("HTTPS", "-", |t| t.push_str("ish")));
        assert_eq!(vars.get("HTTP_ACCEPT"), Some("a, b, c"));
        assert_eq!(vars.get("HTTP_X_ONE"), Some("1"));
        assert_eq!(vars.get("HTTPS"), Some("off-ish"));
    }

    #[test]
    fn a_path_that_is_utf8_is_kept_once_and_one_that_is_not_keeps_its_bytes() {
        let mut vars = Vars::new();
        vars.set_path(false, "/caf\u{e9}".as_bytes());
        assert_eq!(vars.path_info_bytes(), "/caf\u{e9}".as_bytes());
        assert!(vars.raw.is_empty(), "the text is the bytes");
        vars.set_path(false, b"/a\xffb");
        vars.set_path(true, b"/m\xfe");
        assert_eq!(vars.path_info_bytes(), b"/a\xffb");
        assert_eq!(vars.get("PATH_INFO"), Some("/a\u{fffd}b"));
        assert_eq!(vars.script_name_bytes(), b"/m\xfe");
        assert_eq!(vars.get("SCRIPT_NAME"), Some("/m\u{fffd}"));
    }

    #[test]
    fn storage_given_back_unshared_is_reused_cleared_and_shared_is_not() {
        let mut vars = Vars::fresh();
        Arc::make_mut(&mut vars).insert("HTTP_X_OLD", "left over");
        let at = Arc::as_ptr(&vars);
        Vars::give_back(vars);
        let again = Vars::fresh();
        assert_eq!(Arc::as_ptr(&again), at, "the same storage");
        assert!(again.is_empty() && again.text.is_empty(), "{again:?}");
        let kept = Arc::clone(&again);
        Vars::give_back(again);
        let other = Vars::fresh();
        assert_ne!(
            Arc::as_ptr(&other),
            Arc::as_ptr(&kept),
            "a held one is not reused"
        );
    }
}
