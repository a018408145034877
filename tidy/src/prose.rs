//! Prose that cannot drift from the code: the words of the retired design, figures
//! pasted by hand, claims about behaviour without the test that proves them.
//!
//! - [`retired_words`]: the engine has no linger, parks no connection (its waiting state
//!   is "waiting on the poller"), sends no request through the pool's queue, and a
//!   worker does wait for a slow client once its output is past the high-water mark.
//!   Words of that design ([`RETIRED`]) may appear only where the history is told on
//!   purpose: inside a [history block](HISTORY_START), or where
//!   `tidy/retired-words.txt` names the file and the word with its reason.
//! - [`pasted_figures`]: a measured figure ([`FIGURE`]: µs, ms, ns, req/s, MB, ×, %,
//!   allocation counts) in a chapter's own text. Why: a figure pasted from one run
//!   disagrees with the appendix after the next. A chapter shows today's figures by
//!   including a file of `book/src/generated/` (the include is not the chapter's text,
//!   so it is not scanned); a figure no run can reproduce goes in a history block, with
//!   the date and commit it was measured at; a number that is a setting, not a
//!   measurement (a 100 ms timeout), is named in `tidy/book-figures.txt` with its reason.
//! - [`uncited_claims`] and [`dead_citations`]: a sentence that says the server never
//!   blocks or that no worker waits ([`CLAIM`]) has, in its paragraph, a citation
//!   `(test: `crate::file::name`)` (several: `(tests: `a::b::c`, `d::e::f`)`), and each
//!   citation names a test that exists: `fn name` in `crate/tests/file.rs`. Why: such a
//!   claim is the first thing a change breaks, and the test is what keeps it true.

use regex::Regex;

/// The first line of a history block: `> **History (YYYY-MM-DD, COMMIT):**`; every
/// line after it that starts with `>` belongs to the block (indentation aside, so a
/// block may sit in a list item).
pub const HISTORY_START: &str = "> **History (";

/// A history block's opening, in full.
const HISTORY_LINE: &str = r"^> \*\*History \((\d{4}-\d{2}-\d{2}), ([0-9a-f]{7,40})\):\*\*";

/// A word of the retired design, how to find it, and why it is wrong now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retired {
    /// The key an allowlist entry names.
    pub word: &'static str,
    /// A regular expression for it.
    pub pattern: &'static str,
    /// What is true instead.
    pub why: &'static str,
}

/// The retired design's vocabulary.
pub const RETIRED: &[Retired] = &[
    Retired {
        word: "linger",
        pattern: r"(?i)\blinger",
        why: "a worker does not linger for the next request: it hands the connection to the poller at once",
    },
    Retired {
        word: "park",
        pattern: r"(?i)\bpark(?:s|ed|ing)?\b",
        why: "the engine's idle connections wait on the poller; \"park\" is the rejected design 2",
    },
    Retired {
        word: "queue hop",
        pattern: r"(?i)queue\s+hop|tick\s*(?:→|->)\s*(?:ThreadPool::)?put\b",
        why: "no request passes through the pool's queue: a seated worker takes it from the poller",
    },
    Retired {
        word: "never blocking",
        pattern: r"(?i)\bnever\s+blocking\b",
        why: "a worker waits for a slow client once the output is past out_high_water; say when",
    },
    Retired {
        word: "never a worker",
        pattern: r"(?i)\bnever\s+a\s+worker\b",
        why: "a worker waits on the client when it writes past the high-water mark; say when",
    },
];

/// A measured figure: a number with a unit of time, rate, ratio or share, a size in
/// decimal megabytes (measured memory; the book writes limits and settings in binary
/// units, `64 KiB`, `16 MiB`), or an allocation count.
pub const FIGURE: &str = r"\d[\d,.]*(?:\s?[–-]\s?\d[\d,.]*)?\s?(?:(?:µs|us|ns|ms)\b|req/s|[KMG]i?B/s|[MG]B\b|×|%)|\d[\d,.]*\s(?:times|allocations?)\b";

/// A claim about behaviour that needs its test.
pub const CLAIM: &str = r"(?i)\bnever\s+(?:blocks?|blocking|blocked|waits?|waiting)\b|\bno\s+worker\s+(?:waits|is\s+held|blocks)\b|\bwithout\s+(?:blocking|holding\s+a\s+worker)\b|\bdoes\s+not\s+block\b|\b(?:holds?|costs?)\s+no\s+worker\b|\bno\s+thread\s+(?:ever\s+)?waits\b";

/// A test citation; the names are in the backticked spans after `test:` or `tests:`.
pub const CITATION: &str = r"\(tests?:((?:\s*`[A-Za-z0-9_]+::[A-Za-z0-9_]+::[A-Za-z0-9_]+`,?)+)\)";

/// One place a rule is broken: the file (relative to the root, with `/`), the line
/// (from 1) and what was found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, as the caller named it.
    pub path: String,
    /// The line, from 1.
    pub line: usize,
    /// The allowlist key: the retired word, or the figure as written.
    pub key: String,
    /// The text matched.
    pub text: String,
}

/// Which lines of a Markdown text (from 0) are inside a history block, and the problems
/// with the blocks' openings (a date or commit missing).
pub fn history_lines(path: &str, text: &str) -> (Vec<bool>, Vec<String>) {
    let opening = Regex::new(HISTORY_LINE).expect("HISTORY_LINE is a valid pattern");
    let mut inside = Vec::new();
    let mut problems = Vec::new();
    let mut open = false;
    for (n, line) in text.lines().enumerate() {
        // A history block may sit in a list item, indented like it.
        let line = line.trim_start();
        if line.starts_with(HISTORY_START) {
            open = opening.is_match(line);
            if !open {
                problems.push(format!(
                    "{path}:{}: a history block opens `> **History (YYYY-MM-DD, COMMIT):**` (the date and commit the figures were measured at)",
                    n + 1
                ));
            }
        } else if !line.starts_with('>') {
            open = false;
        }
        inside.push(open);
    }
    (inside, problems)
}

/// The matches of `pattern` in `lines` (numbered from 1), each line read together
/// with the next so a phrase wrapped over two lines is found, once, on its first line.
fn matches(lines: &[(usize, String)], pattern: &Regex) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, (n, line)) in lines.iter().enumerate() {
        let next = lines.get(i + 1).map_or("", |(_, l)| l.trim_start());
        let joined = format!("{line} {next}");
        for m in pattern.find_iter(&joined) {
            if m.start() < line.len() {
                found.push((
                    *n,
                    m.as_str().split_whitespace().collect::<Vec<_>>().join(" "),
                ));
            }
        }
    }
    found
}

/// The date and commit of each history block of a Markdown text, with its line (from 1).
pub fn history_commits(text: &str) -> Vec<(usize, String, String)> {
    let opening = Regex::new(HISTORY_LINE).expect("HISTORY_LINE is a valid pattern");
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let c = opening.captures(line.trim_start())?;
            Some((n + 1, c[1].to_owned(), c[2].to_owned()))
        })
        .collect()
}

/// The lines of a Markdown text outside history blocks, numbered from 1.
pub fn markdown_lines(text: &str) -> Vec<(usize, String)> {
    let (history, _) = history_lines("", text);
    text.lines()
        .enumerate()
        .filter(|(n, _)| !history[*n])
        .map(|(n, l)| (n + 1, l.to_owned()))
        .collect()
}

/// The comments of a Rust source (`//`, `///`, `//!`), numbered from 1; a `//` inside
/// a string literal on its line is not a comment.
pub fn comment_lines(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let mut in_string = false;
        let mut prev = ' ';
        let bytes: Vec<char> = line.chars().collect();
        for (i, c) in bytes.iter().enumerate() {
            match c {
                '"' if prev != '\\' => in_string = !in_string,
                '/' if !in_string && prev == '/' => {
                    let comment: String = bytes[i + 1..].iter().collect();
                    found.push((n + 1, comment.trim_start_matches(['/', '!']).to_owned()));
                    break;
                }
                _ => {}
            }
            prev = if prev == '\\' && *c == '\\' { ' ' } else { *c };
        }
    }
    found
}

/// The retired design's words in `lines` (from [`markdown_lines`] or
/// [`comment_lines`]) of the file `path`.
pub fn retired_words(path: &str, lines: &[(usize, String)]) -> Vec<Finding> {
    // A link's target is an address (`httpconnection.md#design-2-park-and-dispatch`),
    // not a sentence: only its text is read.
    let target = Regex::new(r"\]\([^)]*\)").expect("a valid pattern");
    let lines: Vec<(usize, String)> = lines
        .iter()
        .map(|(n, l)| (*n, target.replace_all(l, "]()").into_owned()))
        .collect();
    let lines = lines.as_slice();
    let mut found = Vec::new();
    for retired in RETIRED {
        let pattern = Regex::new(retired.pattern).expect("RETIRED patterns are valid");
        for (line, text) in matches(lines, &pattern) {
            found.push(Finding {
                path: path.to_owned(),
                line,
                key: retired.word.to_owned(),
                text,
            });
        }
    }
    found.sort_by_key(|f| f.line);
    found
}

/// The measured figures in `lines` (from [`markdown_lines`]) of the chapter `path`.
pub fn pasted_figures(path: &str, lines: &[(usize, String)]) -> Vec<Finding> {
    let pattern = Regex::new(FIGURE).expect("FIGURE is a valid pattern");
    let mut found = Vec::new();
    for (n, line) in lines {
        for m in pattern.find_iter(line) {
            let text = m.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
            found.push(Finding {
                path: path.to_owned(),
                line: *n,
                key: text.clone(),
                text,
            });
        }
    }
    found
}

/// The paragraphs of a Markdown text (blank-line separated, code fences left out), each
/// with the number of its first line (from 1).
pub fn paragraphs(text: &str) -> Vec<(usize, String)> {
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            found.extend(current.take());
            continue;
        }
        if fenced || trimmed.is_empty() {
            found.extend(current.take());
            continue;
        }
        match &mut current {
            Some((_, p)) => {
                p.push(' ');
                p.push_str(trimmed);
            }
            None => current = Some((n + 1, trimmed.to_owned())),
        }
    }
    found.extend(current);
    found
}

/// The claims of `text` (Markdown) whose paragraph cites no test: one problem each.
pub fn uncited_claims(path: &str, text: &str) -> Vec<String> {
    let claim = Regex::new(CLAIM).expect("CLAIM is a valid pattern");
    let citation = Regex::new(CITATION).expect("CITATION is a valid pattern");
    paragraphs(text)
        .into_iter()
        .filter(|(_, p)| !citation.is_match(p))
        .flat_map(|(n, p)| {
            claim
                .find_iter(&p)
                .map(|m| {
                    format!(
                        "{path}: the paragraph at line {n} claims \"{}\" without citing the test \
                         that proves it: add (test: `crate::file::test_name`)",
                        m.as_str()
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The tests `text` cites, as `(crate, file, name)`.
pub fn citations(text: &str) -> Vec<(String, String, String)> {
    let citation = Regex::new(CITATION).expect("CITATION is a valid pattern");
    let mut found = Vec::new();
    for (_, p) in paragraphs(text) {
        for c in citation.captures_iter(&p) {
            for name in c[1].split('`').skip(1).step_by(2) {
                let mut parts = name.split("::").map(str::to_owned);
                if let (Some(krate), Some(file), Some(test)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    found.push((krate, file, test));
                }
            }
        }
    }
    found
}

/// The citations of `text` whose test does not exist, given a way to read
/// `crate/tests/file.rs` (relative to the root): one problem each.
pub fn dead_citations(
    path: &str,
    text: &str,
    read: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    citations(text)
        .into_iter()
        .filter_map(|(krate, file, test)| {
            let source = format!("{krate}/tests/{file}.rs");
            let exists = read(&source).is_some_and(|s| {
                s.contains(&format!("fn {test}(")) || s.contains(&format!("fn {test}<"))
            });
            (!exists).then(|| {
                format!("{path}: cites `{krate}::{file}::{test}`, but {source} has no `fn {test}`")
            })
        })
        .collect()
}
