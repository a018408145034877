//! The header section (RFC 9112 §5) and what it decides: framing, persistence, `Expect`.

use crate::error::ClientError;
use crate::{ServerConfig, Version};

/// How the request body is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body: neither `Content-Length` nor `Transfer-Encoding` was sent.
    None,
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// What the header section decided, besides the fields themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderFacts {
    pub(crate) framing: BodyFraming,
    /// The client allows the connection to persist after this exchange.
    pub(crate) keep_alive: bool,
    /// `Expect: 100-continue` on HTTP/1.1.
    pub(crate) expect_continue: bool,
    /// The framing is suspect enough that the connection must close after the response
    /// (RFC 9112 §6.1: `Transfer-Encoding` in an HTTP/1.0 request).
    pub(crate) close_after: bool,
    /// Which field is `Host`, if any.
    pub(crate) host: Option<usize>,
}

/// Where the header section ends in `bytes` (which starts right after the request line):
/// the index just past the empty line, or `None` if it has not arrived yet.
pub(crate) fn section_end(bytes: &[u8]) -> Option<usize> {
    if bytes.starts_with(b"\r\n") {
        return Some(2);
    }
    if bytes.starts_with(b"\n") {
        return Some(1);
    }
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&b| b == b'\n') {
        let lf = from + i;
        match bytes.get(lf + 1..lf + 3) {
            Some([b'\r', b'\n']) => return Some(lf + 3),
            Some([b'\n', _]) => return Some(lf + 2),
            None if bytes.get(lf + 1) == Some(&b'\n') => return Some(lf + 2),
            _ => from = lf + 1,
        }
    }
    None
}

/// The length of the header section at the start of `bytes`, within its limits:
/// `max_header_bytes` for the section, `max_head_bytes` for it and the request line's
/// `line_len` together. Called once the head is complete, or over a limit.
pub(crate) fn section_len(
    bytes: &[u8],
    config: &ServerConfig,
    line_len: usize,
) -> Result<usize, ClientError> {
    let section = ClientError::HeaderSectionTooLong {
        limit_bytes: config.max_header_bytes,
    };
    let head = ClientError::HeadTooLong {
        limit_bytes: config.max_head_bytes,
    };
    match section_end(bytes) {
        Some(n) if n > config.max_header_bytes => Err(section),
        Some(n) if line_len.saturating_add(n) > config.max_head_bytes => Err(head),
        Some(n) => Ok(n),
        None if bytes.len() > config.max_header_bytes => Err(section),
        None => Err(head),
    }
}

// ANCHOR: read_request_headers
/// The field lines' rules, for a head httparse refused: names the line it could not take.
/// `bytes` is the header section, complete (it ends with the empty line).
///
/// `httparse` refuses a line without a colon, whitespace before the colon, an empty name,
/// obs-fold (a line starting with whitespace) and control bytes (NUL, a lone CR) in values:
/// each is a 400, because a server that repairs such a line may read it differently from a
/// proxy in front of it, which is how request smuggling starts.
pub(crate) fn check_fields(bytes: &[u8], config: &ServerConfig) -> Result<(), ClientError> {
    let lines = bytes
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_sub(1);
    if lines > config.max_headers {
        return Err(ClientError::TooManyHeaders {
            limit_lines: config.max_headers,
        });
    }
    let mut slots = vec![httparse::EMPTY_HEADER; lines];
    // ANCHOR_END: read_request_headers
    // ANCHOR: header_fields
    match httparse::parse_headers(bytes, &mut slots) {
        Ok(httparse::Status::Complete(_)) => Ok(()),
        // Complete heads only reach here, so "partial" means a line httparse could not
        // take apart, e.g. an obs-fold continuation.
        Ok(httparse::Status::Partial) | Err(_) => Err(ClientError::BadHeader {
            why: bad_header_reason(bytes),
            evidence: first_bad_line(bytes),
        }),
    }
}
// ANCHOR_END: header_fields

fn bad_header_reason(bytes: &[u8]) -> &'static str {
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return "obs-fold continuation line";
        }
        match line.iter().position(|&b| b == b':') {
            None => return "line without a colon",
            Some(0) => return "empty field name",
            Some(i) if line[i - 1] == b' ' || line[i - 1] == b'\t' => {
                return "whitespace before the colon"
            }
            Some(_) => {}
        }
        if line.iter().any(|&b| b == 0 || b == b'\r') {
            return "NUL or CR in a field value";
        }
    }
    "malformed field line"
}

fn first_bad_line(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().take(256).copied().collect()
}

fn comma_tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(|t| t.trim_ascii())
        .filter(|t| !t.is_empty())
}

// ANCHOR: header_facts
/// Decides framing, persistence and `Expect` from the fields (RFC 9112 §6, §9.3;
/// RFC 9110 §10.1.1), refusing every combination that two parsers could read differently.
/// The steps: gather what each field says ([`FieldScan::field`]), then the body's
/// framing ([`framing`]), then persistence.
pub(crate) fn header_facts(
    fields: &[httparse::Header<'_>],
    version: Version,
    config: &ServerConfig,
) -> Result<HeaderFacts, ClientError> {
    let mut scan = FieldScan::default();
    for (index, field) in fields.iter().enumerate() {
        scan.field(field.name, field.value, version)?;
        if scan.host.is_some() && scan.host_index.is_none() {
            scan.host_index = Some(index);
        }
    }
    if version == Version::Http11 && scan.host.is_none() {
        return Err(ClientError::BadHeader {
            why: "missing Host",
            evidence: Vec::new(),
        });
    }
    let framing = framing(scan.coding, scan.length, config)?;
    let keep_alive = match version {
        Version::Http11 => !scan.close,
        Version::Http10 => scan.keep_alive_token && !scan.close,
    };
    Ok(HeaderFacts {
        framing,
        keep_alive,
        expect_continue: scan.expect_continue,
        close_after: version == Version::Http10 && scan.coding.is_some(),
        host: scan.host_index,
    })
}
// ANCHOR_END: header_facts

/// Whether `name` may be one of the fields that decide something: most are not, and their
/// length and first letter say so before any comparison.
fn may_decide(name: &str) -> bool {
    let first = name.as_bytes().first().map_or(0, u8::to_ascii_lowercase);
    matches!(
        (name.len(), first),
        (14 | 10, b'c') | (17, b't') | (4, b'h') | (6, b'e')
    )
}

/// What the fields said so far, one field at a time.
#[derive(Default)]
struct FieldScan<'a> {
    length: Option<u64>,
    coding: Option<&'a [u8]>,
    host: Option<&'a [u8]>,
    host_index: Option<usize>,
    close: bool,
    keep_alive_token: bool,
    expect_continue: bool,
}

impl<'a> FieldScan<'a> {
    // ANCHOR: field_scan
    /// Takes in one field; the ones that decide framing, persistence or `Expect`.
    fn field(&mut self, name: &str, value: &'a [u8], version: Version) -> Result<(), ClientError> {
        if !may_decide(name) {
            return Ok(());
        }
        if name.eq_ignore_ascii_case("content-length") {
            self.content_length(value)
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            if self.coding.is_some() {
                return Err(ClientError::UnsupportedTransferCoding {
                    coding: value.to_vec(),
                });
            }
            self.coding = Some(value);
            Ok(())
        } else if name.eq_ignore_ascii_case("host") {
            self.host(value)
        } else if name.eq_ignore_ascii_case("connection") {
            for token in comma_tokens(value) {
                self.close |= token.eq_ignore_ascii_case(b"close");
                self.keep_alive_token |= token.eq_ignore_ascii_case(b"keep-alive");
            }
            Ok(())
        } else if name.eq_ignore_ascii_case("expect") {
            if !value.trim_ascii().eq_ignore_ascii_case(b"100-continue") {
                return Err(ClientError::UnsupportedExpectation {
                    value: value.to_vec(),
                });
            }
            // HTTP/1.0 clients do not know 100 Continue (RFC 9110 §10.1.1): ignore it.
            self.expect_continue = version == Version::Http11;
            Ok(())
        } else {
            Ok(())
        }
    }
    // ANCHOR_END: field_scan

    /// Digits only (no sign, no space inside); repeated values, in one field or several,
    /// must agree, or the body's end is ambiguous (RFC 9112 §6.3 rule 5).
    fn content_length(&mut self, value: &[u8]) -> Result<(), ClientError> {
        for token in value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
            let n = parse_digits(token).ok_or_else(|| ClientError::BadContentLength {
                value: value.to_vec(),
            })?;
            if self.length.is_some_and(|m| m != n) {
                return Err(ClientError::BadContentLength {
                    value: value.to_vec(),
                });
            }
            self.length = Some(n);
        }
        Ok(())
    }

    /// One `Host`, well formed (RFC 9110 §7.2: an invalid one is a 400, like a missing one).
    fn host(&mut self, value: &'a [u8]) -> Result<(), ClientError> {
        let why = if self.host.is_some() {
            "duplicate Host"
        } else if !super::line::valid_host(value) {
            "invalid Host"
        } else {
            self.host = Some(value);
            return Ok(());
        };
        Err(ClientError::BadHeader {
            why,
            evidence: value.to_vec(),
        })
    }
}

/// The body's framing from `Transfer-Encoding` and `Content-Length` (RFC 9112 §6.3):
/// both is the smuggling pair (400); a declared length over `max_body` is 413 before a
/// byte of it is read.
fn framing(
    coding: Option<&[u8]>,
    length: Option<u64>,
    config: &ServerConfig,
) -> Result<BodyFraming, ClientError> {
    match (coding, length) {
        (Some(_), Some(_)) => Err(ClientError::ContentLengthWithTransferEncoding),
        (Some(coding), None) => chunked_framing(coding),
        (None, Some(n)) if n > config.max_body => Err(ClientError::BodyTooLarge {
            limit_bytes: config.max_body,
            length: n,
        }),
        (None, Some(n)) => Ok(BodyFraming::Length(n)),
        (None, None) => Ok(BodyFraming::None),
    }
}

/// `chunked` must be the last coding, and is the only one this server decodes: any other
/// is 501 (RFC 9112 §6.1); `chunked` not last leaves the body's end unknown: 400.
fn chunked_framing(coding: &[u8]) -> Result<BodyFraming, ClientError> {
    let codings: Vec<&[u8]> = comma_tokens(coding).collect();
    match codings.as_slice() {
        [only] if only.eq_ignore_ascii_case(b"chunked") => Ok(BodyFraming::Chunked),
        list if list.iter().any(|c| c.eq_ignore_ascii_case(b"chunked"))
            && !list
                .last()
                .is_some_and(|c| c.eq_ignore_ascii_case(b"chunked")) =>
        {
            Err(ClientError::BadHeader {
                why: "chunked is not the final transfer coding",
                evidence: coding.to_vec(),
            })
        }
        _ => Err(ClientError::UnsupportedTransferCoding {
            coding: coding.to_vec(),
        }),
    }
}

/// `1*DIGIT` as a u64; `None` for anything else, including overflow: the `Content-Length`
/// rule of `rules`, the one the response side uses too.
fn parse_digits(token: &[u8]) -> Option<u64> {
    crate::rules::parse_content_length(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_end_finds_the_empty_line() {
        assert_eq!(section_end(b"\r\n"), Some(2));
        assert_eq!(section_end(b"A: b\r\n\r\nrest"), Some(8));
        assert_eq!(section_end(b"A: b\n\nrest"), Some(6));
        assert_eq!(section_end(b"A: b\r\n"), None);
        assert_eq!(section_end(b"A: b\r\n\r"), None);
    }

    #[test]
    fn content_length_digits_only() {
        assert_eq!(parse_digits(b"0"), Some(0));
        assert_eq!(parse_digits(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_digits(b"18446744073709551616"), None);
        assert_eq!(parse_digits(b"+1"), None);
        assert_eq!(parse_digits(b"1 2"), None);
        assert_eq!(parse_digits(b""), None);
    }

    #[test]
    fn codings_other_than_final_chunked_are_refused() {
        assert_eq!(chunked_framing(b"Chunked").ok(), Some(BodyFraming::Chunked));
        assert!(matches!(
            chunked_framing(b"gzip, chunked"),
            Err(ClientError::UnsupportedTransferCoding { .. })
        ));
        assert!(matches!(
            chunked_framing(b"chunked, gzip"),
            Err(ClientError::BadHeader { .. })
        ));
        assert!(matches!(
            chunked_framing(b"identity"),
            Err(ClientError::UnsupportedTransferCoding { .. })
        ));
    }
}
