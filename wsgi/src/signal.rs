//! Ctrl-C and SIGTERM, for every server of the process at once.
//!
//! The `ctrlc` crate allows one handler per process. So one handler is installed, the
//! first time a server waits for a signal, and it wakes every waiter: two servers in
//! one process (or one server waited on twice) both stop.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

use crate::error::WsgiError;

static WAITERS: Mutex<Vec<Sender<()>>> = Mutex::new(Vec::new());
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

/// Installs the process's Ctrl-C / SIGTERM handler (once; later calls return the first
/// call's outcome). Call it early if a signal might arrive before a server waits for it:
/// until a handler is installed, SIGTERM ends the process at once.
///
/// # Errors
/// `SignalHandler` when another part of the program installed its own `ctrlc` handler.
pub fn install_signal_handler() -> Result<(), WsgiError> {
    INSTALLED
        .get_or_init(|| {
            ctrlc::set_handler(|| {
                let mut waiters = WAITERS.lock().unwrap_or_else(|p| p.into_inner());
                for waiter in waiters.drain(..) {
                    // Err: that waiter gave up already.
                    let _ = waiter.send(());
                }
            })
            .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| WsgiError::SignalHandler { message })
}

/// A receiver that gets `()` on the next Ctrl-C or SIGTERM.
pub(crate) fn next_signal() -> Result<Receiver<()>, WsgiError> {
    install_signal_handler()?;
    let (tx, rx) = channel();
    WAITERS.lock().unwrap_or_else(|p| p.into_inner()).push(tx);
    Ok(rx)
}
