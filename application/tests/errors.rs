//! The HTTP error family, custom pages for any status, and the debug page.

use application::*;

fn failing(make: fn() -> HttpError) -> Application {
    Application::new([("/.*", Target::func(move |_: &Args| Err(make())))]).unwrap()
}

#[test]
fn the_error_family_has_web_py_statuses_and_default_messages() {
    type Make = fn() -> HttpError;
    let table: [(Make, &str, &str); 16] = [
        (badrequest, "400 Bad Request", "bad request"),
        (unauthorized, "401 Unauthorized", "unauthorized"),
        (forbidden, "403 Forbidden", "forbidden"),
        (notacceptable, "406 Not Acceptable", "not acceptable"),
        (conflict, "409 Conflict", "conflict"),
        (gone, "410 Gone", "gone"),
        (
            preconditionfailed,
            "412 Precondition Failed",
            "precondition failed",
        ),
        (
            payloadtoolarge,
            "413 Payload Too Large",
            "payload too large",
        ),
        (
            unsupportedmediatype,
            "415 Unsupported Media Type",
            "unsupported media type",
        ),
        (
            unavailableforlegalreasons,
            "451 Unavailable For Legal Reasons",
            "unavailable for legal reasons",
        ),
        (
            internalerror,
            "500 Internal Server Error",
            "internal server error",
        ),
        (ok, "200 OK", ""),
        (created, "201 Created", "Created"),
        (accepted, "202 Accepted", "Accepted"),
        (nocontent, "204 No Content", ""),
        (notmodified, "304 Not Modified", ""),
    ];
    for (make, status, message) in table {
        let r = failing(make).request("/").send();
        assert_eq!((r.status.as_str(), r.text().as_str()), (status, message));
        assert_eq!(r.header("Content-Type"), Some("text/html"), "{status}");
    }
}

#[test]
fn notfound_says_charset_utf8_as_web_pys_notfound_and_the_others_do_not() {
    // web.py 0.76: `_NotFound` sends `text/html; charset=utf-8`, every other error
    // class `text/html`.
    let r = failing(notfound).request("/").send();
    assert_eq!(
        (r.status.as_str(), r.text().as_str()),
        ("404 Not Found", "not found")
    );
    assert_eq!(r.header_all("Content-Type"), ["text/html; charset=utf-8"]);
}

#[test]
fn an_error_with_status_headers_and_body_is_one_expression() {
    // web.py: raise web.HTTPError("403 Forbidden", {"X-Reason": "quota"}, "over quota").
    let app = failing(|| {
        HttpError::from_status("403 Forbidden")
            .with_header("X-Reason", "quota")
            .expect("a good header")
            .with_body("over quota")
    });
    let r = app.request("/").send();
    assert_eq!(r.status, "403 Forbidden");
    assert_eq!(
        (r.header("X-Reason"), r.text().as_str()),
        (Some("quota"), "over quota")
    );
    let same = HttpError::new(
        "403 Forbidden",
        vec![("X-Reason".into(), "quota".into())],
        "over quota",
    )
    .expect("good headers");
    assert_eq!(
        same.headers().last().map(|h| (h.name(), h.value())),
        Some(("X-Reason", "quota"))
    );
}

#[test]
fn with_header_replaces_a_header_of_the_same_name_but_adds_cookies() {
    let e = (|| {
        notfound()
            .with_header("content-type", "text/plain")?
            .with_header("Set-Cookie", "a=1")?
            .with_header("Set-Cookie", "b=2")
    })()
    .expect("good headers");
    let names: Vec<&str> = e.headers().iter().map(|h| h.name()).collect();
    assert_eq!(names, ["content-type", "Set-Cookie", "Set-Cookie"]);
}

#[test]
fn a_bad_header_given_to_an_error_is_an_err_naming_it_at_the_call() {
    for (name, value) in [
        ("X-Split", "a\r\nSet-Cookie: owned=1"),
        ("Bad Name", "x"),
        ("Connection", "close"),
        ("Content-Length", "ten"),
    ] {
        match notfound().with_header(name, value) {
            Err(Error::BadHeader { name: named, .. }) => assert_eq!(named, name),
            other => panic!("{name}: {other:?}"),
        }
        let given = vec![(name.to_string(), value.to_string())];
        match HttpError::new("403 Forbidden", given, "no") {
            Err(Error::BadHeader { name: named, .. }) => assert_eq!(named, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    // In a handler, `?` makes the refusal a 500 whose detail names the header, and the
    // response is never the half-made error.
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| Err(notfound().with_header("X-Split", "a\r\nb")?)),
    )])
    .expect("the mapping compiles");
    let r = app.request("/").send();
    assert_eq!(r.code(), 500);
    assert_eq!(r.header("X-Split"), None);
}

#[test]
fn nomethod_with_no_list_allows_web_pys_five_methods() {
    // web.py's NoMethod(cls=None): Allow: GET, HEAD, POST, PUT, DELETE.
    let r = failing(nomethod).request("/").send();
    assert_eq!(
        (r.status.as_str(), r.header("Allow"), r.text().as_str()),
        (
            "405 Method Not Allowed",
            Some("GET, HEAD, POST, PUT, DELETE"),
            "method not allowed"
        )
    );
    let listed = failing(|| {
        nomethod()
            .with_header("Allow", "GET, POST")
            .expect("a good header")
    });
    assert_eq!(
        listed.request("/").send().header_all("Allow"),
        ["GET, POST"]
    );
}

#[test]
fn an_error_body_and_headers_can_be_overridden() {
    let app = failing(|| {
        notfound()
            .with_body("no such user")
            .with_header("X-Reason", "user")
            .expect("a good header")
    });
    let r = app.request("/").send();
    assert_eq!(
        (r.text().as_str(), r.header("X-Reason")),
        ("no such user", Some("user"))
    );
}

#[test]
fn a_custom_page_can_be_set_for_any_status() {
    let mut app = failing(|| {
        HttpError::new("418 I'm a teapot", vec![], "short and stout").expect("no headers")
    });
    app.set_page(418, |e| e.with_body("<h1>teapot</h1>"));
    assert_eq!(
        app.request("/").send().text(),
        "short and stout",
        "a body of its own is kept"
    );
    let mut app = failing(conflict);
    app.set_page(409, |e| {
        e.with_body("<h1>conflict page</h1>")
            .with_header("X-Page", "custom")
            .expect("a good header")
    });
    let r = app.request("/").send();
    assert_eq!(
        (r.status.as_str(), r.text().as_str()),
        ("409 Conflict", "<h1>conflict page</h1>")
    );
    assert_eq!(r.header("X-Page"), Some("custom"));
}

#[test]
fn a_custom_404_page_covers_unmatched_paths_and_sub_apps_use_their_own() {
    let mut sub = Application::new([("/x", Target::func(|_: &Args| Ok("x".into())))]).unwrap();
    sub.set_page(404, |e| e.with_body("sub 404"));
    let mut app = Application::new([("/sub", Target::app(sub))]).unwrap();
    app.set_page(404, |e| e.with_body("main 404"));
    assert_eq!(app.request("/nope").send().text(), "main 404");
    assert_eq!(app.request("/sub/nope").send().text(), "sub 404");
}

#[test]
fn an_error_for_any_status_has_its_reason_as_default_body_which_a_page_replaces() {
    let plain = failing(|| HttpError::from_status("418 I'm a teapot"));
    assert_eq!(
        (
            plain.request("/").send().status.as_str(),
            plain.request("/").send().text().as_str()
        ),
        ("418 I'm a teapot", "I'm a teapot")
    );
    let mut paged = failing(|| HttpError::from_status("418 I'm a teapot"));
    paged.set_page(418, |e| e.with_body("custom teapot"));
    assert_eq!(paged.request("/").send().text(), "custom teapot");
}

#[test]
fn the_debug_page_is_off_by_default_and_shows_the_error_and_request_when_on() {
    let mut app =
        Application::new([("/", Target::func(|_: &Args| panic!("the <secret> detail")))]).unwrap();
    let quiet = app.request("/").header("Cookie", "sid=s3cret").send();
    assert_eq!(quiet.text(), "internal server error");
    app.set_debug(true);
    let loud = app.request("/?q=1").header("Cookie", "sid=s3cret").send();
    let page = loud.text();
    assert_eq!(loud.code(), 500);
    assert!(
        page.contains("the &lt;secret&gt; detail"),
        "escaped panic message: {page}"
    );
    assert!(
        page.contains("GET /?q=1") && page.contains("HTTP_COOKIE"),
        "{page}"
    );
}

#[test]
fn a_panic_drops_the_headers_the_handler_had_set() {
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            web::header("X-Half", "built")?;
            panic!("after a header");
        }),
    )])
    .unwrap();
    let r = app.request("/").send();
    assert_eq!((r.code(), r.header("X-Half")), (500, None));
}

#[test]
fn headers_set_around_a_panic_by_outer_processors_stay() {
    let mut app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            web::header("X-Half", "built")?;
            panic!("after a header");
        }),
    )])
    .unwrap();
    app.add_processor(|next: Next<'_>| {
        web::header("X-Before", "1")?;
        let out = next.run();
        web::header("X-After", "1")?;
        out
    });
    let r = app.request("/").send();
    assert_eq!(
        (
            r.header("X-Before"),
            r.header("X-Half"),
            r.header("X-After")
        ),
        (Some("1"), None, Some("1"))
    );
}

#[test]
fn an_invalid_status_set_by_a_handler_is_a_500_that_says_why() {
    testkit::log::capture();
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            ctx::set_status("ok")?;
            Ok("x".into())
        }),
    )])
    .unwrap();
    let r = app.request("/").send();
    assert_eq!(r.code(), 500);
    assert!(r.text().contains("invalid status \"ok\""), "{}", r.text());
    // The operator reads why in the log: an error event, not a line on stderr.
    let log = testkit::log::text();
    let line = log
        .lines()
        .find(|l| l.contains("invalid response from the handler"))
        .unwrap_or_else(|| panic!("no log line says why:\n{log}"));
    assert!(
        line.contains("ERROR") && line.contains("invalid status"),
        "{line}"
    );
}

#[test]
fn a_crate_error_in_a_handler_becomes_a_500_through_question_mark() {
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            web::header("Bad Name", "x")?;
            Ok("unreached".into())
        }),
    )])
    .unwrap();
    assert_eq!(app.request("/").send().status, "500 Internal Server Error");
}

#[test]
fn bodiless_statuses_get_no_content_length() {
    for make in [nocontent as fn() -> HttpError, notmodified] {
        let r = failing(make).request("/").send();
        assert_eq!(
            (r.header("Content-Length"), r.data.len()),
            (None, 0),
            "{}",
            r.status
        );
    }
    assert_eq!(
        failing(gone).request("/").send().header("Content-Length"),
        Some("4")
    );
}
