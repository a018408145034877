//! `wsgi.input` for a request on a connection: the bridge from the server's borrowed
//! `RequestBody` to the environ's owned reader.
//!
//! `httpserver` lends the body reader (`&mut RequestBody`) for the duration of
//! `Gateway::respond`, but the environ's `wsgi.input` is an owned `Box<dyn Read + Send>`
//! so an application can keep it past `call` (web.py's `ctx` holds it while a streaming
//! body runs). Two ways across, chosen per request:
//!
//! * a small `Content-Length` body without `Expect: 100-continue` is read before the app
//!   is called, into a `Cursor` — the common form post, at the cost of one copy;
//! * anything else (chunked, large, or a client waiting for `100 Continue`) is pumped
//!   on demand by a scoped thread that owns the borrow: each `read` of the input asks the
//!   pump for at most that many bytes, so nothing is read (and no `100 Continue` sent)
//!   before the app asks, and memory stays bounded whatever the body's size.

use std::io::{self, Cursor, Read};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

use httpserver::{BodyError, BodyFraming, RequestBody, RequestHead};

use crate::environ::Input;

/// Bodies up to this size (declared by `Content-Length`) are read before the app runs.
pub(crate) const EAGER_LIMIT: u64 = 64 * 1024;

/// The most one pumped read asks for.
const MAX_PUMP_READ: usize = 64 * 1024;

/// The first error reading the request body, kept so the gateway can answer the client's
/// fault with its status (400, 408, 413) instead of a 500 when the app gives up.
#[derive(Clone, Debug, Default)]
pub(crate) struct InputFault(Arc<Mutex<Option<Fault>>>);

/// An error's kind, the `BodyError` inside it if any, and its message.
type Fault = (io::ErrorKind, Option<BodyError>, String);

impl InputFault {
    fn record(&self, error: &io::Error) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let body = BodyError::from_io(error).cloned();
            *slot = Some((error.kind(), body, error.to_string()));
        }
    }

    /// A copy of the recorded error, rebuilt so `httpserver::status_for` still sees the
    /// `BodyError` inside.
    pub(crate) fn error(&self) -> Option<io::Error> {
        let slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref().map(|(kind, body, text)| match body {
            Some(body) => io::Error::new(*kind, body.clone()),
            None => io::Error::new(*kind, text.clone()),
        })
    }
}

/// How `wsgi.input` reaches the body for this request.
pub(crate) enum Plan {
    /// No body: an empty reader.
    Empty,
    /// Read it all now (small and not waiting for `100 Continue`).
    Eager,
    /// Pump it on demand from a scoped thread.
    Pump,
}

pub(crate) fn plan(head: &RequestHead) -> Plan {
    match head.framing() {
        BodyFraming::None | BodyFraming::Length(0) => Plan::Empty,
        BodyFraming::Length(n) if n <= EAGER_LIMIT && !head.expects_continue() => Plan::Eager,
        _ => Plan::Pump,
    }
}

/// Reads the whole (small) body now.
pub(crate) fn read_eagerly(body: &mut RequestBody, fault: &InputFault) -> io::Result<Input> {
    let mut bytes = Vec::new();
    if let Err(error) = body.read_to_end(&mut bytes) {
        fault.record(&error);
        return Err(error);
    }
    Ok(Box::new(Cursor::new(bytes)))
}

/// A request from the input to the pump.
pub(crate) enum Ask {
    /// Read at most this many bytes.
    Read(usize),
    /// The response is done: stop.
    Stop,
}

// ANCHOR: pump
/// The pump's loop, run on a scoped thread that holds the borrowed body: one read per
/// request from the input, until `Stop` (sent by the gateway when the response is done,
/// even if the app kept the input) or until the input is dropped.
pub(crate) fn pump(
    body: &mut RequestBody,
    asks: Receiver<Ask>,
    data: Sender<io::Result<Vec<u8>>>,
    fault: InputFault,
) {
    while let Ok(Ask::Read(n)) = asks.recv() {
        let mut buf = vec![0; n.min(MAX_PUMP_READ)];
        let result = match body.read(&mut buf) {
            Ok(k) => {
                buf.truncate(k);
                Ok(buf)
            }
            Err(error) => {
                fault.record(&error);
                Err(error)
            }
        };
        if data.send(result).is_err() {
            break;
        }
    }
}
// ANCHOR_END: pump

/// The gateway's ends of a pump: the input for the environ, the stop switch.
pub(crate) struct PumpEnds {
    pub(crate) input: Input,
    pub(crate) stop: PumpStop,
    pub(crate) asks: Receiver<Ask>,
    pub(crate) data: Sender<io::Result<Vec<u8>>>,
}

pub(crate) fn pump_ends() -> PumpEnds {
    let (ask_tx, ask_rx) = channel();
    let (data_tx, data_rx) = channel();
    PumpEnds {
        input: Box::new(PumpedInput {
            asks: ask_tx.clone(),
            data: data_rx,
        }),
        stop: PumpStop(ask_tx),
        asks: ask_rx,
        data: data_tx,
    }
}

/// Stops the pump when dropped, so the scope that runs it can always end.
pub(crate) struct PumpStop(Sender<Ask>);

impl Drop for PumpStop {
    fn drop(&mut self) {
        // Err: the pump is gone already.
        let _ = self.0.send(Ask::Stop);
    }
}

/// `wsgi.input` backed by the pump.
struct PumpedInput {
    asks: Sender<Ask>,
    data: Receiver<io::Result<Vec<u8>>>,
}

impl Read for PumpedInput {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let gone = || {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the request body is no longer readable: its response has finished",
            )
        };
        self.asks.send(Ask::Read(out.len())).map_err(|_| gone())?;
        let bytes = self.data.recv().map_err(|_| gone())??;
        // The pump reads at most `out.len()` bytes, so this always fits.
        let n = bytes.len().min(out.len());
        out[..n].copy_from_slice(&bytes[..n]);
        Ok(n)
    }
}
