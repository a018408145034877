//! Closing a connection without destroying its last answer.

use std::io::{self, Read};
use std::net::Shutdown;

use super::{HttpConnection, Stage};

/// The most bytes read and discarded while closing: past it, the reset is the client's
/// problem.
pub(crate) const CLOSE_DISCARD: usize = 256 * 1024;

impl HttpConnection {
    /// Whether the client sent bytes that were never read: in our buffer (a pipelined
    /// request that will not be answered) or in the socket (one non-blocking peek, so a
    /// client that sent nothing more costs no wait at all).
    pub(crate) fn input_pending(&self) -> bool {
        let buffered = match &self.stage {
            Stage::Head(reader) | Stage::Ready(_, reader) => !reader.buffered().is_empty(),
            Stage::Body(_) | Stage::Moving => true,
        };
        buffered || matches!(self.stream.peek(&mut [0u8; 1]), Ok(n) if n > 0)
    }

    // ANCHOR: close_gracefully
    /// The first step of a graceful close, after the last answer went out: our side only
    /// (`shutdown(Write)`, a FIN after the response). The housekeeper then reads and
    /// discards what the client still sends until it closes too, or `CLOSE_DRAIN`
    /// passes. Closing at once with unread bytes in the socket makes the kernel send a
    /// reset, and a reset can destroy the response in the client's buffer before it is
    /// read: the client would see "connection reset", never its 413.
    pub(crate) fn close_gracefully(&self) -> io::Result<()> {
        self.stream.shutdown(Shutdown::Write)
    }

    /// Reads and discards what arrived while closing; `Ok(true)` when the client closed
    /// too (or sent more than `CLOSE_DISCARD`: then stop listening).
    pub(crate) fn discard_input(&mut self, discarded: &mut usize) -> io::Result<bool> {
        let mut sink = [0u8; 8192];
        loop {
            match (&*self.stream).read(&mut sink) {
                Ok(0) => return Ok(true),
                Ok(n) => {
                    *discarded += n;
                    if *discarded >= CLOSE_DISCARD {
                        return Ok(true);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    // ANCHOR_END: close_gracefully
}
