//! `ServerArgs`: the one command line every server program of the workspace takes —
//! `--port P`, `--threads N`, `--timeout S` — the part of web.py's `runwsgi` that read
//! the address from `sys.argv`.
//!
//! It lives in the lowest layer with server programs (this crate's examples); `wsgi`
//! re-exports it for its own and `application`'s.

use std::fmt;
use std::time::Duration;

use crate::ServerConfig;

/// Where a server program listens when `--port` is not given.
pub const DEFAULT_PORT: u16 = 8080;

// ANCHOR: server_args
/// A server's command line: `--port P` (default 8080; `0` lets the system pick a free
/// port), `--threads N` (worker threads; default `ServerConfig`'s), `--timeout S` (the
/// header, body, write and keep-alive timeouts, in seconds: `ServerConfig::timeout`;
/// default `ServerConfig`'s). Whatever
/// else is on the line (an example's own flags, a directory) is handed back in
/// [`rest`](Self::rest), in order, for the program to read.
///
/// The program prints `listening on http://ADDR` with the *bound* address as its first
/// line, so a script (or a test) that asked for port 0 learns the real one.
///
/// ```
/// let args = httpserver::ServerArgs::parse(["--port", "0", "--debug", "--threads", "2"])?;
/// assert_eq!((args.port, args.threads, args.rest.as_slice()), (0, Some(2), &["--debug".to_string()][..]));
/// let config = args.config();
/// assert_eq!((config.bind_addr.as_str(), config.threads), ("127.0.0.1:0", 2));
/// # Ok::<(), httpserver::BadArgument>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerArgs {
    /// The port on 127.0.0.1.
    pub port: u16,
    /// Worker threads, when given.
    pub threads: Option<usize>,
    /// The header, body, write and keep-alive timeouts, when given.
    pub timeout: Option<Duration>,
    /// The arguments that are none of the three flags, in order.
    pub rest: Vec<String>,
}
// ANCHOR_END: server_args

impl ServerArgs {
    /// The process's own command line, after the program name.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn from_env() -> Result<ServerArgs, BadArgument> {
        ServerArgs::parse(std::env::args().skip(1))
    }

    /// Reads the three flags out of `args`.
    ///
    /// # Errors
    /// [`BadArgument`] for one of the three flags without a value ("needs a value") or
    /// with a value that is not a number in range (a port above 65535, a negative count).
    pub fn parse<S: Into<String>>(
        args: impl IntoIterator<Item = S>,
    ) -> Result<ServerArgs, BadArgument> {
        let mut parsed = ServerArgs {
            port: DEFAULT_PORT,
            threads: None,
            timeout: None,
            rest: Vec::new(),
        };
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            if !matches!(arg.as_str(), "--port" | "--threads" | "--timeout") {
                parsed.rest.push(arg);
                continue;
            }
            let Some(value) = args.next() else {
                return Err(BadArgument {
                    arg,
                    problem: "needs a value",
                });
            };
            let bad = || BadArgument {
                arg: format!("{arg} {value}").trim_end().to_owned(),
                problem: "needs a whole number in range",
            };
            match arg.as_str() {
                "--port" => parsed.port = value.parse().map_err(|_| bad())?,
                "--threads" => parsed.threads = Some(value.parse().map_err(|_| bad())?),
                _ => parsed.timeout = Some(Duration::from_secs(value.parse().map_err(|_| bad())?)),
            }
        }
        Ok(parsed)
    }

    /// Takes `flag VALUE` out of [`rest`](Self::rest), for a program's own flag (the
    /// first one given; `None` when absent).
    ///
    /// # Errors
    /// [`BadArgument`] when `flag` is the last argument, without its value.
    pub fn take_flag(&mut self, flag: &str) -> Result<Option<String>, BadArgument> {
        let Some(at) = self.rest.iter().position(|arg| arg == flag) else {
            return Ok(None);
        };
        if at + 1 == self.rest.len() {
            return Err(BadArgument {
                arg: flag.to_owned(),
                problem: "needs a value",
            });
        }
        let value = self.rest.remove(at + 1);
        self.rest.remove(at);
        Ok(Some(value))
    }

    /// These arguments, if nothing is left over: for a program that takes no others.
    ///
    /// # Errors
    /// [`BadArgument`] naming the first argument left over.
    pub fn no_rest(self) -> Result<ServerArgs, BadArgument> {
        match self.rest.first() {
            Some(extra) => Err(BadArgument {
                arg: extra.clone(),
                problem: "not an argument this program takes",
            }),
            None => Ok(self),
        }
    }

    /// The server configuration the flags ask for, on 127.0.0.1 (loopback: an example
    /// is not meant to be reachable from the network).
    pub fn config(&self) -> ServerConfig {
        let mut config = ServerConfig::from_host_port("127.0.0.1", self.port);
        if let Some(threads) = self.threads {
            config.threads = threads;
        }
        match self.timeout {
            // Header, body, write and keep-alive timeouts together, as cheroot's `timeout`.
            Some(timeout) => config.timeout(timeout),
            None => config,
        }
    }
}

/// A server command line with a flag whose value is missing or not a number in range, or
/// with an argument the program does not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadArgument {
    /// The argument: the flag and its value, or the argument not taken.
    pub arg: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl fmt::Display for BadArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?}: {} (usage: --port P, 0 for any free port; --threads N; --timeout SECONDS)",
            self.arg, self.problem
        )
    }
}

impl std::error::Error for BadArgument {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_mean_port_8080_and_the_server_defaults() {
        let args = ServerArgs::parse(Vec::<String>::new()).expect("parses");
        assert_eq!(
            args,
            ServerArgs {
                port: 8080,
                threads: None,
                timeout: None,
                rest: vec![]
            }
        );
        let (config, default) = (args.config(), ServerConfig::default());
        assert_eq!(config.bind_addr, "127.0.0.1:8080");
        assert_eq!(
            (config.threads, config.header_timeout),
            (default.threads, default.header_timeout)
        );
    }

    #[test]
    fn the_three_flags_set_port_threads_and_every_timeout() {
        let args =
            ServerArgs::parse(["--timeout", "3", "--port", "0", "--threads", "2"]).expect("parses");
        let config = args.config();
        assert_eq!(
            (config.bind_addr.as_str(), config.threads),
            ("127.0.0.1:0", 2)
        );
        let three = Duration::from_secs(3);
        assert_eq!(
            (
                config.header_timeout,
                config.body_timeout,
                config.write_timeout
            ),
            (three, three, three)
        );
    }

    #[test]
    fn other_arguments_are_handed_back_in_order() {
        let args = ServerArgs::parse(["static", "--port", "9", "--debug"]).expect("parses");
        assert_eq!(args.rest, ["static", "--debug"]);
        assert_eq!(args.port, 9);
    }

    #[test]
    fn a_missing_or_bad_value_names_the_flag_and_the_value() {
        for (line, arg) in [
            (&["--port"][..], "--port"),
            (&["--port", "65536"][..], "--port 65536"),
            (&["--threads", "-1"][..], "--threads -1"),
            (&["--timeout", "soon"][..], "--timeout soon"),
        ] {
            let err = ServerArgs::parse(line.iter().copied()).expect_err("refused");
            assert!(
                matches!(&err, BadArgument { arg: a, .. } if a == arg),
                "{line:?}: {err:?}"
            );
            assert!(err.to_string().contains(arg), "{err}");
        }
    }

    #[test]
    fn take_flag_takes_a_programs_own_flag_out_of_the_rest() {
        let mut args =
            ServerArgs::parse(["--requests", "5", "--port", "0", "dir"]).expect("parses");
        assert_eq!(args.take_flag("--requests"), Ok(Some("5".to_string())));
        assert_eq!(args.take_flag("--requests"), Ok(None));
        assert_eq!(args.rest, ["dir"]);
        let mut args = ServerArgs::parse(["--requests"]).expect("parses");
        let err = args.take_flag("--requests").expect_err("no value");
        assert_eq!(err.arg, "--requests");
    }

    #[test]
    fn no_rest_refuses_an_argument_left_over() {
        let parsed = ServerArgs::parse(["--port", "0", "--verbose"]).expect("parses");
        let err = parsed.no_rest().expect_err("refused");
        assert!(err.to_string().contains("\"--verbose\""), "{err}");
        assert!(ServerArgs::parse(["--port", "0"])
            .expect("parses")
            .no_rest()
            .is_ok());
    }
}
