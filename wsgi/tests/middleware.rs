//! Middleware: functions from app to app, applied in web.py's `wsgifunc(*middleware)` order.

use std::sync::{Arc, Mutex};

use wsgi::{
    app_fn, apply_middleware, call_in_process, middleware_fn, AppError, Body, Environ, Middleware,
    SharedApp, StartResponse, WsgiApp,
};

fn hello(_: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
    sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
    Ok(Body::from_bytes("hello"))
}

/// A middleware that records "name>" on the way in and "<name" on the way out.
fn tracer(name: &'static str, trace: Arc<Mutex<Vec<String>>>) -> Middleware {
    middleware_fn(
        move |inner: &dyn WsgiApp, env: &mut Environ, sr: &mut StartResponse<'_>| {
            trace.lock().expect("lock").push(format!("{name}>"));
            let body = inner.call(env, sr);
            trace.lock().expect("lock").push(format!("<{name}"));
            body
        },
    )
}

#[test]
fn last_middleware_is_outermost() {
    let trace = Arc::new(Mutex::new(Vec::new()));
    let app: SharedApp = Arc::new(hello);
    let app = apply_middleware(
        app,
        [
            tracer("first", Arc::clone(&trace)),
            tracer("second", Arc::clone(&trace)),
        ],
    );
    call_in_process(&*app, &mut Environ::new()).expect("app runs");
    assert_eq!(
        *trace.lock().expect("lock"),
        vec!["second>", "first>", "<first", "<second"]
    );
}

#[test]
fn no_middleware_leaves_the_app_alone() {
    let app = apply_middleware(app_fn(hello), Vec::new());
    let response = call_in_process(&*app, &mut Environ::new()).expect("app runs");
    assert_eq!(response.body, b"hello");
}

#[test]
fn forward_lets_middleware_see_and_change_headers() {
    let seen = Arc::new(Mutex::new(None));
    let seen_in = Arc::clone(&seen);
    let tag = middleware_fn(move |inner, env, sr| {
        let mut forward = sr.forward(|status, headers| {
            *seen_in.lock().expect("lock") = Some(status.code());
            headers.push(("X-Tagged".into(), "yes".into()));
        });
        inner.call(env, &mut StartResponse::new(&mut forward))
    });
    let app = apply_middleware(app_fn(hello), [tag]);
    let response = call_in_process(&*app, &mut Environ::new()).expect("app runs");
    assert_eq!(*seen.lock().expect("lock"), Some(200));
    assert_eq!(response.header("x-tagged"), Some("yes"));
}

#[test]
fn forwarded_headers_are_checked_again() {
    let evil = middleware_fn(|inner, env, sr| {
        let mut forward = sr.forward(|_, headers| {
            headers.push(("X-Evil".into(), "a\r\nb".into()));
        });
        inner.call(env, &mut StartResponse::new(&mut forward))
    });
    let app = apply_middleware(app_fn(hello), [evil]);
    assert!(call_in_process(&*app, &mut Environ::new()).is_err());
}

#[test]
fn middleware_can_change_the_body_and_add_a_close_hook() {
    let closed = Arc::new(Mutex::new(false));
    let closed_in = Arc::clone(&closed);
    let upper = middleware_fn(move |inner, env, sr| {
        let flag = Arc::clone(&closed_in);
        Ok(inner
            .call(env, sr)?
            .map_stream(|chunks| chunks.map(|c| c.map(|b| b.to_ascii_uppercase())))
            .on_close(move || *flag.lock().expect("lock") = true))
    });
    let app = apply_middleware(app_fn(hello), [upper]);
    let response = call_in_process(&*app, &mut Environ::new()).expect("app runs");
    assert_eq!(response.body, b"HELLO");
    assert!(*closed.lock().expect("lock"));
}

#[test]
fn closures_are_apps_through_app_fn() {
    let greeting = String::from("hi from a closure");
    let app = app_fn(move |_env, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Body::from_bytes(greeting.clone()))
    });
    let response = call_in_process(&*app, &mut Environ::new()).expect("app runs");
    assert_eq!(response.text(), "hi from a closure");
}
