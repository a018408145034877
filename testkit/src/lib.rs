//! What the workspace's tests and benches share: a client on a real socket, a reader for
//! the responses that come back, and a launcher for the example binaries.
//!
//! It sits outside the request's life: a dev-only crate that depends on no workspace
//! crate, so every layer's `tests/` (and `benches/`) can use it without bending the
//! dependency direction (session → application → wsgi → httpserver → threadpool). It
//! speaks only what a client sees: bytes on a `TcpStream`, and processes; and it reads
//! the `tracing` log the layers write.
//!
//! - [`net`]: [`connect`] with timeouts on every socket, [`exchange`] one request on a
//!   fresh connection, the [`Client`] that keeps its connection, [`eventually`].
//! - [`response`]: [`Response`] and [`read_response`], which reads one response framed
//!   by `Content-Length`, chunks or the close, and says whether it was complete.
//! - [`example`](mod@example): [`example()`] finds an example binary `cargo test`
//!   built, [`run`] runs one to the end, [`Served`] starts a server example and reads
//!   the address it prints (`listening on http://ADDR`), [`sigterm`] stops it.
//! - [`keep_alive`]: the [`KeepAliveClient`] the end-to-end benches time round trips with.
//! - [`log`]: [`log::capture`] keeps the process's `tracing` log in memory, for a test
//!   that checks what a layer reported (and that no secret was).
//! - [`trip`]: a request's trip, every layer's `tracing` spans kept as a tree and printed
//!   with each step's time (the book's `one_request` outputs, the demo's trip panel);
//!   [`waterfall`](mod@waterfall): the same trip drawn as an SVG, a bar per step.
//!
//! Every wait is bounded: sockets time out after [`IO_TIMEOUT`], examples after
//! [`WAIT`], so a broken server fails a test instead of hanging it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod example;
pub mod keep_alive;
pub mod log;
pub mod net;
pub mod response;
pub mod trip;
pub mod waterfall;

pub use example::{example, run, sigterm, Killed, Served, WAIT};
pub use keep_alive::KeepAliveClient;
pub use net::{
    connect, eventually, exchange, is_closed, read_to_close, Client, IO_TIMEOUT, MAX_RESPONSE,
};
pub use response::{read_final_response, read_response, send, Response};
