//! `pywsgi MODULE:CALLABLE [--port P] [--threads N] [--timeout S] [--chdir DIR]`: serves a
//! Python WSGI application until Ctrl-C or SIGTERM.

use std::io::Write;
use std::process::ExitCode;
use std::sync::mpsc;

use httpserver::HttpServer;
use pyo3::prelude::*;
use pywsgi::{load_app, prepare_sys_path, PyGateway, ServeArgs, USAGE};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = match ServeArgs::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("pywsgi: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pywsgi: {error}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    // Before any Python runs: once installed, SIGTERM no longer ends the process at once,
    // and the interpreter (initialized without its own signal handlers) leaves them to us.
    let (signal_tx, signal_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = signal_tx.send(());
    })?;
    Python::initialize();
    let config = args.config();
    let gateway = Python::attach(|py| -> PyResult<PyGateway> {
        prepare_sys_path(py, args.chdir.as_deref())?;
        let app = load_app(py, &args.app)?;
        PyGateway::new(py, app, config.threads)
    })
    .map_err(|e| format!("{}:{}: {e}", args.app.module, args.app.callable))?;
    let mut server = HttpServer::new(config, gateway)?;
    let addr = server.start()?;
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    let stop = server.stop_handle();
    let serving = std::thread::spawn(move || server.serve_forever());
    // Err: the handler is gone, which cannot happen while `main` runs; stop either way.
    let _ = signal_rx.recv();
    tracing::info!("pywsgi: stopping");
    stop.stop();
    serving.join().map_err(|_| "the server thread panicked")?;
    Ok(())
}
