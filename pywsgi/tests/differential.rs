//! web.py 0.76 on cheroot 11.1.2 and on pywsgi: the same application
//! (`tests/apps/webpy_app.py`), the same requests, and the same answers byte for byte:
//! status line, every header in order, and body, `Date` and `Server` aside.

mod support;

use std::process::Command;

use support::{exchange, have_pydeps, serve};
use testkit::example::Served;

/// cheroot serving `webpy_app:app` on a free port, in a Python child process.
fn cheroot() -> Served {
    let script = format!(
        "import sys; sys.path[:0] = [{apps:?}, {deps:?}]\n\
         from cheroot import wsgi\n\
         import webpy_app\n\
         server = wsgi.Server(('127.0.0.1', 0), webpy_app.app, numthreads=2)\n\
         server.prepare()\n\
         print('listening on http://%s:%d' % server.bind_addr[:2], flush=True)\n\
         server.serve()\n",
        apps = support::apps_dir().display().to_string(),
        deps = support::pydeps_dir().display().to_string(),
    );
    let mut command = Command::new(env!("PYWSGI_PYTHON"));
    command.args(["-c", &script]).env_remove("PYTHONPATH");
    Served::spawn(command)
}

/// A request: method, target, extra header lines, body.
type Case = (&'static str, &'static str, &'static str, &'static [u8]);

const MULTIPART: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nA title\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nsome notes\n\r\n\
--XyZ--\r\n";

const CASES: &[Case] = &[
    ("GET", "/", "", b""),
    ("GET", "/hello/bob?greeting=hi", "", b""),
    ("GET", "/hello/%C3%A9t%C3%A9", "", b""),
    ("GET", "/form", "", b""),
    (
        "POST",
        "/form",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        b"title=First+post&tags=a&tags=b",
    ),
    (
        "POST",
        "/form",
        "Content-Type: multipart/form-data; boundary=XyZ\r\n",
        MULTIPART,
    ),
    ("GET", "/cookie", "", b""),
    ("GET", "/cookie", "Cookie: visits=41\r\n", b""),
    ("GET", "/redirect/see", "", b""),
    ("GET", "/redirect/found", "", b""),
    ("GET", "/redirect/permanent", "", b""),
    ("GET", "/redirect/nowhere", "", b""),
    ("GET", "/error/notfound", "", b""),
    ("GET", "/error/badrequest", "", b""),
    ("GET", "/error/forbidden", "", b""),
    ("GET", "/error/nomethod", "", b""),
    ("GET", "/error/custom", "", b""),
    ("GET", "/error/zero", "", b""),
    ("GET", "/no/such/page", "", b""),
    ("DELETE", "/", "", b""),
    ("GET", "/stream", "", b""),
    ("GET", "/latin/caf%E9", "X-Name: caf\u{e9}\r\n", b""),
    ("HEAD", "/head", "", b""),
    ("GET", "/head", "", b""),
    ("GET", "/blog", "", b""),
    ("GET", "/blog/", "", b""),
    ("GET", "/blog/first?x=1", "", b""),
    // Session ids count from 1 (the app's CountingSession): the first request's is 1.
    (
        "GET",
        "/session",
        "Cookie: webpy_session_id=0000000000000000000000000000000000000001\r\n",
        b"",
    ),
    (
        "GET",
        "/session",
        "Cookie: webpy_session_id=0000000000000000000000000000000000000001\r\n",
        b"",
    ),
    (
        "GET",
        "/session",
        "Cookie: webpy_session_id=00000000000000000000000000000000000000ff\r\n",
        b"",
    ),
    ("GET", "/session", "", b""),
];

fn request((method, target, headers, body): &Case) -> Vec<u8> {
    let mut raw =
        format!("{method} {target} HTTP/1.1\r\nHost: test.local\r\n{headers}").into_bytes();
    // The header text is written as UTF-8 above; é must go as the one byte 0xE9.
    raw = String::from_utf8_lossy(&raw)
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    if !body.is_empty() {
        raw.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    raw.extend_from_slice(b"Connection: close\r\n\r\n");
    raw.extend_from_slice(body);
    raw
}

/// The response with its `Date` and `Server` lines taken out.
fn comparable(raw: &[u8]) -> Vec<u8> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |at| at + 4);
    let (head, body) = raw.split_at(end);
    let mut out = Vec::new();
    for line in head.split_inclusive(|&b| b == b'\n') {
        let lower = line.to_ascii_lowercase();
        if !(lower.starts_with(b"date:") || lower.starts_with(b"server:")) {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(body);
    out
}

#[test]
fn web_py_answers_on_pywsgi_byte_for_byte_as_on_cheroot() {
    if !have_pydeps("web_py_answers_on_pywsgi_byte_for_byte_as_on_cheroot") {
        return;
    }
    let theirs = cheroot();
    let ours = serve("webpy_app:app", 2);
    let mut differences = Vec::new();
    let mut sessions = Vec::new();
    for case in CASES {
        let raw = request(case);
        let expected = comparable(&exchange(theirs.addr.parse().expect("an address"), &raw));
        let got = comparable(&exchange(ours.local_addr(), &raw));
        assert!(
            expected.starts_with(b"HTTP/1.1 "),
            "cheroot answered {case:?} with {:?}",
            String::from_utf8_lossy(&expected)
        );
        if case.1 == "/session" {
            sessions.push(String::from_utf8_lossy(&expected).into_owned());
        }
        if expected != got {
            differences.push(format!(
                "{} {}\n--- cheroot\n{}\n--- pywsgi\n{}",
                case.0,
                case.1,
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    ours.stop();
    assert!(
        differences.is_empty(),
        "{} of {} differ:\n{}",
        differences.len(),
        CASES.len(),
        differences.join("\n")
    );
}
