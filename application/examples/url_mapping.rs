//! URL mapping: patterns, groups as arguments, a mount, a redirect, 404 and 405.
//!
//! Run: `cargo run -p application --example url_mapping`. It needs no server: every
//! request goes through `Application::request`, the in-process client. Watch which target
//! answers each path, what the handler receives as `Args`, and how the mounted blog sees
//! its own `path` while `homepath` carries the prefix.

use application::{ctx, Application, Args, Error, Handler, Method, Outcome, Target};

// ANCHOR: handler
/// `/item/(\d+)(?:/(\w+))?`: the id, then an optional action (None when absent).
#[derive(Default)]
struct Item;

impl Handler for Item {
    const METHODS: &'static [Method] = &[Method::Get, Method::Post];
    fn get(&mut self, args: &Args) -> Outcome {
        Ok(format!("item {:?} action {:?}", args.get(0), args.get(1)).into())
    }
    fn post(&mut self, args: &Args) -> Outcome {
        Ok(format!("posted to item {:?}", args.get(0)).into())
    }
}
// ANCHOR_END: handler

fn blog() -> Result<Application, Error> {
    Application::new([(
        "/(.*)",
        Target::func(|args: &Args| {
            let (path, homepath) = ctx::with(|c| (c.path.clone(), c.homepath.clone()))?;
            Ok(format!(
                "blog post {:?} (path={path}, homepath={homepath})",
                args.get(0)
            )
            .into())
        }),
    )])
}

fn main() -> Result<(), Error> {
    // ANCHOR: mapping
    let app = Application::new([
        ("/", Target::func(|_: &Args| Ok("index".into()))),
        (r"/item/(\d+)(?:/(\w+))?", Target::handler::<Item>()),
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
