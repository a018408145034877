//! The allowlists (`tidy/*.txt`): what may break a rule for now, each with its reason.
//!
//! Every list has the same shape, `path name: reason` a line, and the same promise: an
//! entry that no longer matches a problem fails the check too, so a list only shrinks.

/// One allowlist entry: `path name: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// The file, relative to the workspace root, with `/`.
    pub path: String,
    /// What in that file: the function as [`crate::LongFunction::name`] spells it, or
    /// the listing as [`crate::Listing::key`] does.
    pub name: String,
}

/// The entries of the allowlist `list` (its file name, for messages) with text `text`
/// (`path name: reason` a line, the reason after the first `: `; `#` starts a comment),
/// and the problems with its lines (no reason, no name).
pub fn parse_allowlist(list: &str, text: &str) -> (Vec<Allowed>, Vec<String>) {
    let mut allowed = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry = line.split_once(": ").and_then(|(item, reason)| {
            let (path, name) = item.trim().split_once(' ')?;
            let reason = reason.trim();
            (!reason.is_empty() && !name.trim().is_empty()).then(|| Allowed {
                path: path.to_owned(),
                name: name.trim().to_owned(),
            })
        });
        match entry {
            Some(entry) => allowed.push(entry),
            None => problems.push(format!(
                "{list}:{}: `{line}` is not `path name: reason`",
                n + 1
            )),
        }
    }
    (allowed, problems)
}

/// The entries of `allowed` that match nothing in `found` (each a `(path, name)` key):
/// fixed since, or misspelt. One problem each, naming `list`.
pub fn stale_entries(list: &str, allowed: &[Allowed], found: &[(String, String)]) -> Vec<String> {
    allowed
        .iter()
        .filter(|a| !found.iter().any(|(p, n)| *p == a.path && *n == a.name))
        .map(|a| {
            format!(
                "{list}: `{} {}` no longer breaks the rule; remove the entry",
                a.path, a.name
            )
        })
        .collect()
}

/// Whether `allowed` lists `(path, name)`.
pub fn is_listed(allowed: &[Allowed], path: &str, name: &str) -> bool {
    allowed.iter().any(|a| a.path == path && a.name == name)
}
