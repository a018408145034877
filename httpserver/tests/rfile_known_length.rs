//! `KnownLengthRFile`: a Content-Length body is exactly `length` bytes, never one more.

use std::io::{self, BufRead, BufReader, Read};

use httpserver::rfile::KnownLengthRFile;

/// The next request on the connection: it must still be there after the body.
const NEXT: &[u8] = b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n";

/// Reads a `length`-byte body from `wire` through buffers of every size from 1 byte up,
/// checks they all agree, and returns the body and the bytes left on the connection.
fn read_body(wire: &[u8], length: u64) -> (io::Result<Vec<u8>>, Vec<u8>) {
    let mut results = Vec::new();
    for capacity in [1, 2, 3, 7, 64, 8192] {
        let mut body = KnownLengthRFile::new(BufReader::with_capacity(capacity, wire), length);
        let mut out = Vec::new();
        let result = body.read_to_end(&mut out).map(|_| out);
        let mut rest = Vec::new();
        body.into_inner()
            .read_to_end(&mut rest)
            .expect("reading a byte slice cannot fail");
        results.push((result.map_err(|e| e.kind()), rest));
    }
    let first = results[0].clone();
    assert!(
        results.iter().all(|r| *r == first),
        "buffer sizes disagree: {results:?}"
    );
    (first.0.map_err(io::Error::from), first.1)
}

#[test]
fn reads_exactly_content_length_bytes_and_leaves_the_next_request() {
    let wire = [&b"hello world"[..], NEXT].concat();
    let (body, rest) = read_body(&wire, 11);
    assert_eq!(body.expect("a complete body"), b"hello world");
    assert_eq!(rest, NEXT);
}

#[test]
fn a_shorter_length_stops_inside_the_bytes() {
    let (body, rest) = read_body(b"hello world", 5);
    assert_eq!(body.expect("a complete body"), b"hello");
    assert_eq!(rest, b" world");
}

#[test]
fn zero_length_reads_nothing_and_consumes_nothing() {
    let (body, rest) = read_body(NEXT, 0);
    assert_eq!(body.expect("an empty body"), b"");
    assert_eq!(rest, NEXT);
}

#[test]
fn eof_before_length_is_unexpected_eof_not_a_short_body() {
    let (body, rest) = read_body(b"hel", 5);
    let err = body.expect_err("the peer closed 2 bytes early");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(rest, b"");
}

#[test]
fn remaining_counts_down_to_zero() {
    let mut body = KnownLengthRFile::new(&b"hello world"[..], 11);
    assert_eq!(body.remaining(), 11);
    let mut buf = [0; 4];
    body.read_exact(&mut buf).expect("4 of 11 bytes");
    assert_eq!(body.remaining(), 7);
    io::copy(&mut body, &mut io::sink()).expect("the other 7");
    assert_eq!(body.remaining(), 0);
    assert_eq!(body.read(&mut buf).expect("end of body"), 0);
}

#[test]
fn a_huge_caller_buffer_still_stops_at_the_body() {
    let wire = [&b"abc"[..], NEXT].concat();
    let mut body = KnownLengthRFile::new(&wire[..], 3);
    let mut buf = vec![0; 1 << 16];
    assert_eq!(body.read(&mut buf).expect("the body"), 3);
    assert_eq!(body.read(&mut buf).expect("end of body"), 0);
    assert_eq!(body.into_inner(), NEXT);
}

#[test]
fn an_empty_caller_buffer_reads_nothing() {
    let mut body = KnownLengthRFile::new(&b"abc"[..], 3);
    assert_eq!(body.read(&mut []).expect("nothing asked"), 0);
    assert_eq!(body.remaining(), 3);
}

#[test]
fn lines_of_the_body_end_at_the_body() {
    // BufRead::read_line would run into the next request if fill_buf were not bounded.
    let wire = [&b"a=1\nb=2"[..], NEXT].concat();
    let mut body = KnownLengthRFile::new(&wire[..], 7);
    let lines: Vec<String> = (&mut body)
        .lines()
        .collect::<io::Result<_>>()
        .expect("two lines");
    assert_eq!(lines, ["a=1", "b=2"]);
    assert_eq!(body.into_inner(), NEXT);
}

#[test]
fn a_length_past_usize_is_read_as_far_as_the_peer_sends() {
    let mut body = KnownLengthRFile::new(&b"abc"[..], u64::MAX);
    let mut out = Vec::new();
    let err = body
        .read_to_end(&mut out)
        .expect_err("the peer sent 3 bytes");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(out, b"abc");
    assert_eq!(body.remaining(), u64::MAX - 3);
}
