//! `request()`: the in-process client of the notes, no socket involved.
//!
//! web.py's `app.request(localpart, method, data, host, headers, https, **kw)` took
//! keyword arguments; Rust has none, so `request(localpart)` returns a builder whose
//! methods are those keywords, and `send()` makes the call.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use wsgi::{call_in_process, Environ};

use crate::Application;

// ANCHOR: request_builder
/// A request being built by [`Application::request`].
#[must_use = "a request does nothing until send() is called"]
pub struct Request<'a> {
    app: &'a Application,
    localpart: String,
    method: String,
    data: Vec<u8>,
    host: String,
    headers: Vec<(String, String)>,
    https: bool,
    env: Vec<(String, String)>,
}
// ANCHOR_END: request_builder

/// The answer to an in-process request: status, headers and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status line, for example `"200 OK"`.
    pub status: String,
    /// The headers in order.
    pub headers: Vec<(String, String)>,
    /// The body, every byte (web.py's `request` truncated non-ASCII bodies).
    pub data: Vec<u8>,
}

impl Response {
    /// The numeric status code.
    pub fn code(&self) -> u16 {
        self.status
            .get(..3)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as text (lossy for bytes that are not UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

impl Application {
    /// The in-process client: `app.request("/hello?x=1").method("POST").data("a=b").send()`.
    /// Defaults as in web.py: `GET`, host `0.0.0.0:8080`, plain HTTP.
    pub fn request(&self, localpart: &str) -> Request<'_> {
        Request {
            app: self,
            localpart: localpart.to_string(),
            method: "GET".to_string(),
            data: Vec::new(),
            host: "0.0.0.0:8080".to_string(),
            headers: Vec::new(),
            https: false,
            env: Vec::new(),
        }
    }
}

impl Request<'_> {
    /// The method (default `GET`).
    pub fn method(mut self, method: &str) -> Self {
        self.method = method.to_string();
        self
    }

    /// The body; web.py sent it only for methods other than GET and HEAD, and so does this.
    pub fn data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// The `Host` header (default `0.0.0.0:8080`).
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.to_string();
        self
    }

    /// One request header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Whether the request came over HTTPS.
    pub fn https(mut self, on: bool) -> Self {
        self.https = on;
        self
    }

    /// One extra environ variable (web.py's `env=` keyword), set last so it wins.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Calls `wsgifunc()` as a server would, with an environ built as web.py's
    /// `request` built it, and collects the whole response. A failure of the gateway
    /// contract (it cannot happen with this crate's callable) comes back as a 500.
    pub fn send(self) -> Response {
        let mut environ = Environ::from_target(&self.method, &self.localpart);
        environ.set("HTTP_HOST", self.host.as_str());
        environ.set_url_scheme(if self.https { "https" } else { "http" });
        for (name, value) in &self.headers {
            environ.add_header(name, value);
        }
        let body = if matches!(self.method.as_str(), "GET" | "HEAD") {
            Vec::new()
        } else {
            self.data
        };
        // The length in bytes: web.py used the length in characters and cut non-ASCII.
        if environ.get("CONTENT_LENGTH").is_none() {
            environ.set("CONTENT_LENGTH", body.len().to_string());
        }
        environ.set_input(Box::new(Cursor::new(body)));
        for (key, value) in self.env {
            environ.set(key, value);
        }
        let app = self.app.wsgifunc([]);
        // A stream that panics after its first chunk panics inside the collecting loop;
        // a server would cut the connection there, this client answers a 500 instead of
        // taking the caller down (the body's close hooks have run during the unwinding).
        let called = catch_unwind(AssertUnwindSafe(|| call_in_process(&*app, &mut environ)));
        // The body is closed: the next request made on this thread reuses the storage.
        environ.recycle();
        match called {
            Ok(Ok(r)) => Response {
                status: r.status.as_str().to_string(),
                headers: r.headers,
                data: r.body,
            },
            Ok(Err(e)) => failed(e.to_string()),
            Err(_) => failed("the response body panicked after its headers".to_string()),
        }
    }
}

/// What `send` answers when the gateway contract failed or the body panicked mid-stream.
fn failed(why: String) -> Response {
    Response {
        status: "500 Internal Server Error".to_string(),
        headers: Vec::new(),
        data: why.into_bytes(),
    }
}
