//! The full-stack demo over real HTTP: every layer from the socket up, with a cookie jar.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use application::ServerConfig;
use session::DiskStore;
use support::{Jar, Scratch};

const NAME: &str = "webpy_session_id";

/// What came back: status code, headers, body.
struct Answer {
    code: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("Set-Cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// One request on a fresh connection (`Connection: close`, so the answer ends at EOF),
/// with the jar's cookie; the jar takes the answer's `Set-Cookie`.
fn send(addr: SocketAddr, jar: &mut Jar, method: &str, path: &str, form: &str) -> Answer {
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
    let mut stream = TcpStream::connect(addr).expect("connect to the demo");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .expect("write timeout");
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .expect("the whole answer before the timeout");
    let text = String::from_utf8(raw).expect("the demo answers UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a header section");
    let mut lines = head.split("\r\n");
    let code = lines
        .next()
        .and_then(|status| status.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect();
    let answer = Answer {
        code,
        headers,
        body: body.to_owned(),
    };
    jar.update(&answer.set_cookies());
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
    assert_eq!(home.code, 303);
    assert_eq!(
        home.header("Location"),
        Some(format!("http://{addr}/login").as_str())
    );

    let css = send(addr, &mut jar, "GET", "/assets/style.css", "");
    assert_eq!(css.code, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));

    let login = send(
        addr,
        &mut jar,
        "POST",
        "/login",
        "username=ada&password=lovelace",
    );
    assert_eq!(login.code, 303, "{}", login.body);
    let id = jar.value.clone().expect("a session cookie after login");
    assert!(
        dir.path().join(&id).is_file(),
        "the session is a file named by its id"
    );

    let added = send(addr, &mut jar, "POST", "/todos", "text=ship+the+demo");
    assert_eq!(added.code, 303);

    let list = send(addr, &mut jar, "GET", "/", "");
    assert_eq!(list.code, 200);
    assert!(
        list.body.contains("<span>ship the demo</span>"),
        "{}",
        list.body
    );

    let out = send(addr, &mut jar, "POST", "/logout", "");
    assert_eq!(out.code, 303);
    assert_eq!(jar.value, None, "the cookie was expired");
    assert!(!dir.path().join(&id).exists(), "the session file is gone");

    assert_eq!(send(addr, &mut jar, "GET", "/", "").code, 303, "logged out");
    server.stop();
}
