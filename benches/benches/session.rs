//! Benches for the `session` layer: what keeping a session costs a request, per store.
//!
//! Run: `cargo bench -p benches --bench session`
//!
//! - `store/<memory|disk|redis>/load+save`: one request's store traffic for a session that
//!   changed: read the record, write it back whole (`DiskStore`: a read, a temporary file,
//!   a rename; `RedisStore`: a `GET` and a `SET … EX`, each a round trip to a
//!   `redis-server` on 127.0.0.1 that the bench starts). The record is a typical
//!   logged-in session of about 300 bytes of JSON.
//! - `store/<memory|disk|redis>/load`: a request whose session did not change: only the
//!   read (the processor writes nothing then).
//! - `store/redis-tls/*`, `request/redis-tls/*`: the same over TLS (`rediss://`, a
//!   TLS-only `redis-server` with certificates `openssl` makes for the bench): what
//!   encryption costs a request on a connection the pool already holds.
//! - `connect/<redis|redis-tls>`: opening one connection, as the pool does when it needs
//!   one more, and a `PING` on it (TCP connect and the client's setup; over TLS, loading
//!   the trust store and the handshake too, which rustls finishes on first use).
//! - `request/<none|memory|disk|redis>/<changed|unchanged>`: a whole in-process request
//!   (`Application::request`) through the session processor, for a handler that adds one
//!   to a counter (`changed`) or only reads it (`unchanged`); `none` is the same app
//!   without a session, the floor.
//! - `demo/main_page`: the demo's list page for a logged-in user with eight todos,
//!   in process (routing, session, handler, HTML).
//! - `demo/main_page_http`: the same page end to end through the real server on
//!   127.0.0.1, one keep-alive connection (socket, parsing, gateway, application, session).
//!
//! Without `redis-server` on the machine the Redis rows are left out, and without
//! `openssl` the TLS rows, with a `SKIPPED:` line. The demo under load, per store:
//! `benches/load_demo.sh`.

use std::hint::black_box;

use application::{Application, Args, ServerConfig, Target};
use benches::KeepAliveClient;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use session::store::redis::RedisStore;
use session::{DiskStore, MemoryStore, Session, SessionConfig, SessionId, Store};

#[allow(dead_code)]
#[path = "../../session/examples/demo/app.rs"]
mod demo;

// The session tests' helpers: a private redis-server on a free port, stopped on drop.
// (The module allows its own dead code: the bench uses a few of its helpers.)
#[path = "../../session/tests/support/mod.rs"]
mod support;

use support::services::RedisServer;

/// A redis-server for the bench, or `None` (with a `SKIPPED:` line) without one.
fn redis_server() -> Option<RedisServer> {
    RedisServer::start("benches::session (the Redis rows)")
}

/// A TLS-only redis-server for the bench, or `None` (with a `SKIPPED:` line).
fn redis_tls_server() -> Option<RedisServer> {
    RedisServer::start_tls("benches::session (the Redis TLS rows)", &[])
}

/// A record like the demo's after a login and a few todos.
fn record() -> Vec<u8> {
    format!(
        "{{\"accessed_ms\":1700000000000,\"ip\":\"127.0.0.1\",\"data\":{{\"user\":\"ada\",\
         \"todos\":[{todos}],\"flash\":null}}}}",
        todos = (0..8)
            .map(|i| format!("{{\"id\":{i},\"text\":\"write chapter {i}\",\"done\":false}}"))
            .collect::<Vec<_>>()
            .join(",")
    )
    .into_bytes()
}

fn bench_store(c: &mut Criterion, name: &str, store: &dyn Store) {
    let id = SessionId::generate("bench").expect("random generator");
    let record = record();
    store.set(&id, &record).expect("first save");
    let mut group = c.benchmark_group(format!("store/{name}"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("load+save", |b| {
        b.iter(|| {
            let loaded = store.get(&id).expect("load").expect("present");
            assert_eq!(loaded.len(), record.len());
            store.set(&id, black_box(&loaded)).expect("save");
        })
    });
    group.bench_function("load", |b| {
        b.iter(|| {
            let loaded = store.get(&id).expect("load").expect("present");
            assert_eq!(loaded.len(), record.len());
            black_box(loaded);
        })
    });
    group.finish();
}

fn stores(c: &mut Criterion) {
    bench_store(c, "memory", &MemoryStore::new());
    let dir = std::env::temp_dir().join(format!("session-bench-{}", std::process::id()));
    let disk = DiskStore::new(&dir).expect("bench directory");
    bench_store(c, "disk", &disk);
    let _ = std::fs::remove_dir_all(&dir);
    let plain = redis_server();
    if let Some(server) = &plain {
        let redis = RedisStore::open(&server.url("")).expect("a good URL");
        bench_store(c, "redis", &redis);
    }
    let tls = redis_tls_server();
    if let Some(server) = &tls {
        let redis = RedisStore::open(&server.url("")).expect("a good URL");
        bench_store(c, "redis-tls", &redis);
    }
    bench_connect(c, plain.as_ref(), tls.as_ref());
}

/// What the pool pays for one more connection, in the clear and over TLS, with the
/// client the store builds (same crate, same timeouts), closed again at once.
fn bench_connect(c: &mut Criterion, plain: Option<&RedisServer>, tls: Option<&RedisServer>) {
    let timeout = std::time::Duration::from_millis(500);
    let mut clients = Vec::new();
    if let Some(server) = plain {
        clients.push(("redis", redis::Client::open(server.url("")).expect("URL")));
    }
    if let Some(server) = tls {
        let url = format!("rediss://127.0.0.1:{}/0", server.port());
        let certificates = redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(server.certificates().pem(server.certificates().ca())),
        };
        let client = redis::Client::build_with_tls(url, certificates).expect("TLS client");
        clients.push(("redis-tls", client));
    }
    let mut group = c.benchmark_group("connect");
    group.throughput(Throughput::Elements(1));
    for (name, client) in &clients {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut conn = client
                    .get_connection_with_timeout(timeout)
                    .expect("connect");
                let pong: String = redis::cmd("PING").query(&mut conn).expect("PING");
                assert_eq!(pong, "PONG");
            })
        });
    }
    group.finish();
}

/// `/count` changes the session, `/peek` only reads it.
fn counter_app(store: Option<Box<dyn Store>>) -> Application {
    let session = store.map(|store| Session::detached(store, (), SessionConfig::default()));
    let (s1, s2) = (session.clone(), session.clone());
    let mut app = Application::new([
        (
            "/count",
            Target::func(move |_: &Args| {
                let Some(s) = &s1 else { return Ok("0".into()) };
                let n = s.get::<u64>("count")?.unwrap_or(0) + 1;
                s.set("count", &n)?;
                Ok(n.to_string().into())
            }),
        ),
        (
            "/peek",
            Target::func(move |_: &Args| {
                let Some(s) = &s2 else { return Ok("0".into()) };
                Ok(s.get::<u64>("count")?.unwrap_or(0).to_string().into())
            }),
        ),
    ])
    .expect("valid patterns");
    if let Some(session) = &session {
        session.install(&mut app);
    }
    app
}

/// The `Cookie` header of the session a first request to `path` starts.
fn cookie_of(app: &Application, path: &str) -> String {
    let response = app.request(path).send();
    let set_cookie = response.header("Set-Cookie").unwrap_or("");
    set_cookie.split(';').next().unwrap_or("").to_owned()
}

fn requests(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("session-bench-req-{}", std::process::id()));
    let mut stores: Vec<(&str, Option<Box<dyn Store>>)> = vec![
        ("none", None),
        ("memory", Some(Box::new(MemoryStore::new()))),
        (
            "disk",
            Some(Box::new(DiskStore::new(&dir).expect("bench directory"))),
        ),
    ];
    let (plain, tls) = (redis_server(), redis_tls_server());
    for (name, server) in [("redis", &plain), ("redis-tls", &tls)] {
        if let Some(server) = server {
            let redis = RedisStore::open(&server.url("")).expect("a good URL");
            stores.push((name, Some(Box::new(redis))));
        }
    }
    for (name, store) in stores {
        let app = counter_app(store);
        let cookie = cookie_of(&app, "/count");
        let mut group = c.benchmark_group(format!("request/{name}"));
        group.throughput(Throughput::Elements(1));
        for (scenario, path) in [("changed", "/count"), ("unchanged", "/peek")] {
            group.bench_function(scenario, |b| {
                b.iter(|| {
                    let response = app.request(path).header("Cookie", &cookie).send();
                    assert_eq!(response.code(), 200, "{}", response.text());
                    black_box(response);
                })
            });
        }
        group.finish();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `Cookie` header a response sets, and the CSRF token of the page it shows.
fn cookie_and_token(response: &application::Response) -> (String, String) {
    let cookie = response
        .header("Set-Cookie")
        .and_then(|h| h.split(';').next())
        .unwrap_or("")
        .to_owned();
    let token = support::http::csrf_token(&response.text()).unwrap_or_default();
    (cookie, token)
}

fn demo_page(c: &mut Criterion) {
    let app = demo::build(MemoryStore::new()).expect("the demo's routes are valid");
    let (cookie, token) = cookie_and_token(&app.request("/login").send());
    let login = app
        .request("/login")
        .method("POST")
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .data(format!("username=ada&password=lovelace&csrf_token={token}"))
        .send();
    assert_eq!(login.code(), 303);
    let (cookie, _) = cookie_and_token(&login);
    let (_, token) = cookie_and_token(&app.request("/").header("Cookie", &cookie).send());
    for i in 0..8 {
        let added = app
            .request("/todos")
            .method("POST")
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .data(format!("text=write+chapter+{i}&csrf_token={token}"))
            .send();
        assert_eq!(added.code(), 303);
    }
    let mut group = c.benchmark_group("demo");
    group.throughput(Throughput::Elements(1));
    group.bench_function("main_page", |b| {
        b.iter(|| {
            let page = app.request("/").header("Cookie", &cookie).send();
            assert_eq!(page.code(), 200);
            assert!(page.data.len() > 1000);
            black_box(page);
        })
    });

    let server = app
        .start(ServerConfig::new("127.0.0.1:0"))
        .expect("the demo starts");
    let mut client = KeepAliveClient::connect(server.local_addr()).expect("connect to the demo");
    // The demo answers only the hosts it serves (any other gets 400 before a redirect).
    let request = format!("GET / HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\n\r\n");
    group.bench_function("main_page_http", |b| {
        b.iter(|| {
            let (code, body) = client.round_trip(request.as_bytes()).expect("an answer");
            assert_eq!(code, 200);
            assert!(body.len() > 1000);
            black_box(body.len());
        })
    });
    group.finish();
    server.stop();
}

criterion_group!(benches, stores, requests, demo_page);
criterion_main!(benches);
