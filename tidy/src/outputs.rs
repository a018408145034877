//! Program output the book shows: written by a command, checked by running it again.
//!
//! Why: output pasted by hand drifts from the program the moment either changes (the
//! threadpool chapter once lost the last line of `five_workers_eight_items`, and a
//! `load.sh` sample its first). So every output lives in `book/src/generated/NAME.txt`,
//! whose first line is `$ COMMAND` and the rest what the command printed; a chapter shows
//! it with `{{#include generated/NAME.txt}}`, and never pastes it.
//!
//! - The quick examples ([`EXAMPLE_OUTPUTS`]) are written by
//!   `cargo run -p tidy --bin book-outputs`, and a tidy test runs each again and
//!   compares, with what varies from run to run masked ([`Mask`]).
//! - The `load.sh` samples ([`LOAD_SAMPLES`]) come from the benchmarks run
//!   (`bash benches/report.sh`), which takes minutes on a quiet machine. A tidy test runs
//!   the script briefly against a debug build and checks that every sample has the shape
//!   of what it printed: the same lines and columns, every number masked.
//! - A command may draw pictures as well ([`Output::pictures`], SVG files in
//!   `book/src/generated/`): asked to by [`PICTURES_DIR`], it writes them in the same run
//!   as its text, so picture and text show the same trip. A tidy test has it draw them
//!   again into a directory of its own and compares each with the committed one, every
//!   number masked ([`check_picture`]): the same elements, the same words.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use regex::Regex;

/// Where the generated files live, relative to the workspace root.
pub const GENERATED: &str = "book/src/generated";

/// Something that varies between two runs of the same program, and what it reads as
/// once masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mask {
    /// What it is, for messages.
    pub what: &'static str,
    /// A regular expression for it.
    pub pattern: &'static str,
    /// What it is replaced by.
    pub with: &'static str,
}

/// A duration with its unit: `300 ms`, `70.816µs`, `2.04ms`, `93.00us`, `5s`.
pub const DURATIONS: Mask = Mask {
    what: "durations",
    pattern: r"\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s)\b",
    with: "<time>",
};

/// A socket address: `127.0.0.1:43261`, `[::1]:80` (the port is chosen at run time).
pub const ADDRESSES: Mask = Mask {
    what: "addresses",
    pattern: r"\b(?:\d{1,3}\.){3}\d{1,3}:\d+\b|\[[0-9A-Fa-f:]*\]:\d+\b",
    with: "<addr>",
};

/// The worker a job landed on: `worker-3` (whichever was free).
pub const WORKER_IDS: Mask = Mask {
    what: "worker ids",
    pattern: r"\bworker-\d+\b",
    with: "worker-<n>",
};

/// A socket's file descriptor in its `Debug` form: `Socket { raw: 3, .. }` (the number
/// depends on what the process has open).
pub const FILE_DESCRIPTORS: Mask = Mask {
    what: "file descriptors",
    pattern: r"\braw: \d+",
    with: "raw: <fd>",
};

/// How many items a worker ran: `3 items` (which worker takes which is the scheduler's).
pub const ITEM_COUNTS: Mask = Mask {
    what: "item counts",
    pattern: r"\b\d+ items\b",
    with: "<n> items",
};

/// A session id as the trace shows it, its first eight digits: `SessionId(1a2b3c4d…)`
/// (a new one every run; never the whole id, which is a credential).
pub const SHORT_IDS: Mask = Mask {
    what: "short session ids",
    pattern: r"SessionId\([0-9a-f]{1,8}…\)",
    with: "SessionId(<id>…)",
};

/// A byte count in the trace, `bytes=2783`: a page that shows its own trip (the demo's
/// panel, with its timings) is not the same length twice.
pub const BYTE_COUNTS: Mask = Mask {
    what: "byte counts",
    pattern: r"\bbytes=\d+",
    with: "bytes=<n>",
};

/// Any number left: a measurement.
pub const NUMBERS: Mask = Mask {
    what: "numbers",
    pattern: r"\b\d+(?:\.\d+)?\b",
    with: "<n>",
};

/// The program output the book shows: its file, its command, and what varies in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// `book/src/generated/NAME.txt`.
    pub name: &'static str,
    /// The command, as the reader types it (from the workspace root).
    pub command: &'static str,
    /// What varies between runs, masked before two outputs are compared.
    pub masks: &'static [Mask],
    /// The command that writes the file.
    pub written_by: &'static str,
    /// The pictures the same command draws, in the directory the environment variable
    /// [`PICTURES_DIR`] names.
    pub pictures: &'static [Picture],
}

/// A picture a command draws: a trip's waterfall, beside the text of the same trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picture {
    /// Its file in `book/src/generated/`: `trip-post-login.svg`.
    pub file: &'static str,
    /// The `ANCHOR` of the output's text that shows the same trip: `post_login`.
    pub anchor: &'static str,
}

/// The environment variable that asks a command for its pictures, naming the directory
/// to write them in.
pub const PICTURES_DIR: &str = "BOOK_PICTURES_DIR";

/// What writes the quick examples' files.
const BOOK_OUTPUTS: &str = "`cargo run -p tidy --bin book-outputs`";

/// What writes the `load.sh` samples.
const REPORT: &str = "`bash benches/report.sh` (one full run; see the Benchmarks appendix)";

/// The examples whose output the book shows, quick and deterministic once masked.
pub const EXAMPLE_OUTPUTS: &[Output] = &[
    Output {
        name: "five_workers_eight_items",
        command: "cargo run -p threadpool --example five_workers_eight_items",
        masks: &[DURATIONS, WORKER_IDS],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    Output {
        name: "middleware_order",
        command: "cargo run -p wsgi --example middleware_order",
        masks: &[],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    // The trip the introduction opens with and each chapter starts from: `--book` puts
    // ANCHOR lines around each request and adds the trip chapter by chapter.
    Output {
        name: "one_request",
        command: "cargo run -p session --example one_request -- --book",
        masks: &[DURATIONS, ADDRESSES, WORKER_IDS, SHORT_IDS, BYTE_COUNTS],
        written_by: BOOK_OUTPUTS,
        // The two trips as waterfalls, drawn from the same trace as the text.
        pictures: &[
            Picture {
                file: "trip-post-login.svg",
                anchor: "post_login",
            },
            Picture {
                file: "trip-get-index.svg",
                anchor: "get_index",
            },
        ],
    },
    // The same trip on `pywsgi`, a Python hello: the Python call a step of its own.
    Output {
        name: "pywsgi_one_request",
        command: "cargo run -p pywsgi --features python --example one_request",
        masks: &[DURATIONS, ADDRESSES, WORKER_IDS],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    Output {
        name: "bind_step_by_step",
        command: "cargo run -p httpserver --example bind_step_by_step -- '[::]:0'",
        masks: &[ADDRESSES, FILE_DESCRIPTORS],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    Output {
        name: "minimal",
        command: "cargo run -p threadpool --example minimal",
        masks: &[DURATIONS, WORKER_IDS, ITEM_COUNTS],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    Output {
        name: "keep_alive_holds_a_worker",
        command: "cargo run -p httpserver --example keep_alive_holds_a_worker",
        masks: &[DURATIONS, ADDRESSES],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    Output {
        name: "slow_handlers",
        command: "cargo run -p httpserver --example slow_handlers",
        masks: &[DURATIONS],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    Output {
        name: "url_mapping",
        command: "cargo run -p application --example url_mapping",
        masks: &[],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
    Output {
        name: "processor_order",
        command: "cargo run -p application --example processor_order",
        masks: &[],
        written_by: BOOK_OUTPUTS,
        pictures: &[],
    },
];

/// What varies in a `load.sh` run: which server, where its binary is, every figure.
pub const LOAD_MASKS: &[Mask] = &[
    Mask {
        what: "the server",
        pattern: r"(?m)^server: .*$",
        with: "server: <which>",
    },
    Mask {
        what: "the server binary",
        pattern: r"(?m)server \S+\)$",
        with: "server <binary>)",
    },
    DURATIONS,
    NUMBERS,
];

/// The load samples the book shows, written by `bash benches/report.sh`: `load.sh`
/// against each layer's server and each of the HttpConnection chapter's three designs,
/// all with the same shape, and `load_demo.sh` against the
/// full-stack demo with each session store. The command is without its one argument,
/// the seconds per point, which the run chooses.
pub const LOAD_SAMPLES: &[Output] = &[
    Output {
        name: "load-httpserver",
        command: "bash benches/load.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
    Output {
        name: "load-wsgi",
        command: "LOAD_PACKAGE=wsgi LOAD_EXAMPLE=conformance LOAD_PATH=/ bash benches/load.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
    Output {
        name: "load-application",
        command: "LOAD_PACKAGE=application LOAD_EXAMPLE=app_conformance LOAD_PATH=/hello/load bash benches/load.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
    Output {
        name: "load-design-pinned_worker",
        command: "LOAD_PACKAGE=httpserver LOAD_EXAMPLE=pinned_worker LOAD_PATH=/hello/load bash benches/load.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
    Output {
        name: "load-design-park_and_dispatch",
        command: "LOAD_PACKAGE=httpserver LOAD_EXAMPLE=park_and_dispatch LOAD_PATH=/hello/load bash benches/load.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
    Output {
        name: "load-design-engine_hello",
        command: "LOAD_PACKAGE=httpserver LOAD_EXAMPLE=engine_hello LOAD_PATH=/hello/load bash benches/load.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
    Output {
        name: "load-demo",
        command: "bash benches/load_demo.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
    // pywsgi's --threads swept on one core and on every core: what the GIL does.
    Output {
        name: "load-pywsgi-gil",
        command: "bash benches/pywsgi_gil.sh",
        masks: LOAD_MASKS,
        written_by: REPORT,
        pictures: &[],
    },
];

/// The load script a sample comes from: the word of its command that names a `.sh` file.
pub fn load_script(sample: &Output) -> Option<&'static str> {
    sample
        .command
        .split_whitespace()
        .find(|word| word.ends_with(".sh"))
}

/// `text` with every mask applied in order, each line's runs of spaces made one and its
/// ends trimmed (a masked column is no longer aligned).
///
/// # Panics
/// When a mask's pattern is not a regular expression: the masks are constants here,
/// and a test compiles every one.
pub fn masked(text: &str, masks: &[Mask]) -> String {
    let mut text = text.to_owned();
    for mask in masks {
        let pattern = Regex::new(mask.pattern)
            .unwrap_or_else(|e| panic!("the {} mask is not a regex: {e}", mask.what));
        text = pattern.replace_all(&text, mask.with).into_owned();
    }
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where `actual` differs from `expected` once both are masked: the first line that
/// differs, or a missing or extra line; `None` when they agree.
pub fn difference(expected: &str, actual: &str, masks: &[Mask]) -> Option<String> {
    let (want, got) = (masked(expected, masks), masked(actual, masks));
    let (want, got): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..want.len().max(got.len()) {
        match (want.get(i), got.get(i)) {
            (Some(w), Some(g)) if w == g => continue,
            (Some(w), Some(g)) => {
                return Some(format!(
                    "line {}: the book has `{w}`, the program printed `{g}` (masked)",
                    i + 1
                ))
            }
            (Some(w), None) => {
                return Some(format!(
                    "line {}: the book has `{w}`, the program printed nothing more",
                    i + 1
                ))
            }
            (None, Some(g)) => {
                return Some(format!(
                    "line {}: the program printed `{g}`, which the book lacks",
                    i + 1
                ))
            }
            (None, None) => unreachable!("i is below the longer length"),
        }
    }
    None
}

/// The generated file for `output`: `$ COMMAND`, then what it printed.
pub fn generated_file(output: &Output, printed: &str) -> String {
    let mut text = format!("$ {}\n{printed}", output.command);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// A generated file's command (its first line, without `$ `) and the output after it;
/// `None` when the first line is not `$ COMMAND`.
pub fn parse_generated(text: &str) -> Option<(&str, &str)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    Some((first.strip_prefix("$ ")?, rest))
}

/// Problems with a generated file against `output`: it must exist, start with the
/// command, and hold what `printed` holds, once masked.
pub fn check_generated(output: &Output, committed: Option<&str>, printed: &str) -> Vec<String> {
    let file = format!("{GENERATED}/{}.txt", output.name);
    let Some(committed) = committed else {
        return vec![format!(
            "{file} is missing: write it with {}",
            output.written_by
        )];
    };
    match parse_generated(committed) {
        None => vec![format!(
            "{file}: the first line is not `$ COMMAND`: write it with {}",
            output.written_by
        )],
        Some((command, _)) if !same_command(output, command) => vec![format!(
            "{file}: made by `{command}`, but the book's command is `{}`: write it with {}",
            output.command, output.written_by
        )],
        Some((_, body)) => difference(body, printed, output.masks)
            .map(|d| {
                format!(
                    "{file} no longer matches `{}`: {d}; write it again with {}",
                    output.command, output.written_by
                )
            })
            .into_iter()
            .collect(),
    }
}

/// Problems with the picture `file` that `output` draws: the committed one must exist,
/// the fresh run must have drawn one (`drawn`), and the two must have the same lines
/// once the output's masks and then every number are masked. A picture's coordinates
/// are times, so they change from run to run; what it draws, and the words on it, do
/// not.
pub fn check_picture(
    output: &Output,
    file: &str,
    committed: Option<&str>,
    drawn: Option<&str>,
) -> Vec<String> {
    let path = format!("{GENERATED}/{file}");
    let again = format!(
        "write it again with {} (it draws its pictures when {PICTURES_DIR} is set)",
        output.written_by
    );
    let mut masks = output.masks.to_vec();
    masks.push(NUMBERS);
    match (committed, drawn) {
        (None, _) => vec![format!("{path} is missing: {again}")],
        (Some(_), None) => vec![format!(
            "`{}` with {PICTURES_DIR} set drew no {file}",
            output.command
        )],
        (Some(committed), Some(drawn)) => difference(committed, drawn, &masks)
            .map(|d| {
                format!(
                    "{path} no longer matches what `{}` draws: {d}; {again}",
                    output.command
                )
            })
            .into_iter()
            .collect(),
    }
}

/// Where a committed picture and the committed text of its trip (`text`, the whole
/// generated file) disagree: they must come from one run, so each step's time on the
/// picture (the texts it marks `class="wf-time"`) is the time on the step's line of the
/// text, between `ANCHOR: {anchor}` and its end, in the same order. `None` when they
/// agree. Why: the picture and the text sit side by side in the book, and one written
/// without the other would show two different trips.
pub fn picture_against_text(picture: &Picture, svg: &str, text: &str) -> Option<String> {
    let start = format!("ANCHOR: {}", picture.anchor);
    let end = format!("ANCHOR_END: {}", picture.anchor);
    let section: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim() != start)
        .skip(1)
        .take_while(|l| l.trim() != end)
        .collect();
    if section.is_empty() {
        return Some(format!("the text has no `{start}` section"));
    }
    // A step's line starts with its time, `  121 µs  HttpServer.tick …`.
    let in_text: Vec<String> = section
        .iter()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            match (words.next(), words.next()) {
                (Some(n), Some("µs")) if n.parse::<u64>().is_ok() => Some(format!("{n} µs")),
                _ => None,
            }
        })
        .collect();
    let on_picture: Vec<String> = svg
        .lines()
        .filter(|l| l.contains("class=\"wf-time\""))
        .filter_map(|l| Some(l.split_once('>')?.1.split_once('<')?.0.to_owned()))
        .collect();
    (in_text != on_picture).then(|| {
        format!(
            "{GENERATED}/{} is not the trip of `{start}`: its step times are [{}], the text's [{}]; write both again with {BOOK_OUTPUTS}",
            picture.file,
            on_picture.join(", "),
            in_text.join(", ")
        )
    })
}

/// Whether a generated file's first line, `command`, is `output`'s: the same, or the
/// same followed by one number (the seconds per point a `load.sh` run chose).
pub fn same_command(output: &Output, command: &str) -> bool {
    command.strip_prefix(output.command).is_some_and(|rest| {
        rest.is_empty()
            || rest
                .strip_prefix(' ')
                .is_some_and(|n| n.parse::<u32>().is_ok())
    })
}

/// How long a command may run before it is killed.
pub const RUN_LIMIT: Duration = Duration::from_secs(300);

/// Runs `command` (`cargo ...`, `bash ...`, with `VAR=value` words first) in `root`,
/// quietly (`cargo run -q`, the cargo that runs us), with `env` added; its stdout.
/// A word in single quotes loses them, as in a shell (`'[::]:0'`, which a shell would
/// otherwise read as a pattern); that is all the quoting it does.
/// Killed after [`RUN_LIMIT`]; an error that carries its stderr when it fails.
pub fn run_command(root: &Path, command: &str, env: &[(&str, &str)]) -> io::Result<String> {
    let mut words: Vec<&str> = command.split_whitespace().map(unquoted).collect();
    let mut vars: Vec<(&str, &str)> = Vec::new();
    while let Some((name, value)) = words.first().and_then(|w| w.split_once('=')) {
        vars.push((name, value));
        words.remove(0);
    }
    let Some((program, args)) = words.split_first() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an empty command",
        ));
    };
    let mut child = if *program == "cargo" {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut c = Command::new(cargo);
        c.args(args.iter().take(1))
            .arg("-q")
            .args(args.iter().skip(1));
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    };
    let child = child
        .current_dir(root)
        .envs(vars)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    finish(child, command)
}

/// `word` without the single quotes around it, if it has them.
fn unquoted(word: &str) -> &str {
    word.strip_prefix('\'')
        .and_then(|w| w.strip_suffix('\''))
        .unwrap_or(word)
}

/// Waits for `child` at most [`RUN_LIMIT`], reading its pipes on threads so neither fills.
fn finish(mut child: std::process::Child, command: &str) -> io::Result<String> {
    let stdout = read_on_thread(child.stdout.take());
    let stderr = read_on_thread(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("`{command}` ran over {RUN_LIMIT:?}"),
            ));
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.recv_timeout(RUN_LIMIT).unwrap_or_default();
    let stderr = stderr.recv_timeout(RUN_LIMIT).unwrap_or_default();
    if !status.success() {
        return Err(io::Error::other(format!(
            "`{command}` failed ({status}):\n{stderr}"
        )));
    }
    Ok(stdout)
}

/// Everything `pipe` gives until it closes, read on a thread.
fn read_on_thread(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}
