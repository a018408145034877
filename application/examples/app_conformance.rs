//! A conformance application that a black-box HTTP client can drive: routing, groups,
//! mounts, redirects, input, cookies, processors, errors and streaming.
//!
//! Run: `cargo run -p application --example app_conformance -- --port 8080` (`--port 0`
//! picks a free port; `--threads N`, `--timeout S` as every server example; `--debug`
//! turns the debug error page on). The first line on stdout is `listening on
//! http://ADDR`; the access log goes to stderr; Ctrl-C stops it.
//!
//! Routes (every response carries `X-Trace: inner, outer`, the two processors on the
//! way out, innermost first):
//! - `/` → `hello, world`; `/hello/NAME` → `hello, NAME`
//! - `/item/ID[/ACTION]` → `id=ID action=ACTION|None` (GET, POST; others 405 + `Allow`)
//! - `/old/X` → 301 to `/hello/X` (query kept for GET); `/see`, `/found`, `/temp` →
//!   303, 302, 307 to `/`
//! - `/sub/...` → a mounted application that prints its `path`, `fullpath`,
//!   `homepath`, `home` (and `/subway` is not part of it: 404)
//! - `/ctx` → the ctx fields, one `name=value` per line
//! - `/input` → the merged query and form (urlencoded or multipart), `key=value`
//!   lines; `?list=KEY` prints every value of KEY; `/require?name=` needs `name` (else 400)
//! - `/data` → the raw body back, with `X-Body-Length`
//! - `/cookies` → the request's cookies as lines; `/setcookie?name=N&value=V` sets one
//! - `/error/CODE` → web.py's error for CODE (400…451, 500) with its default message
//!   (404 and 418 have custom pages: `custom 404 page`, `custom 418 page`)
//! - `/panic` → a handler panic, 500; `/stream?n=K` → K chunks, no Content-Length
//! - `/denied` → 403 from a processor, the handler never runs

use application::web::{self, SetCookie};
use application::{ctx, Application, Args, Error, HttpError, Next, Outcome, Target};
use wsgi::ServerArgs;

/// `/item/ID[/ACTION]`: GET and POST, so other methods are a 405 with `Allow`.
fn item() -> Target {
    Target::route()
        .get(|args: &Args| -> Outcome {
            let id = args.str(0);
            Ok(format!("id={id} action={}", args.get(1).unwrap_or("None")).into())
        })
        .post(|args: &Args| -> Outcome { Ok(format!("posted id={}", args.str(0)).into()) })
}

fn text(f: impl Fn(&Args) -> Result<String, HttpError> + Send + Sync + 'static) -> Target {
    Target::func(move |args: &Args| f(args).map(Into::into))
}

fn lines<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    pairs.map(|(k, v)| format!("{k}={v}\n")).collect()
}

fn error_for(code: u16) -> HttpError {
    use application::*;
    match code {
        400 => badrequest(),
        401 => unauthorized(),
        403 => forbidden(),
        404 => notfound(),
        405 => nomethod(),
        406 => notacceptable(),
        409 => conflict(),
        410 => gone(),
        412 => preconditionfailed(),
        413 => payloadtoolarge(),
        415 => unsupportedmediatype(),
        418 => HttpError::from_status("418 I'm a teapot"),
        451 => unavailableforlegalreasons(),
        _ => internalerror(),
    }
}

fn sub_app() -> Result<Application, Error> {
    let show = text(|_| {
        Ok(ctx::with(|c| {
            format!(
                "path={}\nfullpath={}\nhomepath={}\nhome={}\n",
                c.path, c.fullpath, c.homepath, c.home
            )
        })?)
    });
    Application::new([("/.*", show.clone()), ("", show)])
}

fn app() -> Result<Application, Error> {
    let mut app = Application::new([
        ("/", text(|_| Ok("hello, world".into()))),
        ("/hello/(.*)", text(|a| Ok(format!("hello, {}", a.str(0))))),
        (r"/item/(\d+)(?:/(\w+))?", item()),
        ("/old/(.*)", Target::redirect("/hello/$1")),
        ("/see", Target::func(|_: &Args| Err(web::seeother("/")))),
        ("/found", Target::func(|_: &Args| Err(web::found("/")))),
        (
            "/temp",
            Target::func(|_: &Args| Err(web::tempredirect("/"))),
        ),
        ("/sub", Target::app(sub_app()?)),
        (
            "/ctx",
            text(|_| {
                Ok(ctx::with(|c| {
                    format!(
                    "method={}\npath={}\nquery={}\nfullpath={}\nhost={}\nprotocol={}\nhomedomain={}\nhomepath={}\nhome={}\nip={}\n",
                    c.method, c.path, c.query, c.fullpath, c.host.as_deref().unwrap_or(""), c.protocol,
                    c.homedomain, c.homepath, c.home, c.ip.as_deref().unwrap_or("")
                )
                })?)
            }),
        ),
        (
            "/input",
            text(|_| {
                let input = web::input()?;
                let mut out = match input.get("list") {
                    Some(key) => input
                        .list(key)
                        .iter()
                        .map(|v| format!("{key}={v}\n"))
                        .collect(),
                    None => lines(input.pairs()),
                };
                for name in ["file", "upload"] {
                    if let Some(f) = input.file(name) {
                        out.push_str(&format!("{name}: {} ({} bytes)\n", f.filename, f.len()));
                    }
                }
                Ok(out)
            }),
        ),
        (
            "/require",
            text(|_| Ok(format!("name={}", web::input()?.require("name")?))),
        ),
        (
            "/data",
            Target::func(|_: &Args| {
                let body = web::data()?;
                web::header("X-Body-Length", &body.len().to_string())?;
                Ok(body.into())
            }),
        ),
        ("/cookies", text(|_| Ok(lines(web::cookies()?.pairs())))),
        (
            "/setcookie",
            text(|_| {
                let input = web::input()?;
                SetCookie::new(input.require("name")?, input.get_or("value", ""))
                    .httponly(true)
                    .set()?;
                Ok("set".into())
            }),
        ),
        (
            r"/error/(\d+)",
            Target::func(|a: &Args| {
                Err(error_for(
                    a.get(0).and_then(|c| c.parse().ok()).unwrap_or(500),
                ))
            }),
        ),
        (
            "/panic",
            Target::func(|_: &Args| panic!("the conformance app's /panic route")),
        ),
        (
            "/stream",
            Target::func(|_: &Args| {
                let n: usize = web::input()?
                    .get_or("n", "3")
                    .parse()
                    .map_err(|_| application::badrequest())?;
                Ok(application::Body::stream(
                    (0..n.min(10_000)).map(|i| format!("chunk {i}\n").into_bytes()),
                ))
            }),
        ),
        (
            "/denied",
            Target::func(|_: &Args| Ok("the processor should have answered".into())),
        ),
    ])?;
    // Added first, so outermost: its header goes out second.
    app.add_processor(|next: Next<'_>| {
        let out = next.run();
        web::header("X-Trace", "outer")?;
        out
    });
    app.add_processor(|next: Next<'_>| {
        if ctx::with(|c| c.path == "/denied")? {
            web::header("X-Trace", "inner")?;
            return Err(application::forbidden());
        }
        let out = next.run();
        web::header("X-Trace", "inner")?;
        out
    });
    app.set_page(404, |e| e.with_body("custom 404 page"));
    app.set_page(418, |e| e.with_body("custom 418 page"));
    Ok(app)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Warnings on stderr; RUST_LOG=debug adds each request's trip.
    application::logging::init();
    // The server flags every example takes (--port P, --threads N, --timeout S), and
    // this one's own: --debug.
    let args = ServerArgs::from_env()?;
    let debug = match args.rest.as_slice() {
        [] => false,
        [flag] if flag == "--debug" => true,
        [other, ..] => {
            return Err(format!(
                "unknown argument {other:?}; use --port P, --threads N, --timeout S, --debug"
            )
            .into())
        }
    };
    let mut app = app()?;
    app.set_debug(debug);
    let server = app.start(args.config())?;
    println!("listening on http://{}", server.local_addr());
    server.wait_for_signal()?;
    Ok(())
}
