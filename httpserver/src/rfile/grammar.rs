//! The byte-level grammar of chunked framing (RFC 9112 §7.1): size lines, extensions, trailers.
//!
//! Pure functions over one complete line, so `ChunkedRFile` keeps only the I/O and the states.

use super::BodyError;
use crate::rules::{is_field_byte, is_field_value, token_len};

// ANCHOR: parse_chunk_size
/// The size on a chunk-size line: `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1), where
/// `chunk-size = 1*HEXDIG`. `line` is the whole line, CRLF included.
///
/// Extensions are checked against the grammar and ignored: the RFC lets a recipient ignore
/// any extension it does not understand, and this server understands none.
pub(super) fn parse_chunk_size(line: &[u8]) -> Result<u64, BodyError> {
    let invalid = || BodyError::InvalidChunkSize {
        line: line.to_vec(),
    };
    // A bare LF is refused here, though RFC 9112 §2.2 lets a recipient accept it: a proxy
    // in front that reads "5\n" differently from us is how request smuggling starts.
    let content = line.strip_suffix(b"\r\n").ok_or_else(invalid)?;
    let digits = content.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        // Also "+5", "-5", " 5", "0x5"'s "x": the grammar has no sign, prefix or leading space.
        return Err(invalid());
    }
    let mut size: u64 = 0;
    for &b in &content[..digits] {
        // Checked: a size past 2^64 must be refused, never wrapped to a small one.
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(hex_value(b)))
            .ok_or(BodyError::ChunkSizeOverflow)?;
    }
    if !valid_extensions(&content[digits..]) {
        return Err(invalid());
    }
    Ok(size)
}
// ANCHOR_END: parse_chunk_size

/// The bytes of a size line after its hex digits and before its line ending: the
/// chunk extensions (and any whitespace before them), which the body does not contain.
pub(super) fn extension_len(line: &[u8]) -> usize {
    let content = line.strip_suffix(b"\n").unwrap_or(line);
    let content = content.strip_suffix(b"\r").unwrap_or(content);
    let digits = content.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    content.len() - digits
}

/// The value of one hex digit; callers have checked `is_ascii_hexdigit`, so the last arm
/// is never taken.
fn hex_value(b: u8) -> u64 {
    let v = match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    };
    u64::from(v)
}

/// Whether `s` is `*( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`, then
/// optional whitespace; `chunk-ext-val = token / quoted-string`.
fn valid_extensions(mut s: &[u8]) -> bool {
    loop {
        // BWS before ";" is in the grammar, so whitespace after the size is accepted;
        // it cannot change what the size means.
        s = skip_bws(s);
        match s.split_first() {
            None => return true,
            Some((b';', rest)) => s = skip_bws(rest),
            Some(_) => return false,
        }
        let name = token_len(s);
        if name == 0 {
            return false;
        }
        s = skip_bws(&s[name..]);
        if let Some((b'=', rest)) = s.split_first() {
            s = skip_bws(rest);
            let value = if s.first() == Some(&b'"') {
                quoted_string_len(s)
            } else {
                token_len(s)
            };
            if value == 0 {
                return false;
            }
            s = &s[value..];
        }
    }
}

/// A trailer field line, `field-name ":" OWS field-value OWS CRLF` (RFC 9112 §7.1.2, §5),
/// as a name and a value with the surrounding whitespace removed.
pub(super) fn parse_trailer(line: &[u8]) -> Result<(String, Vec<u8>), BodyError> {
    let invalid = || BodyError::InvalidTrailer {
        line: line.to_vec(),
    };
    let content = line.strip_suffix(b"\r\n").ok_or_else(invalid)?;
    let name = token_len(content);
    // An empty name, whitespace before the colon, and an obs-fold line (which starts with
    // whitespace) all fail here: RFC 9112 §5.1 and §5.2 say reject, not repair.
    if name == 0 || content.get(name) != Some(&b':') {
        return Err(invalid());
    }
    let value = trim_ows(&content[name + 1..]);
    if !is_field_value(value) {
        return Err(invalid());
    }
    // A token is ASCII, so the lossy conversion never replaces anything.
    let name = String::from_utf8_lossy(&content[..name]).into_owned();
    Ok((name, value.to_vec()))
}

/// The length of the quoted-string at the start of `s`, quotes included, or 0 if it is
/// malformed or unterminated (RFC 9110 §5.6.4).
fn quoted_string_len(s: &[u8]) -> usize {
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'"' => return i + 1,
            b'\\' => match s.get(i + 1) {
                Some(&b) if is_field_byte(b) => i += 2,
                _ => return 0,
            },
            b if is_field_byte(b) => i += 1,
            _ => return 0,
        }
    }
    0
}

/// `s` without leading spaces and tabs (BWS, RFC 9110 §5.6.3).
fn skip_bws(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    &s[n..]
}

/// `s` without leading and trailing spaces and tabs (OWS).
fn trim_ows(s: &[u8]) -> &[u8] {
    let s = skip_bws(s);
    let n = s
        .iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    &s[..s.len() - n]
}
