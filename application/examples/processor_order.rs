//! Processor order made visible: the first added is outermost, errors pass through as
//! values, and the unload hook runs last, even after a panic or a streamed body.
//!
//! Run: `cargo run -p application --example processor_order`. Each request prints the
//! trace the processors left: `p1(p2(p3(handle)))` reads as `p1 in, p2 in, p3 in,
//! handle, p3 out, p2 out, p1 out`.

use std::sync::{Arc, Mutex};

use application::{loadhook, processor_fn, unloadhook, Application, Args, Body, Error, Target};

type Trace = Arc<Mutex<Vec<String>>>;

fn note(trace: &Trace, what: impl Into<String>) {
    if let Ok(mut t) = trace.lock() {
        t.push(what.into());
    }
}

fn main() -> Result<(), Error> {
    // Warnings on stderr; RUST_LOG=debug adds each request's trip.
    application::logging::init();
    let trace: Trace = Trace::default();
    let (t0, t1) = (Arc::clone(&trace), Arc::clone(&trace));
    let mut app = Application::new([
        (
            "/",
            Target::func(move |_: &Args| {
                note(&t0, "handle");
                Ok("hello".into())
            }),
        ),
        (
            "/missing",
            Target::func(|_: &Args| Err(application::notfound())),
        ),
        (
            "/panic",
            Target::func(|_: &Args| panic!("a handler bug (this message is expected)")),
        ),
        (
            "/stream",
            Target::func(move |_: &Args| {
                let t = Arc::clone(&t1);
                Ok(Body::stream((1..=2).map(move |i| {
                    note(&t, format!("chunk {i}"));
                    format!("chunk {i};").into_bytes()
                })))
            }),
        ),
    ])?;
    let t = Arc::clone(&trace);
    app.add_processor(loadhook(move || note(&t, "loadhook")));
    for name in ["p1", "p2", "p3"] {
        let t = Arc::clone(&trace);
        let processor = processor_fn(move |next| {
            note(&t, format!("{name} in"));
            let out = next.run();
            let seen = match &out {
                Ok(_) => "ok".to_string(),
                Err(e) => e.status().to_string(),
            };
            note(&t, format!("{name} out ({seen})"));
            out
        });
        // The name a `RUST_LOG=debug` trip shows for it.
        app.add_processor(processor.named(name));
    }
    let t = Arc::clone(&trace);
    app.add_processor(unloadhook(move || note(&t, "unloadhook")));

    for path in ["/", "/missing", "/panic", "/stream"] {
        if let Ok(mut t) = trace.lock() {
            t.clear();
        }
        let r = app.request(path).send();
        let steps = trace.lock().map(|t| t.join(", ")).unwrap_or_default();
        println!("{path:9} {} {:?}\n          {steps}", r.status, r.text());
    }
    Ok(())
}
