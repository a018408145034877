//! `AccessLog`: one Common Log Format line per request, like web.py's `LogMiddleware`.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use super::CountingSink;
use crate::app::{Middleware, SharedApp, WsgiApp};
use crate::body::Body;
use crate::environ::Environ;
use crate::error::AppError;
use crate::start_response::StartResponse;

type Out = Arc<Mutex<Box<dyn Write + Send>>>;

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
pub struct AccessLog {
    app: SharedApp,
    out: Out,
}

impl AccessLog {
    /// Wraps `app`, logging to `out` (one `write_all` per line).
    pub fn new(app: SharedApp, out: impl Write + Send + 'static) -> AccessLog {
        AccessLog {
            app,
            out: Arc::new(Mutex::new(Box::new(out))),
        }
    }
}

/// The access log as a `Middleware`, writing to `out` (`std::io::stderr()` for web.py's
/// behaviour).
pub fn access_log(out: impl Write + Send + 'static) -> Middleware {
    Box::new(move |app: SharedApp| -> SharedApp { Arc::new(AccessLog::new(app, out)) })
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
            let mut forward = sr.forward(|s, _| status = s.code());
            let mut counting = CountingSink::new(&mut forward, Arc::clone(&bytes));
            self.app.call(env, &mut StartResponse::new(&mut counting))
        };
        pending.prefix = None;
        drop(pending);
        let body = match result {
            Ok(body) => body,
            Err(error) => {
                write_line(&self.out, &prefix, 500, 0);
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
            .on_close(move || write_line(&out, &prefix, status, bytes.load(Ordering::Relaxed))))
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
            write_line(self.out, prefix, 500, 0);
        }
    }
}

/// Everything before the status: `host - user [time] "request line"`.
fn line_prefix(env: &Environ) -> String {
    let host = env.get("REMOTE_ADDR").unwrap_or("-");
    let user = env
        .get("REMOTE_USER")
        .filter(|u| !u.is_empty())
        .unwrap_or("-");
    let uri = env
        .get("REQUEST_URI")
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let path = env.get("PATH_INFO").unwrap_or("");
            match env.query_string() {
                "" => path.to_owned(),
                q => format!("{path}?{q}"),
            }
        });
    let request = format!(
        "{} {} {}",
        env.request_method(),
        uri,
        env.get("SERVER_PROTOCOL").unwrap_or("-")
    );
    format!(
        "{} - {} [{}] \"{}\"",
        escape(host),
        escape(user),
        clf_time(SystemTime::now()),
        escape(&request)
    )
}

fn write_line(out: &Out, prefix: &str, status: u16, bytes: u64) {
    let size = if bytes == 0 {
        "-".to_owned()
    } else {
        bytes.to_string()
    };
    let status = if status == 0 {
        "-".to_owned()
    } else {
        status.to_string()
    };
    let line = format!("{prefix} {status} {size}\n");
    // A poisoned lock only means another request panicked while logging; the writer is
    // still usable, and losing the log would hide the very failure being investigated.
    let mut out = out.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // A failing log sink must not fail the response it describes.
    let _ = out.write_all(line.as_bytes());
}

/// Escapes what would let a value break out of its field or line.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `time` in the Common Log Format, in UTC: `25/Nov/2026:12:00:00 +0000`.
pub fn clf_time(time: SystemTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{day:02}/{}/{year}:{:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
