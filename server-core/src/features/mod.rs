//! The organiser's features: one module per thing the user keeps, each owning its table,
//! its routes, its request and response types and its SQL. The assistant, the scheduler
//! and MCP call the functions these modules export rather than writing SQL of their own.

pub mod briefing;
pub mod conversations;
pub mod events;
pub mod health;
pub mod memos;
pub mod notifications;
pub mod search;
pub mod settings;
pub mod today;
pub mod todos;

use chrono_tz::Tz;

use crate::bus::Bus;
use crate::infra::db::Db;

/// What the organiser's routes share: the store, the user's time zone (answers are
/// rendered in it) and the bus they announce each change on. Each feature's router is
/// served with any state this can be had from (`OrganiserContext: FromRef<S>`).
#[derive(Clone, Debug)]
pub struct OrganiserContext {
    pub db: Db,
    pub tz: Tz,
    pub bus: Bus,
}
