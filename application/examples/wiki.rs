//! A small multi-page application: a wiki kept in memory, served by `run()`.
//!
//! Run: `cargo run -p application --example wiki` (listens on 127.0.0.1:8080; pass
//! `8000`, `0.0.0.0` or `IP:PORT` as in web.py), then open `http://127.0.0.1:8080/`.
//! Watch: the index lists the pages; `/page/NAME` shows one (a custom 404 page offers to
//! create a missing one); `/edit/NAME` is a form whose POST saves and answers
//! `303 See Other` back to the page (the POST-redirect-GET pattern); a cookie remembers
//! the last page you edited; every request is logged on stderr in Common Log Format.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use application::web::{self, websafe as escape, SetCookie};
use application::{ctx, Application, Args, Error, HttpError, Outcome, Target};

type Pages = Arc<Mutex<BTreeMap<String, String>>>;

fn layout(title: &str, body: &str) -> Outcome {
    web::header("Content-Type", "text/html; charset=utf-8")?;
    let home = ctx::homepath()?;
    Ok(format!(
        "<!DOCTYPE html>\n<html><head><title>{t}</title></head><body>\n\
         <p><a href=\"{home}/\">index</a></p>\n<h1>{t}</h1>\n{body}\n</body></html>\n",
        t = escape(title)
    )
    .into())
}

fn lock(pages: &Pages) -> Result<std::sync::MutexGuard<'_, BTreeMap<String, String>>, HttpError> {
    pages.lock().map_err(|_| application::internalerror())
}

fn index(pages: &Pages) -> Outcome {
    let items: String = lock(pages)?
        .keys()
        .map(|n| format!("<li><a href=\"page/{0}\">{0}</a></li>\n", escape(n)))
        .collect();
    let last = web::cookies()?
        .get("last")
        .map(|n| format!("<p>last edited: {}</p>", escape(n)))
        .unwrap_or_default();
    layout(
        "wiki",
        &format!("<ul>\n{items}</ul>\n{last}<p><a href=\"edit/new-page\">new page</a></p>"),
    )
}

fn view(pages: &Pages, args: &Args) -> Outcome {
    let name = args.str(0);
    let text = lock(pages)?
        .get(name)
        .cloned()
        .ok_or_else(application::notfound)?;
    layout(
        name,
        &format!(
            "<pre>{}</pre>\n<p><a href=\"../edit/{}\">edit</a></p>",
            escape(&text),
            escape(name)
        ),
    )
}

fn edit_form(pages: &Pages, args: &Args) -> Outcome {
    let name = args.str(0);
    let text = lock(pages)?.get(name).cloned().unwrap_or_default();
    layout(
        &format!("edit {name}"),
        &format!("<form method=\"post\"><textarea name=\"text\">{}</textarea><button>save</button></form>", escape(&text)),
    )
}

fn save(pages: &Pages, args: &Args) -> Outcome {
    let name = args.str(0).to_string();
    let text = web::input()?.require("text")?.to_string();
    lock(pages)?.insert(name.clone(), text);
    SetCookie::new("last", &name).httponly(true).set()?;
    Err(web::seeother(&format!("/page/{name}")))
}

/// The application, separate from `main` so a test can drive it with `request()`.
fn wiki() -> Result<Application, Error> {
    let pages: Pages = Arc::default();
    lock(&pages)
        .map_err(|_| Error::OutsideRequest)?
        .insert("home".into(), "Welcome to the wiki.".into());
    // Each handler function gets the shared pages through a closure.
    let with = |f: fn(&Pages, &Args) -> Outcome| {
        let pages = Arc::clone(&pages);
        move |args: &Args| f(&pages, args)
    };
    let mut app = Application::new([
        ("/", Target::route().get(with(|p, _| index(p)))),
        ("/page/([\\w-]+)", Target::route().get(with(view))),
        (
            "/edit/([\\w-]+)",
            Target::route().get(with(edit_form)).post(with(save)),
        ),
    ])?;
    app.set_page(404, |e| {
        // `notfound()` says `Content-Type: text/html; charset=utf-8` already.
        e.with_body("<h1>no such page</h1><p><a href=\"/edit/new-page\">create one</a></p>")
    });
    Ok(app)
}

fn main() -> Result<(), Error> {
    wiki()?.run()
}
