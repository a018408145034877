//! The tidy checks run over the real tree, and over broken input to show they can fail.

use std::fs;
use std::path::{Path, PathBuf};

use tidy::*;

mod support;
use support::{chapters, crate_dirs, report, root};

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
fn every_path_the_readme_and_architecture_name_exists_in_the_repository() {
    let root = root();
    let top_level: Vec<String> = fs::read_dir(&root)
        .expect("the root is readable")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && n != "target")
        .collect();
    let mut problems = Vec::new();
    for file in ["README.md", "ARCHITECTURE.md"] {
        let text = fs::read_to_string(root.join(file)).expect("readable");
        let paths = paths_named(&text, &top_level);
        assert!(!paths.is_empty(), "{file} names no path at all");
        problems.extend(missing_paths(file, &paths, &root));
    }
    report(problems);
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

#[test]
fn no_function_is_over_60_lines_unless_listed() {
    let root = root();
    let list = fs::read_to_string(root.join("tidy/long-functions.txt"))
        .expect("tidy/long-functions.txt is readable");
    let (allowed, mut problems) = parse_allowlist("tidy/long-functions.txt", &list);
    // Library code only: each crate's src/ (tests, examples and benches may be long).
    let found: Vec<LongFunction> = crate_dirs()
        .iter()
        .flat_map(|dir| files_with_ext(&dir.join("src"), ".rs").expect("src dirs are readable"))
        .flat_map(|f| {
            let source = fs::read_to_string(&f).expect("sources are UTF-8");
            let relative = f.strip_prefix(&root).unwrap_or(&f).to_path_buf();
            long_functions(&relative, &source, MAX_FUNCTION_LINES)
        })
        .collect();
    problems.extend(unlisted_long_functions(&found, &allowed));
    report(problems);
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
fn a_dead_path_and_a_path_outside_the_repository_are_reported() {
    let text = "See `tidy/src/lib.rs`, `tidy/src/gone.rs`, [notes](../outside/NOTES.md), \
                `/hello`, `http://x/y`, `cargo run -p x`, and [the book](book/src/SUMMARY.md), \
                `tidy/tests/*.rs`, `tidy/nowhere/*.rs`.";
    let top: Vec<String> = ["tidy", "book"].map(String::from).to_vec();
    let paths = paths_named(text, &top);
    assert_eq!(
        paths,
        [
            "tidy/src/lib.rs",
            "tidy/src/gone.rs",
            "tidy/tests/*.rs",
            "tidy/nowhere/*.rs",
            "../outside/NOTES.md",
            "book/src/SUMMARY.md"
        ]
    );
    let problems = missing_paths("README.md", &paths, &root());
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].contains("`tidy/src/gone.rs` does not exist"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("`tidy/nowhere/*.rs` does not exist"),
        "{problems:?}"
    );
    assert!(
        problems[2].contains("outside the repository"),
        "{problems:?}"
    );
}

#[test]
fn a_module_moved_into_a_folder_still_counts() {
    // `a/src/ctx.rs` in a README still names the module once it is `a/src/ctx/mod.rs`.
    let root = std::env::temp_dir().join(format!("tidy-paths-{}", std::process::id()));
    fs::create_dir_all(root.join("a/src/ctx")).expect("temp dir");
    fs::write(root.join("a/src/ctx/mod.rs"), "//! ctx\n").expect("temp file");
    let problems = missing_paths("README.md", &["a/src/ctx.rs".to_owned()], &root);
    let _ = fs::remove_dir_all(&root);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_file_without_module_doc_is_reported() {
    assert!(missing_module_docs("use std::io;\n"));
    assert!(!missing_module_docs("\n//! What this is.\nuse std::io;\n"));
}

/// `fn NAME() {` with `body` lines between the braces.
fn function(name: &str, body: usize) -> String {
    format!("fn {name}() {{\n{}}}\n", "    step();\n".repeat(body))
}

#[test]
fn a_function_over_the_limit_is_found_and_one_at_it_is_not() {
    // 60 lines: the fn line, 58 of body, the closing brace.
    let source = format!("{}{}", function("at_limit", 58), function("past_limit", 59));
    let found = long_functions(Path::new("x.rs"), &source, MAX_FUNCTION_LINES);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].name.as_str(), found[0].line, found[0].lines),
        ("past_limit", 61, 61)
    );
    let problems = unlisted_long_functions(&found, &[]);
    assert!(
        problems[0].contains("`past_limit` is 61 lines"),
        "{problems:?}"
    );
}

#[test]
fn methods_are_named_by_their_type_and_test_modules_do_not_count() {
    let source = format!(
        "impl<'a> Trait for Validator<'a> {{\n{}}}\n#[cfg(test)]\nmod tests {{\n{}}}\n",
        function("call", 70),
        function("long_test", 70)
    );
    let found = long_functions(Path::new("x.rs"), &source, MAX_FUNCTION_LINES);
    let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Validator::call"]);
}

#[test]
fn braces_in_strings_chars_and_comments_are_not_code() {
    let body = "    let a = \"{{{\"; let b = '{'; // {{\n    /* { */ let c = r#\"}}\"#;\n";
    let source = format!(
        "fn tricky() {{\n{}}}\nfn after() {{\n{}}}\n",
        body.repeat(35),
        "x();\n".repeat(70)
    );
    let found = long_functions(Path::new("x.rs"), &source, MAX_FUNCTION_LINES);
    let names: Vec<(&str, usize)> = found.iter().map(|f| (f.name.as_str(), f.lines)).collect();
    assert_eq!(names, [("tricky", 72), ("after", 72)]);
    assert!(!code_only("let s = \"}\";").contains('}'));
}

#[test]
fn an_unlisted_function_a_stale_entry_and_an_entry_without_reason_are_reported() {
    let (allowed, problems) = parse_allowlist(
        "long-functions.txt",
        "# comment\na/src/x.rs long_one: kept because\na/src/x.rs gone: split since\na/src/x.rs no_reason:\n",
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("no_reason"), "{problems:?}");
    let source = format!("{}{}", function("long_one", 70), function("unlisted", 70));
    let found = long_functions(Path::new("a/src/x.rs"), &source, MAX_FUNCTION_LINES);
    let problems = unlisted_long_functions(&found, &allowed);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("`unlisted`"), "{problems:?}");
    assert!(problems[1].contains("`a/src/x.rs gone`"), "{problems:?}");
}
