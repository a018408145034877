//! What a handler returns: text, bytes, a stream of chunks, or a whole response.
//!
//! web.py handlers returned a string or a generator. [`Body`] is that choice as a type,
//! and [`Outcome`] adds the early exit: `Ok(body)` is a response with `ctx.status` and
//! `ctx.headers`, `Err(HttpError)` is a response with the error's status. A redirect or a
//! `201 Created` is a success, so it may also be the `Ok` value:
//! `Ok(web::seeother("/").into())` answers exactly as `Err(web::seeother("/"))` does; the
//! difference is only what the processors around the handler see (an `Ok` or an `Err`).

use std::fmt;

use crate::HttpError;

/// What a handler, processor or the whole processor chain produces.
pub type Outcome = Result<Body, HttpError>;

// ANCHOR: body
/// A response body.
///
/// A `Stream`'s headers are fixed when its first chunk is ready: the application pulls
/// the first chunk before calling `start_response` (web.py's `peep`), so a handler may
/// still call `header()` while producing the first chunk, but not after.
pub enum Body {
    /// The whole body at once; the application adds `Content-Length` for it.
    Bytes(Vec<u8>),
    /// Chunks produced while the response is being written; no `Content-Length`. The
    /// iterator is dropped when the response ends, also when the client went away.
    Stream(Box<dyn Iterator<Item = Vec<u8>> + Send>),
    /// A whole response with its own status and headers, given as success: a redirect
    /// or a 2xx of the [`HttpError`] family (`Ok(web::seeother("/").into())`,
    /// `Ok(created().into())`). It answers as the same value returned as `Err` would.
    Reply(HttpError),
}
// ANCHOR_END: body

impl Body {
    /// An empty body.
    pub fn empty() -> Body {
        Body::Bytes(Vec::new())
    }

    /// A streaming body from any iterator of chunks.
    pub fn stream<I>(chunks: I) -> Body
    where
        I: IntoIterator<Item = Vec<u8>>,
        I::IntoIter: Send + 'static,
    {
        Body::Stream(Box::new(chunks.into_iter()))
    }

    /// The bytes of a `Bytes` body (`None` for a stream).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Bytes(b) => Some(b),
            Body::Reply(r) => Some(r.body()),
            Body::Stream(_) => None,
        }
    }

    /// Collects the whole body (draining a stream).
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Body::Bytes(b) => b,
            Body::Reply(r) => r.into_parts().2,
            Body::Stream(s) => s.flatten().collect(),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Bytes(b) => write!(f, "Body::Bytes({:?})", String::from_utf8_lossy(b)),
            Body::Stream(_) => write!(f, "Body::Stream(..)"),
            Body::Reply(r) => write!(f, "Body::Reply({:?})", r.status()),
        }
    }
}

impl From<&str> for Body {
    fn from(s: &str) -> Body {
        Body::Bytes(s.as_bytes().to_vec())
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::Bytes(s.into_bytes())
    }
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Body {
        Body::Bytes(b)
    }
}

impl From<&[u8]> for Body {
    fn from(b: &[u8]) -> Body {
        Body::Bytes(b.to_vec())
    }
}

/// A redirect or a 2xx as a handler's `Ok` value: its status, headers and body are the
/// response, as they would be if it were returned as `Err`.
impl From<HttpError> for Body {
    fn from(reply: HttpError) -> Body {
        Body::Reply(reply)
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Body {
        Body::empty()
    }
}

/// A stream that runs a hook once when it is dropped: after its last chunk, or when the
/// response is abandoned part way (client gone, a later chunk panicked).
pub(crate) struct OnDrop<F: FnMut()> {
    pub(crate) inner: Box<dyn Iterator<Item = Vec<u8>> + Send>,
    pub(crate) hook: Option<F>,
}

impl<F: FnMut() + Send> Iterator for OnDrop<F> {
    type Item = Vec<u8>;
    fn next(&mut self) -> Option<Vec<u8>> {
        self.inner.next()
    }
}

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(mut hook) = self.hook.take() {
            hook();
        }
    }
}
