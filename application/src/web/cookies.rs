//! `cookies()` and `setcookie()`, with the `cookie` crate doing the syntax.
//!
//! Values are percent-encoded on the way out and decoded on the way in, as web.py did
//! (`urllib.parse.quote` / `unquote`), so any text survives the round trip.

use std::fmt::Write as _;

use cookie::time::{Duration, OffsetDateTime};
use cookie::Cookie;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

pub use cookie::SameSite;

use super::{add_header, Header, Storage};
use crate::ctx;
use crate::Error;

// Everything a cookie-octet (RFC 6265 §4.1.1) cannot hold, plus `%` so decoding is exact.
const COOKIE_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// The request's cookies (web.py's `web.cookies()`): `cookies()?.get("sid")`, with
/// web.py's defaults and required names as calls on the result:
/// `web.cookies(lang="en")` is `cookies()?.with_default("lang", "en")`.
/// Malformed pairs are skipped rather than failing the request: another application on
/// the same domain may have set them.
pub fn cookies() -> Result<Storage, Error> {
    let header = ctx::env("HTTP_COOKIE")?.unwrap_or_default();
    let pairs = Cookie::split_parse(header.as_str())
        .filter_map(Result::ok)
        .map(|c| {
            // `value_trimmed` drops the quotes of `name="value"`, as SimpleCookie did.
            let raw = c.value_trimmed();
            let value = percent_decode_str(raw)
                .decode_utf8()
                .map_or_else(|_| raw.to_string(), |v| v.into_owned());
            (c.name().to_string(), value)
        })
        .collect();
    Ok(Storage::from_pairs(pairs))
}

/// Sets a cookie with web.py's defaults: path `homepath + "/"`, session lifetime.
pub fn setcookie(name: &str, value: &str) -> Result<(), Error> {
    SetCookie::new(name, value).set()
}

/// The value of the request's cookie `name`, decoded as [`cookies`] decodes it: for a
/// caller that needs one cookie (the session its id), without making the whole
/// [`Storage`].
pub fn cookie(name: &str) -> Result<Option<String>, Error> {
    ctx::with(|c| {
        let header = c.env("HTTP_COOKIE")?;
        let raw = header.split(';').find_map(|pair| {
            let (n, v) = pair.split_once('=')?;
            (n.trim() == name).then(|| v.trim())
        })?;
        // Quotes dropped as `value_trimmed` drops them, for the same answer as `cookies`.
        let raw = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(inner) => inner,
            None => raw,
        };
        let value = percent_decode_str(raw)
            .decode_utf8()
            .map_or_else(|_| raw.to_string(), |v| v.into_owned());
        Some(value)
    })
}

// ANCHOR: setcookie
/// web.py's `setcookie(name, value, expires, domain, secure, httponly, path, samesite)`
/// as a builder: `SetCookie::new("sid", id).httponly(true).set()?`. Each keyword is a
/// method of the same name. It borrows its text: nothing is copied until the header.
#[derive(Debug, Clone)]
pub struct SetCookie<'a> {
    name: &'a str,
    value: &'a str,
    expires: Option<i64>,
    domain: Option<&'a str>,
    secure: bool,
    httponly: bool,
    path: Option<&'a str>,
    samesite: Option<SameSite>,
}

impl<'a> SetCookie<'a> {
    /// A cookie `name=value` with no attributes yet.
    pub fn new(name: &'a str, value: &'a str) -> SetCookie<'a> {
        SetCookie {
            name,
            value,
            expires: None,
            domain: None,
            secure: false,
            httponly: false,
            path: None,
            samesite: None,
        }
    }
    // ANCHOR_END: setcookie

    /// Lifetime in seconds from now; negative deletes the cookie (web.py's `expires`).
    pub fn expires(mut self, seconds: i64) -> Self {
        self.expires = Some(seconds);
        self
    }

    /// The `Domain` attribute.
    pub fn domain(mut self, domain: &'a str) -> Self {
        self.domain = Some(domain);
        self
    }

    /// The `Secure` attribute.
    pub fn secure(mut self, on: bool) -> Self {
        self.secure = on;
        self
    }

    /// The `HttpOnly` attribute.
    pub fn httponly(mut self, on: bool) -> Self {
        self.httponly = on;
        self
    }

    /// The `Path` attribute (default `ctx.homepath + "/"`).
    pub fn path(mut self, path: &'a str) -> Self {
        self.path = Some(path);
        self
    }

    /// The `SameSite` attribute, as a [`SameSite`] or as web.py's text: `"Strict"`, `"Lax"`
    /// or `"None"` in any case; any other text is ignored, as web.py ignored it.
    pub fn samesite(mut self, samesite: impl AsSameSite) -> Self {
        self.samesite = samesite.as_samesite();
        self
    }

    /// The `Set-Cookie` value this builder makes, given the request's `homepath`: written
    /// into one string, in the `cookie` crate's order of attributes. A lifetime (rare: a
    /// logout, a remembered login) is written by the `cookie` crate, which formats dates.
    pub fn to_header(&self, homepath: &str) -> String {
        if self.expires.is_some() {
            return self.to_header_with_lifetime(homepath);
        }
        let value = utf8_percent_encode(self.value, COOKIE_VALUE);
        let mut out = String::with_capacity(self.name.len() + self.value.len() + 64);
        // Writing into a `String` cannot fail.
        let _ = write!(out, "{}={value}", self.name);
        if self.httponly {
            out.push_str("; HttpOnly");
        }
        if let Some(samesite) = self.samesite {
            let _ = write!(out, "; SameSite={samesite}");
        }
        if self.secure {
            out.push_str("; Secure");
        }
        match self.path {
            Some(path) => out.extend(["; Path=", path]),
            None => out.extend(["; Path=", homepath, "/"]),
        }
        if let Some(domain) = self.domain {
            out.extend(["; Domain=", domain.strip_prefix('.').unwrap_or(domain)]);
        }
        out
    }

    /// `to_header` through the `cookie` crate's builder, for a cookie with a lifetime.
    fn to_header_with_lifetime(&self, homepath: &str) -> String {
        let value = utf8_percent_encode(self.value, COOKIE_VALUE).to_string();
        let path = self
            .path
            .map_or_else(|| format!("{homepath}/"), str::to_owned);
        let mut b = Cookie::build((self.name.to_owned(), value))
            .path(path)
            .secure(self.secure)
            .http_only(self.httponly);
        if let Some(domain) = self.domain {
            b = b.domain(domain.to_owned());
        }
        if let Some(s) = self.samesite {
            b = b.same_site(s);
        }
        if let Some(secs) = self.expires {
            // Max-Age for current clients, Expires for old ones; a negative lifetime is
            // a date in the past, which deletes the cookie.
            let when = if secs < 0 {
                OffsetDateTime::UNIX_EPOCH
            } else {
                // A lifetime past the last date `time` can write (year 9999) is clamped
                // to it rather than overflowing.
                OffsetDateTime::now_utc()
                    .checked_add(Duration::seconds(secs))
                    .unwrap_or_else(last_date)
            };
            b = b.max_age(Duration::seconds(secs.max(0))).expires(when);
        }
        b.build().to_string()
    }

    /// Adds the `Set-Cookie` header to the response (see [`header`](Self::header)).
    pub fn set(self) -> Result<(), Error> {
        let header = ctx::with(|c| self.header(&c.homepath))??;
        add_header(header)
    }

    /// The `Set-Cookie` header, given the request's `homepath`: checked as every header
    /// is, and the name a token (RFC 6265 §4.1.1, httpserver's rule).
    ///
    /// # Errors
    /// [`Error::BadHeader`] naming what is refused.
    pub fn header(&self, homepath: &str) -> Result<Header, Error> {
        let value = self.to_header(homepath);
        if !wsgi::rules::is_token(self.name.as_bytes()) {
            return Err(Error::BadHeader {
                name: "Set-Cookie".to_string(),
                value,
                why: "the cookie name is not a token",
            });
        }
        Ok(Header::new("Set-Cookie", value)?)
    }
}

/// A `SameSite` value given to [`SetCookie::samesite`]: the typed [`SameSite`], or
/// text as web.py took it.
pub trait AsSameSite {
    /// The attribute, or `None` to send none.
    fn as_samesite(&self) -> Option<SameSite>;
}

impl AsSameSite for SameSite {
    fn as_samesite(&self) -> Option<SameSite> {
        Some(*self)
    }
}

impl AsSameSite for Option<SameSite> {
    fn as_samesite(&self) -> Option<SameSite> {
        *self
    }
}

impl AsSameSite for &str {
    fn as_samesite(&self) -> Option<SameSite> {
        match self.to_ascii_lowercase().as_str() {
            "strict" => Some(SameSite::Strict),
            "lax" => Some(SameSite::Lax),
            "none" => Some(SameSite::None),
            _ => None,
        }
    }
}

/// The last moment an `Expires` attribute can name: 9999-12-31 23:59:59 UTC.
fn last_date() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(253_402_300_799).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_cookie_written_by_hand_reads_as_the_cookie_crate_writes_it() {
        let samesites = [None, Some(SameSite::Lax), Some(SameSite::None)];
        for (secure, httponly) in [(false, false), (true, false), (false, true), (true, true)] {
            for samesite in samesites {
                for (path, domain) in [(None, None), (Some("/app"), Some(".example.com"))] {
                    let mut ours = SetCookie::new("sid", "a b;%")
                        .secure(secure)
                        .httponly(httponly)
                        .samesite(samesite);
                    let value = utf8_percent_encode("a b;%", COOKIE_VALUE).to_string();
                    let mut theirs = Cookie::build(("sid", value))
                        .path(path.unwrap_or("/home/"))
                        .secure(secure)
                        .http_only(httponly);
                    if let Some(s) = samesite {
                        theirs = theirs.same_site(s);
                    }
                    if let Some(p) = path {
                        ours = ours.path(p);
                    }
                    if let Some(d) = domain {
                        ours = ours.domain(d);
                        theirs = theirs.domain(d);
                    }
                    assert_eq!(ours.to_header("/home"), theirs.build().to_string());
                }
            }
        }
    }
}
