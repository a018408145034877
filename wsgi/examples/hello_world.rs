//! Hello world: the smallest app, served in one line.
//!
//! Run: `cargo run -p wsgi --example hello_world` (add `-- --port 8000` for another port,
//! `--port 0` for any free one; `--threads N`, `--timeout S` as every server example),
//! then `curl -i http://127.0.0.1:8080/`. Watch the headers: the app set `Content-Type` and
//! `Content-Length`; the server added `Date` and `Server`. Ctrl-C stops it gracefully.

use wsgi::{AppError, Body, Environ, ServerArgs, StartResponse, WsgiServer};

// ANCHOR: hello
fn hello(_env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
    sr.start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Content-Length", "6")],
    )?;
    Ok(Body::from_bytes("hello\n"))
}
// ANCHOR_END: hello

fn main() -> Result<(), wsgi::WsgiError> {
    // The library's log on stderr: RUST_LOG (`debug`: each request's trip), else `info`.
    testkit::log::to_stderr();
    let args = ServerArgs::from_env()?.no_rest()?;
    let server = WsgiServer::with_config(args.config(), wsgi::shared(hello)).start()?;
    println!("listening on http://{}", server.local_addr());
    server.wait_for_signal()
}
