//! A user of the demo over real HTTP: one request per connection, a one-cookie jar, and
//! forms sent with the CSRF token of the last page, as a browser would.
#![allow(dead_code)]

use std::io::{BufReader, Write};
use std::net::SocketAddr;

use super::Jar;

/// The demo's cookie.
pub const COOKIE: &str = "webpy_session_id";

/// What came back: status code, headers, body.
#[derive(Debug)]
pub struct Answer {
    pub code: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("Set-Cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// One request on a fresh connection (`Connection: close`), through testkit's socket
/// (timeouts on every read and write: a server that hangs fails the test).
pub fn send(
    addr: SocketAddr,
    cookie: Option<&str>,
    method: &str,
    path: &str,
    form: &str,
) -> Answer {
    let cookie = cookie
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
    let mut stream = testkit::connect(addr);
    stream.write_all(request.as_bytes()).expect("send");
    let response = testkit::read_response(&mut BufReader::new(stream), method == "HEAD");
    assert!(response.complete, "the whole answer before the timeout");
    Answer {
        code: response.status,
        body: response.text(),
        headers: response.headers,
    }
}

/// The value of the first `csrf_token` field in a page.
pub fn csrf_token(page: &str) -> Option<String> {
    let field = "name=\"csrf_token\" value=\"";
    let token = &page[page.find(field)? + field.len()..];
    Some(token[..token.find('"')?].to_owned())
}

/// A user with a cookie jar, who may go from one server to another (the jar is the
/// browser's, the servers are the load balancer's choice).
pub struct User {
    pub jar: Jar,
    pub token: Option<String>,
}

impl User {
    pub fn new() -> User {
        User {
            jar: Jar::new(COOKIE),
            token: None,
        }
    }

    pub fn get(&mut self, addr: SocketAddr, path: &str) -> Answer {
        self.send(addr, "GET", path, "")
    }

    /// Sends a form with the token of the last page (fetching the login page first if
    /// no page was seen), and does not follow the redirect.
    pub fn post(&mut self, addr: SocketAddr, path: &str, form: &str) -> Answer {
        if self.token.is_none() {
            self.get(addr, "/login");
        }
        let form = format!(
            "{form}&csrf_token={}",
            self.token.clone().unwrap_or_default()
        );
        self.send(addr, "POST", path, &form)
    }

    /// `post`, then a GET of the redirect's target on the same server: the page a
    /// browser lands on.
    pub fn submit(&mut self, addr: SocketAddr, path: &str, form: &str) -> (Answer, Answer) {
        let answer = self.post(addr, path, form);
        assert_eq!(answer.code, 303, "{path}: {}", answer.body);
        let target = answer.header("Location").unwrap_or("/").to_owned();
        let path = target
            .find("://")
            .and_then(|at| {
                target[at + 3..]
                    .find('/')
                    .map(|p| target[at + 3 + p..].to_owned())
            })
            .unwrap_or(target);
        let landed = self.get(addr, &path);
        (answer, landed)
    }

    fn send(&mut self, addr: SocketAddr, method: &str, path: &str, form: &str) -> Answer {
        let answer = send(addr, self.jar.header().as_deref(), method, path, form);
        self.jar.update(&answer.set_cookies());
        if let Some(token) = csrf_token(&answer.body) {
            self.token = Some(token);
        }
        answer
    }
}
