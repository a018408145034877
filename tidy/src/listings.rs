//! The listing rules: what an `{{#include}}` shows is read, not skimmed, and renders
//! where the chapter puts it.
//!
//! - No listing wall: an included region inside a code fence is at most
//!   [`MAX_LISTING_LINES`] lines. Why: past a screen, a reader scrolls past the code the
//!   text is about; a long item is shown as a short skeleton first, then its parts, each
//!   under its own anchor. `tidy/long-listings.txt` names the walls that stay for now,
//!   each with its reason.
//! - An include inside a list item carries the item's indentation. Why: mdBook pastes
//!   the region as it is in the source file, and only the directive's own line has the
//!   item's indentation; every line after it starts at column 0, which ends the list
//!   item, so the code leaves the list and the fence's closing line opens a code block
//!   that swallows the bullets after it. `tidy/list-item-includes.txt` names the
//!   includes that still do this, each with its reason.
//!
//! Both read a chapter a line at a time and follow its code fences; that is all of
//! Markdown they need.

use std::io;
use std::path::{Path, PathBuf};

use crate::allowlist::{is_listed, stale_entries, Allowed};
use crate::{anchor_region, folded, includes_in};

/// The most lines an included region inside a code fence may show.
pub const MAX_LISTING_LINES: usize = 40;

/// One `{{#include}}` as the reader meets it: where, what, and how indented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The chapter it is in, as given to [`listings_in`].
    pub chapter: PathBuf,
    /// The chapter's line with the directive, from 1.
    pub line: usize,
    /// The included file: the chapter's folder joined with the path, `..` folded.
    pub target: PathBuf,
    /// The anchor, or `None` for the whole file.
    pub anchor: Option<String>,
    /// Whether the directive is inside a code fence, which makes the region a listing.
    pub in_fence: bool,
    /// The indentation every included line needs to stay where the directive is: the
    /// fence's, inside one, else the directive's own.
    pub indent: usize,
    /// How many lines the region shows.
    pub lines: usize,
    /// The first line of the pasted text (from 1; line 1 is the directive's) with less
    /// than [`Listing::indent`] spaces, if any.
    pub unindented: Option<usize>,
}

impl Listing {
    /// Its allowlist key: the chapter, and `file[:anchor]`, both relative to `root`.
    pub fn key(&self, root: &Path) -> (String, String) {
        let relative = |p: &Path| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
        let mut shown = relative(&self.target);
        if let Some(anchor) = &self.anchor {
            shown = format!("{shown}:{anchor}");
        }
        (relative(&self.chapter), shown)
    }
}

/// A code fence the scanner is inside: its marker (```` ``` ```` or `~~~`, at least three)
/// and indentation.
struct Fence {
    marker: String,
    indent: usize,
}

/// The includes of one chapter with what they show, given a way to read the files they
/// name. An include whose file or anchor is missing is left out: [`crate::book_includes`]
/// reports it.
pub fn listings_in(
    chapter: &Path,
    text: &str,
    read: impl Fn(&Path) -> io::Result<String>,
) -> Vec<Listing> {
    let mut found = Vec::new();
    let mut fence: Option<Fence> = None;
    for (n, line) in text.lines().enumerate() {
        let leading = indentation(line);
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            if closes(trimmed, &open.marker) {
                fence = None;
                continue;
            }
        } else if let Some(marker) = fence_marker(trimmed) {
            fence = Some(Fence {
                marker,
                indent: leading,
            });
            continue;
        }
        for include in includes_in(chapter, line) {
            let target = folded(
                &chapter
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(&include.path),
            );
            let Ok(source) = read(&target) else { continue };
            let region = match &include.anchor {
                Some(anchor) => match anchor_region(&source, anchor) {
                    Some(region) => region,
                    None => continue,
                },
                None => source,
            };
            let indent = fence.as_ref().map_or(leading, |f| f.indent);
            found.push(Listing {
                chapter: chapter.to_path_buf(),
                line: n + 1,
                target,
                anchor: include.anchor,
                in_fence: fence.is_some(),
                indent,
                lines: region.lines().count(),
                unindented: first_unindented(leading, &region, indent),
            });
        }
    }
    found
}

/// The first pasted line (from 1) with less than `indent` spaces: line 1 is the
/// directive's prefix (`leading` spaces) followed by the region's first line; the others
/// are the region's as they are. Blank lines do not count.
fn first_unindented(leading: usize, region: &str, indent: usize) -> Option<usize> {
    if indent == 0 {
        return None;
    }
    region.lines().enumerate().find_map(|(i, line)| {
        let have = if i == 0 {
            leading + indentation(line)
        } else {
            indentation(line)
        };
        (!line.trim().is_empty() && have < indent).then_some(i + 1)
    })
}

/// Leading spaces of `line`, a tab counting as four.
fn indentation(line: &str) -> usize {
    line.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// The fence `trimmed` opens, if it opens one: its run of backticks or tildes.
pub(crate) fn fence_marker(trimmed: &str) -> Option<String> {
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let marker: String = trimmed.chars().take_while(|x| *x == c).collect();
    (marker.len() >= 3).then_some(marker)
}

/// Whether `trimmed` closes the fence opened by `marker`: the same character, at least
/// as many, nothing after.
pub(crate) fn closes(trimmed: &str, marker: &str) -> bool {
    fence_marker(trimmed).is_some_and(|m| {
        m.starts_with(&marker[..1])
            && m.len() >= marker.len()
            && trimmed[m.len()..].trim().is_empty()
    })
}

/// Problems: each listing (an include inside a fence) over [`MAX_LISTING_LINES`] lines
/// that `allowed` does not name, and each entry of `allowed` that names no such wall.
pub fn listing_walls(listings: &[Listing], allowed: &[Allowed], root: &Path) -> Vec<String> {
    let walls: Vec<(&Listing, (String, String))> = listings
        .iter()
        .filter(|l| l.in_fence && l.lines > MAX_LISTING_LINES)
        .map(|l| (l, l.key(root)))
        .collect();
    let mut problems: Vec<String> = walls
        .iter()
        .filter(|(_, (chapter, shown))| !is_listed(allowed, chapter, shown))
        .map(|(l, (chapter, shown))| {
            format!(
                "{chapter}:{}: `{shown}` shows {} lines (more than {MAX_LISTING_LINES}): show a \
                 short skeleton, then its parts under their own anchors, or add \
                 `{chapter} {shown}: REASON` to tidy/long-listings.txt",
                l.line, l.lines
            )
        })
        .collect();
    let keys: Vec<(String, String)> = walls.into_iter().map(|(_, key)| key).collect();
    problems.extend(stale_entries("tidy/long-listings.txt", allowed, &keys));
    problems
}

/// Problems: each include whose pasted text leaves the indentation it needs (inside a
/// list item) that `allowed` does not name, and each entry that names no such include.
pub fn includes_breaking_lists(
    listings: &[Listing],
    allowed: &[Allowed],
    root: &Path,
) -> Vec<String> {
    let broken: Vec<(&Listing, usize, (String, String))> = listings
        .iter()
        .filter_map(|l| Some((l, l.unindented?, l.key(root))))
        .collect();
    let mut problems: Vec<String> = broken
        .iter()
        .filter(|(_, _, (chapter, shown))| !is_listed(allowed, chapter, shown))
        .map(|(l, at, (chapter, shown))| {
            format!(
                "{chapter}:{}: `{shown}` is included {} spaces deep (in a list item), but line \
                 {at} of what it pastes is less indented, so the code breaks out of the list \
                 and swallows what follows: end the list before the listing, or add \
                 `{chapter} {shown}: REASON` to tidy/list-item-includes.txt",
                l.line, l.indent
            )
        })
        .collect();
    let keys: Vec<(String, String)> = broken.into_iter().map(|(_, _, key)| key).collect();
    problems.extend(stale_entries("tidy/list-item-includes.txt", allowed, &keys));
    problems
}
