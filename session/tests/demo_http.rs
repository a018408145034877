//! The full-stack demo over real HTTP: every layer from the socket up, with a cookie jar.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use std::io::{BufReader, Write};
use std::net::SocketAddr;

use application::ServerConfig;
use session::DiskStore;
use support::{Jar, Scratch};
use testkit::{connect, read_response, Response};

const NAME: &str = "webpy_session_id";

/// One request on a fresh connection (`Connection: close`), with the jar's cookie; the
/// jar takes the answer's `Set-Cookie`.
fn send(addr: SocketAddr, jar: &mut Jar, method: &str, path: &str, form: &str) -> Response {
    let cookie = jar
        .header()
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\n\
         Host: {addr}\r\n\
         Connection: close\r\n\
         {cookie}\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\
         \r\n\
         {form}",
        form.len()
    );
    let mut stream = connect(addr);
    stream.write_all(request.as_bytes()).expect("send");
    let answer = read_response(&mut BufReader::new(stream), method == "HEAD");
    assert!(answer.complete, "the whole answer before the timeout");
    jar.update(&answer.headers_named("Set-Cookie"));
    answer
}

#[test]
fn log_in_add_list_log_out_over_http() {
    let dir = Scratch::new("demo-http");
    let store = DiskStore::new(dir.path()).expect("scratch directory");
    let app = app::build(store).expect("the demo's routes are valid");
    let server = app
        .start(ServerConfig::new("127.0.0.1:0"), [])
        .expect("the demo starts");
    let addr = server.local_addr();
    let mut jar = Jar::new(NAME);

    let home = send(addr, &mut jar, "GET", "/", "");
    assert_eq!(home.status, 303);
    assert_eq!(
        home.header("Location"),
        Some(format!("http://{addr}/login").as_str())
    );

    let css = send(addr, &mut jar, "GET", "/assets/style.css", "");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));

    let login = send(
        addr,
        &mut jar,
        "POST",
        "/login",
        "username=ada&password=lovelace",
    );
    assert_eq!(login.status, 303, "{}", login.text());
    let id = jar.value.clone().expect("a session cookie after login");
    assert!(
        dir.path().join(&id).is_file(),
        "the session is a file named by its id"
    );

    let added = send(addr, &mut jar, "POST", "/todos", "text=ship+the+demo");
    assert_eq!(added.status, 303);

    let list = send(addr, &mut jar, "GET", "/", "");
    assert_eq!(list.status, 200);
    assert!(
        list.text().contains("<span>ship the demo</span>"),
        "{}",
        list.text()
    );

    let out = send(addr, &mut jar, "POST", "/logout", "");
    assert_eq!(out.status, 303);
    assert_eq!(jar.value, None, "the cookie was expired");
    assert!(!dir.path().join(&id).exists(), "the session file is gone");

    assert_eq!(
        send(addr, &mut jar, "GET", "/", "").status,
        303,
        "logged out"
    );
    server.stop();
}
