//! `PathInfoDispatcher`: longest prefix, whole segments, SCRIPT_NAME/PATH_INFO moved.

use wsgi::{app_fn, call_in_process, Body, Environ, PathInfoDispatcher, SharedApp};

/// An app that answers with its name, SCRIPT_NAME and PATH_INFO.
fn named(name: &'static str) -> SharedApp {
    app_fn(move |env, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        let text = format!(
            "{name} script={} path={}",
            env.get("SCRIPT_NAME").unwrap_or("?"),
            env.get("PATH_INFO").unwrap_or("?")
        );
        Ok(Body::from_bytes(text))
    })
}

fn get(dispatcher: &PathInfoDispatcher, target: &str) -> (u16, String) {
    let mut env = Environ::from_target("GET", target);
    let response = call_in_process(dispatcher, &mut env).expect("dispatcher answers");
    (response.status.code(), response.text())
}

fn dispatcher() -> PathInfoDispatcher {
    PathInfoDispatcher::new([
        ("/sub", named("sub")),
        ("/sub/deeper/", named("deeper")),
        ("/", named("root")),
    ])
}

#[test]
fn prefix_does_not_capture_a_longer_segment() {
    assert_eq!(get(&dispatcher(), "/subway").1, "root script= path=/subway");
}

#[test]
fn prefix_captures_itself_and_its_subpaths() {
    assert_eq!(get(&dispatcher(), "/sub").1, "sub script=/sub path=");
    assert_eq!(
        get(&dispatcher(), "/sub/x/y").1,
        "sub script=/sub path=/x/y"
    );
}

#[test]
fn longest_prefix_wins() {
    assert_eq!(
        get(&dispatcher(), "/sub/deeper/z").1,
        "deeper script=/sub/deeper path=/z"
    );
}

#[test]
fn nested_dispatchers_accumulate_script_name() {
    let inner: SharedApp = std::sync::Arc::new(PathInfoDispatcher::new([("/b", named("b"))]));
    let outer = PathInfoDispatcher::new([("/a", inner)]);
    assert_eq!(get(&outer, "/a/b/c").1, "b script=/a/b path=/c");
}

#[test]
fn no_match_is_404() {
    let only_sub = PathInfoDispatcher::new([("/sub", named("sub"))]);
    assert_eq!(get(&only_sub, "/other").0, 404);
}
