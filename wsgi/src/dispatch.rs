//! `PathInfoDispatcher`: mount apps under path prefixes, as cheroot's
//! `wsgi.PathInfoDispatcher` does, but segment-aware.

use crate::app::{SharedApp, WsgiApp};
use crate::body::Body;
use crate::environ::Environ;
use crate::error::AppError;
use crate::start_response::StartResponse;

/// Routes a request to the app mounted at the longest prefix of its `PATH_INFO`, moving
/// the prefix from `PATH_INFO` to the end of `SCRIPT_NAME` (so the mounted app sees paths
/// relative to its mount point and can rebuild its URLs from `SCRIPT_NAME`).
///
/// A prefix matches whole segments only: `/sub` captures `/sub` and `/sub/x` but not
/// `/subway` (cheroot tests `path.startswith(p + '/') or path == p`, the same rule). The prefix
/// `""` (or `/`) matches every path. No match: `404 Not Found`.
pub struct PathInfoDispatcher {
    // Longest prefix first, so `/a/b` wins over `/a` for `/a/b/c`.
    apps: Vec<(Vec<u8>, SharedApp)>,
}

impl PathInfoDispatcher {
    /// A dispatcher over `(prefix, app)` pairs. Prefixes are normalised: a trailing `/`
    /// is dropped, so `/sub/` and `/sub` are the same mount.
    pub fn new<I, P>(apps: I) -> PathInfoDispatcher
    where
        I: IntoIterator<Item = (P, SharedApp)>,
        P: AsRef<str>,
    {
        let mut apps: Vec<(Vec<u8>, SharedApp)> = apps
            .into_iter()
            .map(|(prefix, app)| {
                let prefix = prefix.as_ref().trim_end_matches('/');
                (prefix.as_bytes().to_vec(), app)
            })
            .collect();
        apps.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        PathInfoDispatcher { apps }
    }

    fn route(&self, path: &[u8]) -> Option<(usize, &SharedApp)> {
        self.apps
            .iter()
            .find(|(prefix, _)| segment_prefix(prefix, path))
            .map(|(prefix, app)| (prefix.len(), app))
    }
}

// ANCHOR: segment_prefix
/// Whether `prefix` is `path` itself or `path`'s leading whole segments.
fn segment_prefix(prefix: &[u8], path: &[u8]) -> bool {
    path.starts_with(prefix) && (path.len() == prefix.len() || path[prefix.len()] == b'/')
}
// ANCHOR_END: segment_prefix

impl WsgiApp for PathInfoDispatcher {
    fn call(&self, env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
        let path = env.path_info_bytes().to_vec();
        let Some((len, app)) = self.route(&path) else {
            sr.start_response(
                "404 Not Found",
                [("Content-Type", "text/plain"), ("Content-Length", "9")],
            )?;
            return Ok(Body::from_bytes("Not Found"));
        };
        let mut script = env.script_name_bytes().to_vec();
        script.extend_from_slice(&path[..len]);
        env.set_script_name(script);
        env.set_path_info(&path[len..]);
        app.call(env, sr)
    }
}
