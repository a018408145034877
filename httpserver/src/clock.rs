//! `SecondText`: a text that changes once a second (a `Date` header, a log line's time),
//! formatted once a second instead of once a request.

use std::time::{SystemTime, UNIX_EPOCH};

/// The workspace's one once-per-second clock: the server's `Date` header and `wsgi`'s
/// access log each keep one per thread (in a `thread_local!`), so formatting (~100 ns)
/// happens once a second per thread, and the many responses of a second share it.
///
/// ```
/// use std::time::{SystemTime, UNIX_EPOCH};
/// let mut clock = httpserver::SecondText::new();
/// let seconds = |now: SystemTime, text: &mut String| {
///     let since = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
///     text.push_str(&since.to_string());
/// };
/// let text = clock.now(seconds).to_string();
/// assert!(text.parse::<u64>().is_ok());
/// ```
#[derive(Debug)]
pub struct SecondText {
    /// The Unix second `text` was formatted for (`u64::MAX`: never).
    second: u64,
    text: String,
}

impl SecondText {
    /// An empty clock: the first [`now`](Self::now) formats.
    pub const fn new() -> SecondText {
        SecondText {
            second: u64::MAX,
            text: String::new(),
        }
    }

    /// The text for the current second: the one formatted before if the second has not
    /// changed since, else what `format` writes into the (emptied) text for the time now.
    pub fn now(&mut self, format: impl FnOnce(SystemTime, &mut String)) -> &str {
        self.at(SystemTime::now(), format)
    }

    /// As [`now`](Self::now), for the time `now`.
    fn at(&mut self, now: SystemTime, format: impl FnOnce(SystemTime, &mut String)) -> &str {
        let second = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if self.second != second {
            self.text.clear();
            format(now, &mut self.text);
            self.second = second;
        }
        &self.text
    }
}

impl Default for SecondText {
    fn default() -> SecondText {
        SecondText::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_once_per_second_and_again_when_the_second_changes() {
        let mut clock = SecondText::new();
        let second = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(clock.at(second, |_, text| text.push('a')), "a");
        // Later in the same second: the text formatted first, `format` not called.
        let later = second + Duration::from_millis(999);
        let mut called = false;
        assert_eq!(clock.at(later, |_, _| called = true), "a");
        assert!(!called, "formatted twice in one second");
        // The next second: formatted again, into an emptied text.
        let next = second + Duration::from_secs(1);
        assert_eq!(clock.at(next, |_, text| text.push('b')), "b");
    }
}
