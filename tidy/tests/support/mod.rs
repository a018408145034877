//! What the tidy tests share: the tree they check, and how they report.

#![allow(dead_code)] // each test file uses its own part

use std::path::PathBuf;

use tidy::{files_with_ext, workspace_root};

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
