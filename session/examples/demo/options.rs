//! The demo's command line: `[--store memory|disk|redis://…] [--port N] [--trace] [ADDRESS]`.
use std::net::SocketAddr;

use session::store::redis::RedisStore;
use session::{DiskStore, MemoryStore, Store};

/// What the command line asked for.
#[derive(Debug)]
pub struct Options {
    /// `memory`, `disk` (the default) or a `redis://` URL.
    pub store: String,
    /// Where to listen: `127.0.0.1:8080` unless `--port` or an address says otherwise.
    pub address: SocketAddr,
    /// `--trace`: print every request's trip on stderr.
    pub trace: bool,
}

pub const USAGE: &str =
    "usage: demo [--store memory|disk|redis://HOST:PORT/DB] [--port N] [--trace] [IP | IP:PORT]";

impl Options {
    /// Reads the arguments after the program name; the error is a line for the user.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut store = "disk".to_owned();
        let mut port = None;
        let mut address = None;
        let mut trace = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--store" => store = args.next().ok_or("--store needs a value")?,
                "--port" => {
                    let value = args.next().ok_or("--port needs a value")?;
                    port = Some(
                        value
                            .parse::<u16>()
                            .map_err(|_| format!("bad port {value:?}"))?,
                    );
                }
                "--trace" => trace = true,
                "-h" | "--help" => return Err(USAGE.to_owned()),
                _ if address.is_none() && !arg.starts_with("--") => address = Some(arg),
                _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
            }
        }
        // The positional address reads as `run` reads it: `9000`, `0.0.0.0`, `IP:PORT`.
        let mut address =
            application::parse_address(address.as_deref()).map_err(|e| format!("{e}\n{USAGE}"))?;
        if let Some(port) = port {
            address.set_port(port);
        }
        Ok(Options {
            store,
            address,
            trace,
        })
    }

    // ANCHOR: open_store
    /// The store the command line names.
    pub fn open_store(&self) -> Result<Box<dyn Store>, Box<dyn std::error::Error>> {
        Ok(match self.store.as_str() {
            "memory" => Box::new(MemoryStore::new()),
            "disk" => Box::new(demo_disk_store()?),
            url if url.starts_with("redis://") || url.starts_with("rediss://") => {
                let store = RedisStore::open(url)?;
                // Not fatal: the demo starts, answers 503 until Redis is there, and
                // recovers by itself when it comes.
                match store.ping() {
                    Ok(()) => tracing::info!(server = store.server(), "sessions are kept in Redis"),
                    Err(e) => tracing::warn!(error = %e, "Redis does not answer yet"),
                }
                Box::new(store)
            }
            other => return Err(format!("unknown store {other:?}\n{USAGE}").into()),
        })
    }
    // ANCHOR_END: open_store
}

/// The disk store in the system's temporary directory, private to its owner.
fn demo_disk_store() -> Result<DiskStore, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join("webpy-rs-demo-sessions");
    let store = DiskStore::new(&dir)?;
    // DiskStore leaves an existing directory's mode alone; this one is the demo's own, and
    // an earlier version made it world-readable (its file names are live session ids).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    tracing::info!(dir = %dir.display(), "sessions are kept on disk");
    Ok(store)
}
