//! Writes the example output the book shows: runs each example of
//! `tidy::EXAMPLE_OUTPUTS` and writes `book/src/generated/NAME.txt` (`$ COMMAND`, then
//! what it printed), and the pictures an example draws in the same run (asked for with
//! `BOOK_PICTURES_DIR`, tidy's `PICTURES_DIR`), beside it. A tidy test runs them again
//! and compares.
//!
//! Run: `cargo run -p tidy --bin book-outputs [NAME...]` (no name: all of them).

use std::fs;
use std::process::ExitCode;

use tidy::{generated_file, run_command, workspace_root, EXAMPLE_OUTPUTS, GENERATED, PICTURES_DIR};

fn main() -> ExitCode {
    let root = workspace_root();
    let names: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = names
        .iter()
        .find(|n| !EXAMPLE_OUTPUTS.iter().any(|o| o.name == n.as_str()))
    {
        let known: Vec<&str> = EXAMPLE_OUTPUTS.iter().map(|o| o.name).collect();
        eprintln!(
            "no output named {unknown}; the book's are: {}",
            known.join(", ")
        );
        return ExitCode::FAILURE;
    }
    let mut failed = false;
    for output in EXAMPLE_OUTPUTS
        .iter()
        .filter(|o| names.is_empty() || names.iter().any(|n| n == o.name))
    {
        let dir = root.join(GENERATED);
        let file = dir.join(format!("{}.txt", output.name));
        let pictures = dir.to_string_lossy();
        let env: &[(&str, &str)] = if output.pictures.is_empty() {
            &[]
        } else {
            &[(PICTURES_DIR, &pictures)]
        };
        let written = run_command(&root, output.command, env)
            .and_then(|printed| fs::write(&file, generated_file(output, &printed)));
        match written {
            Ok(()) => {
                println!("wrote {}", file.display());
                for picture in output.pictures {
                    println!("wrote {}", dir.join(picture.file).display());
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", output.name);
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
