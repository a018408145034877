//! A request's trip through the five layers, as the demo and the `one_request` example
//! collect it: testkit's trip collector (`testkit::trip`, which keeps each layer's
//! `tracing` spans as a tree and prints it with each step's time), installed with the
//! stack's layers and the application's `RUST_LOG` filter. A trip is also a picture:
//! `waterfall` draws it as an SVG, one bar per step on one time axis (`testkit::waterfall`).
#![allow(dead_code)]

use std::sync::Arc;

// Not every program that includes this file uses every name.
#[allow(unused_imports)]
pub use testkit::trip::{so_far, waterfall, Finished, Step, Trips};

/// The layers whose steps a trip shows: the `tracing` targets of the five crates.
const LAYERS: &[&str] = &["threadpool", "httpserver", "wsgi", "application", "session"];

/// Installs the process's subscriber: the log on stderr as `application::logging` has it
/// (`RUST_LOG`, else `info`), and the trip collector beside it, which sees the five
/// layers' steps whatever `RUST_LOG` says; `then` says what becomes of a finished trip.
pub fn install(then: Finished) -> Result<Arc<Trips>, tracing_subscriber::util::TryInitError> {
    testkit::trip::install(then, LAYERS, application::logging::env_filter())
}
