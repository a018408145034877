//! `StaticFiles`: web.py's `StaticMiddleware`, serving a directory under a URL prefix.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::app::{Middleware, SharedApp, WsgiApp};
use crate::body::Body;
use crate::environ::Environ;
use crate::error::AppError;
use crate::start_response::StartResponse;

/// How much of a file one body chunk carries.
const CHUNK: usize = 64 * 1024;

/// Serves files from `root` for paths under `prefix` (web.py: `/static/` from
/// `./static`), and passes every other path to the wrapped app.
///
/// * `GET` and `HEAD` only (others: `405` with `Allow`); directories and missing files:
///   `404`.
/// * `Content-Type` from the extension, `Content-Length`, `Last-Modified`, and an
///   `ETag` built from size and modification time; `If-None-Match` (which wins, RFC 9110
///   §13.2.2) and `If-Modified-Since` answer `304 Not Modified` without a body.
/// * No escape from `root`: the path is checked after percent-decoding (so `%2e%2e` is
///   `..`), any `.` or `..` segment, any segment starting with `.` (no `.git`, no
///   `.env`), a backslash, a NUL or a `:` (a Windows drive letter or stream), a
///   non-UTF-8 path: `404`. Then the file is resolved
///   with symlinks followed and must still lie inside the resolved `root`, so a symlink
///   pointing outside is refused too.
pub struct StaticFiles {
    app: SharedApp,
    prefix: Vec<u8>,
    root: PathBuf,
}

impl StaticFiles {
    /// Serves `root` under URL `prefix` (e.g. `/static/`), passing other paths to `app`.
    pub fn new(app: SharedApp, prefix: &str, root: impl Into<PathBuf>) -> StaticFiles {
        let mut prefix = prefix.as_bytes().to_vec();
        if !prefix.ends_with(b"/") {
            prefix.push(b'/');
        }
        StaticFiles {
            app,
            prefix,
            root: root.into(),
        }
    }
}

/// `StaticFiles` as a `Middleware`: `static_files("/static/", "static")` is web.py's
/// `StaticMiddleware`.
pub fn static_files(prefix: &str, root: impl Into<PathBuf>) -> Middleware {
    let prefix = prefix.to_owned();
    let root = root.into();
    Box::new(move |app: SharedApp| -> SharedApp { Arc::new(StaticFiles::new(app, &prefix, root)) })
}

impl WsgiApp for StaticFiles {
    fn call(&self, env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
        let path = env.path_info_bytes();
        if !path.starts_with(&self.prefix) {
            return self.app.call(env, sr);
        }
        let method = env.request_method();
        if method != "GET" && method != "HEAD" {
            return plain(sr, "405 Method Not Allowed", &[("Allow", "GET, HEAD")]);
        }
        let Some(file) = self.resolve(&path[self.prefix.len()..]) else {
            return plain(sr, "404 Not Found", &[]);
        };
        serve(env, sr, &file)
    }
}

impl StaticFiles {
    // ANCHOR: static_resolve
    /// The file for `rest` (the path after the prefix), or `None` when it is not a
    /// regular file inside `root`.
    fn resolve(&self, rest: &[u8]) -> Option<PathBuf> {
        let rest = std::str::from_utf8(rest).ok()?;
        let mut path = self.root.clone();
        for segment in rest.split('/') {
            if segment.is_empty() {
                continue;
            }
            // Decoded already: `%2e%2e` arrives here as `..`, `%5c` as `\`. A `:` is a
            // drive letter (`C:`) or an NTFS stream (`a.txt::$DATA`) on Windows, where
            // `PathBuf::push("C:")` would leave `root`: refused on every system alike.
            if segment.starts_with('.') || segment.contains(['\\', '\0', ':']) {
                return None;
            }
            path.push(segment);
        }
        // Symlinks are followed by canonicalize: what counts is where the file really is.
        let root = fs::canonicalize(&self.root).ok()?;
        let real = fs::canonicalize(&path).ok()?;
        if !real.starts_with(&root) || !real.is_file() {
            return None;
        }
        Some(real)
    }
    // ANCHOR_END: static_resolve
}

fn serve(env: &Environ, sr: &mut StartResponse<'_>, path: &Path) -> Result<Body, AppError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(_) => return plain(sr, "404 Not Found", &[]),
    };
    let meta = file.metadata()?;
    let modified = meta.modified().unwrap_or(UNIX_EPOCH);
    let etag = etag(meta.len(), modified);
    let last_modified = httpdate::fmt_http_date(modified);
    let content_type = content_type_for(path);
    if not_modified(env, &etag, modified) {
        sr.start_response(
            "304 Not Modified",
            [
                ("ETag", etag.as_str()),
                ("Last-Modified", last_modified.as_str()),
            ],
        )?;
        return Ok(Body::empty());
    }
    let length = meta.len().to_string();
    sr.start_response(
        "200 OK",
        [
            ("Content-Type", content_type),
            ("Content-Length", length.as_str()),
            ("ETag", etag.as_str()),
            ("Last-Modified", last_modified.as_str()),
        ],
    )?;
    if env.request_method() == "HEAD" {
        return Ok(Body::empty());
    }
    Ok(Body::from_results(FileChunks {
        file: Some(file),
        remaining: meta.len(),
    }))
}

/// Reads a file in `CHUNK`-sized pieces, so a large file streams instead of being loaded.
struct FileChunks {
    file: Option<File>,
    /// What `Content-Length` promised and is not sent yet: a file that grows while it is
    /// served (a log) must not send more than the header said.
    remaining: u64,
}

impl Iterator for FileChunks {
    type Item = Result<Vec<u8>, AppError>;

    fn next(&mut self) -> Option<Self::Item> {
        let file = self.file.as_mut()?;
        let want = usize::try_from(self.remaining).map_or(CHUNK, |r| r.min(CHUNK));
        if want == 0 {
            self.file = None;
            return None;
        }
        let mut buf = vec![0; want];
        match file.read(&mut buf) {
            Ok(0) => {
                self.file = None;
                // Shrunk while served: fewer bytes than `Content-Length` said. An error
                // makes the gateway cut the connection and say why in `wsgi.errors`.
                let shrunk = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the file shrank: {} bytes short", self.remaining),
                );
                Some(Err(shrunk.into()))
            }
            Ok(n) => {
                buf.truncate(n);
                self.remaining -= n as u64;
                Some(Ok(buf))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Some(Ok(Vec::new())),
            Err(e) => {
                self.file = None;
                Some(Err(e.into()))
            }
        }
    }
}

// ANCHOR: static_conditional
/// Whether the client's cached copy is current: `If-None-Match` decides when present
/// (weak comparison, `*` matches anything), else `If-Modified-Since` (whole seconds, as
/// HTTP dates carry no more).
fn not_modified(env: &Environ, etag: &str, modified: SystemTime) -> bool {
    if let Some(tags) = env.header("If-None-Match") {
        let ours = etag.trim_start_matches("W/");
        return tags
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours);
    }
    if let Some(since) = env.header("If-Modified-Since") {
        if let Ok(since) = httpdate::parse_http_date(since) {
            let secs = |t: SystemTime| {
                t.duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
            };
            return secs(modified) <= secs(since);
        }
    }
    false
}
// ANCHOR_END: static_conditional

/// A strong validator from size and modification time (what nginx does): it changes
/// whenever the file is rewritten, without reading the file to hash it.
fn etag(len: u64, modified: SystemTime) -> String {
    let nanos = modified
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("\"{len:x}-{nanos:x}\"")
}

fn plain(
    sr: &mut StartResponse<'_>,
    status: &str,
    extra: &[(&str, &str)],
) -> Result<Body, AppError> {
    let text = status[4..].to_owned();
    let length = text.len().to_string();
    let mut headers = vec![
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", length.as_str()),
    ];
    headers.extend_from_slice(extra);
    sr.start_response(status, headers)?;
    Ok(Body::from_bytes(text))
}

/// The `Content-Type` for a file name's extension (`application/octet-stream` when
/// unknown); text types carry `charset=utf-8`.
pub fn content_type_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "mp4" => "video/mp4",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}
