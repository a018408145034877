//! The connection engine with the hello gateway the three designs' examples share: the
//! third design of the HttpConnection chapter. Workers wait on the poller themselves,
//! read without blocking, and run the gateway on the same thread; the housekeeper
//! (`tick`) accepts, flushes, closes and times out. No kind of slow client holds a
//! worker; only the application does.
//!
//! Run: `cargo run --release -p httpserver --example engine_hello -- --port 8080 --threads 8`
//! (`--port 0` picks a free port; `--timeout S`; the first line printed is
//! `listening on http://ADDR`). `benches/load.sh` measures it beside `pinned_worker`
//! and `park_and_dispatch`.

use httpserver::{HttpRequest, HttpServer, ServerArgs};

#[path = "support/hello.rs"]
mod hello;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    testkit::log::to_stderr();
    let args = ServerArgs::from_env()?.no_rest()?;
    let gateway = |req: &mut HttpRequest| {
        req.add_header("Content-Type", b"text/plain; charset=utf-8")?;
        req.add_header("Content-Length", hello::BODY.len().to_string().as_bytes())?;
        req.write(hello::BODY)
    };
    let mut server = HttpServer::new(args.config(), gateway)?;
    let addr = server.start()?;
    println!("listening on http://{addr}");
    let handle = server.stop_handle();
    ctrlc::set_handler(move || handle.stop())?;
    server.serve_forever();
    Ok(())
}
