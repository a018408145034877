//! `ServeArgs`: the command line `pywsgi MODULE:CALLABLE [--port P] [--threads N]
//! [--timeout S] [--chdir DIR]`, read without Python, so it is tested everywhere.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use httpserver::{BadArgument, ServerArgs, ServerConfig};

/// Where the server listens when `--port` is not given (as the other programs).
pub const DEFAULT_PORT: u16 = httpserver::DEFAULT_PORT;

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeArgs {
    /// The application as gunicorn and granian name it: `MODULE:CALLABLE`, the callable
    /// possibly dotted (`app:application.wsgifunc` is not a call: name an attribute).
    pub app: AppSpec,
    /// The port on 127.0.0.1; 0 lets the system pick.
    pub port: u16,
    /// Worker threads (each one a Python thread), when given.
    pub threads: Option<usize>,
    /// Header, body, write and keep-alive timeouts, when given.
    pub timeout: Option<Duration>,
    /// The directory to change into before importing (it goes first on `sys.path`).
    pub chdir: Option<PathBuf>,
}

/// `MODULE:CALLABLE`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSpec {
    /// The module to import (`package.module`).
    pub module: String,
    /// The attribute path inside it (`app` or `obj.attr`).
    pub callable: String,
}

/// A command line this program cannot run, naming the argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsError(pub String);

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgsError {}

/// The usage line, printed with every argument error.
pub const USAGE: &str =
    "usage: pywsgi MODULE:CALLABLE [--port P] [--threads N] [--timeout S] [--chdir DIR]";

impl AppSpec {
    /// Splits `MODULE:CALLABLE`; both parts must be dotted Python names.
    ///
    /// # Errors
    /// An [`ArgsError`] naming the spec when a part is missing or not a name.
    pub fn parse(spec: &str) -> Result<AppSpec, ArgsError> {
        let bad = || ArgsError(format!("{spec:?}: expected MODULE:CALLABLE, as myapp:app"));
        let (module, callable) = spec.split_once(':').ok_or_else(bad)?;
        let dotted = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|part| {
                    part.chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_')
                        && part.chars().all(|c| c.is_alphanumeric() || c == '_')
                })
        };
        if !dotted(module) || !dotted(callable) {
            return Err(bad());
        }
        Ok(AppSpec {
            module: module.to_owned(),
            callable: callable.to_owned(),
        })
    }
}

impl ServeArgs {
    /// Reads the arguments after the program name: the server's own three flags as every
    /// example reads them ([`ServerArgs`]), then `--chdir` and the application.
    ///
    /// # Errors
    /// An [`ArgsError`] naming the first argument that is unknown, lacks its value, or
    /// has a value out of range; or saying the application is missing.
    pub fn parse<S: Into<String>>(
        args: impl IntoIterator<Item = S>,
    ) -> Result<ServeArgs, ArgsError> {
        let bad = |e: BadArgument| ArgsError(e.to_string());
        let mut server = ServerArgs::parse(args).map_err(bad)?;
        if server.threads == Some(0) {
            return Err(ArgsError(
                "--threads 0: needs a whole number in range, at least 1".to_owned(),
            ));
        }
        let chdir = server.take_flag("--chdir").map_err(bad)?.map(PathBuf::from);
        let mut app = None;
        for arg in server.rest.drain(..) {
            if arg.starts_with("--") {
                return Err(ArgsError(format!("{arg}: not an argument pywsgi takes")));
            }
            if app.is_some() {
                return Err(ArgsError(format!("{arg:?}: one application only")));
            }
            app = Some(AppSpec::parse(&arg)?);
        }
        let app = app.ok_or_else(|| ArgsError("no application given".to_owned()))?;
        Ok(ServeArgs {
            app,
            port: server.port,
            threads: server.threads,
            timeout: server.timeout,
            chdir,
        })
    }

    /// The server configuration the flags ask for, on 127.0.0.1, as [`ServerArgs::config`]
    /// makes it.
    pub fn config(&self) -> ServerConfig {
        let server = ServerArgs {
            port: self.port,
            threads: self.threads,
            timeout: self.timeout,
            rest: Vec::new(),
        };
        server.config()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_and_every_flag_are_read() {
        let args = ServeArgs::parse([
            "web.app:application.wsgi",
            "--port",
            "0",
            "--threads",
            "3",
            "--timeout",
            "4",
            "--chdir",
            "/srv",
        ])
        .expect("parses");
        assert_eq!(
            args.app,
            AppSpec {
                module: "web.app".into(),
                callable: "application.wsgi".into()
            }
        );
        assert_eq!(
            (args.port, args.threads, args.timeout),
            (0, Some(3), Some(Duration::from_secs(4)))
        );
        assert_eq!(args.chdir, Some(PathBuf::from("/srv")));
        let config = args.config();
        assert_eq!(
            (config.bind_addr.as_str(), config.threads),
            ("127.0.0.1:0", 3)
        );
        assert_eq!(config.header_timeout, Duration::from_secs(4));
    }

    #[test]
    fn defaults_are_port_8080_and_the_servers_threads() {
        let args = ServeArgs::parse(["myapp:app"]).expect("parses");
        assert_eq!(
            (args.port, args.threads, args.chdir.as_deref()),
            (8080, None, None)
        );
        assert_eq!(args.config().threads, ServerConfig::default().threads);
    }

    #[test]
    fn a_bad_command_line_names_what_is_wrong() {
        for (line, says) in [
            (&["myapp"][..], "MODULE:CALLABLE"),
            (&["myapp:"][..], "MODULE:CALLABLE"),
            (&["my-app:app"][..], "MODULE:CALLABLE"),
            (&["a:b", "c:d"][..], "one application"),
            (&["--port", "0"][..], "no application"),
            (&["a:b", "--port", "65536"][..], "--port 65536"),
            (&["a:b", "--threads", "0"][..], "--threads 0"),
            (&["a:b", "--timeout"][..], "needs a value"),
            (&["a:b", "--workers", "2"][..], "--workers"),
        ] {
            let err = ServeArgs::parse(line.iter().copied()).expect_err("refused");
            assert!(err.to_string().contains(says), "{line:?}: {err}");
        }
    }
}
