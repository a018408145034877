//! URL mapping: patterns, groups as arguments, a mount, a redirect, 404 and 405.
//!
//! Run: `cargo run -p application --example url_mapping`. It needs no server: every
//! request goes through `Application::request`, the in-process client. Watch which target
//! answers each path, what the handler receives as `Args`, and how the mounted blog sees
//! its own `path` while `homepath` carries the prefix.

use application::{ctx, Application, Args, Error, Outcome, Target};

// ANCHOR: handler
/// `/item/(\d+)(?:/(\w+))?`, web.py's `class item` with `GET` and `POST`: the id, then an
/// optional action (None when absent).
fn show_item(args: &Args) -> Outcome {
    Ok(format!("item {:?} action {:?}", args.get(0), args.get(1)).into())
}

fn post_item(args: &Args) -> Outcome {
    Ok(format!("posted to item {:?}", args.get(0)).into())
}
// ANCHOR_END: handler

fn blog() -> Result<Application, Error> {
    Application::new([(
        "/(.*)",
        Target::func(|args: &Args| {
            let (path, homepath) = (ctx::path()?, ctx::homepath()?);
            Ok(format!(
                "blog post {:?} (path={path}, homepath={homepath})",
                args.get(0)
            )
            .into())
        }),
    )])
}

fn main() -> Result<(), Error> {
    // Warnings on stderr; RUST_LOG=debug adds each request's trip.
    application::logging::init();
    // ANCHOR: mapping
    let app = Application::new([
        ("/", Target::func(|_: &Args| Ok("index".into()))),
        (
            r"/item/(\d+)(?:/(\w+))?",
            Target::route().get(show_item).post(post_item),
        ),
        ("/old/(.*)", Target::redirect("/item/$1")),
        ("/blog", Target::app(blog()?)),
    ])?;
    // ANCHOR_END: mapping
    let requests = [
        ("GET", "/"),
        ("GET", "/item/7"),
        ("GET", "/item/7/edit"),
        ("POST", "/item/7"),
        ("DELETE", "/item/7"),
        ("GET", "/old/7?x=1"),
        ("GET", "/blog/hello-world"),
        ("GET", "/blogroll"),
        ("GET", "/item/seven"),
    ];
    for (method, path) in requests {
        let r = app.request(path).method(method).send();
        let location = r
            .header("Location")
            .map(|l| format!(" -> {l}"))
            .unwrap_or_default();
        let allow = r
            .header("Allow")
            .map(|a| format!(" (Allow: {a})"))
            .unwrap_or_default();
        println!(
            "{method:6} {path:20} {} {}{location}{allow}",
            r.status,
            r.text()
        );
    }
    Ok(())
}
