//! Placeholder: the `wsgi` benches are written with their layer's issue.
fn main() {}
