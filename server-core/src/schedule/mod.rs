//! The scheduler: reminders that fire once, the overdue checker, the notices that come
//! once a day (the daily briefing, handed in by the crate root) and push delivery.
//! Calendar files (`.ics`) are the events' own, in [`crate::features::events::ics`].
//!
//! - [`engine`]: the loop that sleeps until the next due reminder and fires it.
//! - [`claim`]: every firing is claimed in the store under an idempotency key, so nothing
//!   fires twice, then delivered.
//! - [`clock`]: where the engine reads the time ([`SystemClock`], or a [`ManualClock`]).
//! - [`notifier`]: the [`Notifier`] trait every delivery path implements; [`BusNotifier`]
//!   reaches every WebSocket and Socket.IO connection.
//! - [`push`]: Expo push ([`ExpoPush`]).
//! - [`daily`]: notices that come once a day at a local time that may change
//!   ([`DailyNotice`]; the briefing, at `BRIEFING_TIME`, is one), each a job on
//!   `tokio-cron-scheduler`.
//! - [`overdue`]: the overdue sweep, every minute on `tokio-cron-scheduler`.
//! - [`jobs`]: the periodic jobs on cron schedules (`tokio-cron-scheduler`), each run
//!   recorded so a restart neither repeats nor skips one; [`cleanup`] is the nightly one.
//! - `/api/notifications` (the fired notifications) is served by the `notifications` module.

pub use crate::infra::clock;
pub mod claim;
pub mod cleanup;
pub mod daily;
pub mod engine;
pub mod jobs;
pub mod notifier;
pub mod overdue;
pub mod push;
pub mod state;

pub use clock::{Clock, ManualClock, SystemClock};
pub use daily::{DailyAt, DailyNotice, Written};
pub use engine::{Scheduler, SchedulerConfig, SchedulerHandle};
pub use notifier::{BusNotifier, Notification, Notifier};
pub use push::ExpoPush;
