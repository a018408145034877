//! The record a store keeps for a session: the data, the client address, the last use.
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;

/// A session's data: string keys, JSON values. web.py's session was a dict of pickled
/// Python objects; JSON keeps the store readable and free of code execution on load.
pub type Data = Map<String, Value>;

/// What is encoded into a store. The last-use time lives in the record, not only in the
/// store's metadata, so `Session` can refuse an expired record without trusting the
/// store to have cleaned it up (cleanups are periodic) and a networked store needs no
/// notion of time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// Milliseconds since the Unix epoch when the record was last written.
    pub(crate) accessed_ms: u64,
    /// The client address that started the session (web.py's `session.ip`).
    pub(crate) ip: String,
    /// The application's data.
    pub(crate) data: Data,
}

impl Record {
    pub(crate) fn encode(&self) -> Vec<u8> {
        // A `Map<String, Value>` always serializes: keys are strings and values are
        // already JSON.
        serde_json::to_vec(self).expect("a JSON map always encodes")
    }

    /// `None` for bytes that are not a record (a corrupted file, a foreign format): the
    /// session is then treated as unknown, not as an error that would repeat forever.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Record> {
        serde_json::from_slice(bytes).ok()
    }

    /// Whether the record was last written longer than `timeout` before `now_ms`.
    pub(crate) fn is_older_than(&self, timeout: Duration, now_ms: u64) -> bool {
        u128::from(now_ms.saturating_sub(self.accessed_ms)) > timeout.as_millis()
    }
}
