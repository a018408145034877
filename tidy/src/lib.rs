//! Repository checks that keep the book and the code from drifting apart.
//!
//! mdBook renders an `{{#include file:anchor}}` whose anchor is missing as an empty
//! block, silently, so a chapter can lose its code without anyone noticing. The tests in
//! `tidy/tests/` run these checks over the real tree on every `cargo test --workspace`.
//!
//! Each rule, and why it is one:
//!
//! - [`book_includes`]: every include in `book/src` names a file that exists and an
//!   anchored region that is non-empty; no line-number ranges. Why: mdBook shows a
//!   missing region as nothing, and line ranges point elsewhere after the next edit.
//! - [`anchor_pairs`]: every `ANCHOR: name` in a source file has its `ANCHOR_END: name`
//!   after it, and no name is used twice in one file. Why: mdBook takes the first end
//!   it meets, so an unpaired or doubled name shows the wrong code.
//! - [`unused_anchors`]: every anchor in a crate source is shown by some chapter. Why:
//!   an anchor nobody includes is a promise to the book that is not kept.
//! - [`book_examples`]: every `--example NAME` the book tells a reader to run exists.
//!   Why: a renamed example breaks the reader's first command.
//! - [`missing_paths`]: every repository path `README.md` and `ARCHITECTURE.md` name
//!   exists, and none leads outside the repository. Why: the README's reading path and
//!   index are a learner's map, and a map with a dead end (or a road into a folder the
//!   reader does not have) is worse than none.
//! - [`missing_module_docs`]: every `.rs` file opens with a `//!` line. Why: the code is
//!   the textbook, and a file that does not say what it is for is a page without a title.
//! - [`long_functions`]: no function in a library's `src/` is over
//!   [`MAX_FUNCTION_LINES`] lines, unless `tidy/long-functions.txt` names it with a
//!   reason. Why: a long function is several steps without names, which the book
//!   cannot show one at a time; the list can only shrink.
//! - [`listing_walls`]: no included region inside a code fence is over
//!   [`MAX_LISTING_LINES`] lines, unless `tidy/long-listings.txt` names it with a
//!   reason. Why: a reader scrolls past a wall of code; a skeleton, then its parts, is
//!   read.
//! - [`listing_heavy_chapters`], [`listings_without_introduction`]: a chapter shows at
//!   most [`MAX_LISTING_RATIO`] lines of listing per line of prose, and the line before
//!   every code fence is prose, unless `tidy/listing-balance.txt` names the chapter with a
//!   reason. Why: a chapter that is mostly code leaves the reader to find what matters in
//!   it; the paragraph before a listing says what to look at (see the `balance` module).
//! - [`includes_breaking_lists`]: an include inside a list item pastes text with the
//!   item's indentation, unless `tidy/list-item-includes.txt` names it with a reason.
//!   Why: mdBook pastes the region as it is, and its unindented lines end the list item
//!   and turn the bullets after it into a code block.
//! - [`check_generated`]: the program output a chapter shows is a file in
//!   `book/src/generated/`, written by a command, and a fresh run prints the same once
//!   what varies is masked; [`check_picture`]: so is a picture the same command draws
//!   (the trip's waterfall), and [`picture_against_text`]: a picture and its text are
//!   of one run. Why: pasted output drifts from the program silently.
//! - [`bench_targets`] and the appendix test: the Benchmarks appendix has a table for
//!   every bench target of the workspace, all from one run (see the `report` module).
//!   Why: figures from different runs disagree, and a bench nobody runs rots. The
//!   appendix's charts ([`designs_svg`], [`layers_svg`]) and the profile by layer
//!   ([`profile_summary`]) are drawn from the same run, never by hand.
//! - [`retired_words`]: the retired engine's words (linger, park, a queue hop per
//!   request, "never blocking") stay out of the book, the root Markdown and the code's
//!   comments, but for the history told on purpose (`tidy/retired-words.txt`, history
//!   blocks). Why: a reader believes the prose, and the prose described a design the
//!   code no longer has (see the `prose` module).
//! - [`pasted_figures`]: no measured figure in a chapter's own text; today's come from
//!   `book/src/generated/`, yesterday's sit in a history block with date and commit.
//!   Why: a pasted figure disagrees with the appendix after the next run.
//! - [`uncited_claims`], [`dead_citations`]: a claim that the server never blocks cites
//!   the test that proves it, and that test exists. Why: the test keeps the claim true.
//! - [`dead_links`], [`positional_references`]: every chapter link reaches a file and a
//!   heading id that exist; no chapter says "the next chapter"; [`summary_titles`]:
//!   the table of contents names each chapter by its heading (see the `links` module).
//!   Why: headings are renamed and chapters move; a link is checked, a position is not.
//!
//! Each check is a pure function from file contents to a list of problems, so the tests
//! can also feed it broken input and see it complain.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

mod allowlist;
mod balance;
mod charts;
mod links;
mod listings;
mod long_functions;
mod outputs;
mod profile;
mod prose;
mod report;

pub use allowlist::{is_listed, parse_allowlist, stale_entries, Allowed};
pub use balance::{
    balance_of, listing_heavy_chapters, listings_without_introduction, unintroduced_listings,
    Balance, Unintroduced, MAX_LISTING_RATIO,
};
pub use charts::{
    designs_svg, latency_ms, layers_svg, load_rows, run_charts, Chart, Draw, LoadRow, Series,
    CHARTS, DESIGNS_CHART, LAYERS_CHART,
};
pub use links::{
    dead_links, heading_id, heading_ids, links_in, positional_references, summary_titles,
    POSITIONAL,
};
pub use listings::{
    includes_breaking_lists, listing_walls, listings_in, Listing, MAX_LISTING_LINES,
};
pub use long_functions::{
    code_only, long_functions, unlisted_long_functions, LongFunction, MAX_FUNCTION_LINES,
};
pub use outputs::{
    check_generated, check_picture, difference, generated_file, load_script, masked,
    parse_generated, picture_against_text, run_command, same_command, Mask, Output, Picture,
    ADDRESSES, BYTE_COUNTS, DURATIONS, EXAMPLE_OUTPUTS, FILE_DESCRIPTORS, GENERATED, ITEM_COUNTS,
    LOAD_MASKS, LOAD_SAMPLES, NUMBERS, PICTURES_DIR, RUN_LIMIT, SHORT_IDS, WORKER_IDS,
};
pub use profile::{
    layer_of, profile_summary, report_lines, Sampled, LAYERS, PROFILES, TOP_FUNCTIONS,
};
pub use prose::{
    citations, comment_lines, dead_citations, history_commits, history_lines, markdown_lines,
    paragraphs, pasted_figures, retired_words, uncited_claims, Finding, Retired, CITATION, CLAIM,
    FIGURE, HISTORY_START, RETIRED,
};
pub use report::{
    appendix, bench_names, bench_table, bench_targets, format_time, natural_order, parse_estimate,
    parse_facts, read_estimates, BenchTarget, Estimate, RunFacts,
};

/// One `{{#include path:anchor}}` found in a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The chapter it is in.
    pub chapter: PathBuf,
    /// The path as written, relative to the chapter.
    pub path: String,
    /// The anchor name, or `None` when the whole file is included.
    pub anchor: Option<String>,
}

/// The includes in one chapter's text.
pub fn includes_in(chapter: &Path, text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    for directive in ["{{#include ", "{{#rustdoc_include "] {
        let mut rest = text;
        while let Some(start) = rest.find(directive) {
            rest = &rest[start + directive.len()..];
            let Some(end) = rest.find("}}") else { break };
            let target = rest[..end].trim();
            let (path, anchor) = match target.split_once(':') {
                Some((path, anchor)) => (path, Some(anchor.trim().to_string())),
                None => (target, None),
            };
            found.push(Include {
                chapter: chapter.to_path_buf(),
                path: path.to_string(),
                anchor,
            });
        }
    }
    found
}

/// The anchored region `name` of `source`, without the anchor lines of any anchor;
/// `None` when the file has no such region.
pub fn anchor_region(source: &str, name: &str) -> Option<String> {
    let mut inside = false;
    let mut region = String::new();
    for line in source.lines() {
        if anchor_name(line, "ANCHOR_END:").as_deref() == Some(name) && inside {
            return Some(region);
        }
        if anchor_name(line, "ANCHOR:").as_deref() == Some(name) {
            inside = true;
            continue;
        }
        if inside
            && anchor_name(line, "ANCHOR:").is_none()
            && anchor_name(line, "ANCHOR_END:").is_none()
        {
            region.push_str(line);
            region.push('\n');
        }
    }
    None
}

/// The anchor name after `marker` (`"ANCHOR:"` or `"ANCHOR_END:"`) on `line`, if any.
fn anchor_name(line: &str, marker: &str) -> Option<String> {
    let at = line.find(marker)?;
    let rest = line[at + marker.len()..].trim_start();
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Problems with the includes of one chapter, given a way to read the files they name.
pub fn book_includes(
    includes: &[Include],
    read: impl Fn(&Path) -> io::Result<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for inc in includes {
        let shown = format!(
            "{}: {{{{#include {}{}}}}}",
            inc.chapter.display(),
            inc.path,
            inc.anchor
                .as_ref()
                .map(|a| format!(":{a}"))
                .unwrap_or_default()
        );
        let file = inc
            .chapter
            .parent()
            .unwrap_or(Path::new("."))
            .join(&inc.path);
        let source = match read(&file) {
            Ok(source) => source,
            Err(e) => {
                problems.push(format!("{shown}: cannot read {}: {e}", file.display()));
                continue;
            }
        };
        match &inc.anchor {
            None => {}
            Some(anchor) if anchor.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                problems.push(format!(
                    "{shown}: line ranges drift as the code changes; use an ANCHOR"
                ));
            }
            Some(anchor) => match anchor_region(&source, anchor) {
                None => problems.push(format!(
                    "{shown}: no region `ANCHOR: {anchor}` … `ANCHOR_END: {anchor}` in {}",
                    file.display()
                )),
                Some(region) if region.trim().is_empty() => {
                    problems.push(format!("{shown}: the anchored region is empty"))
                }
                Some(_) => {}
            },
        }
    }
    problems
}

/// Problems with the anchors of one source file: an `ANCHOR` without its end, an end
/// without its start, or a name used twice.
pub fn anchor_pairs(file: &Path, source: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (n, line) in source.lines().enumerate() {
        if let Some(name) = anchor_name(line, "ANCHOR:") {
            if seen.contains(&name) {
                problems.push(format!(
                    "{}:{}: anchor `{name}` is used twice in this file",
                    file.display(),
                    n + 1
                ));
            }
            seen.push(name.clone());
            open.push(name);
        } else if let Some(name) = anchor_name(line, "ANCHOR_END:") {
            match open.iter().position(|o| *o == name) {
                Some(i) => {
                    open.remove(i);
                }
                None => problems.push(format!(
                    "{}:{}: `ANCHOR_END: {name}` has no `ANCHOR: {name}` before it",
                    file.display(),
                    n + 1
                )),
            }
        }
    }
    for name in open {
        problems.push(format!(
            "{}: `ANCHOR: {name}` has no `ANCHOR_END: {name}`",
            file.display()
        ));
    }
    problems
}

/// Anchors defined in `file` that no include names.
pub fn unused_anchors(file: &Path, source: &str, includes: &[(PathBuf, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for line in source.lines() {
        if let Some(name) = anchor_name(line, "ANCHOR:") {
            let used = includes
                .iter()
                .any(|(path, anchor)| path == file && *anchor == name);
            if !used {
                problems.push(format!(
                    "{}: `ANCHOR: {name}` is not included by any book chapter",
                    file.display()
                ));
            }
        }
    }
    problems
}

/// The example names that `text` tells a reader to run with `--example NAME`.
pub fn examples_named(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("--example") {
        rest = &rest[at + "--example".len()..];
        let name: String = rest
            .trim_start_matches([' ', '='])
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !name.is_empty() {
            names.push(name);
        }
    }
    names
}

/// Problems with the book's examples: names that no crate's `examples/` holds.
pub fn book_examples(named: &[String], crate_dirs: &[PathBuf]) -> Vec<String> {
    named
        .iter()
        .filter(|name| {
            !crate_dirs.iter().any(|dir| {
                dir.join("examples").join(format!("{name}.rs")).is_file()
                    || dir
                        .join("examples")
                        .join(name.as_str())
                        .join("main.rs")
                        .is_file()
            })
        })
        .map(|name| {
            format!("the book runs `--example {name}`, but no crate has examples/{name}.rs")
        })
        .collect()
}

/// Whether a source file opens with a `//!` line (blank lines before it allowed).
pub fn missing_module_docs(source: &str) -> bool {
    !source
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with("//!"))
}

/// `path` with `.` and `a/..` folded away, without touching the file system.
pub fn folded(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Every file under `dir` whose name ends with `ext`, skipping build output and hidden folders.
pub fn files_with_ext(dir: &Path, ext: &str) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !(name.starts_with('.')
                    || name.starts_with("target")
                    || name == "book" && path.parent().is_some_and(|p| p.ends_with("book")))
                {
                    stack.push(path);
                }
            } else if name.ends_with(ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The repository paths `text` (Markdown at the workspace root) names: spans in
/// backticks and link targets that contain a `/` and start with a top-level entry of the
/// root (`threadpool/src/pool.rs`, `book/src/generated/`) or with `..`.
pub fn paths_named(text: &str, top_level: &[String]) -> Vec<String> {
    let mut spans: Vec<&str> = text.split('`').skip(1).step_by(2).collect();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            spans.push(&rest[..end]);
        }
    }
    spans
        .into_iter()
        .map(str::trim)
        .filter(|s| s.contains('/') && !s.contains(char::is_whitespace) && !s.contains("://"))
        .filter(|s| {
            let first = s.split('/').next().unwrap_or_default();
            first == ".." || top_level.iter().any(|t| t == first)
        })
        .map(str::to_owned)
        .collect()
}

/// Problems with the paths a root Markdown file names: each must stay inside the
/// repository and exist (a module's `x.rs` may have become `x/mod.rs`; of a glob such
/// as `benches/benches/*.rs`, the folder before the first `*`).
pub fn missing_paths(file: &str, paths: &[String], root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for path in paths {
        let fixed = match path.find('*') {
            Some(star) => &path[..path[..star].rfind('/').map_or(0, |slash| slash + 1)],
            None => path.as_str(),
        };
        let full = folded(&root.join(fixed));
        if !full.starts_with(root) || path.starts_with("..") {
            problems.push(format!(
                "{file}: `{path}` is outside the repository; a reader of the repository cannot follow it"
            ));
            continue;
        }
        let module_dir = full.with_extension("").join("mod.rs");
        let exists = full.exists() || (path.ends_with(".rs") && module_dir.is_file());
        if !exists {
            problems.push(format!("{file}: `{path}` does not exist"));
        }
    }
    problems
}
