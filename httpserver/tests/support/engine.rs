//! Helpers for the engine's wire tests: a gated route, file limits. Included with
//! `#[path]` by the tests that use it, beside `support`.
#![allow(dead_code)]

use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use httpserver::{Error, HttpRequest};

/// A gateway whose `/gate` route says when it starts and then holds its worker until
/// the test lets go (at most 10 s); every other route is `support::routes`.
pub fn gated() -> (
    impl Fn(&mut HttpRequest) -> Result<(), Error> + Send + Sync + 'static,
    mpsc::Receiver<()>,
    mpsc::Sender<()>,
) {
    let (started_tx, started) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let started_tx = Mutex::new(started_tx);
    let release_rx = Mutex::new(release_rx);
    let gateway = move |req: &mut HttpRequest| -> Result<(), Error> {
        if req.path() != b"/gate" {
            return crate::support::routes(req);
        }
        let _ = started_tx.lock().map(|tx| tx.send(()));
        let _ = release_rx
            .lock()
            .map(|rx| rx.recv_timeout(Duration::from_secs(10)));
        req.write(b"released")
    };
    (gateway, started, release)
}

/// Raises this process's open-file limit to at least `n` if the hard limit allows
/// (tests that open a thousand connections hold two descriptors for each).
pub fn allow_open_files(n: u64) {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|current| current < n) {
        limit.current = Some(limit.maximum.map_or(n, |max| max.min(n)));
        let _ = setrlimit(Resource::Nofile, limit);
    }
}
