//! Placeholder: the `session` benches are written with their layer's issue.
fn main() {}
