//! A blog with a mounted admin application, hooks and a session, ported line for line
//! from web.py (`ports/blog.py` beside this file is the Python; the book shows both).
//!
//! Run: `cargo run -p session --example blog`, open <http://127.0.0.1:8080/>, log in at
//! `/login` as `admin` / `secret`, and write posts under `/admin/`. Watch the admin
//! application's load hook send you to `/login` (out of the sub-application, web.py's
//! `absolute=True`) until you log in, and every response carry `X-Served-By: blog` from
//! the unload hook.

// ANCHOR: port_data
use application::prelude::*;
use session::{MemoryStore, Session};

struct Post {
    id: usize,
    title: String,
    body: String,
}

static POSTS: std::sync::Mutex<Vec<Post>> = std::sync::Mutex::new(Vec::new());

const NEW_FORM: &str = r#"<form method="post"><input name="title"><textarea name="body"></textarea><button>publish</button></form>"#;
const LOGIN_FORM: &str = r#"<form method="post"><input name="username"><input name="password" type="password"><button>log in</button></form>"#;

fn page(title: &str, body: &str) -> Outcome {
    web::header("Content-Type", "text/html; charset=utf-8")?;
    let t = websafe(title);
    Ok(format!("<!doctype html><title>{t}</title><h1>{t}</h1>{body}").into())
}

fn find(posts: &[Post], a: &Args) -> Result<usize, HttpError> {
    let id: usize = a.parse(0).map_err(|_| notfound())?;
    posts.iter().position(|p| p.id == id).ok_or_else(notfound)
}
// ANCHOR_END: port_data

// ANCHOR: port_admin
fn admin_home(_: &Args) -> Outcome {
    let rows: String = POSTS.lock()?.iter().map(|p| format!(r#"<li>{} <form method="post" action="delete/{}"><button>delete</button></form></li>"#, websafe(&p.title), p.id)).collect();
    let new = r#"<a href="new">new post</a>"#;
    page("admin", &format!("<ul>{rows}</ul>{new}"))
}

fn admin_new(_: &Args) -> Outcome {
    page("new post", NEW_FORM)
}

fn admin_create(_: &Args) -> Outcome {
    let i = web::input()?;
    let (title, body) = (i.require("title")?.into(), i.get_or("body", "").into());
    let mut posts = POSTS.lock()?;
    let id = posts.len() + 1;
    posts.push(Post { id, title, body });
    Err(web::seeother("/"))
}

fn admin_delete(a: &Args) -> Outcome {
    let mut posts = POSTS.lock()?;
    let at = find(&posts, a)?;
    posts.remove(at);
    Err(web::seeother("/"))
}

fn require_login() -> Result<(), HttpError> {
    match session::current()?.get::<String>("user")? {
        Some(_) => Ok(()),
        None => Err(web::seeother("/login").absolute()),
    }
}
// ANCHOR_END: port_admin

// ANCHOR: port_blog
fn item(p: &Post) -> String {
    let (id, title) = (p.id, websafe(&p.title));
    format!(r#"<li><a href="/post/{id}">{title}</a></li>"#)
}

fn index(_: &Args) -> Outcome {
    let items: String = POSTS.lock()?.iter().map(item).collect();
    page("blog", &format!("<ul>{items}</ul>"))
}

fn view(a: &Args) -> Outcome {
    let posts = POSTS.lock()?;
    let p = &posts[find(&posts, a)?];
    page(&p.title, &format!("<p>{}</p>", websafe(&p.body)))
}

fn login_form(_: &Args) -> Outcome {
    page("log in", LOGIN_FORM)
}

fn login(_: &Args) -> Outcome {
    let i = web::input()?;
    if (i.get_or("username", ""), i.get_or("password", "")) != ("admin", "secret") {
        return Err(forbidden());
    }
    session::current()?.set("user", i.get_or("username", ""))?;
    Err(web::seeother("/admin/"))
}

fn logout(_: &Args) -> Outcome {
    session::current()?.kill()?;
    Err(web::seeother("/"))
}
// ANCHOR_END: port_blog

// ANCHOR: port_app
pub fn app() -> Result<Application, Error> {
    let mut admin = Application::new([
        ("/", get(admin_home)),
        ("/new", get(admin_new).post(admin_create)),
        (r"/delete/(\d+)", post(admin_delete)),
    ])?;
    admin.add_processor(loadhook(require_login));
    let mut app = Application::new([
        ("/", get(index)),
        (r"/post/(\d+)", get(view)),
        ("/login", get(login_form).post(login)),
        ("/logout", post(logout)),
        ("/admin", Target::app(admin)),
    ])?;
    Session::new(&mut app, MemoryStore::new(), ());
    app.add_processor(unloadhook(|| web::header("X-Served-By", "blog")));
    Ok(app)
}

fn main() -> Result<(), Error> {
    app()?.run()
}
// ANCHOR_END: port_app
