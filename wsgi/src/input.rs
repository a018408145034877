//! `wsgi.input` for a request on a connection: the server's owned `RequestBody`.
//!
//! `httpserver` receives the whole body before it calls the gateway (in memory, or in an
//! anonymous temporary file past `ServerConfig::body_in_memory`), and hands it over by
//! value: the environ's `wsgi.input` is that body itself. An application may keep it
//! past `call` (web.py's `ctx` holds it while a streaming body runs) and read it on any
//! thread: it never touches the connection, so it can neither block on the client nor
//! read into the next request. (Before, the body was lent for the duration of `respond`
//! and pumped to the environ by a thread per request; owning it made both go away.)

use httpserver::{BodyFraming, HttpRequest};

use crate::environ::Input;

// ANCHOR: input_for
/// The request's body as `wsgi.input`, taken out of `req`; `None` for a request
/// without one (the environ's default input is empty).
pub(crate) fn input_for(req: &mut HttpRequest) -> Option<Input> {
    match req.framing() {
        BodyFraming::None | BodyFraming::Length(0) => None,
        BodyFraming::Length(_) | BodyFraming::Chunked => Some(Box::new(req.take_body())),
    }
}
// ANCHOR_END: input_for
