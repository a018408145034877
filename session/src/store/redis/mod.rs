//! `RedisStore`: sessions in Redis, so that several servers share them (feature `redis`).
//!
//! Each session is one key, `<prefix>:<id>`, holding the same JSON record the other stores
//! keep. Saving is one `SET key record EX ttl`, so Redis replaces the value whole and
//! restarts its time to live; expiry costs no scan, and [`Store::cleanup`] does nothing.
//! `kill` is `DEL`. Over TLS (`rediss://`, feature `redis-tls`) see `tls.rs`.
use std::sync::atomic::Ordering;
use std::sync::Arc;

use redis::{Client, ConnectionAddr, ErrorKind};

use crate::error::{Error, Result};
use crate::id::SessionId;
use crate::store::Store;

mod config;
mod pool;
mod tls;

pub use config::RedisConfig;
use pool::{Manager, TraceErrors};
pub use tls::TlsNotBuilt;

/// Sessions in Redis, shared by every server that points at the same database and prefix.
///
/// What it survives, against the other stores: a restart of the application, and a second
/// process or a second machine serving the same users (all read and write the same keys).
/// What it does not: Redis itself losing its data (keep Redis persistence on if sessions
/// must outlive a Redis restart).
///
/// - **Writes are whole.** A record is one `SET`, which Redis applies at once: a reader
///   sees the old record or the new one. Two servers saving one session follow the
///   [`Store`] rule, last writer wins, per session.
/// - **Expiry** is the key's TTL, [`RedisConfig::ttl`], restarted by every save.
/// - **Faults are errors, bounded in time.** Redis down, slow, or refusing a command (out
///   of memory, read-only replica, wrong password) gives [`Error::Unavailable`] within
///   about [`RedisConfig::connect_timeout`] plus [`RedisConfig::command_timeout`] per
///   command, never a panic or a wait without end; the session processor answers it with
///   a 503. A failed save is reported, not retried. Once Redis answers again the next
///   requests work, without a restart.
/// - Connections are pooled (r2d2) across requests and worker threads; see `pool.rs` for
///   when a connection is thrown away.
/// - **TLS** (`rediss://`, the `redis-tls` feature): the handshake is part of opening a
///   connection, so it is paid once per pooled connection, not per request; the server's
///   certificate is checked against the system's trust store or [`RedisConfig::ca_file`]:
///   `rediss://:password@redis.internal:6380/0?ca_file=/etc/redis/ca.pem`.
///
/// ```no_run
/// use session::store::redis::RedisStore;
/// let store = RedisStore::open("redis://127.0.0.1:6379/0?ttl=1d&command_timeout=200ms")?;
/// store.ping()?;
/// # Ok::<(), session::Error>(())
/// ```
pub struct RedisStore {
    pool: r2d2::Pool<Manager>,
    generation: Arc<std::sync::atomic::AtomicU64>,
    prefix: String,
    ttl_seconds: u64,
    command_timeout: std::time::Duration,
    /// The server for messages: host, port and database, never the password.
    name: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.name)
            .field("prefix", &self.prefix)
            .field("ttl_seconds", &self.ttl_seconds)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store configured by `url` ([`RedisConfig::from_url`]). No connection is made yet:
    /// the application can start while Redis is down, and [`ping`](Self::ping) checks.
    ///
    /// # Errors
    /// [`Error::Backend`] for a URL that does not parse, and as
    /// [`with_config`](Self::with_config) says.
    pub fn open(url: &str) -> Result<RedisStore> {
        RedisStore::with_config(RedisConfig::from_url(url)?)
    }

    /// A store with a configuration of your own.
    ///
    /// # Errors
    /// [`Error::Backend`] for a URL the `redis` crate refuses; for TLS settings that
    /// cannot work (certificate files that cannot be read or hold no certificate, or
    /// given with a URL in the clear); and for a `rediss://` URL in a build without the
    /// `redis-tls` feature (its source is a [`TlsNotBuilt`]).
    pub fn with_config(config: RedisConfig) -> Result<RedisStore> {
        let client = tls::client(&config)?;
        let name = server_name(&client);
        let manager = Manager::new(client, config.connect_timeout, config.command_timeout);
        let generation = Arc::clone(&manager.generation);
        // `min_idle` 0: connections are opened when requests need them, so a Redis that is
        // down costs no background reconnect loop; `build_unchecked` does not connect now.
        let pool = r2d2::Pool::builder()
            .max_size(config.pool_size)
            .min_idle(Some(0))
            .connection_timeout(config.connect_timeout)
            .test_on_check_out(true)
            .error_handler(Box::new(TraceErrors))
            .build_unchecked(manager);
        Ok(RedisStore {
            pool,
            generation,
            prefix: config.prefix,
            ttl_seconds: config.ttl.as_secs().max(1),
            command_timeout: config.command_timeout,
            name,
        })
    }

    /// Asks Redis for a `PONG`: whether the store can be used now.
    ///
    /// # Errors
    /// [`Error::Unavailable`] with the reason.
    pub fn ping(&self) -> Result<()> {
        self.run("ping", None, |c| redis::cmd("PING").query::<String>(c))
            .map(|_| ())
    }

    /// The server this store talks to, as `redis 127.0.0.1:6379 db 0` (no password).
    pub fn server(&self) -> &str {
        &self.name
    }

    /// The key of a session: `<prefix>:<id>`.
    pub fn key(&self, id: &SessionId) -> String {
        format!("{}:{}", self.prefix, id.as_str())
    }

    // ANCHOR: redis_run
    /// Runs one command on a pooled connection; any failure is [`Error::Unavailable`].
    fn run<T>(
        &self,
        operation: &str,
        id: Option<&SessionId>,
        command: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| self.unavailable(operation, id, Box::new(e)))?;
        command(&mut conn.redis).map_err(|e| {
            // An error reply (out of memory, read-only) leaves the connection in step; any
            // other failure may leave a reply in flight, so the connection goes.
            if !matches!(e.kind(), ErrorKind::Server(_)) {
                conn.broken = true;
            }
            if e.is_io_error() {
                self.generation.fetch_add(1, Ordering::SeqCst);
            }
            // The socket says "temporarily unavailable" for a read that timed out; say
            // which limit ran out instead.
            let source: Box<dyn std::error::Error + Send + Sync> = if e.is_timeout() {
                let limit = self.command_timeout;
                format!("not done within the command timeout ({limit:?})").into()
            } else {
                Box::new(e)
            };
            self.unavailable(operation, id, source)
        })
    }
    // ANCHOR_END: redis_run

    fn unavailable(
        &self,
        operation: &str,
        id: Option<&SessionId>,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Error {
        let operation = match id {
            // Only the id's first digits: a whole id in a log is a credential.
            Some(id) => format!("{operation} of session {}…", id.prefix()),
            None => operation.to_owned(),
        };
        Error::Unavailable {
            store: self.name.clone(),
            operation,
            source,
        }
    }
}

/// `redis HOST:PORT db N`, or `redis unix:PATH db N`: enough to find the server, without
/// the credentials the URL may hold.
fn server_name(client: &Client) -> String {
    let info = client.get_connection_info();
    let db = info.redis_settings().db();
    match info.addr() {
        ConnectionAddr::Tcp(host, port) => format!("redis {host}:{port} db {db}"),
        ConnectionAddr::TcpTls { host, port, .. } => format!("redis (TLS) {host}:{port} db {db}"),
        ConnectionAddr::Unix(path) => format!("redis unix:{} db {db}", path.display()),
        #[allow(unreachable_patterns)]
        _ => format!("redis db {db}"),
    }
}

// ANCHOR: redis_store
impl Store for RedisStore {
    fn contains(&self, id: &SessionId) -> Result<bool> {
        let key = self.key(id);
        self.run("check", Some(id), |c| {
            redis::cmd("EXISTS").arg(&key).query::<bool>(c)
        })
    }

    fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>> {
        let key = self.key(id);
        self.run("load", Some(id), |c| redis::cmd("GET").arg(&key).query(c))
    }

    fn set(&self, id: &SessionId, record: &[u8]) -> Result<()> {
        let key = self.key(id);
        // One command: Redis replaces the value and restarts the TTL together.
        self.run("save", Some(id), |c| {
            redis::cmd("SET")
                .arg(&key)
                .arg(record)
                .arg("EX")
                .arg(self.ttl_seconds)
                .query::<()>(c)
        })
    }

    fn delete(&self, id: &SessionId) -> Result<()> {
        let key = self.key(id);
        self.run("delete", Some(id), |c| {
            redis::cmd("DEL").arg(&key).query::<()>(c)
        })
    }

    /// Nothing to do: Redis drops each key when its TTL runs out.
    fn cleanup(&self, _timeout: std::time::Duration) -> Result<usize> {
        Ok(0)
    }
}
// ANCHOR_END: redis_store
