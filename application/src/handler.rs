//! Handlers: web.py's classes with `GET`, `POST`… methods, one fresh instance per request.

use crate::body::Outcome;
use crate::http_error::nomethod;

/// An HTTP method a handler can define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD` (falls back to `GET` when the handler does not define it)
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Options => "OPTIONS",
        }
    }

    /// The method for a name; methods are case-sensitive (RFC 9110 §9.1).
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "OPTIONS" => Method::Options,
            _ => return None,
        })
    }
}

/// The capture groups of the URL pattern that matched: web.py passed them as the
/// handler method's positional arguments. An optional group that did not take part in
/// the match is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args(pub(crate) Vec<Option<String>>);

impl Args {
    /// Group `i` (0 is the first group, not the whole match).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i).and_then(|g| g.as_deref())
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

// ANCHOR: handler_trait
/// A web.py handler class. The application makes a fresh value per request (from
/// `Default` or a factory) and calls the method the request names.
///
/// Python found the defined methods with `hasattr`; Rust cannot ask a type which trait
/// methods it overrode, so a handler lists them in `METHODS`. A method not listed is a
/// `405` whose `Allow` is `METHODS` (plus `HEAD` when `GET` is listed).
pub trait Handler: Send + 'static {
    /// The methods this handler defines.
    const METHODS: &'static [Method];

    /// `GET`.
    fn get(&mut self, args: &Args) -> Outcome {
        not_defined::<Self>(args)
    }
    /// `HEAD`; when not listed, `GET` runs and its body is dropped.
    fn head(&mut self, args: &Args) -> Outcome {
        not_defined::<Self>(args)
    }
    /// `POST`.
    fn post(&mut self, args: &Args) -> Outcome {
        not_defined::<Self>(args)
    }
    /// `PUT`.
    fn put(&mut self, args: &Args) -> Outcome {
        not_defined::<Self>(args)
    }
    /// `DELETE`.
    fn delete(&mut self, args: &Args) -> Outcome {
        not_defined::<Self>(args)
    }
    /// `PATCH`.
    fn patch(&mut self, args: &Args) -> Outcome {
        not_defined::<Self>(args)
    }
    /// `OPTIONS`.
    fn options(&mut self, args: &Args) -> Outcome {
        not_defined::<Self>(args)
    }
}
// ANCHOR_END: handler_trait

fn not_defined<H: Handler + ?Sized>(_: &Args) -> Outcome {
    Err(nomethod(&allowed(H::METHODS)))
}

/// The `Allow` list for a handler's methods: `HEAD` comes with `GET`.
pub(crate) fn allowed(methods: &[Method]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = methods.iter().map(|m| m.as_str()).collect();
    if methods.contains(&Method::Get) && !methods.contains(&Method::Head) {
        out.push("HEAD");
    }
    out
}

// ANCHOR: dispatch_method
/// Calls the method `method` names on a fresh handler, with web.py's HEAD→GET fallback.
pub(crate) fn call<H: Handler>(handler: &mut H, method: &str, args: &Args) -> Outcome {
    let listed = |m| H::METHODS.contains(&m);
    let m = match Method::parse(method) {
        Some(Method::Head) if !listed(Method::Head) && listed(Method::Get) => Method::Get,
        Some(m) if listed(m) => m,
        _ => return Err(nomethod(&allowed(H::METHODS))),
    };
    match m {
        Method::Get => handler.get(args),
        Method::Head => handler.head(args),
        Method::Post => handler.post(args),
        Method::Put => handler.put(args),
        Method::Delete => handler.delete(args),
        Method::Patch => handler.patch(args),
        Method::Options => handler.options(args),
    }
}
// ANCHOR_END: dispatch_method
