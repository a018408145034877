//! Ctrl-C and SIGTERM, for every server of the process at once.
//!
//! The `ctrlc` crate allows one handler per process. So one handler is installed, the
//! first time a server waits for a signal, and it wakes every waiter: two servers in
//! one process (or one server waited on twice) both stop. A signal that finds no waiter
//! (it came while the server was still starting) is kept for the next one: once the
//! handler is installed, SIGTERM no longer ends the process, so dropping the signal
//! would leave a server its supervisor believes stopped.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

use crate::error::WsgiError;

/// The waiters, and whether a signal came while there were none. One lock for both, so
/// a signal and a new waiter cannot miss each other.
static WAITERS: Mutex<Waiters> = Mutex::new(Waiters {
    senders: Vec::new(),
    pending: false,
});

struct Waiters {
    senders: Vec<Sender<()>>,
    pending: bool,
}
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
                let mut woken = 0;
                for waiter in waiters.senders.drain(..) {
                    // Err: that waiter gave up already.
                    if waiter.send(()).is_ok() {
                        woken += 1;
                    }
                }
                if woken == 0 {
                    waiters.pending = true;
                }
            })
            .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| WsgiError::SignalHandler { message })
}

/// Whether a Ctrl-C or SIGTERM came while no server waited for it: it is kept, and the
/// next wait (`RunningServer::wait_for_signal`) returns at once and clears it. Lets a
/// supervisor loop, or a test, see the signal arrive without waiting on a server.
pub fn signal_pending() -> bool {
    WAITERS.lock().unwrap_or_else(|p| p.into_inner()).pending
}

/// A receiver that gets `()` on the next Ctrl-C or SIGTERM, or at once when one came
/// while nothing waited.
pub(crate) fn next_signal() -> Result<Receiver<()>, WsgiError> {
    install_signal_handler()?;
    let (tx, rx) = channel();
    let mut waiters = WAITERS.lock().unwrap_or_else(|p| p.into_inner());
    if std::mem::take(&mut waiters.pending) {
        // Ok: `rx` is alive, right here.
        let _ = tx.send(());
    } else {
        waiters.senders.push(tx);
    }
    Ok(rx)
}
