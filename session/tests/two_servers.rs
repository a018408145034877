//! Two demo servers, each a process of its own, sharing one Redis: one set of sessions.
mod support;

use std::time::{Duration, Instant};

use support::http::User;
use support::services::{
    demo_process, free_port, missing, on_path, unread_connections, RedisServer,
};

#[test]
fn log_in_on_one_server_log_out_on_the_other() {
    let Some(redis) = RedisServer::start("two_servers::log_in_log_out") else {
        return;
    };
    let url = redis.url("");
    let (_first, first) = demo_process(&["--store", &url]);
    let (_second, second) = demo_process(&["--store", &url]);
    let mut user = User::new();

    let (_, landed) = user.submit(first, "/login", "username=ada&password=lovelace");
    assert!(landed.body.contains("ada's list"), "{}", landed.body);
    user.submit(first, "/todos", "text=added+on+the+first");

    let on_second = user.get(second, "/");
    assert_eq!(on_second.code, 200, "recognized by the second server");
    assert!(on_second.body.contains("ada's list"), "{}", on_second.body);
    assert!(
        on_second.body.contains("<span>added on the first</span>"),
        "{}",
        on_second.body
    );

    // The second server's page carries the same token: the form works on either.
    let logged_in = user.jar.header().expect("logged in");
    let (out, _) = user.submit(second, "/logout", "");
    assert!(out.set_cookies().iter().any(|c| c.contains("Max-Age=0")));

    // The first server no longer knows the session, not even for a client that kept the
    // old cookie.
    assert_eq!(
        user.get(first, "/").code,
        303,
        "logged out on the first too"
    );
    let replayed = support::http::send(first, Some(&logged_in), "GET", "/", "");
    assert_eq!(replayed.code, 303, "the old cookie names nothing any more");
}

#[test]
fn two_servers_saving_one_session_at_once_last_writer_wins() {
    let Some(redis) = RedisServer::start("two_servers::last_writer_wins") else {
        return;
    };
    // Long command timeouts: the servers must wait out the pause below.
    let url = redis.url("?command_timeout=20s");
    let (_a, a) = demo_process(&["--store", &url]);
    let (_b, b) = demo_process(&["--store", &url]);
    let mut user = User::new();
    user.submit(a, "/login", "username=ada&password=lovelace");
    user.submit(a, "/todos", "text=before");
    user.get(a, "/");
    let (jar, token) = (user.jar.header().expect("logged in"), user.token.clone());

    // ANCHOR: last_writer_wins
    // Redis stops reading; each server receives a POST and sends its GET of the session,
    // which waits in Redis's socket. Once both are waiting, Redis goes on: it answers both
    // GETs before either server can send its SET (each SET needs its GET's answer), so
    // both servers change the same old list.
    redis.pause();
    let post = |addr, text: &'static str| {
        let (jar, token) = (jar.clone(), token.clone().unwrap_or_default());
        std::thread::spawn(move || {
            let form = format!("text={text}&csrf_token={token}");
            support::http::send(addr, Some(&jar), "POST", "/todos", &form).code
        })
    };
    let (to_a, to_b) = (post(a, "from-a"), post(b, "from-b"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while unread_connections(redis.port()) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let waiting = unread_connections(redis.port());
    redis.resume();
    assert_eq!(waiting, 2, "both servers' reads reached the paused Redis");
    assert_eq!(to_a.join().expect("thread"), 303);
    assert_eq!(to_b.join().expect("thread"), 303);

    let page = user.get(b, "/").body;
    let (has_a, has_b) = (page.contains("from-a"), page.contains("from-b"));
    assert!(page.contains("<span>before</span>"), "{page}");
    assert!(
        has_a != has_b,
        "exactly one of the two saves survives, whole: {page}"
    );
    // ANCHOR_END: last_writer_wins
}

#[test]
fn the_two_servers_script_walks_through_its_check() {
    if !on_path("curl") {
        missing(
            "curl",
            "two_servers::the_two_servers_script_walks_through_its_check",
        );
        return;
    }
    let Some(redis) = RedisServer::start("two_servers::script") else {
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/two_servers.sh");
    let output = std::process::Command::new("bash")
        .args([script, "--check", &redis.url("")])
        .env("DEMO", testkit::example("demo"))
        .env("PORT1", free_port().to_string())
        .env("PORT2", free_port().to_string())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("one set of sessions for both servers."),
        "{stdout}"
    );
    assert_eq!(stdout.matches("  ok: ").count(), 6, "{stdout}");
}
