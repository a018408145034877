//! `start_response`: the status rule, header checks, the second-call rule, `write`.

use std::io::Write;

use wsgi::{
    call_in_process, AppError, Body, Environ, Recorder, ResponseSink, StartResponse, Status,
    WsgiError,
};

fn start(status: &str, headers: &[(&str, &str)]) -> Result<(), WsgiError> {
    let mut recorder = Recorder::default();
    let mut sr = StartResponse::new(&mut recorder);
    sr.start_response(status, headers.iter().copied())
        .map(|_| ())
}

#[test]
fn status_must_be_three_digits_space_reason() {
    for good in [
        "200 OK",
        "404 Not Found",
        "599 Whatever\tTab",
        "100 Continue",
    ] {
        assert!(Status::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "200",
        "200 ",
        "200OK",
        "20 OK",
        "2000 OK",
        "abc OK",
        "099 Low",
        "600 High",
        "200  ",
        "200 OK\r\nX: y",
        "200 O\0K",
        "",
    ] {
        assert!(
            matches!(Status::parse(bad), Err(WsgiError::InvalidStatus { .. })),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn status_exposes_code_and_reason() {
    let status = Status::parse("418 I'm a teapot").expect("valid");
    assert_eq!(status.code(), 418);
    assert_eq!(status.reason(), "I'm a teapot");
    assert_eq!(Status::from_code(404).as_str(), "404 Not Found");
    assert_eq!(Status::from_code(999).code(), 500);
}

#[test]
fn invalid_status_is_refused_by_start_response() {
    assert!(matches!(
        start("OK", &[]),
        Err(WsgiError::InvalidStatus { .. })
    ));
}

#[test]
fn header_value_with_crlf_is_refused() {
    assert!(matches!(
        start("200 OK", &[("X-A", "1\r\nSet-Cookie: evil=1")]),
        Err(WsgiError::InvalidHeaderValue { .. })
    ));
    assert!(matches!(
        start("200 OK", &[("X-A", "a\nb")]),
        Err(WsgiError::InvalidHeaderValue { .. })
    ));
    assert!(matches!(
        start("200 OK", &[("X-A", "nul\0")]),
        Err(WsgiError::InvalidHeaderValue { .. })
    ));
    assert!(start("200 OK", &[("X-A", "tab\tok")]).is_ok());
}

#[test]
fn header_name_must_be_a_token() {
    for bad in ["", "X A", "X:A", "X\r\nA", "Ä"] {
        assert!(
            matches!(
                start("200 OK", &[(bad, "v")]),
                Err(WsgiError::InvalidHeaderName { .. })
            ),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn hop_by_hop_headers_are_reserved_to_the_server() {
    for name in [
        "Connection",
        "transfer-encoding",
        "Keep-Alive",
        "Upgrade",
        "TE",
    ] {
        assert!(
            matches!(
                start("200 OK", &[(name, "x")]),
                Err(WsgiError::HopByHopHeader { .. })
            ),
            "{name} accepted"
        );
    }
}

#[test]
fn content_length_must_be_digits() {
    assert!(start("200 OK", &[("Content-Length", "12")]).is_ok());
    for bad in ["", "-1", "1 2", "0x10", "+5"] {
        assert!(
            matches!(
                start("200 OK", &[("Content-Length", bad)]),
                Err(WsgiError::InvalidContentLength { .. })
            ),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn a_refused_call_records_nothing() {
    let mut recorder = Recorder::default();
    {
        let mut sr = StartResponse::new(&mut recorder);
        assert!(sr.start_response("200 OK", [("Bad Name", "v")]).is_err());
        assert!(!sr.called());
        // A corrected call still counts as the first.
        assert!(sr.start_response("200 OK", [("Good", "v")]).is_ok());
    }
    assert_eq!(recorder.status.map(|s| s.code()), Some(200));
}

#[test]
fn second_call_without_error_is_refused() {
    let mut recorder = Recorder::default();
    let mut sr = StartResponse::new(&mut recorder);
    sr.start_response("200 OK", [("A", "1")])
        .expect("first call");
    assert!(matches!(
        sr.start_response("500 Oops", Vec::<(String, String)>::new()),
        Err(WsgiError::StartResponseCalledTwice)
    ));
}

#[test]
fn second_call_with_error_replaces_unsent_headers() {
    let mut recorder = Recorder::default();
    {
        let mut sr = StartResponse::new(&mut recorder);
        sr.start_response("200 OK", [("A", "1")])
            .expect("first call");
        sr.start_response_with_error("500 Internal Server Error", [("B", "2")], "boom".into())
            .expect("allowed: nothing sent yet");
    }
    assert_eq!(recorder.status.map(|s| s.code()), Some(500));
    assert_eq!(recorder.headers, vec![("B".to_owned(), "2".to_owned())]);
}

#[test]
fn second_call_with_error_after_headers_sent_hands_the_error_back() {
    let mut recorder = Recorder::default();
    let mut sr = StartResponse::new(&mut recorder);
    sr.start_response("200 OK", [("A", "1")])
        .expect("first call")
        .write(b"partial")
        .expect("write");
    assert!(sr.headers_sent());
    match sr.start_response_with_error("500 Oops", [("B", "2")], "the cause".into()) {
        Err(WsgiError::HeadersAlreadySent { error }) => assert_eq!(error.to_string(), "the cause"),
        other => panic!("expected HeadersAlreadySent, got {:?}", other.err()),
    }
}

#[test]
fn empty_write_does_not_send_headers() {
    let mut recorder = Recorder::default();
    let mut sr = StartResponse::new(&mut recorder);
    sr.start_response("200 OK", [("A", "1")])
        .expect("first call")
        .write(b"")
        .expect("write");
    assert!(!sr.headers_sent());
}

#[test]
fn writer_bytes_come_before_the_body() {
    fn legacy(_: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
        let mut write = sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        write.write_all(b"written, ")?;
        Ok(Body::from_bytes("then returned"))
    }
    let response = call_in_process(&legacy, &mut Environ::new()).expect("app runs");
    assert_eq!(response.text(), "written, then returned");
}

#[test]
fn writer_is_unavailable_before_start_response() {
    let mut recorder = Recorder::default();
    let mut sr = StartResponse::new(&mut recorder);
    assert!(matches!(
        sr.writer(),
        Err(WsgiError::StartResponseNotCalled)
    ));
}

#[test]
fn app_that_never_calls_start_response_is_an_error() {
    fn silent(_: &mut Environ, _: &mut StartResponse<'_>) -> Result<Body, AppError> {
        Ok(Body::from_bytes("no status"))
    }
    assert!(matches!(
        call_in_process(&silent, &mut Environ::new()),
        Err(WsgiError::StartResponseNotCalled)
    ));
}

#[test]
fn recorder_refuses_bytes_before_a_status() {
    let mut recorder = Recorder::default();
    assert!(recorder.write(b"x").is_err());
    assert!(recorder.write(b"").is_ok());
}
