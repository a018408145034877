//! Redis over TLS for `RedisStore`: `rediss://` URLs, a CA of your own, a client certificate
//! for mutual TLS (feature `redis-tls`); and the error a build without the feature gives.
use std::fmt;

use redis::Client;
use url::Url;

use super::config::{bad, redact, RedisConfig};
use crate::error::Result;

/// The `redis` crate's client for `config`: in the clear, or over TLS with the
/// certificates of [`RedisConfig::ca_file`] and [`RedisConfig::cert_file`] read now.
pub(super) fn client(config: &RedisConfig) -> Result<Client> {
    let shown = redact(&config.url);
    let tls = is_tls(&config.url);
    check_files(config, &shown, tls)?;
    if tls {
        tls_client(config, &shown)
    } else {
        Client::open(config.url.as_str()).map_err(|e| bad(&shown, &e.to_string()))
    }
}

/// `rediss://` (and the crate's other spelling, `valkeys://`).
fn is_tls(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "rediss" | "valkeys"))
}

/// Refuses what would silently mean less security than asked for: certificate files on a
/// URL in the clear (the user believes the traffic is encrypted), half a client identity,
/// and the crate's `#insecure` (no certificate check at all).
fn check_files(config: &RedisConfig, shown: &str, tls: bool) -> Result<()> {
    let files = [
        ("ca_file", &config.ca_file),
        ("cert_file", &config.cert_file),
        ("key_file", &config.key_file),
    ];
    if let (false, Some((name, _))) = (tls, files.iter().find(|(_, f)| f.is_some())) {
        let why = format!("{name}= is for rediss:// (TLS) URLs; this one is in the clear");
        return Err(bad(shown, &why));
    }
    if config.cert_file.is_some() != config.key_file.is_some() {
        let why = "cert_file= and key_file= go together (mutual TLS needs both)";
        return Err(bad(shown, why));
    }
    if tls && Url::parse(&config.url).is_ok_and(|u| u.fragment() == Some("insecure")) {
        let why = "#insecure (no certificate check) is not supported; \
                   give the server's CA with ?ca_file= instead";
        return Err(bad(shown, why));
    }
    Ok(())
}

/// A `rediss://` URL given to a build without the `redis-tls` feature: the error's source
/// (`Error::Backend`), which a caller can downcast to.
#[derive(Debug)]
pub struct TlsNotBuilt {
    /// The URL, password redacted.
    url: String,
}

impl fmt::Display for TlsNotBuilt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is Redis over TLS, which this build cannot speak: enable the session \
             crate's `redis-tls` feature (session = {{ features = [\"redis-tls\"] }})",
            self.url
        )
    }
}

impl std::error::Error for TlsNotBuilt {}

#[cfg(not(feature = "redis-tls"))]
fn tls_client(_config: &RedisConfig, shown: &str) -> Result<Client> {
    // Refused, not passed on: the `redis` crate would refuse it too, but without naming
    // the feature that fixes it; and it must never fall back to plain text.
    Err(crate::Error::Backend(Box::new(TlsNotBuilt {
        url: shown.to_owned(),
    })))
}

// ANCHOR: tls_client
#[cfg(feature = "redis-tls")]
fn tls_client(config: &RedisConfig, shown: &str) -> Result<Client> {
    use redis::{ClientTlsConfig, TlsCertificates};

    install_crypto_provider();
    // `None`: the system's trust store, as a browser would.
    let root_cert = match &config.ca_file {
        Some(path) => Some(read_certificates("ca_file", path, shown)?),
        None => None,
    };
    let client_tls = match (&config.cert_file, &config.key_file) {
        (Some(cert), Some(key)) => Some(ClientTlsConfig {
            client_cert: read_certificates("cert_file", cert, shown)?,
            client_key: read_file("key_file", key, shown)?,
        }),
        _ => None,
    };
    let certificates = TlsCertificates {
        client_tls,
        root_cert,
    };
    Client::build_with_tls(config.url.as_str(), certificates)
        .map_err(|e| bad(shown, &e.to_string()))
}
// ANCHOR_END: tls_client

/// Makes `ring` the process's rustls crypto provider, unless the application chose one.
///
/// The `redis` crate (1.8) builds each connection's TLS configuration with
/// `rustls::ClientConfig::builder()`, which takes the process-wide provider, and panics
/// when none is installed and rustls cannot pick one from its features (none, or both
/// `ring` and `aws-lc-rs`, enabled in the application's build). Installed here, when a
/// TLS store is opened, it is there before any connection is.
#[cfg(feature = "redis-tls")]
fn install_crypto_provider() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // `Err` means the application installed a provider first; connections use that.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A PEM file that must hold at least one certificate: an empty or wrong file would
/// otherwise be an empty trust store, and every handshake would fail with a message that
/// does not point at the file.
#[cfg(feature = "redis-tls")]
fn read_certificates(name: &str, path: &std::path::Path, shown: &str) -> Result<Vec<u8>> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};

    let pem = read_file(name, path, shown)?;
    if CertificateDer::pem_slice_iter(&pem).any(|c| c.is_ok()) {
        Ok(pem)
    } else {
        let why = format!(
            "{name} {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        );
        Err(bad(shown, &why))
    }
}

/// The file's bytes; a failure names the file (never its contents).
#[cfg(feature = "redis-tls")]
fn read_file(name: &str, path: &std::path::Path, shown: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let why = format!("{name} {} cannot be read: {e}", path.display());
        bad(shown, &why)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(url: &str) -> String {
        let config = RedisConfig::from_url(url).expect("the URL parses");
        client(&config).expect_err(url).to_string()
    }

    // `cargo test -p session` runs this (the tests' own build has `redis`, not
    // `redis-tls`); with the feature, tests/redis_tls.rs opens `rediss://` stores for real.
    #[cfg(not(feature = "redis-tls"))]
    #[test]
    fn a_build_without_the_feature_refuses_rediss_and_names_the_feature() {
        let url = "rediss://:pw@redis.internal:6380/0?ca_file=/etc/redis/ca.pem";
        let err = super::super::RedisStore::open(url).expect_err("no TLS in this build");
        let text = err.to_string();
        assert!(
            text.contains("rediss://:***@redis.internal:6380/0"),
            "{text}"
        );
        assert!(text.contains("`redis-tls` feature"), "{text}");
        assert!(!text.contains("pw"), "{text}");
        let source = std::error::Error::source(&err).expect("a source");
        assert!(source.downcast_ref::<TlsNotBuilt>().is_some(), "{source:?}");
    }

    #[test]
    fn certificate_files_on_a_url_in_the_clear_are_refused() {
        let text = message("redis://:pw@h:6379/0?ca_file=/etc/ca.pem");
        assert!(
            text.contains("ca_file= is for rediss:// (TLS) URLs"),
            "{text}"
        );
        assert!(!text.contains("pw"), "{text}");
    }

    #[test]
    fn half_a_client_identity_is_refused() {
        for url in [
            "rediss://h:6380/0?cert_file=/c.pem",
            "rediss://h:6380/0?key_file=/k.pem",
        ] {
            let text = message(url);
            assert!(
                text.contains("cert_file= and key_file= go together"),
                "{text}"
            );
        }
    }

    #[test]
    fn no_certificate_check_is_refused() {
        let text = message("rediss://h:6380/0#insecure");
        assert!(text.contains("#insecure (no certificate check)"), "{text}");
    }

    #[cfg(feature = "redis-tls")]
    #[test]
    fn certificate_files_are_named_on_failure_and_their_contents_never_shown() {
        let dir = std::env::temp_dir().join(format!("redis-tls-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        let not_pem = dir.join("not-a-certificate.pem");
        std::fs::write(&not_pem, "PRIVATE-MATERIAL-NOT-PEM").expect("write");
        let missing = dir.join("missing.pem");
        for (url, needle) in [
            (
                format!("rediss://:pw@h/0?ca_file={}", not_pem.display()),
                format!("ca_file {} holds no PEM certificate", not_pem.display()),
            ),
            (
                format!("rediss://:pw@h/0?ca_file={}", missing.display()),
                format!("ca_file {} cannot be read", missing.display()),
            ),
            (
                format!(
                    "rediss://:pw@h/0?cert_file={}&key_file={}",
                    not_pem.display(),
                    not_pem.display()
                ),
                format!("cert_file {} holds no PEM certificate", not_pem.display()),
            ),
        ] {
            let text = message(&url);
            assert!(text.contains(&needle), "{text}");
            assert!(!text.contains("PRIVATE-MATERIAL"), "{text}");
            assert!(!text.contains("pw"), "{text}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
