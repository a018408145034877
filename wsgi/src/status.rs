//! `Status`: a status line the application gave `start_response`, checked to be `NNN reason`.

use std::fmt;
use std::str::FromStr;

use httpserver::rules;

use crate::error::WsgiError;

/// A validated status line such as `200 OK`: three digits (100 to 599), one space, a
/// non-empty reason phrase of visible characters, spaces and tabs.
///
/// PEP 3333 passes the status as a string; a typo such as `"200"` or `"200OK"` or a reason
/// with a CR LF in it would otherwise reach the wire. Parsing once here means every later
/// layer holds a status that is known to be well formed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Status {
    line: String,
    code: u16,
}

impl Status {
    /// Parses `NNN reason`; the error names the broken part.
    pub fn parse(line: &str) -> Result<Status, WsgiError> {
        let invalid = |problem| WsgiError::InvalidStatus {
            status: line.to_owned(),
            problem,
        };
        let bytes = line.as_bytes();
        if bytes.len() < 5 {
            return Err(invalid("too short"));
        }
        if !bytes[..3].iter().all(u8::is_ascii_digit) {
            return Err(invalid("the code must be three digits"));
        }
        let code = u16::from(bytes[0] - b'0') * 100
            + u16::from(bytes[1] - b'0') * 10
            + u16::from(bytes[2] - b'0');
        if !rules::is_status_code(code) {
            return Err(invalid("the code must be between 100 and 599"));
        }
        if bytes[3] != b' ' {
            return Err(invalid("a single space must follow the code"));
        }
        let reason = &bytes[4..];
        if reason.iter().all(|&b| b == b' ' || b == b'\t') {
            return Err(invalid("the reason phrase is empty"));
        }
        // RFC 9112 §4, httpserver's rule: anything but HTAB / SP / VCHAR / obs-text (CR,
        // LF, NUL, DEL) could split the status line. PEP 3333 asks for a reason as well.
        if !rules::is_reason_phrase(reason) {
            return Err(invalid("the reason phrase contains a control character"));
        }
        Ok(Status {
            line: line.to_owned(),
            code,
        })
    }
}

impl Status {
    /// The status for `code` with its usual reason phrase (`Status::from_code(404)` is
    /// `404 Not Found`); codes without a registered phrase get `Unknown`.
    ///
    /// # Panics
    /// Never for codes 100 to 599; other codes are clamped to `500 Internal Server Error`.
    pub fn from_code(code: u16) -> Status {
        if !rules::is_status_code(code) {
            return Status::from_code(500);
        }
        let reason = canonical_reason(code).unwrap_or("Unknown");
        Status {
            line: format!("{code} {reason}"),
            code,
        }
    }

    /// The three-digit code.
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The reason phrase (everything after `NNN `).
    pub fn reason(&self) -> &str {
        &self.line[4..]
    }

    /// The whole line, `NNN reason`.
    pub fn as_str(&self) -> &str {
        &self.line
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl FromStr for Status {
    type Err = WsgiError;
    fn from_str(line: &str) -> Result<Status, WsgiError> {
        Status::parse(line)
    }
}

impl TryFrom<&str> for Status {
    type Error = WsgiError;
    fn try_from(line: &str) -> Result<Status, WsgiError> {
        Status::parse(line)
    }
}

/// The reason phrase RFC 9110 registers for `code`, if any: httpserver's table, the one
/// the whole workspace uses ([`httpserver::reason_phrase`]).
pub fn canonical_reason(code: u16) -> Option<&'static str> {
    httpserver::reason_phrase(code)
}
