//! `application/x-www-form-urlencoded`, parsed as it is read.
//!
//! Each byte is percent-decoded into its field as it arrives, so the only copy of a
//! field is its decoded value: a 10 MB field costs 10 MB, not the 40 MB of reading the
//! body, copying it with `+` replaced, decoding the copy and checking the result. The
//! query string goes through the same parser (a `&[u8]` is a reader).
//!
//! Rules, as Python's `parse_qs(keep_blank_values=True)`: pairs are split on `&`, empty
//! pairs are skipped, a pair without `=` has an empty value, `+` is a space, `%XY` is a
//! byte and a `%` not followed by two hex digits is kept as it is. Unlike Python, text
//! that is not UTF-8 after decoding is a 400: `form_urlencoded` would replace it with
//! U+FFFD silently, and web.py failed later with a 500.

use std::io::Read;

use super::data::body_error;
use crate::http_error::{badrequest, payloadtoolarge};
use crate::HttpError;

/// How much is read at a time.
const CHUNK: usize = 8 * 1024;

// ANCHOR: parse_urlencoded
/// The pairs of an urlencoded body or query, at most `max_fields` of them (more is a
/// 413, found before the extra pair is allocated).
pub(crate) fn parse_urlencoded(
    mut input: impl Read,
    max_fields: usize,
) -> Result<Vec<(String, String)>, HttpError> {
    let mut pairs = Vec::new();
    let mut pair = Pair::default();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = input.read(&mut buf).map_err(body_error)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b != b'&' {
                pair.push(b);
            } else if !pair.is_empty() {
                end_pair(&mut pairs, std::mem::take(&mut pair), max_fields)?;
            }
        }
    }
    if !pair.is_empty() {
        end_pair(&mut pairs, pair, max_fields)?;
    }
    Ok(pairs)
}
// ANCHOR_END: parse_urlencoded

fn end_pair(
    pairs: &mut Vec<(String, String)>,
    pair: Pair,
    max_fields: usize,
) -> Result<(), HttpError> {
    if pairs.len() == max_fields {
        return Err(too_many_fields(max_fields));
    }
    pairs.push((pair.key.finish()?, pair.value.finish()?));
    Ok(())
}

/// The answer when a form has more fields than the application's limit.
pub(crate) fn too_many_fields(max_fields: usize) -> HttpError {
    payloadtoolarge().with_body(format!("too many form fields (at most {max_fields})"))
}

/// One `key=value` being read.
#[derive(Default)]
struct Pair {
    key: Decoder,
    value: Decoder,
    in_value: bool,
    started: bool,
}

impl Pair {
    fn push(&mut self, b: u8) {
        self.started = true;
        match (self.in_value, b) {
            (false, b'=') => self.in_value = true,
            (false, b) => self.key.push(b),
            (true, b) => self.value.push(b),
        }
    }

    fn is_empty(&self) -> bool {
        !self.started
    }
}

/// Percent-decoding one byte at a time, so a `%XY` may be split between two reads.
#[derive(Default)]
struct Decoder {
    out: Vec<u8>,
    /// A `%` and the hex digits after it, not yet known to be an escape.
    pending: Vec<u8>,
}

impl Decoder {
    fn push(&mut self, b: u8) {
        if self.pending.is_empty() {
            match b {
                b'%' => self.pending.push(b),
                b'+' => self.out.push(b' '),
                b => self.out.push(b),
            }
            return;
        }
        match (hex(b), self.pending.len()) {
            (Some(_), 1) => self.pending.push(b),
            (Some(low), _) => {
                let high = hex(self.pending[1]).unwrap_or(0);
                self.out.push(high << 4 | low);
                self.pending.clear();
            }
            // Not an escape after all: the `%` (and a digit) stay as they were.
            (None, _) => {
                self.out.append(&mut self.pending);
                self.push(b);
            }
        }
    }

    /// The decoded text; bytes that are not UTF-8 are a 400.
    fn finish(mut self) -> Result<String, HttpError> {
        self.out.append(&mut self.pending);
        String::from_utf8(self.out).map_err(|_| badrequest().with_body("form data is not UTF-8"))
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::parse_urlencoded;

    fn parse(s: &[u8]) -> Vec<(String, String)> {
        parse_urlencoded(s, 100).expect("parses")
    }

    #[test]
    fn urlencoded_rules_as_python_parse_qs() {
        let table: [(&str, &[(&str, &str)]); 8] = [
            ("a=1&b=2", &[("a", "1"), ("b", "2")]),
            ("q=a+b%26c", &[("q", "a b&c")]),
            ("empty=&flag", &[("empty", ""), ("flag", "")]),
            ("a&&b", &[("a", ""), ("b", "")]),
            ("=x", &[("", "x")]),
            ("p=100%", &[("p", "100%")]),
            ("p=%4g%41", &[("p", "%4gA")]),
            ("k=%C3%A9=e", &[("k", "é=e")]),
        ];
        for (input, want) in table {
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(parse(input.as_bytes()), want, "{input}");
        }
        assert_eq!(
            parse_urlencoded(&b"x=%FF"[..], 10).map_err(|e| e.code()),
            Err(400)
        );
        assert_eq!(
            parse_urlencoded(&b"a&b&c"[..], 2).map_err(|e| e.code()),
            Err(413)
        );
    }

    /// A reader that hands out one byte per read, splitting every escape.
    struct Trickle<'a>(&'a [u8]);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.is_empty()) {
                (Some((b, rest)), false) => {
                    buf[0] = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// The whole-body algorithm this parser replaced: split, `+` to space, then the
    /// `percent_encoding` crate's decoding of each part.
    fn oracle(body: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let decode = |part: &[u8]| {
            let spaced: Vec<u8> = part
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect();
            percent_encoding::percent_decode(&spaced).collect::<Vec<u8>>()
        };
        body.split(|&b| b == b'&')
            .filter(|s| !s.is_empty())
            .map(|item| match item.iter().position(|&b| b == b'=') {
                Some(i) => (decode(&item[..i]), decode(&item[i + 1..])),
                None => (decode(item), Vec::new()),
            })
            .collect()
    }

    proptest! {
        #[test]
        fn parsing_agrees_with_whole_body_decoding(
            body in proptest::collection::vec(
                prop_oneof![Just(b'%'), Just(b'&'), Just(b'='), Just(b'+'), Just(b'4'), Just(b'e'), Just(b'a')],
                0..40,
            )
        ) {
            let want: Result<Vec<(String, String)>, u16> = oracle(&body)
                .into_iter()
                .map(|(k, v)| Ok((String::from_utf8(k).map_err(|_| 400u16)?, String::from_utf8(v).map_err(|_| 400u16)?)))
                .collect();
            prop_assert_eq!(parse_urlencoded(&body[..], 1000).map_err(|e| e.code()), want);
        }

        #[test]
        fn parsing_does_not_depend_on_how_the_body_arrives(
            body in proptest::collection::vec(
                prop_oneof![Just(b'%'), Just(b'&'), Just(b'='), Just(b'+'), Just(b'4'), Just(b'1'), Just(b'a')],
                0..40,
            )
        ) {
            let whole = parse_urlencoded(&body[..], 1000).map_err(|e| e.code());
            let trickled = parse_urlencoded(Trickle(&body), 1000).map_err(|e| e.code());
            prop_assert_eq!(whole, trickled);
        }
    }
}
