//! Which host a request is for: web.py's `ctx.home` from `Host`, and what is added
//! where that was unsafe (allowed hosts, a configured home, the server's own address).

mod support;

use application::web;
use application::{ctx, Application, Args, Error, Next, Target};

fn see_login() -> Application {
    Application::new([
        (
            "/see",
            Target::func(|_: &Args| Err(web::seeother("/login"))),
        ),
        ("/home", Target::func(|_: &Args| Ok(ctx::home()?.into()))),
    ])
    .unwrap()
}

#[test]
fn redirects_are_built_from_the_clients_host_as_web_py_did_when_nothing_is_configured() {
    // web.py 0.76: Host evil.example gives Location http://evil.example/login.
    let app = see_login();
    let r = app.request("/see").host("evil.example").send();
    assert_eq!(r.header("Location"), Some("http://evil.example/login"));
}

#[test]
fn an_empty_host_falls_back_to_the_servers_address_never_an_empty_authority() {
    // web.py 0.76 answered `Host:` (empty) with `Location: http:///login`, which a
    // browser reads as the host `login`.
    let app = see_login();
    let r = app.request("/see").host("").send();
    assert_eq!(r.header("Location"), Some("http://localhost/login"));
    let r = app
        .request("/home")
        .host(" ")
        .env("SERVER_NAME", "::1")
        .env("SERVER_PORT", "8080")
        .send();
    assert_eq!(r.text(), "http://[::1]:8080");
}

#[test]
fn http_1_0_without_host_falls_back_to_the_address_the_server_answered_on() {
    // web.py 0.76 said `http://[unknown]/login`.
    let server = support::Server::start(&see_login());
    let response = server.exchange(b"GET /see HTTP/1.0\r\n\r\n");
    let want = format!("Location: http://{}/login\r\n", server.addr());
    assert!(response.contains(&want), "{response}");
}

#[test]
fn a_host_not_in_the_allowed_hosts_is_400_before_any_processor_runs() {
    let mut app = see_login();
    app.set_allowed_hosts(["example.com", ".example.org"]);
    app.add_processor(|next: Next<'_>| {
        web::header("X-Processor", "ran")?;
        next.run()
    });
    let ok = app.request("/see").host("EXAMPLE.com:8080").send();
    assert_eq!(ok.header("Location"), Some("http://EXAMPLE.com:8080/login"));
    assert_eq!(
        app.request("/see").host("www.example.org").send().code(),
        303
    );
    for host in ["evil.example", "", "example.com.evil.example"] {
        let r = app.request("/see").host(host).send();
        assert_eq!(r.status, "400 Bad Request", "{host:?}");
        assert_eq!(r.header("X-Processor"), None, "{host:?}");
        assert_eq!(r.header("Location"), None, "{host:?}");
    }
}

#[test]
fn a_configured_home_is_what_redirects_use_whatever_host_the_client_sent() {
    let mut app = see_login();
    app.set_home("https://shop.example").unwrap();
    let sub = Application::new([("/app", Target::app(app.clone()))]).unwrap();
    let r = app.request("/see").host("evil.example").send();
    assert_eq!(r.header("Location"), Some("https://shop.example/login"));
    let r = app
        .request("/see")
        .env("SCRIPT_NAME", "/shop")
        .host("")
        .send();
    assert_eq!(
        r.header("Location"),
        Some("https://shop.example/shop/login")
    );
    // The root application's setting counts; the mounted copy's own is not used.
    let r = sub.request("/app/see").host("evil.example").send();
    assert_eq!(r.header("Location"), Some("http://evil.example/app/login"));
}

#[test]
fn set_home_refuses_anything_but_a_scheme_and_a_host() {
    let mut app = see_login();
    for bad in ["shop.example", "https://shop.example/path", "javascript:x"] {
        assert!(matches!(app.set_home(bad), Err(Error::BadHome(_))), "{bad}");
    }
}
