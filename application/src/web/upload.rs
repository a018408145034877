//! Uploaded files: kept in memory while small, in a temporary file past a threshold,
//! as web.py's `cgi.FieldStorage` did.

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read, Write};
use std::path::Path;
use std::sync::Arc;

use tempfile::NamedTempFile;

/// The size past which a file part goes to a temporary file. Python's `cgi` spooled past
/// 1,000 bytes, a file for nearly every upload; 64 KiB keeps avatars and small
/// attachments in memory, while the body limit bounds what the memory part can add up to.
pub(crate) const FILE_MEMORY_LIMIT: usize = 64 * 1024;

/// An uploaded file from a `multipart/form-data` body (web.py's `FieldStorage` item:
/// `.filename`, `.value`, `.file`).
#[derive(Clone)]
pub struct FileUpload {
    /// The file name the client gave, as sent.
    pub filename: String,
    /// The part's `Content-Type`, when it had one.
    pub content_type: Option<String>,
    content: Content,
}

/// Where the bytes are. Clones share them; a temporary file is removed when the last
/// clone is dropped (at the end of the request, unless the handler keeps one).
#[derive(Clone)]
enum Content {
    Memory(Arc<Vec<u8>>),
    Disk(Arc<NamedTempFile>, u64),
}

impl FileUpload {
    /// The file's size in bytes.
    pub fn len(&self) -> u64 {
        match &self.content {
            Content::Memory(bytes) => bytes.len() as u64,
            Content::Disk(_, len) => *len,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole file (web.py's `.value`); for a large file prefer [`reader`](Self::reader).
    pub fn bytes(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.len() as usize);
        self.reader()?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// A reader over the file from its start (web.py's `.file`); each call gets its own.
    pub fn reader(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(match &self.content {
            Content::Memory(bytes) => Box::new(Cursor::new(Shared(Arc::clone(bytes)))),
            Content::Disk(file, _) => Box::new(File::open(file.path())?),
        })
    }

    /// The temporary file holding the upload, when it is on disk.
    pub fn path(&self) -> Option<&Path> {
        match &self.content {
            Content::Memory(_) => None,
            Content::Disk(file, _) => Some(file.path()),
        }
    }

    /// Copies the file to `to`; returns the bytes copied.
    pub fn save(&self, to: impl AsRef<Path>) -> io::Result<u64> {
        let mut out = File::create(to)?;
        io::copy(&mut self.reader()?, &mut out)
    }
}

/// Bytes shared between clones, readable through a `Cursor` without a copy.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUpload")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.len())
            .field("on_disk", &self.path().is_some())
            .finish()
    }
}

/// A file part being received: memory up to `limit` bytes, then a temporary file.
pub(crate) struct Spool {
    limit: usize,
    memory: Vec<u8>,
    disk: Option<(NamedTempFile, u64)>,
}

impl Spool {
    pub(crate) fn new(limit: usize) -> Spool {
        Spool {
            limit,
            memory: Vec::new(),
            disk: None,
        }
    }

    /// Appends `bytes`, moving what there is to a temporary file once past the limit.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.disk.is_none() && self.memory.len() + bytes.len() > self.limit {
            let mut file = NamedTempFile::new()?;
            file.write_all(&self.memory)?;
            self.disk = Some((file, self.memory.len() as u64));
            self.memory = Vec::new();
        }
        match &mut self.disk {
            Some((file, len)) => {
                file.write_all(bytes)?;
                *len += bytes.len() as u64;
            }
            None => self.memory.extend_from_slice(bytes),
        }
        Ok(())
    }

    /// The finished upload.
    pub(crate) fn finish(
        self,
        filename: String,
        content_type: Option<String>,
    ) -> io::Result<FileUpload> {
        let content = match self.disk {
            Some((mut file, len)) => {
                file.flush()?;
                Content::Disk(Arc::new(file), len)
            }
            None => Content::Memory(Arc::new(self.memory)),
        };
        Ok(FileUpload {
            filename,
            content_type,
            content,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Spool;

    #[test]
    fn a_file_past_the_threshold_goes_to_disk_and_reads_back_whole() {
        let mut small = Spool::new(8);
        small.write(b"12345678").expect("memory write");
        let small = small.finish("s".into(), None).expect("finish");
        assert_eq!((small.path(), small.len()), (None, 8));

        let mut big = Spool::new(8);
        for chunk in [&b"12345"[..], b"6789", b"abc"] {
            big.write(chunk).expect("spool write");
        }
        let big = big.finish("b".into(), None).expect("finish");
        let path = big.path().expect("on disk").to_path_buf();
        assert_eq!(big.bytes().expect("read back"), b"123456789abc");
        assert_eq!(big.len(), 12);
        drop(big);
        assert!(
            !path.exists(),
            "the temporary file goes with the last clone"
        );
    }
}
