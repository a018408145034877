//! What the tidy tests share: the tree they check, and how they report.

#![allow(dead_code)] // each test file uses its own part

use std::fs;
use std::path::PathBuf;

use tidy::{files_with_ext, parse_allowlist, workspace_root, Allowed};

pub fn root() -> PathBuf {
    workspace_root()
}

/// Every `.md` file under `book/src`: the chapters, and what they include.
pub fn chapters() -> Vec<PathBuf> {
    files_with_ext(&root().join("book/src"), ".md").expect("book/src is readable")
}

pub fn crate_dirs() -> Vec<PathBuf> {
    [
        "threadpool",
        "httpserver",
        "wsgi",
        "application",
        "session",
        "benches",
        "tidy",
        "testkit",
    ]
    .iter()
    .map(|c| root().join(c))
    .collect()
}

/// Fails with every problem, one a line.
pub fn report(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// The entries of allowlist `tidy/NAME`, and the problems with its lines.
pub fn allowlist(name: &str) -> (Vec<Allowed>, Vec<String>) {
    let list = fs::read_to_string(root().join("tidy").join(name))
        .unwrap_or_else(|e| panic!("tidy/{name} is readable: {e}"));
    parse_allowlist(&format!("tidy/{name}"), &list)
}
