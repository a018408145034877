//! Writes the benchmarks appendix from one run: `bash benches/report.sh` makes the run
//! into a folder and calls this on it. The folder's layout is in tidy's `report` module.
//!
//! Run: `cargo run -p tidy --bin bench-report -- DIR` writes `book/src/generated/`'s
//! `benchmarks.md`, `bench-TARGET.md`, `load-NAME.txt`, the charts drawn from the load
//! samples (`chart-*.svg`) and the profile's summary by layer (`profile-ka8.md`), only
//! when the run is complete (every bench target has estimates, every load sample and
//! profile is there and reads);
//! `cargo run -p tidy --bin bench-report -- --list` prints what the script runs: a line
//! `bench PACKAGE NAME` per bench target, then `load NAME COMMAND` per load sample and
//! `profile NAME COMMAND` per profile (the command without its seconds);
//! `cargo run -p tidy --bin bench-report -- --profile FILE` prints the summary of one
//! `bash benches/profile.sh` output; `... -- --charts DIR` draws the charts alone from a
//! folder of load samples (to try a change to the charts without a whole run; a
//! `provisional` file in it marks them so).

use std::fs;
use std::path::Path;
use std::process::ExitCode;

use tidy::{
    appendix, bench_table, bench_targets, parse_facts, parse_generated, profile_summary,
    read_estimates, run_charts, same_command, workspace_root, BenchTarget, RunFacts, GENERATED,
    LOAD_SAMPLES, PROFILES, TOP_FUNCTIONS,
};

fn main() -> ExitCode {
    let root = workspace_root();
    let result = match std::env::args().nth(1).as_deref() {
        Some("--list") => list(&root),
        Some("--charts") => match std::env::args().nth(2) {
            Some(dir) => charts_only(&root, Path::new(&dir)),
            None => Err("usage: bench-report --charts DIR".to_owned()),
        },
        Some("--profile") => match std::env::args().nth(2) {
            Some(file) => profile_only(Path::new(&file)),
            None => Err("usage: bench-report --profile FILE".to_owned()),
        },
        Some(dir) if !dir.starts_with('-') => write(&root, Path::new(dir)),
        _ => Err("usage: bench-report DIR | --list | --charts DIR | --profile FILE".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn list(root: &Path) -> Result<(), String> {
    for target in bench_targets(root).map_err(|e| e.to_string())? {
        println!("bench {} {}", target.package, target.name);
    }
    for sample in LOAD_SAMPLES {
        println!("load {} {}", sample.name, sample.command);
    }
    for (name, command) in PROFILES {
        println!("profile {name} {command}");
    }
    Ok(())
}

/// Reads the whole run first, then writes: a failed or partial run leaves the book as it was.
fn write(root: &Path, run: &Path) -> Result<(), String> {
    let read = |name: &str| {
        fs::read_to_string(run.join(name)).map_err(|e| format!("{}: {e}", run.join(name).display()))
    };
    let targets = bench_targets(root).map_err(|e| e.to_string())?;
    let mut files = bench_tables(&targets, run)?;
    let mut loads = Vec::new();
    for sample in LOAD_SAMPLES {
        let file = format!("{}.txt", sample.name);
        let text = read(&file)?;
        let (command, body) = parse_generated(&text)
            .filter(|(command, _)| same_command(sample, command))
            .ok_or_else(|| format!("{file} does not start with `$ {} SECONDS`", sample.command))?;
        let server = body
            .lines()
            .find_map(|l| l.strip_prefix("server: "))
            .ok_or_else(|| format!("{file}: no `server:` line (`{command}` failed?)"))?;
        loads.push((sample.name, format!("`{server}`")));
        files.push((file, text));
    }
    let provisional = provisional_in(run);
    for (name, _) in PROFILES {
        let text = read(&format!("{name}.txt"))?;
        let summary = profile_summary(&text, TOP_FUNCTIONS, provisional.as_deref())
            .map_err(|e| format!("{name}.txt: {e}"))?;
        files.push((format!("{name}.md"), summary));
    }
    files.extend(run_charts(run, provisional.is_some())?);
    let facts = RunFacts {
        machine: parse_facts(&read("machine.txt")?),
        commands: read("commands.txt")?.lines().map(str::to_owned).collect(),
        provisional,
    };
    let titles: Vec<(&str, &str)> = loads.iter().map(|(n, t)| (*n, t.as_str())).collect();
    files.push((
        "benchmarks.md".to_owned(),
        appendix(&facts, &targets, &titles),
    ));
    let out = root.join(GENERATED);
    for (name, text) in files {
        fs::write(out.join(&name), text).map_err(|e| format!("{name}: {e}"))?;
        println!("wrote {}/{name}", out.display());
    }
    Ok(())
}

/// Each bench target's table (`bench-NAME.md`, its text), from its criterion home in the
/// run.
fn bench_tables(targets: &[BenchTarget], run: &Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        if targets[..i]
            .iter()
            .any(|t| t.table_file() == target.table_file())
        {
            return Err(format!("two bench targets are named `{}`", target.name));
        }
        let home = run
            .join("criterion")
            .join(&target.package)
            .join(&target.name);
        let estimates = read_estimates(&home)?;
        if estimates.is_empty() {
            return Err(format!(
                "no estimates for `{}` in {}",
                target.command(),
                home.display()
            ));
        }
        files.push((target.table_file(), bench_table(&estimates)));
    }
    Ok(files)
}

/// The charts alone, from the load samples in `dir`.
fn charts_only(root: &Path, dir: &Path) -> Result<(), String> {
    let out = root.join(GENERATED);
    for (name, svg) in run_charts(dir, provisional_in(dir).is_some())? {
        fs::write(out.join(&name), svg).map_err(|e| format!("{name}: {e}"))?;
        println!("wrote {}/{name}", out.display());
    }
    Ok(())
}

/// The summary of one profile, on stdout.
fn profile_only(file: &Path) -> Result<(), String> {
    let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let provisional = provisional_in(file.parent().unwrap_or(Path::new(".")));
    print!(
        "{}",
        profile_summary(&text, TOP_FUNCTIONS, provisional.as_deref())?
    );
    Ok(())
}

/// Why the run in `dir` is provisional: its `provisional` file, if it has one.
fn provisional_in(dir: &Path) -> Option<String> {
    fs::read_to_string(dir.join("provisional"))
        .ok()
        .map(|why| why.trim().to_owned())
}
