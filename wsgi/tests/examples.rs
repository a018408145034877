//! The quick example, run and checked: `middleware_order` (the server examples are
//! covered by `conformance.rs`, which serves the conformance example's app).

#[allow(dead_code)]
#[path = "../examples/middleware_order.rs"]
mod middleware_order;

#[test]
fn middleware_order_example_shows_the_last_middleware_outermost() {
    let (trace, via) = middleware_order::run().expect("the example runs");
    let trimmed: Vec<&str> = trace.iter().map(|l| l.trim()).collect();
    assert_eq!(
        trimmed,
        [
            "c: request in",
            "b: request in",
            "a: request in",
            "app",
            "a: response out",
            "b: response out",
            "c: response out"
        ]
    );
    assert_eq!(via, ["a", "b", "c"]);
}
