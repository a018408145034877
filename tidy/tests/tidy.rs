//! The tidy checks run over the real tree, and over broken input to show they can fail.

use std::fs;
use std::path::{Path, PathBuf};

use tidy::*;

fn root() -> PathBuf {
    workspace_root()
}

fn chapters() -> Vec<PathBuf> {
    files_with_ext(&root().join("book/src"), ".md").expect("book/src is readable")
}

fn crate_dirs() -> Vec<PathBuf> {
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

/// Every `.rs` file of the workspace's crates.
fn sources() -> Vec<PathBuf> {
    crate_dirs()
        .iter()
        .flat_map(|dir| files_with_ext(dir, ".rs").expect("crate dirs are readable"))
        .collect()
}

/// The sources whose anchors the book may show: all but tidy's own, whose tests write
/// anchor markers inside strings on purpose.
fn anchored_sources() -> Vec<PathBuf> {
    let tidy = root().join("tidy");
    sources()
        .into_iter()
        .filter(|f| !f.starts_with(&tidy))
        .collect()
}

fn all_includes() -> Vec<Include> {
    chapters()
        .iter()
        .flat_map(|ch| includes_in(ch, &fs::read_to_string(ch).expect("chapters are UTF-8")))
        .collect()
}

fn report(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_book_include_resolves_to_a_non_empty_region() {
    let includes = all_includes();
    assert!(!includes.is_empty(), "the book shows no code at all");
    report(book_includes(&includes, |p| fs::read_to_string(p)));
}

#[test]
fn every_anchor_has_its_end() {
    report(
        anchored_sources()
            .iter()
            .flat_map(|f| anchor_pairs(f, &fs::read_to_string(f).expect("sources are UTF-8")))
            .collect(),
    );
}

#[test]
fn every_anchor_is_shown_in_the_book() {
    let used: Vec<(PathBuf, String)> = all_includes()
        .into_iter()
        .filter_map(|inc| {
            let file = inc.chapter.parent()?.join(&inc.path).canonicalize().ok()?;
            Some((file, inc.anchor?))
        })
        .collect();
    let problems = anchored_sources()
        .iter()
        .filter_map(|f| Some((f.canonicalize().ok()?, fs::read_to_string(f).ok()?)))
        .flat_map(|(f, src)| unused_anchors(&f, &src, &used))
        .collect();
    report(problems);
}

#[test]
fn every_example_the_book_runs_exists() {
    let mut named: Vec<String> = chapters()
        .iter()
        .flat_map(|ch| examples_named(&fs::read_to_string(ch).unwrap_or_default()))
        .collect();
    named.extend(examples_named(
        &fs::read_to_string(root().join("README.md")).unwrap_or_default(),
    ));
    report(book_examples(&named, &crate_dirs()));
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|f| missing_module_docs(&fs::read_to_string(f).unwrap_or_default()))
        .map(|f| {
            format!(
                "{}: the first line is not a `//!` doc saying what the file is for",
                f.display()
            )
        })
        .collect();
    report(missing);
}

// The checks themselves, on broken input: each must complain.

#[test]
fn a_missing_anchor_is_reported() {
    let inc = includes_in(
        Path::new("book/src/x.md"),
        "```rust,ignore\n{{#include ../../a/src/b.rs:gone}}\n```",
    );
    let problems = book_includes(&inc, |_| {
        Ok("// ANCHOR: here\nfn f() {}\n// ANCHOR_END: here\n".into())
    });
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("no region `ANCHOR: gone`"),
        "{problems:?}"
    );
}

#[test]
fn an_empty_region_and_a_line_range_are_reported() {
    let inc = includes_in(
        Path::new("book/src/x.md"),
        "{{#include a.rs:empty}} {{#include a.rs:10:20}}",
    );
    let problems = book_includes(&inc, |_| {
        Ok("// ANCHOR: empty\n\n// ANCHOR_END: empty\n".into())
    });
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("empty") && problems[1].contains("line ranges"));
}

#[test]
fn a_missing_file_is_reported() {
    let inc = includes_in(Path::new("book/src/x.md"), "{{#include nowhere.rs:a}}");
    let problems = book_includes(&inc, |_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        ))
    });
    assert!(problems[0].contains("cannot read"), "{problems:?}");
}

#[test]
fn an_anchor_without_end_and_a_stray_end_are_reported() {
    let src = "// ANCHOR: open\nfn a() {}\n// ANCHOR_END: other\n// ANCHOR: twice\n// ANCHOR_END: twice\n// ANCHOR: twice\n// ANCHOR_END: twice\n";
    let problems = anchor_pairs(Path::new("x.rs"), src);
    assert_eq!(problems.len(), 3, "{problems:?}");
}

#[test]
fn nested_anchors_resolve_without_their_marker_lines() {
    let src = "// ANCHOR: outer\nfn a() {\n    // ANCHOR: inner\n    b();\n    // ANCHOR_END: inner\n}\n// ANCHOR_END: outer\n";
    assert_eq!(
        anchor_region(src, "outer").as_deref(),
        Some("fn a() {\n    b();\n}\n")
    );
    assert_eq!(anchor_region(src, "inner").as_deref(), Some("    b();\n"));
    assert!(anchor_pairs(Path::new("x.rs"), src).is_empty());
}

#[test]
fn an_unused_anchor_is_reported() {
    let problems = unused_anchors(
        Path::new("x.rs"),
        "// ANCHOR: lonely\n// ANCHOR_END: lonely\n",
        &[],
    );
    assert_eq!(problems.len(), 1);
}

#[test]
fn an_example_that_does_not_exist_is_reported() {
    let named = examples_named(
        "run `cargo run -p threadpool --example minimal` then `--example no_such_thing`",
    );
    assert_eq!(named, ["minimal", "no_such_thing"]);
    let problems = book_examples(&named, &[root().join("threadpool")]);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("no_such_thing"));
}

#[test]
fn a_file_without_module_doc_is_reported() {
    assert!(missing_module_docs("use std::io;\n"));
    assert!(!missing_module_docs("\n//! What this is.\nuse std::io;\n"));
}
