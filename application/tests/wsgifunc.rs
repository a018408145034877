//! `wsgifunc(middleware)`: the application as a WSGI callable, middleware in web.py's order.

use std::sync::{Arc, Mutex};

use application::{unloadhook, Application, Args, Body, Target};
use wsgi::{call_in_process, middleware_fn, Environ, Middleware};

fn tagging(name: &'static str, log: &Arc<Mutex<Vec<&'static str>>>) -> Middleware {
    let log = Arc::clone(log);
    middleware_fn(move |inner, env, sr| {
        log.lock().expect("log lock").push(name);
        inner.call(env, sr)
    })
}

#[test]
fn the_first_middleware_given_is_innermost() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let app =
        Application::new([("/", Target::func(|_: &Args| Ok("hi".into())))]).expect("valid pattern");
    let callable = app.wsgifunc([tagging("first", &log), tagging("second", &log)]);
    let mut env = Environ::from_target("GET", "/");
    let r = call_in_process(&*callable, &mut env).expect("the app answers");
    assert_eq!(
        (r.status.as_str(), r.body.as_slice()),
        ("200 OK", &b"hi"[..])
    );
    assert_eq!(
        *log.lock().expect("log lock"),
        ["second", "first"],
        "the last given sees the request first"
    );
}

#[test]
fn a_streamed_body_ends_with_the_gateways_close_and_runs_the_unload_hook_then() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut app = Application::new([(
        "/",
        Target::func(|_: &Args| Ok(Body::stream([b"a".to_vec(), b"b".to_vec()]))),
    )])
    .expect("valid pattern");
    let l = Arc::clone(&log);
    app.add_processor(unloadhook(move || {
        l.lock().expect("log lock").push("unload")
    }));
    let callable = app.wsgifunc([]);
    let mut env = Environ::from_target("GET", "/");
    let mut recorder = wsgi::Recorder::default();
    let mut body = {
        let mut sr = wsgi::StartResponse::new(&mut recorder);
        callable.call(&mut env, &mut sr).expect("the app answers")
    };
    assert_eq!(body.next().map(|c| c.ok()), Some(Some(b"a".to_vec())));
    assert!(
        log.lock().expect("log lock").is_empty(),
        "the stream is not over yet"
    );
    body.close().expect("close runs");
    assert_eq!(
        *log.lock().expect("log lock"),
        ["unload"],
        "abandoned after one chunk, the hook still ran"
    );
}

#[test]
fn a_processor_added_later_reaches_a_callable_already_made_as_in_web_py() {
    // web.py's wsgifunc closed over `self`, so a processor added afterwards counted.
    let mut app = Application::new([("/", Target::func(|_: &Args| Ok("before".into())))])
        .expect("valid pattern");
    let callable = app.wsgifunc([]);
    app.add_processor(|_next: application::Next<'_>| Ok("after".into()));
    let mut env = Environ::from_target("GET", "/");
    assert_eq!(
        call_in_process(&*callable, &mut env).expect("answers").body,
        b"after"
    );
    assert_eq!(app.request("/").send().text(), "after");
}

#[test]
fn a_middleware_setting_the_environ_after_the_call_does_not_change_ctx_env() {
    // ctx holds the request's variables shared with the environ, not copied: a set made
    // by a middleware once the application returned copies them first, so a stream that
    // reads ctx later still sees the request as it came.
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            // The first chunk is pulled before the call returns; the second after.
            let late = std::iter::once(()).map(|()| {
                let query = application::ctx::env("QUERY_STRING");
                query.ok().flatten().unwrap_or_default().into_bytes()
            });
            Ok(Body::stream(std::iter::once(b"?".to_vec()).chain(late)))
        }),
    )])
    .expect("valid pattern");
    let rewriting = middleware_fn(|inner, env, sr| {
        let body = inner.call(env, sr)?;
        env.set("QUERY_STRING", "rewritten");
        Ok(body)
    });
    let callable = app.wsgifunc([rewriting]);
    let mut env = Environ::from_target("GET", "/?x=1");
    let r = call_in_process(&*callable, &mut env).expect("the app answers");
    assert_eq!(r.body, b"?x=1");
    assert_eq!(env.get("QUERY_STRING"), Some("rewritten"));
}
