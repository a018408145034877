//! Helpers shared by the session tests: scratch directories that clean up after themselves.
#![allow(dead_code)]

pub mod certificates;
pub mod http;
pub mod services;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory path under the system's temporary directory, removed on drop. The
/// directory itself is not created: `DiskStore::new` must do that.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub fn new(label: &str) -> Scratch {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("session-test-{}-{n}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        Scratch { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.path.is_dir() {
            let _ = std::fs::remove_dir_all(&self.path);
        } else {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use application::{Application, Args, Target};
use session::{MemoryStore, Result, Session, SessionConfig, SessionId, Store};

/// The value of the session cookie in a response's `Set-Cookie` headers, if any.
pub fn session_cookie<'a>(set_cookies: &[&'a str], name: &str) -> Option<&'a str> {
    set_cookies.iter().find_map(|h| {
        let (pair, _) = h.split_once(';').unwrap_or((h, ""));
        let (n, v) = pair.split_once('=')?;
        (n.trim() == name).then_some(v.trim())
    })
}

/// A `MemoryStore` that counts what the session asks of it.
#[derive(Default)]
pub struct CountingStore {
    pub inner: MemoryStore,
    pub gets: AtomicU64,
    pub sets: AtomicU64,
    pub deletes: AtomicU64,
    pub cleanups: AtomicU64,
}

impl CountingStore {
    pub fn new() -> Arc<CountingStore> {
        Arc::new(CountingStore::default())
    }
    pub fn sets(&self) -> u64 {
        self.sets.load(Ordering::SeqCst)
    }
    pub fn cleanups(&self) -> u64 {
        self.cleanups.load(Ordering::SeqCst)
    }
}

impl Store for CountingStore {
    fn contains(&self, id: &SessionId) -> Result<bool> {
        self.inner.contains(id)
    }
    fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(id)
    }
    fn set(&self, id: &SessionId, record: &[u8]) -> Result<()> {
        self.sets.fetch_add(1, Ordering::SeqCst);
        self.inner.set(id, record)
    }
    fn delete(&self, id: &SessionId) -> Result<()> {
        self.deletes.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(id)
    }
    fn cleanup(&self, timeout: Duration) -> Result<usize> {
        self.cleanups.fetch_add(1, Ordering::SeqCst);
        self.inner.cleanup(timeout)
    }
}

/// A cookie jar for the in-process client: remembers the session cookie a response sets
/// (`value`), and any other cookie (the visitor's CSRF cookie) beside it; forgets a cookie
/// when the response expires it.
pub struct Jar {
    pub name: String,
    pub value: Option<String>,
    pub others: Vec<(String, String)>,
}

impl Jar {
    pub fn new(name: &str) -> Jar {
        Jar {
            name: name.to_owned(),
            value: None,
            others: Vec::new(),
        }
    }

    /// The `Cookie` request header, if the jar holds any cookie.
    pub fn header(&self) -> Option<String> {
        let session = self
            .value
            .as_ref()
            .map(|v| (self.name.as_str(), v.as_str()));
        let others = self.others.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let pairs: Vec<String> = session
            .into_iter()
            .chain(others)
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The value of the cookie `name`, the session's or another.
    pub fn get(&self, name: &str) -> Option<&str> {
        if name == self.name {
            return self.value.as_deref();
        }
        self.others
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sends `request` with the jar's cookies and takes in the response's.
    pub fn send(&mut self, mut request: application::Request<'_>) -> application::Response {
        if let Some(cookie) = self.header() {
            request = request.header("Cookie", &cookie);
        }
        let response = request.send();
        self.update(&response.header_all("Set-Cookie"));
        response
    }

    /// Takes in the response's `Set-Cookie` headers.
    pub fn update(&mut self, set_cookies: &[&str]) {
        for h in set_cookies {
            let pair = h.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            let expired = h.contains("Max-Age=0");
            if name == self.name {
                self.value = (!expired).then(|| value.to_owned());
                continue;
            }
            self.others.retain(|(n, _)| n != name);
            if !expired {
                self.others.push((name.to_owned(), value.to_owned()));
            }
        }
    }
}

/// `/count` adds one to the session's counter and answers it: the smallest app with a
/// session, for tests about what the session does between requests.
pub fn counter_app(store: impl Store + 'static, config: SessionConfig) -> Application {
    let session = Session::detached(store, (), config);
    let s = session.clone();
    let mut app = Application::new([(
        "/count",
        Target::func(move |_: &Args| {
            let n = s.get::<u64>("count")?.unwrap_or(0) + 1;
            s.set("count", &n)?;
            Ok(n.to_string().into())
        }),
    )])
    .expect("valid patterns");
    session.install(&mut app);
    app
}
