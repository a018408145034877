//! The full-stack demo over real HTTP, on each store: every layer from the socket up.
mod support;

#[allow(dead_code)]
#[path = "../examples/demo/app.rs"]
mod app;

use std::net::SocketAddr;

use application::ServerConfig;
use session::store::redis::RedisStore;
use session::{DiskStore, MemoryStore, Store};
use support::http::{send, User};
use support::services::RedisServer;
use support::Scratch;

/// Logs in, adds, lists, logs out; `stored` says whether the store holds a session id.
fn log_in_add_list_log_out(store: impl Store + 'static, stored: impl Fn(&str) -> bool) {
    let app = app::build(store).expect("the demo's routes are valid");
    let server = app
        .start(ServerConfig::new("127.0.0.1:0"))
        .expect("the demo starts");
    let addr: SocketAddr = server.local_addr();
    let mut user = User::new();

    let home = user.get(addr, "/");
    assert_eq!(home.code, 303);
    assert_eq!(
        home.header("Location"),
        Some(format!("http://{addr}/login").as_str())
    );

    let css = send(addr, None, "GET", "/assets/style.css", "");
    assert_eq!(css.code, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));

    let (_, landed) = user.submit(addr, "/login", "username=ada&password=lovelace");
    assert!(landed.body.contains("ada's list"), "{}", landed.body);
    let id = user
        .jar
        .value
        .clone()
        .expect("a session cookie after login");
    assert!(stored(&id), "the session is in the store");

    let (_, list) = user.submit(addr, "/todos", "text=ship+the+demo");
    assert!(
        list.body.contains("<span>ship the demo</span>"),
        "{}",
        list.body
    );

    let (out, _) = user.submit(addr, "/logout", "");
    assert!(out.set_cookies().iter().any(|c| c.contains("Max-Age=0")));
    assert!(!stored(&id), "the session left the store");
    assert_eq!(user.get(addr, "/").code, 303, "logged out");
    server.stop();
}

#[test]
fn log_in_add_list_log_out_over_http_on_disk() {
    let dir = Scratch::new("demo-http");
    let store = DiskStore::new(dir.path()).expect("scratch directory");
    log_in_add_list_log_out(store, |id| dir.path().join(id).is_file());
}

#[test]
fn log_in_add_list_log_out_over_http_in_memory() {
    let store = std::sync::Arc::new(MemoryStore::new());
    let probe = std::sync::Arc::clone(&store);
    log_in_add_list_log_out(store, move |id| {
        let id = session::SessionId::parse(id).expect("a well-formed id");
        session::Store::contains(&*probe, &id).expect("memory never fails")
    });
}

#[test]
fn log_in_add_list_log_out_over_http_in_redis() {
    let Some(redis) = RedisServer::start("demo_http::in_redis") else {
        return;
    };
    let store = RedisStore::open(&redis.url("")).expect("a good URL");
    log_in_add_list_log_out(store, |id| {
        redis::Commands::exists::<_, bool>(&mut redis.admin(), format!("session:{id}"))
            .expect("EXISTS")
    });
}
