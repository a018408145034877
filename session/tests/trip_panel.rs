//! The demo's "this request's trip" panel: every page ends with the layers the request
//! that made it crossed, from the worker down to the handler, over real HTTP, as text
//! and as a waterfall picture.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use app::trip::{self, Finished};
use application::ServerConfig;
use session::MemoryStore;
use support::http::User;

/// The panel of `page`, or a failure that shows the page.
fn panel(page: &str) -> &str {
    page.split("<details class=\"trip\">")
        .nth(1)
        .and_then(|rest| rest.split("</details>").next())
        .unwrap_or_else(|| panic!("no trip panel on the page:\n{page}"))
}

#[test]
fn every_page_shows_the_layers_its_request_crossed_and_no_whole_session_id() {
    // This test binary's one subscriber: the demo's collector, as `demo` installs it.
    trip::install(Finished::Forget).expect("no other subscriber in this test binary");
    let app = app::build(MemoryStore::new()).expect("the demo's routes are valid");
    let server = app
        .start(ServerConfig::new("127.0.0.1:0"))
        .expect("the demo starts");
    let addr = server.local_addr();
    let mut user = User::new();

    let login = user.get(addr, "/login");
    assert_eq!(login.code, 200, "{}", login.body);
    let (_, home) = user.submit(addr, "/login", "username=ada&password=lovelace");
    assert!(home.body.contains("ada's list"), "{}", home.body);
    let id = user
        .jar
        .value
        .clone()
        .expect("a session cookie after login");

    for (page, pattern) in [(&login.body, "/login"), (&home.body, "/")] {
        let panel = panel(page);
        assert!(panel.contains("this request's trip"), "{panel}");
        for layer in [
            "WorkerThread",
            "HttpConnection.communicate",
            "HttpRequest.parse_request",
            "HttpRequest.respond",
            "WSGIGateway.respond",
            "Application processors=",
            "Session.process",
            "Session.validate_and_load",
            "Application.handle",
            "handler method=GET",
        ] {
            assert!(panel.contains(layer), "no {layer} in the panel:\n{panel}");
        }
        assert!(
            panel.contains(&format!("matched pattern={pattern}")),
            "{panel}"
        );
        // The page is made inside the handler: the steps around it are still running.
        assert!(panel.contains("(running)"), "{panel}");
        // The waterfall: one bar per step of the text (a step's line starts with its
        // time, an event's with `·`).
        let text = panel
            .split("<pre>")
            .nth(1)
            .and_then(|rest| rest.split("</pre>").next())
            .expect("the trip as text");
        let steps = text
            .lines()
            .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .count();
        assert!(panel.contains("<svg "), "no picture in the panel:\n{panel}");
        assert_eq!(panel.matches("class=\"wf-step\"").count(), steps, "{panel}");
        assert!(steps >= 10, "{text}");
    }
    assert!(
        !home.body.contains(&id),
        "the whole session id is on the page"
    );
    server.stop();
}
