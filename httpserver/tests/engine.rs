//! The connection engine's promises, on the wire: no client holds a worker (idle, slow
//! to send, slow to read), a request that arrived is answered however long it waited for
//! a worker, the acceptor accepts while every worker is busy, and timeouts cost no
//! worker. Bounds here are liveness bounds (seconds), never speed claims.

#[path = "support/engine.rs"]
mod engine_support;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use engine_support::{allow_open_files, gated};
use sha2::{Digest, Sha256};
use support::{read_response, send, TestServer};

const GET: &[u8] = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

/// A normal client on a fresh connection is answered, within a liveness bound (seconds:
/// what it would wait if slow clients held the workers, not a speed claim).
fn answered_promptly(server: &TestServer) {
    let mut conn = BufReader::new(server.connect());
    let started = Instant::now();
    let r = send(&mut conn, GET);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// Sends a head that expects `100 Continue` and waits for it: the server has parsed the
/// head and is receiving the body (it says so before it reads a byte of it).
fn start_upload(conn: &mut BufReader<std::net::TcpStream>, head: &[u8]) {
    conn.get_mut().write_all(head).expect("head sent");
    let mut interim = String::new();
    while interim != "\r\n" {
        interim.clear();
        conn.read_line(&mut interim).expect("100 Continue");
        assert!(!interim.is_empty(), "closed before 100 Continue");
    }
}

#[test]
fn more_stalled_uploaders_than_workers_do_not_delay_a_normal_client() {
    // Four workers, five clients that each declare 1 MiB, send 1 KiB and stall: with
    // a worker reading each body, the normal client would wait out `body_timeout`.
    let server = TestServer::start(|c| {
        c.threads = 4;
        c.body_timeout = Duration::from_secs(30);
    });
    let mut stalled = Vec::new();
    for _ in 0..5 {
        let mut conn = BufReader::new(server.connect());
        start_upload(
            &mut conn,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\
              Content-Length: 1048576\r\n\r\n",
        );
        conn.get_mut().write_all(&[b'u'; 1024]).expect("sent");
        stalled.push(conn);
    }
    answered_promptly(&server);
    drop(stalled);
}

#[test]
fn a_trickling_uploader_holds_no_worker_while_min_body_rate_cuts_it_off() {
    let server = TestServer::start(|c| {
        c.threads = 1;
        c.body_timeout = Duration::from_millis(300);
        c.min_body_rate = 1000;
    });
    let mut trickler = server.connect();
    trickler
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        .expect("sent");
    let mut writer = trickler.try_clone().expect("a second handle");
    let trickle = std::thread::spawn(move || {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) && writer.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    // The only worker is free for others while the body trickles.
    let mut conn = BufReader::new(server.connect());
    assert_eq!(send(&mut conn, GET).status, 200);
    let mut status = [0u8; 12];
    let read = trickler.read_exact(&mut status);
    let _ = trickler.shutdown(std::net::Shutdown::Both);
    let _ = trickle.join();
    assert!(read.is_ok(), "no answer while the body trickled: {read:?}");
    assert_eq!(&status, b"HTTP/1.1 408");
}

#[test]
fn a_16_mib_chunked_upload_is_spooled_and_read_back_intact() {
    let digest = |req: &mut httpserver::HttpRequest| {
        let spooled = req.body().is_spooled();
        let mut hasher = Sha256::new();
        let mut buf = [0u8; 65536];
        loop {
            let n = req.body().read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let text = format!("{spooled} {}", hex(&hasher.finalize()));
        req.write(text.as_bytes())
    };
    let server = TestServer::with_gateway(
        |c| {
            c.max_body = 32 << 20;
            c.body_in_memory = 1 << 20;
        },
        digest,
    );
    let body: Vec<u8> = (0..16u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut conn = BufReader::new(server.connect());
    let writer = conn.get_ref().try_clone().expect("a second handle");
    let chunks = body.clone();
    let sender = std::thread::spawn(move || {
        let mut writer = std::io::BufWriter::new(writer);
        writer.write_all(b"POST /sum HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")?;
        for chunk in chunks.chunks(100_003) {
            write!(writer, "{:x}\r\n", chunk.len())?;
            writer.write_all(chunk)?;
            writer.write_all(b"\r\n")?;
        }
        writer.write_all(b"0\r\n\r\n")?;
        writer.flush()
    });
    let r = read_response(&mut conn, false);
    sender
        .join()
        .expect("the sender")
        .expect("the body was sent");
    let want = format!("true {}", hex(&Sha256::digest(&body)));
    assert_eq!((r.status, r.body_text()), (200, want));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_request_that_waited_for_a_worker_past_header_timeout_is_answered() {
    // The only worker is held; the second request arrives complete meanwhile and waits
    // for it twice `header_timeout`. The head deadline measures the client's sending,
    // not the server's backlog.
    let (gateway, started, release) = gated();
    let header_timeout = Duration::from_millis(300);
    let server = TestServer::with_gateway(
        |c| {
            c.threads = 1;
            c.header_timeout = header_timeout;
        },
        gateway,
    );
    let mut busy = BufReader::new(server.connect());
    busy.get_mut()
        .write_all(b"GET /gate HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took /gate");
    let mut queued = BufReader::new(server.connect());
    queued.get_mut().write_all(GET).expect("sent");
    // At least this long: the sweep finds its deadline passed while no worker is free.
    std::thread::sleep(header_timeout * 2);
    release.send(()).expect("the gate waits");
    let r = read_response(&mut queued, false);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
    assert_eq!(read_response(&mut busy, false).status, 200);
}

#[test]
fn the_acceptor_accepts_and_answers_while_every_worker_is_busy() {
    // The only worker is held and the bounded queue is full: new clients are still
    // accepted, and their requests get 503 from the housekeeper, not a hang.
    let (gateway, started, release) = gated();
    let server = TestServer::with_gateway(
        |c| {
            c.threads = 1;
            c.max_queued_requests = Some(1);
            c.queued_request_timeout = Duration::from_millis(200);
        },
        gateway,
    );
    let mut busy = BufReader::new(server.connect());
    busy.get_mut()
        .write_all(b"GET /gate HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took /gate");
    let mut crowd: Vec<_> = (0..20).map(|_| BufReader::new(server.connect())).collect();
    for conn in &mut crowd {
        conn.get_mut().write_all(GET).expect("sent");
    }
    for conn in &mut crowd {
        let r = read_response(conn, false);
        assert_eq!((r.status, r.header("connection")), (503, Some("close")));
    }
    release.send(()).expect("the gate waits");
    assert_eq!(read_response(&mut busy, false).status, 200);
}

#[test]
fn a_client_that_never_reads_holds_no_worker_once_the_app_is_done() {
    // One worker; the app writes 4 MiB, within `out_high_water`, to a client that never
    // reads, and returns: the rest is the housekeeper's to flush (for `write_timeout`),
    // and the worker serves the next client at once.
    let (written_tx, written) = mpsc::channel();
    let big = move |req: &mut httpserver::HttpRequest| {
        if req.path() != b"/big" {
            return support::routes(req);
        }
        req.add_header("Content-Length", (4u32 << 20).to_string().as_bytes())?;
        let chunk = vec![b'b'; 64 << 10];
        for _ in 0..64 {
            req.write(&chunk)?;
        }
        let _ = written_tx.send(());
        Ok(())
    };
    let server = TestServer::with_gateway(
        |c| {
            c.threads = 1;
            c.out_high_water = 8 << 20;
            c.write_timeout = Duration::from_secs(30);
        },
        big,
    );
    let mut deaf = server.connect();
    deaf.write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    // The application wrote it all and returns; most of it is still pending.
    written
        .recv_timeout(Duration::from_secs(10))
        .expect("the app wrote /big");
    answered_promptly(&server);
    // And the deaf client still gets all of it when it reads at last.
    let mut all = Vec::new();
    let _ = deaf.read_to_end(&mut all);
    assert!(
        all.ends_with(&[b'b'; 1024]) && all.len() > 4 << 20,
        "{}",
        all.len()
    );
}

#[test]
fn a_blocking_handler_on_one_worker_does_not_delay_other_connections() {
    let (gateway, started, release) = gated();
    let server = TestServer::with_gateway(|c| c.threads = 2, gateway);
    let mut blocked = BufReader::new(server.connect());
    blocked
        .get_mut()
        .write_all(b"GET /gate HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took /gate");
    for _ in 0..3 {
        let mut conn = BufReader::new(server.connect());
        for _ in 0..20 {
            assert_eq!(send(&mut conn, GET).status, 200);
        }
    }
    release.send(()).expect("the gate waits");
    assert_eq!(read_response(&mut blocked, false).body, b"released");
}

#[test]
fn a_thousand_partial_heads_expiring_together_do_not_delay_a_normal_request() {
    allow_open_files(4096);
    let server = TestServer::start(|c| {
        c.threads = 2;
        c.header_timeout = Duration::from_millis(500);
    });
    let mut partial: Vec<_> = (0..1000).map(|_| server.connect()).collect();
    for stream in &mut partial {
        stream
            .write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A")
            .expect("30 bytes of a head");
    }
    // Their deadlines pass together; a normal client arrives right then.
    std::thread::sleep(Duration::from_millis(550));
    answered_promptly(&server);
    // Each partial head got its 408.
    for stream in partial.iter_mut().step_by(97) {
        let mut status = [0u8; 12];
        stream.read_exact(&mut status).expect("an answer");
        assert_eq!(&status, b"HTTP/1.1 408");
    }
}

#[test]
fn a_request_sent_while_its_connection_is_served_is_not_lost() {
    // The poller reports each arrival of bytes once. The second request arrives while a
    // worker holds the connection (inside the application): the other worker, woken for
    // it, finds the slot empty, and the event must come back when the connection does.
    let (gateway, started, release) = gated();
    let server = TestServer::with_gateway(|c| c.threads = 2, gateway);
    let mut conn = BufReader::new(server.connect());
    conn.get_mut()
        .write_all(b"GET /gate HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    started
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took /gate");
    conn.get_mut().write_all(GET).expect("sent");
    // Time for the other worker to be woken for it, and to find the connection held.
    std::thread::sleep(Duration::from_millis(50));
    release.send(()).expect("the gate waits");
    assert_eq!(read_response(&mut conn, false).body, b"released");
    let r = read_response(&mut conn, false);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}

#[test]
fn a_connection_reported_beside_a_slow_one_is_served_while_the_slow_handler_runs() {
    // One wait may report several connections: the worker keeps the first and leaves the
    // rest in the ready list, where no new event will report them again. When the first
    // one's handler is slow, the rest must be served by another seat (woken for them) or,
    // with one seat, by the watcher's extra one: not after the slow handler returns. The
    // two requests go out back to back so that one wait often reports both; twenty
    // rounds. The gate opens only once the fast answer is read, so a fast request left
    // behind the gate fails the read (its timeout), it does not pass late.
    let (gateway, started, release) = gated();
    let server = TestServer::with_gateway(|c| c.threads = 4, gateway);
    for round in 0..20 {
        let mut slow = BufReader::new(server.connect());
        let mut fast = BufReader::new(server.connect());
        slow.get_mut()
            .write_all(b"GET /gate HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("sent");
        fast.get_mut().write_all(GET).expect("sent");
        let r = read_response(&mut fast, false);
        assert_eq!(
            (round, r.status, r.body.as_slice()),
            (round, 200, &b"hello"[..])
        );
        started
            .recv_timeout(Duration::from_secs(10))
            .expect("a worker took /gate");
        release.send(()).expect("the gate waits");
        assert_eq!(read_response(&mut slow, false).body, b"released");
    }
}

#[test]
fn pipelined_requests_past_the_read_buffer_are_all_answered() {
    // 600 requests in one write, 20 KiB: more than one read of the connection's buffer
    // takes. The connection may wait on the poller only once the socket is drained, or
    // the rest would be found only when the housekeeper's sweep looks at it (long
    // timeouts here: past the client's 5 s read timeout).
    let server = TestServer::start(|c| {
        c.threads = 1;
        c.keep_alive_timeout = Duration::from_secs(60);
        c.header_timeout = Duration::from_secs(60);
    });
    let mut conn = BufReader::new(server.connect());
    let requests = GET.repeat(600);
    assert!(requests.len() > 16 << 10);
    conn.get_mut().write_all(&requests).expect("sent");
    for i in 0..600 {
        let r = read_response(&mut conn, false);
        assert_eq!((i, r.status, r.body.as_slice()), (i, 200, &b"hello"[..]));
    }
}
