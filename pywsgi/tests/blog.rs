//! The Python blog (`session/examples/ports/blog.py`, the web.py program that
//! `session/examples/blog.rs` ports) served by `pywsgi` with the real web.py 0.76: log in,
//! publish a post, read it, as a browser would.
mod support;

use std::path::PathBuf;

use pyo3::prelude::*;
use support::{exchange, get, parse, status};

/// A request with `Connection: close`, the session cookie, and a form body if any.
fn send(
    addr: std::net::SocketAddr,
    method: &str,
    target: &str,
    cookie: &str,
    form: &str,
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", form.len()));
    }
    exchange(addr, format!("{head}\r\n{form}").as_bytes())
}

#[test]
fn the_python_blog_logs_in_and_publishes_a_post_on_pywsgi() {
    if !support::have_pydeps("the_python_blog_logs_in_and_publishes_a_post_on_pywsgi") {
        return;
    }
    support::python();
    let ports = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../session/examples/ports"
    ));
    Python::attach(|py| -> PyResult<()> {
        let path = py.import("sys")?.getattr("path")?;
        path.call_method1("insert", (0, ports.to_string_lossy().into_owned()))?;
        Ok(())
    })
    .expect("sys.path takes the ports folder");
    let server = support::serve("blog:application", 2);
    let addr = server.local_addr();

    // The admin application's load hook sends a visitor without a session to the login.
    let admin = parse(&get(addr, "/admin/"), false);
    assert_eq!(admin.status, 303, "{}", admin.head);
    assert_eq!(admin.header("Location"), Some("http://test/login"));
    assert_eq!(admin.header("X-Served-By"), Some("blog"), "the unload hook");

    let wrong = send(addr, "POST", "/login", "", "username=admin&password=guess");
    assert_eq!(status(&wrong), 403);
    let login = parse(
        &send(addr, "POST", "/login", "", "username=admin&password=secret"),
        false,
    );
    assert_eq!(login.status, 303, "{}", login.head);
    assert_eq!(login.header("Location"), Some("http://test/admin/"));
    let cookie = login
        .header("Set-Cookie")
        .and_then(|c| c.split(';').next())
        .expect("the login sets the session cookie")
        .to_owned();

    let home = parse(&send(addr, "GET", "/admin/", &cookie, ""), false);
    assert_eq!(home.status, 200, "logged in: {}", home.head);
    let posted = send(
        addr,
        "POST",
        "/admin/new",
        &cookie,
        "title=On+pywsgi&body=web.py+%3C3+Rust",
    );
    assert_eq!(status(&posted), 303);

    let index = parse(&get(addr, "/"), false);
    let text = String::from_utf8_lossy(&index.body);
    assert!(
        text.contains(r#"<a href="/post/1">On pywsgi</a>"#),
        "{text}"
    );
    let post = parse(&get(addr, "/post/1"), false);
    let text = String::from_utf8_lossy(&post.body);
    assert!(
        text.contains("<h1>On pywsgi</h1><p>web.py &lt;3 Rust</p>"),
        "{text}"
    );
    assert_eq!(status(&get(addr, "/post/9")), 404);
    server.stop();
}
