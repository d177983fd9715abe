//! ClawChat's desktop shell: the embedded server in a window.
//!
//! The shell's logic sits in small modules that call the backend (`clawchat_server`),
//! which knows nothing of the window: [`server`] opens the store and serves it on
//! loopback, [`session`] hands the window its address and a token, [`host`] runs the
//! host tools natively within [`paths`]' rules, [`secrets`] keeps the token secret in
//! the OS keychain (or a private file), [`notify`] turns the bus's notifications into
//! native ones, [`autostart`] starts the app at login, [`quick_add`] and [`shortcut`] give
//! quick add a window and a key of its own, [`links`] follows `clawchat://` links,
//! [`updates`] fetches signed updates and backs the data up before installing one,
//! [`desktop`] is what the server reaches of all this, and [`shell`] wires it all into
//! Tauri.

pub mod autostart;
pub mod desktop;
pub mod host;
pub mod links;
pub mod notify;
pub mod paths;
pub mod quick_add;
pub mod secrets;
pub mod server;
pub mod session;
pub mod shell;
pub mod shortcut;
pub mod updates;
