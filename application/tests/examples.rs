//! Every example runs and says what its `//!` comment promises.

use testkit::Served;

#[test]
fn url_mapping_shows_each_target_answering() {
    let out = testkit::run("url_mapping", &[]);
    for line in [
        "GET    /item/7              200 OK item Some(\"7\") action None",
        "DELETE /item/7              405 Method Not Allowed method not allowed (Allow: GET, HEAD, POST)",
        "301 Moved Permanently  -> http://0.0.0.0:8080/item/7?x=1",
        "blog post Some(\"hello-world\") (path=/hello-world, homepath=/blog)",
        "GET    /blogroll            404 Not Found not found",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn form_memory_posts_its_forms_and_reports_the_peak() {
    let out = testkit::run("form_memory", &["--posts", "2", "--mb", "1"]);
    assert_eq!(out.matches("a: 999998 bytes").count(), 2, "{out}");
    assert!(
        out.contains("bodies: 2 x 1 MB = 2 MB\npeak RSS before the posts:"),
        "{out}"
    );
    assert!(out.contains("\npeak RSS: "), "{out}");
}

#[test]
fn processor_order_shows_the_first_added_outermost() {
    let out = testkit::run("processor_order", &[]);
    let want =
        "loadhook, p1 in, p2 in, p3 in, handle, unloadhook, p3 out (ok), p2 out (ok), p1 out (ok)";
    assert!(out.contains(want), "{out}");
    assert!(out.contains("p3 out (500 Internal Server Error)"), "{out}");
    assert!(
        out.contains("p1 out (ok), chunk 1, chunk 2, unloadhook"),
        "{out}"
    );
}

#[test]
fn conformance_serves_its_routes_on_the_port_it_prints() {
    let app = Served::start("app_conformance", &["--port", "0"]);
    let r = app.get("GET /hello/bob HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(
        r.starts_with("HTTP/1.1 200 OK\r\n") && r.ends_with("hello, bob"),
        "{r}"
    );
    assert!(r.contains("X-Trace: inner\r\nX-Trace: outer\r\n"), "{r}");
    let r = app.get("GET /subway HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(
        r.starts_with("HTTP/1.1 404 Not Found\r\n") && r.ends_with("custom 404 page"),
        "{r}"
    );
    let r = app.get("GET /old/x?y=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(r.contains("Location: http://t/hello/x?y=1\r\n"), "{r}");
}

#[test]
fn wiki_saves_a_page_and_redirects_back_to_it() {
    let wiki = Served::start("wiki", &["0"]);
    let r = wiki.get(
        "POST /edit/notes HTTP/1.1\r\nHost: w\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 12\r\nConnection: close\r\n\r\ntext=a+%3C+b",
    );
    assert!(r.starts_with("HTTP/1.1 303 See Other\r\n"), "{r}");
    assert!(
        r.contains("Location: http://w/page/notes\r\n") && r.contains("Set-Cookie: last=notes"),
        "{r}"
    );
    let r = wiki.get("GET /page/notes HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n");
    assert!(r.contains("<pre>a &lt; b</pre>"), "{r}");
    let r = wiki.get("GET /page/missing HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n");
    assert!(
        r.starts_with("HTTP/1.1 404") && r.contains("no such page"),
        "{r}"
    );
}

#[test]
fn wiki_stops_gracefully_on_sigterm() {
    let mut wiki = Served::start("wiki", &["0"]);
    let r = wiki.get("GET / HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 200 OK"), "{r}");
    let status = wiki.terminate();
    assert!(
        status.success(),
        "run() returns Ok after a graceful stop: {status}"
    );
}
