//! Serving over HTTP: `run()` is the notes' `wsgirun(wsgifunc(*middleware))` →
//! `runsimple(func, address)` → `CherryPyWSGIServer(address, func)`, on the `wsgi`
//! crate's `WsgiServer`; `start()` is the same without waiting for Ctrl-C.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use wsgi::middleware::{buffered_access_log, static_files};
use wsgi::{apply_middleware, Middleware, RunningServer, ServerConfig, SharedApp, WsgiServer};

use crate::{Application, Error};

/// Where `run` listens when the command line names no address.
///
/// web.py listened on `0.0.0.0:8080`, every interface: a development server with the
/// debug page on was then reachable from the whole network (a café's Wi-Fi, an office
/// LAN). Loopback is the safe default; `run` takes `0.0.0.0` (or `0.0.0.0:PORT`) when
/// serving others is what you mean.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:8080";

/// The address from `run`'s first command-line argument, as web.py read it: `8080` (a
/// port on loopback), `IP` (port 8080), `IP:PORT` or `[IPv6]:PORT`; none gives
/// [`DEFAULT_ADDRESS`].
pub fn parse_address(arg: Option<&str>) -> Result<SocketAddr, Error> {
    let bad = || Error::BadAddress(arg.unwrap_or("").to_string());
    let default: SocketAddr = DEFAULT_ADDRESS.parse().map_err(|_| bad())?;
    let Some(arg) = arg.map(str::trim) else {
        return Ok(default);
    };
    if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_digit()) {
        let port = arg.parse::<u16>().map_err(|_| bad())?;
        return Ok(SocketAddr::new(default.ip(), port));
    }
    if let Ok(ip) = arg
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return Ok(SocketAddr::new(ip, default.port()));
    }
    arg.parse::<SocketAddr>().map_err(|_| bad())
}

/// Middleware for [`run_with`](Application::run_with) and
/// [`start_with`](Application::start_with), in an order the constructor names, since the
/// two orders in use are opposite: web.py's `app.run(m1, m2)` made `m2(m1(app))`, the
/// first given innermost, while of processors the first added is outermost.
#[derive(Default)]
pub struct MiddlewareStack {
    innermost_first: Vec<Middleware>,
}

impl MiddlewareStack {
    /// `[log, gzip]` is `log(gzip(app))`: the first listed sees the request first and
    /// the response last, as the first processor added does.
    pub fn outermost_first(middleware: impl IntoIterator<Item = Middleware>) -> Self {
        let mut innermost_first: Vec<Middleware> = middleware.into_iter().collect();
        innermost_first.reverse();
        MiddlewareStack { innermost_first }
    }

    /// `[gzip, log]` is `log(gzip(app))`: web.py's `app.run(*middleware)` and
    /// `wsgifunc(*middleware)` order, for a port that keeps its list as it was.
    pub fn innermost_first(middleware: impl IntoIterator<Item = Middleware>) -> Self {
        let innermost_first = middleware.into_iter().collect();
        MiddlewareStack { innermost_first }
    }
}

impl Application {
    // ANCHOR: run
    /// web.py's `app.run()`: serves the application on the address from the command
    /// line, with `static/` served under `/static/` and one Common Log Format line per
    /// request on stderr (web.py's `runsimple`), until Ctrl-C or SIGTERM, which stop it
    /// gracefully (requests in flight may finish). The layers' warnings go to stderr
    /// too, through the subscriber [`logging::init`](crate::logging::init) installs
    /// unless the program has its own (`RUST_LOG` chooses what is shown).
    pub fn run(&self) -> Result<(), Error> {
        self.run_with(MiddlewareStack::default())
    }

    /// `run()` with middleware around the application: web.py's `app.run(*middleware)`.
    pub fn run_with(&self, middleware: MiddlewareStack) -> Result<(), Error> {
        crate::logging::init();
        let arg = std::env::args().nth(1);
        let addr = parse_address(arg.as_deref())?;
        let server = self.start_with(ServerConfig::new(addr.to_string()), middleware)?;
        println!("http://{}/", server.local_addr());
        server.wait_for_signal().map_err(Error::from)
    }
    // ANCHOR_END: run

    // ANCHOR: start
    /// Starts serving and returns at once: what `run` does before it waits for Ctrl-C.
    /// The stack, outermost first: the access log (so it sees every request, static
    /// ones included), static files, the application.
    pub fn start(&self, config: ServerConfig) -> Result<RunningServer, Error> {
        self.start_with(config, MiddlewareStack::default())
    }

    /// `start` with `middleware` between the static files and the application.
    pub fn start_with(
        &self,
        config: ServerConfig,
        middleware: MiddlewareStack,
    ) -> Result<RunningServer, Error> {
        let server = WsgiServer::with_config(config, self.runsimple_stack(middleware));
        server.start().map_err(Error::from)
    }
    // ANCHOR_END: start

    /// `wsgifunc(*middleware)` wrapped as web.py's `runsimple` wrapped it.
    fn runsimple_stack(&self, middleware: MiddlewareStack) -> SharedApp {
        self.runsimple_stack_at(Path::new("static"), middleware)
    }

    fn runsimple_stack_at(&self, root: &Path, middleware: MiddlewareStack) -> SharedApp {
        let log = buffered_access_log(std::io::stderr());
        apply_middleware(
            self.wsgifunc(middleware.innermost_first),
            [static_files("/static/", root), log],
        )
    }
}

impl From<wsgi::WsgiError> for Error {
    fn from(e: wsgi::WsgiError) -> Error {
        Error::Wsgi(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use wsgi::{call_in_process, Environ};

    use super::MiddlewareStack;
    use crate::{Application, Args, Target};

    /// A fresh directory for this test, removed on drop.
    struct TempDir(PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn run_serves_static_files_before_the_application_sees_the_request() {
        let dir = TempDir(
            std::env::temp_dir().join(format!("application-static-{}", std::process::id())),
        );
        std::fs::create_dir_all(&dir.0).expect("create the temp dir");
        std::fs::write(dir.0.join("style.css"), "body {}").expect("write a static file");
        let app = Application::new([("/.*", Target::func(|_: &Args| Ok("from the app".into())))])
            .expect("valid");
        let stack = app.runsimple_stack_at(&dir.0, MiddlewareStack::default());
        let mut env = Environ::from_target("GET", "/static/style.css");
        let r = call_in_process(&*stack, &mut env).expect("the stack answers");
        assert_eq!((r.status.code(), r.body.as_slice()), (200, &b"body {}"[..]));
        assert_eq!(
            r.header("Content-Type").map(|t| t.starts_with("text/css")),
            Some(true)
        );
        let mut env = Environ::from_target("GET", "/page");
        let r = call_in_process(&*stack, &mut env).expect("the stack answers");
        assert_eq!(r.body, b"from the app");
    }
}
