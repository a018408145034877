//! `RedisStore` over TLS (`rediss://`, feature `redis-tls`) against a TLS-only
//! `redis-server` of the test's own, with certificates `openssl` makes for the test: a
//! session saved over TLS loads back, the demo runs on it, a server the client does not
//! trust is a clear error and a 503 (never a panic, a hang, or plain text), a handshake
//! with a server that does not answer gives up within the timeouts, and mutual TLS
//! presents the client's certificate.
mod support;

use std::time::Duration;

use redis::Commands;
use session::store::redis::RedisStore;
use session::{Error, SessionId, Store};
use support::certificates::query_value;
use support::http::{send, User, COOKIE};
use support::services::{demo_process, RedisServer};

/// Short waits, so a refused handshake answers fast.
const FAST: &str = "?connect_timeout=300ms&command_timeout=300ms";

/// A direct connection to `server` (the `redis` crate's own TLS client, trusting the test
/// CA and presenting the client certificate), for looking inside.
fn admin(server: &RedisServer) -> redis::Connection {
    let certificates = server.certificates();
    let tls = redis::TlsCertificates {
        client_tls: Some(redis::ClientTlsConfig {
            client_cert: certificates.pem(certificates.client_cert()),
            client_key: certificates.pem(certificates.client_key()),
        }),
        root_cert: Some(certificates.pem(certificates.ca())),
    };
    let url = format!("rediss://127.0.0.1:{}/0", server.port());
    server.admin_with(redis::Client::build_with_tls(url, tls).expect("a TLS client"))
}

fn id() -> SessionId {
    SessionId::generate("test").expect("random generator")
}

#[test]
fn a_session_saved_over_tls_loads_back() {
    let Some(server) = RedisServer::start_tls("redis_tls::load_back", &[]) else {
        return;
    };
    let store = RedisStore::open(&server.url("?prefix=tls")).expect("a good URL");
    assert_eq!(
        store.server(),
        format!("redis (TLS) 127.0.0.1:{} db 0", server.port())
    );
    let id = id();
    store
        .set(&id, b"{\"over\":\"tls\"}")
        .expect("a save over TLS");
    assert_eq!(
        store.get(&id).expect("a load over TLS").as_deref(),
        Some(&b"{\"over\":\"tls\"}"[..])
    );
    let raw: Vec<u8> = admin(&server)
        .get(format!("tls:{}", id.as_str()))
        .expect("GET");
    assert_eq!(
        raw, b"{\"over\":\"tls\"}",
        "the record is in the TLS server"
    );

    // The port speaks nothing but TLS: a client in the clear gets no session from it, so
    // the store above really spoke TLS.
    let plain = RedisStore::open(&format!("redis://127.0.0.1:{}/0{FAST}", server.port()))
        .expect("a good URL");
    let err = plain.get(&id).expect_err("plain text to a TLS port");
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
}

#[test]
fn the_demo_keeps_its_sessions_in_redis_over_tls() {
    let Some(server) = RedisServer::start_tls("redis_tls::demo", &[]) else {
        return;
    };
    let (_demo, addr) = demo_process(&["--store", &server.url("")]);
    let mut user = User::new();
    let (_, landed) = user.submit(addr, "/login", "username=ada&password=lovelace");
    assert!(landed.body.contains("ada's list"), "{}", landed.body);
    let (_, landed) = user.submit(addr, "/todos", "text=sent+over+tls");
    assert!(
        landed.body.contains("<span>sent over tls</span>"),
        "{}",
        landed.body
    );
    let id = user.jar.value.clone().expect("logged in");
    let record: String = admin(&server)
        .get(format!("session:{id}"))
        .expect("the session's key in the TLS server");
    assert!(record.contains("sent over tls"), "{record}");
}

#[test]
fn a_server_the_client_does_not_trust_is_a_clear_error_and_a_503() {
    let Some(server) = RedisServer::start_tls("redis_tls::untrusted", &[]) else {
        return;
    };
    let other_ca = server.tls_url(&server.certificates().other_ca(), FAST);
    // Without ca_file: the system's trust store, which has never heard of the test's CA.
    let system_store = format!("rediss://127.0.0.1:{}/0{FAST}", server.port());
    for url in [&other_ca, &system_store] {
        let store = RedisStore::open(url).expect("a good URL");
        let err = store.ping().expect_err("an untrusted server");
        assert!(matches!(err, Error::Unavailable { .. }), "{url}: {err:?}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("redis (TLS) 127.0.0.1:{}", server.port())),
            "{message}"
        );
        assert!(message.contains("invalid peer certificate"), "{message}");
    }

    // The demo on it starts (Redis may come later), and a request that needs the session
    // (a returning user's, to be loaded) gets the 503 page, answered within the HTTP
    // client's socket timeout: no hang.
    let (demo, addr) = demo_process(&["--store", &other_ca]);
    let cookie = format!("{COOKIE}={}", id().as_str());
    let page = send(addr, Some(&cookie), "GET", "/", "");
    assert_eq!(page.code, 503, "{}", page.body);
    assert_eq!(page.header("Retry-After"), Some("5"));
    // The cause is in the demo's log: waited for line by line, a bounded wait.
    let mut log = Vec::new();
    while let Ok(line) = demo.stderr.recv_timeout(Duration::from_secs(5)) {
        let found = line.contains("invalid peer certificate");
        log.push(line);
        if found {
            break;
        }
    }
    assert!(
        log.last()
            .is_some_and(|l| l.contains("invalid peer certificate")),
        "the cause is logged: {log:?}"
    );
}

#[test]
fn mutual_tls_presents_the_client_certificate() {
    let Some(server) = RedisServer::start_tls("redis_tls::mutual", &["--tls-auth-clients", "yes"])
    else {
        return;
    };
    let certificates = server.certificates();
    let without = RedisStore::open(&server.url(FAST)).expect("a good URL");
    let err = without
        .ping()
        .expect_err("no client certificate, no session");
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");

    let identity = format!(
        "?cert_file={}&key_file={}",
        query_value(&certificates.client_cert()),
        query_value(&certificates.client_key())
    );
    let with = RedisStore::open(&server.url(&identity)).expect("a good URL");
    let id = id();
    with.set(&id, b"{}")
        .expect("a save with the client certificate");
    assert_eq!(with.get(&id).expect("load").as_deref(), Some(&b"{}"[..]));
    let shown = format!("{with:?}");
    assert!(!shown.contains("BEGIN"), "no certificate in Debug: {shown}");
}

#[test]
fn a_handshake_with_a_server_that_does_not_answer_is_bounded() {
    let Some(server) = RedisServer::start_tls("redis_tls::paused", &[]) else {
        return;
    };
    // A new store has no connection yet: its first command opens one, and the TLS
    // handshake meets a server that accepts (the kernel does) but never answers.
    let store = RedisStore::open(&server.url(FAST)).expect("a good URL");
    server.pause();
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send((store.ping(), store));
    });
    // Far above the 300 ms timeouts: only a wait without end misses it.
    let outcome = result.recv_timeout(Duration::from_secs(10));
    server.resume();
    let (answer, store) = outcome.expect("the handshake with a paused server gives up");
    let err = answer.expect_err("a paused server does not answer");
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");

    // Once the server answers again, so does the same store: no restart.
    store.ping().expect("the server answers again");
}
