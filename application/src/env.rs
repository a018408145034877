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
    vars: BTreeMap<String, String>,
    path_info: Vec<u8>,
    input: Option<Box<dyn Read + Send>>,
}

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
            vars,
            path_info: environ.path_info_bytes().to_vec(),
            input: Some(environ.take_input()),
        }
    }

    /// One variable as text.
    pub(crate) fn var(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// `PATH_INFO` as the gateway decoded it, bytes (may not be UTF-8).
    pub(crate) fn path_info(&self) -> &[u8] {
        &self.path_info
    }

    /// Takes the body reader; the body is read once and cached in `ctx`.
    pub(crate) fn take_input(&mut self) -> Option<Box<dyn Read + Send>> {
        self.input.take()
    }

    /// Every variable, for the debug page.
    pub(crate) fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
