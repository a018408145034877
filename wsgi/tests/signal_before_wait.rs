//! A SIGTERM that arrives after the handler is installed but before anything waits for it
//! (a supervisor stopping a server that is still starting) is kept, not lost: the next
//! `wait_for_signal` returns at once.
//!
//! In a file of its own, so the signal (sent to this test process) meets no other test.

mod support;

#[cfg(unix)]
#[test]
fn a_signal_before_the_wait_is_not_lost() {
    use std::sync::mpsc;
    use std::time::Duration;
    use wsgi::{app_fn, Body, ServerConfig, WsgiServer};

    wsgi::install_signal_handler().expect("handler installs");
    let app = app_fn(|_, _| Ok(Body::empty()));
    let running = WsgiServer::with_config(ServerConfig::new("127.0.0.1:0"), app)
        .start()
        .expect("server starts");
    assert!(testkit::sigterm(std::process::id()), "kill -TERM ran");
    // Wait until the handler thread has seen the signal and kept it, nobody waiting yet
    // (bounded: a signal never seen fails here, not in a sleep that guessed long enough).
    let seen_by = std::time::Instant::now() + support::IO_TIMEOUT;
    while !wsgi::signal_pending() {
        assert!(
            std::time::Instant::now() < seen_by,
            "the handler never saw the signal"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(running.wait_for_signal().is_ok());
    });
    assert_eq!(
        done_rx.recv_timeout(support::IO_TIMEOUT).ok(),
        Some(true),
        "the signal sent before the wait was lost"
    );
}
