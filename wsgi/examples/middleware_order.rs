//! Middleware order made visible: which middleware is outermost?
//!
//! Run: `cargo run -p wsgi --example middleware_order`. No server: the app is called
//! in-process. Watch the printed trace: middleware are given as `[a, b, c]`, as in web.py's
//! `app.wsgifunc(a, b, c)`, and the **last one, c, is outermost** — it sees the request
//! first and the response last — because `wsgifunc` does `for m in middleware: wsgi =
//! m(wsgi)`.

use std::sync::{Arc, Mutex};

use wsgi::{
    app_fn, apply_middleware, call_in_process, middleware_fn, Body, Environ, Middleware, WsgiApp,
};

type Trace = Arc<Mutex<Vec<String>>>;

/// A middleware that notes when a request passes in and its response passes out, and
/// tags the response with a header so the nesting shows in the headers too.
fn named(name: &'static str, trace: Trace) -> Middleware {
    middleware_fn(move |inner: &dyn WsgiApp, env, sr| {
        let depth = env.get("X_DEPTH").map_or(0, |d| d.len());
        let pad = "  ".repeat(depth);
        trace
            .lock()
            .expect("trace lock")
            .push(format!("{pad}{name}: request in"));
        env.set("X_DEPTH", "+".repeat(depth + 1));
        let mut forward = sr.forward(|_, headers| headers.push(("X-Via".into(), name.into())));
        let body = inner.call(env, &mut wsgi::StartResponse::new(&mut forward));
        trace
            .lock()
            .expect("trace lock")
            .push(format!("{pad}{name}: response out"));
        body
    })
}

fn main() -> Result<(), wsgi::WsgiError> {
    let (trace, via) = run()?;
    println!("apply_middleware(app, [a, b, c]):");
    for line in &trace {
        println!("  {line}");
    }
    println!("X-Via headers, added on the way out: {}", via.join(", "));
    println!("outermost: c (the last given)");
    Ok(())
}

/// Calls the wrapped app once; returns the trace and the `X-Via` headers in order.
pub fn run() -> Result<(Vec<String>, Vec<String>), wsgi::WsgiError> {
    let trace: Trace = Arc::default();
    let app_trace = Arc::clone(&trace);
    let app = app_fn(move |env, sr| {
        let depth = env.get("X_DEPTH").map_or(0, |d| d.len());
        app_trace
            .lock()
            .expect("trace lock")
            .push(format!("{}app", "  ".repeat(depth)));
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Body::from_bytes("hello"))
    });
    let wrapped = apply_middleware(
        app,
        [
            named("a", Arc::clone(&trace)),
            named("b", Arc::clone(&trace)),
            named("c", Arc::clone(&trace)),
        ],
    );
    let response = call_in_process(&*wrapped, &mut Environ::new())?;
    let via = response
        .headers
        .iter()
        .filter(|(n, _)| n == "X-Via")
        .map(|(_, v)| v.clone())
        .collect();
    let trace = trace.lock().expect("trace lock").clone();
    Ok((trace, via))
}
