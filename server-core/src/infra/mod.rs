//! The plumbing: the store, the error type, the extractors, the transport layers, the
//! configuration, time and secrets. Nothing here knows a feature by name, except the
//! TypeScript export, which names the types the UI imports.

pub mod clock;
pub mod config;
pub mod db;
pub mod desktop;
pub mod error;
pub mod extract;
pub mod pagination;
pub mod process;
pub mod recurrence;
pub mod secrets;
pub mod time;
pub(crate) mod transport;
pub mod typescript;
pub mod web_ui;
