//! Graceful stop on SIGTERM: the server finishes and `wait_for_signal` returns.
//!
//! In a file of its own, so the signal (sent to this test process) meets no other test.

mod support;

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_gracefully() {
    use std::sync::mpsc;
    use std::time::Duration;
    use wsgi::{app_fn, Body, ServerConfig, WsgiServer};

    // Installed before the signal is sent: without a handler SIGTERM ends the process.
    wsgi::install_signal_handler().expect("handler installs");
    let app = app_fn(|_, sr| {
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("ok"))
    });
    let running = WsgiServer::with_config(ServerConfig::new("127.0.0.1:0"), app)
        .start()
        .expect("server starts");
    let addr = running.local_addr();
    let mut client = support::Client::connect(addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 200);

    let (done_tx, done_rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let result = running.wait_for_signal();
        let _ = done_tx.send(result.is_ok());
    });
    // The waiter must be registered before the signal; retry the kill until it returns.
    let mut stopped = None;
    for _ in 0..50 {
        assert!(testkit::sigterm(std::process::id()), "kill -TERM ran");
        if let Ok(ok) = done_rx.recv_timeout(Duration::from_millis(200)) {
            stopped = Some(ok);
            break;
        }
    }
    assert_eq!(stopped, Some(true), "wait_for_signal did not return");
    waiter.join().expect("waiter thread");
    // The listening socket is closed: new connections are refused.
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}
