//! The reminder engine: one loop that keeps the next due instant from the store, sleeps
//! until then (or until todos or events change, or `REMINDER_CHECK_INTERVAL` passes), and
//! fires the reminders that fell due since the last pass.
//!
//! Exactly once: every firing is claimed by inserting its notification under a unique key
//! (kind, item, occurrence; [`super::claim`]). Only the engine whose insert went in
//! delivers it, so a restart, an overlapping window or a second server process on the same
//! file can never fire anything twice. The instant up to which everything was claimed is
//! stored (`checked_until`), so what fell due while the app was closed is fired, marked
//! late, on the next start.
//!
//! A running engine also runs the jobs that deliver notifications on the cron scheduler
//! ([`super::jobs`]): the daily notices it was handed ([`Scheduler::with_daily`], the
//! briefing) and the overdue sweep.

use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use tokio::sync::{broadcast, watch};

use super::claim::Due;
use super::clock::Clock;
use super::daily::Daily;
use super::notifier::Notifier;
use crate::bus::Module;
use crate::bus::{Bus, ServerEvent};
use crate::features::events::ReminderSeries;
use crate::infra::db::Db;
use crate::infra::error::Result;
use crate::infra::recurrence;
use crate::infra::time::from_ms;

/// A firing more than this after its time is marked late.
pub const LATE_AFTER_MS: i64 = 60_000;
/// After a long stop, reminders and overdue notices from at most this far back are still
/// delivered.
pub const CATCH_UP_MS: i64 = 7 * crate::infra::time::DAY_MS;
/// How far ahead a repeating event's next reminder is looked for.
const SERIES_HORIZON_MS: i64 = 400 * crate::infra::time::DAY_MS;

/// What the engine needs to know besides the store.
#[derive(Clone)]
pub struct SchedulerConfig {
    pub tz: Tz,
    /// Upper bound on how long the engine sleeps without looking at the store.
    pub check_interval: Duration,
}

/// The engine. Cheap to clone; [`Scheduler::spawn`] runs its loop.
#[derive(Clone)]
pub struct Scheduler {
    pub(super) inner: Arc<Inner>,
    /// The notices that come once a day ([`super::daily`]).
    pub(super) daily: Vec<Daily>,
}

pub(super) struct Inner {
    pub(super) db: Db,
    pub(super) bus: Bus,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) notifiers: Vec<Arc<dyn Notifier>>,
    pub(super) config: SchedulerConfig,
    /// The `now` of the last finished pass.
    passes: watch::Sender<i64>,
    /// The `now` of the last overdue sweep ([`super::overdue`]).
    pub(super) sweeps: watch::Sender<i64>,
}

/// A running engine: wait on its passes, or stop it.
pub struct SchedulerHandle {
    stop: watch::Sender<bool>,
    passes: watch::Receiver<i64>,
    sweeps: watch::Receiver<i64>,
    task: tokio::task::JoinHandle<()>,
    jobs: tokio::task::JoinHandle<()>,
}

impl SchedulerHandle {
    /// Waits until a pass with `now >= at_ms` has finished, and the overdue sweep of the
    /// minute `at_ms` falls in.
    pub async fn passed(&mut self, at_ms: i64) {
        let _ = self.passes.wait_for(|now| *now >= at_ms).await;
        let minute = super::overdue::minute_of(at_ms);
        let _ = self.sweeps.wait_for(|now| *now >= minute).await;
    }

    /// Stops the loop and the jobs and waits for them to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let _ = self.jobs.await;
    }
}

pub(super) fn clock_time(ms: i64, tz: Tz) -> String {
    from_ms(ms, tz).format("%a %b %-d, %-I:%M %p").to_string()
}

impl Scheduler {
    /// An engine over `db` that fires to `notifiers` (the bus is only listened to, for
    /// changes; add a [`super::BusNotifier`] to deliver on it). It delivers no daily
    /// notice until one is added with [`Scheduler::with_daily`].
    pub fn new(
        db: Db,
        bus: Bus,
        clock: Arc<dyn Clock>,
        notifiers: Vec<Arc<dyn Notifier>>,
        config: SchedulerConfig,
    ) -> Self {
        let (passes, sweeps) = (watch::Sender::new(i64::MIN), watch::Sender::new(i64::MIN));
        Self {
            inner: Arc::new(Inner { db, bus, clock, notifiers, config, passes, sweeps }),
            daily: Vec::new(),
        }
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Starts the loop on the runtime.
    pub fn spawn(self) -> SchedulerHandle {
        let (stop, stop_rx) = watch::channel(false);
        let (passes, sweeps) = (self.inner.passes.subscribe(), self.inner.sweeps.subscribe());
        // Subscribe before the first pass, so no change after it goes unheard.
        let changes = self.inner.bus.subscribe();
        let started = self.inner.clock.now_ms();
        let jobs = tokio::spawn(self.clone().run_jobs(stop_rx.clone(), started));
        let task = tokio::spawn(async move { self.run(changes, stop_rx).await });
        SchedulerHandle { stop, passes, sweeps, task, jobs }
    }

    async fn run(self, mut changes: broadcast::Receiver<Arc<ServerEvent>>, mut stop: watch::Receiver<bool>) {
        if let Err(e) = self.redeliver_stale().await {
            tracing::warn!(error = %e, "could not look for notifications cut off by the last stop");
        }
        let interval = i64::try_from(self.inner.config.check_interval.as_millis()).unwrap_or(60_000).max(1);
        loop {
            let now = self.inner.clock.now_ms();
            let next = match self.pass(now).await {
                Ok(_) => self.next_due(now).await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "could not find the next reminder");
                    None
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "a scheduler pass failed; trying again shortly");
                    Some(now + 1_000)
                }
            };
            self.inner.passes.send_replace(now);
            let wake_at = next.map_or(now + interval, |n| n.min(now + interval));
            let sleep = self.inner.clock.sleep_until(wake_at);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    () = &mut sleep => break,
                    changed = stop.changed() => {
                        if changed.is_err() || *stop.borrow() {
                            return;
                        }
                    }
                    event = changes.recv() => match event {
                        Ok(e) if matches!(&*e, ServerEvent::ModuleDataChanged { module: Module::Todos | Module::Events }) => break,
                        Ok(_) => {}
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        // The bus lives as long as the app; without it, the timer still works.
                        Err(broadcast::error::RecvError::Closed) => {
                            tokio::select! {
                                () = &mut sleep => break,
                                _ = stop.changed() => return,
                            }
                        }
                    },
                }
            }
        }
    }

    /// The next instant a reminder is due strictly after `after`: one index probe per kind,
    /// plus the next occurrence of each repeating event that has a reminder.
    pub async fn next_due(&self, after: i64) -> Result<Option<i64>> {
        let db = &self.inner.db.read;
        let todo = crate::features::todos::next_reminder_after(db, after).await?;
        let event = crate::features::events::next_reminder_after(db, after).await?;
        let mut next = match (todo, event) {
            (Some(t), Some(e)) => Some(t.min(e)),
            (t, e) => t.or(e),
        };
        for s in self.series().await? {
            let lead = s.reminder_minutes * 60_000;
            let found = recurrence::occurrences(
                &s.recurrence_rule,
                s.start_at,
                None,
                self.inner.config.tz,
                after + lead + 1,
                after + lead + SERIES_HORIZON_MS,
                1,
            );
            if let Some(at) = found.first() {
                next = Some(next.map_or(at - lead, |n| n.min(at - lead)));
            }
        }
        Ok(next)
    }

    async fn series(&self) -> Result<Vec<ReminderSeries>> {
        crate::features::events::reminder_series(&self.inner.db.read).await
    }

    /// Claims and delivers every reminder that fell due in `(checked_until, now]`; returns
    /// how many notifications this engine fired.
    pub async fn pass(&self, now: i64) -> Result<usize> {
        let stored = super::state::recorded(&self.inner.db.write, "checked_until").await?;
        // The first start ever fires nothing from the past.
        let from = stored.unwrap_or(now).max(now - CATCH_UP_MS);
        let due = if from < now { self.collect(from, now).await? } else { vec![] };
        let fired = self.claim(&due, now, Some("checked_until")).await?;
        let count = fired.len();
        self.deliver(fired).await;
        Ok(count)
    }

    async fn collect(&self, from: i64, now: i64) -> Result<Vec<Due>> {
        let db = &self.inner.db.read;
        let tz = self.inner.config.tz;
        let mut due = Vec::new();
        for (id, title, due_at, at) in crate::features::todos::reminders_between(db, from, now).await? {
            due.push(Due {
                key: format!("reminder:todo:{id}:{due_at}"),
                kind: "reminder",
                body: format!("Due {}", clock_time(due_at, tz)),
                title,
                ref_id: Some(id),
                occurrence_at: Some(due_at),
                fire_at: at,
            });
        }
        for (id, title, location, start, at) in
            crate::features::events::reminders_between(db, from, now).await?
        {
            due.push(event_due(id, title, location.as_deref(), start, at, tz));
        }
        for s in self.series().await? {
            let lead = s.reminder_minutes * 60_000;
            for start in recurrence::occurrences(
                &s.recurrence_rule,
                s.start_at,
                None,
                tz,
                from + lead + 1,
                now + lead + 1,
                recurrence::MAX_OCCURRENCES,
            ) {
                due.push(event_due(
                    s.id.clone(),
                    s.title.clone(),
                    s.location.as_deref(),
                    start,
                    start - lead,
                    tz,
                ));
            }
        }
        Ok(due)
    }
}

fn event_due(id: String, title: String, location: Option<&str>, start: i64, at: i64, tz: Tz) -> Due {
    let mut body = format!("Starts {}", clock_time(start, tz));
    if let Some(l) = location.filter(|l| !l.is_empty()) {
        body.push_str(&format!(" at {l}"));
    }
    Due {
        key: format!("reminder:event:{id}:{start}"),
        kind: "reminder",
        title,
        body,
        ref_id: Some(id),
        occurrence_at: Some(start),
        fire_at: at,
    }
}
