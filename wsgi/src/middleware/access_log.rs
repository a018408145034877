//! `AccessLog`: one Common Log Format line per request, like web.py's `LogMiddleware`.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use httpserver::SecondText;

use super::log_sink::LogSink;
use super::CountingSink;
use crate::app::{Middleware, SharedApp, WsgiApp};
use crate::body::Body;
use crate::environ::Environ;
use crate::error::AppError;
use crate::start_response::StartResponse;

type Out = Arc<LogSink>;

/// Logs each request in the Common Log Format once its response is finished:
///
/// ```text
/// 127.0.0.1 - - [25/Nov/2026:12:00:00 +0000] "GET /hello?x=1 HTTP/1.1" 200 6
/// ```
///
/// (host, identity `-`, `REMOTE_USER` or `-`, time in UTC, request line, status, body
/// bytes or `-` for none). The line is written from the body's close hook, so it counts
/// the bytes the body really yielded and appears even when the client went away
/// mid-stream (bytes sent through the legacy `write` count too). An app error or panic
/// before any body is logged as status 500. Quotes, backslashes and control bytes in the request
/// line are escaped (`\x0a`), so a request cannot forge a log line.
///
/// `new` writes each line as it comes (one `write_all`); `buffered` gathers the lines of
/// a busy moment into one write, each line written within 50 ms (what `run` uses: a
/// system call per request is a good part of a small request's cost).
pub struct AccessLog {
    app: SharedApp,
    out: Out,
}

impl AccessLog {
    /// Wraps `app`, logging to `out` (one `write_all` per line).
    pub fn new(app: SharedApp, out: impl Write + Send + 'static) -> AccessLog {
        AccessLog {
            app,
            out: LogSink::direct(Box::new(out)),
        }
    }

    /// Wraps `app`, logging to `out` in one `write_all` per 50 ms (or per 64 KiB) at
    /// most, from a thread of its own; what waits is written when the log is dropped.
    pub fn buffered(app: SharedApp, out: impl Write + Send + 'static) -> AccessLog {
        AccessLog {
            app,
            out: LogSink::buffered(Box::new(out)),
        }
    }
}

impl Drop for AccessLog {
    fn drop(&mut self) {
        self.out.close();
    }
}

/// The access log as a `Middleware`, writing to `out` a line at a time
/// (`std::io::stderr()` for web.py's behaviour).
pub fn access_log(out: impl Write + Send + 'static) -> Middleware {
    Box::new(move |app: SharedApp| -> SharedApp { Arc::new(AccessLog::new(app, out)) })
}

/// The access log as a `Middleware`, its lines buffered (`AccessLog::buffered`).
pub fn buffered_access_log(out: impl Write + Send + 'static) -> Middleware {
    Box::new(move |app: SharedApp| -> SharedApp { Arc::new(AccessLog::buffered(app, out)) })
}

impl WsgiApp for AccessLog {
    fn call(&self, env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
        let prefix = line_prefix(env);
        let mut status = 0u16;
        let bytes = Arc::new(AtomicU64::new(0));
        // Logs a 500 if the app panics (the gateway answers 500): the guard's Drop runs
        // while the panic unwinds. Defused once the app has returned.
        let mut pending = PanicLine {
            out: &self.out,
            prefix: Some(&prefix),
        };
        let result = {
            // It only looks: the headers pass as they are, copied and checked no more.
            let mut observe = sr.observe(|s| status = s.code());
            let mut counting = CountingSink::new(&mut observe, Arc::clone(&bytes));
            self.app.call(env, &mut StartResponse::new(&mut counting))
        };
        pending.prefix = None;
        drop(pending);
        let body = match result {
            Ok(body) => body,
            Err(error) => {
                write_line(&self.out, prefix, 500, 0);
                return Err(error);
            }
        };
        let counted = Arc::clone(&bytes);
        let out = Arc::clone(&self.out);
        Ok(body
            .map_stream(move |chunks| {
                chunks.inspect(move |chunk| {
                    if let Ok(chunk) = chunk {
                        counted.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    }
                })
            })
            .on_close(move || write_line(&out, prefix, status, bytes.load(Ordering::Relaxed))))
    }
}

/// Writes a `500` line when dropped while `prefix` is still set: during a panic in the app.
struct PanicLine<'a> {
    out: &'a Out,
    prefix: Option<&'a str>,
}

impl Drop for PanicLine<'_> {
    fn drop(&mut self) {
        if let Some(prefix) = self.prefix {
            write_line(self.out, prefix.to_owned(), 500, 0);
        }
    }
}

/// Everything before the status: `host - user [time] "request line"`, written into one
/// string with room for the rest of the line. One allocation per request: every field
/// is escaped straight into it, and the time comes from a per-thread cache of the
/// current second's text.
fn line_prefix(env: &Environ) -> String {
    let host = env.get("REMOTE_ADDR").unwrap_or("-");
    let user = env
        .get("REMOTE_USER")
        .filter(|u| !u.is_empty())
        .unwrap_or("-");
    let method = env.request_method();
    let protocol = env.get("SERVER_PROTOCOL").unwrap_or("-");
    let uri = env.get("REQUEST_URI");
    let (path, query) = match uri {
        Some(_) => ("", ""),
        None => (env.get("PATH_INFO").unwrap_or(""), env.query_string()),
    };
    let mut line = String::with_capacity(
        host.len()
            + user.len()
            + method.len()
            + uri.map_or(path.len() + query.len() + 1, str::len)
            + protocol.len()
            + LINE_FIXED,
    );
    escape_into(&mut line, host);
    line.push_str(" - ");
    escape_into(&mut line, user);
    line.push_str(" [");
    push_clf_now(&mut line);
    line.push_str("] \"");
    escape_into(&mut line, method);
    line.push(' ');
    match uri {
        Some(uri) => escape_into(&mut line, uri),
        None => {
            escape_into(&mut line, path);
            if !query.is_empty() {
                line.push('?');
                escape_into(&mut line, query);
            }
        }
    }
    line.push(' ');
    escape_into(&mut line, protocol);
    line.push('"');
    line
}

/// The fixed part of a line (separators, the time, status and size), with room to spare
/// for a few escapes: what `line_prefix` reserves besides its fields' lengths.
const LINE_FIXED: usize = 64;

/// Ends `line` with its status and size (`-` for none) and writes it.
fn write_line(out: &Out, mut line: String, status: u16, bytes: u64) {
    line.push(' ');
    push_number_or_dash(&mut line, u64::from(status));
    line.push(' ');
    push_number_or_dash(&mut line, bytes);
    line.push('\n');
    out.write_line(line.as_bytes());
}

/// `n` in decimal, or `-` for 0 (no status, no body).
fn push_number_or_dash(line: &mut String, n: u64) {
    if n == 0 {
        line.push('-');
    } else {
        // Writing into a `String` cannot fail.
        let _ = write!(line, "{n}");
    }
}

/// Appends `text` to `out`, escaping what would let a value break out of its field or
/// line: quotes, backslashes, control characters (`\x0a`).
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // Writing into a `String` cannot fail.
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// `time` in the Common Log Format, in UTC: `25/Nov/2026:12:00:00 +0000`.
pub fn clf_time(time: SystemTime) -> String {
    let mut text = String::with_capacity(CLF_TIME_LEN);
    push_clf_time(&mut text, unix_seconds(time));
    text
}

/// The length of `clf_time`'s text (years 1000 to 9999).
const CLF_TIME_LEN: usize = "25/Nov/2026:12:00:00 +0000".len();

thread_local! {
    /// The current second and its text: a line per request mostly repeats it.
    static CLF_NOW: RefCell<SecondText> = const { RefCell::new(SecondText::new()) };
}

/// Appends the current time in the Common Log Format, formatted once per second per
/// thread (httpserver's `SecondText`, the clock its `Date` header uses).
fn push_clf_now(out: &mut String) {
    CLF_NOW.with(|cached| {
        let mut cached = cached.borrow_mut();
        out.push_str(cached.now(|now, text| push_clf_time(text, unix_seconds(now))));
    });
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Appends `secs` (since the Unix epoch) in the Common Log Format.
fn push_clf_time(out: &mut String, secs: u64) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    // Writing into a `String` cannot fail.
    let _ = write!(
        out,
        "{day:02}/{}/{year}:{:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31), Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
