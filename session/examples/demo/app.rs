//! The demo's application: a todo list behind a login, with its session, pages and styles.
//!
//! `demo.rs` serves it; the tests (`session/tests/demo*.rs`, `browser.rs`) and the benches
//! include this file to drive it in process and over HTTP. Every layer is used: the
//! mapping and handlers (`application`), the session (this crate), forms with CSRF
//! tokens, redirects, custom error pages, and a stylesheet.
//!
//! Everything a user has lives in the session (who is logged in, the list), so two demo
//! servers over one shared store (`--store redis://…`) serve the same user alike,
//! whichever one a request reaches. A visitor who has not logged in has no session: the
//! login form's CSRF token is bound to a cookie of its own, and the store is not touched.
use std::fs;
use std::path::PathBuf;

use application::web::{header, input, seeother, websafe as escape};
use application::{ctx, forbidden, notfound, Application, Args, HttpError, Next, Outcome, Target};
use serde::{Deserialize, Serialize};
use session::{SameSite, Session, SessionConfig, Store};

// The trip collector (`--trace`, the panel on every page): testkit's, installed beside this file.
#[path = "trip.rs"]
pub mod trip;

/// The demo's accounts (name, password). A real application keeps salted hashes.
const USERS: &[(&str, &str)] = &[("ada", "lovelace"), ("grace", "hopper")];

/// The longest todo accepted, in characters.
const MAX_TODO: usize = 200;

/// Where the stylesheet lives: in the crate, so the demo works from any directory. (It is
/// not under `/static/`: `run` serves that prefix from `./static` of the working
/// directory, as web.py's `runsimple` did, before the application sees the request.)
fn assets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo/assets")
}

/// The form field that carries the CSRF token.
const CSRF_FIELD: &str = "csrf_token";

/// One item of a user's list.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Todo {
    text: String,
    done: bool,
}

/// The request's session: `Session::process` put it in `ctx`, so no handler needs a
/// handle of its own. The list lives in the session, so it is wherever the session is: in
/// this process, on disk, or in Redis for every server.
fn session() -> Result<Session, HttpError> {
    Ok(session::current()?)
}

fn user() -> Result<Option<String>, HttpError> {
    Ok(session()?.get::<String>("user")?)
}

/// The logged-in user, or a redirect to the login page.
fn require_user() -> Result<String, HttpError> {
    user()?.ok_or_else(|| seeother("/login"))
}

/// Takes the one-time message a redirect left for the next page.
fn take_flash() -> Result<Option<String>, HttpError> {
    let session = session()?;
    let flash = session.get::<String>("flash")?;
    if flash.is_some() {
        session.remove("flash")?;
    }
    Ok(flash)
}

fn flash(message: &str) -> Result<(), HttpError> {
    Ok(session()?.set("flash", message)?)
}

fn todos() -> Result<Vec<Todo>, HttpError> {
    Ok(session()?.get::<Vec<Todo>>("todos")?.unwrap_or_default())
}

fn set_todos(todos: &[Todo]) -> Result<(), HttpError> {
    Ok(session()?.set("todos", todos)?)
}

// ANCHOR: csrf_token
/// The hidden field every form carries: the session's CSRF token
/// (`Session::csrf_token`), bound to the session id, or for a visitor who has not
/// logged in to a cookie of its own. A page from another site can make the browser
/// post here with its cookies, but it cannot read them, so it cannot make the token.
fn csrf_field() -> Result<String, HttpError> {
    Ok(format!(
        "<input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">",
        session()?.csrf_token()?
    ))
}
// ANCHOR_END: csrf_token

// ANCHOR: csrf_check
/// The processor that checks every POST: its form must carry the session's token, or
/// the answer is 403 and the handler never runs. It sits inside the session processor
/// (it needs the session loaded) and reads the form through `input()`, which keeps the
/// body for the handler.
fn check_csrf(next: Next<'_>) -> Outcome {
    if ctx::with(|c| c.method.clone())? != "POST" {
        return next.run();
    }
    let sent = input()?.get(CSRF_FIELD).unwrap_or("").to_owned();
    if session()?.check_csrf(&sent)? {
        next.run()
    } else {
        Err(forbidden())
    }
}
// ANCHOR_END: csrf_check

/// Builds the demo over `store`: the routes, the session, the error pages.
pub fn build(store: impl Store + 'static) -> Result<Application, application::Error> {
    let config = SessionConfig {
        // Forms post back to this site only; a cross-site POST carries no session.
        samesite: Some(SameSite::Lax),
        ..SessionConfig::default()
    };
    // ANCHOR: mapping
    // A fresh handler value per request, as web.py made a fresh class instance.
    let login = Target::route()
        .get(|a: &Args| Login.get(a))
        .post(|a: &Args| Login.post(a));
    let mut app = Application::new([
        ("/", Target::route().get(|a: &Args| Index.get(a))),
        ("/login", login),
        ("/logout", Target::route().post(|a: &Args| Logout.post(a))),
        ("/todos", Target::route().post(|a: &Args| AddTodo.post(a))),
        (
            "/todos/([0-9]{1,9})/toggle",
            Target::route().post(|a: &Args| Toggle.post(a)),
        ),
    ])?;
    // ANCHOR_END: mapping
    // Redirects are built from the request's Host: only the demo's own names may be one,
    // so `Host: evil.example` gets a 400, not a login link to evil.example. (0.0.0.0 is
    // what the in-process `request()` sends by default.)
    app.set_allowed_hosts(["127.0.0.1", "localhost", "[::1]", "0.0.0.0"]);
    // The stylesheet needs no session, so it is answered before the session loads: when
    // the session store is down, pages get a 503 that still has its styles.
    app.add_processor(serve_assets_first);
    // Client mistakes (a form that is not UTF-8, a body over the limit) come back from
    // `input()` with a one-line message, in a handler or in the CSRF check; show it
    // inside the demo's layout.
    app.add_processor_named("client_error_page", |next: Next<'_>| {
        next.run().map_err(client_error_page)
    });
    Session::with_config(&mut app, store, (), config);
    app.add_processor(check_csrf);
    app.set_page(404, |e| {
        e.with_body(layout(
            "Not found",
            "<p>There is no such page. <a href=\"/\">Back to your list</a>.</p>",
        ))
    });
    app.set_page(405, |e| {
        e.with_body(layout(
            "Not allowed",
            "<p>That page does not take this kind of request.</p>",
        ))
    });
    app.set_page(403, |e| {
        e.with_body(layout(
            "Forbidden",
            "<p>This form is out of date or did not come from this site. \
             <a href=\"/\">Reload the page</a> and try again.</p>",
        ))
    });
    app.set_page(500, |e| {
        e.with_body(layout(
            "Something broke",
            "<p>The server failed to answer. Try again in a moment.</p>",
        ))
    });
    app.set_page(503, |e| {
        e.with_body(layout(
            "Try again soon",
            "<p>Sessions are out of reach for a moment (the session store is not \
             answering). Try again in a few seconds.</p>",
        ))
    });
    Ok(app)
}

// ANCHOR: serve_assets_first
/// Answers `/assets/NAME.css` without running the rest of the chain (the session among
/// it); other paths, and names that are not plain, go on to the mapping.
fn serve_assets_first(next: Next<'_>) -> Outcome {
    let path = ctx::with(|c| c.path.clone())?;
    match path.strip_prefix("/assets/") {
        Some(name) if valid_asset_name(name) => stylesheet(name),
        _ => next.run(),
    }
}

/// Plain stylesheet names, `[a-z0-9_-]{1,64}.css`: no `/`, no `..`.
fn valid_asset_name(name: &str) -> bool {
    name.strip_suffix(".css").is_some_and(|stem| {
        (1..=64).contains(&stem.len())
            && stem
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    })
}
// ANCHOR_END: serve_assets_first

/// `/`: the list and the form to add to it.
struct Index;

impl Index {
    fn get(&mut self, _args: &Args) -> Outcome {
        let user = require_user()?;
        let flash = take_flash()?;
        let csrf = csrf_field()?;
        let items: String = todos()?
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let (class, label) = if t.done {
                    ("done", "undo")
                } else {
                    ("", "done")
                };
                format!(
                    "<li class=\"{class}\"><span>{}</span> <form class=\"inline\" method=\"post\" \
                     action=\"/todos/{i}/toggle\">{csrf}<button>{label}</button></form></li>\n",
                    escape(&t.text)
                )
            })
            .collect();
        let list = if items.is_empty() {
            "<p>Nothing to do yet.</p>".to_owned()
        } else {
            format!("<ul class=\"todos\">\n{items}</ul>")
        };
        let flash = flash
            .map(|f| format!("<p class=\"flash\">{}</p>", escape(&f)))
            .unwrap_or_default();
        html(layout(
            &format!("{}'s list", escape(&user)),
            &format!(
                "{flash}{list}\n<form method=\"post\" action=\"/todos\">{csrf}<input type=\"text\" \
                 name=\"text\" maxlength=\"{MAX_TODO}\" autofocus> <button>add</button></form>\n\
                 <form method=\"post\" action=\"/logout\">{csrf}<p><button>log out</button></p></form>"
            ),
        ))
    }
}

/// `/login`: the form, and checking it. A successful login gets a new session id.
struct Login;

impl Login {
    fn get(&mut self, _args: &Args) -> Outcome {
        if user()?.is_some() {
            return Err(seeother("/"));
        }
        html(login_page(None, &csrf_field()?))
    }
    // ANCHOR: login_post
    fn post(&mut self, _args: &Args) -> Outcome {
        let form = input()?;
        let name = form.get("username").unwrap_or("").trim().to_owned();
        let password = form.get("password").unwrap_or("");
        if !USERS.iter().any(|(u, p)| *u == name && *p == password) {
            ctx::set_status("403 Forbidden")?;
            let csrf = csrf_field()?;
            return html(login_page(Some("Unknown name or wrong password."), &csrf));
        }
        // A new id at the moment the session gains a privilege: an id seen or planted
        // before the login is worth nothing after it, and so are the tokens bound to it
        // or to the visitor cookie.
        session()?.regenerate_id()?;
        session()?.set("user", &name)?;
        flash(&format!("Welcome, {name}."))?;
        Err(seeother("/"))
    }
    // ANCHOR_END: login_post
}

/// `/logout`: ends the session (its record is deleted and the cookie expired).
struct Logout;

impl Logout {
    fn post(&mut self, _args: &Args) -> Outcome {
        session()?.kill()?;
        Err(seeother("/login"))
    }
}

/// `/todos`: adds an item from the form.
struct AddTodo;

impl AddTodo {
    fn post(&mut self, _args: &Args) -> Outcome {
        require_user()?;
        let text = input()?.get("text").unwrap_or("").trim().to_owned();
        if text.is_empty() {
            flash("Write something first.")?;
        } else if text.chars().count() > MAX_TODO {
            flash(&format!("A todo has at most {MAX_TODO} characters."))?;
        } else {
            let mut todos = todos()?;
            todos.push(Todo { text, done: false });
            set_todos(&todos)?;
        }
        Err(seeother("/"))
    }
}

/// `/todos/N/toggle`: marks an item done or not done.
struct Toggle;

impl Toggle {
    fn post(&mut self, args: &Args) -> Outcome {
        require_user()?;
        let index: usize = args
            .get(0)
            .and_then(|n| n.parse().ok())
            .ok_or_else(notfound)?;
        let mut todos = todos()?;
        let todo = todos.get_mut(index).ok_or_else(notfound)?;
        todo.done = !todo.done;
        set_todos(&todos)?;
        Err(seeother("/"))
    }
}

/// `/assets/NAME.css`: a stylesheet from the crate's `examples/demo/assets`.
/// `valid_asset_name` admits only plain names, so no path leaves that directory.
fn stylesheet(name: &str) -> Outcome {
    let css = fs::read(assets_dir().join(name)).map_err(|_| notfound())?;
    header("Content-Type", "text/css; charset=utf-8")?;
    header("Cache-Control", "max-age=300")?;
    Ok(css.into())
}

/// A 400 or 413 with its message in the demo's layout; other errors pass unchanged.
fn client_error_page(e: HttpError) -> HttpError {
    let title = match e.code() {
        400 => "Bad request",
        413 => "Too large",
        _ => return e,
    };
    let message = String::from_utf8_lossy(e.body()).into_owned();
    let body = format!(
        "<p>{}.</p><p><a href=\"/\">Back to your list</a>.</p>",
        escape(&message)
    );
    e.with_body(layout(title, &body))
}

fn login_page(error: Option<&str>, csrf: &str) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\">{e}</p>"))
        .unwrap_or_default();
    layout(
        "Log in",
        &format!(
            "{error}<form method=\"post\" action=\"/login\">{csrf}\n\
             <p><input type=\"text\" name=\"username\" placeholder=\"name\" autofocus></p>\n\
             <p><input type=\"password\" name=\"password\" placeholder=\"password\"></p>\n\
             <p><button>log in</button></p></form>\n\
             <p>Try <code>ada</code> / <code>lovelace</code>.</p>"
        ),
    )
}

fn html(page: String) -> Outcome {
    header("Content-Type", "text/html; charset=utf-8")?;
    Ok(page.into())
}

fn layout(title: &str, body: &str) -> String {
    let trip = trip_panel();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} · todo</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\n\
         <body><header><h1>{title}</h1><p>a web.py-style app, every layer in Rust</p></header>\n\
         {body}\n{trip}\n<footer>webpy-rs session demo</footer></body></html>\n"
    )
}

/// The panel at the foot of every page: the layers the request that made the page has
/// crossed so far, with their times, as a waterfall (inline SVG, a bar per step on one
/// time axis) and as text. It is made while the handler runs, so the steps it is inside
/// show their time `so far` (dashed bars), and what comes after (the session's save and
/// cookie, `start_response`, the response written) cannot be on the page it writes.
fn trip_panel() -> String {
    let (picture, trip) = match trip::so_far() {
        Some(step) => (
            trip::waterfall("this request so far", std::slice::from_ref(&step)),
            escape(&step.render()),
        ),
        None => (
            String::new(),
            "(no trip: this server runs without the demo's trip collector)".to_owned(),
        ),
    };
    format!(
        "<details class=\"trip\"><summary>this request's trip</summary>\n\
         <div class=\"waterfall\">{picture}</div><pre>{trip}</pre>\
         <p>Made while the handler ran: a step still running says so, with its time so far \
         (a dashed bar), and what comes after this page (the session saved, the cookie set, \
         <code>start_response</code>, the response written) cannot be on it. Each bar is a \
         step, to scale on one time axis; each ◆ something that happened inside a step. \
         <code>--trace</code> prints whole trips on stderr; so does \
         <code>cargo run -p session --example one_request</code>.</p></details>"
    )
}
