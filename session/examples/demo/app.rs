//! The demo's application: a todo list behind a login, with its session, pages and styles.
//!
//! `main.rs` serves it; `session/tests/demo.rs` includes this file to drive it in process
//! and over HTTP. Every layer is used: the mapping and handlers (`application`), the
//! session (this crate), forms, redirects, custom error pages, and a static stylesheet.
use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use application::web::{header, input, seeother, websafe as escape};
use application::{ctx, notfound, Application, Args, HttpError, Next, Outcome, Target};
use session::{SameSite, Session, SessionConfig, Store};

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

/// One item of a user's list.
#[derive(Debug, Clone)]
struct Todo {
    text: String,
    done: bool,
}

/// What every handler shares: the session handle and the lists, per user. The lists live
/// in memory (they vanish when the demo stops); the session says who is logged in.
struct Demo {
    session: Session,
    todos: Mutex<HashMap<String, Vec<Todo>>>,
}

impl Demo {
    fn user(&self) -> Result<Option<String>, HttpError> {
        Ok(self.session.get::<String>("user")?)
    }

    /// The logged-in user, or a redirect to the login page.
    fn require_user(&self) -> Result<String, HttpError> {
        self.user()?.ok_or_else(|| seeother("/login"))
    }

    /// Takes the one-time message a redirect left for the next page.
    fn take_flash(&self) -> Result<Option<String>, HttpError> {
        let flash = self.session.get::<String>("flash")?;
        if flash.is_some() {
            self.session.remove("flash")?;
        }
        Ok(flash)
    }

    fn flash(&self, message: &str) -> Result<(), HttpError> {
        Ok(self.session.set("flash", message)?)
    }

    fn lists(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Todo>>> {
        // Every update is a single push or flag change, so a poisoned lock holds a
        // consistent map.
        self.todos.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Builds the demo over `store`: the routes, the session, the error pages.
pub fn build(store: impl Store + 'static) -> Result<Application, application::Error> {
    let config = SessionConfig {
        // Forms post back to this site only; a cross-site POST carries no session.
        samesite: Some(SameSite::Lax),
        ..SessionConfig::default()
    };
    let demo = Arc::new(Demo {
        session: Session::detached(store, (), config),
        todos: Mutex::new(HashMap::new()),
    });
    // A fresh handler value per request, as web.py made a fresh class instance.
    let on = |method: fn(Arc<Demo>, &Args) -> Outcome| {
        let demo = Arc::clone(&demo);
        move |args: &Args| method(Arc::clone(&demo), args)
    };
    let login = Target::route()
        .get(on(|d, a| Login(d).get(a)))
        .post(on(|d, a| Login(d).post(a)));
    let mut app = Application::new([
        ("/", Target::route().get(on(|d, a| Index(d).get(a)))),
        ("/login", login),
        (
            "/logout",
            Target::route().post(on(|d, a| Logout(d).post(a))),
        ),
        (
            "/todos",
            Target::route().post(on(|d, a| AddTodo(d).post(a))),
        ),
        (
            "/todos/([0-9]{1,9})/toggle",
            Target::route().post(on(|d, a| Toggle(d).post(a))),
        ),
        ("/assets/([a-z0-9_-]{1,64}\\.css)", Target::func(stylesheet)),
    ])?;
    demo.session.install(&mut app);
    // Client mistakes (a form that is not UTF-8, a body over the limit) come back from
    // `input()` with a one-line message; show it inside the demo's layout.
    app.add_processor(|next: Next<'_>| next.run().map_err(client_error_page));
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
    app.set_page(500, |e| {
        e.with_body(layout(
            "Something broke",
            "<p>The server failed to answer. Try again in a moment.</p>",
        ))
    });
    Ok(app)
}

/// `/`: the list and the form to add to it.
struct Index(Arc<Demo>);

impl Index {
    fn get(&mut self, _args: &Args) -> Outcome {
        let user = self.0.require_user()?;
        let flash = self.0.take_flash()?;
        let items: String = self
            .0
            .lists()
            .get(&user)
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let (class, label) = if t.done { ("done", "undo") } else { ("", "done") };
                        format!(
                            "<li class=\"{class}\"><span>{}</span> <form class=\"inline\" method=\"post\" \
                             action=\"/todos/{i}/toggle\"><button>{label}</button></form></li>\n",
                            escape(&t.text)
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
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
                "{flash}{list}\n<form method=\"post\" action=\"/todos\"><input type=\"text\" name=\"text\" \
                 maxlength=\"{MAX_TODO}\" autofocus> <button>add</button></form>\n\
                 <form method=\"post\" action=\"/logout\"><p><button>log out</button></p></form>"
            ),
        ))
    }
}

/// `/login`: the form, and checking it. A successful login gets a new session id.
struct Login(Arc<Demo>);

impl Login {
    fn get(&mut self, _args: &Args) -> Outcome {
        if self.0.user()?.is_some() {
            return Err(seeother("/"));
        }
        html(login_page(None))
    }
    fn post(&mut self, _args: &Args) -> Outcome {
        let form = input()?;
        let name = form.get("username").unwrap_or("").trim().to_owned();
        let password = form.get("password").unwrap_or("");
        if !USERS.iter().any(|(u, p)| *u == name && *p == password) {
            ctx::set_status("403 Forbidden")?;
            return html(login_page(Some("Unknown name or wrong password.")));
        }
        // A new id at the moment the session gains a privilege: an id seen or planted
        // before the login is worth nothing after it.
        self.0.session.regenerate_id()?;
        self.0.session.set("user", &name)?;
        self.0.flash(&format!("Welcome, {name}."))?;
        Err(seeother("/"))
    }
}

/// `/logout`: ends the session (its record is deleted and the cookie expired).
struct Logout(Arc<Demo>);

impl Logout {
    fn post(&mut self, _args: &Args) -> Outcome {
        self.0.session.kill()?;
        Err(seeother("/login"))
    }
}

/// `/todos`: adds an item from the form.
struct AddTodo(Arc<Demo>);

impl AddTodo {
    fn post(&mut self, _args: &Args) -> Outcome {
        let user = self.0.require_user()?;
        let text = input()?.get("text").unwrap_or("").trim().to_owned();
        if text.is_empty() {
            self.0.flash("Write something first.")?;
        } else if text.chars().count() > MAX_TODO {
            self.0
                .flash(&format!("A todo has at most {MAX_TODO} characters."))?;
        } else {
            self.0
                .lists()
                .entry(user)
                .or_default()
                .push(Todo { text, done: false });
        }
        Err(seeother("/"))
    }
}

/// `/todos/N/toggle`: marks an item done or not done.
struct Toggle(Arc<Demo>);

impl Toggle {
    fn post(&mut self, args: &Args) -> Outcome {
        let user = self.0.require_user()?;
        let index: usize = args
            .get(0)
            .and_then(|n| n.parse().ok())
            .ok_or_else(notfound)?;
        let mut lists = self.0.lists();
        let todo = lists
            .get_mut(&user)
            .and_then(|l| l.get_mut(index))
            .ok_or_else(notfound)?;
        todo.done = !todo.done;
        Err(seeother("/"))
    }
}

/// `/assets/NAME.css`: a stylesheet from the crate's `examples/demo/assets`. The pattern
/// admits only plain names, so no path leaves that directory.
fn stylesheet(args: &Args) -> Outcome {
    let name = args.get(0).ok_or_else(notfound)?;
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

fn login_page(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\">{e}</p>"))
        .unwrap_or_default();
    layout(
        "Log in",
        &format!(
            "{error}<form method=\"post\" action=\"/login\">\n\
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
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} · todo</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\n\
         <body><header><h1>{title}</h1><p>a web.py-style app, every layer in Rust</p></header>\n\
         {body}\n<footer>webpy-rs session demo</footer></body></html>\n"
    )
}
