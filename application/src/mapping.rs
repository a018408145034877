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

use crate::body::Outcome;
use crate::handler::{self, Args, Handler};
use crate::{Application, Error};

type Call = Arc<dyn Fn(&str, &Args) -> Outcome + Send + Sync>;

// ANCHOR: target
/// What a URL pattern maps to.
#[derive(Clone)]
pub struct Target(pub(crate) Kind);

#[derive(Clone)]
pub(crate) enum Kind {
    /// A handler type or a plain function: called with the method and the groups.
    Call(Call),
    /// `redirect /url`: a 301 to the URL, `$1`… replaced by the groups.
    Redirect(String),
    /// A sub-application under a literal path prefix.
    Mount(Application),
}

impl Target {
    /// A handler type, a fresh `H::default()` per request.
    pub fn handler<H: Handler + Default>() -> Target {
        Target::handler_with(H::default)
    }

    /// A handler type made by `make` for every request.
    pub fn handler_with<H: Handler>(make: impl Fn() -> H + Send + Sync + 'static) -> Target {
        Target(Kind::Call(Arc::new(move |method: &str, args: &Args| {
            handler::call(&mut make(), method, args)
        })))
    }

    /// A plain function, called for every method.
    pub fn func(f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        Target(Kind::Call(Arc::new(move |_: &str, args: &Args| f(args))))
    }

    /// web.py's `"redirect /new"` target: `301` to `url` (made absolute against
    /// `ctx.home`), keeping the query for `GET`; `$1`, `$2`… are the pattern's groups
    /// (web.py wrote `\1`). A group followed by a letter, digit or `_` needs braces:
    /// `${1}abc`, since `$1abc` names a group `1abc` that does not exist and expands to
    /// nothing; `$$` is a literal `$`.
    pub fn redirect(url: impl Into<String>) -> Target {
        Target(Kind::Redirect(url.into()))
    }

    /// Another application mounted under the pattern, which is a literal path prefix
    /// here, matched on segment boundaries: `/sub` takes `/sub` and `/sub/…`, never
    /// `/subway` (web.py used `startswith` and did).
    pub fn app(app: Application) -> Target {
        Target(Kind::Mount(app))
    }
}

impl From<Application> for Target {
    fn from(app: Application) -> Target {
        Target::app(app)
    }
}
// ANCHOR_END: target

struct Route {
    /// For a mount: the prefix without a trailing `/`.
    prefix: String,
    regex: Regex,
    kind: Kind,
}

/// The compiled mapping.
#[derive(Clone)]
pub(crate) struct Mapping {
    set: RegexSet,
    routes: Arc<[Route]>,
}

/// What the mapping found for a path.
pub(crate) enum Found<'a> {
    Call(&'a Call, Args),
    Redirect(String),
    Mount(&'a str, &'a Application),
}

impl Mapping {
    // ANCHOR: compile
    /// Compiles every pattern once, in order.
    pub(crate) fn new(mapping: Vec<(String, Target)>) -> Result<Mapping, Error> {
        let mut anchored = Vec::with_capacity(mapping.len());
        let mut routes = Vec::with_capacity(mapping.len());
        for (pattern, Target(kind)) in mapping {
            let (prefix, source) = match &kind {
                Kind::Mount(_) => {
                    let prefix = pattern.strip_suffix('/').unwrap_or(&pattern).to_string();
                    let source = format!(r"\A{}(?:/(?s:.*))?\z", regex::escape(&prefix));
                    (prefix, source)
                }
                _ => (String::new(), format!(r"\A(?:{pattern})\z")),
            };
            let bad = |e: regex::Error| Error::BadPattern {
                pattern: pattern.clone(),
                reason: e.to_string(),
            };
            routes.push(Route {
                prefix,
                regex: Regex::new(&source).map_err(bad)?,
                kind,
            });
            anchored.push(source);
        }
        let set = RegexSet::new(&anchored).map_err(|e| Error::BadPattern {
            pattern: "(the set of all patterns)".to_string(),
            reason: e.to_string(),
        })?;
        Ok(Mapping {
            set,
            routes: routes.into(),
        })
    }
    // ANCHOR_END: compile

    // ANCHOR: find
    /// The first route whose pattern matches the whole path, with its groups.
    pub(crate) fn find(&self, path: &str) -> Option<Found<'_>> {
        let index = self.set.matches(path).into_iter().next()?;
        let route = &self.routes[index];
        match &route.kind {
            Kind::Mount(app) => Some(Found::Mount(&route.prefix, app)),
            Kind::Call(call) => {
                let caps = route.regex.captures(path)?;
                let args = caps
                    .iter()
                    .skip(1)
                    .map(|g| g.map(|m| m.as_str().to_string()))
                    .collect();
                Some(Found::Call(call, Args(args)))
            }
            Kind::Redirect(template) => {
                let caps = route.regex.captures(path)?;
                let mut url = String::new();
                caps.expand(template, &mut url);
                Some(Found::Redirect(url))
            }
        }
    }
    // ANCHOR_END: find
}
