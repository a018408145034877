//! The full-stack demo: a todo list behind a login, with every layer of the workspace at work.
//!
//! Run: `cargo run -p session --example demo`, open <http://127.0.0.1:8080/> and log in as
//! `ada` / `lovelace`.
//!
//! Options: `--store memory|disk|redis://HOST:PORT/DB` picks where sessions live (default
//! `disk`, files in the system's temporary directory); `--port N` (0: any free port), or
//! a positional `PORT`, `IP` or `IP:PORT`, where to listen; `--trace` prints every
//! request's trip through the layers on stderr, each step with its time. Two demos on two
//! ports with one `--store redis://…` share their users: log in on one, you are logged in
//! on both (see `two_servers.sh`).
//!
//! What to watch: the log on standard error (a line per request, and why a request got a
//! 503 if the session store failed; `RUST_LOG=debug` adds each step of each request); the
//! panel "this request's trip" at the foot of every page, the layers that page's request
//! crossed with their times, as text and as a waterfall (a bar per step, to scale); the `webpy_session_id` cookie in the browser's tools,
//! taking a new value at login and expired at logout; with `disk`, one file per session
//! under `webpy-rs-demo-sessions/`, rewritten only when the session changes; with Redis,
//! `redis-cli keys 'session:*'` and `ttl`. Ctrl-C stops the server gracefully.
// The application lives beside this file so the tests and benches can include it too.
#[path = "demo/app.rs"]
mod app;
#[path = "demo/options.rs"]
mod options;

use app::trip::Finished;
use application::ServerConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = match options::Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "{message}");
            std::process::exit(2);
        }
    };
    // The log on stderr (RUST_LOG, else `info`), and the trip collector: every page's
    // panel, and with --trace every request's whole trip on stderr.
    let then = if options.trace {
        Finished::Print
    } else {
        Finished::Forget
    };
    app::trip::install(then)?;
    let store = options.open_store()?;
    let app = app::build(store)?;
    let server = app.start(ServerConfig::new(options.address.to_string()))?;
    // The first line on stdout, as every server example's: launchers (testkit,
    // two_servers.sh, load_demo.sh) read the bound address from it.
    println!("listening on http://{}", server.local_addr());
    server.wait_for_signal()?;
    Ok(())
}
