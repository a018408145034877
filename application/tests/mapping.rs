//! The URL mapping and dispatch, specified through `request()`.

use application::{ctx, Application, Args, Handler, Method, Outcome, Target};

fn text(s: impl Into<String>) -> Outcome {
    Ok(s.into().into())
}

fn echo_args() -> Target {
    Target::func(|args: &Args| text(format!("{:?}", args.as_slice())))
}

#[derive(Default)]
struct Page;
impl Handler for Page {
    const METHODS: &'static [Method] = &[Method::Get, Method::Post];
    fn get(&mut self, _: &Args) -> Outcome {
        text("get")
    }
    fn post(&mut self, _: &Args) -> Outcome {
        text("post")
    }
}

#[test]
fn patterns_are_anchored_at_both_ends() {
    let app = Application::new([("/foo", echo_args())]).unwrap();
    assert_eq!(app.request("/foo").send().code(), 200);
    assert_eq!(
        app.request("/foo%0A").send().code(),
        404,
        "a trailing newline must not match"
    );
    assert_eq!(app.request("/foobar").send().code(), 404);
    assert_eq!(app.request("/x/foo").send().code(), 404);
}

#[test]
fn first_match_in_order_wins() {
    let app = Application::new([
        ("/a/(.*)", Target::func(|_: &Args| text("first"))),
        ("/a/b", Target::func(|_: &Args| text("second"))),
    ])
    .unwrap();
    assert_eq!(app.request("/a/b").send().text(), "first");
}

#[test]
fn groups_become_args_and_unmatched_optional_groups_are_none() {
    let app = Application::new([("/item/(\\d+)(?:/(\\w+))?", echo_args())]).unwrap();
    assert_eq!(
        app.request("/item/7/edit").send().text(),
        r#"[Some("7"), Some("edit")]"#
    );
    assert_eq!(app.request("/item/7").send().text(), r#"[Some("7"), None]"#);
}

#[test]
fn the_path_is_matched_percent_decoded() {
    let app = Application::new([("/caf\u{e9}/(.*)", echo_args())]).unwrap();
    assert_eq!(
        app.request("/caf%C3%A9/a%20b").send().text(),
        r#"[Some("a b")]"#
    );
}

#[test]
fn a_path_that_is_not_utf8_is_400_not_500() {
    let app = Application::new([("/(.*)", echo_args())]).unwrap();
    assert_eq!(app.request("/%FF").send().code(), 400);
}

#[test]
fn no_match_is_404_with_the_default_message() {
    let app = Application::new([("/", echo_args())]).unwrap();
    let r = app.request("/nowhere").send();
    assert_eq!(r.status, "404 Not Found");
    assert_eq!(r.text(), "not found");
}

#[test]
fn a_bad_pattern_is_an_error_naming_it() {
    let err = Application::new([("/(", echo_args())])
        .err()
        .expect("an unclosed group is not a regex");
    assert!(err.to_string().contains("\"/(\""), "{err}");
}

#[test]
fn a_handler_gets_a_fresh_instance_per_request() {
    #[derive(Default)]
    struct Counter(u32);
    impl Handler for Counter {
        const METHODS: &'static [Method] = &[Method::Get];
        fn get(&mut self, _: &Args) -> Outcome {
            self.0 += 1;
            text(self.0.to_string())
        }
    }
    let app = Application::new([("/", Target::handler::<Counter>())]).unwrap();
    assert_eq!(app.request("/").send().text(), "1");
    assert_eq!(app.request("/").send().text(), "1");
}

#[test]
fn each_method_calls_its_handler_method() {
    #[derive(Default)]
    struct All;
    impl Handler for All {
        const METHODS: &'static [Method] = &[
            Method::Get,
            Method::Head,
            Method::Post,
            Method::Put,
            Method::Delete,
            Method::Patch,
            Method::Options,
        ];
        fn get(&mut self, _: &Args) -> Outcome {
            text("GET")
        }
        fn head(&mut self, _: &Args) -> Outcome {
            application::web::header("X-Head", "yes")?;
            text("HEAD")
        }
        fn post(&mut self, _: &Args) -> Outcome {
            text("POST")
        }
        fn put(&mut self, _: &Args) -> Outcome {
            text("PUT")
        }
        fn delete(&mut self, _: &Args) -> Outcome {
            text("DELETE")
        }
        fn patch(&mut self, _: &Args) -> Outcome {
            text("PATCH")
        }
        fn options(&mut self, _: &Args) -> Outcome {
            text("OPTIONS")
        }
    }
    let app = Application::new([("/", Target::handler::<All>())]).unwrap();
    for m in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        assert_eq!(app.request("/").method(m).send().text(), m);
    }
    let head = app.request("/").method("HEAD").send();
    assert_eq!(
        head.header("X-Head"),
        Some("yes"),
        "HEAD runs the handler's own head()"
    );
    assert_eq!(head.data, b"", "HEAD never has a body");
}

#[test]
fn head_falls_back_to_get_with_the_body_dropped() {
    let app = Application::new([("/", Target::handler::<Page>())]).unwrap();
    let r = app.request("/").method("HEAD").send();
    assert_eq!(r.code(), 200);
    assert_eq!(r.data, b"");
    assert_eq!(
        r.header("Content-Length"),
        Some("3"),
        "the length GET would have sent"
    );
}

#[test]
fn an_undefined_method_is_405_with_allow_listing_the_defined_ones() {
    let app = Application::new([("/", Target::handler::<Page>())]).unwrap();
    let r = app.request("/").method("DELETE").send();
    assert_eq!(r.status, "405 Method Not Allowed");
    assert_eq!(r.header("Allow"), Some("GET, POST, HEAD"));
    assert_eq!(
        app.request("/").method("get").send().code(),
        405,
        "methods are case-sensitive"
    );
}

#[test]
fn a_plain_function_answers_every_method() {
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| text(ctx::with(|c| c.method.clone())?)),
    )])
    .unwrap();
    assert_eq!(app.request("/").method("PUT").send().text(), "PUT");
}

#[test]
fn a_redirect_target_is_301_keeping_the_query_for_get_only() {
    let app = Application::new([("/old/(.*)", Target::redirect("/new/$1"))]).unwrap();
    let r = app.request("/old/x?page=2").send();
    assert_eq!(r.status, "301 Moved Permanently");
    assert_eq!(
        r.header("Location"),
        Some("http://0.0.0.0:8080/new/x?page=2")
    );
    let post = app.request("/old/x?page=2").method("POST").send();
    assert_eq!(post.header("Location"), Some("http://0.0.0.0:8080/new/x"));
}

fn sub_app() -> Application {
    let show = Target::func(|_: &Args| {
        text(ctx::with(|c| {
            format!(
                "path={} fullpath={} homepath={} home={}",
                c.path, c.fullpath, c.homepath, c.home
            )
        })?)
    });
    Application::new([("/(.*)", show.clone()), ("", show)]).unwrap()
}

#[test]
fn a_mounted_app_sees_the_prefix_moved_from_path_to_home() {
    let app = Application::new([("/blog", Target::app(sub_app()))]).unwrap();
    let r = app.request("/blog/post/1?x=1").host("example.com").send();
    assert_eq!(
        r.text(),
        "path=/post/1 fullpath=/post/1?x=1 homepath=/blog home=http://example.com/blog"
    );
    assert_eq!(
        app.request("/blog").send().text().split(' ').next(),
        Some("path=")
    );
}

#[test]
fn a_mount_is_segment_aware() {
    let app = Application::new([
        ("/sub", Target::app(sub_app())),
        ("/(.*)", Target::func(|_: &Args| text("outer"))),
    ])
    .unwrap();
    assert_eq!(
        app.request("/subway").send().text(),
        "outer",
        "/sub must not capture /subway"
    );
    assert!(app.request("/sub/x").send().text().starts_with("path=/x"));
}

#[test]
fn ctx_is_restored_after_a_sub_application() {
    let after = Target::func(|_: &Args| text("unused"));
    let mut app = Application::new([("/sub", Target::app(sub_app())), ("/", after)]).unwrap();
    app.add_processor(|next: application::Next<'_>| {
        let out = next.run()?;
        let seen = ctx::with(|c| format!("{}|{}|{}", c.path, c.homepath, c.fullpath))?;
        Ok(format!("{}\n{seen}", String::from_utf8_lossy(&out.into_bytes())).into())
    });
    let r = app.request("/sub/a?q").send().text();
    assert!(r.ends_with("\n/sub/a||/sub/a?q"), "{r}");
}

#[test]
fn host_dispatch_picks_the_app_by_host_without_port() {
    let www = Application::new([("/", Target::func(|_: &Args| text("www")))]).unwrap();
    let api = Application::new([("/", Target::func(|_: &Args| text("api")))]).unwrap();
    let app = Application::subdomains([("www\\.example\\.com", www), (".*\\.example\\.com", api)])
        .unwrap();
    assert_eq!(
        app.request("/").host("www.example.com:8080").send().text(),
        "www"
    );
    assert_eq!(
        app.request("/").host("api.example.com").send().text(),
        "api"
    );
    assert_eq!(app.request("/").host("example.org").send().code(), 404);
}

#[test]
fn host_dispatch_takes_an_ipv6_literal_whole_with_or_without_port() {
    let local = Application::new([("/", Target::func(|_: &Args| text("local")))]).unwrap();
    let app = Application::subdomains([(r"\[::1\]", local)]).unwrap();
    assert_eq!(app.request("/").host("[::1]:8080").send().text(), "local");
    assert_eq!(app.request("/").host("[::1]").send().text(), "local");
}

#[test]
fn many_routes_still_pick_the_first_match() {
    let mut mapping: Vec<(String, Target)> = (0..100)
        .map(|i| {
            (
                format!("/r{i}/(\\d+)"),
                Target::func(move |a: &Args| text(format!("{i}:{}", a.get(0).unwrap_or("")))),
            )
        })
        .collect();
    mapping.push((
        "/r.*".to_string(),
        Target::func(|_: &Args| text("catch-all")),
    ));
    let app = Application::new(mapping).unwrap();
    assert_eq!(app.request("/r0/1").send().text(), "0:1");
    assert_eq!(app.request("/r99/5").send().text(), "99:5");
    assert_eq!(app.request("/r7/x").send().text(), "catch-all");
}
