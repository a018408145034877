//! What a URL pattern maps to: web.py's class names, functions, `redirect` strings and
//! sub-applications, and the call of a handler for the request's method.
//!
//! web.py found a class's methods with `hasattr(cls, "POST")`. Rust cannot ask a type
//! which methods it has, and listing them beside the code (a `METHODS` constant) let the
//! list and the methods drift apart: a method left out was a silent 405, one listed but
//! not written went into `Allow`. So a handler's methods are named once, where they are
//! given: `Target::route().get(show).post(save)`. The table is the handler; `Allow` is
//! computed from it.

use std::str::FromStr;
use std::sync::Arc;

use crate::http_error::{badrequest, constant, internalerror, nomethod};
use crate::outcome::Outcome;
use crate::{Application, HttpError};

/// A function that answers one method (or, for [`Target::func`], every method).
pub(crate) type Call = Arc<dyn Fn(&Args) -> Outcome + Send + Sync>;

/// The capture groups of the URL (or host) pattern that matched: web.py passed them as
/// the handler method's positional arguments. An optional group that did not take part
/// in the match is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args(pub(crate) Vec<Option<String>>);

impl Args {
    /// Group `i` (0 is the first group, not the whole match).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i).and_then(|g| g.as_deref())
    }

    /// Group `i` as text, `""` for an optional group that did not take part (web.py
    /// passed `None`, which most handlers then used as an empty string).
    pub fn str(&self, i: usize) -> &str {
        self.get(i).unwrap_or("")
    }

    /// Group `i` parsed as a `T`: `let id: u32 = args.parse(0)?;`. A value that does not
    /// parse (`/item/abc` for `/item/(\w+)`), or an optional group that did not take
    /// part, is a `400` whose plain-text body names the argument and the value; an `i`
    /// past the pattern's groups is the program's mistake, a `500`.
    pub fn parse<T: FromStr>(&self, i: usize) -> Result<T, HttpError> {
        let Some(group) = self.0.get(i) else {
            let mut e = internalerror();
            e.detail = Some(format!(
                "URL argument {i} asked for, but the pattern has {} groups",
                self.0.len()
            ));
            return Err(e);
        };
        let why = match group.as_deref() {
            None => format!("URL argument {i} is missing"),
            Some(text) => match text.parse() {
                Ok(value) => return Ok(value),
                Err(_) => format!(
                    "URL argument {i} ({text:?}) is not a valid {}",
                    type_name::<T>()
                ),
            },
        };
        tracing::debug!(why, "bad URL argument: 400");
        Err(badrequest()
            .with(constant("Content-Type", "text/plain; charset=utf-8"))
            .with_body(why))
    }

    /// How many groups the pattern has.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the pattern has no groups.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All groups in order.
    pub fn as_slice(&self) -> &[Option<String>] {
        &self.0
    }
}

// ANCHOR: target
/// What a URL pattern maps to.
#[derive(Clone)]
pub struct Target(pub(crate) Kind);

#[derive(Clone)]
pub(crate) enum Kind {
    /// A handler: a function per method, and maybe one for every other method.
    Methods(Methods),
    /// `redirect /url`: a 301 to the URL, `$1`… replaced by the groups.
    Redirect(String),
    /// A sub-application under a literal path prefix (or a host pattern).
    Mount(Application),
    /// A target built wrong (a method on a redirect, a method given twice):
    /// `Application::new` refuses it with this reason.
    Refused(String),
}

/// web.py's handler class as a table: method name → function.
#[derive(Clone, Default)]
pub(crate) struct Methods {
    named: Vec<(String, Call)>,
    any: Option<Call>,
}
// ANCHOR_END: target

impl Target {
    // ANCHOR: route
    /// A handler with no methods yet; add them with [`get`](Target::get),
    /// [`post`](Target::post)… Each method is named once, here, so `Allow` is always what
    /// the handler answers: `Target::route().get(show).post(save)` answers `PUT` with
    /// `405` and `Allow: GET, HEAD, POST`.
    pub fn route() -> Target {
        Target(Kind::Methods(Methods::default()))
    }

    /// The function for `GET`; it also answers `HEAD` (its body dropped) unless
    /// [`head`](Target::head) is given.
    pub fn get(self, f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        self.method("GET", f)
    }

    /// The function for `POST`.
    pub fn post(self, f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        self.method("POST", f)
    }
    // ANCHOR_END: route

    /// The function for `HEAD` (without it, `GET`'s runs and its body is dropped).
    pub fn head(self, f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        self.method("HEAD", f)
    }

    /// The function for `PUT`.
    pub fn put(self, f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        self.method("PUT", f)
    }

    /// The function for `DELETE`.
    pub fn delete(self, f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        self.method("DELETE", f)
    }

    /// The function for `PATCH`.
    pub fn patch(self, f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        self.method("PATCH", f)
    }

    /// The function for `OPTIONS`.
    pub fn options(self, f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        self.method("OPTIONS", f)
    }

    /// The function for any method by name, `PROPFIND` say (web.py called any method a
    /// class defined). Names are upper case, as web.py required of requests: a name
    /// that is not an upper-case token, or one given twice, makes `Application::new`
    /// fail with [`Error::BadTarget`](crate::Error::BadTarget).
    pub fn method(
        self,
        name: &str,
        f: impl Fn(&Args) -> Outcome + Send + Sync + 'static,
    ) -> Target {
        let methods = match self.0 {
            Kind::Methods(methods) => methods,
            Kind::Refused(why) => return Target(Kind::Refused(why)),
            _ => return refused(format!("{name} given to a redirect or a mount")),
        };
        let well_formed = !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase());
        if !well_formed {
            return refused(format!("method {name:?} is not an upper-case name"));
        }
        if methods.named.iter().any(|(n, _)| n == name) {
            return refused(format!("{name} given twice"));
        }
        let mut methods = methods;
        methods.named.push((name.to_string(), Arc::new(f)));
        Target(Kind::Methods(methods))
    }

    /// A plain function, called for every method the table does not name: web.py's
    /// function target (`("/", hello)` with `def hello(): …`).
    pub fn func(f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
        Target(Kind::Methods(Methods {
            named: Vec::new(),
            any: Some(Arc::new(f)),
        }))
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
    /// `/subway` (web.py used `startswith` and did). In a host mapping
    /// (`Application::subdomains`) the pattern is a host pattern and the path is kept.
    pub fn app(app: Application) -> Target {
        Target(Kind::Mount(app))
    }
}

/// `u32` for `u32`, `String` for `alloc::string::String`: what a reader calls the type.
fn type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    match full.contains('<') {
        true => full,
        false => full.rsplit("::").next().unwrap_or(full),
    }
}

/// `Target::route().get(f)`, for a mapping that fits on a line:
/// `Application::new([("/", get(index)), ("/add", post(add))])`; more methods chain as on
/// any route (`get(show).post(save)`).
pub fn get(f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
    Target::route().get(f)
}

/// `Target::route().post(f)`.
pub fn post(f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
    Target::route().post(f)
}

/// `Target::route().put(f)`.
pub fn put(f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
    Target::route().put(f)
}

/// `Target::route().delete(f)`.
pub fn delete(f: impl Fn(&Args) -> Outcome + Send + Sync + 'static) -> Target {
    Target::route().delete(f)
}

fn refused(why: String) -> Target {
    Target(Kind::Refused(why))
}

impl From<Application> for Target {
    fn from(app: Application) -> Target {
        Target::app(app)
    }
}

/// web.py's order for `Allow` (`NoMethod`'s list); other methods follow in the order
/// they were given.
const WEB_PY_ORDER: [&str; 5] = ["GET", "HEAD", "POST", "PUT", "DELETE"];

impl Methods {
    // ANCHOR: dispatch_method
    /// Calls the function for `method`, with web.py's HEAD→GET fallback; a method with
    /// no function is a 405 whose `Allow` lists the ones there are.
    pub(crate) fn call(&self, method: &str, args: &Args) -> Outcome {
        let named = |m: &str| self.named.iter().find(|(n, _)| n == m).map(|(_, f)| f);
        let f = match (named(method), method) {
            (Some(f), _) => Some(f),
            (None, "HEAD") => named("GET").or(self.any.as_ref()),
            (None, _) => self.any.as_ref(),
        };
        match f {
            Some(f) => {
                let _span = tracing::debug_span!("handler", method).entered();
                f(args)
            }
            // The list is made of methods the mapping checked to be tokens.
            None => Err(nomethod().with_header("Allow", self.allow())?),
        }
    }
    // ANCHOR_END: dispatch_method

    /// The `Allow` list: web.py's five in its order, `HEAD` whenever `GET` is there
    /// (it is answered), then the others as given.
    fn allow(&self) -> String {
        let has = |m: &str| self.named.iter().any(|(n, _)| n == m);
        let mut allow: Vec<&str> = WEB_PY_ORDER
            .into_iter()
            .filter(|m| has(m) || (*m == "HEAD" && has("GET")))
            .collect();
        let others = self.named.iter().map(|(n, _)| n.as_str());
        allow.extend(others.filter(|n| !WEB_PY_ORDER.contains(n)));
        allow.join(", ")
    }
}
