//! The top layer: web.py's `Session`.
//!
//! `session` installs itself as a processor of an `application::Application`: for each
//! request it clears the old data, validates and loads the session id from the cookie,
//! runs the initializer for a new session, saves the data through a store, and then sets
//! the cookie. It receives the request from the application's processor chain and hands the
//! handler's result back up it. It mirrors the design notes' heading "session"; the book
//! walks it in the chapter "session".
//!
//! The main types:
//! - [`Session`]: the handle handlers use (`get`, `set`, `remove`, `kill`,
//!   `regenerate_id`), and the processor; [`current`] gives a handler the request's;
//! - [`Store`], with [`DiskStore`] (one file per session) and [`MemoryStore`]; with the
//!   `redis` feature, `store::redis::RedisStore`, sessions shared by several servers,
//!   configured by one URL (`redis://:password@host:6379/0?prefix=app&ttl=1d`), and with
//!   the `redis-tls` feature over TLS (`rediss://host:6380/0?ca_file=/etc/redis/ca.pem`);
//! - [`SessionConfig`]: web.py's `session_parameters`;
//! - [`SessionId`]: an id known to be well formed.
//!
//! A visit counter, web.py's session example:
//!
//! ```
//! use application::{Application, Args, Target};
//! use session::{MemoryStore, Session, SessionConfig};
//!
//! let session = Session::detached(MemoryStore::new(), serde_json::json!({"count": 0}), SessionConfig::default());
//! let s = session.clone();
//! let mut app = Application::new([(
//!     "/",
//!     Target::func(move |_: &Args| {
//!         let count = s.get::<u64>("count")?.unwrap_or(0) + 1;
//!         s.set("count", &count)?;
//!         Ok(format!("visit {count}").into())
//!     }),
//! )])?;
//! session.install(&mut app);
//!
//! let first = app.request("/").send();
//! let cookie = first.header("Set-Cookie").and_then(|c| c.split(';').next()).unwrap_or("");
//! let second = app.request("/").header("Cookie", cookie).send();
//! assert_eq!((first.text(), second.text()), ("visit 1".into(), "visit 2".into()));
//! # Ok::<(), application::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod config;
mod csrf;
mod data;
mod error;
mod id;
mod initializer;
mod process;
mod record;
mod session;
mod state;
pub mod store;

pub use clock::{Clock, ManualTime};
pub use config::{SameSite, SessionConfig};
pub use error::{Error, Result};
pub use id::{SessionId, ID_LEN, MAX_ID_LEN};
pub use initializer::Initializer;
pub use process::current;
pub use record::Data;
pub use session::Session;
pub use store::disk::{DiskStore, DEFAULT_MAX_SESSIONS};
pub use store::memory::MemoryStore;
pub use store::Store;
