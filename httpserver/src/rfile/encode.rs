//! The chunked encoder for response bodies (RFC 9112 §7.1), the inverse of `ChunkedRFile`.

use std::io::{self, Write};

// ANCHOR: write_chunk
/// Writes `data` as one chunk: its size in hex, CRLF, the data, CRLF.
///
/// Empty `data` writes nothing: a chunk of size 0 is the `last-chunk`, and would end the
/// body early (an application may well yield an empty string). The size line, data and
/// CRLF are three writes, so give it a buffered writer.
pub fn write_chunk<W: Write>(w: &mut W, data: &[u8]) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    write!(w, "{:x}\r\n", data.len())?;
    w.write_all(data)?;
    w.write_all(b"\r\n")
}

/// Ends a chunked body: the `last-chunk`, no trailers, and the final CRLF.
pub fn write_last_chunk<W: Write>(w: &mut W) -> io::Result<()> {
    w.write_all(b"0\r\n\r\n")
}
// ANCHOR_END: write_chunk
