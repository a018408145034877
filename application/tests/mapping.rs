//! The URL mapping and dispatch, specified through `request()`.

use application::{ctx, Application, Args, Error, Outcome, Target};

fn text(s: impl Into<String>) -> Outcome {
    Ok(s.into().into())
}

fn echo_args() -> Target {
    Target::func(|args: &Args| text(format!("{:?}", args.as_slice())))
}

/// web.py's `class page: def GET(self): …; def POST(self): …`.
fn page() -> Target {
    Target::route()
        .get(|_: &Args| text("get"))
        .post(|_: &Args| text("post"))
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
fn notfound_for_an_unmatched_path_host_or_mount_has_web_pys_charset_header() {
    // web.py's _NotFound: `Content-Type: text/html; charset=utf-8`, body `not found`.
    let inner = Application::new([("/only", echo_args())]).unwrap();
    let paths = Application::new([("/", echo_args()), ("/sub", Target::app(inner))]).unwrap();
    let hosts = Application::subdomains([("a\\.example", echo_args())]).unwrap();
    for r in [
        paths.request("/nowhere").send(),
        paths.request("/sub/elsewhere").send(),
        hosts.request("/").host("b.example").send(),
    ] {
        assert_eq!(r.status, "404 Not Found");
        assert_eq!(r.header_all("Content-Type"), ["text/html; charset=utf-8"]);
        assert_eq!(r.text(), "not found");
    }
}

#[test]
fn a_bad_pattern_is_an_error_naming_it() {
    let err = Application::new([("/(", echo_args())])
        .err()
        .expect("an unclosed group is not a regex");
    assert!(err.to_string().contains("\"/(\""), "{err}");
}

#[test]
fn each_method_calls_its_own_function() {
    let answer = |m: &'static str| move |_: &Args| text(m);
    let route = Target::route()
        .get(answer("GET"))
        .head(|_: &Args| {
            application::web::header("X-Head", "yes")?;
            text("HEAD")
        })
        .post(answer("POST"))
        .put(answer("PUT"))
        .delete(answer("DELETE"))
        .patch(answer("PATCH"))
        .options(answer("OPTIONS"))
        .method("PROPFIND", answer("PROPFIND"));
    let app = Application::new([("/", route)]).unwrap();
    for m in [
        "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND",
    ] {
        assert_eq!(app.request("/").method(m).send().text(), m);
    }
    let head = app.request("/").method("HEAD").send();
    assert_eq!(
        head.header("X-Head"),
        Some("yes"),
        "HEAD runs the route's own head"
    );
    assert_eq!(head.data, b"", "HEAD never has a body");
}

#[test]
fn head_falls_back_to_get_with_the_body_dropped() {
    let app = Application::new([("/", page())]).unwrap();
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
fn nomethod_allow_lists_the_methods_given_in_web_pys_order_with_head_beside_get() {
    // web.py listed only the methods a class had, filtered from GET, HEAD, POST, PUT,
    // DELETE in that order; HEAD is listed here too, since GET answers it.
    let app = Application::new([("/", page())]).unwrap();
    let r = app.request("/").method("DELETE").send();
    assert_eq!(r.status, "405 Method Not Allowed");
    assert_eq!(r.header("Allow"), Some("GET, HEAD, POST"));
    assert_eq!(r.text(), "method not allowed");
}

#[test]
fn a_get_only_route_answers_405_to_post_with_the_right_allow() {
    let app = Application::new([("/", Target::route().get(|_: &Args| text("g")))]).unwrap();
    let r = app.request("/").method("POST").send();
    assert_eq!((r.code(), r.header("Allow")), (405, Some("GET, HEAD")));
    let patch_only = Target::route().method("PATCH", |_: &Args| text("p"));
    let app = Application::new([("/", patch_only)]).unwrap();
    assert_eq!(app.request("/").send().header("Allow"), Some("PATCH"));
}

#[test]
fn nomethod_for_a_method_not_in_upper_case_lists_web_pys_five_before_any_processor() {
    // web.py's wsgi(): `if web.ctx.method.upper() != web.ctx.method: raise web.nomethod()`.
    let mut app = Application::new([("/", Target::func(|_: &Args| text("any")))]).unwrap();
    app.add_processor(|_: application::Next<'_>| text("a processor ran"));
    let r = app.request("/").method("get").send();
    assert_eq!(r.code(), 405);
    assert_eq!(r.header("Allow"), Some("GET, HEAD, POST, PUT, DELETE"));
    assert_eq!(r.text(), "method not allowed");
}

#[test]
fn a_target_built_wrong_is_refused_when_the_application_is_made() {
    let twice = Target::route()
        .get(|_: &Args| text("a"))
        .get(|_: &Args| text("b"));
    let lower = Target::route().method("get", |_: &Args| text("a"));
    let on_redirect = Target::redirect("/x").post(|_: &Args| text("a"));
    for (target, why) in [
        (twice, "twice"),
        (lower, "upper-case"),
        (on_redirect, "redirect"),
    ] {
        match Application::new([("/p", target)]) {
            Err(e @ Error::BadTarget { .. }) => assert!(e.to_string().contains(why), "{e}"),
            Err(e) => panic!("wrong error for {why}: {e}"),
            Ok(_) => panic!("a target built wrong ({why}) was accepted"),
        }
    }
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
fn subdomain_groups_reach_the_handler_as_args_like_url_groups() {
    // web.py's subdomain_application passed a host pattern's groups to the class's
    // method, as application passed a URL pattern's.
    let user = Target::route().get(|a: &Args| text(format!("{:?} {}", a.get(0), ctx::path()?)));
    let app = Application::subdomains([
        (r"([a-z]+)\.users\.example", user),
        (r"redirect\.example", Target::redirect("/moved")),
    ])
    .unwrap();
    let r = app
        .request("/profile")
        .host("ann.users.example:8080")
        .send();
    assert_eq!(r.text(), r#"Some("ann") /profile"#);
    let moved = app.request("/").host("redirect.example").send();
    assert_eq!(
        moved.header("Location"),
        Some("http://redirect.example/moved")
    );
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
