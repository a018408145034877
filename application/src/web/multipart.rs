//! A `multipart/form-data` parser (RFC 7578) that reads the body as it arrives.
//!
//! Text fields are collected in memory (the body limit bounds them); file parts go to a
//! `Spool`, memory first and a temporary file past a threshold, so a large upload is
//! never held in memory whole. The parser keeps one 64 KiB buffer: content is passed on
//! as soon as it cannot be the start of the next delimiter. No crate fit: the maintained
//! ones are async. The property tests below check that parse(encode(fields)) == fields
//! however the body is cut into reads, and that every truncation is refused.

use std::io::Read;
use std::sync::Arc;

use memchr::memmem;

use super::data::body_error;
use super::form::too_many_fields;
use super::storage::Storage;
use super::upload::{Spool, FILE_MEMORY_LIMIT};
use crate::http_error::{badrequest, internalerror};
use crate::HttpError;

/// The read buffer; a part's headers must fit in a quarter of it.
const BUFFER: usize = 64 * 1024;
const MAX_PART_HEAD: usize = BUFFER / 4;

/// The `boundary` parameter of a `Content-Type` header, unquoted.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        (!value.is_empty() && value.len() <= 70).then(|| value.to_string())
    })
}

fn bad(why: &str) -> HttpError {
    badrequest().with_body(format!("malformed multipart body: {why}"))
}

// ANCHOR: multipart
/// Parses a `multipart/form-data` body into text fields and files, at most
/// `max_fields` parts of them (more is a 413).
pub(crate) fn parse(
    input: impl Read,
    boundary: &str,
    max_fields: usize,
) -> Result<Storage, HttpError> {
    let mut body = Scanner::new(input);
    body.skip_past(format!("--{boundary}").as_bytes())?;
    let delimiter = format!("\r\n--{boundary}");
    let mut storage = Storage::default();
    loop {
        if body.take_if(b"--")? {
            return Ok(storage); // the close delimiter; an epilogue may follow
        }
        if storage.pairs.len() + storage.files.len() == max_fields {
            return Err(too_many_fields(max_fields));
        }
        if !body.take_if(b"\r\n")? {
            return Err(bad("boundary not followed by CRLF"));
        }
        let head = Head::parse(&body.part_head()?)?;
        add_part(&mut storage, head, &mut body, delimiter.as_bytes())?;
    }
}
// ANCHOR_END: multipart

/// Reads one part's content up to `delimiter`: a file into a spool, text into a string.
fn add_part<R: Read>(
    storage: &mut Storage,
    head: Head,
    body: &mut Scanner<R>,
    delimiter: &[u8],
) -> Result<(), HttpError> {
    match head.filename {
        Some(filename) => {
            let mut spool = Spool::new(FILE_MEMORY_LIMIT);
            body.copy_until(delimiter, |bytes| spool.write(bytes).map_err(spool_error))?;
            let file = spool
                .finish(filename, head.content_type)
                .map_err(spool_error)?;
            storage.files.push((head.name, file));
        }
        None => {
            let mut text = Vec::new();
            body.copy_until(delimiter, |bytes| {
                text.extend_from_slice(bytes);
                Ok(())
            })?;
            let text = String::from_utf8(text)
                .map_err(|_| badrequest().with_body("form data is not UTF-8"))?;
            storage.pairs.push((head.name, Arc::new(text)));
        }
    }
    Ok(())
}

/// A temporary file that cannot be written is the server's problem: a 500.
fn spool_error(e: std::io::Error) -> HttpError {
    let mut err = internalerror();
    err.detail = Some(format!(
        "writing an uploaded file to a temporary file failed: {e}"
    ));
    err
}

/// What a part's headers say: its field name, and a file name for a file.
struct Head {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
}

impl Head {
    fn parse(head: &[u8]) -> Result<Head, HttpError> {
        let head = std::str::from_utf8(head).map_err(|_| bad("part headers are not UTF-8"))?;
        let (mut name, mut filename, mut content_type) = (None, None, None);
        for line in head.split("\r\n").filter(|l| !l.is_empty()) {
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| bad("part header without a colon"))?;
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                name = param(value, "name");
                filename = param(value, "filename");
            } else if key.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
        }
        let name = name.ok_or_else(|| bad("part without a name"))?;
        Ok(Head {
            name,
            filename,
            content_type,
        })
    }
}

/// The body as a window over a fixed buffer: `buf[start..end]` is read and not yet used.
struct Scanner<R> {
    input: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl<R: Read> Scanner<R> {
    fn new(input: R) -> Scanner<R> {
        Scanner {
            input,
            buf: vec![0; BUFFER],
            start: 0,
            end: 0,
        }
    }

    fn window(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Moves what is left to the front and reads more after it; false at the body's end.
    fn fill(&mut self) -> Result<bool, HttpError> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            // Every caller keeps less than a buffer unread, so this is unreachable; an
            // error is still better than a loop that never reads.
            return Err(bad("a header block longer than the buffer"));
        }
        let n = self
            .input
            .read(&mut self.buf[self.end..])
            .map_err(body_error)?;
        self.end += n;
        Ok(n > 0)
    }

    /// Discards everything up to and including `needle` (the preamble, the first delimiter).
    fn skip_past(&mut self, needle: &[u8]) -> Result<(), HttpError> {
        loop {
            if let Some(i) = memmem::find(self.window(), needle) {
                self.start += i + needle.len();
                return Ok(());
            }
            // Keep a tail that may be the start of `needle`.
            self.start = self.end.saturating_sub(needle.len() - 1).max(self.start);
            if !self.fill()? {
                return Err(bad("no opening boundary"));
            }
        }
    }

    /// Consumes `expected` if the body continues with it.
    fn take_if(&mut self, expected: &[u8]) -> Result<bool, HttpError> {
        while self.window().len() < expected.len() {
            if !self.fill()? {
                return Err(bad("the body ends after a boundary"));
            }
        }
        let matched = self.window().starts_with(expected);
        if matched {
            self.start += expected.len();
        }
        Ok(matched)
    }

    /// A part's header block, up to and including the blank line after it.
    fn part_head(&mut self) -> Result<Vec<u8>, HttpError> {
        // A part with no headers at all starts with the blank line directly.
        if self.take_if(b"\r\n")? {
            return Ok(Vec::new());
        }
        loop {
            if let Some(i) = memmem::find(self.window(), b"\r\n\r\n") {
                let head = self.window()[..i].to_vec();
                self.start += i + 4;
                return Ok(head);
            }
            if self.window().len() > MAX_PART_HEAD {
                return Err(bad("part headers too long"));
            }
            if !self.fill()? {
                return Err(bad("part without a blank line"));
            }
        }
    }

    /// Hands the content up to `delimiter` to `sink`, then consumes the delimiter.
    fn copy_until(
        &mut self,
        delimiter: &[u8],
        mut sink: impl FnMut(&[u8]) -> Result<(), HttpError>,
    ) -> Result<(), HttpError> {
        loop {
            if let Some(i) = memmem::find(self.window(), delimiter) {
                sink(&self.window()[..i])?;
                self.start += i + delimiter.len();
                return Ok(());
            }
            // Everything but a tail that may be the start of the delimiter is content.
            let safe = self.window().len().saturating_sub(delimiter.len() - 1);
            sink(&self.window()[..safe])?;
            self.start += safe;
            if !self.fill()? {
                return Err(bad("part without a closing boundary"));
            }
        }
    }
}

/// A parameter of `Content-Disposition: form-data; name="a"; filename="b"`. Quoted
/// values may contain `;` and `\"` (RFC 7578 §4.2 leaves escaping to HTML's rules,
/// which browsers follow by percent-encoding `"`, so only `\` escapes are undone).
fn param(header: &str, wanted: &str) -> Option<String> {
    let mut rest = header;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].rsplit(';').next().unwrap_or("").trim();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(quoted) = after.trim_start().strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        if key.eq_ignore_ascii_case(wanted) {
            return Some(value);
        }
        rest = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{boundary, parse};

    /// Encodes fields the way a browser does.
    fn encode(fields: &[(String, Vec<u8>, Option<String>)], boundary: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, value, filename) in fields {
            out.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"")
                    .as_bytes(),
            );
            if let Some(f) = filename {
                out.extend_from_slice(
                    format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream")
                        .as_bytes(),
                );
            }
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }

    /// A reader that hands out at most `.1` bytes per read.
    struct Chunks<'a>(&'a [u8], usize);
    impl std::io::Read for Chunks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_large_file_part_goes_to_a_temporary_file_and_arrives_whole() {
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let body = encode(
            &[("f".into(), big.clone(), Some("big.bin".into()))],
            "B0undary",
        );
        let storage = parse(Chunks(&body, 7_001), "B0undary", 10).expect("parses");
        let file = storage.file("f").expect("the file part");
        assert!(
            file.path().is_some(),
            "300 kB is past the in-memory threshold"
        );
        assert_eq!(file.bytes().expect("read back"), big);
    }

    #[test]
    fn boundary_is_read_quoted_or_not() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("multipart/form-data; charset=utf-8; Boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("multipart/form-data; boundary="), None);
    }

    #[test]
    fn truncated_or_garbled_bodies_are_errors_not_panics() {
        let good = encode(&[("a".into(), b"1".to_vec(), None)], "B");
        for cut in 0..good.len() - 4 {
            // Every strict prefix short of the close delimiter must be refused.
            assert!(
                parse(&good[..cut], "B", 10).is_err(),
                "prefix of {cut} bytes accepted"
            );
        }
        assert!(parse(&b"--B\r\nno blank line\r\n--B--"[..], "B", 10).is_err());
        assert!(
            parse(
                &b"--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--"[..],
                "B",
                10
            )
            .is_err(),
            "no name"
        );
    }

    proptest! {
        #[test]
        fn any_body_is_parsed_or_refused_never_a_panic(
            body in proptest::collection::vec(
                prop_oneof![
                    Just(b"--B".to_vec()),
                    Just(b"\r\n".to_vec()),
                    Just(b"Content-Disposition: form-data; name=\"".to_vec()),
                    Just(b"; filename=\"\\\"".to_vec()),
                    Just("é\"=;".as_bytes().to_vec()),
                    proptest::collection::vec(any::<u8>(), 0..4),
                ],
                0..24,
            )
        ) {
            // Pieces of real syntax mixed with noise reach deeper than random bytes.
            let body: Vec<u8> = body.concat();
            let _ = parse(&body[..], "B", 10);
        }

        #[test]
        fn parse_inverts_encode(
            fields in proptest::collection::vec(
                ("[a-z]{1,8}", proptest::collection::vec(any::<u8>(), 0..64), proptest::option::of("[a-z.]{1,8}")),
                0..6,
            ),
            step in 1usize..40,
        ) {
            // The boundary must not occur in any value: browsers pick it that way.
            let boundary = "----proptestBoundary7MA4YWxk";
            let fields: Vec<(String, Vec<u8>, Option<String>)> = fields
                .into_iter()
                .map(|(n, v, f)| {
                    // Text fields must be UTF-8; files may be any bytes.
                    let v = if f.is_none() { String::from_utf8_lossy(&v).into_owned().into_bytes() } else { v };
                    (n, v, f)
                })
                .collect();
            let encoded = encode(&fields, boundary);
            let storage = parse(&encoded[..], boundary, 10).expect("an encoded body parses");
            // Cut into reads of `step` bytes, the body must parse the same.
            let trickled = parse(Chunks(&encoded, step), boundary, 10).expect("parses in pieces");
            prop_assert_eq!(format!("{:?}", storage.pairs), format!("{:?}", trickled.pairs));
            let mut texts = storage.pairs.iter();
            let mut files = storage.files.iter();
            for (name, value, filename) in &fields {
                match filename {
                    None => {
                        let (n, v) = texts.next().expect("one text pair per text field");
                        prop_assert_eq!(n, name);
                        prop_assert_eq!(v.as_bytes(), &value[..]);
                    }
                    Some(f) => {
                        let (n, up) = files.next().expect("one file per file field");
                        prop_assert_eq!(n, name);
                        prop_assert_eq!(&up.filename, f);
                        prop_assert_eq!(&up.bytes().expect("read the upload"), value);
                    }
                }
            }
        }
    }
}
