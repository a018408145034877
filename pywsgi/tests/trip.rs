//! The trip of a request on `pywsgi`: the Python call is a step of its own, inside the
//! gateway's, timed apart from building the environ and writing the body.
mod support;

use std::time::Duration;

use testkit::trip::{self, Finished, Step};
use testkit::Client;
use tracing_subscriber::EnvFilter;

#[test]
fn the_python_call_is_its_own_step_inside_the_gateway_step() {
    // This test binary's one subscriber: the trip collector, as the example installs it.
    let trips = trip::install(
        Finished::Keep,
        &["threadpool", "httpserver", "pywsgi"],
        EnvFilter::new("warn"),
    )
    .expect("no other subscriber in this test binary");
    let server = support::serve("hello:app", 1);
    let addr = server.local_addr();
    let mut client = Client::connect(addr);
    let peer = format!(
        "peer={}",
        client.reader_stream().local_addr().expect("bound")
    );
    client.send(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes());
    let response = client.response(false);
    assert_eq!(response.body, b"Hello, world!");
    let served = |t: &Step| t.mentions(&peer) && t.contains("PyGateway.respond");
    let trip = trips
        .take_when(Duration::from_secs(5), served, |t| t.mentions(&peer))
        .expect("the request's trip finished");
    let worker = trip
        .iter()
        .find(|t| t.contains("PyGateway.respond"))
        .expect("a worker's trip");
    let shown = worker.render();
    let respond = worker
        .find("HttpRequest.respond")
        .and_then(|r| r.find("PyGateway.respond"))
        .unwrap_or_else(|| panic!("no PyGateway.respond inside HttpRequest.respond:\n{shown}"));
    let steps: Vec<&str> = respond.steps().map(|s| s.name).collect();
    assert_eq!(
        steps,
        ["PyGateway.environ", "PyGateway.call", "PyGateway.send"],
        "the gateway's own steps, in order:\n{shown}"
    );
    for apart in ["PyGateway.environ", "PyGateway.send"] {
        let step = respond.find(apart).expect("found above");
        assert!(
            !step.contains("PyGateway.call"),
            "the call is timed apart from {apart}:\n{shown}"
        );
    }
    server.stop();
}
