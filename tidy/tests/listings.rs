//! The listing rules over the real book, and over broken input to show they can fail.

use std::fs;
use std::path::Path;

use tidy::*;

mod support;
use support::{allowlist, chapters, report, root};

/// Every include of every chapter, with what it shows.
fn all_listings() -> Vec<Listing> {
    chapters()
        .iter()
        .flat_map(|ch| {
            let text = fs::read_to_string(ch).expect("chapters are UTF-8");
            listings_in(ch, &text, |p| fs::read_to_string(p))
        })
        .collect()
}

#[test]
fn no_listing_is_over_40_lines_unless_listed() {
    let (allowed, mut problems) = allowlist("long-listings.txt");
    let listings = all_listings();
    assert!(
        listings.iter().any(|l| l.in_fence),
        "the book shows no listing"
    );
    problems.extend(listing_walls(&listings, &allowed, &root()));
    report(problems);
}

#[test]
fn no_include_breaks_out_of_its_list_item_unless_listed() {
    let (allowed, mut problems) = allowlist("list-item-includes.txt");
    problems.extend(includes_breaking_lists(&all_listings(), &allowed, &root()));
    report(problems);
}

// The checks themselves, on broken input: each must complain.

/// A source file with region `name` of `lines` lines.
fn region(name: &str, lines: usize) -> String {
    format!(
        "// ANCHOR: {name}\n{}// ANCHOR_END: {name}\n",
        "fn step() {}\n".repeat(lines)
    )
}

#[test]
fn a_listing_over_40_lines_is_reported_and_one_at_40_is_not() {
    let source = format!("{}{}", region("at_limit", 40), region("wall", 41));
    let chapter = "# X\n\n```rust,ignore\n{{#include ../../a/src/x.rs:at_limit}}\n```\n\n```rust,ignore\n{{#include ../../a/src/x.rs:wall}}\n```\n";
    let listings = listings_in(Path::new("/r/book/src/x.md"), chapter, |_| {
        Ok(source.clone())
    });
    assert_eq!(listings.len(), 2, "{listings:?}");
    assert_eq!(listings[0].target, Path::new("/r/a/src/x.rs"));
    let problems = listing_walls(&listings, &[], Path::new("/r"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("book/src/x.md:8: `a/src/x.rs:wall` shows 41 lines"),
        "{problems:?}"
    );
}

#[test]
fn a_listed_wall_passes_and_a_stale_entry_is_reported() {
    let (allowed, problems) = parse_allowlist(
        "long-listings.txt",
        "book/src/x.md a/src/x.rs:wall: shown whole until the restructure\nbook/src/x.md a/src/x.rs:gone: split since\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    let chapter = "```rust,ignore\n{{#include ../../a/src/x.rs:wall}}\n```\n";
    let listings = listings_in(Path::new("/r/book/src/x.md"), chapter, |_| {
        Ok(region("wall", 50))
    });
    let problems = listing_walls(&listings, &allowed, Path::new("/r"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`book/src/x.md a/src/x.rs:gone` no longer breaks the rule"),
        "{problems:?}"
    );
}

#[test]
fn generated_text_outside_a_fence_is_not_a_listing() {
    let listings = listings_in(
        Path::new("/r/book/src/x.md"),
        "{{#include generated/table.md}}\n",
        |_| Ok("| a |\n".repeat(100)),
    );
    assert_eq!(listings.len(), 1);
    assert!(!listings[0].in_fence);
    assert!(listing_walls(&listings, &[], Path::new("/r")).is_empty());
}

#[test]
fn an_include_in_a_list_item_without_its_indentation_is_reported() {
    // The httprequest.md shape: a fence indented two spaces in a bullet, the included
    // code at column 0 from its second line on.
    let chapter = "- **Host** is required:\n\n  ```rust,ignore\n  {{#include ../../a/src/x.rs:valid_host}}\n  ```\n- **Content-Length** is digits only.\n";
    let source =
        "// ANCHOR: valid_host\nfn valid_host() {\n    true\n}\n// ANCHOR_END: valid_host\n";
    let listings = listings_in(
        Path::new("/r/book/src/x.md"),
        chapter,
        |_| Ok(source.into()),
    );
    assert_eq!(
        (listings[0].indent, listings[0].unindented),
        (2, Some(3)),
        "{listings:?}"
    );
    let problems = includes_breaking_lists(&listings, &[], Path::new("/r"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .starts_with("book/src/x.md:4: `a/src/x.rs:valid_host` is included 2 spaces deep"),
        "{problems:?}"
    );
}

#[test]
fn an_include_at_column_0_in_an_indented_fence_is_reported() {
    let chapter = "1. The status:\n\n   ```rust,ignore\n{{#include x.rs}}\n   ```\n";
    // Pasted, the line is `let a = 1;` at column 0: out of the item. Text indented in
    // its own file stays in (mdBook pastes it as it is).
    let listings = listings_in(Path::new("/r/book/src/x.md"), chapter, |p| {
        Ok(if p.ends_with("x.rs") {
            "let a = 1;\n"
        } else {
            "    let a = 1;\n"
        }
        .into())
    });
    assert_eq!(listings[0].unindented, Some(1), "{listings:?}");
    let indented = chapter.replace("x.rs", "y.rs");
    let listings = listings_in(Path::new("/r/book/src/x.md"), &indented, |p| {
        Ok(if p.ends_with("x.rs") {
            "let a = 1;\n"
        } else {
            "    let a = 1;\n"
        }
        .into())
    });
    assert_eq!(listings[0].unindented, None, "{listings:?}");
}

#[test]
fn an_include_at_column_0_or_with_indented_text_passes() {
    let chapter = "```rust,ignore\n{{#include x.rs}}\n```\n\n- item\n\n  ```text\n  {{#include y.txt}}\n  ```\n";
    let listings = listings_in(Path::new("/r/book/src/x.md"), chapter, |p| {
        Ok(if p.ends_with("x.rs") {
            "fn a() {\n}\n".into()
        } else {
            "first\n  second\n\n  third\n".into()
        })
    });
    assert_eq!(listings.len(), 2);
    assert!(includes_breaking_lists(&listings, &[], Path::new("/r")).is_empty());
}

#[test]
fn a_fence_closes_only_on_its_own_marker() {
    // A ``` inside a ~~~~ fence is text; the include after it is still in the fence.
    let chapter = "~~~~text\n```\n{{#include x.rs}}\n~~~~\n{{#include x.rs}}\n";
    let listings = listings_in(Path::new("/r/book/src/x.md"), chapter, |_| Ok("a\n".into()));
    let in_fence: Vec<bool> = listings.iter().map(|l| l.in_fence).collect();
    assert_eq!(in_fence, [true, false]);
}

#[test]
fn parent_segments_are_folded_without_the_file_system() {
    assert_eq!(
        folded(Path::new("/r/book/src/../../a/./src/x.rs")),
        Path::new("/r/a/src/x.rs")
    );
    assert_eq!(folded(Path::new("../x")), Path::new("../x"));
}
