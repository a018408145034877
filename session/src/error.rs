//! The one error type of the `session` crate: what went wrong with a store, an id or a value.
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::id::SessionId;

/// Everything that can fail in this crate.
///
/// Store variants carry the path they failed on, so a message in a log names the file or
/// directory to look at. None of them is caused by client input alone: a tampered or
/// unknown session id is not an error, it silently gets a fresh session.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `DiskStore::new` could not create its directory.
    CreateDirectory {
        /// The directory asked for.
        path: PathBuf,
        /// Why the operating system refused.
        source: io::Error,
    },
    /// The store's path exists but is not a directory.
    NotADirectory {
        /// The path that is a file (or something else).
        path: PathBuf,
    },
    /// The store's directory disappeared after the store was created.
    DirectoryMissing {
        /// The directory that is gone.
        path: PathBuf,
    },
    /// A session file could not be read, for a reason other than its absence.
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A session file could not be written: the directory is unwritable, full, or not a
    /// directory any more.
    Write {
        /// The file (the temporary file when writing failed, the final one when renaming did).
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A session file could not be removed.
    Delete {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The store directory could not be listed for cleanup.
    Scan {
        /// The directory.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The operating system's random generator failed, so no session id can be made.
    Randomness(getrandom::Error),
    /// A value given to `Session::set` cannot be written as JSON (a map with non-string
    /// keys, for example).
    Encode {
        /// The session key.
        key: String,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A stored value does not have the type `Session::get` asked for.
    Decode {
        /// The session key.
        key: String,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// The session's data was used outside a request, or in a request of an application
    /// this session is not installed on.
    NotInRequest,
    /// A store kept outside this crate (a networked one, say) failed.
    Backend(Box<dyn std::error::Error + Send + Sync>),
    /// The disk store holds as many sessions as it may (`DiskStore::with_max_sessions`):
    /// no new session can start until some end or expire. Sessions already stored go on.
    /// The session processor answers it with a 503, and the log says which directory.
    Full {
        /// The store's directory.
        path: PathBuf,
        /// The most sessions it may hold.
        limit: usize,
    },
    /// A cookie could not be read or set (the visitor's CSRF cookie, after a streamed
    /// response has started, say).
    Cookie(application::Error),
    /// A networked store could not be reached, did not answer in time, or refused the
    /// command: the sessions are out of reach for now, not lost. The session processor
    /// answers it with a 503.
    Unavailable {
        /// The store, as `redis 127.0.0.1:6379 db 0` (never a password).
        store: String,
        /// What failed, as `save of session 1f2e3d4c…` (never a whole id).
        operation: String,
        /// The cause: refused, timed out, the store's error reply.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The crate's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Randomness(e) => write!(
                f,
                "the operating system's random generator failed, no session id can be made: {e}"
            ),
            Error::Encode { key, source } => {
                write!(
                    f,
                    "session value {key:?} cannot be stored as JSON: {source}"
                )
            }
            Error::Decode { key, source } => write!(
                f,
                "session value {key:?} does not have the type asked for: {source}"
            ),
            Error::NotInRequest => write!(
                f,
                "the session was used outside a request of the application it is installed on"
            ),
            Error::Backend(e) => write!(f, "the session store failed: {e}"),
            Error::Cookie(e) => write!(f, "a session cookie could not be set: {e}"),
            Error::Unavailable {
                store,
                operation,
                source,
            } => write!(
                f,
                "the session store {store} is unavailable: {operation} failed: {source}"
            ),
            _ => self.fmt_disk(f),
        }
    }
}

impl Error {
    /// The messages of the disk store's errors, each naming its path.
    fn fmt_disk(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::CreateDirectory { path, source } => write!(
                f,
                "cannot create the session directory {}: {source}",
                path.display()
            ),
            Error::NotADirectory { path } => write!(
                f,
                "the session store path {} exists but is not a directory",
                path.display()
            ),
            Error::DirectoryMissing { path } => write!(
                f,
                "the session directory {} has disappeared; recreate it or restart the application",
                path.display()
            ),
            Error::Read { path, source } => {
                write!(f, "cannot read session file {}: {source}", Redacted(path))
            }
            Error::Write { path, source } => write!(
                f,
                "cannot write session file {}: {source}; check that the directory exists and is writable",
                Redacted(path)
            ),
            Error::Delete { path, source } => {
                write!(f, "cannot remove session file {}: {source}", Redacted(path))
            }
            Error::Scan { path, source } => write!(
                f,
                "cannot list the session directory {} for cleanup: {source}",
                path.display()
            ),
            Error::Full { path, limit } => write!(
                f,
                "the session directory {} holds its limit of {limit} sessions, so no new \
                 session can start until some expire; raise DiskStore::with_max_sessions \
                 or shorten the timeout",
                path.display()
            ),
            // Every other variant is written by `fmt`.
            _ => Ok(()),
        }
    }
}

/// A session file's path for a message: the directory whole, the file name cut after the
/// id's first eight digits, because a whole id in a log is a credential (anyone who reads
/// the log could use the session). The error's `path` field keeps the whole path.
struct Redacted<'a>(&'a Path);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.0.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Session files are `<id>`, temporary files `.<id>.<pid>.<n>.tmp`.
        let (dot, rest) = match name.strip_prefix('.') {
            Some(rest) => (".", rest),
            None => ("", name),
        };
        let id = rest.split('.').next().unwrap_or("");
        match (SessionId::parse(id), self.0.parent()) {
            (Some(id), Some(dir)) => {
                write!(f, "{}{dot}{}…", dir.join("").display(), id.prefix())
            }
            _ => write!(f, "{}", self.0.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::CreateDirectory { source, .. }
            | Error::Read { source, .. }
            | Error::Write { source, .. }
            | Error::Delete { source, .. }
            | Error::Scan { source, .. } => Some(source),
            Error::Encode { source, .. } | Error::Decode { source, .. } => Some(source),
            Error::Randomness(e) => Some(e),
            Error::Cookie(e) => Some(e),
            Error::Backend(e) | Error::Unavailable { source: e, .. } => Some(e.as_ref()),
            Error::NotADirectory { .. }
            | Error::DirectoryMissing { .. }
            | Error::NotInRequest
            | Error::Full { .. } => None,
        }
    }
}

impl From<getrandom::Error> for Error {
    fn from(e: getrandom::Error) -> Self {
        Error::Randomness(e)
    }
}

/// A session error inside a handler is the program's or the store's fault, not the
/// client's, so handlers can use `?` on session calls: a store that is out of reach
/// ([`Error::Unavailable`]) or full ([`Error::Full`]) is a `503 Service Unavailable` with
/// `Retry-After`, anything else a 500. The reason goes to the log for the operator; the client sees the
/// application's page for the status.
impl From<Error> for application::HttpError {
    fn from(e: Error) -> Self {
        tracing::error!(error = %e, "session");
        match e {
            Error::Unavailable { .. } | Error::Full { .. } => {
                application::HttpError::from_status("503 Service Unavailable")
                    .with(crate::process::constant("Retry-After", "5"))
            }
            _ => application::internalerror(),
        }
    }
}
