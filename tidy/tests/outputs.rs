//! The program output the book shows is what the programs print, and the Benchmarks
//! appendix covers every bench; over the real tree, and over broken input.

use std::fs;
use std::path::{Path, PathBuf};

use tidy::*;

mod support;
use support::{chapters, report, root};

/// The committed `book/src/generated/NAME.txt`, if there is one.
fn committed(name: &str) -> Option<String> {
    fs::read_to_string(root().join(GENERATED).join(format!("{name}.txt"))).ok()
}

/// The committed picture `book/src/generated/FILE`, if there is one.
fn committed_picture(file: &str) -> Option<String> {
    fs::read_to_string(root().join(GENERATED).join(file)).ok()
}

/// Whether `python3` is a CPython built with a shared libpython, which `pywsgi`'s
/// `python` feature embeds. Without one, a command that needs the feature is skipped
/// with a loud line, except under `CI=true` (`.ci/run` has one), where it fails.
fn can_embed_python(command: &str) -> bool {
    let shared = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, sysconfig; sys.exit(0 if sysconfig.get_config_var('Py_ENABLE_SHARED') else 1)",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !shared {
        let why = format!("SKIPPED: `{command}`: no python3 with a shared libpython");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true, and {why}"
        );
        eprintln!("{why}");
    }
    shared
}

#[test]
fn every_example_output_in_the_book_is_what_the_example_prints() {
    // The pictures of this run go to a directory of the test's own, never over the
    // committed ones.
    let drawn = std::env::temp_dir().join(format!("tidy-pictures-{}", std::process::id()));
    fs::create_dir_all(&drawn).expect("the temporary directory is writable");
    let drawn_dir = drawn.to_string_lossy().into_owned();
    let mut problems = Vec::new();
    for output in EXAMPLE_OUTPUTS {
        if output.command.contains("--features python") && !can_embed_python(output.command) {
            continue;
        }
        match run_command(&root(), output.command, &[(PICTURES_DIR, &drawn_dir)]) {
            Ok(printed) => problems.extend(check_generated(
                output,
                committed(output.name).as_deref(),
                &printed,
            )),
            Err(e) => problems.push(format!("`{}`: {e}", output.command)),
        }
        for picture in output.pictures {
            let fresh = fs::read_to_string(drawn.join(picture.file)).ok();
            let book = committed_picture(picture.file);
            problems.extend(check_picture(
                output,
                picture.file,
                book.as_deref(),
                fresh.as_deref(),
            ));
            // The committed picture and the committed text are of one run.
            if let (Some(svg), Some(text)) = (&book, committed(output.name)) {
                problems.extend(picture_against_text(picture, svg, &text));
            }
        }
    }
    let _ = fs::remove_dir_all(&drawn);
    report(problems);
}

/// Whether `program` is on the PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[test]
fn every_load_sample_has_the_lines_and_columns_of_a_short_run() {
    if let Some(missing) = ["wrk", "redis-server", "curl"]
        .into_iter()
        .find(|p| !on_path(p))
    {
        let why = format!(
            "{missing} is not installed (`apt-get install {missing}`; .ci/run installs it)"
        );
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true, and {why}"
        );
        eprintln!("SKIPPED: the load samples' shape is not checked: {why}");
        return;
    }
    // A debug build and one second per point: the figures mean nothing, the shape is
    // the script's. `load.sh`'s samples are for three servers; masked, they read the same.
    let mut scripts: Vec<&str> = LOAD_SAMPLES.iter().filter_map(load_script).collect();
    scripts.sort_unstable();
    scripts.dedup();
    let mut problems = Vec::new();
    for script in scripts {
        if script.contains("pywsgi") && !can_embed_python(script) {
            continue;
        }
        let short = format!("LOAD_PROFILE=dev bash {script} 1");
        let printed = run_command(&root(), &short, &[])
            .unwrap_or_else(|e| panic!("the short load run `{short}`: {e}"));
        problems.extend(
            LOAD_SAMPLES
                .iter()
                .filter(|sample| load_script(sample) == Some(script))
                .flat_map(|sample| {
                    check_generated(sample, committed(sample.name).as_deref(), &printed)
                }),
        );
    }
    report(problems);
}

/// The files `bench-report` writes besides the load samples: the appendix, the tables,
/// the charts and the profiles' summaries.
fn report_files() -> Vec<String> {
    let mut files = vec!["benchmarks.md".to_owned()];
    files.extend(CHARTS.iter().map(|(chart, _)| chart.file.to_owned()));
    files.extend(PROFILES.iter().map(|(name, _)| format!("{name}.md")));
    files.extend(
        bench_targets(&root())
            .expect("the workspace is readable")
            .iter()
            .map(|t| t.table_file()),
    );
    files
}

#[test]
fn every_generated_file_has_a_writer_and_is_shown() {
    let dir = root().join(GENERATED);
    let written: Vec<String> = EXAMPLE_OUTPUTS
        .iter()
        .chain(LOAD_SAMPLES)
        .map(|o| format!("{}.txt", o.name))
        .chain(report_files())
        .chain(
            EXAMPLE_OUTPUTS
                .iter()
                .flat_map(|o| o.pictures.iter().map(|p| p.file.to_owned())),
        )
        .collect();
    // Shown: included (text), or linked as an image (a picture).
    let mut shown: Vec<PathBuf> = Vec::new();
    for chapter in chapters() {
        let text = fs::read_to_string(&chapter).unwrap_or_default();
        let dir = chapter.parent().unwrap_or(Path::new(".")).to_path_buf();
        shown.extend(
            includes_in(&chapter, &text)
                .into_iter()
                .map(|inc| folded(&dir.join(&inc.path))),
        );
        shown.extend(
            links_in(&text)
                .into_iter()
                .map(|(_, target)| folded(&dir.join(target))),
        );
    }
    let mut problems = Vec::new();
    let present: Vec<String> = fs::read_dir(&dir)
        .expect("book/src/generated is readable")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    for name in &present {
        if !written.contains(name) {
            problems.push(format!(
                "{GENERATED}/{name}: no command writes it (tidy's EXAMPLE_OUTPUTS, LOAD_SAMPLES, CHARTS, PROFILES, bench-report)"
            ));
        } else if !shown.contains(&dir.join(name)) {
            problems.push(format!("{GENERATED}/{name}: no chapter includes it"));
        }
    }
    for name in &written {
        if !present.contains(name) {
            problems.push(format!("{GENERATED}/{name} is missing"));
        }
    }
    report(problems);
}

#[test]
fn the_benchmarks_appendix_lists_every_bench_target() {
    let chapter = fs::read_to_string(root().join("book/src/benchmarks.md"))
        .expect("book/src/benchmarks.md is readable");
    let generated = fs::read_to_string(root().join(GENERATED).join("benchmarks.md"))
        .expect("the generated appendix is readable");
    let mut problems = Vec::new();
    let targets = bench_targets(&root()).expect("the workspace is readable");
    assert!(targets.len() >= 9, "{targets:?}");
    for target in targets {
        if !chapter.contains(&format!("| `{}` |", target.name)) {
            problems.push(format!(
                "book/src/benchmarks.md: no row says what `{}` measures",
                target.command()
            ));
        }
        if !generated.contains(&format!("{{{{#include {}}}}}", target.table_file())) {
            problems.push(format!(
                "{GENERATED}/benchmarks.md has no table for `{}`: run `bash benches/report.sh`",
                target.command()
            ));
        }
    }
    report(problems);
}

#[test]
fn every_mask_is_a_regular_expression() {
    for mask in [
        DURATIONS,
        ADDRESSES,
        WORKER_IDS,
        SHORT_IDS,
        BYTE_COUNTS,
        FILE_DESCRIPTORS,
        ITEM_COUNTS,
        NUMBERS,
    ]
    .iter()
    .chain(LOAD_MASKS)
    {
        masked("x", &[*mask]);
    }
}

// The checks themselves, on broken input: each must complain.

const FIVE: &str = "5 workers, 8 items of 300 ms each\nitem  worker    start    end\n   0  worker-4     0 ms   300 ms\n   5  worker-1   300 ms   601 ms  <- waited in the queue\nstopped: 0 handed back, 0 unfinished\n";

fn five_workers() -> &'static Output {
    &EXAMPLE_OUTPUTS[0]
}

#[test]
fn masks_hide_timings_and_workers_but_not_what_the_example_shows() {
    let other_run = FIVE
        .replace("worker-4     0 ms   300 ms", "worker-2     1 ms   301 ms")
        .replace("601 ms", "600 ms");
    assert_eq!(difference(FIVE, &other_run, five_workers().masks), None);
    let not_waiting = FIVE.replace("  <- waited in the queue", "");
    let found = difference(FIVE, &not_waiting, five_workers().masks);
    assert!(
        found.as_ref().is_some_and(|d| d.starts_with("line 4:")),
        "{found:?}"
    );
}

#[test]
fn a_missing_last_line_is_reported() {
    let book = generated_file(five_workers(), FIVE.trim_end().rsplit_once('\n').unwrap().0);
    let problems = check_generated(five_workers(), Some(&book), FIVE);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("line 5: the program printed `stopped: 0 handed back, 0 unfinished`, which the book lacks"),
        "{problems:?}"
    );
}

#[test]
fn a_missing_file_and_another_command_are_reported() {
    let missing = check_generated(five_workers(), None, FIVE);
    assert!(missing[0].contains("is missing"), "{missing:?}");
    let other = format!("$ cargo run -p threadpool --example minimal\n{FIVE}");
    let problems = check_generated(five_workers(), Some(&other), FIVE);
    assert!(
        problems[0].contains("made by `cargo run -p threadpool --example minimal`"),
        "{problems:?}"
    );
    let pasted = check_generated(five_workers(), Some(FIVE), FIVE);
    assert!(pasted[0].contains("is not `$ COMMAND`"), "{pasted:?}");
}

const LOAD: &str = "server: httpserver example echo_server --port 0 --threads 8, path /hello
a fresh connection on the idle server waits 269us (the baseline)
mode        conns        req/s        p99     cpu_us/req  fresh_conn_wait
keep-alive      1     27584.02    58.00us           12.9            300us
close          32     27399.71     2.04ms           32.7           4884us
(8 workers; 5s per point; 2 cores; server /r/target/release/examples/echo_server)
";

#[test]
fn a_load_sample_of_another_server_and_length_has_the_same_shape() {
    let wsgi = &LOAD_SAMPLES[1];
    let book = format!(
        "$ {} 5\n{}",
        wsgi.command,
        LOAD.replace("httpserver example echo_server", "wsgi example conformance")
            .replace("/hello", "/")
    );
    let short = LOAD
        .replace("27584.02", "3213.70")
        .replace("58.00us", "3.72ms")
        .replace("5s per point", "1s per point")
        .replace(
            "/r/target/release/examples/echo_server",
            "/r/target/debug/examples/echo_server",
        );
    assert_eq!(
        check_generated(wsgi, Some(&book), &short),
        Vec::<String>::new()
    );
}

#[test]
fn a_load_sample_without_its_first_line_or_a_column_is_reported() {
    let sample = &LOAD_SAMPLES[0];
    let headless = format!(
        "$ {} 5\n{}",
        sample.command,
        LOAD.split_once('\n').unwrap().1
    );
    let problems = check_generated(sample, Some(&headless), LOAD);
    assert!(
        problems[0].contains("line 1: the book has `a fresh connection"),
        "{problems:?}"
    );
    let narrow = format!(
        "$ {} 5\n{}",
        sample.command,
        LOAD.replace("fresh_conn_wait", "")
    );
    let problems = check_generated(sample, Some(&narrow), LOAD);
    assert!(problems[0].contains("line 3:"), "{problems:?}");
    assert!(same_command(sample, "bash benches/load.sh 5"));
    assert!(!same_command(sample, "bash benches/load.sh 5 x"));
}

#[test]
fn bench_names_come_from_bench_sections_only() {
    let toml = "[package]\nname = \"benches\"\n\n[[bench]]\nname = \"threadpool\"\nharness = false\n\n[lib]\nname = \"x\"\n\n[[bench]]\nharness = false\nname = \"wsgi\"\n";
    assert_eq!(bench_names(toml), ["threadpool", "wsgi"]);
}

#[test]
fn criterion_estimates_are_read_and_printed_in_their_unit() {
    let estimate = parse_estimate(
        r#"{"group_id":"keepalive","function_id":"c8/hello","full_id":"keepalive/c8/hello"}"#,
        r#"{"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":9310.2,"upper_bound":9551.0},"point_estimate":9430.4,"standard_error":50.1}}"#,
    )
    .expect("well-formed files");
    assert_eq!(estimate.id, "keepalive/c8/hello");
    assert_eq!(
        bench_table(&[estimate]).lines().nth(2),
        Some("| `keepalive/c8/hello` | 9.430 µs | 9.310 – 9.551 µs |")
    );
    assert_eq!(format_time(233.6), "233.6 ns");
    assert_eq!(format_time(71_197_000.0), "71.20 ms");
    let broken = parse_estimate(r#"{"full_id":"a"}"#, r#"{"mean":{}}"#);
    assert!(broken.is_err_and(|e| e.contains("no median")));
}

#[test]
fn ids_sort_with_their_numbers_as_numbers() {
    let mut ids = [
        "keepalive/c8/hello",
        "keepalive/c32/hello",
        "keepalive/c1/hello",
        "dispatch/routes100/first",
        "dispatch/routes10/first",
    ];
    ids.sort_by(|a, b| natural_order(a, b));
    assert_eq!(
        ids,
        [
            "dispatch/routes10/first",
            "dispatch/routes100/first",
            "keepalive/c1/hello",
            "keepalive/c8/hello",
            "keepalive/c32/hello"
        ]
    );
}

/// The output that draws the trip's pictures.
fn one_request() -> &'static Output {
    EXAMPLE_OUTPUTS
        .iter()
        .find(|o| !o.pictures.is_empty())
        .expect("one output draws pictures")
}

const PICTURE: &str = "<svg width=\"640\" aria-label=\"POST /login → 303 (Location: http://127.0.0.1:41000/)\">\n<rect class=\"wf-step\" x=\"1.5\" width=\"20.0\"/>\n<text>12 µs</text>\n</svg>\n";

#[test]
fn a_picture_of_another_run_agrees_once_its_numbers_are_masked() {
    let other_run = PICTURE
        .replace("640", "702")
        .replace("41000", "5123")
        .replace("1.5", "3.0")
        .replace("20.0", "7.25")
        .replace("12 µs", "140 µs");
    let problems = check_picture(
        one_request(),
        "trip-post-login.svg",
        Some(PICTURE),
        Some(&other_run),
    );
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn a_picture_with_another_bar_or_word_or_none_at_all_is_reported() {
    let file = "trip-post-login.svg";
    let one_bar_more = PICTURE.replace("</svg>", "<rect class=\"wf-step\" x=\"2\"/>\n</svg>");
    let problems = check_picture(one_request(), file, Some(PICTURE), Some(&one_bar_more));
    assert!(
        problems.len() == 1 && problems[0].contains("line 4: the book has `</svg>`"),
        "{problems:?}"
    );
    let renamed = PICTURE.replace("wf-step", "wf-stop");
    let problems = check_picture(one_request(), file, Some(PICTURE), Some(&renamed));
    assert!(problems[0].contains("line 2:"), "{problems:?}");
    let missing = check_picture(one_request(), file, None, Some(PICTURE));
    assert!(missing[0].contains("is missing"), "{missing:?}");
    let undrawn = check_picture(one_request(), file, Some(PICTURE), None);
    assert!(
        undrawn[0].contains("drew no trip-post-login.svg"),
        "{undrawn:?}"
    );
}

const TEXT: &str = "the demo on http://127.0.0.1:1\n\nANCHOR: post_login\nPOST /login → 303\n   121 µs  HttpServer.tick peer=127.0.0.1:2\n             · accepted\n   907 µs  WorkerThread worker=worker-0\nANCHOR_END: post_login\n\nANCHOR: get_index\n   789 µs  WorkerThread worker=worker-0\nANCHOR_END: get_index\n";

const TIMES: &str = "<svg>\n<text x=\"1\">0 µs</text>\n<text class=\"wf-time\" x=\"4\" text-anchor=\"end\">121 µs</text>\n<text class=\"wf-time\" x=\"4\" text-anchor=\"end\">907 µs</text>\n</svg>\n";

#[test]
fn a_picture_agrees_with_the_text_of_its_own_run_only() {
    let post = &one_request().pictures[0];
    assert_eq!(post.anchor, "post_login");
    assert_eq!(picture_against_text(post, TIMES, TEXT), None);
    let other_run = TIMES.replace("907 µs", "911 µs");
    let found = picture_against_text(post, &other_run, TEXT);
    assert!(
        found
            .as_ref()
            .is_some_and(|d| d.contains("[121 µs, 911 µs], the text's [121 µs, 907 µs]")),
        "{found:?}"
    );
    let get = &one_request().pictures[1];
    assert!(picture_against_text(get, TIMES, TEXT).is_some());
    let no_section = TEXT.replace("ANCHOR: post_login", "ANCHOR: other");
    let found = picture_against_text(post, TIMES, &no_section);
    assert!(
        found.is_some_and(|d| d.contains("no `ANCHOR: post_login`")),
        "the section is missing"
    );
}
