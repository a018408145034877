//! Sub-applications, concurrent requests of one session, and a store that fails.
mod support;

use std::sync::{Arc, Barrier};

use application::{Application, Args, Response, Target};
use session::{DiskStore, MemoryStore, Session, SessionConfig, Store};
use support::{Jar, Scratch};

const NAME: &str = "webpy_session_id";

fn get(app: &Application, jar: &mut Jar, path: &str) -> Response {
    let mut request = app.request(path);
    if let Some(cookie) = jar.header() {
        request = request.header("Cookie", &cookie);
    }
    let response = request.send();
    jar.update(&response.header_all("Set-Cookie"));
    response
}

fn counter(s: &Session) -> Target {
    let s = s.clone();
    Target::func(move |_: &Args| {
        let n = s.get::<u64>("count")?.unwrap_or(0) + 1;
        s.set("count", &n)?;
        Ok(n.to_string().into())
    })
}

/// web.py issue 666: the session of the parent application is the session of its
/// sub-applications, whether or not the sub-application installs it too.
#[test]
fn a_sub_application_shares_the_parents_session() {
    for install_on_sub_too in [false, true] {
        let store = Arc::new(MemoryStore::new());
        let session = Session::detached(Arc::clone(&store), (), SessionConfig::default());
        let mut sub = Application::new([("/count", counter(&session))]).expect("sub");
        if install_on_sub_too {
            session.install(&mut sub);
        }
        let mut parent =
            Application::new([("/count", counter(&session)), ("/blog", Target::app(sub))])
                .expect("parent");
        session.install(&mut parent);
        let mut jar = Jar::new(NAME);
        assert_eq!(get(&parent, &mut jar, "/count").text(), "1");
        let response = get(&parent, &mut jar, "/blog/count");
        assert_eq!(
            response.text(),
            "2",
            "install_on_sub_too={install_on_sub_too}"
        );
        assert_eq!(
            response.header_all("Set-Cookie").len(),
            1,
            "one cookie, set once"
        );
        let set_cookie = response.header("Set-Cookie").unwrap_or("");
        assert!(set_cookie.contains("Path=/"), "{set_cookie}");
        assert!(
            !set_cookie.contains("/blog"),
            "the parent's path: {set_cookie}"
        );
        assert_eq!(get(&parent, &mut jar, "/count").text(), "3");
        assert_eq!(store.len(), 1);
    }
}

/// Two requests of one session load it, both change it, both save: the record is the one
/// saved last, whole. Last writer wins per session; the other request's change is lost.
#[test]
fn concurrent_requests_of_one_session_last_writer_wins_per_session() {
    let store = Arc::new(MemoryStore::new());
    let session = Session::detached(Arc::clone(&store), (), SessionConfig::default());
    let both_loaded = Arc::new(Barrier::new(2));
    let set = |key: &'static str| {
        let (s, both_loaded) = (session.clone(), Arc::clone(&both_loaded));
        Target::func(move |_: &Args| {
            // Both requests have loaded the same record before either saves.
            both_loaded.wait();
            s.set(key, &true)?;
            Ok("set".into())
        })
    };
    let read = session.clone();
    let mut app = Application::new([
        ("/a", set("a")),
        ("/b", set("b")),
        ("/start", counter(&session)),
        (
            "/keys",
            Target::func(move |_: &Args| {
                let a = read.get::<bool>("a")?.is_some();
                let b = read.get::<bool>("b")?.is_some();
                Ok(format!("a={a} b={b}").into())
            }),
        ),
    ])
    .expect("patterns");
    session.install(&mut app);
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/start");
    let cookie = jar.header().expect("cookie");
    std::thread::scope(|scope| {
        for path in ["/a", "/b"] {
            let (app, cookie) = (&app, cookie.clone());
            scope.spawn(move || app.request(path).header("Cookie", &cookie).send());
        }
    });
    let keys = get(&app, &mut jar, "/keys").text();
    assert!(
        keys == "a=true b=false" || keys == "a=false b=true",
        "{keys}"
    );
}

/// Many requests of one session on a `DiskStore` at once: every save is whole, so every
/// later load decodes, and no request fails. Some increments are lost (last writer wins).
#[test]
fn concurrent_requests_on_disk_never_corrupt_the_session() {
    let dir = Scratch::new("concurrent");
    let store = DiskStore::new(dir.path()).expect("scratch directory");
    let session = Session::detached(store, (), SessionConfig::default());
    let mut app = Application::new([("/count", counter(&session))]).expect("patterns");
    session.install(&mut app);
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/count");
    let cookie = jar.header().expect("cookie");
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let (app, cookie) = (&app, cookie.clone());
            scope.spawn(move || {
                for _ in 0..25 {
                    let response = app.request("/count").header("Cookie", &cookie).send();
                    assert_eq!(response.code(), 200, "{}", response.text());
                    response.text().parse::<u64>().expect("a count");
                }
            });
        }
    });
    let last: u64 = get(&app, &mut jar, "/count")
        .text()
        .parse()
        .expect("a count");
    assert!((3..=102).contains(&last), "{last}");
}

#[test]
fn a_store_directory_that_disappears_gives_500_not_a_panic() {
    let dir = Scratch::new("gone");
    let store = DiskStore::new(dir.path()).expect("scratch directory");
    let session = Session::detached(store, (), SessionConfig::default());
    let mut app = Application::new([("/count", counter(&session))]).expect("patterns");
    session.install(&mut app);
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&app, &mut jar, "/count").code(), 200);
    std::fs::remove_dir_all(dir.path()).expect("remove");
    assert_eq!(get(&app, &mut jar, "/count").code(), 500, "loading fails");
    assert_eq!(
        app.request("/count").send().code(),
        500,
        "saving a new one fails"
    );
}

#[test]
fn a_store_directory_replaced_by_a_file_gives_500_not_a_panic() {
    let dir = Scratch::new("unwritable");
    let store: Arc<dyn Store> = Arc::new(DiskStore::new(dir.path()).expect("scratch directory"));
    let session = Session::detached(store, (), SessionConfig::default());
    let mut app = Application::new([("/count", counter(&session))]).expect("patterns");
    session.install(&mut app);
    std::fs::remove_dir_all(dir.path()).expect("remove");
    std::fs::write(dir.path(), b"not a directory").expect("write");
    assert_eq!(app.request("/count").send().code(), 500);
    // The server goes on: the next request is answered too.
    assert_eq!(app.request("/count").send().code(), 500);
}

/// A logout in one tab while another tab's request is in flight: the in-flight request
/// loaded the session before the kill and changes it after; its save must not bring the
/// killed session back to life under the same id (a logout undone by a slow request).
#[test]
fn a_session_killed_during_another_request_stays_dead() {
    let store = Arc::new(MemoryStore::new());
    let session = Session::detached(Arc::clone(&store), (), SessionConfig::default());
    let (loaded, killed) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let slow = {
        let (s, loaded, killed) = (session.clone(), Arc::clone(&loaded), Arc::clone(&killed));
        Target::func(move |_: &Args| {
            loaded.wait();
            killed.wait();
            s.set("late", &true)?;
            Ok("slow".into())
        })
    };
    let logout = {
        let (s, loaded, killed) = (session.clone(), Arc::clone(&loaded), Arc::clone(&killed));
        Target::func(move |_: &Args| {
            loaded.wait();
            s.kill()?;
            // The kill is done before the slow request goes on (this closure's outcome
            // does not save anything for a killed session).
            killed.wait();
            Ok("bye".into())
        })
    };
    let mut app = Application::new([
        ("/start", counter(&session)),
        ("/slow", slow),
        ("/logout", logout),
    ])
    .expect("patterns");
    session.install(&mut app);
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/start");
    let cookie = jar.header().expect("cookie");
    assert_eq!(store.len(), 1);
    std::thread::scope(|scope| {
        for path in ["/slow", "/logout"] {
            let (app, cookie) = (&app, cookie.clone());
            scope.spawn(move || app.request(path).header("Cookie", &cookie).send());
        }
    });
    assert_eq!(store.len(), 0, "the killed session was saved again");
    let after = app.request("/start").header("Cookie", &cookie).send();
    assert_eq!(after.text(), "1", "the old id starts afresh");
}

/// A handler may call the application in process (`app.request(..)`, to render another
/// page into its own): that inner request is another client's request, with its own
/// cookie, and must load its own session, not borrow the one of the request that made it.
#[test]
fn an_in_process_request_made_by_a_handler_has_its_own_session() {
    let store = Arc::new(MemoryStore::new());
    let session = Session::detached(Arc::clone(&store), (), SessionConfig::default());
    let app_cell: Arc<std::sync::OnceLock<Application>> = Arc::default();
    let whoami = {
        let s = session.clone();
        Target::func(move |_: &Args| Ok(format!("{:?}", s.get::<String>("user")?).into()))
    };
    let login = {
        let s = session.clone();
        Target::func(move |_: &Args| {
            s.set("user", "ada")?;
            Ok("in".into())
        })
    };
    let nested = {
        let (s, cell) = (session.clone(), Arc::clone(&app_cell));
        Target::func(move |_: &Args| {
            let app = cell.get().ok_or_else(application::internalerror)?;
            let inner = app.request("/whoami").send().text();
            Ok(format!("outer={:?} inner={inner}", s.get::<String>("user")?).into())
        })
    };
    let mut app = Application::new([("/login", login), ("/whoami", whoami), ("/nested", nested)])
        .expect("patterns");
    session.install(&mut app);
    let _ = app_cell.set(app.clone());
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/login");
    assert_eq!(
        get(&app, &mut jar, "/nested").text(),
        r#"outer=Some("ada") inner=None"#
    );
    assert_eq!(get(&app, &mut jar, "/whoami").text(), r#"Some("ada")"#);
}
