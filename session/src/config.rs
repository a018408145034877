//! `SessionConfig`: web.py's `web.config.session_parameters`, with its names and defaults.
use std::time::Duration;

use crate::clock::Clock;

/// The `SameSite` attribute of the session cookie (the `cookie` crate's type).
pub use cookie::SameSite;

// ANCHOR: config
/// How a [`Session`](crate::Session) names, sends and expires its cookie.
///
/// web.py kept these in the global `web.config.session_parameters`; here each `Session`
/// owns its copy, so two applications in one process can differ. The field names and
/// defaults are web.py's, except `cleanup_interval`, which web.py tied to `timeout`.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    /// The cookie that carries the session id. Default `"webpy_session_id"`.
    pub cookie_name: String,
    /// The cookie's `Domain`. Default `None`: the cookie goes back only to this host.
    pub cookie_domain: Option<String>,
    /// The cookie's `Path`. Default `None`, meaning the application's `homepath + "/"`,
    /// so an application mounted under `/blog` does not see another's session.
    pub cookie_path: Option<String>,
    /// Idle time after which a session expires. Default 86400 s (a day). A session used
    /// within this time lives on; its record is rewritten at least every
    /// `min(timeout / 16, 60 s)` while in use, so an unchanged session still counts as used.
    pub timeout: Duration,
    /// When `true` (the default), an unknown or expired id silently gets a fresh session.
    /// When `false`, the request is answered with `expired_message` and an expired cookie,
    /// as web.py's `SessionExpired` did.
    pub ignore_expiry: bool,
    /// When `true` (the default), a session may move between client addresses. When
    /// `false`, a session used from another address than the one that started it expires.
    pub ignore_change_ip: bool,
    // ANCHOR_END: config
    // ANCHOR: config_more
    /// Mixed into every new id, and the key of the CSRF tokens' HMAC
    /// ([`Session::csrf_token`](crate::Session::csrf_token)). Ids draw their strength
    /// from 256 random bits, and tokens theirs from the session id or visitor cookie they
    /// are bound to, which a page on another site cannot read; so web.py's public default
    /// is not a hole, but set your own anyway: with a secret key a token says nothing of
    /// what it is bound to, even to someone who knows this crate.
    pub secret_key: String,
    /// The cookie that carries a visitor's CSRF value when there is no session. Default
    /// `"webpy_csrf"`. It takes the session cookie's attributes (path, domain, flags).
    pub csrf_cookie_name: String,
    /// The body answered for an expired session when `ignore_expiry` is `false`. Default
    /// `"Session expired"`.
    pub expired_message: String,
    /// The cookie's `HttpOnly` flag: scripts cannot read the id. Default `true`.
    pub httponly: bool,
    /// The cookie's `Secure` flag: sent over HTTPS only. Default `false`, so the demo works
    /// on plain HTTP; turn it on behind TLS.
    pub secure: bool,
    /// The cookie's `SameSite` attribute. Default `None` (not sent), as in web.py.
    pub samesite: Option<SameSite>,
    /// Least time between two cleanups of the store. Default one hour. A cleanup lists the
    /// whole store, so it runs on one request at most once per interval, not on every one.
    pub cleanup_interval: Duration,
    /// Where `timeout`, the refresh of unchanged records and `cleanup_interval` read the
    /// time. Default the system's clock; a test passes a [`Clock::manual`] and moves it.
    pub clock: Clock,
}
// ANCHOR_END: config_more

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            cookie_name: "webpy_session_id".to_owned(),
            cookie_domain: None,
            cookie_path: None,
            timeout: Duration::from_secs(86400),
            ignore_expiry: true,
            ignore_change_ip: true,
            secret_key: "fLjUfxqXtfNoIldA0A0J".to_owned(),
            csrf_cookie_name: "webpy_csrf".to_owned(),
            expired_message: "Session expired".to_owned(),
            httponly: true,
            secure: false,
            samesite: None,
            cleanup_interval: Duration::from_secs(3600),
            clock: Clock::system(),
        }
    }
}

impl SessionConfig {
    /// How stale a record may get before a request that did not change it rewrites it
    /// anyway, to keep it from expiring: a sixteenth of the timeout, at most a minute.
    pub(crate) fn refresh_interval(&self) -> Duration {
        (self.timeout / 16).min(Duration::from_secs(60))
    }
}
