//! The request's environ as the application sees it: CGI variables and the body reader.
//!
//! The gateway lends its `Environ` to the application only for the duration of the
//! call, but `ctx` must outlive the call while a streaming body runs. So the application
//! copies the variables (a few dozen short strings, measured in the `request/hello`
//! bench) and takes the body reader.

use std::collections::BTreeMap;
use std::io::Read;

use wsgi::Environ;

/// CGI variables, the decoded path, and the body reader of one request.
pub(crate) struct Env {
    pub(crate) vars: Vars,
    pub(crate) path_info: Vec<u8>,
    pub(crate) input: Option<Box<dyn Read + Send>>,
}

/// The environ's text variables, `wsgi.url_scheme` included.
#[derive(Debug, Default)]
pub(crate) struct Vars(BTreeMap<String, String>);

impl Env {
    /// The application's copy of the gateway's environ; the body reader moves over.
    pub(crate) fn from_environ(environ: &mut Environ) -> Env {
        let mut vars: BTreeMap<String, String> = environ
            .vars()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert(
            "wsgi.url_scheme".to_string(),
            environ.url_scheme().to_string(),
        );
        Env {
            vars: Vars(vars),
            path_info: environ.path_info_bytes().to_vec(),
            input: Some(environ.take_input()),
        }
    }
}

impl Vars {
    /// One variable as text.
    pub(crate) fn var(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Every variable, in key order.
    pub(crate) fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
