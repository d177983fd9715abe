//! The plumbing: the store, the error type, the extractors, the transport layers, the
//! state, configuration, time and secrets. Nothing here knows a feature by name, except
//! the two lists of everything: [`state::AppState`], which holds each part, and the
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
pub mod state;
pub mod time;
pub(crate) mod transport;
pub mod typescript;
pub mod web_ui;
