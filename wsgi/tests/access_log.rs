//! `AccessLog`: one Common Log Format line per request.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, UNIX_EPOCH};

use wsgi::middleware::{access_log, buffered_access_log, clf_time};
use wsgi::{app_fn, apply_middleware, call_in_process, AppError, Body, Environ, SharedApp};

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

fn logged(app: SharedApp, env: &mut Environ) -> String {
    let out = Shared::default();
    let app = apply_middleware(app, [access_log(out.clone())]);
    let _ = call_in_process(&*app, env);
    out.text()
}

fn request(target: &str) -> Environ {
    let mut env = Environ::from_target("GET", target);
    env.set("REMOTE_ADDR", "10.1.2.3");
    env
}

#[test]
fn one_line_in_common_log_format() {
    let app = app_fn(|_, sr| {
        sr.start_response("201 Created", [("Content-Type", "text/plain")])?;
        Ok(Body::from_chunks(vec![b"abc".to_vec(), b"de".to_vec()]))
    });
    let line = logged(app, &mut request("/x?y=1"));
    assert_eq!(line.lines().count(), 1);
    assert!(line.starts_with("10.1.2.3 - - ["), "{line}");
    assert!(
        line.ends_with("] \"GET /x?y=1 HTTP/1.1\" 201 5\n"),
        "{line}"
    );
}

#[test]
fn empty_body_logs_a_dash_for_size_and_remote_user_is_shown() {
    let app = app_fn(|_, sr| {
        sr.start_response("204 No Content", Vec::<(String, String)>::new())?;
        Ok(Body::empty())
    });
    let mut env = request("/");
    env.set("REMOTE_USER", "ann");
    let line = logged(app, &mut env);
    assert!(line.starts_with("10.1.2.3 - ann ["), "{line}");
    assert!(line.ends_with("\" 204 -\n"), "{line}");
}

#[test]
fn legacy_write_bytes_are_counted() {
    let app = app_fn(|_, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?
            .write(b"1234")?;
        Ok(Body::from_bytes("56"))
    });
    assert!(logged(app, &mut request("/")).ends_with("\" 200 6\n"));
}

#[test]
fn app_error_is_logged_as_500() {
    fn failing(_: &mut Environ, _: &mut wsgi::StartResponse<'_>) -> Result<Body, AppError> {
        Err("no".into())
    }
    let line = logged(Arc::new(failing), &mut request("/"));
    assert!(line.ends_with("\" 500 -\n"), "{line}");
}

#[test]
fn request_line_cannot_forge_a_log_line() {
    let app = app_fn(|_, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Body::empty())
    });
    let mut env = request("/");
    env.set("REQUEST_URI", "/a\"\n10.0.0.1 - - [x] \"GET /admin");
    let line = logged(app, &mut env);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("/a\\\"\\x0a10.0.0.1"), "{line}");
}

#[test]
fn clf_time_is_utc_day_month_year() {
    // 2000-10-10T13:55:36Z, Apache's documentation example (in UTC).
    let t = UNIX_EPOCH + Duration::from_secs(971_186_136);
    assert_eq!(clf_time(t), "10/Oct/2000:13:55:36 +0000");
    assert_eq!(clf_time(UNIX_EPOCH), "01/Jan/1970:00:00:00 +0000");
    // A leap day.
    assert_eq!(
        clf_time(UNIX_EPOCH + Duration::from_secs(951_782_400)),
        "29/Feb/2000:00:00:00 +0000"
    );
}

#[test]
fn a_panic_before_the_body_is_logged_as_500() {
    // The gateway answers such a panic with a 500; the log must say so too, not stay
    // silent about the very request that failed.
    let app = app_fn(|_, _| panic!("a panic in the app (expected)"));
    let out = Shared::default();
    let app = apply_middleware(app, [access_log(out.clone())]);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = call_in_process(&*app, &mut request("/boom"));
    }));
    assert!(outcome.is_err(), "the panic goes on to the gateway");
    let text = out.text();
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(text.ends_with("\"GET /boom HTTP/1.1\" 500 -\n"), "{text:?}");
}

/// A writer that counts its `write` calls besides keeping what they wrote.
#[derive(Clone, Default)]
struct CountedWrites {
    text: Shared,
    writes: Arc<Mutex<usize>>,
}

impl Write for CountedWrites {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        *self.writes.lock().expect("lock") += 1;
        self.text.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn hello() -> SharedApp {
    app_fn(|_, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Body::from_bytes("hi"))
    })
}

#[test]
fn buffered_lines_arrive_together_and_promptly() {
    let out = CountedWrites::default();
    let app = apply_middleware(hello(), [buffered_access_log(out.clone())]);
    for i in 0..100 {
        let _ = call_in_process(&*app, &mut request(&format!("/n/{i}")));
    }
    // Within the flush period (50 ms), with a wide margin for a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(5);
    while out.text.text().lines().count() < 100 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let text = out.text.text();
    assert_eq!(text.lines().count(), 100, "every line arrives: {text}");
    assert!(text
        .lines()
        .nth(99)
        .is_some_and(|l| l.contains("\"GET /n/99 HTTP/1.1\" 200 2")));
    let writes = *out.writes.lock().expect("lock");
    assert!(writes < 100, "100 lines took {writes} writes: not buffered");
}

#[test]
fn buffered_lines_are_written_when_the_log_is_dropped() {
    let out = CountedWrites::default();
    let app = apply_middleware(hello(), [buffered_access_log(out.clone())]);
    let _ = call_in_process(&*app, &mut request("/last"));
    drop(app);
    let text = out.text.text();
    assert!(text.ends_with("\"GET /last HTTP/1.1\" 200 2\n"), "{text:?}");
}
