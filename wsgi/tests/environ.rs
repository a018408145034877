//! The environ mapping: CGI names, header keys, joins, the underscore rule, paths as bytes.

use std::io::{Cursor, Read};

use wsgi::{header_key, DroppedHeaders, Environ, WsgiError};

#[test]
fn new_environ_has_the_variables_pep_3333_requires() {
    let env = Environ::new();
    for key in [
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
    ] {
        assert!(env.get(key).is_some(), "{key} missing");
    }
    assert_eq!(env.url_scheme(), "http");
    assert!(env.input_terminated());
}

#[test]
fn from_target_splits_path_and_raw_query() {
    let env = Environ::from_target("POST", "/a%20b/c?x=%41&y=2");
    assert_eq!(env.request_method(), "POST");
    assert_eq!(env.path_info_bytes(), b"/a b/c");
    assert_eq!(env.query_string(), "x=%41&y=2");
    assert_eq!(env.get("REQUEST_URI"), Some("/a%20b/c?x=%41&y=2"));
}

#[test]
fn encoded_slash_decodes_but_request_uri_keeps_it() {
    let env = Environ::from_target("GET", "/a%2Fb");
    assert_eq!(env.path_info_bytes(), b"/a/b");
    assert_eq!(env.get("REQUEST_URI"), Some("/a%2Fb"));
}

#[test]
fn malformed_percent_escapes_stay_as_they_are() {
    for (target, path) in [("/%", "/%"), ("/%4", "/%4"), ("/%zz", "/%zz")] {
        let env = Environ::from_target("GET", target);
        assert_eq!(env.path_info_bytes(), path.as_bytes(), "{target}");
    }
}

#[test]
fn non_utf8_path_is_bytes_and_path_info_says_so() {
    let env = Environ::from_target("GET", "/%FF");
    assert_eq!(env.path_info_bytes(), b"/\xff");
    assert!(matches!(
        env.path_info(),
        Err(WsgiError::NonUtf8Path {
            key: "PATH_INFO",
            ..
        })
    ));
    // The string form is for display only: lossy.
    assert_eq!(env.get("PATH_INFO"), Some("/\u{fffd}"));
}

#[test]
fn setting_path_info_as_a_string_keeps_the_bytes_in_step() {
    let mut env = Environ::new();
    env.set("PATH_INFO", "/x");
    env.set("SCRIPT_NAME", "/app");
    assert_eq!(env.path_info_bytes(), b"/x");
    assert_eq!(env.script_name().ok(), Some("/app"));
}

#[test]
fn header_keys_follow_cgi() {
    assert_eq!(header_key("Host").as_deref(), Some("HTTP_HOST"));
    assert_eq!(
        header_key("x-forwarded-for").as_deref(),
        Some("HTTP_X_FORWARDED_FOR")
    );
    assert_eq!(header_key("Content-Type").as_deref(), Some("CONTENT_TYPE"));
    assert_eq!(
        header_key("CONTENT-LENGTH").as_deref(),
        Some("CONTENT_LENGTH")
    );
}

#[test]
fn repeated_headers_are_joined_with_comma_space() {
    let mut env = Environ::new();
    env.add_header("Accept", "text/html");
    env.add_header("accept", "text/plain");
    env.add_header("ACCEPT", "*/*");
    assert_eq!(env.get("HTTP_ACCEPT"), Some("text/html, text/plain, */*"));
    assert_eq!(env.header("Accept"), Some("text/html, text/plain, */*"));
}

#[test]
fn repeated_cookie_headers_are_joined_with_semicolon() {
    let mut env = Environ::new();
    env.add_header("Cookie", "a=1");
    env.add_header("Cookie", "b=2");
    assert_eq!(env.get("HTTP_COOKIE"), Some("a=1; b=2"));
}

#[test]
fn underscore_header_cannot_forge_its_dash_twin() {
    // A proxy sets X-Forwarded-For; a client sends X_Forwarded_For hoping to land in the
    // same HTTP_X_FORWARDED_FOR key. The underscore header is dropped, in either order.
    let mut env = Environ::new();
    assert!(!env.add_header("X_Forwarded_For", "6.6.6.6"));
    assert!(env.add_header("X-Forwarded-For", "10.0.0.1"));
    assert_eq!(env.get("HTTP_X_FORWARDED_FOR"), Some("10.0.0.1"));
    assert_eq!(
        env.extensions().get::<DroppedHeaders>(),
        Some(&DroppedHeaders(vec!["X_Forwarded_For".to_owned()]))
    );
}

#[test]
fn content_headers_keep_their_first_value() {
    let mut env = Environ::new();
    env.add_header("Content-Length", "5");
    env.add_header("Content-Length", "5");
    assert_eq!(env.get("CONTENT_LENGTH"), Some("5"));
    assert_eq!(env.get("HTTP_CONTENT_LENGTH"), None);
}

#[test]
fn input_is_any_reader_and_can_be_taken() {
    let mut env = Environ::new();
    env.set_input(Box::new(Cursor::new(b"body".to_vec())));
    let mut input = env.take_input();
    let mut text = String::new();
    input.read_to_string(&mut text).expect("cursor reads");
    assert_eq!(text, "body");
    // What is left behind reads as an empty body.
    let mut rest = Vec::new();
    env.input().read_to_end(&mut rest).expect("empty reads");
    assert!(rest.is_empty());
}

#[test]
fn url_scheme_sets_https() {
    let mut env = Environ::new();
    env.set_url_scheme("https");
    assert_eq!(env.get("HTTPS"), Some("on"));
    env.set_url_scheme("http");
    assert_eq!(env.get("HTTPS"), Some("off"));
}

#[test]
fn extensions_hold_typed_values() {
    #[derive(Debug, PartialEq)]
    struct User(&'static str);
    let mut env = Environ::new();
    assert_eq!(env.extensions_mut().insert(User("ann")), None);
    assert_eq!(env.extensions().get::<User>(), Some(&User("ann")));
    assert_eq!(env.extensions_mut().remove::<User>(), Some(User("ann")));
    assert!(env.extensions().is_empty());
}

#[test]
fn wsgi_entries_render_like_python() {
    let mut env = Environ::new();
    env.set_concurrency(true, false, false);
    let entries = env.wsgi_entries();
    assert!(entries.contains(&("wsgi.multithread", "True".to_owned())));
    assert!(entries.contains(&("wsgi.run_once", "False".to_owned())));
    assert!(entries.contains(&("wsgi.version", "(1, 0)".to_owned())));
}

#[test]
fn what_an_application_took_does_not_change_when_the_environ_is_set_after() {
    let mut env = Environ::from_target("GET", "/a%FF?x=1");
    env.add_header("Cookie", "a=1");
    let taken = env.shared_vars();
    // A middleware on the way out changes the environ: the snapshot keeps what it saw.
    env.set("QUERY_STRING", "x=2");
    env.set_path_info("/b");
    env.add_header("Cookie", "b=2");
    env.set_url_scheme("https");
    assert_eq!(taken.get("QUERY_STRING"), Some("x=1"));
    assert_eq!(taken.path_info_bytes(), b"/a\xff");
    assert_eq!(taken.get("HTTP_COOKIE"), Some("a=1"));
    assert_eq!(taken.url_scheme(), "http");
    assert_eq!(env.get("QUERY_STRING"), Some("x=2"));
    assert_eq!(env.path_info_bytes(), b"/b");
    assert_eq!(env.get("HTTP_COOKIE"), Some("a=1; b=2"));
    assert_eq!(env.url_scheme(), "https");
}

#[test]
fn a_snapshot_lists_the_variables_in_name_order() {
    let mut env = Environ::from_target("GET", "/");
    env.add_header("X-Zed", "z");
    env.add_header("Accept", "*/*");
    let taken = env.shared_vars();
    let names: Vec<&str> = taken.iter().map(|(name, _)| name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert_eq!(taken.get("HTTP_X_ZED"), Some("z"));
    assert_eq!(names.len(), env.vars().count());
}

#[test]
fn a_recycled_environ_leaves_nothing_to_the_next_one() {
    let mut env = Environ::from_target("POST", "/old?secret=1");
    env.add_header("Authorization", "Bearer t");
    env.set("X_MIDDLEWARE", "1");
    env.recycle();
    let next = Environ::new();
    assert_eq!(next.get("HTTP_AUTHORIZATION"), None);
    assert_eq!(next.get("X_MIDDLEWARE"), None);
    assert_eq!(next.get("QUERY_STRING"), Some(""));
    assert_eq!(next.path_info_bytes(), b"/");
}

#[test]
fn the_usual_header_keys_are_header_keys() {
    for name in [
        "Host",
        "User-Agent",
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Connection",
        "Cookie",
        "Content-Type",
        "Content-Length",
    ] {
        let mut env = Environ::new();
        env.add_header(name, "v");
        let key = header_key(name).expect("a key");
        assert_eq!(env.get(&key), Some("v"), "{name}");
        assert_eq!(env.header(&name.to_ascii_uppercase()), Some("v"), "{name}");
    }
}

#[test]
fn a_new_environ_lists_its_defaults_in_name_order_and_finds_each() {
    let env = Environ::new();
    let names: Vec<&str> = env.vars().map(|(name, _)| name).collect();
    assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "{names:?}");
    for name in &names {
        assert!(env.get(name).is_some(), "{name}");
    }
    assert_eq!(env.path_info_bytes(), b"/");
    assert_eq!(env.script_name_bytes(), b"");
}
