//! Placeholder: the `httpserver_e2e` benches are written with their layer's issue.
fn main() {}
