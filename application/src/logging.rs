//! The log: where the server's warnings, and on request every step of a request's trip,
//! are written when the program set up nothing else.
//!
//! Every layer reports through `tracing`: warnings and errors (a store out of reach, a
//! panicking handler, a failed `accept`) as events, and each step of a request (the
//! accept, the worker's wake-up, `parse_request`, the gateway, the processors, the
//! session's steps, the response written) as a `DEBUG` span. A library only emits them;
//! what is shown is decided by the subscriber the program installs. [`init`] is the one
//! `run()` installs, so a web.py-style program that calls `run` and nothing else still
//! sees its warnings; the examples install it too.

use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::fmt::format::FmtSpan;

/// `RUST_LOG` when it is set (`RUST_LOG=debug`: every step of every request;
/// `RUST_LOG=session=debug`: the session's only), else `info`: warnings, errors and the
/// few lines a server says when it starts. A directive `RUST_LOG` gets wrong is left out
/// rather than fatal.
pub fn env_filter() -> EnvFilter {
    EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy()
}

/// Installs the default subscriber, unless the program installed one: one line per event
/// on stderr, filtered by [`env_filter`], and at `debug` one line per finished step with
/// its time (`close time.busy=… time.idle=…`), so `RUST_LOG=debug` prints each
/// request's trip as it happens. Returns whether it was installed.
///
/// With the default filter the per-request spans are off: each costs one check of its
/// callsite's level, and nothing is formatted or allocated.
pub fn init() -> bool {
    tracing_subscriber::fmt()
        .with_env_filter(env_filter())
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_span_events(FmtSpan::CLOSE)
        .try_init()
        .is_ok()
}
