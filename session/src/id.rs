//! Session ids: made from the operating system's randomness, checked before any store sees them.
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::error::Result;

/// Bytes asked from the operating system for each id: 256 bits, twice the 128 bits that
/// make guessing a live id hopeless.
const RANDOM_BYTES: usize = 32;

/// Length of the ids this crate makes: a SHA-256 digest written in lowercase hex.
pub const ID_LEN: usize = 64;

/// The longest id accepted from a client. web.py accepted any number of hex digits (its
/// own ids are 40, SHA-1); a bound keeps a cookie of a megabyte of digits from becoming
/// a store key or a file name. 128 admits a SHA-512 digest from another deployment and
/// keeps `DiskStore`'s longest file name (`.<id>.<pid>.<n>.tmp`) far below the usual 255
/// bytes.
pub const MAX_ID_LEN: usize = 128;

/// Distinguishes ids made in the same nanosecond, so two ids differ even if the random
/// generator ever repeated itself.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A session id that is known to be well formed: 1 to [`MAX_ID_LEN`] hex digits.
///
/// The only ways to get one are [`SessionId::generate`] and [`SessionId::parse`], so a store
/// never sees a string a client chose freely: a file name made from a `SessionId` cannot
/// contain `/`, `..` or a NUL. (web.py checked ids with the same pattern,
/// `^[0-9a-fA-F]+$`, but with no bound on the length.)
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    // ANCHOR: generate
    /// A fresh id: SHA-256 over 256 random bits from the operating system, the secret key,
    /// the time and a process-wide counter, in hex.
    ///
    /// web.py hashed 128 random bits with SHA-1 the same way. The hash means an id never
    /// shows raw output of the generator, and the secret key and counter keep ids distinct
    /// even from a broken generator. web.py then looped until the id was not in the store;
    /// with 256 bits a collision is not a practical event, so this costs no store lookup.
    ///
    /// # Errors
    /// [`Error::Randomness`](crate::Error::Randomness) when the operating system's generator fails.
    pub fn generate(secret_key: &str) -> Result<SessionId> {
        let mut random = [0u8; RANDOM_BYTES];
        getrandom::fill(&mut random)?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut hasher = Sha256::new();
        hasher.update(random);
        hasher.update(secret_key.as_bytes());
        hasher.update(nanos.to_le_bytes());
        hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        Ok(SessionId(hex::encode(hasher.finalize())))
    }
    // ANCHOR_END: generate

    // ANCHOR: parse
    /// The id in `text` if it is well formed, else `None`.
    ///
    /// Well formed is web.py's rule, `^[0-9a-fA-F]+$`, bounded by [`MAX_ID_LEN`]: so the
    /// 40-digit ids of a web.py deployment keep their sessions after a port, and anything
    /// else (a path, an empty cookie, a megabyte of digits) is refused before a store is
    /// asked about it. A well-formed id is still only used if the store has it: see
    /// `Session`'s `validate_and_load` step.
    pub fn parse(text: &str) -> Option<SessionId> {
        is_well_formed(text).then(|| SessionId(text.to_owned()))
    }
    // ANCHOR_END: parse

    /// [`parse`](Self::parse) for text the caller owns already (the cookie's value),
    /// which becomes the id without a copy.
    pub(crate) fn parse_owned(text: String) -> Option<SessionId> {
        is_well_formed(&text).then_some(SessionId(text))
    }

    /// The id as text: what goes in the cookie and, for `DiskStore`, the file name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// web.py's rule, `^[0-9a-fA-F]+$`, bounded by [`MAX_ID_LEN`].
fn is_well_formed(text: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl SessionId {
    /// The first eight digits (all of a shorter id), what messages and logs show: a
    /// whole id is a credential.
    pub(crate) fn prefix(&self) -> &str {
        // Ids are ASCII, so any prefix is a char boundary.
        &self.0[..self.0.len().min(8)]
    }
}

/// Shows only the first eight digits, because a whole id in a log is a credential.
impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({}…)", self.prefix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_well_formed_and_distinct() {
        let a = SessionId::generate("k").expect("random generator");
        let b = SessionId::generate("k").expect("random generator");
        assert_eq!(a.as_str().len(), ID_LEN);
        assert_eq!(SessionId::parse(a.as_str()), Some(a.clone()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_prefix_shown_in_messages_is_eight_digits_or_the_whole_of_a_shorter_id() {
        // A client chooses its cookie: a one-digit id must not panic a message.
        let short = SessionId::parse("abc").expect("a short hex id is an id");
        assert_eq!(short.prefix(), "abc");
        assert_eq!(format!("{short:?}"), "SessionId(abc…)");
        let long = SessionId::parse(&"0123456789abcdef".repeat(2)).expect("an id");
        assert_eq!(long.prefix(), "01234567");
    }

    #[test]
    fn parse_takes_web_pys_hex_ids_of_any_case_up_to_the_bound() {
        let ours = "0123456789abcdef".repeat(4);
        let web_py = "673afc2bdb8fb0d82a0e7119612e06115f4ce3a5"; // sha1 hex, 40 digits
        for good in [
            ours.clone(),
            web_py.to_owned(),
            web_py.to_uppercase(),
            "a".to_owned(),
            "f".repeat(MAX_ID_LEN),
        ] {
            assert_eq!(SessionId::parse(&good).map(|id| id.0), Some(good.clone()));
        }
        for bad in [
            String::new(),
            "f".repeat(MAX_ID_LEN + 1),
            format!("../{}", &ours[3..]),
            format!("{}/x", &ours[..62]),
            format!("{}g", &ours[..63]),
            format!("{}\0", &ours[..63]),
            format!("{}é", &ours[..62]),
            " abc".to_owned(),
        ] {
            assert_eq!(SessionId::parse(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn debug_shows_only_a_prefix() {
        let id = SessionId::parse(&"ab".repeat(32)).expect("well formed");
        assert_eq!(format!("{id:?}"), "SessionId(abababab…)");
        let short = SessionId::parse("abc").expect("well formed");
        assert_eq!(format!("{short:?}"), "SessionId(abc…)");
    }
}
