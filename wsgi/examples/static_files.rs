//! A static-file server: web.py's `StaticMiddleware` and the access log around an app.
//!
//! Run: `cargo run -p wsgi --example static_files -- [DIR] [--port P]` (default `static`,
//! created with an `index.html` if missing, and 8080; `--port 0` picks a free port;
//! `--threads N`, `--timeout S` as every server example), then
//! `curl -i http://127.0.0.1:8080/static/index.html`.
//! Watch: `ETag` and `Last-Modified` in the answer; repeat with
//! `-H 'If-None-Match: <the etag>'` to get `304 Not Modified`; try
//! `curl --path-as-is -i http://127.0.0.1:8080/static/../Cargo.toml` and
//! `.../static/%2e%2e/Cargo.toml` to see `404`; one Common Log Format line per request on
//! stderr. Paths outside `/static/` reach the app.

use std::path::PathBuf;

use wsgi::middleware::{access_log, static_files};
use wsgi::{app_fn, apply_middleware, Body, ServerArgs, WsgiServer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The library's log on stderr: RUST_LOG (`debug`: each request's trip), else `info`.
    testkit::log::to_stderr();
    let args = ServerArgs::from_env()?;
    let dir = PathBuf::from(args.rest.first().map_or("static", String::as_str));
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
    let server = WsgiServer::with_config(args.config(), app).start()?;
    println!("listening on http://{}", server.local_addr());
    println!("static files under http://{}/static/", server.local_addr());
    server.wait_for_signal()?;
    Ok(())
}
