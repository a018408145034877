//! What the demo does when Redis is down, slow, or refuses a command, and after it comes
//! back: a 503 with its cause in the log, within the store's timeouts; no panic, no hung
//! worker; requests that need no session go on; recovery without a restart; no torn
//! record, and no cookie for a session that was not saved.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use std::net::SocketAddr;

use application::RunningServer;
use application::ServerConfig;
use session::store::redis::RedisStore;
use session::{Error, SessionId, Store};
use support::http::{send, User, COOKIE};
use support::services::RedisServer;

/// Timeouts short enough that a fault answers fast; the HTTP client's 5 s socket
/// timeout is what would catch a hang.
const FAST: &str = "?connect_timeout=200ms&command_timeout=300ms";

fn demo_on(redis: &RedisServer) -> (RunningServer, SocketAddr) {
    testkit::log::capture();
    let store = RedisStore::open(&redis.url(FAST)).expect("a good URL");
    let app = app::build(store).expect("the demo's routes are valid");
    let server = app
        .start(ServerConfig::new("127.0.0.1:0"))
        .expect("the demo starts");
    let addr = server.local_addr();
    (server, addr)
}

fn logged_in(addr: SocketAddr) -> User {
    let mut user = User::new();
    let (_, landed) = user.submit(addr, "/login", "username=ada&password=lovelace");
    assert!(landed.body.contains("ada's list"), "{}", landed.body);
    user
}

/// A 503 with the demo's page and a `Retry-After`.
fn assert_unavailable(answer: &support::http::Answer) {
    assert_eq!(answer.code, 503, "{}", answer.body);
    assert_eq!(answer.header("Retry-After"), Some("5"));
    assert!(answer.body.contains("Try again soon"), "{}", answer.body);
}

#[test]
fn redis_down_is_a_503_with_its_cause_logged_and_it_recovers_without_a_restart() {
    let Some(mut redis) = RedisServer::start("redis_faults::down") else {
        return;
    };
    let (server, addr) = demo_on(&redis);
    let mut user = logged_in(addr);

    redis.kill();
    // Every worker thread meets the fault (the pool has more threads than this): none
    // hangs, none dies.
    for _ in 0..12 {
        assert_unavailable(&user.get(addr, "/"));
    }
    let css = send(
        addr,
        user.jar.header().as_deref(),
        "GET",
        "/assets/style.css",
        "",
    );
    assert_eq!(css.code, 200, "the stylesheet needs no session");
    let log = testkit::log::text();
    assert!(
        log.contains(&format!(
            "the session store redis 127.0.0.1:{} db 0 is unavailable",
            redis.port()
        )),
        "{log}"
    );
    assert!(log.contains("load of session"), "{log}");
    assert!(
        !log.contains(user.jar.value.as_deref().unwrap_or("-")),
        "no whole id in the log"
    );

    redis.restart();
    // The new Redis is empty (no persistence here), so the old cookie names nothing:
    // the user is sent to log in, and logging in works, on the same server process.
    assert_eq!(user.get(addr, "/").code, 303);
    let mut again = logged_in(addr);
    assert_eq!(again.get(addr, "/").code, 200);
    server.stop();
}

#[test]
fn a_paused_redis_is_a_503_within_the_timeout_and_nothing_is_lost() {
    let Some(redis) = RedisServer::start("redis_faults::slow") else {
        return;
    };
    let (server, addr) = demo_on(&redis);
    let mut user = logged_in(addr);
    user.submit(addr, "/todos", "text=kept+through+the+pause");

    redis.pause();
    assert_unavailable(&user.get(addr, "/"));
    let log = testkit::log::text();
    assert!(
        log.contains("not done within the command timeout (300ms)"),
        "{log}"
    );
    let css = send(addr, None, "GET", "/assets/style.css", "");
    assert_eq!(css.code, 200, "the stylesheet needs no session");
    redis.resume();

    let page = user.get(addr, "/");
    assert_eq!(page.code, 200, "{}", page.body);
    assert!(
        page.body.contains("<span>kept through the pause</span>"),
        "{}",
        page.body
    );
    server.stop();
}

#[test]
fn a_refused_save_is_a_503_and_the_login_sends_no_cookie() {
    let Some(redis) = RedisServer::start("redis_faults::refused") else {
        return;
    };
    let (server, addr) = demo_on(&redis);
    let mut user = User::new();
    user.get(addr, "/login");
    let before = user.jar.value.clone();
    assert_eq!(before, None, "the login form starts no session");

    // Redis refuses every write when over its memory limit (the default policy evicts
    // nothing); reads still work.
    let mut admin = redis.admin();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg("1")
        .query(&mut admin)
        .expect("CONFIG SET");
    let refused = user.post(addr, "/login", "username=ada&password=lovelace");
    assert_unavailable(&refused);
    assert_eq!(
        refused.set_cookies(),
        Vec::<&str>::new(),
        "no cookie for an unsaved session"
    );
    assert_eq!(user.jar.value, before, "the browser gets no id");
    assert!(testkit::log::text().contains("OOM"), "the cause is logged");

    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg("0")
        .query(&mut admin)
        .expect("CONFIG SET");
    let (login, landed) = user.submit(addr, "/login", "username=ada&password=lovelace");
    assert!(login.set_cookies().iter().any(|c| c.starts_with(COOKIE)));
    assert!(landed.body.contains("ada's list"), "{}", landed.body);
    server.stop();
}

#[test]
fn a_save_cut_off_mid_write_leaves_the_old_record_whole() {
    let Some(redis) = RedisServer::start("redis_faults::torn") else {
        return;
    };
    let store = RedisStore::open(&redis.url(FAST)).expect("a good URL");
    let id = SessionId::generate("test").expect("random generator");
    store.set(&id, b"{\"old\":true}").expect("first save");

    // 16 MiB cannot fit in the socket buffers of a Redis that is not reading: the write
    // times out part way, and the store drops the connection.
    redis.pause();
    let big = vec![b'x'; 16 << 20];
    let err = store.set(&id, &big).expect_err("the save cannot finish");
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("save of session"), "{err}");
    redis.resume();

    // Redis drops a command whose connection closed before it was whole.
    assert_eq!(
        store.get(&id).expect("Redis answers again").as_deref(),
        Some(&b"{\"old\":true}"[..])
    );
}
