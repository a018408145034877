//! `Validator`: findings for apps and servers that break the contract.

use std::sync::Arc;

use wsgi::middleware::{Finding, Validator};
use wsgi::{app_fn, call_in_process, AppError, Body, Environ, SharedApp, StartResponse};

fn check(app: SharedApp, env: &mut Environ) -> Vec<Finding> {
    let validator = Validator::new(app);
    let findings = validator.findings();
    env.set_errors(Box::new(std::io::sink()));
    let _ = call_in_process(&validator, env);
    findings.take()
}

fn ok_app() -> SharedApp {
    app_fn(|_, sr| {
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("ok"))
    })
}

#[test]
fn a_correct_app_and_environ_have_no_findings() {
    assert_eq!(
        check(ok_app(), &mut Environ::from_target("GET", "/")),
        vec![]
    );
}

#[test]
fn short_and_long_bodies_are_reported() {
    for (body, produced) in [("o", 1), ("okay", 4)] {
        let app = app_fn(move |_, sr| {
            sr.start_response(
                "200 OK",
                [("Content-Type", "text/plain"), ("Content-Length", "2")],
            )?;
            Ok(Body::from_bytes(body))
        });
        assert_eq!(
            check(app, &mut Environ::new()),
            vec![Finding::ContentLengthMismatch {
                declared: 2,
                produced
            }]
        );
    }
}

#[test]
fn missing_content_type_is_reported() {
    let app = app_fn(|_, sr| {
        sr.start_response("200 OK", [("X-A", "1")])?;
        Ok(Body::from_bytes("x"))
    });
    assert_eq!(
        check(app, &mut Environ::new()),
        vec![Finding::NoContentType { status: 200 }]
    );
}

#[test]
fn content_and_content_type_on_304_are_reported() {
    let app = app_fn(|_, sr| {
        sr.start_response("304 Not Modified", [("Content-Type", "text/plain")])?;
        Ok(Body::from_bytes("stale"))
    });
    assert_eq!(
        check(app, &mut Environ::new()),
        vec![
            Finding::ContentTypeWithoutContent { status: 304 },
            Finding::BodyForNoContentStatus {
                status: 304,
                bytes: 5
            }
        ]
    );
}

#[test]
fn app_errors_are_reported_before_and_during_the_body() {
    fn early(_: &mut Environ, _: &mut StartResponse<'_>) -> Result<Body, AppError> {
        Err("early".into())
    }
    let late = app_fn(|_, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        let chunks: Vec<Result<Vec<u8>, AppError>> = vec![Ok(b"a".to_vec()), Err("late".into())];
        Ok(Body::from_results(chunks))
    });
    assert_eq!(
        check(Arc::new(early), &mut Environ::new()),
        vec![Finding::AppFailed {
            error: "early".into()
        }]
    );
    assert_eq!(
        check(late, &mut Environ::new()),
        vec![Finding::AppFailed {
            error: "late".into()
        }]
    );
}

#[test]
fn an_app_that_never_starts_the_response_is_reported() {
    let silent = app_fn(|_, _| Ok(Body::empty()));
    assert_eq!(
        check(silent, &mut Environ::new()),
        vec![Finding::NoStartResponse]
    );
}

#[test]
fn a_bad_environ_is_blamed_on_the_server() {
    let mut env = Environ::new();
    env.set("SERVER_PORT", "http");
    env.set("REQUEST_METHOD", "");
    env.set_path_info("relative");
    env.set("HTTP_CONTENT_LENGTH", "3");
    env.remove("QUERY_STRING");
    let found = check(ok_app(), &mut env);
    let keys: Vec<String> = found
        .iter()
        .map(|f| match f {
            Finding::Environ { key, .. } => key.clone(),
            other => panic!("unexpected finding {other}"),
        })
        .collect();
    assert_eq!(
        keys,
        [
            "QUERY_STRING",
            "REQUEST_METHOD",
            "PATH_INFO",
            "SERVER_PORT",
            "HTTP_CONTENT_LENGTH"
        ]
    );
    assert!(found.iter().all(|f| f.blame() == "server"));
}

#[test]
fn findings_go_to_wsgi_errors_too() {
    #[derive(Clone, Default)]
    struct Log(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Log {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Log::default();
    let mut env = Environ::new();
    env.set("SERVER_PORT", "x");
    env.set_errors(Box::new(log.clone()));
    let validator = Validator::new(ok_app());
    let _ = call_in_process(&validator, &mut env);
    let text = String::from_utf8_lossy(&log.0.lock().expect("lock")).into_owned();
    assert!(
        text.contains("validator: server: environ SERVER_PORT: must be digits"),
        "{text}"
    );
}

#[test]
fn script_name_of_a_lone_slash_is_blamed_on_the_server() {
    // wsgiref.validate: "SCRIPT_NAME cannot be '/'; it should instead be '', and
    // PATH_INFO should be '/'".
    let mut env = Environ::new();
    env.set_script_name("/");
    env.set_path_info("");
    let found = check(ok_app(), &mut env);
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Finding::Environ { key, .. } if key == "SCRIPT_NAME")),
        "{found:?}"
    );
}

#[test]
fn status_header_and_names_ending_in_dash_or_underscore_are_reported() {
    // wsgiref.validate.check_headers: "The Status header cannot be used" (CGI reads it
    // as the status), "Names may not end in '-' or '_'".
    for name in ["Status", "status", "X-Trailing-", "X_Trailing_"] {
        let app = app_fn(move |_, sr| {
            sr.start_response(
                "200 OK",
                [
                    ("Content-Type", "text/plain"),
                    ("Content-Length", "2"),
                    (name, "1"),
                ],
            )?;
            Ok(Body::from_bytes("ok"))
        });
        let found = check(app, &mut Environ::new());
        assert!(
            found.iter().any(|f| matches!(
                f,
                Finding::BadHeaderName { name: n, .. } if n == name
            )),
            "{name}: {found:?}"
        );
        assert!(found.iter().all(|f| f.blame() == "application"));
    }
}

#[test]
fn a_body_the_server_stopped_pulling_is_not_short_by_the_apps_fault() {
    // A HEAD whose headers are out, or a client gone mid-stream: the server stops
    // pulling. Fewer bytes than declared are then no finding; more still are.
    for (declared, chunks, expected) in [
        ("6", vec![b"abc".to_vec(), b"def".to_vec()], vec![]),
        (
            "2",
            vec![b"abc".to_vec(), b"def".to_vec()],
            vec![Finding::ContentLengthMismatch {
                declared: 2,
                produced: 3,
            }],
        ),
    ] {
        let app = app_fn(move |_, sr| {
            sr.start_response(
                "200 OK",
                [("Content-Type", "text/plain"), ("Content-Length", declared)],
            )?;
            Ok(Body::from_chunks(chunks.clone()))
        });
        let validator = Validator::new(app);
        let findings = validator.findings();
        let mut env = Environ::new();
        env.set_errors(Box::new(std::io::sink()));
        let mut recorder = wsgi::Recorder::default();
        let mut body = {
            let mut sr = StartResponse::new(&mut recorder);
            wsgi::WsgiApp::call(&validator, &mut env, &mut sr).expect("a body")
        };
        assert!(body.next().is_some_and(|c| c.is_ok()));
        body.close().expect("closes");
        assert_eq!(findings.take(), expected, "Content-Length {declared}");
    }
}
