//! The balance rules: a chapter is read, not scrolled, so its code is outweighed by the
//! text that says what to look at in it.
//!
//! - No wall of listings: a chapter shows at most [`MAX_LISTING_RATIO`] lines of listing
//!   for each line of prose. A listing line is a line inside a code fence, an
//!   `{{#include}}` counting as the lines it pastes; a prose line is any other line that
//!   is not blank, not a heading and not an include outside a fence (a generated table).
//!   Why: a chapter that is mostly code leaves the reader to find what matters in it
//!   alone; the lines that matter are shown under narrow anchors, and the rest of a file
//!   is pointed at ("the whole file is `path`"), not pasted. `tidy/listing-balance.txt`
//!   names the chapters over the rule for now (`chapter ratio: reason`).
//! - Every listing is introduced: the last line before a code fence opens is prose (a
//!   paragraph or a list item), not a heading, another listing or the chapter's start.
//!   Why: the paragraph before a listing tells the reader what to look at in it; a
//!   heading or another listing tells nothing. `tidy/listing-balance.txt` names the
//!   chapters that still have such listings (`chapter introductions: reason`).
//!
//! Both read a chapter a line at a time and follow its code fences, as the
//! [`crate::listings_in`] scanner does.

use std::io;
use std::path::{Path, PathBuf};

use crate::allowlist::{is_listed, stale_entries, Allowed};
use crate::listings::{closes, fence_marker};
use crate::{anchor_region, folded, includes_in};

/// The most listing lines a chapter may show per line of prose.
pub const MAX_LISTING_RATIO: usize = 2;

/// How much of a chapter is listing and how much is prose, in lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// The chapter, as given to [`balance_of`].
    pub chapter: PathBuf,
    /// Lines inside code fences, each include counted as the lines it pastes.
    pub listing: usize,
    /// Lines outside fences that are not blank, not headings and not includes.
    pub prose: usize,
}

impl Balance {
    /// Whether the chapter shows more than [`MAX_LISTING_RATIO`] listing lines per prose line.
    pub fn is_wall(&self) -> bool {
        self.listing > MAX_LISTING_RATIO * self.prose
    }
}

/// The balance of one chapter's text, given a way to read the files its includes name.
/// An include that cannot be read, or whose anchor is missing, counts as one line:
/// [`crate::book_includes`] reports it.
pub fn balance_of(
    chapter: &Path,
    text: &str,
    read: impl Fn(&Path) -> io::Result<String>,
) -> Balance {
    let mut balance = Balance {
        chapter: chapter.to_path_buf(),
        listing: 0,
        prose: 0,
    };
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(marker) = &fence {
            if closes(trimmed, marker) {
                fence = None;
            } else {
                balance.listing += pasted_lines(chapter, line, &read).unwrap_or(1);
            }
            continue;
        }
        if let Some(marker) = fence_marker(trimmed) {
            fence = Some(marker);
        } else if !(trimmed.is_empty()
            || trimmed.starts_with('#')
            || pasted_lines(chapter, line, &read).is_some())
        {
            balance.prose += 1;
        }
    }
    balance
}

/// The lines an include on `line` pastes, or `None` when `line` has no include (or
/// names a file or region that is missing).
fn pasted_lines(
    chapter: &Path,
    line: &str,
    read: &impl Fn(&Path) -> io::Result<String>,
) -> Option<usize> {
    let include = includes_in(chapter, line).into_iter().next()?;
    let target = folded(
        &chapter
            .parent()
            .unwrap_or(Path::new("."))
            .join(&include.path),
    );
    let source = read(&target).ok()?;
    let region = match &include.anchor {
        Some(anchor) => anchor_region(&source, anchor)?,
        None => source,
    };
    Some(region.lines().count())
}

/// A code fence whose last line before it is not prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unintroduced {
    /// The chapter it is in.
    pub chapter: PathBuf,
    /// The line that opens the fence, from 1.
    pub line: usize,
    /// What stands before it instead: "a heading", "another listing", "the chapter's start".
    pub after: &'static str,
}

/// The code fences of one chapter that no prose introduces.
pub fn unintroduced_listings(chapter: &Path, text: &str) -> Vec<Unintroduced> {
    let mut found = Vec::new();
    let mut fence: Option<String> = None;
    // What the last non-blank line outside a fence was: `None` at the start.
    let mut last: Option<&'static str> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(marker) = &fence {
            if closes(trimmed, marker) {
                fence = None;
                last = Some("another listing");
            }
            continue;
        }
        if let Some(marker) = fence_marker(trimmed) {
            let after = match last {
                None => Some("the chapter's start"),
                Some("prose") => None,
                Some(other) => Some(other),
            };
            if let Some(after) = after {
                found.push(Unintroduced {
                    chapter: chapter.to_path_buf(),
                    line: n + 1,
                    after,
                });
            }
            fence = Some(marker);
        } else if trimmed.starts_with('#') {
            last = Some("a heading");
        } else if !trimmed.is_empty() {
            last = Some("prose");
        }
    }
    found
}

/// The chapter `path` relative to `root`, with `/`.
fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Problems: each chapter over [`MAX_LISTING_RATIO`] that `allowed` does not name as
/// `chapter ratio`, and each entry that names a chapter within the rule (or names
/// neither `ratio` nor `introductions`).
pub fn listing_heavy_chapters(
    balances: &[Balance],
    allowed: &[Allowed],
    root: &Path,
) -> Vec<String> {
    let heavy: Vec<(&Balance, (String, String))> = balances
        .iter()
        .filter(|b| b.is_wall())
        .map(|b| (b, (relative(&b.chapter, root), "ratio".to_owned())))
        .collect();
    let mut problems: Vec<String> = heavy
        .iter()
        .filter(|(_, (chapter, name))| !is_listed(allowed, chapter, name))
        .map(|(b, (chapter, _))| {
            format!(
                "{chapter}: {} lines of listing against {} of prose (more than \
                 {MAX_LISTING_RATIO} to 1): show the lines that matter under narrower anchors, \
                 point at the rest of the file by its path, and say what to look at; or add \
                 `{chapter} ratio: REASON` to tidy/listing-balance.txt",
                b.listing, b.prose
            )
        })
        .collect();
    let keys: Vec<(String, String)> = heavy.into_iter().map(|(_, key)| key).collect();
    let ours: Vec<Allowed> = allowed
        .iter()
        .filter(|a| a.name != "introductions")
        .cloned()
        .collect();
    problems.extend(stale_entries("tidy/listing-balance.txt", &ours, &keys));
    problems
}

/// Problems: each listing without an introduction in a chapter that `allowed` does not
/// name as `chapter introductions`, and each such entry whose chapter has none.
pub fn listings_without_introduction(
    found: &[Unintroduced],
    allowed: &[Allowed],
    root: &Path,
) -> Vec<String> {
    let mut problems: Vec<String> = found
        .iter()
        .map(|u| (u, relative(&u.chapter, root)))
        .filter(|(_, chapter)| !is_listed(allowed, chapter, "introductions"))
        .map(|(u, chapter)| {
            format!(
                "{chapter}:{}: this listing follows {}: write the paragraph before it that \
                 says what to look at in it, or add `{chapter} introductions: REASON` to \
                 tidy/listing-balance.txt",
                u.line, u.after
            )
        })
        .collect();
    let keys: Vec<(String, String)> = found
        .iter()
        .map(|u| (relative(&u.chapter, root), "introductions".to_owned()))
        .collect();
    let ours: Vec<Allowed> = allowed
        .iter()
        .filter(|a| a.name == "introductions")
        .cloned()
        .collect();
    problems.extend(stale_entries("tidy/listing-balance.txt", &ours, &keys));
    problems
}
