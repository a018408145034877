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

pub use cookies::{cookie, cookies, setcookie, AsSameSite, SameSite, SetCookie};
pub use data::data;
pub use input::{input, input_method};
pub use redirect::{found, redirect, redirect_to, seeother, tempredirect};
pub use storage::{FormValue, Storage};
pub use upload::FileUpload;

pub use wsgi::rules::Header;

use crate::ctx::with_live;
use crate::Error;

/// Adds a response header (web.py's `web.header(name, value)`), checked here, once, with
/// httpserver's rules (it becomes a [`Header`]): names that are not HTTP tokens, values
/// with CR, LF or another control byte, which would split the response (a header
/// injection), a `Content-Length` that is not digits, and hop-by-hop headers, which are
/// the server's, are refused with [`Error::BadHeader`] naming the header (web.py raised
/// `ValueError`). Nothing below checks it again. Once the response has started (in a
/// stream, after its first chunk) it errors with [`Error::HeadersSent`]: the header could
/// no longer be sent.
pub fn header(name: &str, value: &str) -> Result<(), Error> {
    add(Header::new(name.to_owned(), value.to_owned())?, false)
}

/// web.py's `web.header(name, value, unique=True)`: adds the header unless one of that
/// name (in any case) is already set.
pub fn header_unique(name: &str, value: &str) -> Result<(), Error> {
    add(Header::new(name.to_owned(), value.to_owned())?, true)
}

/// Adds a header made (and so checked) already: `add_header(Header::new("Vary",
/// "Cookie")?)`, which copies no text when it is constant, as [`header`] must.
pub fn add_header(header: Header) -> Result<(), Error> {
    add(header, false)
}

/// [`header_unique`] for a [`Header`] made already.
pub fn add_header_unique(header: Header) -> Result<(), Error> {
    add(header, true)
}

// ANCHOR: add_header
fn add(header: Header, unique: bool) -> Result<(), Error> {
    with_live(|live| {
        let live = live.open()?;
        if !(unique && live.headers.iter().any(|h| h.is(header.name()))) {
            live.headers.push(header);
        }
        Ok(())
    })?
}
// ANCHOR_END: add_header

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

#[cfg(test)]
mod tests {
    use crate::{Application, Args, Error, Target};

    #[test]
    fn a_bad_header_is_an_err_naming_it_at_the_call() {
        let app = Application::new([(
            "/",
            Target::func(|_: &Args| {
                let mut seen = String::new();
                for (name, value) in [
                    ("X-Control", "a\x01b"),
                    ("X-Split", "a\r\nSet-Cookie: owned=1"),
                    ("Bad Name", "x"),
                    ("Connection", "close"),
                    ("Content-Length", "ten"),
                ] {
                    match super::header(name, value) {
                        Err(Error::BadHeader { name: named, .. }) if named == name => {
                            seen.push_str(&format!("{name} refused, "));
                        }
                        other => seen.push_str(&format!("{name}: {other:?}, ")),
                    }
                }
                super::header("X-Fine", "a\tb")?;
                Ok(seen.into())
            }),
        )])
        .expect("the mapping compiles");
        let r = app.request("/").send();
        // Refused at the call, so the response is the handler's, not a 500 later.
        assert_eq!(r.status, "200 OK");
        assert_eq!(
            r.text(),
            "X-Control refused, X-Split refused, Bad Name refused, Connection refused, \
             Content-Length refused, "
        );
        assert_eq!(r.header("X-Fine"), Some("a\tb"));
        assert_eq!(r.header("Set-Cookie"), None);
    }
}
