//! ClawChat's desktop shell: the embedded server in a window.
//!
//! The shell's logic sits in small modules that call the backend (`clawchat_server`),
//! which knows nothing of the window: [`server`] opens the store and serves it on
//! loopback, [`session`] hands the window its address and a token, [`host`] runs the
//! host tools natively within [`paths`]' rules, [`secrets`] keeps the token secret in
//! the OS keychain (or a private file), [`notify`] turns the bus's notifications into
//! native ones, and [`shell`] wires it all into Tauri.

pub mod host;
pub mod notify;
pub mod paths;
pub mod secrets;
pub mod server;
pub mod session;
pub mod shell;
