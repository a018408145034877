//! Session ids: made from the operating system's randomness, checked before any store sees them.
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::error::Result;

/// Bytes asked from the operating system for each id: 256 bits, twice the 128 bits that
/// make guessing a live id hopeless.
const RANDOM_BYTES: usize = 32;

/// Length of an id on the wire and on disk: a SHA-256 digest written in lowercase hex.
pub const ID_LEN: usize = 64;

/// Distinguishes ids made in the same nanosecond, so two ids differ even if the random
/// generator ever repeated itself.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A session id that is known to be well formed: exactly 64 lowercase hex digits.
///
/// The only ways to get one are [`SessionId::generate`] and [`SessionId::parse`], so a store
/// never sees a string a client chose freely: a file name made from a `SessionId` cannot
/// contain `/`, `..` or a NUL. (web.py only refused ids containing the path separator.)
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
    /// Well formed means what [`generate`](Self::generate) makes: exactly [`ID_LEN`]
    /// lowercase hex digits. Anything else (too short, too long, upper case, a path, an
    /// empty cookie) is refused before a store is asked about it. A well-formed id is still
    /// only used if the store has it: see `Session`'s `validate_and_load` step.
    pub fn parse(text: &str) -> Option<SessionId> {
        let well_formed = text.len() == ID_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        well_formed.then(|| SessionId(text.to_owned()))
    }
    // ANCHOR_END: parse

    /// The id as text: what goes in the cookie and, for `DiskStore`, the file name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shows only the first eight digits, because a whole id in a log is a credential.
impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({}…)", &self.0[..8])
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
    fn parse_refuses_everything_but_64_lowercase_hex_digits() {
        let good = "0123456789abcdef".repeat(4);
        assert!(SessionId::parse(&good).is_some());
        for bad in [
            String::new(),
            good[..63].to_owned(),
            format!("{good}0"),
            good.to_uppercase(),
            format!("../{}", &good[3..]),
            format!("{}/x", &good[..62]),
            format!("{}g", &good[..63]),
            format!("{}\0", &good[..63]),
            format!("{}é", &good[..62]),
        ] {
            assert_eq!(SessionId::parse(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn debug_shows_only_a_prefix() {
        let id = SessionId::parse(&"ab".repeat(32)).expect("well formed");
        assert_eq!(format!("{id:?}"), "SessionId(abababab…)");
    }
}
