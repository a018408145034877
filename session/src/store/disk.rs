//! `DiskStore`: one file per session in a directory, written atomically.
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};
use crate::id::SessionId;
use crate::store::Store;

/// Makes temporary file names unique among the threads of this process; the process id
/// makes them unique among processes sharing the directory.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Suffix of temporary files. A name with it never parses as a [`SessionId`], so a
/// half-written file is never read as a session.
const TEMP_SUFFIX: &str = ".tmp";

/// The embedded default store: the file `ROOT/<id>` holds the session `<id>`.
///
/// - The directory is created by [`DiskStore::new`] if it does not exist, readable only by
///   its owner (mode `0700` on Unix), and each session file is `0600`: a file name is a
///   live session id, so a local user who could list the directory could take over every
///   session. (web.py's `DiskStore` used the default `0755`/`0644`.) An existing directory
///   keeps its mode: make it private yourself, and do not point the store at a directory
///   another user can create first (in a shared `/tmp`, such a user could plant records).
/// - File names come only from [`SessionId`]s (1 to [`MAX_ID_LEN`](crate::MAX_ID_LEN) hex
///   digits: 64 for the ids this crate makes, others from a client or a web.py
///   deployment), never from free client text.
/// - [`set`](Store::set) writes a temporary file and renames it over the old one; a
///   rename within a directory is atomic on POSIX file systems, so a crash or a concurrent
///   reader sees the old record or the new one, never a torn one. There is no `fsync`: a
///   power cut may lose the last write (the session falls back to its previous state) but
///   a process crash loses nothing; syncing every request would cost a disk flush each.
/// - [`cleanup`](Store::cleanup) lists the directory and removes files whose modification
///   time is older than the timeout. It is the only method that scans; `Session` calls it
///   at most once per interval. (web.py scanned on its own schedule too, but used the
///   access time, which `noatime` and `relatime` mounts do not keep.)
/// - It holds at most [`max_sessions`](DiskStore::with_max_sessions) sessions (default
///   [`DEFAULT_MAX_SESSIONS`]): past that, a new session's write is refused with
///   [`Error::Full`], which the session processor answers with a 503 and a log line, while
///   the sessions already stored go on. A client that floods the site can fill the limit,
///   not the disk. The count starts from a listing of the directory, follows this
///   process's writes and deletes, and is recounted at each cleanup; threads that start
///   sessions at the same instant may pass the limit by one each.
/// - A directory that disappears or stops being writable gives [`Error::DirectoryMissing`],
///   [`Error::NotADirectory`] or [`Error::Write`], never a panic.
#[derive(Debug, Clone)]
pub struct DiskStore {
    root: PathBuf,
    max_sessions: usize,
    // Shared by clones: they are one store.
    sessions: Arc<AtomicUsize>,
}

/// How many sessions a [`DiskStore`] holds unless told otherwise: at a few hundred bytes
/// to a few kilobytes each (a file system block), some hundreds of megabytes at most.
pub const DEFAULT_MAX_SESSIONS: usize = 100_000;

impl DiskStore {
    /// A store in `root`, creating the directory (and its parents) if needed.
    ///
    /// # Errors
    /// [`Error::CreateDirectory`] if it cannot be created, [`Error::NotADirectory`] if
    /// `root` exists and is something else.
    pub fn new(root: impl Into<PathBuf>) -> Result<DiskStore> {
        let root = root.into();
        private_dir_builder().create(&root).map_err(|source| {
            if root.exists() && !root.is_dir() {
                Error::NotADirectory { path: root.clone() }
            } else {
                Error::CreateDirectory {
                    path: root.clone(),
                    source,
                }
            }
        })?;
        let sessions = count_sessions(&root).map_err(|source| Error::Scan {
            path: root.clone(),
            source,
        })?;
        Ok(DiskStore {
            root,
            max_sessions: DEFAULT_MAX_SESSIONS,
            sessions: Arc::new(AtomicUsize::new(sessions)),
        })
    }

    /// The same store, holding at most `limit` sessions.
    pub fn with_max_sessions(mut self, limit: usize) -> DiskStore {
        self.max_sessions = limit;
        self
    }

    /// The most sessions this store holds.
    pub fn max_sessions(&self) -> usize {
        self.max_sessions
    }

    /// The directory the sessions live in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, id: &SessionId) -> PathBuf {
        self.root.join(id.as_str())
    }

    /// Turns an I/O failure into the error that names its cause: a directory that has
    /// gone or been replaced explains every later failure, so it is checked first.
    fn diagnose(&self, source: io::Error, otherwise: impl FnOnce(io::Error) -> Error) -> Error {
        match fs::metadata(&self.root) {
            Err(_) => Error::DirectoryMissing {
                path: self.root.clone(),
            },
            Ok(m) if !m.is_dir() => Error::NotADirectory {
                path: self.root.clone(),
            },
            Ok(_) => otherwise(source),
        }
    }

    /// Like `diagnose`, for an operation whose `NotFound` means "no such session".
    fn absent_or_error(&self, source: io::Error, path: PathBuf) -> Result<()> {
        let not_found = source.kind() == io::ErrorKind::NotFound;
        match self.diagnose(source, |source| Error::Read { path, source }) {
            Error::Read { .. } if not_found => Ok(()),
            e => Err(e),
        }
    }

    fn temp_path(&self, id: &SessionId) -> PathBuf {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!(".{id}.{}.{n}{TEMP_SUFFIX}", std::process::id());
        self.root.join(name)
    }
}

/// How many session files `root` holds.
fn count_sessions(root: &Path) -> io::Result<usize> {
    let mut n = 0;
    for entry in fs::read_dir(root)?.flatten() {
        if entry
            .file_name()
            .to_str()
            .and_then(SessionId::parse)
            .is_some()
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Creates the store's directory and its missing parents, owner-only on Unix.
fn private_dir_builder() -> fs::DirBuilder {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
}

/// Opens a new temporary file, owner-only on Unix; the rename keeps its mode.
fn private_file_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

impl Store for DiskStore {
    fn contains(&self, id: &SessionId) -> Result<bool> {
        let path = self.path(id);
        match fs::metadata(&path) {
            Ok(m) => Ok(m.is_file()),
            Err(e) => self.absent_or_error(e, path).map(|()| false),
        }
    }

    fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>> {
        let path = self.path(id);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) => self.absent_or_error(e, path).map(|()| None),
        }
    }

    // ANCHOR: disk_set
    fn set(&self, id: &SessionId, record: &[u8]) -> Result<()> {
        let path = self.path(id);
        let is_new = fs::symlink_metadata(&path).is_err();
        if is_new && self.sessions.load(Ordering::Relaxed) >= self.max_sessions {
            return Err(Error::Full {
                path: self.root.clone(),
                limit: self.max_sessions,
            });
        }
        let temp = self.temp_path(id);
        let written = private_file_options()
            .open(&temp)
            .and_then(|mut file| file.write_all(record));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(self.diagnose(e, |source| Error::Write { path: temp, source }));
        }
        // The rename is the commit point: before it readers see the old file, after it
        // the new one.
        fs::rename(&temp, &path).map_err(|e| {
            let _ = fs::remove_file(&temp);
            self.diagnose(e, |source| Error::Write { path, source })
        })?;
        if is_new {
            self.sessions.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
    // ANCHOR_END: disk_set

    fn delete(&self, id: &SessionId) -> Result<()> {
        let path = self.path(id);
        match fs::remove_file(&path) {
            Ok(()) => {
                // Never below zero, even if another process removed files we counted.
                let _ = self
                    .sessions
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => self.absent_or_error(e, path),
            Err(e) => Err(self.diagnose(e, |source| Error::Delete { path, source })),
        }
    }

    // ANCHOR: disk_cleanup
    fn cleanup(&self, timeout: Duration) -> Result<usize> {
        let entries = fs::read_dir(&self.root).map_err(|e| {
            self.diagnose(e, |source| Error::Scan {
                path: self.root.clone(),
                source,
            })
        })?;
        let now = SystemTime::now();
        let (mut removed, mut kept) = (0, 0);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            // Only files this store made: sessions, and temporary files a crash left.
            let is_session = SessionId::parse(name).is_some();
            if !is_session && !name.ends_with(TEMP_SUFFIX) {
                continue;
            }
            // A file that vanished meanwhile (deleted by a request, or by another
            // process's cleanup) is simply skipped.
            let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
                continue;
            };
            let idle = now.duration_since(modified).unwrap_or(Duration::ZERO);
            if idle > timeout && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            } else if is_session {
                kept += 1;
            }
        }
        // The listing is the truth: writes and deletes of other processes sharing the
        // directory are counted in from here on.
        self.sessions.store(kept, Ordering::Relaxed);
        Ok(removed)
    }
    // ANCHOR_END: disk_cleanup
}
