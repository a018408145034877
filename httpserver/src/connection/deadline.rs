//! A connection's deadline while it waits for the client, and what passing it means.
//!
//! One value answers "until when, and for what": [`HttpConnection::deadline`]. The head's
//! clock is kept here, the body's by its upload (`BodyClock`, which knows the bytes
//! received), the keep-alive timeout runs from the last answer. The slot keeps a copy of
//! the instant for the housekeeper's sweep; what the housekeeper holds itself (a flush,
//! a graceful close, a request queued for a worker) has its own deadline there.

use std::time::Instant;

use super::{HttpConnection, Stage};
use crate::engine::slots::{Awaiting, Deadline};
use crate::error::ClientError;

impl HttpConnection {
    /// When the client must have sent more: the head's deadline, the body's, or the
    /// keep-alive timeout of an idle connection.
    pub(crate) fn deadline(&self) -> Deadline {
        match (&self.stage, self.head_deadline) {
            (Stage::Body(upload), _) => Deadline {
                at: upload.deadline(),
                awaiting: Awaiting::Body,
            },
            (_, Some(at)) => Deadline {
                at,
                awaiting: Awaiting::Head,
            },
            (_, None) => Deadline {
                at: self.idle_since + self.shared.config.keep_alive_timeout,
                awaiting: Awaiting::NextRequest,
            },
        }
    }

    /// Starts the head's `header_timeout` at its first byte, unless it runs already (a
    /// connection's first request: from the accept).
    pub(super) fn start_head_clock(&mut self) {
        let timeout = self.shared.config.header_timeout;
        self.head_deadline
            .get_or_insert_with(|| Instant::now() + timeout);
    }

    /// A waiting connection whose deadline passed, with nothing more to read: a client
    /// that really was too slow (part of a head, part of a body) is answered 408, and the
    /// connection comes back to be flushed and closed; an idle one, or one that never
    /// sent a byte, is closed without a word (`None`, RFC 9112 §9.6).
    pub(crate) fn time_out(mut self, now: Instant) -> Option<HttpConnection> {
        match std::mem::replace(&mut self.stage, Stage::Moving) {
            Stage::Body(upload) => {
                let why = upload.why_late(now);
                let (req, reader) = upload.abandon();
                self.stage = Stage::Head(reader);
                let err = ClientError::BodyTimeout { why };
                Some(self.refuse(err, Some(Box::new(req))))
            }
            Stage::Head(reader) if !reader.buffered().is_empty() => {
                self.stage = Stage::Head(reader);
                Some(self.refuse(ClientError::HeaderTimeout, None))
            }
            _ => None,
        }
    }

    /// Keeps `req`, complete, for the worker the housekeeper hands this connection to;
    /// `None` (the connection closes) if it was not between requests.
    pub(crate) fn hold(mut self, req: crate::HttpRequest) -> Option<HttpConnection> {
        match std::mem::replace(&mut self.stage, Stage::Moving) {
            Stage::Head(reader) => {
                self.stage = Stage::Ready(Box::new(req), reader);
                Some(self)
            }
            _ => None,
        }
    }
}
