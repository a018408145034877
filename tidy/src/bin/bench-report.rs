//! Writes the benchmarks appendix from one run: `bash benches/report.sh` makes the run
//! into a folder and calls this on it. The folder's layout is in tidy's `report` module.
//!
//! Run: `cargo run -p tidy --bin bench-report -- DIR` writes `book/src/generated/`'s
//! `benchmarks.md`, `bench-TARGET.md` and `load-PACKAGE.txt`, only when the run is
//! complete (every bench target has estimates, every load sample is there);
//! `cargo run -p tidy --bin bench-report -- --list` prints what the script runs: a line
//! `bench PACKAGE NAME` per bench target, then `load NAME COMMAND` per load sample (the
//! command without its seconds).

use std::fs;
use std::path::Path;
use std::process::ExitCode;

use tidy::{
    appendix, bench_table, bench_targets, parse_facts, parse_generated, read_estimates,
    same_command, workspace_root, RunFacts, GENERATED, LOAD_SAMPLES,
};

fn main() -> ExitCode {
    let root = workspace_root();
    let result = match std::env::args().nth(1).as_deref() {
        Some("--list") => list(&root),
        Some(dir) if !dir.starts_with('-') => write(&root, Path::new(dir)),
        _ => Err("usage: bench-report DIR | bench-report --list".to_owned()),
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
    Ok(())
}

/// Reads the whole run first, then writes: a failed or partial run leaves the book as it was.
fn write(root: &Path, run: &Path) -> Result<(), String> {
    let read = |name: &str| {
        fs::read_to_string(run.join(name)).map_err(|e| format!("{}: {e}", run.join(name).display()))
    };
    let targets = bench_targets(root).map_err(|e| e.to_string())?;
    let mut files: Vec<(String, String)> = Vec::new();
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
    let facts = RunFacts {
        machine: parse_facts(&read("machine.txt")?),
        commands: read("commands.txt")?.lines().map(str::to_owned).collect(),
        provisional: fs::read_to_string(run.join("provisional"))
            .ok()
            .map(|why| why.trim().to_owned()),
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
