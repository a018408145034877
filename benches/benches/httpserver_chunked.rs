//! Placeholder: the `httpserver_chunked` benches are written with their layer's issue.
fn main() {}
