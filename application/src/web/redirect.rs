//! The redirect family: `redirect` (301), `found` (302), `seeother` (303),
//! `tempredirect` (307), with `Location` made absolute as web.py's `Redirect` did.

use crate::{ctx, HttpError};

/// `301 Moved Permanently` to `url`.
pub fn redirect(url: &str) -> HttpError {
    redirect_to("301 Moved Permanently", url, false)
}

/// `302 Found` to `url`.
pub fn found(url: &str) -> HttpError {
    redirect_to("302 Found", url, false)
}

/// `303 See Other` to `url`: the answer to a successful POST.
pub fn seeother(url: &str) -> HttpError {
    redirect_to("303 See Other", url, false)
}

/// `307 Temporary Redirect` to `url` (the client repeats the method and body).
pub fn tempredirect(url: &str) -> HttpError {
    redirect_to("307 Temporary Redirect", url, false)
}

// ANCHOR: redirect
/// A redirect with any status: web.py's `Redirect(url, status, absolute)`. `url` is first
/// resolved against `ctx.path` (so `"edit"` from `/page/1` is `/page/edit`); a result
/// starting with `/` is then prefixed with `ctx.home` (or `ctx.realhome` when
/// `absolute`, to leave a sub-application), which makes `Location` an absolute URL. Full
/// URLs pass unchanged. The one-word forms take web.py's `absolute=True` as a call on the
/// result: `seeother("/login").absolute()`.
///
/// web.py's `ctx.home` came from the request's `Host` header, so the host in `Location`
/// was the client's choice. Here it is the application's home when one is set
/// (`Application::set_home`), a host from its allowed list when that is set, and the
/// server's own address when the client sent no host.
pub fn redirect_to(status: &str, url: &str, absolute: bool) -> HttpError {
    let (path, home, realhome) =
        ctx::with(|c| (c.path.clone(), c.home.clone(), c.realhome.clone()))
            .unwrap_or_else(|_| ("/".to_string(), String::new(), String::new()));
    let joined = urljoin(&path, url);
    if !joined.starts_with('/') {
        return HttpError::redirect_parts(status, joined, None);
    }
    let home = if absolute { &realhome } else { &home };
    let location = format!("{home}{joined}");
    HttpError::redirect_parts(status, location, Some((joined, realhome)))
}
// ANCHOR_END: redirect

/// Python's `urljoin(base, url)` for a path base: what a browser would resolve `url` to
/// on the page `base`.
pub(crate) fn urljoin(base: &str, url: &str) -> String {
    let has_scheme = url.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
            && s.as_bytes()[0].is_ascii_alphabetic()
    });
    if has_scheme || url.starts_with('/') {
        return url.to_string();
    }
    if url.is_empty() {
        return base.to_string();
    }
    if url.starts_with('?') || url.starts_with('#') {
        let base_path = base.split(['?', '#']).next().unwrap_or("");
        return format!("{base_path}{url}");
    }
    let dir = base.rfind('/').map_or("/", |i| &base[..=i]);
    let (path, rest) = match url.find(['?', '#']) {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    format!("{}{rest}", remove_dot_segments(&format!("{dir}{path}")))
}

/// RFC 3986 §5.2.4 on an absolute path.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    let mut trailing_slash = false;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => trailing_slash = i == last,
            ".." => {
                out.pop();
                trailing_slash = i == last;
            }
            s => {
                out.push(s);
                trailing_slash = false;
            }
        }
    }
    let mut joined = format!("/{}", out.join("/"));
    if trailing_slash && !joined.ends_with('/') {
        joined.push('/');
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::urljoin;

    #[test]
    fn urljoin_resolves_like_a_browser() {
        let table = [
            ("/a/b", "c", "/a/c"),
            ("/a/b", "/c", "/c"),
            ("/a/b/", "c", "/a/b/c"),
            ("/a/b", "../c", "/c"),
            ("/a/b", "./", "/a/"),
            ("/a/b", "..", "/"),
            ("/a/b", "?x=1", "/a/b?x=1"),
            ("/a/b", "", "/a/b"),
            ("/a/b", "http://example.com/x", "http://example.com/x"),
            ("/a/b", "c?d=../e", "/a/c?d=../e"),
            ("", "c", "/c"),
        ];
        for (base, url, want) in table {
            assert_eq!(urljoin(base, url), want, "urljoin({base:?}, {url:?})");
        }
    }
}
