//! Placeholder: the `httpserver_parse` benches are written with their layer's issue.
fn main() {}
