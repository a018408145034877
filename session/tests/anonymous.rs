//! Anonymous visitors cost the server nothing: the demo's login form is protected by a
//! token bound to a cookie, not to a stored session, on every store; and pages that set
//! or depend on a session cookie tell caches they belong to one browser.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use std::sync::Arc;

use application::{Application, Response};
use redis::Commands;
use session::store::redis::RedisStore;
use session::{DiskStore, MemoryStore};
use support::http::csrf_token;
use support::services::RedisServer;
use support::{Jar, Scratch};

const VISITS: usize = 50;

/// `VISITS` anonymous visitors each load the login page (one with its cookies kept, the
/// rest new), and one fails a login: what a client looping on the login page does.
fn visit_the_login_page(app: &Application) {
    let mut returning = Jar::new("webpy_session_id");
    for _ in 0..VISITS {
        let fresh = app.request("/login").send();
        assert_eq!(fresh.code(), 200);
        assert!(csrf_token(&fresh.text()).is_some(), "the form has a token");
        assert_eq!(returning.send(app.request("/login")).code(), 200);
    }
    let token = csrf_token(&returning.send(app.request("/login")).text()).expect("a token");
    let failed = returning.send(
        app.request("/login")
            .method("POST")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .data(format!("username=ada&password=wrong&csrf_token={token}")),
    );
    assert_eq!(
        failed.code(),
        403,
        "checked, and refused: {}",
        failed.text()
    );
    assert!(
        failed.text().contains("wrong password"),
        "{}",
        failed.text()
    );
    assert_eq!(returning.value, None, "no session cookie was ever set");
}

#[test]
fn anonymous_login_pages_leave_the_memory_store_empty() {
    let store = Arc::new(MemoryStore::new());
    let app = app::build(Arc::clone(&store)).expect("the demo's routes");
    visit_the_login_page(&app);
    assert_eq!(store.len(), 0);
    // The same store does take a login: the count above could not be zero by accident.
    log_in(&app);
    assert_eq!(store.len(), 1);
}

#[test]
fn anonymous_login_pages_leave_the_disk_store_empty() {
    let dir = Scratch::new("anonymous");
    let store = DiskStore::new(dir.path()).expect("scratch directory");
    let app = app::build(store).expect("the demo's routes");
    let files = || std::fs::read_dir(dir.path()).expect("list").count();
    visit_the_login_page(&app);
    assert_eq!(files(), 0);
    log_in(&app);
    assert_eq!(files(), 1);
}

#[test]
fn anonymous_login_pages_leave_the_redis_store_empty() {
    let Some(redis) = RedisServer::start("anonymous::redis") else {
        return;
    };
    let store = RedisStore::open(&redis.url("")).expect("a good URL");
    let app = app::build(store).expect("the demo's routes");
    let mut admin = redis.admin();
    let mut keys = || -> usize {
        let keys: Vec<String> = admin.keys("*").expect("KEYS");
        keys.len()
    };
    visit_the_login_page(&app);
    assert_eq!(keys(), 0);
    log_in(&app);
    assert_eq!(keys(), 1);
}

/// Logs ada in as a browser would; returns the jar.
fn log_in(app: &Application) -> Jar {
    let mut jar = Jar::new("webpy_session_id");
    let token = csrf_token(&jar.send(app.request("/login")).text()).expect("a token");
    let login = jar.send(
        app.request("/login")
            .method("POST")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .data(format!("username=ada&password=lovelace&csrf_token={token}")),
    );
    assert_eq!(login.code(), 303, "{}", login.text());
    assert!(jar.value.is_some(), "logged in");
    jar
}

/// POSTs the login form with `cookie` and `token` as they are.
fn post_login(app: &Application, cookie: Option<&str>, token: &str) -> Response {
    let mut request = app
        .request("/login")
        .method("POST")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .data(format!("username=ada&password=lovelace&csrf_token={token}"));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send()
}

#[test]
fn a_visitors_token_works_only_with_the_cookie_it_came_with() {
    let app = app::build(MemoryStore::new()).expect("the demo's routes");
    let mut mine = Jar::new("webpy_session_id");
    let my_token = csrf_token(&mine.send(app.request("/login")).text()).expect("a token");
    let mut theirs = Jar::new("webpy_session_id");
    theirs.send(app.request("/login"));
    let (my_cookie, their_cookie) = (mine.header(), theirs.header());
    assert_ne!(
        my_cookie, their_cookie,
        "each visitor has a cookie of its own"
    );
    // Without the cookie, or with another visitor's, the token is refused.
    assert_eq!(post_login(&app, None, &my_token).code(), 403);
    assert_eq!(
        post_login(&app, their_cookie.as_deref(), &my_token).code(),
        403
    );
    // A cookie with a made-up value is no cookie at all.
    let forged = format!("webpy_csrf={}", "0".repeat(64));
    assert_eq!(post_login(&app, Some(&forged), &my_token).code(), 403);
    // The pair the page gave works.
    assert_eq!(
        post_login(&app, my_cookie.as_deref(), &my_token).code(),
        303
    );
}

#[test]
fn the_login_page_and_a_logged_in_page_are_private_to_one_browser() {
    let app = app::build(MemoryStore::new()).expect("the demo's routes");
    let private = |r: &Response| {
        (
            r.header("Cache-Control").map(str::to_owned),
            r.header_all("Vary").iter().any(|v| v.contains("Cookie")),
        )
    };
    // The login page sets the visitor's cookie and carries a token bound to it.
    let login_page = app.request("/login").send();
    assert!(login_page.header("Set-Cookie").is_some());
    assert_eq!(private(&login_page), (Some("private".into()), true));
    // A logged-in user's page is built from the session.
    let mut jar = log_in(&app);
    let list = jar.send(app.request("/"));
    assert_eq!(list.code(), 200);
    assert_eq!(private(&list), (Some("private".into()), true));
    // What neither sets a cookie nor reads a session stays cacheable as it was: an
    // anonymous redirect, and the stylesheet with its own max-age.
    let redirect = app.request("/").send();
    assert_eq!(redirect.code(), 303);
    assert_eq!(private(&redirect), (None, false));
    let css = app.request("/assets/style.css").send();
    assert_eq!(private(&css), (Some("max-age=300".into()), false));
}

#[test]
fn the_login_redirect_that_sets_the_session_cookie_is_private() {
    let app = app::build(MemoryStore::new()).expect("the demo's routes");
    let mut jar = Jar::new("webpy_session_id");
    let token = csrf_token(&jar.send(app.request("/login")).text()).expect("a token");
    let login = post_login(&app, jar.header().as_deref(), &token);
    assert_eq!(login.code(), 303);
    assert!(login
        .header_all("Set-Cookie")
        .iter()
        .any(|c| c.starts_with("webpy_session_id=")));
    assert_eq!(login.header("Cache-Control"), Some("private"));
    assert_eq!(login.header("Vary"), Some("Cookie"));
}

/// A handler that chose its own `Cache-Control` keeps it; `Vary: Cookie` is still added.
#[test]
fn a_handlers_own_cache_control_is_kept() {
    use application::{Args, Target};
    use session::{Session, SessionConfig};
    let session = Session::detached(MemoryStore::new(), (), SessionConfig::default());
    let s = session.clone();
    let mut app = Application::new([(
        "/",
        Target::func(move |_: &Args| {
            s.set("seen", &true)?;
            application::web::header("Cache-Control", "no-store")?;
            Ok("hi".into())
        }),
    )])
    .expect("valid patterns");
    session.install(&mut app);
    let r = app.request("/").send();
    assert_eq!(r.header_all("Cache-Control"), vec!["no-store"]);
    assert_eq!(r.header("Vary"), Some("Cookie"));
}
