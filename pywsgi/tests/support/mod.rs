//! Test support: the embedded interpreter (started once per test binary, with
//! `tests/apps` and the build's `target/pydeps` on `sys.path`), a `pywsgi` server for
//! `MODULE:CALLABLE` on 127.0.0.1:0, and raw-byte exchanges with it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

use httpserver::{HttpServer, ServerConfig, ServerThread};
use pyo3::prelude::*;
use pywsgi::{load_app, AppSpec, PyGateway};

/// The folder `.ci/run` installs web.py and cheroot into (`pip install --target`);
/// `PYWSGI_PYDEPS` names another.
pub fn pydeps_dir() -> PathBuf {
    std::env::var_os("PYWSGI_PYDEPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/pydeps")))
}

pub fn apps_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apps"))
}

/// Starts the interpreter once, with the test applications and the pinned packages on
/// `sys.path`.
pub fn python() {
    static START: Once = Once::new();
    START.call_once(|| {
        Python::initialize();
        Python::attach(|py| -> PyResult<()> {
            let path = py.import("sys")?.getattr("path")?;
            path.call_method1("insert", (0, pydeps_dir().to_string_lossy().into_owned()))?;
            path.call_method1("insert", (0, apps_dir().to_string_lossy().into_owned()))?;
            Ok(())
        })
        .expect("sys.path set up");
    });
}

/// Whether web.py and cheroot are installed where the tests look. Without them a test
/// prints a loud `SKIPPED:` line and returns, except under `CI=true`, where it fails.
pub fn have_pydeps(test: &str) -> bool {
    let dir = pydeps_dir();
    if dir.join("web").is_dir() && dir.join("cheroot").is_dir() {
        return true;
    }
    let why = format!(
        "SKIPPED: {test}: web.py and cheroot not found in {} (pip install --target {} web.py==0.76 cheroot==11.1.2)",
        dir.display(),
        dir.display()
    );
    println!("{why}");
    eprintln!("{why}");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
    false
}

/// A `pywsgi` server for `spec` (`module:callable`) with `threads` workers.
pub fn serve(spec: &str, threads: usize) -> ServerThread {
    python();
    let spec = AppSpec::parse(spec).expect("a MODULE:CALLABLE");
    let mut config = ServerConfig::new("127.0.0.1:0");
    config.threads = threads;
    config.shutdown_timeout = Duration::from_secs(2);
    let gateway = Python::attach(|py| -> PyResult<PyGateway> {
        let app = load_app(py, &spec)?;
        PyGateway::new(py, app, threads)
    })
    .expect("the application loads");
    HttpServer::spawn(config, gateway).expect("the server starts")
}

/// Sends `request` on a new connection and reads until the server closes it (the
/// requests say `Connection: close`), as raw bytes.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = testkit::connect(addr);
    stream.write_all(request).expect("request sent");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

/// A GET of `target` with `Connection: close`.
pub fn get(addr: SocketAddr, target: &str) -> Vec<u8> {
    exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// The status code of a raw response.
pub fn status(raw: &[u8]) -> u16 {
    std::str::from_utf8(raw.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The parsed response (chunked bodies decoded; `complete` false when cut short).
pub fn parse(raw: &[u8], head_request: bool) -> testkit::Response {
    testkit::read_response(&mut std::io::BufReader::new(raw), head_request)
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
