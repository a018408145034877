//! Shared helpers for the workspace's criterion benches.
//!
//! The benches themselves live in `benches/benches/`, one file per layer, and the load
//! script (`load.sh`) beside this crate's `Cargo.toml`. This library only holds what
//! several of them share, so a bench reads as the scenario it measures: the client they
//! time round trips with is the test-support crate's, [`KeepAliveClient`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use testkit::KeepAliveClient;
