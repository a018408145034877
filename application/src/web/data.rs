//! The request body: `data()`, and the bounded reader `data()` and `input()` read from.
//!
//! The body is read at most once. `data()` keeps the bytes, so it can be called again
//! and `input()` can parse them after it. `input()` on an unread body parses straight from
//! the reader and keeps only the parsed form: the body's bytes are never held whole
//! beside the fields made from them, so parsing a form costs about the form's size in
//! memory, not a multiple of it.

use std::io::{self, Read};
use std::sync::Arc;

use crate::ctx::with_live;
use crate::http_error::{badrequest, internalerror, payloadtoolarge};
use crate::HttpError;

/// The raw request body (web.py's `web.data()`), read once and kept for later calls.
///
/// Bounded by the application's `set_max_body` limit: a declared `Content-Length` over
/// it is a 413 before anything is read; a body without one (chunked) is read up to the
/// limit and is a 413 past it. A `Content-Length` that is not a number is a 400. After
/// `input()` parsed the body, whose bytes it did not keep, this is a 500 saying so:
/// call `data()` first when a handler needs both.
pub fn data() -> Result<Vec<u8>, HttpError> {
    match take_body()? {
        BodySource::Raw(raw) => raw.map(|bytes| bytes.to_vec()),
        BodySource::Parsed => Err(parsed_already()),
        BodySource::Reader(reader) => {
            let raw = reader.and_then(read_all).map(Arc::new);
            // The reader is gone now: a later call must get this answer, not an empty body.
            with_live(|live| live.raw = Some(raw.clone()))?;
            raw.map(|bytes| bytes.to_vec())
        }
    }
}

/// Where the body is now.
pub(crate) enum BodySource {
    /// `data()` read it: its bytes, or why it could not be read.
    Raw(Result<Arc<Vec<u8>>, HttpError>),
    /// `input()` parsed it and kept only the fields.
    Parsed,
    /// Not read yet: the reader, bounded by the limits (or why it cannot be read).
    Reader(Result<Bounded, HttpError>),
}

/// Takes the body's reader out of `ctx`, or says where the body went.
pub(crate) fn take_body() -> Result<BodySource, HttpError> {
    let taken = with_live(|live| {
        if let Some(raw) = &live.raw {
            return BodySource::Raw(raw.clone());
        }
        if live.form.is_some() {
            return BodySource::Parsed;
        }
        let declared = live.ctx.env("CONTENT_LENGTH").map(str::to_string);
        let input = live.input.take();
        BodySource::Reader(Bounded::new(
            input,
            declared.as_deref(),
            live.settings.max_body,
        ))
    })?;
    Ok(taken)
}

fn parsed_already() -> HttpError {
    let mut e = internalerror();
    e.detail = Some("data() after input() parsed the body: call data() first".to_string());
    e
}

/// Reads the whole bounded body.
fn read_all(mut body: Bounded) -> Result<Vec<u8>, HttpError> {
    // A declared length is known to be within the limit: one allocation, no doubling.
    let mut bytes = Vec::with_capacity(body.declared.unwrap_or(0));
    body.read_to_end(&mut bytes).map_err(body_error)?;
    Ok(bytes)
}

/// The body reader, refusing to read past the application's limit.
pub(crate) struct Bounded {
    input: Option<Box<dyn Read + Send>>,
    /// The `Content-Length`: exactly this much is read.
    declared: Option<usize>,
    /// Bytes that may still be read.
    left: usize,
}

impl Bounded {
    /// Checks the declared length against `limit` before anything is read: a length
    /// that is not a number is a 400, one over the limit a 413.
    fn new(
        input: Option<Box<dyn Read + Send>>,
        declared: Option<&str>,
        limit: usize,
    ) -> Result<Bounded, HttpError> {
        // ANCHOR: bounded_check
        let declared = match declared.map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(n.parse::<u64>().map_err(|_| badrequest())?),
        };
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(payloadtoolarge());
        }
        // Within the limit, so it fits a usize.
        let declared = declared.map(|n| n as usize);
        Ok(Bounded {
            input,
            declared,
            left: declared.unwrap_or(limit),
        })
        // ANCHOR_END: bounded_check
    }
}

/// Marks the error a `Bounded` returns past the limit, so it becomes a 413, not a 400.
#[derive(Debug)]
struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the body is larger than the application's limit")
    }
}

impl std::error::Error for TooLarge {}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(input) = self.input.as_mut() else {
            return Ok(0);
        };
        if self.left == 0 {
            if self.declared.is_some() {
                // The declared length has been read whole; what follows is not ours.
                return Ok(0);
            }
            // Without a length, a byte more than the limit tells "at" from "over".
            let mut probe = [0u8; 1];
            return match input.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(TooLarge)),
            };
        }
        let want = buf.len().min(self.left);
        let n = input.read(&mut buf[..want])?;
        self.left -= n;
        Ok(n)
    }
}

/// The answer for a body that could not be read: 413 past the limit; otherwise the
/// client's fault (cut short, bad chunk framing), a 400 rather than a 500.
pub(crate) fn body_error(e: io::Error) -> HttpError {
    let too_large = e.get_ref().is_some_and(|inner| inner.is::<TooLarge>());
    if too_large {
        payloadtoolarge()
    } else {
        badrequest()
    }
}
