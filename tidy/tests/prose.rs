//! The prose rules over the real book, root Markdown and comments, and over broken input
//! to show they can fail.

use std::fs;
use std::path::{Path, PathBuf};

use tidy::*;

mod support;
use support::{allowlist, crate_dirs, report, root};

/// `path` relative to the root, with `/`.
fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The book's own chapters: `book/src/*.md`, without the generated files.
fn own_chapters() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(root().join("book/src"))
        .expect("book/src is readable")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    found.sort();
    found
}

/// The chapters, `README.md` and `ARCHITECTURE.md`, with their text.
fn prose_files() -> Vec<(String, String)> {
    let mut files = own_chapters();
    files.push(root().join("README.md"));
    files.push(root().join("ARCHITECTURE.md"));
    files
        .iter()
        .map(|f| {
            let text = fs::read_to_string(f).expect("prose is UTF-8");
            (relative(f), text)
        })
        .collect()
}

/// Findings not named by an allowlist, and the allowlist's entries that match nothing.
fn unlisted(list: &str, found: &[Finding], explain: impl Fn(&Finding) -> String) -> Vec<String> {
    let (allowed, mut problems) = allowlist(list);
    let keys: Vec<(String, String)> = found
        .iter()
        .map(|f| (f.path.clone(), f.key.clone()))
        .collect();
    problems.extend(
        found
            .iter()
            .filter(|f| !is_listed(&allowed, &f.path, &f.key))
            .map(explain),
    );
    problems.extend(stale_entries(&format!("tidy/{list}"), &allowed, &keys));
    problems
}

#[test]
fn no_retired_word_in_the_book_the_root_markdown_or_comments_unless_listed() {
    let mut found: Vec<Finding> = prose_files()
        .iter()
        .flat_map(|(path, text)| retired_words(path, &markdown_lines(text)))
        .collect();
    // Tidy's own sources name the words to refuse them.
    let tidy = root().join("tidy");
    for dir in crate_dirs().iter().filter(|d| **d != tidy) {
        for file in files_with_ext(dir, ".rs").expect("crate dirs are readable") {
            let source = fs::read_to_string(&file).expect("sources are UTF-8");
            found.extend(retired_words(&relative(&file), &comment_lines(&source)));
        }
    }
    let why = |word: &str| {
        RETIRED
            .iter()
            .find(|r| r.word == word)
            .map_or("", |r| r.why)
    };
    report(unlisted("retired-words.txt", &found, |f| {
        format!(
            "{}:{}: \"{}\": {} (or list `{} {}` in tidy/retired-words.txt with its reason)",
            f.path,
            f.line,
            f.text,
            why(&f.key),
            f.path,
            f.key
        )
    }));
}

#[test]
fn no_measured_figure_is_pasted_in_a_chapter() {
    let mut problems = Vec::new();
    let mut found = Vec::new();
    for chapter in own_chapters() {
        let path = relative(&chapter);
        let text = fs::read_to_string(&chapter).expect("chapters are UTF-8");
        problems.extend(history_lines(&path, &text).1);
        found.extend(pasted_figures(&path, &markdown_lines(&text)));
    }
    problems.extend(unlisted("book-figures.txt", &found, |f| {
        format!(
            "{}:{}: `{}` is pasted: include today's figure from book/src/generated/, put a \
             figure no run reproduces in a `> **History (DATE, COMMIT):**` block, or, if it \
             is a setting and not a measurement, list `{} {}` in tidy/book-figures.txt",
            f.path, f.line, f.text, f.path, f.key
        )
    }));
    report(problems);
}

/// Whether `commit` names a commit of this repository; `None` when git cannot tell (no
/// git, not a clone, or a shallow one whose history is cut).
fn commit_exists(commit: &str) -> Option<bool> {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(root())
            .output()
            .ok()
    };
    let shallow = git(&["rev-parse", "--is-shallow-repository"])?;
    if !shallow.status.success() || String::from_utf8_lossy(&shallow.stdout).trim() != "false" {
        return None;
    }
    let found = git(&["cat-file", "-e", &format!("{commit}^{{commit}}")])?;
    Some(found.status.success())
}

#[test]
fn every_history_block_names_a_commit_of_this_repository() {
    let mut problems = Vec::new();
    for chapter in own_chapters() {
        let text = fs::read_to_string(&chapter).expect("chapters are UTF-8");
        for (line, _, commit) in history_commits(&text) {
            if commit_exists(&commit) == Some(false) {
                problems.push(format!(
                    "{}:{line}: the history block's commit {commit} is not in this repository",
                    relative(&chapter)
                ));
            }
        }
    }
    report(problems);
}

#[test]
fn a_made_up_commit_is_not_found_when_git_can_tell() {
    let text = "> **History (2026-11-20, 0123456789abcdef0123456789abcdef01234567):** gone.\n";
    let found = history_commits(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "2026-11-20");
    if let Some(exists) = commit_exists(&found[0].2) {
        assert!(!exists, "a made-up commit was found");
    }
    if let Some(exists) = commit_exists("HEAD") {
        assert!(exists, "HEAD is not found, so the lookup cannot tell");
    }
}

#[test]
fn every_claim_about_blocking_cites_its_test_and_the_test_exists() {
    let mut problems = Vec::new();
    let mut cited = 0;
    for (path, text) in prose_files() {
        problems.extend(uncited_claims(&path, &text));
        cited += citations(&text).len();
        problems.extend(dead_citations(&path, &text, |f| {
            fs::read_to_string(root().join(f)).ok()
        }));
    }
    assert!(cited > 0, "the book cites no test at all");
    report(problems);
}

#[test]
fn every_chapter_link_reaches_a_file_and_a_heading() {
    let src = root().join("book/src");
    let mut problems = Vec::new();
    for chapter in own_chapters() {
        let text = fs::read_to_string(&chapter).expect("chapters are UTF-8");
        let name = relative(&chapter);
        problems.extend(dead_links(
            &name,
            &text,
            |file| fs::read_to_string(src.join(file)).ok(),
            |file| src.join(file).exists(),
        ));
        problems.extend(positional_references(&name, &text));
    }
    report(problems);
}

#[test]
fn the_table_of_contents_names_each_chapter_by_its_heading() {
    let src = root().join("book/src");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).expect("SUMMARY.md is readable");
    report(summary_titles(&summary, |file| {
        fs::read_to_string(src.join(file)).ok()
    }));
}

// The checks themselves, on broken input: each must complain.

#[test]
fn retired_words_are_found_in_prose_and_comments_but_not_in_code_or_history() {
    let prose =
        "The worker lingers a moment,\nthen parks the connection: tick → ThreadPool::put.\n\
                 > **History (2026-11-20, 874ffda):** design 2 parked idle connections.\n\
                 > It was never\n> blocking.\nIt is never\nblocking now.\n";
    let found = retired_words("x.md", &markdown_lines(prose));
    let keys: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.key.as_str())).collect();
    assert_eq!(
        keys,
        [
            (1, "linger"),
            (2, "park"),
            (2, "queue hop"),
            (6, "never blocking")
        ]
    );
    let source =
        "//! Never a worker waits.\nlet parked = \"// linger\"; // the park\nfn park() {}\n";
    let found = retired_words("x.rs", &comment_lines(source));
    let keys: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.key.as_str())).collect();
    assert_eq!(keys, [(1, "never a worker"), (2, "park")]);
}

#[test]
fn a_pasted_figure_is_found_outside_history_and_a_history_block_needs_date_and_commit() {
    let chapter = "Dispatch took 124 µs, 60,450 req/s, 2.5× and 10–25 %, 120 allocations.\n\
                   {{#include generated/bench-threadpool.md}}\n\
                   > **History (2026-11-20, 874ffda):** it took 195 µs then.\n\
                   > | 1 MiB | 592 µs |\n\
                   Back to prose: 16 MiB, 344 MB.\n\
                   > **History (last week):** 3 ms.\n";
    let found = pasted_figures("x.md", &markdown_lines(chapter));
    let keys: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.key.as_str())).collect();
    assert_eq!(
        keys,
        [
            (1, "124 µs"),
            (1, "60,450 req/s"),
            (1, "2.5×"),
            (1, "10–25 %"),
            (1, "120 allocations"),
            (5, "344 MB"),
            (6, "3 ms"),
        ]
    );
    let problems = history_lines("x.md", chapter).1;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("x.md:6:"), "{problems:?}");
}

#[test]
fn a_claim_without_a_citation_and_a_citation_of_a_missing_test_are_reported() {
    let text = "A slow client never blocks a worker; idle ones cost no worker.\n\nIdle connections hold no worker \
                (test: `httpserver::keep_alive::idle_connections_do_not_hold_workers`).\n\n\
                No worker waits for it (tests: `httpserver::engine::gone`, \
                `nowhere::file::test`).\n";
    let problems = uncited_claims("x.md", text);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("never blocks"), "{problems:?}");
    assert!(problems[1].contains("cost no worker"), "{problems:?}");
    let read = |f: &str| fs::read_to_string(root().join(f)).ok();
    let problems = dead_citations("x.md", text, read);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("`httpserver::engine::gone`"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("nowhere/tests/file.rs"),
        "{problems:?}"
    );
}

#[test]
fn heading_ids_follow_mdbooks_rule() {
    assert_eq!(heading_id("web.py's own bugs"), "webpys-own-bugs");
    assert_eq!(
        heading_id("Design 2: park and dispatch"),
        "design-2-park-and-dispatch"
    );
    assert_eq!(
        heading_id("`Slots::take` and the seats"),
        "slotstake-and-the-seats"
    );
    assert_eq!(heading_id("[Links](x.md) too"), "links-too");
    let ids = heading_ids("# A\n```\n# not a heading\n```\n## A\n#hashtag\n### B ###\n");
    assert_eq!(ids, ["a", "a-1", "b"]);
}

#[test]
fn a_dead_link_a_missing_heading_and_a_position_are_reported() {
    let text =
        "# Here\n\nSee [porting](porting.md#web-pys-own-bugs), [ok](porting.md#webpys-own-bugs), \
                [gone](gone.md), [here](#here), [there](#there), [code](../../x/src/a.rs), \
                [web](https://example.com/#x) and `[not](a link)`.\n\
                The next chapter says why; [the chapter after next](session.md) links.\n";
    let chapter = |f: &str| match f {
        "porting.md" => Some("## web.py's own bugs\n".to_owned()),
        "session.md" => Some("# session\n".to_owned()),
        _ => None,
    };
    let problems = dead_links("x.md", text, chapter, |f| f == "../../y/src/b.rs");
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(problems[0].contains("`porting.md#web-pys-own-bugs` names no heading"));
    assert!(problems[1].contains("`gone.md` names a chapter that does not exist"));
    assert!(problems[2].contains("`#there` names no heading of x.md"));
    assert!(problems[3].contains("`../../x/src/a.rs` names a file"));
    let problems = positional_references("x.md", text);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("x.md:4: \"next chapter\""),
        "{problems:?}"
    );
}

#[test]
fn a_summary_title_that_is_not_the_chapters_heading_is_reported() {
    let summary = "# Summary\n\n[Intro](intro.md)\n- [Old name](a.md)\n- [Gone](gone.md)\n";
    let chapter = |f: &str| match f {
        "intro.md" => Some("# Intro\n".to_owned()),
        "a.md" => Some("# New name\n".to_owned()),
        _ => None,
    };
    let problems = summary_titles(summary, chapter);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("SUMMARY.md:4: `Old name` is `# New name`"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("gone.md does not exist"),
        "{problems:?}"
    );
}
