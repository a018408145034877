//! Form tokens against cross-site request forgery that keep nothing on the server.
//!
//! web.py's recipe kept a random token in the session, so a visitor who only looked at a
//! login form got a session record: a client looping on the login page filled the store.
//! Here a token is a MAC, not a stored value (OWASP's signed double-submit cookie): an
//! HMAC-SHA-256, keyed by `secret_key`, of what ties the form to its browser.
//!
//! - A request with a session (a loaded one, or a new one that will be kept): the session
//!   id. A page on another site can make the browser send the cookie but cannot read it,
//!   so it cannot make the token; a new id (`regenerate_id` at login) makes new tokens.
//! - A visitor without a session: a random value in a cookie of its own
//!   (`csrf_cookie_name`, Django's CSRF cookie), set with the first form the visitor is
//!   shown. It costs the server nothing: the cookie is the only copy.
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use application::web::cookies;

use crate::error::{Error, Result};
use crate::session::Session;

/// Bytes of a visitor's random value (written as twice as many hex digits).
const NONCE_BYTES: usize = 32;

/// What the MAC is over: which kind of binding, then its value. The tags keep a visitor
/// value and a session id from ever giving the same token.
const SESSION_TAG: &[u8] = b"session\0";
const VISITOR_TAG: &[u8] = b"visitor\0";

impl Session {
    // ANCHOR: csrf_token
    /// The token this request's forms carry in a hidden field, checked on the POST by
    /// [`check_csrf`](Session::check_csrf). It is the same for every form of a page.
    ///
    /// For a session that is stored, or will be once this request saves it, the token is
    /// bound to the session id. For a visitor without one, it is bound to the visitor's
    /// CSRF cookie, which this call sets when the request brought none: the session store
    /// is not touched, and the response is marked `Cache-Control: private` like any that
    /// sets a cookie. Call it after the changes that start a session (a login), so the
    /// token fits the session the next request will bring.
    ///
    /// # Errors
    /// [`Error::Randomness`] or [`Error::Cookie`] for a new visitor cookie (the latter
    /// once a streamed response has started); [`Error::NotInRequest`] outside a request.
    pub fn csrf_token(&self) -> Result<String> {
        let key = self.config().secret_key.as_bytes();
        let kept = self.with_state(|s| s.is_kept().then(|| s.id.as_str().to_owned()))?;
        if let Some(id) = kept {
            return Ok(hex::encode(
                mac(key, SESSION_TAG, &id).finalize().into_bytes(),
            ));
        }
        let nonce = self.visitor_nonce()?;
        Ok(hex::encode(
            mac(key, VISITOR_TAG, &nonce).finalize().into_bytes(),
        ))
    }
    // ANCHOR_END: csrf_token

    // ANCHOR: check_csrf
    /// Whether `sent`, the token a POST carried, is the one this request's session or
    /// visitor cookie gives. The comparison takes the same time whatever the guess.
    ///
    /// A request that came with a session needs that session's token; one without needs
    /// the token of the visitor cookie it brought (none brought: `false`).
    ///
    /// # Errors
    /// [`Error::NotInRequest`] outside a request.
    pub fn check_csrf(&self, sent: &str) -> Result<bool> {
        let Ok(sent) = hex::decode(sent) else {
            return Ok(false);
        };
        let key = self.config().secret_key.as_bytes();
        let loaded = self.with_state(|s| (!s.is_new).then(|| s.id.as_str().to_owned()))?;
        let mac = match loaded {
            Some(id) => mac(key, SESSION_TAG, &id),
            None => match self.with_state(|s| s.csrf_nonce.clone())? {
                Some(nonce) => mac(key, VISITOR_TAG, &nonce),
                None => match self.nonce_from_cookie()? {
                    Some(nonce) => mac(key, VISITOR_TAG, &nonce),
                    None => return Ok(false),
                },
            },
        };
        Ok(mac.verify_slice(&sent).is_ok())
    }
    // ANCHOR_END: check_csrf

    /// The visitor's random value: this request's, else the cookie's, else a new one,
    /// whose cookie is then set.
    fn visitor_nonce(&self) -> Result<String> {
        if let Some(nonce) = self.with_state(|s| s.csrf_nonce.clone())? {
            return Ok(nonce);
        }
        let nonce = match self.nonce_from_cookie()? {
            Some(nonce) => nonce,
            None => {
                let mut bytes = [0u8; NONCE_BYTES];
                getrandom::fill(&mut bytes)?;
                let nonce = hex::encode(bytes);
                let homepath = self.with_state(|s| s.homepath.clone())?;
                let name = &self.config().csrf_cookie_name;
                self.set_named_cookie(name, &nonce, false, &homepath)
                    .map_err(Error::Cookie)?;
                self.with_state(|s| s.csrf_cookie_set = true)?;
                nonce
            }
        };
        let kept = nonce.clone();
        self.with_state(|s| s.csrf_nonce = Some(kept))?;
        Ok(nonce)
    }

    /// The visitor cookie's value if it is one this crate could have made.
    fn nonce_from_cookie(&self) -> Result<Option<String>> {
        let jar = cookies().map_err(Error::Cookie)?;
        let value = jar.get(&self.config().csrf_cookie_name);
        Ok(value
            .filter(|v| v.len() == 2 * NONCE_BYTES && v.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned))
    }
}

/// The MAC over `tag` and `value`, keyed by `key`.
fn mac(key: &[u8], tag: &[u8], value: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length (a long one is hashed first), so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(tag);
    mac.update(value.as_bytes());
    mac
}
