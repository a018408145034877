//! Repository checks that keep the book and the code from drifting apart.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
