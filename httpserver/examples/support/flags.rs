//! The command line every server example takes (the workspace's convention):
//! `--port P` (default 8080; 0 picks a free port), `--threads N` (default 8),
//! `--timeout S` (header, body, write and keep-alive timeouts at once), plus the extra
//! flags an example names. Shared by the examples through `#[path]`, so each stays one
//! file a reader can run.
#![allow(dead_code)]

use std::time::Duration;

use httpserver::ServerConfig;

/// Prints the library's log (`tracing` events) on stderr, one line each: what `RUST_LOG`
/// asks for (`RUST_LOG=debug`: every step of each request, the trip), else `info` and up.
pub fn log_to_stderr() {
    testkit::log::to_stderr();
}

/// The parsed flags.
pub struct Flags {
    pub port: u16,
    pub threads: usize,
    pub timeout: Option<Duration>,
    extras: Vec<(String, String)>,
}

impl Flags {
    /// Reads `std::env::args`; `extra` names the flags (each with a value) this example
    /// takes besides the common three. An unknown flag or a bad number is an error.
    pub fn parse(extra: &[&str]) -> Result<Flags, String> {
        let mut flags = Flags {
            port: 8080,
            threads: 8,
            timeout: None,
            extras: Vec::new(),
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args.next().ok_or(format!("{flag} needs a value"))?;
            let bad = |_| format!("{flag}: not a number: {value}");
            match flag.as_str() {
                "--port" => flags.port = value.parse().map_err(bad)?,
                "--threads" => flags.threads = value.parse().map_err(bad)?,
                "--timeout" => {
                    flags.timeout = Some(Duration::from_secs(value.parse().map_err(bad)?))
                }
                other if extra.contains(&other) => flags.extras.push((flag, value)),
                _ => {
                    return Err(format!(
                        "unknown option {flag}; use --port, --threads, --timeout {}",
                        extra.join(", ")
                    ))
                }
            }
        }
        Ok(flags)
    }

    /// The value of an extra flag, if given.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extras
            .iter()
            .find(|(flag, _)| flag == name)
            .map(|(_, value)| value.as_str())
    }

    /// The server configuration the flags ask for, on 127.0.0.1.
    pub fn config(&self) -> ServerConfig {
        let mut config = ServerConfig::from_host_port("127.0.0.1", self.port);
        config.threads = self.threads;
        match self.timeout {
            Some(timeout) => config.timeout(timeout),
            None => config,
        }
    }
}
