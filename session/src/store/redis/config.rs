//! `RedisConfig`: where the Redis store connects and how long it waits, read from a URL.
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};

// ANCHOR: redis_config
/// How a [`RedisStore`](super::RedisStore) reaches Redis, names its keys and bounds its
/// waits; [`RedisConfig::from_url`] reads all of it from one URL.
///
/// Its `Debug` shows the URL with the password as `***`.
#[derive(Clone, PartialEq)]
pub struct RedisConfig {
    /// The server, in the `redis` crate's form: `redis://[[user]:password@]host[:port][/db]`,
    /// or `rediss://…` for Redis over TLS (the `redis-tls` feature). The store's own
    /// parameters below are taken out of the query string before the crate sees it.
    pub url: String,
    /// Keys are `<prefix>:<id>`. Default `"session"` (`?prefix=`). Two applications that
    /// share a Redis database need two prefixes.
    pub prefix: String,
    /// The key's time to live, reset by every save (`SET … EX`). Set it to the
    /// session's idle timeout ([`SessionConfig::timeout`](crate::SessionConfig::timeout)),
    /// so Redis drops a session exactly when it would expire and no cleanup scan is
    /// needed. Default 86400 s, the session's default timeout (`?ttl=1d`).
    pub ttl: Duration,
    /// The longest wait for a new connection, handshake included; also the longest a
    /// request waits for a free pooled connection. Default 500 ms (`?connect_timeout=`).
    pub connect_timeout: Duration,
    /// The longest wait for one command's reply (and to send it). Default 500 ms
    /// (`?command_timeout=`).
    pub command_timeout: Duration,
    /// The most connections open at once, shared by all worker threads. Default 16
    /// (`?pool_size=`).
    pub pool_size: u32,
    /// TLS: the CA certificate(s), PEM, that signed the server's certificate, for a Redis
    /// whose certificate comes from a CA of your own. Default: the system's trust store
    /// (`?ca_file=/etc/redis/ca.pem`).
    pub ca_file: Option<PathBuf>,
    /// Mutual TLS, for a Redis that checks its clients (`tls-auth-clients yes`): this
    /// client's certificate chain and its private key, PEM, both or neither
    /// (`?cert_file=…&key_file=…`). The files are read when the store is opened.
    pub cert_file: Option<PathBuf>,
    /// The private key of [`cert_file`](Self::cert_file) (`?key_file=`).
    pub key_file: Option<PathBuf>,
}
// ANCHOR_END: redis_config

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out by accident.
        let RedisConfig {
            url,
            prefix,
            ttl,
            connect_timeout,
            command_timeout,
            pool_size,
            ca_file,
            cert_file,
            key_file,
        } = self;
        f.debug_struct("RedisConfig")
            .field("url", &redact(url))
            .field("prefix", prefix)
            .field("ttl", ttl)
            .field("connect_timeout", connect_timeout)
            .field("command_timeout", command_timeout)
            .field("pool_size", pool_size)
            .field("ca_file", ca_file)
            .field("cert_file", cert_file)
            .field("key_file", key_file)
            .finish()
    }
}

/// The store's own query parameters: they configure [`RedisConfig`], not the connection.
const OWN_PARAMETERS: &[&str] = &[
    "prefix",
    "ttl",
    "connect_timeout",
    "command_timeout",
    "pool_size",
    "ca_file",
    "cert_file",
    "key_file",
];

impl RedisConfig {
    /// The defaults, for the server at `url` (taken as it is: use [`from_url`](Self::from_url)
    /// to read the store's parameters out of the query string).
    pub fn new(url: impl Into<String>) -> RedisConfig {
        RedisConfig {
            url: url.into(),
            prefix: "session".to_owned(),
            ttl: Duration::from_secs(86400),
            connect_timeout: Duration::from_millis(500),
            command_timeout: Duration::from_millis(500),
            pool_size: 16,
            ca_file: None,
            cert_file: None,
            key_file: None,
        }
    }

    /// Reads a configuration from a URL such as
    /// `redis://:secret@10.0.0.5:6379/2?prefix=shop&ttl=2h&command_timeout=200ms`, or
    /// `rediss://:secret@redis.internal:6380/0?ca_file=/etc/redis/ca.pem` over TLS.
    ///
    /// Durations are a number and a unit: `ms`, `s`, `m`, `h` or `d`. File paths are
    /// percent-encoded like any query value. Other query parameters (the crate's
    /// `protocol=resp3`, say) are passed on.
    ///
    /// # Errors
    /// [`Error::Backend`] naming the problem: not a URL, a scheme other than `redis`,
    /// `rediss` or `redis+unix`, or a parameter that does not parse. The password never
    /// appears in the message. (Whether this build can speak TLS, and whether the files
    /// can be read, is checked when the store is opened.)
    pub fn from_url(text: &str) -> Result<RedisConfig> {
        let mut url = Url::parse(text).map_err(|e| bad(&redact(text), &e.to_string()))?;
        if !matches!(url.scheme(), "redis" | "rediss" | "redis+unix" | "unix") {
            let why = format!(
                "the scheme must be redis:// or rediss://, not {}://",
                url.scheme()
            );
            return Err(bad(&redact(text), &why));
        }
        let mut config = RedisConfig::new(String::new());
        let mut passed_on = Vec::new();
        let shown = redact(text);
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "prefix" if !value.is_empty() => config.prefix = value.into_owned(),
                "ttl" => {
                    config.ttl = duration(&value).ok_or_else(|| bad_param(&shown, &key, &value))?
                }
                "connect_timeout" => {
                    config.connect_timeout =
                        duration(&value).ok_or_else(|| bad_param(&shown, &key, &value))?
                }
                "command_timeout" => {
                    config.command_timeout =
                        duration(&value).ok_or_else(|| bad_param(&shown, &key, &value))?
                }
                "pool_size" => {
                    config.pool_size = value
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad_param(&shown, &key, &value))?
                }
                "ca_file" | "cert_file" | "key_file" if !value.is_empty() => {
                    let path = Some(PathBuf::from(value.as_ref()));
                    match key.as_ref() {
                        "ca_file" => config.ca_file = path,
                        "cert_file" => config.cert_file = path,
                        _ => config.key_file = path,
                    }
                }
                k if OWN_PARAMETERS.contains(&k) => return Err(bad_param(&shown, &key, &value)),
                _ => passed_on.push((key.into_owned(), value.into_owned())),
            }
        }
        if passed_on.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(passed_on);
        }
        config.url = url.into();
        Ok(config)
    }
}

/// `500ms`, `2s`, `5m`, `1h`, `1d`; zero is refused (a zero timeout would mean "wait
/// forever" to the socket layer, and a zero TTL would expire every session at once).
fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    let seconds = match unit {
        "ms" => return Some(Duration::from_millis(n)),
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    n.checked_mul(seconds).map(Duration::from_secs)
}

/// The URL for a message: any password replaced by `***`.
pub(crate) fn redact(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.into()
        }
        Ok(url) => url.into(),
        // Not a URL: it may still hold a password, so show only its scheme-like start.
        Err(_) => format!(
            "{}…",
            text.chars().take_while(|c| *c != ':').collect::<String>()
        ),
    }
}

pub(super) fn bad(url: &str, why: &str) -> Error {
    Error::Backend(format!("bad Redis URL {url}: {why}").into())
}

fn bad_param(url: &str, key: &str, value: &str) -> Error {
    let why = match key {
        "pool_size" => format!("pool_size={value:?} is not a positive whole number"),
        "prefix" | "ca_file" | "cert_file" | "key_file" => format!("{key}= is empty"),
        _ => format!("{key}={value:?} is not a duration such as 500ms, 2s, 5m, 1h or 1d"),
    };
    bad(url, &why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_parameters_come_out_of_the_url() {
        let c = RedisConfig::from_url(
            "redis://:pw@db.example:6380/3?prefix=shop&ttl=2h&connect_timeout=50ms\
             &command_timeout=1s&pool_size=4&protocol=resp3",
        )
        .expect("a good URL");
        assert_eq!(c.url, "redis://:pw@db.example:6380/3?protocol=resp3");
        assert_eq!(c.prefix, "shop");
        assert_eq!(c.ttl, Duration::from_secs(7200));
        assert_eq!(c.connect_timeout, Duration::from_millis(50));
        assert_eq!(c.command_timeout, Duration::from_secs(1));
        assert_eq!(c.pool_size, 4);
    }

    #[test]
    fn the_tls_files_come_out_of_the_url() {
        let c = RedisConfig::from_url(
            "rediss://:pw@redis.internal:6380/0?ca_file=/etc/redis/ca.pem\
             &cert_file=/etc/app/client.pem&key_file=/etc/app/client%20key.pem",
        )
        .expect("a good URL");
        assert_eq!(c.url, "rediss://:pw@redis.internal:6380/0");
        assert_eq!(c.ca_file, Some(PathBuf::from("/etc/redis/ca.pem")));
        assert_eq!(c.cert_file, Some(PathBuf::from("/etc/app/client.pem")));
        assert_eq!(c.key_file, Some(PathBuf::from("/etc/app/client key.pem")));
    }

    #[test]
    fn debug_shows_no_password() {
        let c = RedisConfig::from_url("rediss://:pw@h:6380/0?ca_file=/ca.pem").expect("URL");
        let shown = format!("{c:?}");
        assert!(shown.contains("rediss://:***@h:6380/0"), "{shown}");
        assert!(shown.contains("/ca.pem"), "{shown}");
        assert!(!shown.contains("pw"), "{shown}");
    }

    #[test]
    fn a_plain_url_gets_the_defaults() {
        let c = RedisConfig::from_url("redis://127.0.0.1:6379/0").expect("a good URL");
        assert_eq!(c, RedisConfig::new("redis://127.0.0.1:6379/0"));
    }

    #[test]
    fn bad_urls_are_named_without_their_password() {
        for (url, needle) in [
            ("http://:pw@h/0", "the scheme must be redis://"),
            ("redis://:pw@h/0?ttl=soon", "ttl=\"soon\" is not a duration"),
            ("redis://:pw@h/0?ttl=0s", "ttl=\"0s\""),
            ("redis://:pw@h/0?command_timeout=5", "command_timeout=\"5\""),
            (
                "redis://:pw@h/0?pool_size=0",
                "pool_size=\"0\" is not a positive",
            ),
            ("redis://:pw@h/0?prefix=", "prefix= is empty"),
            ("rediss://:pw@h/0?ca_file=", "ca_file= is empty"),
            ("not a url :pw", "bad Redis URL not a url …"),
        ] {
            let message = RedisConfig::from_url(url).expect_err(url).to_string();
            assert!(message.contains(needle), "{url}: {message}");
            assert!(!message.contains("pw"), "{url}: {message}");
        }
    }
}
