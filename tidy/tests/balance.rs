//! The balance rules over the real book, and over broken input to show they can fail.

use std::fs;
use std::path::{Path, PathBuf};

use tidy::*;

mod support;
use support::{allowlist, chapters, report, root};

/// The chapters themselves: `book/src/*.md` but the table of contents (not what they
/// include from `generated/`).
fn own_chapters() -> Vec<PathBuf> {
    let src = root().join("book/src");
    chapters()
        .into_iter()
        .filter(|ch| ch.parent() == Some(src.as_path()) && !ch.ends_with("SUMMARY.md"))
        .collect()
}

#[test]
fn no_chapter_shows_more_than_twice_as_much_listing_as_prose_unless_listed() {
    let (allowed, mut problems) = allowlist("listing-balance.txt");
    let balances: Vec<Balance> = own_chapters()
        .iter()
        .map(|ch| {
            let text = fs::read_to_string(ch).expect("chapters are UTF-8");
            balance_of(ch, &text, |p| fs::read_to_string(p))
        })
        .collect();
    assert!(
        balances.iter().any(|b| b.listing > 0),
        "the book shows no listing"
    );
    problems.extend(listing_heavy_chapters(&balances, &allowed, &root()));
    report(problems);
}

#[test]
fn every_listing_is_introduced_by_prose_unless_listed() {
    let (allowed, mut problems) = allowlist("listing-balance.txt");
    let found: Vec<Unintroduced> = own_chapters()
        .iter()
        .flat_map(|ch| {
            unintroduced_listings(ch, &fs::read_to_string(ch).expect("chapters are UTF-8"))
        })
        .collect();
    problems.extend(listings_without_introduction(&found, &allowed, &root()));
    report(problems);
}

// The checks themselves, on broken input: each must complain.

/// A chapter of `prose` lines of text, then one fence of `listing` lines.
fn chapter(prose: usize, listing: usize) -> String {
    format!(
        "# Title\n\n{}\n```text\n{}```\n",
        "Some prose.\n".repeat(prose),
        "code\n".repeat(listing)
    )
}

fn no_files(_: &Path) -> std::io::Result<String> {
    Err(std::io::Error::new(std::io::ErrorKind::NotFound, "none"))
}

#[test]
fn a_chapter_over_twice_its_prose_is_reported_and_one_at_twice_is_not() {
    let at = balance_of(Path::new("/r/book/src/at.md"), &chapter(10, 20), no_files);
    let over = balance_of(Path::new("/r/book/src/over.md"), &chapter(10, 21), no_files);
    assert_eq!((at.listing, at.prose), (20, 10));
    assert_eq!((over.listing, over.prose), (21, 10));
    let problems = listing_heavy_chapters(&[at, over], &[], Path::new("/r"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("book/src/over.md: 21 lines of listing against 10 of prose"),
        "{problems:?}"
    );
}

#[test]
fn an_include_counts_as_the_lines_it_pastes_and_a_generated_table_is_not_prose() {
    let source = "// ANCHOR: step\nfn a() {}\nfn b() {}\nfn c() {}\n// ANCHOR_END: step\n";
    let text = "## Heading\n\nLook at the three steps:\n\n```rust,ignore\n{{#include ../../a/src/x.rs:step}}\n```\n\n{{#include generated/table.md}}\n";
    let balance = balance_of(Path::new("/r/book/src/x.md"), text, |p| {
        Ok(if p.ends_with("x.rs") {
            source.to_owned()
        } else {
            "| a |\n".repeat(50)
        })
    });
    assert_eq!((balance.listing, balance.prose), (3, 1), "{balance:?}");
}

#[test]
fn a_listed_heavy_chapter_passes_and_a_stale_or_unknown_entry_is_reported() {
    let (allowed, problems) = parse_allowlist(
        "listing-balance.txt",
        "book/src/heavy.md ratio: reworked next\nbook/src/light.md ratio: reworked since\nbook/src/heavy.md ratios: misspelt\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    let heavy = balance_of(Path::new("/r/book/src/heavy.md"), &chapter(1, 30), no_files);
    let light = balance_of(Path::new("/r/book/src/light.md"), &chapter(30, 1), no_files);
    let problems = listing_heavy_chapters(&[heavy, light], &allowed, Path::new("/r"));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("`book/src/light.md ratio` no longer breaks the rule")
            && problems[1].contains("`book/src/heavy.md ratios` no longer breaks the rule"),
        "{problems:?}"
    );
}

#[test]
fn a_listing_after_a_heading_another_listing_or_nothing_is_reported() {
    let text =
        "```text\nfirst\n```\n\n```text\nsecond\n```\n\n## A heading\n\n```text\nthird\n```\n";
    let found = unintroduced_listings(Path::new("/r/book/src/x.md"), text);
    let seen: Vec<(usize, &str)> = found.iter().map(|u| (u.line, u.after)).collect();
    assert_eq!(
        seen,
        [
            (1, "the chapter's start"),
            (5, "another listing"),
            (11, "a heading")
        ]
    );
    let problems = listings_without_introduction(&found, &[], Path::new("/r"));
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[2].starts_with("book/src/x.md:11: this listing follows a heading"),
        "{problems:?}"
    );
}

#[test]
fn a_listing_after_a_paragraph_or_a_list_item_is_introduced() {
    // A ``` inside a ~~~~ fence is text, not a listing of its own.
    let text = "# T\n\nLook at the loop:\n\n```rust\nloop {}\n```\n\n- and the output:\n\n  ~~~~text\n  ```\n  ~~~~\n";
    assert!(unintroduced_listings(Path::new("/r/book/src/x.md"), text).is_empty());
}

#[test]
fn a_listed_chapter_passes_and_a_stale_introductions_entry_is_reported() {
    let (allowed, _) = parse_allowlist(
        "listing-balance.txt",
        "book/src/x.md introductions: reworked next\nbook/src/y.md introductions: reworked since\n",
    );
    let found = unintroduced_listings(Path::new("/r/book/src/x.md"), "## H\n```text\na\n```\n");
    assert_eq!(found.len(), 1);
    let problems = listings_without_introduction(&found, &allowed, Path::new("/r"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`book/src/y.md introductions` no longer breaks the rule"),
        "{problems:?}"
    );
}
