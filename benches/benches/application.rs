//! Placeholder: the `application` benches are written with their layer's issue.
fn main() {}
