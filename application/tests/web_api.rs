//! The web API handlers call: input, data, header, cookies, setcookie, redirects.

use application::web::{self, SameSite, SetCookie};
use application::{Application, Args, Outcome, Target};

fn app(f: impl Fn() -> Outcome + Send + Sync + 'static) -> Application {
    Application::new([("/.*", Target::func(move |_: &Args| f()))]).unwrap()
}

#[test]
fn data_returns_the_raw_body_including_non_ascii() {
    let app = app(|| Ok(web::data()?.into()));
    let r = app
        .request("/")
        .method("PUT")
        .data("h\u{e9}llo w\u{f6}rld \u{1f600}")
        .send();
    assert_eq!(r.text(), "h\u{e9}llo w\u{f6}rld \u{1f600}");
    assert_eq!(
        r.header("Content-Length"),
        Some("18"),
        "bytes, not characters"
    );
}

#[test]
fn a_body_at_the_limit_is_read_and_one_past_it_is_413() {
    let mut app = app(|| Ok(web::data()?.len().to_string().into()));
    app.set_max_body(10);
    assert_eq!(
        app.request("/")
            .method("POST")
            .data(vec![b'x'; 10])
            .send()
            .text(),
        "10"
    );
    assert_eq!(
        app.request("/")
            .method("POST")
            .data(vec![b'x'; 11])
            .send()
            .status,
        "413 Payload Too Large"
    );
    let lying = app
        .request("/")
        .method("POST")
        .data(vec![b'x'; 11])
        .env("CONTENT_LENGTH", "");
    assert_eq!(
        lying.send().status,
        "413 Payload Too Large",
        "without Content-Length the read stops past the limit"
    );
    let bad = app
        .request("/")
        .method("POST")
        .data("x")
        .env("CONTENT_LENGTH", "ten")
        .send();
    assert_eq!(bad.code(), 400);
}

#[test]
fn header_adds_a_response_header_and_refuses_injection() {
    let app = app(|| {
        web::header("X-Ok", "fine")?;
        if web::input()?.get("evil").is_some() {
            web::header("X-Evil", "a\r\nSet-Cookie: owned=1")?;
        }
        Ok("ok".into())
    });
    assert_eq!(app.request("/").send().header("X-Ok"), Some("fine"));
    let r = app.request("/?evil=1").send();
    assert_eq!(
        r.code(),
        500,
        "a header value with CRLF is the program's error"
    );
    assert_eq!(r.header("Set-Cookie"), None);
}

#[test]
fn header_with_unique_is_skipped_when_a_header_of_that_name_is_set_in_any_case() {
    // web.header("X-A", "1"); web.header("x-a", "2", unique=True);
    // web.header("X-B", "3", unique=True) sent X-A: 1 and X-B: 3 (web.py 0.76).
    let app = app(|| {
        web::header("X-A", "1")?;
        web::header_unique("x-a", "2")?;
        web::header_unique("X-B", "3")?;
        Ok("".into())
    });
    let r = app.request("/").send();
    assert_eq!(
        (r.header_all("X-A"), r.header_all("X-B")),
        (vec!["1"], vec!["3"])
    );
}

#[test]
fn cookies_with_defaults_fill_names_the_request_did_not_send() {
    // web.cookies(missing="x") with `Cookie: a=1` gave {'a': '1', 'missing': 'x'}.
    let app = app(|| {
        let c = web::cookies()?
            .with_default("missing", "x")
            .with_default("a", "no");
        Ok(format!("{:?}", c.to_map()).into())
    });
    let r = app.request("/").header("Cookie", "a=1").send();
    assert_eq!(r.text(), r#"{"a": ["1"], "missing": ["x"]}"#);
    let strict = self::app(|| Ok(web::cookies()?.required(["sid"])?.get_or("sid", "").into()));
    assert_eq!(strict.request("/").send().text(), "bad request");
}

#[test]
fn cookies_are_parsed_and_percent_decoded() {
    let app = app(|| {
        let c = web::cookies()?;
        Ok(format!("{:?} {:?} {:?}", c.get("a"), c.get("b"), c.get("missing")).into())
    });
    let r = app
        .request("/")
        .header("Cookie", "a=1; b=h%C3%A9llo%3B; junk")
        .send();
    assert_eq!(r.text(), r#"Some("1") Some("héllo;") None"#);
}

#[test]
fn a_quoted_cookie_value_is_unquoted() {
    // RFC 6265 §4.1.1 allows `name="value"`; web.py read it with `SimpleCookie`, which
    // removes the quotes.
    let app = app(|| Ok(format!("{:?}", web::cookies()?.get("a")).into()));
    let r = app.request("/").header("Cookie", "a=\"x%20y\"").send();
    assert_eq!(r.text(), r#"Some("x y")"#);
}

#[test]
fn setcookie_defaults_to_the_homepath_and_encodes_the_value() {
    let app = app(|| {
        web::setcookie("sid", "a b;c")?;
        Ok("ok".into())
    });
    assert_eq!(
        app.request("/").send().header("Set-Cookie"),
        Some("sid=a%20b%3Bc; Path=/")
    );
    let mounted = Application::new([("/shop", Target::app(app))]).unwrap();
    assert_eq!(
        mounted.request("/shop/x").send().header("Set-Cookie"),
        Some("sid=a%20b%3Bc; Path=/shop/")
    );
}

#[test]
fn setcookie_sets_every_attribute() {
    let app = app(|| {
        SetCookie::new("k", "v")
            .expires(3600)
            .domain("example.com")
            .secure(true)
            .httponly(true)
            .path("/p")
            .samesite(SameSite::Lax)
            .set()?;
        SetCookie::new("gone", "").expires(-1).set()?;
        Ok("ok".into())
    });
    let r = app.request("/").send();
    let all = r.header_all("Set-Cookie");
    let k = all[0];
    for part in [
        "k=v",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/p",
        "Domain=example.com",
        "Max-Age=3600",
        "Expires=",
    ] {
        assert!(k.contains(part), "{part} missing from {k}");
    }
    assert!(
        all[1].contains("Max-Age=0") && all[1].contains("Expires=Thu, 01 Jan 1970"),
        "{}",
        all[1]
    );
}

#[test]
fn setcookie_samesite_as_text_is_used_in_any_case_and_ignored_when_unknown() {
    // web.setcookie(..., samesite="LAX") sent the attribute; samesite="bogus" sent none.
    let app = app(|| {
        SetCookie::new("a", "1").samesite("LAX").set()?;
        SetCookie::new("b", "2").samesite("bogus").set()?;
        SetCookie::new("c", "3").samesite("strict").set()?;
        Ok("".into())
    });
    let r = app.request("/").send();
    assert_eq!(
        r.header_all("Set-Cookie"),
        [
            "a=1; SameSite=Lax; Path=/",
            "b=2; Path=/",
            "c=3; SameSite=Strict; Path=/"
        ]
    );
}

#[test]
fn a_cookie_set_before_a_redirect_survives_it() {
    let app = app(|| {
        web::setcookie("user", "ann")?;
        Err(web::seeother("/home"))
    });
    let r = app.request("/login").method("POST").send();
    assert_eq!(r.status, "303 See Other");
    assert_eq!(r.header("Set-Cookie"), Some("user=ann; Path=/"));
}

#[test]
fn an_error_replaces_a_header_of_the_same_name_set_before_it() {
    // web.py appended the error's headers, so a JSON handler answering notfound() sent
    // two Content-Types; one response has one Content-Type (RFC 9110 §8.3). Other
    // headers set before the error, and every Set-Cookie, stay.
    let app = app(|| {
        web::header("Content-Type", "application/json")?;
        web::header("Cache-Control", "no-store")?;
        web::setcookie("a", "1")?;
        Err(application::notfound().with_header("Set-Cookie", "b=2")?)
    });
    let r = app.request("/").send();
    assert_eq!(r.header_all("Content-Type"), ["text/html; charset=utf-8"]);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert_eq!(r.header_all("Set-Cookie"), ["a=1; Path=/", "b=2"]);
}

#[test]
fn redirects_have_their_status_and_an_absolute_location_from_home() {
    type Make = fn(&str) -> application::HttpError;
    let cases: [(Make, &str); 4] = [
        (web::redirect, "301 Moved Permanently"),
        (web::found, "302 Found"),
        (web::seeother, "303 See Other"),
        (web::tempredirect, "307 Temporary Redirect"),
    ];
    for (make, status) in cases {
        let app = app(move || Err(make("/next")));
        let r = app.request("/here").host("example.com").https(true).send();
        assert_eq!(r.status, status);
        assert_eq!(r.header("Location"), Some("https://example.com/next"));
    }
}

#[test]
fn a_relative_redirect_resolves_against_the_path_and_a_sub_apps_home() {
    let sub = app(|| Err(web::seeother("edit")));
    let app = Application::new([("/wiki", Target::app(sub))]).unwrap();
    let r = app.request("/wiki/page/1").host("h").send();
    assert_eq!(r.header("Location"), Some("http://h/wiki/page/edit"));
    let full = self::app(|| Err(web::found("https://other.example/x")));
    assert_eq!(
        full.request("/").send().header("Location"),
        Some("https://other.example/x")
    );
}

#[test]
fn a_redirect_made_absolute_goes_from_the_real_home_out_of_a_sub_application() {
    // web.seeother("/login", absolute=True) inside an app mounted at /blog: realhome,
    // not home.
    let sub = app(|| match web::input()?.get("abs") {
        Some(_) => Err(web::seeother("/login").absolute()),
        None => Err(web::seeother("/login")),
    });
    let app = Application::new([("/blog", Target::app(sub))]).unwrap();
    let at = |q: &str| app.request(&format!("/blog/post{q}")).host("h").send();
    assert_eq!(at("").header("Location"), Some("http://h/blog/login"));
    assert_eq!(at("?abs=1").header("Location"), Some("http://h/login"));
    let full = web::redirect_to("303 See Other", "https://x.example/", true).absolute();
    assert_eq!(
        full.headers()[1].value(),
        "https://x.example/",
        "a full URL is left alone"
    );
}

#[test]
fn data_that_failed_fails_again_instead_of_returning_an_empty_body() {
    // The body reader is consumed by the first call: a second call must not pretend the
    // body was empty (a processor calling `data()` after the handler's `input()` failed).
    let mut app = app(|| {
        let first = web::data().map(|b| b.len());
        let second = web::data().map(|b| b.len());
        Ok(format!(
            "{:?} {:?}",
            first.map_err(|e| e.code()),
            second.map_err(|e| e.code())
        )
        .into())
    });
    app.set_max_body(10);
    // Without a Content-Length (a chunked body), only reading finds the body too long.
    let r = app
        .request("/")
        .method("POST")
        .data(vec![b'x'; 11])
        .env("CONTENT_LENGTH", "")
        .send();
    assert_eq!(r.text(), "Err(413) Err(413)");
}

#[test]
fn setcookie_with_an_extreme_lifetime_does_not_panic() {
    // `expires` may come from configuration or arithmetic; a date past year 9999 is
    // clamped, not an overflow panic.
    for secs in [i64::MAX, i64::MIN, 400 * 365 * 86400 * 100] {
        let header = SetCookie::new("a", "b").expires(secs).to_header("");
        assert!(header.starts_with("a=b;"), "{secs}: {header}");
    }
}

#[test]
fn an_unlimited_body_limit_reads_a_body_without_content_length() {
    // `usize::MAX` means "no limit"; reading one byte past it must not overflow.
    let mut app = app(|| Ok(web::data()?.len().to_string().into()));
    app.set_max_body(usize::MAX);
    let r = app
        .request("/")
        .method("POST")
        .data("hello")
        .env("CONTENT_LENGTH", "")
        .send();
    assert_eq!(r.text(), "5");
}
