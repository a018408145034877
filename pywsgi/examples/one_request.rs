//! One request to a Python application, followed through every layer: `pywsgi` serves
//! `hello:app` (the raw PEP 3333 hello of `pywsgi/tests/apps`) on a free port, answers
//! two real `GET /` over TCP on one connection, and prints the trip of each as a tree, every step with its time,
//! in the format of the session crate's `one_request` (the same renderer,
//! `testkit::trip`).
//!
//! Run: `cargo run -p pywsgi --features python --example one_request` (what
//! `book/src/generated/pywsgi_one_request.txt` holds); `-- MODULE:CALLABLE PATH` follows
//! another application of `pywsgi/tests/apps` (with `target/pydeps` on `PYTHONPATH` for
//! web.py: `-- webpy_app:app /hello/you`).
//!
//! What to watch: below `HttpRequest.respond`, the Rust stack's `WSGIGateway.respond` is
//! `PyGateway.respond` here, and it has three steps: `PyGateway.environ` builds the
//! `dict`, `PyGateway.call` is the Python call alone (the GIL held), and
//! `PyGateway.send` iterates the body and writes it (each write with the GIL released).

use std::path::PathBuf;
use std::time::Duration;

use httpserver::{HttpServer, ServerConfig};
use pyo3::prelude::*;
use pywsgi::{load_app, prepare_sys_path, AppSpec, PyGateway};
use testkit::trip::{self, Finished};
use testkit::Client;
use tracing_subscriber::EnvFilter;

/// The layers whose steps the trip shows.
const LAYERS: &[&str] = &["threadpool", "httpserver", "pywsgi"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let spec = AppSpec::parse(&args.next().unwrap_or_else(|| "hello:app".into()))?;
    let path = args.next().unwrap_or_else(|| "/".into());
    let log = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let trips = trip::install(Finished::Keep, LAYERS, log)?;
    Python::initialize();
    let apps = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/apps");
    let gateway = Python::attach(|py| -> PyResult<PyGateway> {
        prepare_sys_path(py, Some(&apps))?;
        PyGateway::new(py, load_app(py, &spec)?, 1)
    })?;
    let mut config = ServerConfig::new("127.0.0.1:0");
    config.threads = 1;
    let server = HttpServer::spawn(config, gateway)?;
    let addr = server.local_addr();
    let (module, callable) = (&spec.module, &spec.callable);
    println!(
        "pywsgi serving {module}:{callable} on http://{addr}; each step's time includes the steps inside it"
    );

    let mut client = Client::connect(addr);
    let peer = format!("peer={}", client.reader_stream().local_addr()?);
    // Twice on the same connection: the first request of a process pays for warming up.
    for n in 1..=2 {
        client.send(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes());
        let response = client.response(false);
        let request = format!("request={n}");
        let served =
            |t: &trip::Step| t.name == "WorkerThread" && t.mentions(&peer) && t.mentions(&request);
        let steps = trips
            .take_when(Duration::from_secs(5), served, |t| t.mentions(&peer))
            .ok_or("no trip of the request within 5 s")?;
        let status = response.head.lines().next().unwrap_or("");
        let status = status.split_once(' ').map_or(status, |(_, s)| s);
        println!("\nGET {path} → {status} (request {n} on its connection)");
        for step in steps {
            print!("{}", step.render());
        }
    }
    server.stop();
    Ok(())
}
