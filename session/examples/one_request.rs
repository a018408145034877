//! One request, followed through every layer: the full stack (the demo's app, on a free
//! port) answers one real `POST /login` over TCP and the `GET /` it redirects to, and
//! the trip of each is printed as a tree, every step with its time.
//!
//! Run: `cargo run -p session --example one_request`. (`-- --book` prints the same with
//! `ANCHOR` lines around each request, then the `POST`'s trip layer by layer, a block per
//! chapter of the book: what `book/src/generated/one_request.txt` holds.) With
//! `BOOK_PICTURES_DIR=DIR` set, it also draws each request's trip as a waterfall,
//! `DIR/trip-post-login.svg` and `DIR/trip-get-index.svg`: the book's pictures, from the
//! same run as its text (`cargo run -p tidy --bin book-outputs one_request` sets it).
//!
//! What to watch: the housekeeper's `HttpServer.tick` accepts the connection; a
//! `WorkerThread` the poller woke reads it (`HttpConnection.communicate`, request 1 on
//! this connection), parses the head, receives the form (`KnownLengthRFile`, in memory),
//! and runs the application on the same thread: `WSGIGateway.respond` builds the
//! environ, `Application` loads `ctx` and runs its processors, one of which is
//! `Session.process` with its steps around the handler; then the response is written and
//! the connection back on the poller until the browser's next request, `GET /`, request 2 on the
//! same connection, with no accept. Times are microseconds, a step's inner steps
//! included; the first request of a process pays for warming up.
//!
//! The form's CSRF token and the visitor's CSRF cookie come from a `GET /login` on a
//! connection of its own before the traced ones, as a browser gets them from the login
//! page; the login page stores no session, so the `POST` starts one (`new=true`).
#[path = "demo/app.rs"]
mod app;

use std::net::SocketAddr;
use std::time::Duration;

use app::trip::{self, Finished, Step, Trips};
use application::ServerConfig;
use session::MemoryStore;
use testkit::Client;

/// The book's chapters (by file stem) and the steps of the trip each one walks.
const CHAPTERS: &[(&str, &[&str])] = &[
    ("httpserver", &["HttpServer.tick"]),
    ("threadpool", &["ThreadPool.put", "WorkerThread"]),
    ("workerthread", &["WorkerThread"]),
    ("httpconnection", &["HttpConnection.communicate"]),
    (
        "httprequest",
        &["HttpRequest.parse_request", "HttpRequest.respond"],
    ),
    ("rfile", &["HttpConnection.read_body"]),
    ("wsgigateway", &["WSGIGateway.respond"]),
    ("application", &["Application.handle", "handler"]),
    ("ctx-processors", &["Application", "Application.processor"]),
    (
        "session",
        &[
            "Session.process",
            "Session.clear_old_data",
            "Session.validate_and_load",
            "Session.save",
        ],
    ),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let book = std::env::args().skip(1).any(|a| a == "--book");
    let trips = trip::install(Finished::Keep)?;
    let app = app::build(MemoryStore::new())?;
    let server = app.start(ServerConfig::new("127.0.0.1:0"))?;
    let addr = server.local_addr();
    println!("the demo on http://{addr}; each step's time includes the steps inside it");
    let (cookie, token) = login_form(addr);

    let mut client = Client::connect(addr);
    let peer = format!("peer={}", client.reader_stream().local_addr()?);
    // ANCHOR: login_bytes
    let form = format!("csrf_token={token}&username=ada&password=lovelace");
    client.send(
        format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        )
        .as_bytes(),
    );
    // ANCHOR_END: login_bytes
    let posted = client.response(false);
    let post = trip_of(&trips, &peer, 1)?;
    let location = posted.header("Location").unwrap_or("(none)");
    let heading = format!("POST /login → {} (Location: {location})", status(&posted));
    show("post_login", &heading, &post, book);
    picture("trip-post-login.svg", &heading, &post)?;

    // The browser follows the redirect on the same connection, with the new session id.
    let cookie = posted
        .header("Set-Cookie")
        .and_then(|c| c.split(';').next());
    let cookie = cookie.ok_or("the login set no cookie")?;
    client.send(format!("GET / HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n").as_bytes());
    let page = client.response(false);
    let get = trip_of(&trips, &peer, 2)?;
    let heading = format!("GET / → {}", status(&page));
    show("get_index", &heading, &get, book);
    picture("trip-get-index.svg", &heading, &get)?;

    if book {
        by_chapter(&post);
    }
    server.stop();
    Ok(())
}

/// The login form's session cookie (`name=value`) and CSRF token, from a `GET /login`
/// on a connection of its own, closed after it.
fn login_form(addr: SocketAddr) -> (String, String) {
    let mut client = Client::connect(addr);
    client.send(
        format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    let form = client.response(false);
    let cookie = form.header("Set-Cookie").and_then(|c| c.split(';').next());
    let text = form.text();
    let token = text
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next());
    match (cookie, token) {
        (Some(cookie), Some(token)) => (cookie.to_owned(), token.to_owned()),
        _ => panic!("the login page has no CSRF cookie or no CSRF token:\n{text}"),
    }
}

/// Request `n` on the traced connection: waits until the worker that served it has
/// finished (its trip ends after the response went out, when the connection is back on the poller),
/// and takes every finished trip of that connection (the accept, for the first).
fn trip_of(trips: &Trips, peer: &str, n: u32) -> Result<Vec<Step>, String> {
    let request = format!("request={n}");
    let served = |t: &Step| {
        t.name == "WorkerThread"
            && t.mentions(peer)
            && t.mentions(&request)
            && t.contains("HttpRequest.respond")
    };
    trips
        .take_when(Duration::from_secs(5), served, |t| t.mentions(peer))
        .ok_or_else(|| format!("no trip of request {n} within 5 s"))
}

/// `303 See Other`: the status line without its version.
fn status(response: &testkit::Response) -> String {
    let line = response.head.lines().next().unwrap_or("");
    line.split_once(' ').map_or(line, |(_, s)| s).to_owned()
}

/// Prints one request's heading and trip (between `ANCHOR` lines named `anchor`, for
/// the book).
fn show(anchor: &str, heading: &str, trip: &[Step], book: bool) {
    println!();
    if book {
        println!("ANCHOR: {anchor}");
    }
    println!("{heading}");
    for step in trip {
        print!("{}", step.render());
    }
    if book {
        println!("ANCHOR_END: {anchor}");
    }
}

/// Writes the trip's waterfall as `file` in the directory `BOOK_PICTURES_DIR` names;
/// nothing when it is not set.
fn picture(file: &str, heading: &str, trip: &[Step]) -> std::io::Result<()> {
    match std::env::var_os("BOOK_PICTURES_DIR") {
        Some(dir) => std::fs::write(
            std::path::Path::new(&dir).join(file),
            trip::waterfall(heading, trip),
        ),
        None => Ok(()),
    }
}

/// The trip again, chapter by chapter: each chapter's own steps, at their depth, the
/// rest folded into `…`; between `ANCHOR` lines named after the chapter's file.
fn by_chapter(trip: &[Step]) {
    for (chapter, names) in CHAPTERS {
        let keep = |name: &str| names.contains(&name);
        let text: String = trip.iter().map(|t| t.render_only(&keep)).collect();
        println!();
        println!("ANCHOR: {chapter}");
        print!("{text}");
        println!("ANCHOR_END: {chapter}");
    }
}
