//! The demo in a real browser: headless Chromium, driven over the DevTools protocol.
//!
//! It checks what a browser enforces and a raw client does not: the cookie's `HttpOnly`
//! (scripts cannot read it) and `SameSite`, that a form's POST answered with a 303 lands
//! on a GET (a reload does not post again), and that the stylesheet applied. Each step
//! leaves a screenshot in `target/screenshots/`; the session chapter of the book shows
//! two of them.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use application::{ctx, Next, ServerConfig};
use headless_chrome::protocol::cdp::Network::CookieSameSite;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use session::DiskStore;
use support::services::{missing, on_path};
use support::Scratch;

/// Chromium's flags for a machine with no network and no user: root needs
/// `--no-sandbox` (`sandbox(false)`); the rest keep it from calling home (each refused
/// connection costs time) and from first-run work.
const FLAGS: &[&str] = &[
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
];

fn launch(profile: &Scratch) -> Browser {
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
        .headless(true)
        .sandbox(false)
        .window_size(Some((900, 640)))
        .user_data_dir(Some(profile.path().to_path_buf()))
        .args(FLAGS.iter().map(OsStr::new).collect())
        .idle_browser_timeout(Duration::from_secs(60))
        .build()
        .expect("launch options");
    Browser::new(options).expect("Chromium starts")
}

/// Waits (at most 10 s) until `condition`, a JavaScript expression, is true.
fn wait_for(tab: &Tab, condition: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = tab.evaluate(condition, false).ok().and_then(|r| r.value);
        if value == Some(serde_json::Value::Bool(true)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not true within 10 s: {condition} (at {})",
            tab.get_url()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn eval(tab: &Tab, expression: &str) -> serde_json::Value {
    tab.evaluate(expression, false)
        .expect("the page runs the script")
        .value
        .unwrap_or(serde_json::Value::Null)
}

/// Saves a screenshot as `target/screenshots/demo-NN-name.png`.
fn screenshot(tab: &Tab, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("a screenshot");
    // The test runs as target/<profile>/deps/<test>.
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|p| p.to_path_buf()))
        .expect("the test runs inside target/");
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("target/screenshots");
    std::fs::write(dir.join(format!("demo-{name}.png")), png).expect("write the screenshot");
}

/// Types `text` into the field `selector` (as one input event, like a paste: a key event
/// per character costs a round trip each).
fn fill(tab: &Tab, selector: &str, text: &str) {
    tab.wait_for_element(selector)
        .expect("the field")
        .click()
        .expect("focus the field");
    tab.send_character(text).expect("type");
}

fn click(tab: &Tab, selector: &str) {
    tab.wait_for_element(selector)
        .expect("the button")
        .click()
        .expect("click");
}

#[test]
fn the_demo_works_in_a_real_browser() {
    if !on_path("chromium") {
        missing("chromium", "browser::the_demo_works_in_a_real_browser");
        return;
    }
    let sessions = Scratch::new("browser-sessions");
    let mut app = app::build(DiskStore::new(sessions.path()).expect("scratch directory"))
        .expect("the demo's routes are valid");
    // Every request that reaches the handlers, in order, as "METHOD path".
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = Arc::clone(&seen);
    app.add_processor(move |next: Next<'_>| {
        let line = ctx::with(|c| format!("{} {}", c.method, c.path))?;
        record.lock().unwrap_or_else(|p| p.into_inner()).push(line);
        next.run()
    });
    let server = app
        .start(ServerConfig::new("127.0.0.1:0"))
        .expect("the demo starts");
    let home = format!("http://{}/", server.local_addr());
    let profile = Scratch::new("chromium-profile");
    let browser = launch(&profile);
    let tab = browser.new_tab().expect("a tab");

    // `/` sends a stranger to the login page, styled by the stylesheet.
    tab.navigate_to(&home).expect("open /");
    wait_for(
        &tab,
        "location.pathname === '/login' && !!document.querySelector('input[name=password]')",
    );
    assert_eq!(
        eval(&tab, "getComputedStyle(document.body).maxWidth"),
        "576px",
        "style.css applied"
    );
    screenshot(&tab, "01-login");

    fill(&tab, "input[name=username]", "ada");
    fill(&tab, "input[name=password]", "lovelace");
    click(&tab, "button");
    wait_for(
        &tab,
        "location.pathname === '/' && document.querySelector('h1').textContent === \"ada's list\"",
    );
    screenshot(&tab, "02-logged-in");

    // The cookie as the browser keeps it: HttpOnly, so scripts cannot read it; SameSite=Lax.
    let cookies = tab.get_cookies().expect("the tab's cookies");
    let cookie = cookies
        .iter()
        .find(|c| c.name == "webpy_session_id")
        .expect("the session cookie");
    assert!(cookie.http_only, "{cookie:?}");
    assert!(
        matches!(cookie.same_site, Some(CookieSameSite::Lax)),
        "{cookie:?}"
    );
    assert_eq!(
        eval(&tab, "document.cookie.includes('webpy_session_id')"),
        false
    );

    for text in ["write the session chapter", "take the screenshots"] {
        fill(&tab, "input[name=text]", text);
        click(&tab, "form[action='/todos'] button");
        let shown = format!(
            "[...document.querySelectorAll('ul.todos span')].some(s => s.textContent === '{text}')"
        );
        wait_for(&tab, &shown);
    }
    assert_eq!(
        eval(&tab, "document.querySelectorAll('ul.todos li').length"),
        2
    );
    screenshot(&tab, "03-two-todos");

    // A reload repeats the GET the 303 led to, not the POST: still two todos.
    let before_reload = seen.lock().unwrap_or_else(|p| p.into_inner()).len();
    tab.reload(false, None).expect("reload");
    wait_for(&tab, "document.readyState === 'complete' && document.querySelectorAll('ul.todos li').length === 2");
    {
        let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!(
            seen[before_reload..],
            ["GET /".to_owned()],
            "the reload: {seen:?}"
        );
        for (i, line) in seen.iter().enumerate() {
            if line.starts_with("POST ") {
                assert_eq!(
                    seen.get(i + 1).map(String::as_str),
                    Some("GET /"),
                    "each POST lands on a GET: {seen:?}"
                );
            }
        }
    }
    screenshot(&tab, "04-after-reload");

    click(&tab, "form[action='/logout'] button");
    wait_for(
        &tab,
        "location.pathname === '/login' && !!document.querySelector('input[name=password]')",
    );
    screenshot(&tab, "05-logged-out");

    tab.navigate_to(&home).expect("open / again");
    wait_for(
        &tab,
        "location.pathname === '/login' && document.readyState === 'complete'",
    );
    drop(browser);
    server.stop();
}
