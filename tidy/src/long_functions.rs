//! The function-length rule: a function in a library's `src/` fits in about a screen.
//!
//! Why: the code is the textbook. A function the book can show is one idea; a long one
//! is several steps that want names (`HttpServer::start` reads as the notes' bullets
//! because each bullet is a function). A long function is also where a second copy of
//! something hides. So a function over [`MAX_FUNCTION_LINES`] lines fails the check,
//! unless the allowlist (`tidy/long-functions.txt`) names it with a one-line reason —
//! and an entry that no longer matches a long function fails too, so the list only
//! shrinks.
//!
//! This is a line scanner, not a parser: it blanks comments and the inside of string
//! and char literals, then follows braces. That is enough for the code in this
//! workspace (the tests feed it the awkward cases).

use std::path::{Path, PathBuf};

use crate::allowlist::{is_listed, stale_entries, Allowed};

/// The most lines a function may span, from its `fn` line to its closing brace.
pub const MAX_FUNCTION_LINES: usize = 60;

/// A function longer than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongFunction {
    /// The file, as given to [`long_functions`].
    pub file: PathBuf,
    /// `Type::name` for a method (the type of the `impl` it is in), else `name`.
    pub name: String,
    /// The line of its `fn`, from 1.
    pub line: usize,
    /// Lines from the `fn` line to the closing brace, both included.
    pub lines: usize,
}

/// What the scanner is inside of.
enum Frame {
    /// A function body: its name and first line.
    Function { name: String, line: usize },
    /// An `impl` block, for the name of the functions in it.
    Impl(String),
    /// A `#[cfg(test)]` module: its functions are not library code.
    Tests,
    /// Any other brace.
    Block,
}

/// The item a line starts, found before its opening brace.
enum Pending {
    Function(String),
    Impl(String),
    Tests,
}

/// The functions of `source` (a Rust file) longer than `max` lines, outside
/// `#[cfg(test)]` modules.
pub fn long_functions(file: &Path, source: &str, max: usize) -> Vec<LongFunction> {
    let code = code_only(source);
    let mut found = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut pending: Option<(Pending, usize)> = None;
    let mut cfg_test = false;
    let mut brackets = 0usize;
    for (n, line) in code.lines().enumerate() {
        let line_no = n + 1;
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            cfg_test = true;
        }
        if let Some(item) = item_start(trimmed, cfg_test) {
            pending = Some((item, line_no));
        }
        // `#[cfg(test)]` counts for the item right after it (other attributes between).
        if !trimmed.starts_with("#[") && !trimmed.is_empty() {
            cfg_test = false;
        }
        for c in line.chars() {
            match c {
                '(' | '[' => brackets += 1,
                ')' | ']' => brackets = brackets.saturating_sub(1),
                ';' if brackets == 0 => pending = None,
                '{' => frames.push(open(pending.take(), &frames)),
                '}' => {
                    if let Some(Frame::Function { name, line }) = frames.pop() {
                        let lines = line_no - line + 1;
                        if lines > max {
                            found.push(LongFunction {
                                file: file.to_path_buf(),
                                name,
                                line,
                                lines,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// The frame a `{` opens, given the item that was pending.
fn open(pending: Option<(Pending, usize)>, frames: &[Frame]) -> Frame {
    let in_tests = frames.iter().any(|f| matches!(f, Frame::Tests));
    match pending {
        Some((Pending::Tests, _)) => Frame::Tests,
        Some((Pending::Impl(name), _)) => Frame::Impl(name),
        Some((Pending::Function(_), _)) if in_tests => Frame::Block,
        Some((Pending::Function(name), line)) => {
            let owner = frames.iter().rev().find_map(|f| match f {
                Frame::Impl(owner) => Some(owner.as_str()),
                _ => None,
            });
            let name = match owner {
                Some(owner) => format!("{owner}::{name}"),
                None => name,
            };
            Frame::Function { name, line }
        }
        None => Frame::Block,
    }
}

/// The item `line` starts: a function, an `impl` block, or (after `#[cfg(test)]`) a
/// module of tests.
fn item_start(line: &str, cfg_test: bool) -> Option<Pending> {
    let mut rest = line;
    for qualifier in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(qualifier).unwrap_or(rest);
    }
    if let Some(after) = rest.strip_prefix("fn ") {
        return Some(Pending::Function(identifier(after)));
    }
    if cfg_test && rest.starts_with("mod ") {
        return Some(Pending::Tests);
    }
    let header = rest.strip_prefix("impl")?;
    if !header.starts_with([' ', '<']) {
        return None;
    }
    // `impl<T> Trait for Type<T> {`: the type is after `for`, else the first path.
    let header = header.split(" where ").next().unwrap_or(header);
    let header = header.trim_end_matches(['{', ' ']);
    let ty = match header.rsplit_once(" for ") {
        Some((_, ty)) => ty,
        None => skip_generics(header),
    };
    Some(Pending::Impl(identifier(ty.trim_start_matches(['&', ' ']))))
}

/// `header` after an `impl<...>` parameter list.
fn skip_generics(header: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in header.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ' ' if depth == 0 && i > 0 => return header[i..].trim_start(),
            _ => {}
        }
    }
    header.trim_start()
}

/// The identifier at the start of `text` (`Validator` of `Validator<T> {`).
fn identifier(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `source` with comments removed and the inside of string and char literals blanked,
/// line breaks kept, so braces and semicolons left are code.
pub fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        i = match (c, next) {
            ('/', Some('/')) => skip_until_newline(&chars, i),
            ('/', Some('*')) => skip_block_comment(&chars, i, &mut out),
            ('"', _) => skip_string(&chars, i + 1, 0, &mut out),
            ('r', Some('"' | '#')) if starts_raw_string(&chars, i) => {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                skip_string(&chars, i + 2 + hashes, hashes, &mut out)
            }
            ('\'', _) => skip_char(&chars, i, &mut out),
            _ => {
                out.push(c);
                i + 1
            }
        };
    }
    out
}

fn skip_until_newline(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i] != '\n' {
        i += 1;
    }
    i
}

fn skip_block_comment(chars: &[char], mut i: usize, out: &mut String) -> usize {
    i += 2;
    while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
        if chars[i] == '\n' {
            out.push('\n');
        }
        i += 1;
    }
    i + 2
}

/// `r"`, `r#"`, `r##"`… at `i` (and not the end of an identifier such as `for"`).
fn starts_raw_string(chars: &[char], i: usize) -> bool {
    let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
    !after_ident && chars.get(i + 1 + hashes) == Some(&'"')
}

/// Skips a string body from `i` to its closing quote (followed by `hashes` `#` for a raw
/// string), keeping its line breaks; writes `""` for it.
fn skip_string(chars: &[char], mut i: usize, hashes: usize, out: &mut String) -> usize {
    out.push('"');
    while i < chars.len() {
        match chars[i] {
            '\\' if hashes == 0 => i += 1,
            '"' if chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes =>
            {
                out.push('"');
                return i + 1 + hashes;
            }
            '\n' => out.push('\n'),
            _ => {}
        }
        i += 1;
    }
    i
}

/// A char literal (`'{'`, `'\''`, `'\u{7b}'`) becomes `' '`; a lifetime (`'a`) stays.
fn skip_char(chars: &[char], i: usize, out: &mut String) -> usize {
    let end = if chars.get(i + 1) == Some(&'\\') {
        chars[i + 2..]
            .iter()
            .position(|c| *c == '\'')
            .map(|p| i + 2 + p)
    } else if chars.get(i + 2) == Some(&'\'') {
        Some(i + 2)
    } else {
        None
    };
    match end {
        Some(end) => {
            out.push_str("' '");
            end + 1
        }
        None => {
            out.push('\'');
            i + 1
        }
    }
}

/// Problems: each long function not in `allowed`, and each entry of `allowed` that
/// names no long function (split since, or misspelt). `found` paths are relative to
/// the workspace root.
pub fn unlisted_long_functions(found: &[LongFunction], allowed: &[Allowed]) -> Vec<String> {
    let keys: Vec<(String, String)> = found
        .iter()
        .map(|f| (f.file.to_string_lossy().replace('\\', "/"), f.name.clone()))
        .collect();
    let mut problems: Vec<String> = found
        .iter()
        .zip(&keys)
        .filter(|(_, (path, name))| !is_listed(allowed, path, name))
        .map(|(f, _)| {
            format!(
                "{}:{}: `{}` is {} lines (more than {MAX_FUNCTION_LINES}): split it into named steps, \
                 or list it in tidy/long-functions.txt with the reason it stays",
                f.file.display(),
                f.line,
                f.name,
                f.lines
            )
        })
        .collect();
    problems.extend(stale_entries("tidy/long-functions.txt", allowed, &keys));
    problems
}
