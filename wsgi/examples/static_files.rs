//! A static-file server: web.py's `StaticMiddleware` and the access log around an app.
//!
//! Run: `cargo run -p wsgi --example static_files -- DIR PORT` (default `static`, created
//! with an `index.html` if missing, and 8080; `0` picks a free port), then
//! `curl -i http://127.0.0.1:8080/static/index.html`.
//! Watch: `ETag` and `Last-Modified` in the answer; repeat with
//! `-H 'If-None-Match: <the etag>'` to get `304 Not Modified`; try
//! `curl --path-as-is -i http://127.0.0.1:8080/static/../Cargo.toml` and
//! `.../static/%2e%2e/Cargo.toml` to see `404`; one Common Log Format line per request on
//! stderr. Paths outside `/static/` reach the app.

use std::path::PathBuf;

use wsgi::middleware::{access_log, static_files};
use wsgi::{app_fn, apply_middleware, Body, WsgiServer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "static".to_owned()));
    let port = args.next().unwrap_or_else(|| "8080".to_owned());
    if !dir.exists() {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("index.html"), "<h1>served from static/</h1>\n")?;
    }
    let app = app_fn(|_env, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Body::from_bytes("not a static path: the app answers\n"))
    });
    // static_files first (innermost), access_log last (outermost): every request is
    // logged, static or not.
    let app = apply_middleware(
        app,
        [static_files("/static/", dir), access_log(std::io::stderr())],
    );
    let server = WsgiServer::new(format!("127.0.0.1:{port}"), app).start()?;
    println!("listening on http://{}/static/", server.local_addr());
    server.wait_for_signal()?;
    Ok(())
}
