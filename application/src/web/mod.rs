//! The web API: the functions handlers and processors call (web.py's `web.*`).
//!
//! They all reach the current request through `ctx`; called outside a request they
//! return [`Error::OutsideRequest`].

mod cookies;
mod input;
pub(crate) mod multipart;
mod redirect;

pub use cookies::{cookies, setcookie, SameSite, SetCookie};
pub use input::{input, FileUpload, Storage};
pub use redirect::{found, redirect, redirect_to, seeother, tempredirect};

use std::io::Read;

use crate::http_error::{badrequest, payloadtoolarge};
use crate::{ctx, Error, HttpError};

// ANCHOR: header
/// Adds a response header (web.py's `web.header`). Refuses names that are not HTTP
/// tokens and values with CR, LF or NUL, which would split the response (a header
/// injection), instead of letting them reach the wire.
pub fn header(name: &str, value: &str) -> Result<(), Error> {
    check_header(name, value)?;
    ctx::with_mut(|c| c.headers.push((name.to_string(), value.to_string())))
}
// ANCHOR_END: header

/// Text made safe to put between HTML tags or in a quoted attribute: `&`, `<`, `>`, `"`
/// and `'` become entities. web.py's `websafe`, for pages that show what a client sent.
///
/// ```
/// use application::web::websafe;
/// assert_eq!(websafe(r#"<a title="x">Tom & 'Jerry'</a>"#),
///            "&lt;a title=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
/// ```
pub fn websafe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn check_header(name: &str, value: &str) -> Result<(), Error> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    let name_ok = !name.is_empty() && name.bytes().all(token);
    let value_ok = !value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0);
    if name_ok && value_ok {
        Ok(())
    } else {
        Err(Error::BadHeader {
            name: name.to_string(),
            value: value.to_string(),
        })
    }
}

// ANCHOR: data
/// The raw request body (web.py's `web.data()`), read once and kept for later calls.
///
/// Bounded by the application's `set_max_body` limit: a declared `Content-Length` over
/// it is a 413 before anything is read; a body without one (chunked) is read up to the
/// limit and is a 413 past it. A `Content-Length` that is not a number is a 400.
pub fn data() -> Result<Vec<u8>, HttpError> {
    let (cached, input, declared, limit) = ctx::with_mut(|c| {
        let declared = c.env("CONTENT_LENGTH").map(str::to_string);
        (
            c.body.clone(),
            c.env.take_input(),
            declared,
            c.limits.max_body,
        )
    })?;
    if let Some(body) = cached {
        return body;
    }
    let body = read_body(input, declared.as_deref(), limit);
    // The reader is gone now: a later call must get this answer, not an empty body.
    ctx::with_mut(|c| c.body = Some(body.clone()))?;
    body
}

/// Reads the body within `limit`, checking the declared length first.
fn read_body(
    input: Option<Box<dyn Read + Send>>,
    declared: Option<&str>,
    limit: usize,
) -> Result<Vec<u8>, HttpError> {
    let declared = match declared.map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(n.parse::<u64>().map_err(|_| badrequest())?),
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(payloadtoolarge());
    }
    let mut body = Vec::new();
    if let Some(input) = input {
        // Reading one byte past the limit tells "exactly at" from "over" for bodies
        // without a Content-Length.
        let cap = declared.unwrap_or((limit as u64).saturating_add(1));
        // A body that breaks off or is malformed (bad chunk framing) is the client's
        // fault: 400, not 500.
        input
            .take(cap)
            .read_to_end(&mut body)
            .map_err(|_| badrequest())?;
        if body.len() > limit {
            return Err(payloadtoolarge());
        }
    }
    Ok(body)
}
// ANCHOR_END: data
