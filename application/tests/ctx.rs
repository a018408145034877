//! `ctx`: web.py's fields, cleared and set for every request, never shared.

use std::sync::Arc;
use std::thread;

use application::{ctx, web, Application, Args, Error, Next, Target};

fn show_ctx() -> Target {
    Target::func(|_: &Args| {
        let s = ctx::with(|c| {
            format!(
                "host={:?} protocol={} homedomain={} homepath={:?} home={} realhome={} ip={:?} method={} path={} query={:?} fullpath={}",
                c.host, c.protocol, c.homedomain, c.homepath, c.home, c.realhome, c.ip, c.method, c.path, c.query, c.fullpath
            )
        })?;
        Ok(s.into())
    })
}

#[test]
fn ctx_has_web_py_fields_for_the_request() {
    let app = Application::new([("/(.*)", show_ctx())]).unwrap();
    let r = app
        .request("/a/b?x=1&y=2")
        .host("example.com:8080")
        .env("REMOTE_ADDR", "10.0.0.9")
        .send();
    assert_eq!(
        r.text(),
        "host=Some(\"example.com:8080\") protocol=http homedomain=http://example.com:8080 homepath=\"\" \
         home=http://example.com:8080 realhome=http://example.com:8080 ip=Some(\"10.0.0.9\") method=GET \
         path=/a/b query=\"?x=1&y=2\" fullpath=/a/b?x=1&y=2"
    );
}

#[test]
fn ctx_env_gives_every_environ_variable() {
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            let s = ctx::with(|c| {
                let keys: Vec<&str> = c.environ().map(|(k, _)| k).collect();
                format!(
                    "{:?} {:?} {}",
                    c.env("HTTP_X_TRACE"),
                    c.env("REQUEST_METHOD"),
                    keys.contains(&"PATH_INFO")
                )
            })?;
            Ok(s.into())
        }),
    )])
    .unwrap();
    let r = app.request("/").header("X-Trace", "t1").send();
    assert_eq!(r.text(), r#"Some("t1") Some("GET") true"#);
}

#[test]
fn https_and_script_name_shape_home() {
    let app = Application::new([("/(.*)", show_ctx())]).unwrap();
    let r = app
        .request("/p")
        .host("h")
        .https(true)
        .env("SCRIPT_NAME", "/app")
        .send()
        .text();
    assert!(
        r.contains("protocol=https homedomain=https://h homepath=\"/app\" home=https://h/app"),
        "{r}"
    );
    assert!(r.contains("query=\"\" fullpath=/p"), "{r}");
}

#[test]
fn status_and_headers_from_one_request_never_reach_the_next() {
    let app = Application::new([
        (
            "/set",
            Target::func(|_: &Args| {
                ctx::with_mut(|c| c.status = "201 Created".to_string())?;
                web::header("X-Once", "1")?;
                Ok("set".into())
            }),
        ),
        ("/plain", Target::func(|_: &Args| Ok("plain".into()))),
    ])
    .unwrap();
    let first = app.request("/set").send();
    assert_eq!(
        (first.status.as_str(), first.header("X-Once")),
        ("201 Created", Some("1"))
    );
    let second = app.request("/plain").send();
    assert_eq!(
        (second.status.as_str(), second.header("X-Once")),
        ("200 OK", None)
    );
}

#[test]
fn ctx_is_empty_outside_a_request_also_after_a_handler_panicked() {
    let app = Application::new([("/", Target::func(|_: &Args| panic!("in handler")))]).unwrap();
    assert!(!ctx::in_request());
    assert_eq!(app.request("/").send().code(), 500);
    assert!(!ctx::in_request(), "a panic must not leave ctx set");
    assert!(matches!(
        ctx::with(|c| c.path.clone()),
        Err(Error::OutsideRequest)
    ));
    assert!(matches!(web::header("X", "y"), Err(Error::OutsideRequest)));
}

#[test]
fn concurrent_requests_each_see_only_their_own_ctx() {
    let app = Application::new([(
        "/(\\d+)",
        Target::func(|args: &Args| {
            let want = format!("/{}", args.get(0).unwrap_or(""));
            // Yield between reads so threads interleave inside the handler.
            for _ in 0..20 {
                thread::yield_now();
                let seen = ctx::with(|c| c.path.clone())?;
                if seen != want {
                    return Ok(format!("LEAK {seen} != {want}").into());
                }
            }
            if want.ends_with('3') {
                panic!("every tenth request panics; the next on this thread must still be clean");
            }
            Ok(want.into())
        }),
    )])
    .unwrap();
    let app = Arc::new(app);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let app = Arc::clone(&app);
            thread::spawn(move || {
                for i in 0..50 {
                    let n = t * 1000 + i;
                    let r = app.request(&format!("/{n}")).send();
                    if n % 10 == 3 {
                        assert_eq!(r.code(), 500);
                    } else {
                        assert_eq!(r.text(), format!("/{n}"));
                    }
                    assert!(!ctx::in_request());
                }
            })
        })
        .collect();
    for t in threads {
        t.join()
            .expect("a request thread saw another request's ctx");
    }
}

#[test]
fn an_in_process_request_made_by_a_handler_nests() {
    let inner = Application::new([("/inner", show_ctx())]).unwrap();
    let app = Application::new([(
        "/outer",
        Target::func(move |_: &Args| {
            let nested = inner.request("/inner").send().text();
            let after = ctx::with(|c| c.path.clone())?;
            Ok(format!("{after} after [{}]", nested.contains("path=/inner")).into())
        }),
    )])
    .unwrap();
    assert_eq!(app.request("/outer").send().text(), "/outer after [true]");
}

#[test]
fn a_processor_may_rewrite_ctx_path_before_dispatch() {
    let mut app =
        Application::new([("/new", Target::func(|_: &Args| Ok("rewritten".into())))]).unwrap();
    app.add_processor(|next: Next<'_>| {
        ctx::with_mut(|c| {
            if c.path == "/old" {
                c.path = "/new".to_string();
            }
        })?;
        next.run()
    });
    assert_eq!(app.request("/old").send().text(), "rewritten");
}
