//! The scheduler: reminders that fire once, the overdue checker, the daily briefing,
//! calendar files and push delivery.
//!
//! - [`engine`]: the loop that sleeps until the next due reminder and fires it.
//! - [`claim`]: every firing is claimed in the store under an idempotency key, so nothing
//!   fires twice, then delivered.
//! - [`clock`]: where the engine reads the time ([`SystemClock`], or a [`ManualClock`]).
//! - [`notifier`]: the [`Notifier`] trait every delivery path implements; [`BusNotifier`]
//!   reaches every WebSocket and Socket.IO connection.
//! - [`push`]: Expo push ([`ExpoPush`]).
//! - [`briefing`]: the daily briefing job on `tokio-cron-scheduler`, following the
//!   settings; [`crate::brain::briefing`] composes it.
//! - [`overdue`]: the overdue sweep, every minute on `tokio-cron-scheduler`.
//! - [`jobs`]: the periodic jobs on cron schedules (`tokio-cron-scheduler`), each run
//!   recorded so a restart neither repeats nor skips one; [`cleanup`] is the nightly one.
//! - [`ics`]: `.ics` export and import.
//! - `/api/notifications` (the fired notifications) is served by the `notifications` module.

pub use crate::clock;
pub mod briefing;
pub mod claim;
pub mod cleanup;
pub mod engine;
pub mod ics;
pub mod jobs;
pub mod notifier;
pub mod overdue;
pub mod push;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use briefing::BriefingAt;
pub use clock::{Clock, ManualClock, SystemClock};
pub use engine::{Scheduler, SchedulerConfig, SchedulerHandle, parse_briefing_time};
pub use notifier::{BusNotifier, Notification, Notifier};
pub use push::ExpoPush;

use crate::state::AppState;

/// The scheduler's routes (all need a token).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ics::export_events)).routes(routes!(ics::import_events))
}
