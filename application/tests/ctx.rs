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
                ctx::set_status("201 Created")?;
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
        if ctx::path()? == "/old" {
            ctx::set_path("/new")?;
        }
        next.run()
    });
    assert_eq!(app.request("/old").send().text(), "rewritten");
    assert_eq!(
        app.request("/old?q=1").send().code(),
        200,
        "the query is kept"
    );
}

#[test]
fn common_reads_are_one_call_each() {
    let app = Application::new([(
        "/(.*)",
        Target::func(|_: &Args| {
            let ua = ctx::env("HTTP_USER_AGENT")?.unwrap_or_default();
            let host = ctx::host()?.unwrap_or_default();
            Ok(format!(
                "{} {host} {ua} {} {}",
                ctx::path()?,
                ctx::method()?,
                ctx::fullpath()?
            )
            .into())
        }),
    )])
    .unwrap();
    let r = app
        .request("/a?b=1")
        .host("h.example")
        .header("User-Agent", "bean/1.0")
        .send();
    assert_eq!(r.text(), "/a h.example bean/1.0 GET /a?b=1");
}

#[derive(Clone, Debug, PartialEq)]
struct User(String);

#[test]
fn ctx_values_are_seen_by_processors_hooks_and_handlers_and_cleared_every_request() {
    // web.py: `web.ctx.user = user` in a load hook, read by the handler.
    let mut app = Application::new([(
        "/(.*)",
        Target::func(|_: &Args| {
            let user = ctx::get::<User>()?;
            ctx::insert(7u32)?;
            Ok(format!("{user:?}").into())
        }),
    )])
    .unwrap();
    app.add_processor(application::unloadhook(|| {
        // Set by the handler, inside the hook's request.
        assert_eq!(ctx::get::<u32>().ok().flatten(), Some(7));
    }));
    app.add_processor(application::loadhook(|| {
        if ctx::path().ok().as_deref() == Some("/ann") {
            let _ = ctx::insert(User("ann".into()));
        }
    }));
    assert_eq!(app.request("/ann").send().text(), r#"Some(User("ann"))"#);
    assert_eq!(
        app.request("/bob").send().text(),
        "None",
        "cleared for the next request"
    );
    assert!(matches!(ctx::get::<User>(), Err(Error::OutsideRequest)));
}

#[test]
fn ctx_values_are_shared_with_a_sub_application_but_not_with_a_nested_request() {
    let sub = Application::new([(
        "/x",
        Target::func(|_: &Args| Ok(format!("{:?}", ctx::get::<User>()?).into())),
    )])
    .unwrap();
    let nested = sub.clone();
    let mut app = Application::new([
        ("/sub", Target::app(sub)),
        (
            "/nested",
            Target::func(move |_: &Args| Ok(nested.request("/x").send().data.into())),
        ),
    ])
    .unwrap();
    app.add_processor(application::loadhook(|| {
        let _ = ctx::insert(User("ann".into()));
    }));
    assert_eq!(app.request("/sub/x").send().text(), r#"Some(User("ann"))"#);
    assert_eq!(app.request("/nested").send().text(), "None");
}

#[test]
fn ctx_and_the_web_api_compose() {
    // Every web function, and every ctx function, called from inside `ctx::with` (the one
    // accessor that takes a closure) and from inside processors and hooks: none may fail
    // because ctx is in use. (Calling `web::header` inside `ctx::with_mut` was a 500.)
    fn everything(inside: &str) -> Result<String, application::HttpError> {
        let c = ctx::with(|c| c.clone())?;
        web::header("X-Seen", inside)?;
        web::header_unique("X-Once", inside)?;
        web::setcookie("k", "v")?;
        let cookies = web::cookies()?;
        // data() first: input() parses an unread body without keeping its bytes.
        let data = web::data()?;
        let input = web::input()?;
        let _redirect = web::seeother("/x");
        ctx::set_status("200 OK")?;
        ctx::insert(User(inside.to_string()))?;
        let user = ctx::get::<User>()?;
        let _ = ctx::remove::<u8>()?;
        let nested = ctx::with(|n| n.path.clone())?;
        Ok(format!(
            "{inside}:{}:{}:{}:{}:{}:{}",
            c.path,
            nested,
            cookies.get("c").unwrap_or(""),
            input.get("q").unwrap_or(""),
            data.len(),
            user.map(|u| u.0).unwrap_or_default()
        ))
    }
    let mut app = Application::new([(
        "/p",
        Target::func(|_: &Args| {
            let inside = ctx::with(|_| everything("with"))??;
            Ok(inside.into())
        }),
    )])
    .unwrap();
    app.add_processor(|next: Next<'_>| {
        ctx::with(|_| everything("processor"))??;
        next.run()
    });
    app.add_processor(application::loadhook(|| everything("loadhook").map(drop)));
    app.add_processor(application::unloadhook(|| {
        everything("unloadhook").map(drop)
    }));
    let r = app
        .request("/p?q=1")
        .method("POST")
        .header("Cookie", "c=2")
        .data("body")
        .send();
    assert_eq!(r.code(), 200, "{}", r.text());
    assert_eq!(r.text(), "with:/p:/p:2:1:4:with");
    let seen = ["processor", "loadhook", "with", "unloadhook"];
    assert_eq!(r.header_all("X-Seen"), seen);
    assert_eq!(
        r.header_all("X-Once"),
        ["processor"],
        "header_unique added one"
    );
}

#[derive(Clone)]
struct Visits(u32);

#[test]
fn ctx_update_changes_a_value_in_place_and_returns_what_the_closure_returns() {
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            let before = ctx::update(|v: &mut Visits| v.0 += 1)?;
            ctx::insert(Visits(1))?;
            let doubled = ctx::update(|v: &mut Visits| {
                v.0 *= 10;
                v.0
            })?;
            let now = ctx::get::<Visits>()?.map(|v| v.0);
            Ok(format!("{before:?} {doubled:?} {now:?}").into())
        }),
    )])
    .expect("valid");
    assert_eq!(app.request("/").send().text(), "None Some(10) Some(10)");
}

#[test]
fn a_value_kept_under_a_name_is_web_pys_ctx_attribute_of_any_type() {
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            ctx::set("title", "Home")?;
            ctx::set("count", 1u64)?;
            ctx::update_attr("count", |n: &mut u64| *n += 1)?;
            let title = ctx::attr::<&str>("title")?;
            let count = ctx::attr::<u64>("count")?;
            let wrong_type = ctx::attr::<u32>("count")?;
            let by_type = ctx::get::<u64>()?;
            let removed = (ctx::unset("title")?, ctx::unset("title")?);
            let gone = ctx::attr::<&str>("title")?;
            Ok(
                format!("{title:?} {count:?} {wrong_type:?} {by_type:?} {removed:?} {gone:?}")
                    .into(),
            )
        }),
    )])
    .expect("valid");
    assert_eq!(
        app.request("/").send().text(),
        r#"Some("Home") Some(2) None None (true, false) None"#
    );
}

#[test]
fn a_named_value_does_not_outlive_its_request() {
    let app = Application::new([(
        "/(.*)",
        Target::func(|args: &Args| {
            let seen = ctx::attr::<String>("mark")?;
            ctx::set("mark", args.str(0).to_string())?;
            Ok(format!("{seen:?}").into())
        }),
    )])
    .expect("valid");
    assert_eq!(app.request("/first").send().text(), "None");
    assert_eq!(app.request("/second").send().text(), "None");
    assert!(matches!(ctx::set("mark", 1), Err(Error::OutsideRequest)));
}
