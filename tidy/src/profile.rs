//! "Where the time goes", generated: a `perf` profile of the full stack, its self time
//! summed by layer.
//!
//! Why: a profile pasted into the book was true of one build; the next change to a layer
//! makes it fiction. `benches/profile.sh` records the full stack under wrk and prints
//! `perf report --stdio --no-children --sort dso,sym` after a few `key: value` lines;
//! `bench-report` turns that into `book/src/generated/profile-ka8.md` with
//! [`profile_summary`]: each layer's share of the samples, its CPU time per request
//! (that share of the server's measured CPU time per request), and its top functions.

/// The profiles a run records: `(NAME, COMMAND)`. `report.sh` runs `COMMAND SECONDS`
/// into the run's `NAME.txt`; `bench-report` writes its summary to
/// `book/src/generated/NAME.md`.
pub const PROFILES: &[(&str, &str)] = &[("profile-ka8", "bash benches/profile.sh")];

/// How many functions each layer's row names.
pub const TOP_FUNCTIONS: usize = 4;

/// Where a sample's self time is counted, in the order the summary lists them.
pub const LAYERS: [&str; 9] = [
    "kernel",
    "libc",
    "httpserver",
    "threadpool",
    "wsgi",
    "application",
    "session",
    "std/alloc",
    "other",
];

/// The workspace's layer crates, as their paths begin in a demangled symbol.
const CRATES: [&str; 5] = ["httpserver", "threadpool", "wsgi", "application", "session"];

/// The standard library's crates (and the hash map it is built on).
const STD: [&str; 4] = ["std", "core", "alloc", "hashbrown"];

/// The layer of one `perf report` line: its shared object and its symbol.
///
/// A symbol is counted to the layer crate whose path appears first in it, so a
/// standard-library function instantiated for a layer's type (`core::ptr::drop_in_place<
/// wsgi::environ::Environ>`) is that layer's cost; the kernel and libc go by their
/// shared object; the Rust runtime's allocator shims count as `std/alloc`.
pub fn layer_of(dso: &str, symbol: &str) -> &'static str {
    if dso.starts_with("[kernel") || dso.starts_with("[vdso") {
        return "kernel";
    }
    if dso.starts_with("libc.so") || dso.starts_with("libc-") || dso.starts_with("ld-linux") {
        return "libc";
    }
    let first = |names: &[&'static str]| {
        names
            .iter()
            .filter_map(|name| path_start(symbol, name).map(|at| (at, *name)))
            .min()
            .map(|(_, name)| name)
    };
    if let Some(name) = first(&CRATES) {
        return name;
    }
    if first(&STD).is_some() || symbol.starts_with("__rust_") || symbol.starts_with("__rdl_") {
        return "std/alloc";
    }
    "other"
}

/// Where `name::` starts in `symbol` as a whole path segment (not inside `my_name::`).
fn path_start(symbol: &str, name: &str) -> Option<usize> {
    let needle = format!("{name}::");
    let mut from = 0;
    while let Some(at) = symbol[from..].find(&needle).map(|i| i + from) {
        let before = symbol[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

/// One function's line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampled {
    /// Its share of the samples, in percent.
    pub percent: f64,
    /// Its shared object.
    pub dso: String,
    /// Its symbol, without a legacy mangling hash.
    pub symbol: String,
}

/// The lines of `perf report --stdio --no-children --sort dso,sym` (`  12.34%  dso
/// [k] symbol`); comments and blank lines are skipped, a line that starts with a
/// percentage and does not read is an error.
pub fn report_lines(text: &str) -> Result<Vec<Sampled>, String> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some((percent, rest)) = trimmed.split_once('%') else {
            continue;
        };
        let Ok(percent) = percent.parse::<f64>() else {
            continue;
        };
        let bad = || {
            format!(
                "line {}: `{line}` is not `PERCENT% DSO [k|.] SYMBOL`",
                n + 1
            )
        };
        let rest = rest.trim_start();
        let (dso, rest) = rest.split_once(char::is_whitespace).ok_or_else(bad)?;
        let rest = rest.trim_start();
        let symbol = rest
            .strip_prefix("[k]")
            .or_else(|| rest.strip_prefix("[.]"))
            .ok_or_else(bad)?
            .trim();
        found.push(Sampled {
            percent,
            dso: dso.to_owned(),
            symbol: without_hash(symbol).to_owned(),
        });
    }
    if found.is_empty() {
        return Err(
            "no `PERCENT% DSO [k|.] SYMBOL` lines: is it `perf report --stdio` output?".to_owned(),
        );
    }
    Ok(found)
}

/// `symbol` without the `::h0123456789abcdef` a legacy mangled name ends with.
fn without_hash(symbol: &str) -> &str {
    match symbol.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            head
        }
        _ => symbol,
    }
}

/// The summary of a `benches/profile.sh` output: `$ COMMAND` (as `report.sh` writes it;
/// optional), `key: value` lines (the server, `cpu_us_per_request`, the perf command),
/// then the report. A Markdown table,
/// a row per layer with its share, its microseconds per request and its `top` functions.
///
/// `provisional` is why the run is not to be quoted (a quick run), said above the table.
pub fn profile_summary(
    text: &str,
    top: usize,
    provisional: Option<&str>,
) -> Result<String, String> {
    let command = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("$ "))
        .unwrap_or("bash benches/profile.sh");
    let fact = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
            .map(str::trim)
            .ok_or_else(|| format!("the profile has no `{key}:` line (`{command}` failed?)"))
    };
    let server = fact("server")?;
    let recorded = fact("perf")?;
    let cpu_us: f64 = fact("cpu_us_per_request")?
        .parse()
        .map_err(|_| "`cpu_us_per_request:` is not a number".to_owned())?;
    let lines = report_lines(text)?;
    let note = provisional
        .map(|why| format!("> **Provisional figures.** {why} Do not quote them.\n\n"))
        .unwrap_or_default();
    let mut md = format!(
        "<!-- Written by `bash benches/report.sh` (tidy's `bench-report`) from `{command}`: do not edit. -->\n\n\
         {note}The server: {server}; recorded with `{recorded}`. The server's CPU time per request \
         during the recording: {cpu_us:.1} µs (perf's sampling adds a little); a layer's µs \
         per request is its share of that.\n\n\
         | where | share of the samples | µs per request | its top functions (share of all samples) |\n\
         | --- | ---: | ---: | --- |\n"
    );
    for layer in LAYERS {
        // A function's instances (one per hash, once the hash is gone) are one function.
        let mut own: Vec<(&str, f64)> = Vec::new();
        for s in lines
            .iter()
            .filter(|s| layer_of(&s.dso, &s.symbol) == layer)
        {
            match own.iter_mut().find(|(symbol, _)| *symbol == s.symbol) {
                Some((_, percent)) => *percent += s.percent,
                None => own.push((&s.symbol, s.percent)),
            }
        }
        if own.is_empty() {
            continue;
        }
        own.sort_by(|a, b| b.1.total_cmp(&a.1));
        let share: f64 = own.iter().map(|(_, percent)| percent).sum();
        let names: Vec<String> = own
            .iter()
            .take(top)
            .map(|(symbol, percent)| format!("`{}` {percent:.1}%", symbol.replace('|', "\\|")))
            .collect();
        md.push_str(&format!(
            "| {layer} | {share:.1}% | {:.2} | {} |\n",
            share / 100.0 * cpu_us,
            names.join("; ")
        ));
    }
    Ok(md)
}
