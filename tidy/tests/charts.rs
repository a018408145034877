//! The appendix's charts and the profile by layer, drawn from small fixture runs, and
//! from broken ones: a missing or unreadable sample is an error that names it.

use std::fs;
use std::path::PathBuf;

use tidy::*;

/// A `load.sh` sample whose figures grow with `scale`.
fn sample(scale: f64, cpu_at_close_1: &str) -> String {
    let mut text = String::from(
        "$ bash benches/load.sh 1\nserver: httpserver example x --port 0 --threads 8, path /hello\n\
         a fresh connection on the idle server waits 800us (the baseline)\n\
         mode        conns        req/s        p99     cpu_us/req  fresh_conn_wait\n",
    );
    for (mode, conns, p99) in [
        ("keep-alive", 1, "576.00us"),
        ("keep-alive", 8, "1.63ms"),
        ("keep-alive", 32, "2.06s"),
        ("close", 1, "1.23ms"),
        ("close", 8, "796.00us"),
        ("close", 32, "1.94ms"),
    ] {
        let cpu = if (mode, conns) == ("close", 1) {
            cpu_at_close_1.to_owned()
        } else {
            format!("{:.1}", 9.0 * scale)
        };
        text.push_str(&format!(
            "{mode:<11} {conns:>5} {:>12.2} {p99:>10} {cpu:>14} {:>16}\n",
            10_000.0 * scale * f64::from(conns).sqrt(),
            "264us"
        ));
    }
    text.push_str("(8 workers; 1s per point; 2 cores; server target/release/examples/x)\n");
    text
}

/// A fresh folder under the system's temporary one, holding `files`.
fn run_dir(test: &str, files: &[(String, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tidy-charts-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("a temporary folder");
    for (name, text) in files {
        fs::write(dir.join(name), text).expect("a fixture file");
    }
    dir
}

/// Every load sample the charts read, with figures that differ per sample.
fn complete_run() -> Vec<(String, String)> {
    CHARTS
        .iter()
        .flat_map(|(chart, _)| chart.series.iter())
        .enumerate()
        .map(|(i, (_, name))| (format!("{name}.txt"), sample(1.0 + i as f64 / 4.0, "n/a")))
        .collect()
}

fn count(svg: &str, what: &str) -> usize {
    svg.matches(what).count()
}

/// The texts an SVG shows (plotters writes each between its `<text>` tags, on a line of
/// its own).
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split_once("</text>")?
                    .0
                    .trim()
                    .to_owned(),
            )
        })
        .collect()
}

fn shown(svg: &str, text: &str) -> usize {
    texts(svg).iter().filter(|t| *t == text).count()
}

#[test]
fn a_load_sample_reads_as_rows_with_its_latencies_in_milliseconds() {
    let rows = load_rows(&sample(1.0, "n/a")).expect("a well-formed sample");
    assert_eq!(rows.len(), 6);
    assert_eq!((rows[1].mode.as_str(), rows[1].conns), ("keep-alive", 8));
    assert!((rows[0].p99_ms - 0.576).abs() < 1e-9, "{rows:?}");
    assert_eq!(rows[2].p99_ms, 2060.0);
    assert_eq!(rows[3].cpu_us, None, "n/a is no figure");
    assert_eq!(latency_ms("3.72ms"), Some(3.72));
    assert_eq!(latency_ms("timeout"), None);
}

#[test]
fn the_designs_chart_has_a_line_per_design_and_labelled_axes() {
    let dir = run_dir("designs", &complete_run());
    let charts = run_charts(&dir, false).expect("a complete run draws");
    let _ = fs::remove_dir_all(&dir);
    let (file, svg) = &charts[0];
    assert_eq!(file, DESIGNS_CHART.file);
    assert!(svg.starts_with("<svg"), "{svg:.200}");
    for (design, _) in DESIGNS_CHART.series {
        // One legend, for both panels.
        assert_eq!(shown(svg, design), 1, "{design}");
    }
    for text in [
        "requests per second",
        "99th percentile (ms, log scale)",
        "connections (kept alive)",
        "1",
        "8",
        "32",
    ] {
        assert!(shown(svg, text) >= 1, "no {text} in the designs chart");
    }
    // The tail's axis is labelled by decades of milliseconds.
    assert!(
        shown(svg, "1000") == 1 && shown(svg, "0.1") == 1,
        "{:?}",
        texts(svg)
    );
    // A point per design and connection count, in each of the two panels.
    assert_eq!(count(svg, "<circle"), 3 * 3 * 2);
    assert!(count(svg, "<polyline") >= 3 * 2);
    assert!(!svg.contains("provisional"));
}

#[test]
fn the_layers_chart_has_a_bar_per_layer_and_point() {
    let dir = run_dir("layers", &complete_run());
    let charts = run_charts(&dir, true).expect("a complete run draws");
    let _ = fs::remove_dir_all(&dir);
    let (file, svg) = &charts[1];
    assert_eq!(file, LAYERS_CHART.file);
    for (layer, _) in LAYERS_CHART.series {
        assert_eq!(shown(svg, layer), 1, "{layer}");
    }
    for text in [
        "CPU µs per request",
        "keep-alive 8",
        "close 32",
        "mode, connections",
    ] {
        assert_eq!(shown(svg, text), 1, "no {text} in the layers chart");
    }
    // Each bar carries its value: the fixture's httpserver (the fourth sample, 9 µs
    // times 1.75) has one at every point but `close 1`.
    assert_eq!(shown(svg, "15.8"), 5, "{:?}", texts(svg));
    // Filled bars: a bar per layer and point, but none for `close 1`, whose CPU is n/a;
    // and a legend swatch per layer.
    let bars = svg
        .lines()
        .filter(|l| l.starts_with("<rect") && !l.contains("fill=\"#FFFFFF\""))
        .count();
    assert!(bars >= 3 * 5 + 3, "{bars} bars\n{svg}");
    assert!(svg.contains("(provisional)"));
}

#[test]
fn a_missing_or_broken_sample_is_an_error_that_names_it() {
    let mut files = complete_run();
    files.retain(|(name, _)| name != "load-design-engine_hello.txt");
    let dir = run_dir("missing", &files);
    let missing = run_charts(&dir, false);
    assert!(
        missing.as_ref().is_err_and(
            |e| e.contains("chart-designs.svg") && e.contains("load-design-engine_hello.txt")
        ),
        "{missing:?}"
    );
    let _ = fs::remove_dir_all(&dir);

    let mut files = complete_run();
    for (name, text) in &mut files {
        if name == "load-wsgi.txt" {
            *text = "$ bash benches/load.sh 1\nthe server did not start\n".to_owned();
        }
    }
    let dir = run_dir("broken", &files);
    let broken = run_charts(&dir, false);
    let _ = fs::remove_dir_all(&dir);
    assert!(
        broken
            .as_ref()
            .is_err_and(|e| e.contains("load-wsgi.txt") && e.contains("no `keep-alive`")),
        "{broken:?}"
    );
    let garbled = load_rows("keep-alive 8 many 1ms 9.0 1us\n");
    assert!(
        garbled.as_ref().is_err_and(|e| e.contains("line 1")),
        "{garbled:?}"
    );
}

/// What `benches/profile.sh` prints, cut short: the facts, then `perf report`.
const PROFILE: &str = "$ bash benches/profile.sh 5
server: application example app_conformance --port 0, path /hello/load, pinned to cpu 0; wrk -t 1 -c 8 (kept alive) on cpu 1; 2 cores
requests: 300000 in 5s (60000.00 req/s)
cpu_us_per_request: 16.0
perf: perf record -F 1999 -g -p SERVER_PID -- sleep 5
# To display the perf.data header info, please use --header/--header-only options.
#
# Samples: 9K of event 'cpu-clock:ppp'
# Event count (approx.): 2500000000
#
# Overhead  Shared Object          Symbol
# ........  .....................  ..........................................
#
    30.00%  [kernel.kallsyms]      [k] _raw_spin_unlock_irqrestore
    20.00%  [kernel.kallsyms]      [k] tcp_sendmsg_locked
    10.00%  libc.so.6              [.] __memmove_avx_unaligned_erms
     8.00%  app_conformance        [.] httpserver::engine::Engine::serve::h0123456789abcdef
     6.00%  app_conformance        [.] core::ptr::drop_in_place<wsgi::environ::Environ>
     5.00%  app_conformance        [.] <application::Application as wsgi::Gateway>::call
     4.00%  app_conformance        [.] alloc::raw_vec::RawVec<T,A>::grow_one
     3.00%  app_conformance        [.] __rust_alloc
     2.00%  app_conformance        [.] regex_automata::meta::Regex::search
     2.00%  app_conformance        [.] threadpool::worker::run
     1.00%  app_conformance        [.] mysession::Store::load
     1.00%  app_conformance        [.] session::cache_headers
     1.00%  app_conformance        [.] 0x000055d1c0ffee00
     1.00%  [vdso]                 [.] __vdso_clock_gettime
     1.00%  app_conformance        [.] httpserver::engine::Engine::serve::{{closure}}
     0.50%  app_conformance        [.] httpserver::engine::Engine::serve::hfedcba9876543210


#
# (Tip: ...)
#
";

#[test]
fn the_profile_is_summed_by_layer_with_each_layers_top_functions() {
    assert_eq!(layer_of("[kernel.kallsyms]", "tcp_sendmsg"), "kernel");
    assert_eq!(layer_of("libc.so.6", "malloc"), "libc");
    assert_eq!(
        layer_of("x", "core::ptr::drop_in_place<wsgi::environ::Environ>"),
        "wsgi",
        "a std function for a layer's type is the layer's"
    );
    assert_eq!(
        layer_of("x", "<application::Application as wsgi::Gateway>::call"),
        "application",
        "the first layer named wins"
    );
    assert_eq!(layer_of("x", "mysession::Store::load"), "other");
    assert_eq!(layer_of("x", "__rust_alloc"), "std/alloc");
    let md = profile_summary(PROFILE, 2, None).expect("a well-formed profile");
    let row = |layer: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| {layer} |")))
            .unwrap_or_else(|| panic!("no {layer} row in\n{md}"))
            .to_owned()
    };
    // 51% of 16.0 µs: the vdso's clock read is the kernel's.
    assert!(row("kernel").starts_with("| kernel | 51.0% | 8.16 | `_raw_spin_unlock_irqrestore` 30.0%; `tcp_sendmsg_locked` 20.0% |"), "{md}");
    // Two instances of one function (their hashes differ) are one line.
    assert!(
        row("httpserver")
            .starts_with("| httpserver | 9.5% | 1.52 | `httpserver::engine::Engine::serve` 8.5%;"),
        "{md}"
    );
    assert!(row("std/alloc").contains("| 7.0% |"), "{md}");
    assert!(row("other").contains("| 4.0% |"), "{md}");
    assert!(md.contains("from `bash benches/profile.sh 5`"), "{md}");
    assert!(!md.contains("Provisional"), "{md}");
    let quick = profile_summary(PROFILE, 2, Some("A quick run.")).expect("well-formed");
    assert!(
        quick.contains("> **Provisional figures.** A quick run."),
        "{quick}"
    );
    assert!(md.find("| kernel |") < md.find("| libc |"));
    assert!(md.find("| session |") < md.find("| std/alloc |"));
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| where") && !l.starts_with("| ---"))
            .count(),
        LAYERS.len(),
        "{md}"
    );
}

#[test]
fn a_profile_without_its_facts_or_its_report_is_an_error() {
    let no_cpu = PROFILE.replace("cpu_us_per_request: 16.0\n", "");
    let e = profile_summary(&no_cpu, 3, None).expect_err("no CPU time per request");
    assert!(e.contains("cpu_us_per_request"), "{e}");
    let head_only: String = PROFILE.lines().take(5).map(|l| format!("{l}\n")).collect();
    let e = profile_summary(&head_only, 3, None).expect_err("no report");
    assert!(e.contains("perf report --stdio"), "{e}");
    let garbled = PROFILE.replace("[k] tcp_sendmsg_locked", "tcp_sendmsg_locked");
    let e = profile_summary(&garbled, 3, None).expect_err("a line without its marker");
    assert!(e.contains("line 15"), "{e}");
}
