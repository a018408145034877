//! The full-stack demo, driven like a browser: log in, add, list, log out.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use application::{Application, Response};
use session::MemoryStore;
use support::Jar;

const NAME: &str = "webpy_session_id";

/// A browser in miniature: keeps the session cookie, sends forms.
struct Browser<'a> {
    app: &'a Application,
    jar: Jar,
}

impl Browser<'_> {
    fn new(app: &Application) -> Browser<'_> {
        Browser {
            app,
            jar: Jar::new(NAME),
        }
    }

    fn send(&mut self, method: &str, path: &str, form: &str) -> Response {
        let mut request = self.app.request(path).method(method);
        if method == "POST" {
            request = request
                .header("Content-Type", "application/x-www-form-urlencoded")
                .data(form);
        }
        if let Some(cookie) = self.jar.header() {
            request = request.header("Cookie", &cookie);
        }
        let response = request.send();
        self.jar.update(&response.header_all("Set-Cookie"));
        response
    }

    fn get(&mut self, path: &str) -> Response {
        self.send("GET", path, "")
    }

    fn post(&mut self, path: &str, form: &str) -> Response {
        self.send("POST", path, form)
    }
}

fn demo() -> Application {
    app::build(MemoryStore::new()).expect("the demo's routes are valid")
}

fn location(response: &Response) -> &str {
    response.header("Location").unwrap_or("")
}

#[test]
fn log_in_add_list_log_out() {
    let app = demo();
    let mut browser = Browser::new(&app);

    let home = browser.get("/");
    assert_eq!(home.code(), 303, "not logged in yet");
    assert!(location(&home).ends_with("/login"), "{:?}", home.headers);

    let form = browser.get("/login");
    assert_eq!(form.code(), 200);
    assert!(form.text().contains("name=\"password\""));
    assert_eq!(
        browser.jar.value, None,
        "reading pages stores nothing, so no cookie"
    );

    let login = browser.post("/login", "username=ada&password=lovelace");
    assert_eq!(login.code(), 303);
    assert!(location(&login).ends_with('/'));
    assert!(browser.jar.value.is_some(), "the login made a session");

    let added = browser.post("/todos", "text=write+the+session+chapter");
    assert_eq!(added.code(), 303);
    browser.post("/todos", "text=%3Cb%3Ebench%3C%2Fb%3E");

    let list = browser.get("/").text();
    assert!(list.contains("<h1>ada's list</h1>"), "{list}");
    assert!(list.contains("Welcome, ada."), "the flash from the login");
    assert!(
        list.contains("<span>write the session chapter</span>"),
        "{list}"
    );
    assert!(
        list.contains("&lt;b&gt;bench&lt;/b&gt;"),
        "user text is escaped"
    );

    browser.post("/todos/0/toggle", "");
    let list = browser.get("/").text();
    assert!(
        list.contains("<li class=\"done\"><span>write the session chapter"),
        "{list}"
    );
    assert!(!list.contains("Welcome, ada."), "a flash shows once");

    let out = browser.post("/logout", "");
    assert_eq!(out.code(), 303);
    assert!(location(&out).ends_with("/login"));
    assert_eq!(browser.jar.value, None, "the cookie was expired");
    assert_eq!(browser.get("/").code(), 303, "logged out");
}

#[test]
fn logging_in_again_gives_the_session_a_new_id() {
    let app = demo();
    let mut browser = Browser::new(&app);
    browser.post("/login", "username=ada&password=lovelace");
    let first = browser.jar.value.clone().expect("a session");
    browser.post("/login", "username=grace&password=hopper");
    let second = browser.jar.value.clone().expect("a session");
    assert_ne!(first, second, "regenerate_id at every login");
    assert!(browser.get("/").text().contains("grace's list"));
}

#[test]
fn a_wrong_password_is_refused_and_keeps_you_out() {
    let app = demo();
    let mut browser = Browser::new(&app);
    let refused = browser.post("/login", "username=ada&password=babbage");
    assert_eq!(refused.code(), 403);
    assert!(refused.text().contains("wrong password"));
    assert_eq!(browser.get("/").code(), 303);
}

#[test]
fn an_empty_todo_is_refused_with_a_message() {
    let app = demo();
    let mut browser = Browser::new(&app);
    browser.post("/login", "username=grace&password=hopper");
    browser.get("/");
    browser.post("/todos", "text=+++");
    let list = browser.get("/").text();
    assert!(list.contains("Write something first."), "{list}");
    assert!(list.contains("Nothing to do yet."), "{list}");
}

#[test]
fn lists_belong_to_their_user() {
    let app = demo();
    let (mut ada, mut grace) = (Browser::new(&app), Browser::new(&app));
    ada.post("/login", "username=ada&password=lovelace");
    grace.post("/login", "username=grace&password=hopper");
    ada.post("/todos", "text=analytical+engine");
    assert!(!grace.get("/").text().contains("analytical engine"));
}

#[test]
fn the_stylesheet_is_served_from_the_crate() {
    let app = demo();
    let css = app.request("/assets/style.css").send();
    assert_eq!(css.code(), 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert!(css.text().contains("ul.todos"));
    assert_eq!(app.request("/assets/missing.css").send().code(), 404);
    assert_eq!(app.request("/assets/../app.rs").send().code(), 404);
}

#[test]
fn errors_get_the_demos_pages() {
    let app = demo();
    let missing = app.request("/no/such/page").send();
    assert_eq!(missing.code(), 404);
    assert!(
        missing.text().contains("There is no such page"),
        "{}",
        missing.text()
    );
    let wrong_method = app.request("/logout").send();
    assert_eq!(wrong_method.code(), 405);
    assert_eq!(wrong_method.header("Allow"), Some("POST"));
    assert!(wrong_method
        .text()
        .contains("does not take this kind of request"));
    let mut browser = Browser::new(&app);
    browser.post("/login", "username=ada&password=lovelace");
    assert_eq!(
        browser.post("/todos/7/toggle", "").code(),
        404,
        "no such todo"
    );
}

#[test]
fn a_client_mistake_gets_a_demo_page_that_says_what_was_wrong() {
    let app = demo();
    let mut browser = Browser::new(&app);
    browser.post("/login", "username=ada&password=lovelace");
    let not_utf8 = browser.post("/todos", "text=%ff%fe");
    assert_eq!(not_utf8.code(), 400);
    let text = not_utf8.text();
    assert!(text.contains("<title>Bad request"), "{text}");
    assert!(text.contains("form data is not UTF-8"), "{text}");
    let too_big = browser.post("/todos", &format!("text={}", "a".repeat(11 << 20)));
    assert_eq!(too_big.code(), 413);
    assert!(
        too_big.text().contains("<title>Too large"),
        "{}",
        too_big.text()
    );
    // The list is still there after both.
    assert_eq!(browser.get("/").code(), 200);
}
