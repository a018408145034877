//! The conformance app: fixed routes a black-box HTTP test suite can drive.
//!
//! Run: `cargo run -p wsgi --example conformance -- --port 8080 --threads 8 --timeout 10`
//! (`--port 0` picks a free port). It prints `listening on http://127.0.0.1:PORT` once it can
//! take requests, and stops cleanly on Ctrl-C.
//!
//! Routes (watch each with `curl -i`):
//! `/` hello with Content-Length; `/echo` the request body back, with `X-Body-Length`
//! and `X-Body-Sha256`; `/env` the environ as `key=value` lines; `/stream?n=K` K chunks
//! without Content-Length, empty chunks in between; `/sleep?ms=M`; `/big?bytes=B`;
//! `/status?code=C`; `/error` panics before the headers (a 500, connection kept);
//! `/error-late` panics after the first chunk (a truncated chunked body);
//! `/nolength` a body without Content-Length; `/head` a body even for HEAD (the server
//! drops it); `/short` declares more than it sends; `/long` sends more than it declares.

use std::time::Duration;

use sha2::{Digest, Sha256};
use wsgi::{
    app_fn, AppError, Body, Environ, ServerArgs, SharedApp, StartResponse, Status, WsgiError,
    WsgiServer,
};

/// The most `/sleep` waits and `/big` sends, so a typo cannot hold a worker for hours.
pub const MAX_SLEEP_MS: u64 = 60_000;
/// See `MAX_SLEEP_MS`.
pub const MAX_BIG: u64 = 1 << 30;

type Answer = Result<Body, AppError>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The library's log on stderr: RUST_LOG (`debug`: each request's trip), else `info`.
    testkit::log::to_stderr();
    let args = parse_args(std::env::args().skip(1))?;
    wsgi::install_signal_handler()?;
    let server = WsgiServer::with_config(args.config(), app()).start()?;
    println!("listening on http://{}", server.local_addr());
    server.wait_for_signal()?;
    println!("stopped");
    Ok(())
}

/// The command line: the server flags every example takes (`--port P`, default 8080, 0
/// for any; `--threads N`, default 10; `--timeout SECONDS` for the header, body and
/// write timeouts, default 10 s) and nothing else.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<ServerArgs, WsgiError> {
    Ok(ServerArgs::parse(args)?.no_rest()?)
}

/// The app: one function per route.
pub fn app() -> SharedApp {
    app_fn(|env, sr| {
        let path = env.path_info_bytes().to_vec();
        match path.as_slice() {
            b"/" => hello(sr),
            b"/echo" => echo(env, sr),
            b"/env" => environ(env, sr),
            b"/stream" => stream(env, sr),
            b"/sleep" => sleep(env, sr),
            b"/big" => big(env, sr),
            b"/status" => status(env, sr),
            b"/error" => panic!("/error: a panic before start_response (expected)"),
            b"/error-late" => error_late(sr),
            b"/nolength" => nolength(sr),
            b"/head" => head(sr),
            b"/short" => short(sr),
            b"/long" => long(sr),
            _ => text(sr, "404 Not Found", "not found\n"),
        }
    })
}

fn text(sr: &mut StartResponse<'_>, status: &str, body: &str) -> Answer {
    let length = body.len().to_string();
    sr.start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", length.as_str()),
        ],
    )?;
    Ok(Body::from_bytes(body.to_owned()))
}

/// The value of `key` in the query string, parsed as a number.
fn param(env: &Environ, key: &str) -> Option<u64> {
    env.query_string()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.parse().ok())
}

fn hello(sr: &mut StartResponse<'_>) -> Answer {
    text(sr, "200 OK", "Hello, world!\n")
}

fn echo(env: &mut Environ, sr: &mut StartResponse<'_>) -> Answer {
    let mut body = Vec::new();
    env.input().read_to_end(&mut body)?;
    let length = body.len().to_string();
    let digest = hex::encode(Sha256::digest(&body));
    sr.start_response(
        "200 OK",
        [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", length.as_str()),
            ("X-Body-Length", length.as_str()),
            ("X-Body-Sha256", digest.as_str()),
        ],
    )?;
    Ok(Body::from_bytes(body))
}

fn environ(env: &mut Environ, sr: &mut StartResponse<'_>) -> Answer {
    let mut lines = String::new();
    for (key, value) in env.vars() {
        lines.push_str(&format!("{key}={value}\n"));
    }
    for (key, value) in env.wsgi_entries() {
        lines.push_str(&format!("{key}={value}\n"));
    }
    text(sr, "200 OK", &lines)
}

fn stream(env: &mut Environ, sr: &mut StartResponse<'_>) -> Answer {
    let n = param(env, "n").unwrap_or(3).min(100_000);
    sr.start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])?;
    // An empty chunk between the real ones: it must not end the chunked body.
    Ok(Body::from_chunks((0..n).flat_map(|i| {
        [format!("chunk {i}\n").into_bytes(), Vec::new()]
    })))
}

/// `/sleep`'s wait in milliseconds: `ms` (default 100), at most `MAX_SLEEP_MS`.
pub fn sleep_ms(env: &Environ) -> u64 {
    param(env, "ms").unwrap_or(100).min(MAX_SLEEP_MS)
}

/// `/big`'s size in bytes: `bytes` (default 1 MiB), at most `MAX_BIG`.
pub fn big_bytes(env: &Environ) -> u64 {
    param(env, "bytes").unwrap_or(1 << 20).min(MAX_BIG)
}

fn sleep(env: &mut Environ, sr: &mut StartResponse<'_>) -> Answer {
    let ms = sleep_ms(env);
    std::thread::sleep(Duration::from_millis(ms));
    text(sr, "200 OK", &format!("slept {ms} ms\n"))
}

fn big(env: &mut Environ, sr: &mut StartResponse<'_>) -> Answer {
    let total = big_bytes(env);
    let length = total.to_string();
    sr.start_response(
        "200 OK",
        [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", length.as_str()),
        ],
    )?;
    const PIECE: u64 = 64 * 1024;
    Ok(Body::from_chunks((0..total.div_ceil(PIECE)).map(
        move |i| {
            let len = PIECE.min(total - i * PIECE);
            vec![b'x'; len as usize]
        },
    )))
}

fn status(env: &mut Environ, sr: &mut StartResponse<'_>) -> Answer {
    let Some(code) = param(env, "code").filter(|c| (100..=599).contains(c)) else {
        return text(sr, "400 Bad Request", "code must be 100..=599\n");
    };
    let status = Status::from_code(code as u16);
    text(sr, status.as_str(), &format!("{status}\n"))
}

fn error_late(sr: &mut StartResponse<'_>) -> Answer {
    sr.start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])?;
    Ok(Body::from_chunks((0..2).map(|i| {
        if i == 1 {
            panic!("/error-late: a panic after the first chunk (expected)");
        }
        b"first chunk\n".to_vec()
    })))
}

fn nolength(sr: &mut StartResponse<'_>) -> Answer {
    sr.start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])?;
    Ok(Body::from_bytes("no Content-Length here\n"))
}

fn head(sr: &mut StartResponse<'_>) -> Answer {
    text(sr, "200 OK", "a body, even for HEAD\n")
}

fn short(sr: &mut StartResponse<'_>) -> Answer {
    sr.start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Content-Length", "100")],
    )?;
    Ok(Body::from_bytes("only ten\n\n"))
}

fn long(sr: &mut StartResponse<'_>) -> Answer {
    sr.start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Content-Length", "5")],
    )?;
    Ok(Body::from_bytes("12345 and then some more\n"))
}
