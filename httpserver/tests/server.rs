//! `HttpServer`: the bind steps, port 0, IPv6 dual-stack, stop handles, 503 on a full
//! queue.

mod support;

use std::io::BufReader;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use httpserver::{bind, Error, HttpRequest, HttpServer, ServerConfig};
use support::{connect, send, TestServer};

const GET: &[u8] = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn port_zero_binds_a_real_port() {
    let server = TestServer::start(|_| {});
    assert_ne!(server.addr.port(), 0);
    let mut conn = BufReader::new(server.connect());
    assert_eq!(send(&mut conn, GET).status, 200);
}

#[test]
fn host_port_tuple_form_binds() {
    let config = ServerConfig::from_host_port("127.0.0.1", 0);
    assert_eq!(config.bind_addr, "127.0.0.1:0");
    assert_eq!(
        ServerConfig::from_host_port("::1", 80).bind_addr,
        "[::1]:80"
    );
}

#[test]
fn bind_steps_run_one_by_one() -> Result<(), httpserver::Error> {
    let addrs = bind::getaddrinfo("127.0.0.1:0")?;
    let socket = bind::socket(addrs[0])?;
    bind::setsockopt(&socket, addrs[0])?;
    bind::bind(&socket, addrs[0])?;
    let listener = bind::listen(socket, addrs[0], 16)?;
    assert_ne!(listener.local_addr()?.port(), 0);
    Ok(())
}

#[test]
fn unresolvable_address_is_an_error_naming_the_step() {
    let err = bind::bind_listener("no-such-host.invalid:80", 16).err();
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.contains("getaddrinfo") || text.contains("resolved to no address"),
        "{text}"
    );
}

#[test]
fn address_in_use_is_an_error_naming_bind() {
    let server = TestServer::start(|_| {});
    let err = bind::bind_listener(&server.addr.to_string(), 16).err();
    // SO_REUSEADDR does not allow two listeners on one port.
    assert!(err.is_some_and(|e| e.to_string().starts_with("bind failed")));
}

#[test]
fn dual_stack_accepts_ipv4_and_ipv6() {
    let Ok(server) = HttpServer::spawn(
        ServerConfig {
            threads: 1,
            ..ServerConfig::new("[::]:0")
        },
        support::routes,
    ) else {
        return; // No IPv6 on this machine: nothing to test.
    };
    let port = server.local_addr().port();
    let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut conn = BufReader::new(connect(v4));
    assert_eq!(send(&mut conn, GET).status, 200);
    // An IPv4 client is reported as such, not as `::ffff:127.0.0.1`.
    let r = send(&mut conn, b"GET /env HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(r.body_text().contains(" 127.0.0.1 "), "{}", r.body_text());
    if let Ok(stream) = std::net::TcpStream::connect(("::1", port)) {
        stream
            .set_read_timeout(Some(support::IO_TIMEOUT))
            .expect("timeout");
        stream
            .set_write_timeout(Some(support::IO_TIMEOUT))
            .expect("timeout");
        let mut conn = BufReader::new(stream);
        assert_eq!(send(&mut conn, GET).status, 200);
    }
    server.stop();
}

#[test]
fn stop_handle_stops_from_another_thread() {
    let mut server = HttpServer::new(
        ServerConfig {
            threads: 1,
            ..ServerConfig::new("127.0.0.1:0")
        },
        support::routes,
    )
    .expect("server");
    let addr = server.start().expect("started");
    let handle = server.stop_handle();
    let thread = std::thread::spawn(move || server.serve_forever());
    let mut conn = BufReader::new(connect(addr));
    assert_eq!(send(&mut conn, GET).status, 200);
    handle.stop();
    thread.join().expect("serve_forever returns after stop");
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}

#[test]
fn stop_lets_an_in_flight_request_finish() {
    // The stop is asked while the application holds the request; it answers after that.
    let (server, started, release) = one_gated_worker(Duration::from_secs(10));
    let mut conn = BufReader::new(server.connect());
    use std::io::Write;
    conn.get_mut().write_all(GATE).expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took the request");
    server.stop_handle().stop();
    release.send(()).expect("the gate is waiting");
    let r = support::read_response(&mut conn, false);
    assert_eq!(
        (r.status, r.header("connection"), r.body.as_slice()),
        (200, Some("close"), &b"released"[..])
    );
    server.stop();
}

/// A server with one worker and no queue (`max_queued_requests: Some(0)`), whose
/// `/gate` route says when it starts and then holds the worker until the test lets go.
/// The tests wait for "started" instead of sleeping, so a loaded machine cannot turn
/// "the worker is busy" into "the worker has not picked the request up yet".
fn one_gated_worker(queue_timeout: Duration) -> (TestServer, mpsc::Receiver<()>, mpsc::Sender<()>) {
    let (started_tx, started) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let gateway = move |req: &mut HttpRequest| -> Result<(), Error> {
        if req.path() == b"/gate" {
            let _ = started_tx.send(());
            let _ = release_rx
                .lock()
                .map(|rx| rx.recv_timeout(Duration::from_secs(10)));
            return req.write(b"released");
        }
        req.write(b"hello")
    };
    let server = TestServer::with_gateway(
        |c| {
            c.threads = 1;
            c.max_queued_requests = Some(0);
            c.queued_request_timeout = queue_timeout;
        },
        gateway,
    );
    (server, started, release)
}

const GATE: &[u8] = b"GET /gate HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn full_queue_gets_503() {
    let (server, started, release) = one_gated_worker(Duration::from_millis(50));
    use std::io::Write;
    // The only worker is held; the next request finds no worker within the grace
    // period. (A connection that sends nothing is no request: it waits on the poller,
    // bounded by `header_timeout`, and costs no place in the queue.)
    let mut busy = BufReader::new(server.connect());
    busy.get_mut().write_all(GATE).expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took the request");
    let mut refused = BufReader::new(server.connect());
    let r = send(&mut refused, GET);
    assert_eq!((r.status, r.header("connection")), (503, Some("close")));
    release.send(()).expect("the gate is waiting");
    assert_eq!(support::read_response(&mut busy, false).status, 200);
}

#[test]
fn full_queue_gets_503_for_a_kept_alive_connection_too() {
    // A kept-alive connection sends its next request while the only worker is busy and
    // the queue has no room: it is answered 503, not closed without a word.
    let (server, started, release) = one_gated_worker(Duration::from_millis(50));
    use std::io::Write;
    let mut kept = BufReader::new(server.connect());
    assert_eq!(send(&mut kept, GET).status, 200);
    let mut busy = BufReader::new(server.connect());
    busy.get_mut().write_all(GATE).expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took the request");
    let r = send(&mut kept, GET);
    assert_eq!((r.status, r.header("connection")), (503, Some("close")));
    release.send(()).expect("the gate is waiting");
    assert_eq!(support::read_response(&mut busy, false).status, 200);
}

#[test]
fn a_kept_alive_connection_waits_for_room_like_a_new_one() {
    // A request on a kept-alive connection that arrives while the only worker is busy
    // waits its turn like a new connection's: served as soon as the worker is free,
    // within `queued_request_timeout`, not refused at once.
    let (server, started, release) = one_gated_worker(Duration::from_secs(10));
    use std::io::Write;
    let mut kept = BufReader::new(server.connect());
    assert_eq!(send(&mut kept, GET).status, 200);
    let mut busy = BufReader::new(server.connect());
    busy.get_mut().write_all(GATE).expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took the request");
    kept.get_mut().write_all(GET).expect("sent");
    release.send(()).expect("the gate is waiting");
    assert_eq!(support::read_response(&mut busy, false).status, 200);
    assert_eq!(support::read_response(&mut kept, false).status, 200);
}

#[test]
fn a_server_never_started_drops_cleanly() {
    let server = HttpServer::new(ServerConfig::new("127.0.0.1:0"), support::routes);
    assert!(server.is_ok_and(|s| !s.ready() && s.local_addr().is_none()));
}

#[test]
fn grow_and_shrink_stay_within_the_configured_bounds() {
    let mut server = HttpServer::new(
        ServerConfig {
            threads: 1,
            max_threads: Some(2),
            ..ServerConfig::new("127.0.0.1:0")
        },
        support::routes,
    )
    .expect("server");
    server.start().expect("started");
    assert_eq!(server.grow(5), 1);
    assert_eq!(server.shrink(5), 1);
    server.stop();
}

#[test]
fn stop_closes_a_connection_whose_body_stalled() {
    // The body stalls after 3 of 10 bytes, with a 60 s body timeout: it waits on the
    // poller, holding no worker. `stop` closes it with the other waiting connections,
    // and the client sees the end of the connection well before its own 5 s read
    // timeout (without the close it would wait the whole 60 s).
    let server = TestServer::start(|c| {
        c.threads = 1;
        c.body_timeout = Duration::from_secs(60);
    });
    let mut stalled = BufReader::new(server.connect());
    use std::io::{BufRead, Read, Write};
    stalled
        .get_mut()
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
        )
        .expect("sent");
    // `100 Continue`: the head is parsed and the body awaited.
    let mut interim = String::new();
    stalled.read_line(&mut interim).expect("an interim answer");
    assert_eq!(interim, "HTTP/1.1 100 Continue\r\n");
    stalled.read_line(&mut interim).expect("its end");
    stalled.get_mut().write_all(b"abc").expect("sent");
    server.stop();
    // EOF, or a reset if "abc" was still unread in the server's socket: either way the
    // end, and nothing more was said.
    let mut rest = Vec::new();
    let end = stalled.read_to_end(&mut rest);
    assert!(
        !timed_out(&end),
        "the stalled connection stayed open: {end:?}"
    );
    assert!(rest.is_empty(), "{rest:?}");
}

/// Whether a read ended on the socket's timeout: the server kept the connection open.
fn timed_out(end: &std::io::Result<usize>) -> bool {
    use std::io::ErrorKind;
    end.as_ref()
        .is_err_and(|e| matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut))
}

#[test]
fn stop_cuts_a_worker_blocked_on_a_client_that_does_not_read() {
    // The application writes 64 MiB to a client that does not read: past
    // `out_high_water` its write waits for room, for up to a minute. `stop` gives it
    // `shutdown_timeout`, then shuts the socket down: the client gets what was already
    // on its way, then the end, never the whole response.
    let (entered_tx, entered) = mpsc::channel();
    let huge = move |req: &mut HttpRequest| -> Result<(), Error> {
        let _ = entered_tx.send(());
        let chunk = vec![b'x'; 64 << 10];
        for _ in 0..1024 {
            req.write(&chunk)?;
        }
        Ok(())
    };
    let server = TestServer::with_gateway(
        |c| {
            c.threads = 1;
            c.out_high_water = 64 << 10;
            c.write_timeout = Duration::from_secs(60);
            c.shutdown_timeout = Duration::from_millis(200);
        },
        huge,
    );
    let mut deaf = server.connect();
    use std::io::{Read, Write};
    deaf.write_all(GET).expect("sent");
    entered
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took the request");
    server.stop();
    let mut got = Vec::new();
    let end = deaf.read_to_end(&mut got);
    assert!(!timed_out(&end), "the connection stayed open: {end:?}");
    assert!(
        got.len() < 64 << 20,
        "the whole response came: {}",
        got.len()
    );
}

/// A gateway that marks each worker thread in its `worker_life` and answers with the mark.
struct LifeMarks {
    lives: std::sync::atomic::AtomicUsize,
}

thread_local! {
    static MARK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl httpserver::Gateway for LifeMarks {
    fn respond(&self, req: &mut HttpRequest) -> Result<(), Error> {
        let mark = MARK.with(|m| m.get());
        req.write(format!("life {mark}").as_bytes())
    }

    fn worker_life(&self, life: &mut (dyn FnMut() + Send)) {
        let n = self.lives.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        MARK.with(|m| m.set(n));
        life();
    }
}

#[test]
fn the_gateways_worker_life_runs_around_every_worker() {
    let gateway = LifeMarks {
        lives: std::sync::atomic::AtomicUsize::new(0),
    };
    let server = TestServer::with_gateway(|c| c.threads = 2, gateway);
    for _ in 0..6 {
        let answer = server.exchange(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        // Each request ran on a worker inside its life: mark 1 or 2, never the unset 0.
        assert!(
            answer.ends_with("life 1\r\n0\r\n\r\n") || answer.ends_with("life 2\r\n0\r\n\r\n"),
            "{answer}"
        );
    }
    server.stop();
}
