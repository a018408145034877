//! The full-stack demo, driven like a browser: log in, add, list, log out.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use application::{Application, Response};
use session::MemoryStore;
use support::{session_cookie, Jar};

const NAME: &str = "webpy_session_id";

/// A browser in miniature: keeps the session cookie, sends forms with the CSRF token of
/// the last page it showed, and follows a `303` after a POST to the page it names.
struct Browser<'a> {
    app: &'a Application,
    jar: Jar,
    /// The CSRF token of the last page that had a form.
    token: Option<String>,
    /// Where the last POST's redirect landed.
    landed: Option<Response>,
}

impl Browser<'_> {
    fn new(app: &Application) -> Browser<'_> {
        Browser {
            app,
            jar: Jar::new(NAME),
            token: None,
            landed: None,
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
        if let Some(token) = csrf_token(&response.text()) {
            self.token = Some(token);
        }
        response
    }

    fn get(&mut self, path: &str) -> Response {
        self.send("GET", path, "")
    }

    /// Submits a form as a browser would: with the token of the page it came from (the
    /// login page, for a first visit), then a GET of the redirect's target.
    fn post(&mut self, path: &str, form: &str) -> Response {
        if self.token.is_none() {
            self.get("/login");
        }
        let token = self.token.clone().unwrap_or_default();
        let response = self.send("POST", path, &format!("{form}&csrf_token={token}"));
        self.landed = (response.code() == 303).then(|| {
            let target = location(&response).to_owned();
            let path = target.find("/login").map_or("/", |_| "/login");
            self.get(path)
        });
        response
    }

    /// The page the last POST's redirect landed on.
    fn landed(&self) -> String {
        self.landed.as_ref().map(Response::text).unwrap_or_default()
    }
}

/// The value of the first `csrf_token` field in a page.
fn csrf_token(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let token = &page[at..];
    Some(token[..token.find('"')?].to_owned())
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
    let before = browser.jar.value.clone();
    assert_eq!(before, None, "the login form starts no session");
    assert!(
        browser.jar.get("webpy_csrf").is_some(),
        "its CSRF token is bound to a cookie of its own"
    );

    let login = browser.post("/login", "username=ada&password=lovelace");
    assert_eq!(login.code(), 303);
    assert!(location(&login).ends_with('/'));
    assert!(browser.landed().contains("<h1>ada's list</h1>"));
    assert!(
        browser.landed().contains("Welcome, ada."),
        "the flash from the login"
    );
    assert_ne!(browser.jar.value, before, "the login changed the id");

    let added = browser.post("/todos", "text=write+the+session+chapter");
    assert_eq!(added.code(), 303);
    browser.post("/todos", "text=%3Cb%3Ebench%3C%2Fb%3E");

    let list = browser.get("/").text();
    assert!(list.contains("<h1>ada's list</h1>"), "{list}");
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
    assert_eq!(list.matches("<li class").count(), 2, "{list}");

    let logged_in = browser.jar.value.clone();
    let out = browser.post("/logout", "");
    assert_eq!(out.code(), 303);
    assert!(location(&out).ends_with("/login"));
    let expired = out.header_all("Set-Cookie");
    assert!(
        expired.iter().any(|c| c.contains("Max-Age=0")),
        "{expired:?}"
    );
    // The login page it lands on starts a new session, for its form's token.
    assert_ne!(browser.jar.value, logged_in, "the old cookie was expired");
    assert!(browser.landed().contains("name=\"password\""));
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
    browser.post("/todos", "text=+++");
    let list = browser.landed();
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

/// A POST to `/todos` with `cookie` and `form` as they are: what a page on another site
/// can make a browser send.
fn post_todo(app: &Application, cookie: &str, form: &str) -> Response {
    app.request("/todos")
        .method("POST")
        .header("Cookie", cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .data(form.to_owned())
        .send()
}

#[test]
fn a_post_without_the_sessions_token_is_forbidden() {
    let app = demo();
    let mut browser = Browser::new(&app);
    browser.post("/login", "username=ada&password=lovelace");
    let cookie = browser.jar.header().expect("logged in");
    let post = |form: &str| post_todo(&app, &cookie, form);
    // A page on another site can make the browser send the cookie, not the token.
    for forged in [
        "text=forged".to_owned(),
        "text=forged&csrf_token=".to_owned(),
        format!("text=forged&csrf_token={}", "0".repeat(64)),
    ] {
        let answer = post(&forged);
        assert_eq!(answer.code(), 403, "{forged}");
        assert!(
            answer.text().contains("did not come from this site"),
            "{}",
            answer.text()
        );
    }
    // The token of another session is no better.
    let mut other = Browser::new(&app);
    other.get("/login");
    let foreign = other.token.clone().expect("a token");
    assert_eq!(
        post(&format!("text=forged&csrf_token={foreign}")).code(),
        403
    );
    // Nor is this session's token from before the login.
    let mut fresh = Browser::new(&app);
    fresh.get("/login");
    let before_login = fresh.token.clone().expect("a token");
    fresh.post("/login", "username=ada&password=lovelace");
    let cookie = fresh.jar.header().expect("logged in");
    let stale = post_todo(
        &app,
        &cookie,
        &format!("text=forged&csrf_token={before_login}"),
    );
    assert_eq!(stale.code(), 403, "the login made a new token");
    assert!(
        !browser.get("/").text().contains("forged"),
        "no forged todo got in"
    );
    // The token from the page works.
    assert_eq!(browser.post("/todos", "text=real").code(), 303);
    assert!(browser.landed().contains("<span>real</span>"));
}

#[test]
fn a_login_post_needs_the_token_of_the_login_page() {
    let app = demo();
    let forged = app
        .request("/login")
        .method("POST")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .data("username=ada&password=lovelace")
        .send();
    assert_eq!(forged.code(), 403);
    assert!(
        session_cookie(&forged.header_all("Set-Cookie"), NAME).is_none()
            || !forged
                .header_all("Set-Cookie")
                .iter()
                .any(|c| !c.contains("Max-Age=0")),
        "no logged-in session came of it"
    );
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
fn a_host_the_demo_does_not_serve_is_refused_before_any_redirect_is_built() {
    let app = demo();
    let foreign = app.request("/").host("evil.example").send();
    assert_eq!(foreign.code(), 400);
    assert_eq!(foreign.header("Location"), None);
    let own = app.request("/").host("localhost:8080").send();
    assert_eq!(own.code(), 303);
    assert_eq!(own.header("Location"), Some("http://localhost:8080/login"));
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
