//! `ChunkedRFile` (RFC 9112 §7.1) as a table of wire bytes → decoded body or refusal, and the chunked encoder.

use std::io::{self, BufRead, BufReader, Read};

use httpserver::rfile::{write_chunk, write_last_chunk, BodyError, ChunkedLimits, ChunkedRFile};

/// The next request on the connection: it must still be there after the body.
const NEXT: &[u8] = b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n";

/// What decoding a whole body gives: the body and its trailers, or why it was refused.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Body(Vec<u8>, Vec<(String, Vec<u8>)>),
    Framing(BodyError),
    Io(io::ErrorKind),
}

/// Decodes `wire` to the end of the body through buffers of every size from 1 byte up,
/// checks they all agree, and returns the outcome and the bytes left on the connection.
fn decode_with(wire: &[u8], limits: &ChunkedLimits) -> (Outcome, Vec<u8>) {
    let mut results = Vec::new();
    for capacity in [1, 2, 3, 7, 64, 8192] {
        let inner = BufReader::with_capacity(capacity, wire);
        let mut body = ChunkedRFile::new(inner, limits.clone());
        let mut out = Vec::new();
        let outcome = match body.read_to_end(&mut out) {
            Ok(_) => {
                assert!(body.is_done(), "read returned 0 before the end");
                assert_eq!(body.body_len(), out.len() as u64);
                Outcome::Body(out, body.trailers().to_vec())
            }
            Err(err) => match BodyError::from_io(&err) {
                Some(framing) => {
                    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
                    Outcome::Framing(framing.clone())
                }
                None => Outcome::Io(err.kind()),
            },
        };
        let mut rest = Vec::new();
        body.into_inner()
            .read_to_end(&mut rest)
            .expect("reading a byte slice cannot fail");
        results.push((outcome, rest));
    }
    let first = results[0].clone();
    assert!(
        results.iter().all(|r| *r == first),
        "buffer sizes disagree on {:?}: {results:?}",
        String::from_utf8_lossy(wire)
    );
    first
}

/// `wire` followed by the next request decodes to `body` (with no trailers), and the next
/// request is left untouched.
fn assert_body(wire: &[u8], body: &[u8]) {
    assert_body_and_trailers(wire, body, &[]);
}

fn assert_body_and_trailers(wire: &[u8], body: &[u8], trailers: &[(&str, &[u8])]) {
    let pipelined = [wire, NEXT].concat();
    let (outcome, rest) = decode_with(&pipelined, &ChunkedLimits::default());
    let trailers = trailers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_vec()))
        .collect();
    let wanted = Outcome::Body(body.to_vec(), trailers);
    assert_eq!(outcome, wanted, "{:?}", String::from_utf8_lossy(wire));
    assert_eq!(rest, NEXT, "{:?}", String::from_utf8_lossy(wire));
}

/// `wire` is refused with `err`.
fn assert_refused(wire: &[u8], err: BodyError) {
    let (outcome, _) = decode_with(wire, &ChunkedLimits::default());
    assert_eq!(
        outcome,
        Outcome::Framing(err),
        "{:?}",
        String::from_utf8_lossy(wire)
    );
}

fn invalid_size(line: &[u8]) -> BodyError {
    BodyError::InvalidChunkSize {
        line: line.to_vec(),
    }
}

fn invalid_trailer(line: &[u8]) -> BodyError {
    BodyError::InvalidTrailer {
        line: line.to_vec(),
    }
}

#[test]
fn chunk_sizes_are_hex_in_either_case() {
    assert_body(b"5\r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"a\r\n0123456789\r\n0\r\n\r\n", b"0123456789");
    assert_body(b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789");
    assert_body(
        b"1f\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n",
        b"0123456789abcdef0123456789abcde",
    );
    assert_body(
        b"1F\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n",
        b"0123456789abcdef0123456789abcde",
    );
    // Leading zeros are still hex digits, even past 16 of them.
    assert_body(b"0005\r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"000000000000000000005\r\nhello\r\n0\r\n\r\n", b"hello");
    // last-chunk = 1*("0")
    assert_body(b"5\r\nhello\r\n000\r\n\r\n", b"hello");
    assert_body(b"0\r\n\r\n", b"");
}

#[test]
fn chunks_concatenate_and_data_may_hold_crlf() {
    assert_body(b"3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n", b"abcdef");
    assert_body(b"4\r\n\r\n\r\n\r\n0\r\n\r\n", b"\r\n\r\n");
    assert_body(b"3\r\n0\r\n\r\n0\r\n\r\n", b"0\r\n");
}

#[test]
fn chunk_extensions_are_checked_and_ignored() {
    assert_body(b"5;a=b\r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"5;a\r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"5;a=b;c;d=e\r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"5;a=\"x ; \\\" y\"\r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"5\r\nhello\r\n0;last=yes\r\n\r\n", b"hello");
    // BWS around ";" and "=" is in the grammar.
    assert_body(b"5 ; a = b\r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"5\t;a\r\nhello\r\n0\r\n\r\n", b"hello");
}

#[test]
fn malformed_chunk_extensions_are_refused() {
    assert_refused(b"5;\r\nhello\r\n0\r\n\r\n", invalid_size(b"5;\r\n"));
    assert_refused(b"5;=b\r\nhello\r\n0\r\n\r\n", invalid_size(b"5;=b\r\n"));
    assert_refused(b"5;a=\r\nhello\r\n0\r\n\r\n", invalid_size(b"5;a=\r\n"));
    assert_refused(b"5;a=\"b\r\nhello\r\n", invalid_size(b"5;a=\"b\r\n"));
    assert_refused(b"5;a=b c\r\nhello\r\n", invalid_size(b"5;a=b c\r\n"));
    assert_refused(b"5;a\x00\r\nhello\r\n", invalid_size(b"5;a\x00\r\n"));
    assert_refused(
        b"5;a=\"\x7f\"\r\nhello\r\n",
        invalid_size(b"5;a=\"\x7f\"\r\n"),
    );
}

#[test]
fn sizes_that_are_not_bare_hex_are_refused() {
    assert_refused(b"\r\nhello\r\n", invalid_size(b"\r\n"));
    assert_refused(b"x\r\nhello\r\n", invalid_size(b"x\r\n"));
    assert_refused(b"g\r\nhello\r\n", invalid_size(b"g\r\n"));
    assert_refused(b"0x5\r\nhello\r\n", invalid_size(b"0x5\r\n"));
    assert_refused(b"+5\r\nhello\r\n", invalid_size(b"+5\r\n"));
    assert_refused(b"-5\r\nhello\r\n", invalid_size(b"-5\r\n"));
    assert_refused(b"5 5\r\nhello\r\n", invalid_size(b"5 5\r\n"));
    assert_refused(b"5\x00\r\nhello\r\n", invalid_size(b"5\x00\r\n"));
}

#[test]
fn whitespace_before_the_size_is_refused_after_it_accepted() {
    assert_refused(b" 5\r\nhello\r\n", invalid_size(b" 5\r\n"));
    assert_refused(b"\t5\r\nhello\r\n", invalid_size(b"\t5\r\n"));
    // Trailing BWS: the grammar allows it before ";", and it cannot change the size.
    assert_body(b"5 \r\nhello\r\n0\r\n\r\n", b"hello");
    assert_body(b"5\t\r\nhello\r\n0 \r\n\r\n", b"hello");
}

#[test]
fn sizes_past_64_bits_are_refused_not_wrapped() {
    assert_refused(
        b"ffffffffffffffffff\r\nhello\r\n",
        BodyError::ChunkSizeOverflow,
    );
    // 2^64 exactly: one more than u64::MAX.
    assert_refused(
        b"10000000000000000\r\nhello\r\n",
        BodyError::ChunkSizeOverflow,
    );
    // u64::MAX fits, and is then over any body limit.
    let limit = ChunkedLimits::default().max_body;
    assert_refused(b"ffffffffffffffff\r\n", BodyError::BodyTooLarge { limit });
}

#[test]
fn u64_max_is_a_valid_size_when_the_limit_allows_it() {
    let limits = ChunkedLimits {
        max_body: u64::MAX,
        ..ChunkedLimits::default()
    };
    let (outcome, _) = decode_with(b"ffffffffffffffff\r\nabc", &limits);
    assert_eq!(outcome, Outcome::Io(io::ErrorKind::UnexpectedEof));
}

#[test]
fn bare_lf_line_endings_are_refused() {
    // Our choice (see the book): RFC 9112 §2.2 allows accepting a bare LF; we don't, in framing.
    assert_refused(b"5\nhello\r\n0\r\n\r\n", invalid_size(b"5\n"));
    assert_refused(b"5\r\nhello\n0\r\n\r\n", BodyError::MissingCrlfAfterChunk);
    assert_refused(b"5\r\nhello\r\n0\n\r\n", invalid_size(b"0\n"));
    assert_refused(b"5\r\nhello\r\n0\r\n\n", invalid_trailer(b"\n"));
    assert_refused(b"0\r\nX: y\n\r\n", invalid_trailer(b"X: y\n"));
    assert_refused(b"5\r\r\nhello\r\n", invalid_size(b"5\r\r\n"));
}

#[test]
fn data_must_be_followed_by_exactly_crlf() {
    assert_refused(
        b"5\r\nhelloX\r\n0\r\n\r\n",
        BodyError::MissingCrlfAfterChunk,
    );
    assert_refused(b"5\r\nhello\r0\r\n\r\n", BodyError::MissingCrlfAfterChunk);
    assert_refused(b"5\r\nhello\n\r0\r\n\r\n", BodyError::MissingCrlfAfterChunk);
    // A size one too small: the 5th byte is data, then "\n0" is not CRLF.
    assert_refused(b"5\r\nhell\r\n0\r\n\r\n", BodyError::MissingCrlfAfterChunk);
}

#[test]
fn trailers_are_kept_apart_with_whitespace_trimmed() {
    assert_body_and_trailers(
        b"5\r\nhello\r\n0\r\nExpires: never\r\n\r\n",
        b"hello",
        &[("Expires", b"never")],
    );
    assert_body_and_trailers(
        b"0\r\nA: 1\r\nb-c:\t x y \t\r\nEmpty:\r\nContent-Length: 99\r\n\r\n",
        b"",
        &[
            ("A", b"1"),
            ("b-c", b"x y"),
            ("Empty", b""),
            ("Content-Length", b"99"),
        ],
    );
}

#[test]
fn malformed_trailers_are_refused() {
    assert_refused(b"0\r\nX : y\r\n\r\n", invalid_trailer(b"X : y\r\n"));
    assert_refused(b"0\r\n: y\r\n\r\n", invalid_trailer(b": y\r\n"));
    assert_refused(b"0\r\nno colon\r\n\r\n", invalid_trailer(b"no colon\r\n"));
    assert_refused(b"0\r\nX: a\x00b\r\n\r\n", invalid_trailer(b"X: a\x00b\r\n"));
    assert_refused(b"0\r\nX: a\rb\r\n\r\n", invalid_trailer(b"X: a\rb\r\n"));
    // obs-fold: a continuation line is refused, not joined (RFC 9112 §5.2).
    assert_refused(b"0\r\nX: a\r\n b\r\n\r\n", invalid_trailer(b" b\r\n"));
}

#[test]
fn eof_inside_the_body_is_unexpected_eof() {
    for wire in [
        &b""[..],
        b"5",
        b"5\r\n",
        b"5\r\nhel",
        b"5\r\nhello",
        b"5\r\nhello\r",
        b"5\r\nhello\r\n",
        b"5\r\nhello\r\n0\r\n",
        b"5\r\nhello\r\n0\r\nX: y\r\n",
        b"5\r\nhello\r\n0\r\n\r",
    ] {
        let (outcome, _) = decode_with(wire, &ChunkedLimits::default());
        assert_eq!(
            outcome,
            Outcome::Io(io::ErrorKind::UnexpectedEof),
            "{wire:?}"
        );
    }
}

fn limits(max_body: u64, max_chunk_line: usize, max_trailers: usize) -> ChunkedLimits {
    ChunkedLimits {
        max_body,
        max_chunk_line,
        max_trailers,
        ..ChunkedLimits::default()
    }
}

#[test]
fn max_body_allows_a_body_at_the_limit_and_refuses_one_byte_more() {
    let wire = b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";
    let (at, _) = decode_with(wire, &limits(6, 4096, 8192));
    assert_eq!(at, Outcome::Body(b"abcdef".to_vec(), vec![]));
    let (past, _) = decode_with(wire, &limits(5, 4096, 8192));
    assert_eq!(past, Outcome::Framing(BodyError::BodyTooLarge { limit: 5 }));
}

#[test]
fn max_body_is_enforced_on_the_size_line_before_any_data_is_read() {
    let mut body = ChunkedRFile::new(&b"5\r\nhello\r\n0\r\n\r\n"[..], limits(4, 4096, 8192));
    let err = body.read(&mut [0; 16]).expect_err("5 bytes > 4");
    assert_eq!(
        BodyError::from_io(&err),
        Some(&BodyError::BodyTooLarge { limit: 4 })
    );
    assert_eq!(body.body_len(), 0);
    assert_eq!(body.into_inner(), b"hello\r\n0\r\n\r\n");
}

#[test]
fn the_default_body_limit_is_16_mib() {
    // 0x1000000 is 16 MiB: accepted (and then cut short by EOF); one byte more is refused.
    let (at, _) = decode_with(b"1000000\r\n", &ChunkedLimits::default());
    assert_eq!(at, Outcome::Io(io::ErrorKind::UnexpectedEof));
    let limit = 16 * 1024 * 1024;
    assert_refused(b"1000001\r\n", BodyError::BodyTooLarge { limit });
}

#[test]
fn max_chunk_line_counts_size_and_extensions_without_crlf() {
    // "5;aaaaaa" is 8 bytes.
    let wire = b"5;aaaaaa\r\nhello\r\n0\r\n\r\n";
    let (at, _) = decode_with(wire, &limits(1 << 20, 8, 8192));
    assert_eq!(at, Outcome::Body(b"hello".to_vec(), vec![]));
    let (past, _) = decode_with(wire, &limits(1 << 20, 7, 8192));
    assert_eq!(
        past,
        Outcome::Framing(BodyError::ChunkLineTooLong { limit: 7 })
    );
}

#[test]
fn max_extensions_sums_the_extensions_of_every_chunk() {
    // Each size line carries ";ext" (4 bytes) or " ;e" (3 bytes, whitespace counts):
    // 4 + 3 + 4 = 11 bytes of extensions for 3 bytes of body.
    let wire = b"1;ext\r\na\r\n1 ;e\r\nb\r\n0;ext\r\n\r\n";
    let with = |max_extensions| ChunkedLimits {
        max_extensions,
        ..ChunkedLimits::default()
    };
    let (at, _) = decode_with(wire, &with(11));
    assert_eq!(at, Outcome::Body(b"ab".to_vec(), vec![]));
    let (past, _) = decode_with(wire, &with(10));
    assert_eq!(
        past,
        Outcome::Framing(BodyError::ExtensionsTooLarge { limit: 10 })
    );
}

#[test]
fn the_default_extension_limit_is_16_kib() {
    // One-byte chunks, each with 4095 bytes of extensions (";" and 4094 more, the line
    // limit): four (16380 bytes) pass, the fifth crosses 16 KiB. Without the limit each
    // byte of body would cost 4 KiB of reading, up to `max_body` of them.
    let chunk = [&b"1;"[..], &[b'a'; 4094], b"\r\nx\r\n"].concat();
    let body = |chunks: usize| [chunk.repeat(chunks), b"0\r\n\r\n".to_vec()].concat();
    let (outcome, _) = decode_with(&body(4), &ChunkedLimits::default());
    assert_eq!(outcome, Outcome::Body(b"xxxx".to_vec(), vec![]));
    let (outcome, _) = decode_with(&body(5), &ChunkedLimits::default());
    assert_eq!(
        outcome,
        Outcome::Framing(BodyError::ExtensionsTooLarge { limit: 16384 })
    );
}

#[test]
fn the_default_chunk_line_limit_is_4096() {
    let line = |len: usize| [&b"5;"[..], &vec![b'a'; len - 2], b"\r\nhello\r\n0\r\n\r\n"].concat();
    assert_body(&line(4096), b"hello");
    assert_refused(&line(4097), BodyError::ChunkLineTooLong { limit: 4096 });
}

#[test]
fn max_trailers_counts_field_lines_with_their_crlf() {
    // "X: y\r\n" and "Z: w\r\n": 12 bytes; the final empty line is not counted.
    let wire = b"0\r\nX: y\r\nZ: w\r\n\r\n";
    let trailers = vec![
        ("X".to_string(), b"y".to_vec()),
        ("Z".to_string(), b"w".to_vec()),
    ];
    let (at, _) = decode_with(wire, &limits(1 << 20, 4096, 12));
    assert_eq!(at, Outcome::Body(vec![], trailers));
    let (past, _) = decode_with(wire, &limits(1 << 20, 4096, 11));
    assert_eq!(
        past,
        Outcome::Framing(BodyError::TrailersTooLarge { limit: 11 })
    );
    // With no room for trailers, a body without them is still fine.
    let (none, _) = decode_with(b"0\r\n\r\n", &limits(1 << 20, 4096, 0));
    assert_eq!(none, Outcome::Body(vec![], vec![]));
}

#[test]
fn the_default_trailer_limit_is_8192() {
    let trailer = |len: usize| [&b"0\r\nX: "[..], &vec![b'v'; len - 5], b"\r\n\r\n"].concat();
    let value = vec![b'v'; 8192 - 5];
    assert_body_and_trailers(&trailer(8192), b"", &[("X", &value)]);
    assert_refused(&trailer(8193), BodyError::TrailersTooLarge { limit: 8192 });
}

#[test]
fn errors_map_to_400_except_body_too_large_413() {
    assert_eq!(BodyError::BodyTooLarge { limit: 1 }.status(), 413);
    assert_eq!(BodyError::ChunkSizeOverflow.status(), 400);
    assert_eq!(BodyError::MissingCrlfAfterChunk.status(), 400);
    assert_eq!(invalid_size(b"x\r\n").status(), 400);
    let transport = io::Error::new(io::ErrorKind::TimedOut, "slow client");
    assert_eq!(BodyError::from_io(&transport), None);
}

#[test]
fn a_refused_body_stays_refused() {
    let mut body = ChunkedRFile::new(&b"zz\r\n0\r\n\r\n"[..], ChunkedLimits::default());
    for _ in 0..3 {
        let err = body.read(&mut [0; 8]).expect_err("bad size line");
        assert_eq!(BodyError::from_io(&err), Some(&invalid_size(b"zz\r\n")));
    }
    assert!(!body.is_done());
}

#[test]
fn two_pipelined_bodies_decode_one_after_the_other() {
    let wire = [
        &b"3\r\nabc\r\n0\r\n\r\n4\r\ndefg\r\n0\r\nT: 1\r\n\r\n"[..],
        NEXT,
    ]
    .concat();
    let mut conn = BufReader::with_capacity(5, &wire[..]);
    let mut first = Vec::new();
    ChunkedRFile::new(&mut conn, ChunkedLimits::default())
        .read_to_end(&mut first)
        .expect("first body");
    let mut second = ChunkedRFile::new(&mut conn, ChunkedLimits::default());
    let mut out = Vec::new();
    second.read_to_end(&mut out).expect("second body");
    assert_eq!((first, out), (b"abc".to_vec(), b"defg".to_vec()));
    assert_eq!(second.trailers(), [("T".to_string(), b"1".to_vec())]);
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).expect("the next request");
    assert_eq!(rest, NEXT);
}

#[test]
fn is_done_only_after_the_final_crlf() {
    let mut body = ChunkedRFile::new(&b"5\r\nhello\r\n0\r\n\r\n"[..], ChunkedLimits::default());
    let mut out = [0; 5];
    body.read_exact(&mut out).expect("the data");
    assert!(!body.is_done(), "the last chunk is not read yet");
    assert_eq!(body.body_len(), 5);
    assert_eq!(body.read(&mut out).expect("end of body"), 0);
    assert!(body.is_done());
    assert_eq!(body.read(&mut out).expect("still the end"), 0);
}

/// An inner reader that fails with `WouldBlock` before every byte, as a socket with a read
/// timeout does when the client is slow.
struct Stalling<'a> {
    bytes: &'a [u8],
    stall_next: bool,
}

impl Read for Stalling<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.len().min(out.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Stalling<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.stall_next = !self.stall_next;
        if self.stall_next {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(&self.bytes[..self.bytes.len().min(1)])
    }

    fn consume(&mut self, amt: usize) {
        self.bytes = &self.bytes[amt..];
    }
}

#[test]
fn a_read_after_a_timeout_resumes_where_it_stopped() {
    let wire = [
        &b"5;ext=1\r\nhello\r\n2\r\n!!\r\n0\r\nT: 1\r\n\r\n"[..],
        NEXT,
    ]
    .concat();
    let inner = Stalling {
        bytes: &wire,
        stall_next: false,
    };
    let mut body = ChunkedRFile::new(inner, ChunkedLimits::default());
    let (mut out, mut stalls) = (Vec::new(), 0);
    let mut buf = [0; 64];
    // Bounded: about two calls per byte of the wire.
    for _ in 0..4 * wire.len() {
        match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => stalls += 1,
            Err(err) => panic!("unexpected error {err}"),
        }
    }
    assert!(body.is_done() && stalls > 0);
    assert_eq!(out, b"hello!!");
    assert_eq!(body.into_inner().bytes, NEXT);
}

#[test]
fn write_chunk_frames_data_in_hex_and_skips_empty_chunks() {
    let mut wire = Vec::new();
    write_chunk(&mut wire, b"hello").expect("Vec never fails");
    write_chunk(&mut wire, b"").expect("Vec never fails");
    write_chunk(&mut wire, &[b'x'; 26]).expect("Vec never fails");
    write_last_chunk(&mut wire).expect("Vec never fails");
    let expected = [
        &b"5\r\nhello\r\n"[..],
        b"1a\r\nxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
        b"0\r\n\r\n",
    ]
    .concat();
    assert_eq!(wire, expected);
}
