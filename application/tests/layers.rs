//! The order of middleware and processors, both listed outermost first, and the names
//! processors carry into the trace.

use std::io::Write;
use std::sync::{Arc, Mutex};

use application::{
    loadhook, processor_fn, web, Application, Args, MiddlewareStack, Next, Processor, ServerConfig,
    Target,
};
use tracing_subscriber::fmt::format::FmtSpan;
use wsgi::{middleware_fn, Middleware};

type Log = Arc<Mutex<Vec<&'static str>>>;

fn push(log: &Log, name: &'static str) {
    log.lock().expect("no test thread panicked").push(name);
}

fn middleware(name: &'static str, log: &Log) -> Middleware {
    let log = Arc::clone(log);
    middleware_fn(move |inner, env, sr| {
        push(&log, name);
        inner.call(env, sr)
    })
}

fn logged_app(log: &Log) -> Application {
    let mut app =
        Application::new([("/", Target::func(|_: &Args| Ok("hi".into())))]).expect("valid");
    for name in ["processor 1", "processor 2"] {
        let log = Arc::clone(log);
        app.add_processor(processor_fn(move |next| {
            push(&log, name);
            next.run()
        }));
    }
    app
}

/// The order the request met the layers in, through a real server.
fn trip(app: &Application, stack: MiddlewareStack, log: &Log) -> Vec<&'static str> {
    let server = app
        .start_with(ServerConfig::new("127.0.0.1:0"), stack)
        .expect("a server on 127.0.0.1:0 starts");
    let answer = testkit::exchange(
        server.local_addr(),
        b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.ends_with("hi"), "{answer}");
    let seen = log.lock().expect("no test thread panicked").clone();
    seen
}

#[test]
fn middleware_listed_outermost_first_wraps_the_processors_added_first_to_last() {
    let log = Log::default();
    let app = logged_app(&log);
    let stack = MiddlewareStack::outermost_first([
        middleware("middleware 1", &log),
        middleware("middleware 2", &log),
    ]);
    assert_eq!(
        trip(&app, stack, &log),
        ["middleware 1", "middleware 2", "processor 1", "processor 2"]
    );
}

#[test]
fn middleware_listed_innermost_first_is_web_pys_order_and_nests_the_other_way() {
    let log = Log::default();
    let app = logged_app(&log);
    let stack = MiddlewareStack::innermost_first([
        middleware("middleware 1", &log),
        middleware("middleware 2", &log),
    ]);
    assert_eq!(
        trip(&app, stack, &log),
        ["middleware 2", "middleware 1", "processor 1", "processor 2"]
    );
}

fn require_login() {}

#[test]
fn a_processor_is_named_by_the_name_given_or_by_its_function() {
    let named = processor_fn(|next| next.run()).named("csrf");
    assert_eq!(named.name(), "csrf");
    assert_eq!(
        loadhook(require_login).name(),
        "loadhook layers::require_login"
    );
    let unnamed = processor_fn(|next| next.run());
    assert_eq!(
        unnamed.name(),
        "closure in layers::a_processor_is_named_by_the_name_given_or_by_its_function"
    );
}

/// A writer into a buffer the test reads afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("no test thread panicked")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_trace_shows_each_processor_by_its_name_where_two_closures_would_read_alike() {
    let mut app =
        Application::new([("/", Target::func(|_: &Args| Ok("hi".into())))]).expect("valid");
    app.add_processor_named("frame_options", |next: Next<'_>| {
        web::header("X-Frame-Options", "DENY")?;
        next.run()
    });
    app.add_processor(processor_fn(|next| next.run()).named("timing"));
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(FmtSpan::NEW)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let r = tracing::subscriber::with_default(subscriber, || app.request("/").send());
    assert_eq!(r.header("X-Frame-Options"), Some("DENY"));
    let trace = String::from_utf8_lossy(&captured.0.lock().expect("no panic")).into_owned();
    // Each processor's span opening ("…: new") names it last in its line.
    let names: Vec<&str> = trace
        .lines()
        .filter(|l| l.ends_with("application::processor: new"))
        .filter_map(|l| l.rsplit("Application.processor{name=").next())
        .filter_map(|rest| rest.split('}').next())
        .collect();
    assert_eq!(names, ["frame_options", "timing"], "{trace}");
}
