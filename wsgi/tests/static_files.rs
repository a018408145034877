//! `StaticFiles`: headers, revalidation, and no way out of the directory.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use wsgi::middleware::StaticFiles;
use wsgi::{app_fn, call_in_process, Body, CollectedResponse, Environ};

/// A scratch tree, removed on drop:
/// `outside/secret.txt`, `outside/www/{hello.txt,style.css,.hidden,sub/page.html}`.
struct Tree(PathBuf);

impl Tree {
    fn new() -> Tree {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wsgi-static-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("www/sub")).expect("create scratch dir");
        fs::write(dir.join("secret.txt"), "top secret").expect("write");
        fs::write(dir.join("www/hello.txt"), "hello static").expect("write");
        fs::write(dir.join("www/style.css"), "body{}").expect("write");
        fs::write(dir.join("www/.hidden"), "dotfile").expect("write");
        fs::write(dir.join("www/sub/page.html"), "<p>hi</p>").expect("write");
        Tree(dir)
    }

    fn www(&self) -> PathBuf {
        self.0.join("www")
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn serve(root: &Path, method: &str, target: &str, headers: &[(&str, &str)]) -> CollectedResponse {
    let app = app_fn(|_, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Body::from_bytes("from the app"))
    });
    let files = StaticFiles::new(app, "/static/", root);
    let mut env = Environ::from_target(method, target);
    for (name, value) in headers {
        env.add_header(name, value);
    }
    call_in_process(&files, &mut env).expect("static files answer")
}

#[test]
fn serves_a_file_with_type_length_and_validators() {
    let tree = Tree::new();
    let r = serve(&tree.www(), "GET", "/static/hello.txt", &[]);
    assert_eq!(r.status.code(), 200);
    assert_eq!(r.body, b"hello static");
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.header("Content-Length"), Some("12"));
    assert!(r.header("ETag").is_some_and(|e| e.starts_with('"')));
    assert!(r
        .header("Last-Modified")
        .is_some_and(|d| d.ends_with(" GMT")));
    let css = serve(&tree.www(), "GET", "/static/style.css", &[]);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    let html = serve(&tree.www(), "GET", "/static/sub/page.html", &[]);
    assert_eq!(
        html.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn other_paths_go_to_the_app() {
    let tree = Tree::new();
    assert_eq!(
        serve(&tree.www(), "GET", "/hello.txt", &[]).text(),
        "from the app"
    );
    assert_eq!(
        serve(&tree.www(), "GET", "/staticx/hello.txt", &[]).text(),
        "from the app"
    );
}

#[test]
fn head_gets_the_headers_without_the_body() {
    let tree = Tree::new();
    let r = serve(&tree.www(), "HEAD", "/static/hello.txt", &[]);
    assert_eq!(r.status.code(), 200);
    assert_eq!(r.header("Content-Length"), Some("12"));
    assert!(r.body.is_empty());
}

#[test]
fn other_methods_get_405_with_allow() {
    let tree = Tree::new();
    let r = serve(&tree.www(), "POST", "/static/hello.txt", &[]);
    assert_eq!(r.status.code(), 405);
    assert_eq!(r.header("Allow"), Some("GET, HEAD"));
}

#[test]
fn matching_etag_revalidates_with_304() {
    let tree = Tree::new();
    let first = serve(&tree.www(), "GET", "/static/hello.txt", &[]);
    let etag = first.header("ETag").expect("etag").to_owned();
    let weak = format!("W/{etag}");
    for tags in [
        etag.as_str(),
        "*",
        weak.as_str(),
        &format!("\"other\", {etag}"),
    ] {
        let r = serve(
            &tree.www(),
            "GET",
            "/static/hello.txt",
            &[("If-None-Match", tags)],
        );
        assert_eq!(r.status.code(), 304, "{tags}");
        assert!(r.body.is_empty());
        assert_eq!(r.header("ETag"), Some(etag.as_str()));
    }
    let r = serve(
        &tree.www(),
        "GET",
        "/static/hello.txt",
        &[("If-None-Match", "\"other\"")],
    );
    assert_eq!(r.status.code(), 200);
}

#[test]
fn if_modified_since_revalidates_and_etag_wins() {
    let tree = Tree::new();
    let first = serve(&tree.www(), "GET", "/static/hello.txt", &[]);
    let date = first.header("Last-Modified").expect("date").to_owned();
    let fresh = serve(
        &tree.www(),
        "GET",
        "/static/hello.txt",
        &[("If-Modified-Since", &date)],
    );
    assert_eq!(fresh.status.code(), 304);
    let old = "Thu, 01 Jan 1970 00:00:00 GMT";
    let stale = serve(
        &tree.www(),
        "GET",
        "/static/hello.txt",
        &[("If-Modified-Since", old)],
    );
    assert_eq!(stale.status.code(), 200);
    // RFC 9110 §13.2.2: If-None-Match is evaluated instead of If-Modified-Since.
    let both = serve(
        &tree.www(),
        "GET",
        "/static/hello.txt",
        &[("If-None-Match", "\"other\""), ("If-Modified-Since", &date)],
    );
    assert_eq!(both.status.code(), 200);
}

#[test]
fn traversal_attempts_are_404() {
    let tree = Tree::new();
    for target in [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2e%2fsecret.txt",
        "/static/sub/../../secret.txt",
        "/static/sub/%2e%2e/%2e%2e/secret.txt",
        "/static/..%5csecret.txt",
        "/static/.%2e/secret.txt",
        "/static/./hello.txt",
        "/static/.hidden",
        "/static/%2ehidden",
        "/static/hello.txt%00",
        "/static/%ff",
        "/static/sub",
        "/static/",
        "/static/missing.txt",
    ] {
        let r = serve(&tree.www(), "GET", target, &[]);
        assert_eq!(r.status.code(), 404, "{target} served {:?}", r.text());
        assert!(!r.text().contains("top secret"), "{target}");
    }
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_directory_is_404_and_inside_is_served() {
    let tree = Tree::new();
    std::os::unix::fs::symlink(tree.0.join("secret.txt"), tree.www().join("leak.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink(tree.www().join("hello.txt"), tree.www().join("alias.txt"))
        .expect("symlink");
    assert_eq!(
        serve(&tree.www(), "GET", "/static/leak.txt", &[])
            .status
            .code(),
        404
    );
    assert_eq!(
        serve(&tree.www(), "GET", "/static/alias.txt", &[]).body,
        b"hello static"
    );
}

#[test]
fn a_large_file_streams_in_chunks() {
    let tree = Tree::new();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(tree.www().join("big.bin"), &data).expect("write");
    let app = app_fn(|_, _| Ok(Body::empty()));
    let files = StaticFiles::new(app, "/static", tree.www());
    let mut env = Environ::from_target("GET", "/static/big.bin");
    let mut recorder = wsgi::Recorder::default();
    let body = {
        let mut sr = wsgi::StartResponse::new(&mut recorder);
        wsgi::WsgiApp::call(&files, &mut env, &mut sr).expect("served")
    };
    let chunks: Vec<Vec<u8>> = body.map(|c| c.expect("read")).collect();
    assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    assert_eq!(chunks.concat(), data);
    assert_eq!(
        recorder
            .headers
            .iter()
            .find(|(n, _)| n == "Content-Type")
            .map(|(_, v)| v.as_str()),
        Some("application/octet-stream")
    );
}

#[test]
fn absolute_paths_encoded_slashes_and_backslashes_stay_inside_the_root() {
    let tree = Tree::new();
    let secret = tree.0.join("secret.txt");
    let secret = secret.to_str().expect("a UTF-8 temp path");
    for target in [
        format!("/static/{secret}"),
        format!("/static//{secret}"),
        format!("/static/%2f{}", secret.trim_start_matches('/')),
        "/static/sub%2f..%2f..%2fsecret.txt".to_owned(),
        "/static/sub%5c..%5c..%5csecret.txt".to_owned(),
        "/static/sub\\..\\..\\secret.txt".to_owned(),
        "/static/%00/../secret.txt".to_owned(),
    ] {
        let r = serve(&tree.www(), "GET", &target, &[]);
        assert_eq!(r.status.code(), 404, "{target} served {:?}", r.text());
    }
}

#[test]
fn a_segment_with_a_colon_is_refused_on_every_system() {
    // `C:` is a drive letter and `name:stream` an NTFS alternate data stream on Windows;
    // refusing `:` everywhere keeps the rule the same on every system. The directory
    // exists here, so only the rule stands between the request and the file.
    let tree = Tree::new();
    fs::create_dir_all(tree.www().join("C:")).expect("create C:");
    fs::write(tree.www().join("C:/file.txt"), "behind a drive letter").expect("write");
    for target in [
        "/static/C:/file.txt",
        "/static/C%3a/file.txt",
        "/static/hello.txt::$DATA",
    ] {
        let r = serve(&tree.www(), "GET", target, &[]);
        assert_eq!(r.status.code(), 404, "{target} served {:?}", r.text());
    }
}

#[test]
fn a_file_that_grows_while_served_sends_no_more_than_its_content_length() {
    let tree = Tree::new();
    let path = tree.www().join("growing.log");
    fs::write(&path, "first line\n").expect("write");
    let app = app_fn(|_, _| Ok(Body::empty()));
    let files = StaticFiles::new(app, "/static", tree.www());
    let mut env = Environ::from_target("GET", "/static/growing.log");
    let mut recorder = wsgi::Recorder::default();
    let body = {
        let mut sr = wsgi::StartResponse::new(&mut recorder);
        wsgi::WsgiApp::call(&files, &mut env, &mut sr).expect("served")
    };
    // The file grows after the headers went out (a log being written).
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    std::io::Write::write_all(&mut file, b"second line\n").expect("append");
    let declared = recorder
        .headers
        .iter()
        .find(|(n, _)| n == "Content-Length")
        .map(|(_, v)| v.clone());
    let sent = body.collect_bytes().expect("read");
    assert_eq!(declared.as_deref(), Some("11"));
    assert_eq!(sent, b"first line\n");
}

#[test]
fn a_file_that_shrinks_while_served_ends_its_body_with_an_error() {
    let tree = Tree::new();
    let path = tree.www().join("shrinking.log");
    fs::write(&path, "a line that will be cut\n").expect("write");
    let app = app_fn(|_, _| Ok(Body::empty()));
    let files = StaticFiles::new(app, "/static", tree.www());
    let mut env = Environ::from_target("GET", "/static/shrinking.log");
    let mut recorder = wsgi::Recorder::default();
    let body = {
        let mut sr = wsgi::StartResponse::new(&mut recorder);
        wsgi::WsgiApp::call(&files, &mut env, &mut sr).expect("served")
    };
    fs::write(&path, "cut\n").expect("truncate");
    // An error, so the gateway cuts the connection: never a complete-looking response.
    assert!(body.collect_bytes().is_err());
}

#[test]
fn a_304_and_a_head_over_the_wire_keep_the_connection_in_step() {
    // Neither response may carry body bytes, or the next response would start inside them.
    let tree = Tree::new();
    let app = app_fn(|_, _| Err("only static files here".into()));
    let app = wsgi::apply_middleware(
        app,
        [wsgi::middleware::static_files("/static/", tree.www())],
    );
    let server = support::serve(app);
    let mut client = support::Client::connect(server.addr);
    client.send(b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    let first = client.response(false);
    let etag = first.header("ETag").expect("an ETag").to_owned();
    let pipelined = format!(
        "GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n\r\n\
         HEAD /static/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    client.send(pipelined.as_bytes());
    let not_modified = client.response(false);
    assert_eq!(not_modified.status, 304);
    assert_eq!(not_modified.header("ETag"), Some(etag.as_str()));
    let head = client.response(true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Length"), Some("12"));
    let last = client.response(false);
    assert_eq!(last.text(), "hello static");
    assert!(client.closed_by_server());
}
