//! Processors, loadhook and unloadhook, specified through `request()`.

use std::sync::{Arc, Mutex};

use application::{
    ctx, loadhook, notfound, unloadhook, web, Application, Args, Body, HttpError, Next, Outcome,
    Target,
};

type Log = Arc<Mutex<Vec<String>>>;

fn push(log: &Log, entry: impl Into<String>) {
    log.lock()
        .expect("a test thread panicked while holding the log")
        .push(entry.into());
}

fn entries(log: &Log) -> Vec<String> {
    log.lock()
        .expect("a test thread panicked while holding the log")
        .clone()
}

fn logging_app(log: &Log, target: Target) -> Application {
    let mut app = Application::new([("/", target)]).unwrap();
    for name in ["p1", "p2", "p3"] {
        let log = Arc::clone(log);
        app.add_processor(move |next: Next<'_>| {
            push(&log, format!("{name} in"));
            let out = next.run();
            push(&log, format!("{name} out"));
            out
        });
    }
    app
}

#[test]
fn the_first_processor_added_is_outermost() {
    let log: Log = Log::default();
    let handler_log = Arc::clone(&log);
    let app = logging_app(
        &log,
        Target::func(move |_: &Args| {
            push(&handler_log, "handle");
            Ok("ok".into())
        }),
    );
    assert_eq!(app.request("/").send().text(), "ok");
    assert_eq!(
        entries(&log),
        ["p1 in", "p2 in", "p3 in", "handle", "p3 out", "p2 out", "p1 out"]
    );
}

#[test]
fn an_outer_processor_sees_an_http_error_as_a_value_and_may_change_it() {
    let mut app = Application::new([("/", Target::func(|_: &Args| Err(notfound())))]).unwrap();
    app.add_processor(|next: Next<'_>| match next.run() {
        Err(e) if e.code() == 404 => Err(HttpError::new(
            "410 Gone",
            vec![],
            format!("was {}", e.status()),
        )?),
        other => other,
    });
    let r = app.request("/").send();
    assert_eq!(r.status, "410 Gone");
    assert_eq!(r.text(), "was 404 Not Found");
}

#[test]
fn an_outer_processor_sees_the_404_of_an_unmatched_path() {
    let mut app = Application::new([("/", Target::func(|_: &Args| Ok("home".into())))]).unwrap();
    app.add_processor(|next: Next<'_>| {
        next.run()
            .or_else(|e| Ok(format!("rescued {}", e.code()).into()))
    });
    assert_eq!(app.request("/missing").send().text(), "rescued 404");
}

#[test]
fn a_panicking_handler_is_a_500_value_the_processors_still_see() {
    let log: Log = Log::default();
    let app = logging_app(&log, Target::func(|_: &Args| panic!("handler bug")));
    let r = app.request("/").send();
    assert_eq!(r.status, "500 Internal Server Error");
    assert_eq!(
        r.text(),
        "internal server error",
        "no debug details by default"
    );
    assert_eq!(
        entries(&log),
        ["p1 in", "p2 in", "p3 in", "p3 out", "p2 out", "p1 out"]
    );
}

#[test]
fn a_processor_may_answer_without_calling_the_handler() {
    let mut app =
        Application::new([("/", Target::func(|_: &Args| panic!("must not run")))]).unwrap();
    app.add_processor(|_next: Next<'_>| Err(application::forbidden()));
    assert_eq!(app.request("/").send().status, "403 Forbidden");
}

#[test]
fn a_processor_reads_the_request_and_adds_response_headers_after_the_handler() {
    let mut app = Application::new([("/", Target::func(|_: &Args| Ok("body".into())))]).unwrap();
    app.add_processor(|next: Next<'_>| {
        let agent = ctx::with(|c| c.env("HTTP_USER_AGENT").unwrap_or("-").to_string())?;
        let out = next.run();
        application::web::header("X-Agent", &agent)?;
        out
    });
    let r = app.request("/").header("User-Agent", "probe/1").send();
    assert_eq!(r.header("X-Agent"), Some("probe/1"));
}

#[test]
fn loadhook_runs_before_and_unloadhook_after_the_handler() {
    let log: Log = Log::default();
    let (l1, l2, l3) = (Arc::clone(&log), Arc::clone(&log), Arc::clone(&log));
    let mut app = Application::new([(
        "/",
        Target::func(move |_: &Args| {
            push(&l2, "handle");
            Ok("x".into())
        }),
    )])
    .unwrap();
    app.add_processor(loadhook(move || push(&l1, "load")));
    app.add_processor(unloadhook(move || push(&l3, "unload")));
    app.request("/").send();
    assert_eq!(entries(&log), ["load", "handle", "unload"]);
}

#[test]
fn unloadhook_runs_even_when_the_handler_failed() {
    let log: Log = Log::default();
    let l = Arc::clone(&log);
    let mut app = Application::new([("/", Target::func(|_: &Args| panic!("boom")))]).unwrap();
    app.add_processor(unloadhook(move || push(&l, "unload")));
    assert_eq!(app.request("/").send().code(), 500);
    assert_eq!(entries(&log), ["unload"]);
}

#[test]
fn unloadhook_runs_after_a_streamed_body_ends_with_ctx_still_there() {
    let log: Log = Log::default();
    let (l1, l2) = (Arc::clone(&log), Arc::clone(&log));
    let mut app = Application::new([(
        "/stream",
        Target::func(move |_: &Args| {
            let l = Arc::clone(&l1);
            Ok(Body::stream((0..3).map(move |i| {
                push(&l, format!("chunk {i}"));
                vec![b'a' + i]
            })))
        }),
    )])
    .unwrap();
    app.add_processor(unloadhook(move || {
        let path = ctx::with(|c| c.path.clone()).unwrap_or_else(|e| e.to_string());
        push(&l2, format!("unload {path}"));
    }));
    let r = app.request("/stream").send();
    assert_eq!(r.text(), "abc");
    assert_eq!(
        r.header("Content-Length"),
        None,
        "a stream has no Content-Length"
    );
    assert_eq!(
        entries(&log),
        ["chunk 0", "chunk 1", "chunk 2", "unload /stream"]
    );
}

#[test]
fn headers_of_a_stream_are_fixed_when_its_first_chunk_is_ready_and_later_ones_are_refused() {
    // web.py's generator handlers: a header set before the first `yield` counts (peep
    // pulls the first chunk before start_response); after it, web.py dropped it silently,
    // here `header` says so with Error::HeadersSent.
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            let mut n = 0;
            Ok(Body::stream(std::iter::from_fn(move || {
                n += 1;
                let set = application::web::header(&format!("X-Chunk-{n}"), "set");
                let refused = matches!(set, Err(application::Error::HeadersSent));
                (n <= 2).then(|| format!("{n}:{refused};").into_bytes())
            })))
        }),
    )])
    .unwrap();
    let r = app.request("/").send();
    assert_eq!(r.text(), "1:false;2:true;");
    assert_eq!(r.header("X-Chunk-1"), Some("set"));
    assert_eq!(r.header("X-Chunk-2"), None);
}

#[test]
fn a_stream_that_panics_on_its_first_chunk_is_a_clean_500() {
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            Ok(Body::stream(std::iter::from_fn(|| -> Option<Vec<u8>> {
                panic!("first chunk")
            })))
        }),
    )])
    .unwrap();
    assert_eq!(app.request("/").send().status, "500 Internal Server Error");
}

#[test]
fn unloadhook_runs_when_a_later_chunk_of_a_stream_panics() {
    let log: Log = Log::default();
    let l = Arc::clone(&log);
    let mut app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            let mut n = 0;
            Ok(Body::stream(std::iter::from_fn(move || {
                n += 1;
                if n == 2 {
                    panic!("second chunk");
                }
                Some(b"first".to_vec())
            })))
        }),
    )])
    .unwrap();
    app.add_processor(unloadhook(move || push(&l, "unload")));
    let r = app.request("/").send();
    assert_eq!(
        r.code(),
        500,
        "request() reports the broken stream instead of panicking"
    );
    assert_eq!(entries(&log), ["unload"]);
    assert!(!ctx::in_request());
}

#[test]
fn a_sub_applications_processors_run_inside_the_parents() {
    let log: Log = Log::default();
    let (la, lb) = (Arc::clone(&log), Arc::clone(&log));
    let mut sub = Application::new([("/x", Target::func(|_: &Args| Ok("x".into())))]).unwrap();
    sub.add_processor(loadhook(move || push(&lb, "sub")));
    let mut app = Application::new([("/sub", Target::app(sub))]).unwrap();
    app.add_processor(loadhook(move || push(&la, "parent")));
    assert_eq!(app.request("/sub/x").send().text(), "x");
    assert_eq!(entries(&log), ["parent", "sub"]);
}

#[test]
fn an_unload_hook_outcome_value_passes_through_unchanged() {
    let mut app =
        Application::new([("/", Target::func(|_: &Args| Err(application::gone())))]).unwrap();
    app.add_processor(unloadhook(|| {}));
    let outcome: Outcome = Err(application::gone());
    assert_eq!(
        app.request("/").send().status,
        outcome
            .err()
            .map(|e| e.status().to_string())
            .unwrap_or_default()
    );
}

#[test]
fn a_loadhook_error_is_the_response_and_the_handler_does_not_run() {
    // web.py: a load hook that raised web.seeother("/login") answered with the redirect.
    let log = Log::default();
    let handler = {
        let log = Arc::clone(&log);
        Target::func(move |_: &Args| {
            push(&log, "handle");
            Ok("secret".into())
        })
    };
    let mut app = logging_app(&log, handler);
    app.add_processor(loadhook(|| -> Result<(), HttpError> {
        match web::cookies()?.get("user") {
            Some(_) => Ok(()),
            None => Err(web::seeother("/login")),
        }
    }));
    let r = app.request("/").send();
    assert_eq!(
        (r.status.as_str(), r.header("Location")),
        ("303 See Other", Some("http://0.0.0.0:8080/login"))
    );
    assert!(
        !entries(&log).iter().any(|e| e == "handle"),
        "{:?}",
        entries(&log)
    );
    assert_eq!(
        app.request("/").header("Cookie", "user=ann").send().text(),
        "secret"
    );
}

#[test]
fn an_unloadhook_error_replaces_the_response() {
    let mut app = Application::new([("/", Target::func(|_: &Args| Ok("fine".into())))]).unwrap();
    app.add_processor(unloadhook(|| Err(application::forbidden())));
    let r = app.request("/").send();
    assert_eq!((r.code(), r.text().as_str()), (403, "forbidden"));
}

#[test]
fn a_processor_added_to_an_application_after_it_was_mounted_still_runs_there() {
    // Mounting takes a handle to the application, as Python took a reference: adding
    // to it afterwards (Session::install after Target::app) reaches the mounted copy.
    let mut blog =
        Application::new([("/post", Target::func(|_: &Args| Ok("post".into())))]).unwrap();
    let site = Application::new([("/blog", Target::app(blog.clone()))]).unwrap();
    blog.add_processor(|next: Next<'_>| {
        web::header("X-Blog", "processed")?;
        next.run()
    });
    assert_eq!(
        site.request("/blog/post").send().header("X-Blog"),
        Some("processed")
    );
}
