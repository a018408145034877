//! The URL mapping: an ordered list of (pattern, target), first match wins.
//!
//! Every pattern is compiled once, anchored at both ends (`\A(?:pattern)\z`, so `/foo`
//! does not match `/foo\n` the way Python's `$` did), and all of them go into one
//! `RegexSet`. A lookup is one pass of the set over the path, which says which patterns
//! match; only the first of those runs again for its capture groups. So the cost of a
//! lookup grows slowly with the number of routes instead of one regex run per route
//! (the bench `dispatch/*` measures it).

use std::sync::Arc;

use regex::{Regex, RegexSet};

use crate::target::{Args, Kind, Methods, Target};
use crate::{Application, Error};

struct Route {
    /// For a path mount: the prefix without a trailing `/`.
    prefix: String,
    regex: Regex,
    kind: Kind,
}

/// What the patterns are matched against.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// `ctx.path` (`Application::new`): a mount is a literal path prefix.
    Path,
    /// The `Host` without its port (`Application::subdomains`): a mount is a host
    /// pattern like any other, and the sub-application sees the whole path.
    Host,
}

/// The compiled mapping.
#[derive(Clone)]
pub(crate) struct Mapping {
    subject: Subject,
    set: RegexSet,
    routes: Arc<[Route]>,
}

/// What the mapping found.
pub(crate) enum Found<'a> {
    Call(&'a Methods, Args),
    Redirect(String),
    /// A sub-application, and the path prefix it is mounted under (empty for a host).
    Mount(&'a str, &'a Application),
}

impl Mapping {
    // ANCHOR: compile
    /// Compiles every pattern once, in order, and all of them into one set.
    pub(crate) fn new(subject: Subject, mapping: Vec<(String, Target)>) -> Result<Mapping, Error> {
        let mut sources = Vec::with_capacity(mapping.len());
        let mut routes = Vec::with_capacity(mapping.len());
        for (pattern, Target(kind)) in mapping {
            let (prefix, source) = anchored(subject, &pattern, &kind)?;
            let regex = Regex::new(&source).map_err(|e| bad_pattern(&pattern, e))?;
            routes.push(Route {
                prefix,
                regex,
                kind,
            });
            sources.push(source);
        }
        let set =
            RegexSet::new(&sources).map_err(|e| bad_pattern("(the set of all patterns)", e))?;
        Ok(Mapping {
            subject,
            set,
            routes: routes.into(),
        })
    }
    // ANCHOR_END: compile

    // ANCHOR: find
    /// The first route whose pattern matches all of `subject`, with its groups.
    pub(crate) fn find(&self, subject: &str) -> Option<Found<'_>> {
        let index = self.set.matches(subject).into_iter().next()?;
        let route = &self.routes[index];
        tracing::debug!(pattern = %shown(&self.set.patterns()[index]), "matched");
        match &route.kind {
            Kind::Mount(app) => Some(Found::Mount(&route.prefix, app)),
            Kind::Methods(methods) => {
                let caps = route.regex.captures(subject)?;
                let args = caps
                    .iter()
                    .skip(1)
                    .map(|g| g.map(|m| m.as_str().to_string()))
                    .collect();
                Some(Found::Call(methods, Args(args)))
            }
            Kind::Redirect(template) => {
                let caps = route.regex.captures(subject)?;
                let mut url = String::new();
                caps.expand(template, &mut url);
                Some(Found::Redirect(url))
            }
            // `new` refuses these, so a compiled mapping has none.
            Kind::Refused(_) => None,
        }
    }
    // ANCHOR_END: find

    /// What the patterns are matched against.
    pub(crate) fn subject(&self) -> Subject {
        self.subject
    }
}

/// The pattern as compiled: anchored at both ends, or, for a path mount, the literal
/// prefix followed by `/` or the end. Returns the mount's prefix too.
fn anchored(subject: Subject, pattern: &str, kind: &Kind) -> Result<(String, String), Error> {
    match kind {
        Kind::Refused(reason) => Err(Error::BadTarget {
            pattern: pattern.to_string(),
            reason: reason.clone(),
        }),
        Kind::Mount(_) if subject == Subject::Path => {
            let prefix = pattern.strip_suffix('/').unwrap_or(pattern).to_string();
            let source = format!(r"\A{}(?:/(?s:.*))?\z", regex::escape(&prefix));
            Ok((prefix, source))
        }
        _ => Ok((String::new(), format!(r"\A(?:{pattern})\z"))),
    }
}

/// A compiled pattern as it was written, for the trace: without the anchors `anchored`
/// added (`\A(?:/login)\z` reads `/login`).
fn shown(source: &str) -> &str {
    source
        .strip_prefix(r"\A(?:")
        .and_then(|s| s.strip_suffix(r")\z"))
        .unwrap_or(source)
}

fn bad_pattern(pattern: &str, e: regex::Error) -> Error {
    Error::BadPattern {
        pattern: pattern.to_string(),
        reason: e.to_string(),
    }
}
