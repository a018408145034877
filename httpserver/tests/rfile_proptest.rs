//! Properties of the body readers: no input panics `ChunkedRFile`, chunked encode → decode round-trips, `KnownLengthRFile` reads exactly `min(length, available)`.

use std::io::{self, BufReader, Read};

use httpserver::rfile::{
    write_chunk, write_last_chunk, BodyError, ChunkedLimits, ChunkedRFile, KnownLengthRFile,
};
use proptest::prelude::*;

/// Small limits, so random inputs reach them.
fn small_limits() -> ChunkedLimits {
    ChunkedLimits {
        max_body: 256,
        max_chunk_line: 16,
        max_trailers: 32,
        max_extensions: 64,
    }
}

/// Decodes `wire` to the end or the first error, through a `capacity`-byte buffer.
/// Returns the result, the decoded bytes and how many bytes of `wire` were left.
fn decode(wire: &[u8], capacity: usize, limits: ChunkedLimits) -> (io::Result<()>, Vec<u8>, usize) {
    let mut body = ChunkedRFile::new(BufReader::with_capacity(capacity, wire), limits);
    let mut out = Vec::new();
    let result = body.read_to_end(&mut out).map(drop);
    let mut rest = Vec::new();
    body.into_inner()
        .read_to_end(&mut rest)
        .expect("reading a byte slice cannot fail");
    (result, out, rest.len())
}

/// Pieces of chunked framing, good and bad, so random sequences get past the size line.
fn framing_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Whole pieces of a valid body, so some inputs decode to the end.
        Just(b"5\r\nhello\r\n".to_vec()),
        Just(b"0\r\n".to_vec()),
        Just(b"0\r\n\r\n".to_vec()),
        Just(b"0".to_vec()),
        Just(b"5".to_vec()),
        Just(b"a".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b";x=y".to_vec()),
        Just(b"\"".to_vec()),
        Just(b" ".to_vec()),
        Just(b"X: y".to_vec()),
        Just(b"hello".to_vec()),
        Just(b"ffffffffffffffffff".to_vec()),
        prop::collection::vec(any::<u8>(), 0..4),
    ]
}

/// Splits `data` at the given cut points into chunks, some of them empty.
fn split(data: &[u8], mut cuts: Vec<usize>) -> Vec<&[u8]> {
    cuts.iter_mut().for_each(|c| *c %= data.len() + 1);
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&data[start..cut]);
        start = cut;
    }
    chunks.push(&data[start..]);
    chunks
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        wire in prop::collection::vec(any::<u8>(), 0..512),
        capacity in 1usize..32,
    ) {
        let (result, out, _) = decode(&wire, capacity, small_limits());
        prop_assert!(out.len() <= 256);
        if let Err(err) = result {
            // Bad framing is always typed; anything else is the wire ending early.
            let framing = BodyError::from_io(&err).is_some();
            prop_assert!(framing || err.kind() == io::ErrorKind::UnexpectedEof, "{err}");
        }
    }

    #[test]
    fn framing_like_bytes_decode_alike_for_every_buffer_size_and_stop_at_the_end(
        pieces in prop::collection::vec(framing_piece(), 0..24),
        capacity in 1usize..32,
    ) {
        let wire = pieces.concat();
        let (small, small_out, small_rest) = decode(&wire, capacity, small_limits());
        let (big, big_out, big_rest) = decode(&wire, 8192, small_limits());
        prop_assert_eq!(&small_out, &big_out);
        prop_assert_eq!(small.as_ref().map_err(|e| e.kind()), big.as_ref().map_err(|e| e.kind()));
        if small.is_ok() {
            // The body ended where the reader stopped: the bytes it consumed are a complete
            // body on their own, and it needed nothing after them.
            prop_assert_eq!(small_rest, big_rest);
            let body = &wire[..wire.len() - small_rest];
            let (alone, alone_out, alone_rest) = decode(body, capacity, small_limits());
            prop_assert!(alone.is_ok());
            prop_assert_eq!((alone_out, alone_rest), (small_out, 0));
        }
    }

    #[test]
    fn encode_then_decode_round_trips(
        data in prop::collection::vec(any::<u8>(), 0..2048),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
        capacity in 1usize..64,
        next in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let mut wire = Vec::new();
        for chunk in split(&data, cuts) {
            write_chunk(&mut wire, chunk).expect("Vec never fails");
        }
        write_last_chunk(&mut wire).expect("Vec never fails");
        wire.extend_from_slice(&next);

        let (result, out, rest) = decode(&wire, capacity, ChunkedLimits::default());
        prop_assert!(result.is_ok(), "{:?}", result);
        prop_assert_eq!(out, data);
        prop_assert_eq!(rest, next.len());
    }

    #[test]
    fn known_length_reads_exactly_min_of_length_and_available(
        wire in prop::collection::vec(any::<u8>(), 0..1024),
        length in 0u64..2048,
        capacity in 1usize..64,
    ) {
        let mut body = KnownLengthRFile::new(BufReader::with_capacity(capacity, &wire[..]), length);
        let mut out = Vec::new();
        let result = body.read_to_end(&mut out);
        let expected = wire.len().min(length as usize);
        prop_assert_eq!(&out[..], &wire[..expected]);
        prop_assert_eq!(result.is_ok(), length as usize <= wire.len());
        if let Err(err) = result {
            prop_assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        }
        let mut rest = Vec::new();
        body.into_inner().read_to_end(&mut rest).expect("reading a byte slice cannot fail");
        prop_assert_eq!(&rest[..], &wire[expected..]);
    }
}
