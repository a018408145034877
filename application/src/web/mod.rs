//! The web API: the functions handlers and processors call (web.py's `web.*`).
//!
//! They all reach the current request through `ctx`; called outside a request they
//! return [`Error::OutsideRequest`].

mod cookies;
mod data;
mod form;
mod input;
mod multipart;
mod redirect;
mod storage;
mod upload;

pub use cookies::{cookies, setcookie, AsSameSite, SameSite, SetCookie};
pub use data::data;
pub use input::{input, input_method};
pub use redirect::{found, redirect, redirect_to, seeother, tempredirect};
pub use storage::{FormValue, Storage};
pub use upload::FileUpload;

use crate::ctx::with_live;
use crate::Error;

// ANCHOR: header
/// Adds a response header (web.py's `web.header(name, value)`). Refuses names that are
/// not HTTP tokens and values with CR, LF or NUL, which would split the response (a
/// header injection), instead of letting them reach the wire (web.py raised
/// `ValueError`). Once the response has started (in a stream, after its first chunk) it
/// errors with [`Error::HeadersSent`]: the header could no longer be sent.
pub fn header(name: &str, value: &str) -> Result<(), Error> {
    add_header(name, value, false)
}

/// web.py's `web.header(name, value, unique=True)`: adds the header unless one of that
/// name (in any case) is already set.
pub fn header_unique(name: &str, value: &str) -> Result<(), Error> {
    add_header(name, value, true)
}

fn add_header(name: &str, value: &str, unique: bool) -> Result<(), Error> {
    check_header(name, value)?;
    let (name, value) = (name.to_string(), value.to_string());
    with_live(|live| {
        let live = live.open()?;
        let present = || {
            live.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(&name))
        };
        if !(unique && present()) {
            live.headers.push((name, value));
        }
        Ok(())
    })?
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
