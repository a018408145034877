//! The `Date` header's value, formatted once a second per thread.

use std::cell::RefCell;

use crate::clock::SecondText;

thread_local! {
    /// Formatting costs ~100 ns, a response needs it once, and many responses share a
    /// second.
    static CACHE: RefCell<SecondText> = const { RefCell::new(SecondText::new()) };
}

/// Appends the current time as an IMF-fixdate (RFC 9110 §5.6.7), e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`, to `buf`: no allocation but once a second.
pub(crate) fn push_http_date(buf: &mut Vec<u8>) {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let date = cache.now(|now, text| text.push_str(&httpdate::fmt_http_date(now)));
        buf.extend_from_slice(date.as_bytes());
    })
}
