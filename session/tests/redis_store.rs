//! `RedisStore` against a real `redis-server` of the test's own: keys, TTL, the record's
//! form, connection reuse, URL configuration.
mod support;

use std::sync::Arc;
use std::time::Duration;

use application::{Application, Args, Target};
use redis::Commands;
use session::store::redis::RedisStore;
use session::{DiskStore, Error, Session, SessionConfig, SessionId, Store};
use support::services::RedisServer;
use support::{session_cookie, Scratch};

fn id() -> SessionId {
    SessionId::generate("test").expect("random generator")
}

#[test]
fn a_record_is_one_key_under_the_prefix_with_the_ttl_as_expiry() {
    let Some(server) = RedisServer::start("redis_store::key_and_ttl") else {
        return;
    };
    let store = RedisStore::open(&server.url("?prefix=app1&ttl=1h")).expect("a good URL");
    let mut admin = server.admin();
    let id = id();
    assert!(!store.contains(&id).expect("contains"));
    assert_eq!(store.get(&id).expect("get"), None);

    store.set(&id, b"{\"x\":1}").expect("set");
    let key = format!("app1:{}", id.as_str());
    assert_eq!(store.key(&id), key);
    let raw: Vec<u8> = admin.get(&key).expect("GET");
    assert_eq!(raw, b"{\"x\":1}");
    let ttl: i64 = admin.ttl(&key).expect("TTL");
    assert!((3590..=3600).contains(&ttl), "TTL {ttl}");
    assert!(store.contains(&id).expect("contains"));
    assert_eq!(
        store.get(&id).expect("get").as_deref(),
        Some(&b"{\"x\":1}"[..])
    );

    // A save restarts the clock.
    let _: () = admin.expire(&key, 5).expect("EXPIRE");
    store.set(&id, b"{\"x\":2}").expect("set again");
    let ttl: i64 = admin.ttl(&key).expect("TTL");
    assert!(ttl > 3000, "the save refreshed the TTL: {ttl}");

    store.delete(&id).expect("delete");
    assert!(!admin.exists::<_, bool>(&key).expect("EXISTS"));
    store
        .delete(&id)
        .expect("deleting a missing session is not an error");
    assert_eq!(
        store.cleanup(Duration::ZERO).expect("cleanup"),
        0,
        "Redis expires keys itself"
    );
}

#[test]
fn an_expired_key_is_gone_without_a_cleanup() {
    let Some(server) = RedisServer::start("redis_store::expiry") else {
        return;
    };
    let store = RedisStore::open(&server.url("?ttl=1s")).expect("a good URL");
    let id = id();
    store.set(&id, b"{}").expect("set");
    assert!(store.contains(&id).expect("contains"));
    // Redis expires keys with a resolution of a millisecond; 1.5 s is past a 1 s TTL.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(store.get(&id).expect("get"), None);
}

/// `/count` adds one to a counter in the session; `/logout` kills it.
fn counter_app(store: impl Store + 'static) -> Application {
    let session = Session::detached(store, (), SessionConfig::default());
    let (s1, s2) = (session.clone(), session.clone());
    let mut app = Application::new([
        (
            "/count",
            Target::func(move |_: &Args| {
                let n = s1.get::<u64>("count")?.unwrap_or(0) + 1;
                s1.set("count", &n)?;
                Ok(n.to_string().into())
            }),
        ),
        (
            "/logout",
            Target::func(move |_: &Args| {
                s2.kill()?;
                Ok("bye".into())
            }),
        ),
    ])
    .expect("valid patterns");
    session.install(&mut app);
    app
}

fn cookie(response: &application::Response) -> String {
    let id = session_cookie(&response.header_all("Set-Cookie"), "webpy_session_id")
        .expect("a session cookie")
        .to_owned();
    format!("webpy_session_id={id}")
}

#[test]
fn the_record_has_the_same_form_as_in_the_disk_store() {
    let Some(server) = RedisServer::start("redis_store::same_form") else {
        return;
    };
    let dir = Scratch::new("same-form");
    let on_redis = counter_app(RedisStore::open(&server.url("")).expect("a good URL"));
    let on_disk = counter_app(DiskStore::new(dir.path()).expect("scratch directory"));

    let r = on_redis.request("/count").send();
    let d = on_disk.request("/count").send();
    let r_id = cookie(&r)
        .trim_start_matches("webpy_session_id=")
        .to_owned();
    let d_id = cookie(&d)
        .trim_start_matches("webpy_session_id=")
        .to_owned();
    let in_redis: Vec<u8> = server.admin().get(format!("session:{r_id}")).expect("GET");
    let on_file = std::fs::read(dir.path().join(d_id)).expect("the session file");
    let parse = |b: &[u8]| -> serde_json::Value { serde_json::from_slice(b).expect("JSON") };
    let (mut a, mut b) = (parse(&in_redis), parse(&on_file));
    for v in [&mut a, &mut b] {
        v.as_object_mut().expect("an object").remove("accessed_ms");
    }
    assert_eq!(a, b, "same record, apart from the time");
    assert_eq!(a["data"]["count"], 1);
}

#[test]
fn a_session_lives_in_redis_and_kill_deletes_its_key() {
    let Some(server) = RedisServer::start("redis_store::session_and_kill") else {
        return;
    };
    let app = counter_app(RedisStore::open(&server.url("")).expect("a good URL"));
    let first = app.request("/count").send();
    let cookie = cookie(&first);
    let key = format!("session:{}", cookie.trim_start_matches("webpy_session_id="));
    let second = app.request("/count").header("Cookie", &cookie).send();
    assert_eq!(second.text(), "2");
    let mut admin = server.admin();
    assert!(admin.exists::<_, bool>(&key).expect("EXISTS"));

    let out = app.request("/logout").header("Cookie", &cookie).send();
    assert_eq!(out.code(), 200);
    assert!(
        !admin.exists::<_, bool>(&key).expect("EXISTS"),
        "kill is DEL"
    );
    assert_eq!(
        app.request("/count")
            .header("Cookie", &cookie)
            .send()
            .text(),
        "1"
    );
}

#[test]
fn connections_are_reused_across_requests_and_threads() {
    let Some(server) = RedisServer::start("redis_store::reuse") else {
        return;
    };
    let store = Arc::new(RedisStore::open(&server.url("?pool_size=4")).expect("a good URL"));
    let app = Arc::new(counter_app(Arc::clone(&store)));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let app = Arc::clone(&app);
            std::thread::spawn(move || {
                let first = app.request("/count").send();
                let cookie = cookie(&first);
                for n in 2..=25 {
                    let r = app.request("/count").header("Cookie", &cookie).send();
                    assert_eq!(r.text(), n.to_string());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no request panicked");
    }
    // 8 threads × 25 requests, several commands each: every one over the pool's 4
    // connections at most (plus this admin connection).
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query(&mut server.admin())
        .expect("INFO");
    let opened: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("total_connections_received:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("total_connections_received in INFO");
    // The admin connection above and the readiness probe count too.
    assert!(opened <= 4 + 2, "{opened} connections for 200 requests");
}

#[test]
fn the_url_carries_password_and_database() {
    let Some(server) =
        RedisServer::start_with("redis_store::password_and_db", &["--requirepass", "s3cret"])
    else {
        return;
    };
    let port = server.port();
    let good = RedisStore::open(&format!("redis://:s3cret@127.0.0.1:{port}/3")).expect("URL");
    good.ping().expect("the password is accepted");
    let id = id();
    good.set(&id, b"{}").expect("set");
    let client = redis::Client::open(format!("redis://:s3cret@127.0.0.1:{port}/3")).expect("URL");
    let mut conn = client.get_connection().expect("connect");
    assert!(conn
        .exists::<_, bool>(format!("session:{}", id.as_str()))
        .expect("EXISTS"));

    let wrong = RedisStore::open(&format!("redis://:wrong@127.0.0.1:{port}/3")).expect("URL");
    let err = wrong.get(&id).expect_err("a wrong password is refused");
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("redis 127.0.0.1:{port} db 3")),
        "{message}"
    );
    assert!(message.contains("load of session"), "{message}");
    assert!(!message.contains("wrong"), "no password in {message}");
    assert!(!message.contains(id.as_str()), "no whole id in {message}");
}
