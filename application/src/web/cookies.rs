//! `cookies()` and `setcookie()`, with the `cookie` crate doing the syntax.
//!
//! Values are percent-encoded on the way out and decoded on the way in, as web.py did
//! (`urllib.parse.quote` / `unquote`), so any text survives the round trip.

use cookie::time::{Duration, OffsetDateTime};
use cookie::Cookie;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

pub use cookie::SameSite;

use super::{check_header, Storage};
use crate::ctx::{self, with_live};
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

// ANCHOR: setcookie
/// web.py's `setcookie(name, value, expires, domain, secure, httponly, path, samesite)`
/// as a builder: `SetCookie::new("sid", id).httponly(true).set()?`. Each keyword is a
/// method of the same name.
#[derive(Debug, Clone)]
pub struct SetCookie {
    name: String,
    value: String,
    expires: Option<i64>,
    domain: Option<String>,
    secure: bool,
    httponly: bool,
    path: Option<String>,
    samesite: Option<SameSite>,
}

impl SetCookie {
    /// A cookie `name=value` with no attributes yet.
    pub fn new(name: &str, value: &str) -> SetCookie {
        SetCookie {
            name: name.to_string(),
            value: value.to_string(),
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
    pub fn domain(mut self, domain: &str) -> Self {
        self.domain = Some(domain.to_string());
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
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }

    /// The `SameSite` attribute, as a [`SameSite`] or as web.py's text: `"Strict"`, `"Lax"`
    /// or `"None"` in any case; any other text is ignored, as web.py ignored it.
    pub fn samesite(mut self, samesite: impl AsSameSite) -> Self {
        self.samesite = samesite.as_samesite();
        self
    }

    /// The `Set-Cookie` value this builder makes, given the request's `homepath`.
    pub fn to_header(&self, homepath: &str) -> String {
        let value = utf8_percent_encode(&self.value, COOKIE_VALUE).to_string();
        let path = self.path.clone().unwrap_or_else(|| format!("{homepath}/"));
        let mut b = Cookie::build((self.name.clone(), value))
            .path(path)
            .secure(self.secure)
            .http_only(self.httponly);
        if let Some(domain) = &self.domain {
            b = b.domain(domain.clone());
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

    /// Adds the `Set-Cookie` header to the response.
    pub fn set(self) -> Result<(), Error> {
        let homepath = ctx::homepath()?;
        let header = self.to_header(&homepath);
        check_header("Set-Cookie", &header)?;
        // A cookie name is a token (RFC 6265 §4.1.1), httpserver's rule.
        if !wsgi::rules::is_token(self.name.as_bytes()) {
            return Err(Error::BadHeader {
                name: "Set-Cookie".to_string(),
                value: header,
            });
        }
        with_live(|live| {
            live.open()?
                .headers
                .push(("Set-Cookie".to_string(), header));
            Ok(())
        })?
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
