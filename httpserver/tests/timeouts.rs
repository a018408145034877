//! Timeouts: a header section must complete within its deadline (slowloris), body reads
//! have an idle timeout, and slow clients do not keep others from being served.

mod support;

use std::io::{BufReader, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{read_response, read_to_close, send, TestServer};

#[test]
fn slow_header_section_gets_408() {
    let server = TestServer::start(|c| c.header_timeout = Duration::from_millis(300));
    let mut stream = server.connect();
    let request = b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyz\r\n\r\n";
    // A byte every 50 ms: each byte is on time, the section as a whole is not.
    let mut answer = String::new();
    let started = Instant::now();
    for byte in request.iter() {
        if stream.write_all(&[*byte]).is_err() || started.elapsed() > Duration::from_secs(4) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    answer.push_str(&read_to_close(&mut stream));
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
}

#[test]
fn silent_new_connection_is_closed_after_header_timeout() {
    let server = TestServer::start(|c| c.header_timeout = Duration::from_millis(200));
    let mut stream = server.connect();
    // Nothing was sent, so nothing is answered: the server just closes.
    assert_eq!(read_to_close(&mut stream), "");
}

#[test]
fn stalled_body_read_times_out() {
    let server = TestServer::start(|c| c.body_timeout = Duration::from_millis(200));
    let mut conn = BufReader::new(server.connect());
    conn.get_mut()
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        .expect("sent");
    let r = read_response(&mut conn, false);
    assert_eq!((r.status, r.header("connection")), (408, Some("close")));
}

#[test]
fn slow_clients_do_not_block_others() {
    // Two workers, four clients trickling a request head: each waits on the poller, not
    // on a worker, between its bytes.
    let server = TestServer::start(|c| c.threads = 2);
    let mut slow: Vec<_> = (0..4).map(|_| server.connect()).collect();
    for stream in &mut slow {
        stream.write_all(b"GET /hello HTTP/1.1\r\n").expect("sent");
    }
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(r.status, 200);
    for stream in slow {
        let mut conn = BufReader::new(stream);
        conn.get_mut().write_all(b"Host: x\r\n\r\n").expect("sent");
        assert_eq!(read_response(&mut conn, false).status, 200);
    }
}

#[test]
fn body_at_the_minimum_rate_is_served() {
    let server = TestServer::start(|c| {
        c.body_timeout = Duration::from_millis(300);
        c.min_body_rate = 1000;
    });
    let mut conn = BufReader::new(server.connect());
    conn.get_mut()
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n")
        .expect("sent");
    // 400 bytes in four pieces 100 ms apart: well above 1000 bytes/s.
    for _ in 0..4 {
        conn.get_mut().write_all(&[b'y'; 100]).expect("sent");
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = read_response(&mut conn, false);
    assert_eq!((r.status, r.body.len()), (200, 400));
}

#[test]
fn client_that_never_reads_frees_its_worker_after_write_timeout() {
    // One worker; the first client asks for 64 MiB and never reads a byte of it. Once
    // the socket buffers and `out_high_water` are full, the application's write waits
    // for room; `write_timeout` ends it, the connection closes, and the next client is
    // served by the same worker.
    let (entered_tx, entered) = mpsc::channel();
    let huge = move |req: &mut httpserver::HttpRequest| {
        if req.path() != b"/huge" {
            return support::routes(req);
        }
        let _ = entered_tx.send(());
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..1024 {
            req.write(&chunk)?;
        }
        Ok(())
    };
    let server = TestServer::with_gateway(
        |c| {
            c.threads = 1;
            c.write_timeout = Duration::from_millis(200);
        },
        huge,
    );
    let mut deaf = server.connect();
    deaf.write_all(b"GET /huge HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    // The only worker is inside the application, writing to the deaf client.
    entered
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker took /huge");
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}
