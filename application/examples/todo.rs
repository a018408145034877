//! The web.py tutorial's todo list, ported line for line (`ports/todo.py` beside this file
//! is the Python; the book shows both).
//!
//! Run: `cargo run -p application --example todo` and open <http://127.0.0.1:8080/>; pass a
//! port (`8000`) or an address as web.py took it. Watch the form post to `/add`, which
//! answers `303 See Other` back to `/` (POST-redirect-GET), and the list grow.

// ANCHOR: port
use application::prelude::*;

static TODOS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn index(_: &Args) -> Outcome {
    web::header("Content-Type", "text/html; charset=utf-8")?;
    let items: String = TODOS
        .lock()?
        .iter()
        .map(|t| format!("<li>{}</li>", websafe(t)))
        .collect();
    let form =
        r#"<form method="post" action="/add"><input name="title"><button>add</button></form>"#;
    Ok(format!("<ul>{items}</ul>{form}").into())
}

fn add(_: &Args) -> Outcome {
    let title = web::input()?.require("title")?.to_string();
    TODOS.lock()?.push(title);
    // web.py's `raise`, kept in a port; new code may answer `Ok(web::seeother("/").into())`.
    Err(web::seeother("/"))
}

pub fn app() -> Result<Application, Error> {
    Application::new([("/", get(index)), ("/add", post(add))])
}

fn main() -> Result<(), Error> {
    app()?.run()
}
// ANCHOR_END: port
