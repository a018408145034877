//! The full-stack demo: a todo list behind a login, with every layer of the workspace at work.
//!
//! Run: `cargo run -p session --example demo`, open <http://127.0.0.1:8080/> and log in as
//! `ada` / `lovelace`. Pass `9000` (a port), `0.0.0.0` or `IP:PORT` to listen elsewhere.
//!
//! What to watch: the access log on standard error, one line per request; the session
//! files in the system's temporary directory under `webpy-rs-demo-sessions/` (one per
//! session, rewritten only when the session changes); and, in the browser's tools, the
//! `webpy_session_id` cookie taking a new value at login and being expired at logout.
//! Ctrl-C stops the server gracefully.
// The application lives beside this file so the tests and benches can include it too.
#[path = "demo/app.rs"]
mod app;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join("webpy-rs-demo-sessions");
    let store = session::DiskStore::new(&dir)?;
    // DiskStore leaves an existing directory's mode alone; this one is the demo's own, and
    // an earlier version made it world-readable (its file names are live session ids).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    eprintln!("sessions are kept in {}", dir.display());
    let app = app::build(store)?;
    app.run([])?;
    Ok(())
}
