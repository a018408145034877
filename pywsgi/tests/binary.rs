//! The `pywsgi` program: `MODULE:CALLABLE` found through `--chdir` or `PYTHONPATH`, the
//! bound address on its first line, a graceful stop on SIGTERM, a clear refusal of a bad
//! command line or an application that does not import.

use std::process::Command;

use testkit::example::Served;

const APPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apps");
const GET: &str = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

fn pywsgi() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pywsgi"));
    command.env_remove("PYTHONPATH");
    command
}

#[test]
fn chdir_finds_the_module_and_sigterm_stops_the_server_gracefully() {
    let mut command = pywsgi();
    command.args([
        "hello:app",
        "--port",
        "0",
        "--threads",
        "2",
        "--timeout",
        "5",
        "--chdir",
        APPS,
    ]);
    let mut served = Served::spawn(command);
    let answer = served.get(GET);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("Hello, world!"), "{answer}");
    assert!(served.terminate().success(), "a graceful stop exits 0");
}

#[test]
fn pythonpath_is_honoured() {
    let mut command = pywsgi();
    command
        .args(["hello:app", "--port", "0"])
        .env("PYTHONPATH", APPS);
    let mut served = Served::spawn(command);
    assert!(served.get(GET).ends_with("Hello, world!"));
    assert!(served.terminate().success());
}

#[test]
fn a_bad_command_line_or_a_missing_module_is_refused_with_its_name() {
    for (args, says) in [
        (&["hello"][..], "MODULE:CALLABLE"),
        (
            &["no_such_module:app", "--port", "0"][..],
            "No module named 'no_such_module'",
        ),
        (
            &["hello:nothing", "--port", "0", "--chdir", APPS][..],
            "nothing",
        ),
    ] {
        let out = pywsgi().args(args).output().expect("pywsgi runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
