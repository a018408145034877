//! Which host a request is for: the allowed-hosts check and `ctx.homedomain`.
//!
//! web.py built `ctx.homedomain` from the client's `Host` header, and every redirect's
//! `Location` from that: `Host: evil.example` got `Location: http://evil.example/login`,
//! an empty `Host` got `http:///login` (a browser reads the host as `login`), and no
//! `Host` at all (HTTP/1.0) got `http://[unknown]/login`. Here an application may list
//! the hosts it serves (as Django's `ALLOWED_HOSTS`: any other is a 400) and name its
//! canonical home (redirects use it whatever the client sent); with neither, a missing or
//! empty `Host` falls back to the server's own name and port, as PEP 3333 rebuilds a URL.

use wsgi::Vars;

use crate::ctx::protocol_of;

// ANCHOR: homedomain
/// `protocol://host` for `ctx.homedomain`: the configured home, else the client's
/// `Host`, else the address the server answered on.
pub(crate) fn homedomain(vars: &Vars, home: Option<&str>) -> String {
    if let Some(home) = home {
        return home.to_string();
    }
    let protocol = protocol_of(vars);
    match vars.get("HTTP_HOST").map(str::trim) {
        Some(host) if !host.is_empty() => format!("{protocol}://{host}"),
        _ => format!("{protocol}://{}", server_authority(vars, protocol)),
    }
}
// ANCHOR_END: homedomain

/// PEP 3333's reconstruction without a `Host`: `SERVER_NAME`, then `:SERVER_PORT`
/// unless it is the scheme's default. The server sets `SERVER_NAME` to the address it
/// accepted the connection on when the request named no host.
fn server_authority(vars: &Vars, protocol: &str) -> String {
    // An environ made by hand may lack SERVER_NAME; "localhost" is at least a real host.
    let name = match vars.get("SERVER_NAME").map(str::trim) {
        Some(name) if !name.is_empty() => name,
        _ => "localhost",
    };
    // An IPv6 address needs brackets to be a URL authority.
    let name = if name.contains(':') && !name.starts_with('[') {
        format!("[{name}]")
    } else {
        name.to_string()
    };
    match vars.get("SERVER_PORT") {
        Some("80") if protocol == "http" => name,
        Some("443") if protocol == "https" => name,
        Some(port) if !port.is_empty() => format!("{name}:{port}"),
        _ => name,
    }
}

// ANCHOR: host_allowed
/// Whether `host` (the `Host` header) names one of `allowed`, compared without the
/// port and ignoring case. An entry `.example.com` allows `example.com` and every
/// subdomain of it; `*` allows any host. A missing or empty `Host` is never allowed:
/// with a list set, a request must say which site it is for.
pub(crate) fn host_allowed(host: Option<&str>, allowed: &[String]) -> bool {
    let Some(host) = host.map(str::trim).filter(|h| !h.is_empty()) else {
        return false;
    };
    let name = strip_port(host).to_ascii_lowercase();
    allowed
        .iter()
        .any(|pattern| match pattern.strip_prefix('.') {
            _ if pattern == "*" => true,
            Some(domain) => name == domain || name.ends_with(pattern.as_str()),
            None => name == *pattern,
        })
}
// ANCHOR_END: host_allowed

/// `host` without its `:port`. The port is what follows the last `:`, unless that `:`
/// is inside an IPv6 literal (`[::1]` has no port). web.py split at the first `:`, which
/// cut an IPv6 literal to `[`.
pub(crate) fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => name,
        _ => host,
    }
}

/// Whether `home` can be a configured home: `http://` or `https://`, a host, no path.
pub(crate) fn valid_home(home: &str) -> bool {
    let Some(authority) = home
        .strip_prefix("http://")
        .or_else(|| home.strip_prefix("https://"))
    else {
        return false;
    };
    !authority.is_empty()
        && !authority
            .bytes()
            .any(|b| matches!(b, b'/' | b'?' | b'#' | b'@') || b.is_ascii_whitespace() || b < 0x20)
}

#[cfg(test)]
mod tests {
    use super::{host_allowed, strip_port, valid_home};

    #[test]
    fn host_allowed_compares_without_port_and_case_and_a_dot_takes_subdomains() {
        let allowed = ["example.com".to_string(), ".example.org".to_string()];
        let table = [
            (Some("example.com"), true),
            (Some("EXAMPLE.com:8080"), true),
            (Some("www.example.com"), false),
            (Some("example.org"), true),
            (Some("a.b.example.org"), true),
            (Some("badexample.org"), false),
            (Some("evil.example"), false),
            (Some(""), false),
            (None, false),
        ];
        for (host, want) in table {
            assert_eq!(host_allowed(host, &allowed), want, "{host:?}");
        }
        assert!(host_allowed(Some("anything"), &["*".to_string()]));
        assert!(!host_allowed(None, &["*".to_string()]));
    }

    #[test]
    fn strip_port_keeps_an_ipv6_literal_whole() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("[::1]"), "[::1]");
        assert_eq!(strip_port("example.com"), "example.com");
    }

    #[test]
    fn a_home_is_a_scheme_and_an_authority_only() {
        assert!(valid_home("https://example.com"));
        assert!(valid_home("http://127.0.0.1:8080"));
        for bad in [
            "example.com",
            "https://",
            "https://a/b",
            "https://a b",
            "ftp://a",
            "https://u@a",
        ] {
            assert!(!valid_home(bad), "{bad}");
        }
    }
}
