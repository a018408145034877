//! The framework layer: web.py's `Application`.
//!
//! `application` receives the environ and `start_response` from `wsgi`, clears and sets
//! the thread-local `ctx`, runs the processors around the handler the URL mapping
//! chooses, and hands the status, headers and body back to `wsgi`. It mirrors the design
//! notes' heading "application"; the book walks it in the chapter "application".
//!
//! This crate is a placeholder until the application issue fills it: it has no types yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
