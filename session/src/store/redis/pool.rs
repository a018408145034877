//! The connection pool under `RedisStore`: r2d2, with connect and command timeouts, and a
//! rule for throwing away connections that may be out of step.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use r2d2::{HandleError, ManageConnection};
use redis::{Client, ConnectionLike, ErrorKind, RedisError};

/// A connection, with what the pool needs to know to trust it again.
pub(super) struct Connection {
    pub(super) redis: redis::Connection,
    /// The failure generation it was opened in (see [`Manager`]).
    generation: u64,
    /// Set after a failed command: the connection is closed when returned, not reused.
    pub(super) broken: bool,
}

/// Opens connections for r2d2 and decides which ones may be reused.
///
/// The `redis` crate's synchronous `Client` opens a new connection per call and has no
/// pool of its own; r2d2 keeps them open between requests and shares them between worker
/// threads. Two rules keep a pooled connection from answering the wrong question:
/// - a connection whose command failed is never reused: after a timeout its reply may
///   still arrive, and the next command would read it as its own;
/// - a failure of the connection itself (refused, reset, timed out) bumps a generation
///   counter, and connections from an older generation are dropped when next taken out
///   (`is_valid`, a counter comparison, no round trip). When Redis restarts, the first
///   request that finds its connection dead makes every other pooled connection, dead
///   too, go away, instead of each failing one request in turn.
pub(super) struct Manager {
    client: Client,
    connect_timeout: Duration,
    command_timeout: Duration,
    pub(super) generation: Arc<AtomicU64>,
}

impl Manager {
    pub(super) fn new(
        client: Client,
        connect_timeout: Duration,
        command_timeout: Duration,
    ) -> Manager {
        Manager {
            client,
            connect_timeout,
            command_timeout,
            generation: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = Connection;
    type Error = RedisError;

    fn connect(&self) -> Result<Connection, RedisError> {
        // Read before connecting: a failure while this one opens must not bless it.
        let generation = self.generation.load(Ordering::SeqCst);
        let redis = self
            .client
            .get_connection_with_timeout(self.connect_timeout)?;
        redis.set_read_timeout(Some(self.command_timeout))?;
        redis.set_write_timeout(Some(self.command_timeout))?;
        Ok(Connection {
            redis,
            generation,
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), RedisError> {
        if conn.generation == self.generation.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(RedisError::from((
                ErrorKind::Io,
                "opened before a connection failure",
            )))
        }
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.broken
            || !conn.redis.is_open()
            || conn.generation != self.generation.load(Ordering::SeqCst)
    }
}

/// r2d2 reports failed connection attempts from its own threads; the request waiting for
/// the connection gets the same cause in its error and logs it, so these stay at debug.
#[derive(Debug)]
pub(super) struct TraceErrors;

impl HandleError<RedisError> for TraceErrors {
    fn handle_error(&self, error: RedisError) {
        tracing::debug!(%error, "redis session store: connection attempt failed");
    }
}
