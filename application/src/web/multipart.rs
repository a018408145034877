//! A `multipart/form-data` parser (RFC 7578) over a body already read into memory.
//!
//! The body is bounded by the application's body limit before it gets here, so parsing
//! from a slice is simple and safe. No crate fit: the maintained ones are async. The
//! property test below checks that parse(encode(fields)) == fields.

use super::input::{too_many_fields, FileUpload, Storage};
use crate::http_error::badrequest;
use crate::HttpError;

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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn bad(why: &str) -> HttpError {
    badrequest().with_body(format!("malformed multipart body: {why}"))
}

// ANCHOR: multipart
/// Parses a `multipart/form-data` body into text fields and files, at most
/// `max_fields` parts of them (more is a 413).
pub(crate) fn parse(body: &[u8], boundary: &str, max_fields: usize) -> Result<Storage, HttpError> {
    let delimiter = format!("--{boundary}");
    let start = find(body, delimiter.as_bytes()).ok_or_else(|| bad("no opening boundary"))?;
    let mut rest = &body[start + delimiter.len()..];
    let next_delimiter = format!("\r\n--{boundary}");
    let mut storage = Storage::default();
    loop {
        if rest.starts_with(b"--") {
            return Ok(storage); // the close delimiter; an epilogue may follow
        }
        if storage.pairs.len() + storage.files.len() == max_fields {
            return Err(too_many_fields(max_fields));
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or_else(|| bad("boundary not followed by CRLF"))?;
        let end = find(rest, next_delimiter.as_bytes())
            .ok_or_else(|| bad("part without a closing boundary"))?;
        add_part(&mut storage, &rest[..end])?;
        rest = &rest[end + next_delimiter.len()..];
    }
}
// ANCHOR_END: multipart

fn add_part(storage: &mut Storage, part: &[u8]) -> Result<(), HttpError> {
    let split = find(part, b"\r\n\r\n").map(|i| (i, i + 4));
    // A part with no headers at all starts with the blank line directly.
    let (head_end, body_start) = if part.starts_with(b"\r\n") {
        (0, 2)
    } else {
        split.ok_or_else(|| bad("part without a blank line"))?
    };
    let head =
        std::str::from_utf8(&part[..head_end]).map_err(|_| bad("part headers are not UTF-8"))?;
    let content = &part[body_start..];
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
    match filename {
        Some(filename) => storage.files.push((
            name,
            FileUpload {
                filename,
                content_type,
                data: content.to_vec(),
            },
        )),
        None => {
            let text = String::from_utf8(content.to_vec())
                .map_err(|_| badrequest().with_body("form data is not UTF-8"))?;
            storage.pairs.push((name, text));
        }
    }
    Ok(())
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
        assert!(parse(b"--B\r\nno blank line\r\n--B--", "B", 10).is_err());
        assert!(
            parse(
                b"--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--",
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
            let _ = parse(&body, "B", 10);
        }

        #[test]
        fn parse_inverts_encode(
            fields in proptest::collection::vec(
                ("[a-z]{1,8}", proptest::collection::vec(any::<u8>(), 0..64), proptest::option::of("[a-z.]{1,8}")),
                0..6,
            )
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
            let storage = parse(&encode(&fields, boundary), boundary, 10).expect("an encoded body parses");
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
                        prop_assert_eq!(&up.data, value);
                    }
                }
            }
        }
    }
}
