//! Streaming bodies and the close hook that always runs.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use wsgi::{call_in_process, AppError, Body, Environ, StartResponse, WsgiError};

fn counter() -> (Arc<AtomicUsize>, impl FnOnce() + Send + 'static) {
    let count = Arc::new(AtomicUsize::new(0));
    let hook_count = Arc::clone(&count);
    (count, move || {
        hook_count.fetch_add(1, Ordering::SeqCst);
    })
}

#[test]
fn chunks_arrive_one_at_a_time_in_order() {
    let mut body = Body::from_chunks((0..3).map(|i| format!("chunk{i}").into_bytes()));
    assert_eq!(body.next().map(|c| c.ok()), Some(Some(b"chunk0".to_vec())));
    assert_eq!(body.next().map(|c| c.ok()), Some(Some(b"chunk1".to_vec())));
    assert_eq!(body.next().map(|c| c.ok()), Some(Some(b"chunk2".to_vec())));
    assert!(body.next().is_none());
}

#[test]
fn a_lazy_body_is_not_produced_ahead_of_time() {
    let produced = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&produced);
    let mut body = Body::from_chunks((0..100).map(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        b"x".to_vec()
    }));
    assert_eq!(produced.load(Ordering::SeqCst), 0);
    body.next();
    assert_eq!(produced.load(Ordering::SeqCst), 1);
}

#[test]
fn close_runs_the_hooks_once_in_order() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let (first, second) = (Arc::clone(&order), Arc::clone(&order));
    let mut body = Body::from_bytes("x")
        .on_close(move || first.lock().expect("lock").push("inner"))
        .on_close(move || second.lock().expect("lock").push("outer"));
    body.close().expect("no panic");
    body.close().expect("second close is a no-op");
    drop(body);
    assert_eq!(*order.lock().expect("lock"), vec!["inner", "outer"]);
}

#[test]
fn close_hook_runs_when_the_body_is_dropped_unread() {
    let (count, hook) = counter();
    drop(Body::from_chunks(vec![b"never read".to_vec()]).on_close(hook));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn close_hook_runs_after_a_chunk_error() {
    let (count, hook) = counter();
    let hook = Arc::new(Mutex::new(Some(hook)));
    let app = move |_: &mut Environ, sr: &mut StartResponse<'_>| -> Result<Body, AppError> {
        sr.start_response("200 OK", [("A", "1")])?;
        let hook = hook.lock().expect("lock").take();
        let chunks: Vec<Result<Vec<u8>, AppError>> =
            vec![Ok(b"one".to_vec()), Err("disk on fire".into())];
        let body = Body::from_results(chunks);
        Ok(match hook {
            Some(hook) => body.on_close(hook),
            None => body,
        })
    };
    let result = call_in_process(&app, &mut Environ::new());
    assert!(matches!(result, Err(WsgiError::App(_))));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn close_hook_runs_when_a_chunk_panics() {
    let (count, hook) = counter();
    let body = Body::from_chunks((0..2).map(|i| {
        if i == 1 {
            panic!("mid-stream panic (expected by the test)");
        }
        b"ok".to_vec()
    }))
    .on_close(hook);
    let unwound = catch_unwind(AssertUnwindSafe(move || body.collect_bytes()));
    assert!(unwound.is_err());
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn a_panicking_hook_does_not_stop_the_others() {
    let (count, hook) = counter();
    let mut body = Body::empty()
        .on_close(|| panic!("hook panic (expected by the test)"))
        .on_close(hook);
    assert!(matches!(
        body.close(),
        Err(WsgiError::CloseHookPanicked { hooks: 1 })
    ));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn map_stream_keeps_the_hooks() {
    let (count, hook) = counter();
    let body = Body::from_chunks(vec![b"ab".to_vec(), b"cd".to_vec()])
        .on_close(hook)
        .map_stream(|chunks| chunks.map(|c| c.map(|b| b.to_ascii_uppercase())));
    assert_eq!(body.collect_bytes().expect("no error"), b"ABCD");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn a_closed_body_yields_nothing_more() {
    let mut body = Body::from_chunks(vec![b"a".to_vec(), b"b".to_vec()]);
    body.next();
    body.close().expect("no panic");
    assert!(body.next().is_none());
    assert!(body.is_closed());
}

/// A chunk stream whose own `Drop` panics (a buggy resource guard inside it).
struct PanicsOnDrop;

impl Iterator for PanicsOnDrop {
    type Item = Result<Vec<u8>, AppError>;
    fn next(&mut self) -> Option<Self::Item> {
        None
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("the stream's Drop panics (expected by the test)");
    }
}

#[test]
fn close_hooks_run_even_if_dropping_the_stream_panics() {
    let (count, hook) = counter();
    let mut body = Body::from_results(PanicsOnDrop).on_close(hook);
    let closed = catch_unwind(AssertUnwindSafe(|| body.close()));
    assert!(
        matches!(closed, Ok(Err(WsgiError::CloseHookPanicked { .. }))),
        "{closed:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
