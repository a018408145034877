//! Links between chapters: every link reaches a file and a heading that exist, and no
//! chapter points at another by its position ("the next chapter").
//!
//! - [`dead_links`]: a link to a chapter (`x.md`), a heading (`x.md#id`, `#id`) or a
//!   repository file (`../../a/src/b.rs`) that is not there. Why: mdBook renders a dead
//!   link as a link, silently, and a heading renamed leaves every link to it dead. An id
//!   is mdBook's: the heading's text, lowercased, spaces to `-`, every other character
//!   that is not alphanumeric, `_` or `-` dropped, and `-1`, `-2` … after a repeat
//!   ([`heading_id`], [`heading_ids`]).
//! - [`positional_references`]: "the next chapter", "the previous chapter", "the chapter
//!   after next" outside a link's text. Why: chapters move (the book reorders them to
//!   follow the request's trip), and a reference by position then points elsewhere; a
//!   link names its chapter and is checked.
//! - [`summary_titles`]: `SUMMARY.md` names each chapter by its `# ` heading.

use std::collections::HashMap;

use regex::Regex;

/// A reference to a chapter by its position.
pub const POSITIONAL: &str = r"(?i)\b(?:next|previous|last|following|preceding)\s+chapters?\b|\bchapters?\s+(?:after|before)\s+(?:next|last|this)\b";

/// mdBook's id for a heading whose Markdown text is `heading` (without the `#`s).
pub fn heading_id(heading: &str) -> String {
    let mut text = String::new();
    // A link in a heading shows its text only: drop `](target)`.
    let mut rest = heading;
    while let Some(at) = rest.find("](") {
        text.push_str(&rest[..at]);
        rest = rest[at..].find(')').map_or("", |end| &rest[at + end + 1..]);
    }
    text.push_str(rest);
    text.chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// The ids of a chapter's headings (`#` lines outside code fences), in order, repeats
/// numbered as mdBook numbers them.
pub fn heading_ids(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ids = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let id = heading_id(heading.trim().trim_end_matches('#').trim_end());
        let count = seen.entry(id.clone()).or_insert(0);
        ids.push(match *count {
            0 => id,
            n => format!("{id}-{n}"),
        });
        *count += 1;
    }
    ids
}

/// The link targets of a chapter (inline `](target)` and reference `[x]: target`), with
/// their line from 1, outside code fences and code spans; web addresses left out.
pub fn links_in(text: &str) -> Vec<(usize, String)> {
    let reference = Regex::new(r"^\s*\[[^\]]+\]:\s*(\S+)").expect("a valid pattern");
    let mut found = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join("``");
        let mut targets: Vec<String> = Vec::new();
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            targets.push(
                rest[..end]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            );
        }
        if let Some(c) = reference.captures(&prose) {
            targets.push(c[1].to_owned());
        }
        found.extend(
            targets
                .into_iter()
                .filter(|t| !t.is_empty() && !t.contains("://") && !t.starts_with("mailto:"))
                .map(|t| (n + 1, t)),
        );
    }
    found
}

/// The dead links of chapter `name` (a file of the book's `src`, text `text`), given a
/// way to read another chapter by name and to tell whether a path relative to `src`
/// exists.
pub fn dead_links(
    name: &str,
    text: &str,
    chapter: impl Fn(&str) -> Option<String>,
    exists: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (line, target) in links_in(text) {
        let (file, id) = match target.split_once('#') {
            Some((file, id)) => (file, Some(id)),
            None => (target.as_str(), None),
        };
        let shown = format!("{name}:{line}: the link `{target}`");
        let heading_text = match (file.is_empty(), file.ends_with(".md")) {
            (true, _) => Some(text.to_owned()),
            (false, true) => chapter(file),
            (false, false) => {
                if !exists(file) {
                    problems.push(format!("{shown} names a file that does not exist"));
                }
                continue;
            }
        };
        let Some(heading_text) = heading_text else {
            problems.push(format!("{shown} names a chapter that does not exist"));
            continue;
        };
        if let Some(id) = id {
            if !heading_ids(&heading_text).iter().any(|h| h == id) {
                problems.push(format!(
                    "{shown} names no heading of {}: ids are mdBook's (see `heading_id`)",
                    if file.is_empty() { name } else { file }
                ));
            }
        }
    }
    problems
}

/// References by position in `text` outside a link's text: one problem each.
pub fn positional_references(name: &str, text: &str) -> Vec<String> {
    let pattern = Regex::new(POSITIONAL).expect("POSITIONAL is a valid pattern");
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for m in pattern.find_iter(line) {
            let before = &line[..m.start()];
            let after = &line[m.end()..];
            let in_link_text = before.rfind('[') > before.rfind(']')
                && after
                    .find("](")
                    .is_some_and(|close| !after[..close].contains('['));
            if !in_link_text {
                problems.push(format!(
                    "{name}:{}: \"{}\" points at a chapter by position; link it by name",
                    n + 1,
                    m.as_str()
                ));
            }
        }
    }
    problems
}

/// The entries of `SUMMARY.md` whose title is not their chapter's first heading, given a
/// way to read a chapter by name: one problem each. Why: the table of contents and the
/// page then name the same chapter two ways, and a reader looking for one finds the other.
pub fn summary_titles(summary: &str, chapter: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let entry = Regex::new(r"\[([^\]]+)\]\(([^)#]+\.md)\)").expect("a valid pattern");
    let mut problems = Vec::new();
    for (n, line) in summary.lines().enumerate() {
        for c in entry.captures_iter(line) {
            let (title, file) = (&c[1], &c[2]);
            let heading = chapter(file).and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("# ").map(|h| h.trim().to_owned()))
            });
            match heading {
                Some(h) if h == title => {}
                Some(h) => problems.push(format!(
                    "SUMMARY.md:{}: `{title}` is `# {h}` in {file}; use one title",
                    n + 1
                )),
                None => problems.push(format!(
                    "SUMMARY.md:{}: {file} does not exist or has no `# ` heading",
                    n + 1
                )),
            }
        }
    }
    problems
}
