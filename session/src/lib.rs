//! The top layer: web.py's `Session`.
//!
//! `session` installs itself as a processor of an `Application`: for each request it
//! clears the old data, validates and loads the session id from the cookie, runs the
//! initializer for a new session, sets the cookie, and saves the data through a store.
//! It mirrors the design notes' heading "session"; the book walks it in the chapter
//! "session".
//!
//! This crate is a placeholder until the session issue fills it: it has no types yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
