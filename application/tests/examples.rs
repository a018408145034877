//! Every example runs and says what its `//!` comment promises.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The example binary `cargo test` built beside this test's binary.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    debug.join("examples").join(name)
}

fn run(name: &str) -> String {
    let out = Command::new(example(name))
        .output()
        .expect("the example runs");
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn url_mapping_shows_each_target_answering() {
    let out = run("url_mapping");
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
    let out = Command::new(example("form_memory"))
        .args(["--posts", "2", "--mb", "1"])
        .output()
        .expect("the example runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.matches("a: 999998 bytes").count(), 2, "{out}");
    assert!(
        out.contains("bodies: 2 x 1 MB = 2 MB\npeak RSS before the posts:"),
        "{out}"
    );
    assert!(out.contains("\npeak RSS: "), "{out}");
}

#[test]
fn processor_order_shows_the_first_added_outermost() {
    let out = run("processor_order");
    let want =
        "loadhook, p1 in, p2 in, p3 in, handle, unloadhook, p3 out (ok), p2 out (ok), p1 out (ok)";
    assert!(out.contains(want), "{out}");
    assert!(out.contains("p3 out (500 Internal Server Error)"), "{out}");
    assert!(
        out.contains("p1 out (ok), chunk 1, chunk 2, unloadhook"),
        "{out}"
    );
}

/// A served example: killed (by its own id) when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    /// Starts `name` with `args` and waits (bounded) for the address it prints.
    fn start(name: &str, args: &[&str]) -> Served {
        let mut child = Command::new(example(name))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the example starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let addr = line
            .trim()
            .trim_start_matches("listening on ")
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let served = Served {
            child,
            addr: addr.to_string(),
        };
        assert!(
            served.addr.starts_with("127.0.0.1:"),
            "{name} printed {line:?}"
        );
        served
    }

    fn get(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).expect("connect to the example");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read timeout");
        stream
            .set_write_timeout(Some(Duration::from_secs(5)))
            .expect("write timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut out = Vec::new();
        stream
            .take(1 << 20)
            .read_to_end(&mut out)
            .expect("read the response");
        String::from_utf8_lossy(&out).into_owned()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let pid = wiki.child.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -TERM {pid}");
    // Bounded wait: 100 polls of 100 ms.
    let mut status = None;
    for _ in 0..100 {
        status = wiki.child.try_wait().expect("poll the child");
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = status.expect("the wiki exits after SIGTERM");
    assert!(
        status.success(),
        "run() returns Ok after a graceful stop: {status}"
    );
}
