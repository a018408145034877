//! The benchmarks appendix, generated from one run: criterion's saved estimates of every
//! bench target, the `load.sh` output of every layer's server and of the three designs,
//! the date, the machine and the commands (the charts and the profile by layer drawn
//! from the same run are the `charts` and `profile` modules).
//!
//! Why: figures pasted from different runs disagree (the same keep-alive round trip was
//! once 17, 25 and 51 µs in three places of the book), and a reader cannot tell which to
//! believe. One run, on one machine, written out by a program, is one source; chapters
//! include its rows (`book/src/generated/bench-TARGET.md`, `load-NAME.txt`) instead of
//! quoting figures.
//!
//! `bash benches/report.sh` makes the run into `target/report/` (layout below) and calls
//! `cargo run -p tidy --bin bench-report -- target/report`, which writes the files with
//! the functions here.
//!
//! - `machine.txt`: `key: value` lines (date, commit, cores, cpu, kernel, toolchain, load).
//! - `commands.txt`: each command of the run, in order.
//! - `criterion/PACKAGE/TARGET/`: the criterion home of one bench target. Each target
//!   has its own, because two targets may use the same id (`keepalive/c1/hello` is both
//!   httpserver's and wsgi's) and criterion would keep only the last.
//! - `load-NAME.txt`: a `load.sh` (or `load_demo.sh`) run, `$ COMMAND` first; the
//!   `charts` module draws the appendix's charts from them.
//! - `profile-ka8.txt`: a `benches/profile.sh` run, `$ COMMAND` first; the `profile`
//!   module sums it by layer.
//! - `provisional`: present when the run was a quick one; its text says why.

use std::cmp::Ordering;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One bench target: `cargo bench -p PACKAGE --bench NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchTarget {
    /// The package that declares it.
    pub package: String,
    /// Its `[[bench]] name`.
    pub name: String,
}

impl BenchTarget {
    /// The command that runs it.
    pub fn command(&self) -> String {
        format!("cargo bench -p {} --bench {}", self.package, self.name)
    }

    /// Its table's file under `book/src/generated/`.
    pub fn table_file(&self) -> String {
        format!("bench-{}.md", self.name)
    }
}

/// The `[[bench]]` names declared in a `Cargo.toml`, in order.
pub fn bench_names(cargo_toml: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_bench = false;
    for line in cargo_toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bench = line == "[[bench]]";
        } else if in_bench {
            if let Some(value) = line.strip_prefix("name").map(str::trim_start) {
                if let Some(name) = value.strip_prefix('=') {
                    names.push(name.trim().trim_matches('"').to_owned());
                    in_bench = false;
                }
            }
        }
    }
    names
}

/// Every bench target of the workspace at `root`: the `[[bench]]`s of each member crate
/// (a folder of `root` with a `Cargo.toml`). In the order of the `benches` crate's (a
/// layer each, bottom first), a crate's own targets right after its layer's.
pub fn bench_targets(root: &Path) -> io::Result<Vec<BenchTarget>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    let mut targets: Vec<BenchTarget> = Vec::new();
    let mut own: Vec<BenchTarget> = Vec::new();
    for dir in dirs {
        let package = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        for name in bench_names(&fs::read_to_string(dir.join("Cargo.toml"))?) {
            let target = BenchTarget {
                package: package.clone(),
                name,
            };
            if package == "benches" {
                targets.push(target);
            } else {
                own.push(target);
            }
        }
    }
    for target in own {
        let after = targets
            .iter()
            .rposition(|t| t.package == target.package)
            .or_else(|| {
                targets
                    .iter()
                    .rposition(|t| t.package == "benches" && t.name == target.package)
            });
        match after {
            Some(i) => targets.insert(i + 1, target),
            None => targets.push(target),
        }
    }
    Ok(targets)
}

/// Criterion's estimate of one bench id's time per iteration, in nanoseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The bench id (`keepalive/c8/hello`).
    pub id: String,
    /// The median.
    pub median: f64,
    /// The 95% confidence interval of the median: its lower bound…
    pub lower: f64,
    /// …and its upper bound.
    pub upper: f64,
}

/// The estimate in a criterion `new/` folder's two files: `benchmark.json` (the id) and
/// `estimates.json` (the statistics).
pub fn parse_estimate(benchmark_json: &str, estimates_json: &str) -> Result<Estimate, String> {
    let parse = |what: &str, text: &str| {
        serde_json::from_str::<Value>(text).map_err(|e| format!("{what} is not JSON: {e}"))
    };
    let (benchmark, estimates) = (
        parse("benchmark.json", benchmark_json)?,
        parse("estimates.json", estimates_json)?,
    );
    let id = benchmark["full_id"]
        .as_str()
        .ok_or("benchmark.json has no full_id")?
        .to_owned();
    let median = &estimates["median"];
    let number = |value: &Value, what: &str| {
        value
            .as_f64()
            .ok_or_else(|| format!("estimates.json of {id} has no median {what}"))
    };
    Ok(Estimate {
        median: number(&median["point_estimate"], "point_estimate")?,
        lower: number(&median["confidence_interval"]["lower_bound"], "lower_bound")?,
        upper: number(&median["confidence_interval"]["upper_bound"], "upper_bound")?,
        id,
    })
}

/// Every estimate saved under a criterion home, in natural order of their ids.
pub fn read_estimates(home: &Path) -> Result<Vec<Estimate>, String> {
    let mut found = Vec::new();
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "new") {
                let read = |name: &str| {
                    fs::read_to_string(path.join(name))
                        .map_err(|e| format!("{}: {e}", path.join(name).display()))
                };
                found.push(parse_estimate(
                    &read("benchmark.json")?,
                    &read("estimates.json")?,
                )?);
            } else if path
                .file_name()
                .is_some_and(|n| n != "report" && n != "base")
            {
                stack.push(path);
            }
        }
    }
    found.sort_by(|a, b| natural_order(&a.id, &b.id));
    Ok(found)
}

/// `a` against `b` with runs of digits compared as numbers: `c8` before `c32`.
pub fn natural_order(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let by_value = na
                    .trim_start_matches('0')
                    .len()
                    .cmp(&nb.trim_start_matches('0').len())
                    .then_with(|| na.trim_start_matches('0').cmp(nb.trim_start_matches('0')));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) if x != y => return x.cmp(&y),
            (Some(x), Some(_)) => {
                (a, b) = (&a[x.len_utf8()..], &b[x.len_utf8()..]);
            }
        }
    }
}

/// The leading digits of `s`, and the rest.
fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// A time in nanoseconds in the unit that suits it, to four significant digits.
pub fn format_time(ns: f64) -> String {
    let (value, unit) = scaled(ns, ns);
    format!("{} {unit}", four_digits(value))
}

/// `ns` in the unit chosen for `like` (so an interval reads in its median's unit).
fn scaled(ns: f64, like: f64) -> (f64, &'static str) {
    let like = like.abs();
    if like < 1e3 {
        (ns, "ns")
    } else if like < 1e6 {
        (ns / 1e3, "µs")
    } else if like < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    }
}

fn four_digits(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude < 10.0 {
        format!("{value:.3}")
    } else if magnitude < 100.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.1}")
    }
}

/// One bench target's table: id, median, and the median's 95% interval.
pub fn bench_table(estimates: &[Estimate]) -> String {
    let mut table =
        String::from("| id | median | 95% interval of the median |\n| --- | ---: | ---: |\n");
    for e in estimates {
        let (lower, unit) = scaled(e.lower, e.median);
        let (upper, _) = scaled(e.upper, e.median);
        table.push_str(&format!(
            "| `{}` | {} | {} – {} {unit} |\n",
            e.id,
            format_time(e.median),
            four_digits(lower),
            four_digits(upper)
        ));
    }
    table
}

/// What the appendix says about the run: its facts, its commands, and whether it is a
/// quick one (and why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFacts {
    /// `key: value` facts, in order (date, commit, cores, cpu…).
    pub machine: Vec<(String, String)>,
    /// The commands, in the order they ran.
    pub commands: Vec<String>,
    /// `Some(why)` when the run was a quick one, not to be quoted.
    pub provisional: Option<String>,
}

/// `key: value` lines.
pub fn parse_facts(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// The generated appendix (`book/src/generated/benchmarks.md`): the run's facts and
/// commands, then each bench target's table and each load sample, by include.
pub fn appendix(facts: &RunFacts, targets: &[BenchTarget], loads: &[(&str, &str)]) -> String {
    let mut md = String::from(
        "<!-- Written by `bash benches/report.sh` (tidy's `bench-report`) from one run: do not edit. -->\n\n",
    );
    if let Some(why) = &facts.provisional {
        md.push_str(&format!(
            "> **Provisional figures.** {why} They show that the generator works; do not \
             quote them. `bash benches/report.sh` on a quiet machine replaces them.\n\n"
        ));
    }
    md.push_str("| the run | |\n| --- | --- |\n");
    for (key, value) in &facts.machine {
        md.push_str(&format!("| {key} | {value} |\n"));
    }
    md.push_str("\nThe commands, in the order they ran:\n\n```text\n");
    for command in &facts.commands {
        md.push_str(command);
        md.push('\n');
    }
    md.push_str("```\n");
    for target in targets {
        md.push_str(&format!(
            "\n### `{}`\n\n`{}`; criterion's median per iteration, and its 95% confidence \
             interval.\n\n{{{{#include {}}}}}\n",
            target.name,
            target.command(),
            target.table_file()
        ));
    }
    for (name, title) in loads {
        md.push_str(&format!(
            "\n### Load: {title}\n\n```text\n{{{{#include {name}.txt}}}}\n```\n"
        ));
    }
    md
}
