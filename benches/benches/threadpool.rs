//! Placeholder until the threadpool benches land.
fn main() {}
