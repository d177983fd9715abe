//! The organiser's features: one module per thing the user keeps, each owning its table,
//! its routes, its request and response types and its SQL. The assistant, the scheduler
//! and MCP call the functions these modules export rather than writing SQL of their own.

pub mod conversations;
pub mod devices;
pub mod events;
pub mod health;
pub mod memos;
pub mod notifications;
pub mod search;
pub mod settings;
pub mod today;
pub mod todos;
