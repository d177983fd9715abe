//! The overdue sweep: every minute on `tokio-cron-scheduler`, each open todo whose
//! overdue instant (an hour after its due time, or the end of its day for a day-level one)
//! passed since the last sweep gets one overdue notice.
//!
//! A todo due on the minute becomes overdue on one, so the sweep at that minute finds it
//! within a second; one due at an odd second waits less than a minute, never long enough
//! to be marked late. Each notice is claimed under `overdue:todo:<id>:<due>` like every
//! firing ([`super::claim`]), and the sweep's last run is recorded in `scheduler_state`
//! (`job.overdue`) in the same transaction: the next sweep, after a restart too, looks from
//! there, so none is repeated or skipped, and those that fell due while the app was closed
//! come once at the next start, marked late. With a clock a test moves, the sweep runs at
//! each minute that clock reaches instead.

use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch};
use tokio_cron_scheduler::{Job, JobScheduler};

use super::claim::Due;
use super::engine::{CATCH_UP_MS, Scheduler, clock_time};
use crate::infra::error::Result;
use crate::infra::time::from_ms;

/// Where the sweep records its last run.
pub const KEY: &str = "job.overdue";
/// The sweep's schedule: every minute, at second 0.
pub const EVERY_MINUTE: &str = "0 * * * * *";
const MINUTE_MS: i64 = 60_000;

/// The start of the minute `ms` falls in.
pub(super) fn minute_of(ms: i64) -> i64 {
    ms.saturating_sub(ms.rem_euclid(MINUTE_MS))
}

impl Scheduler {
    /// The sweep on `cron` (none: at each minute the engine's clock reaches), until `stop`
    /// says so. It sweeps once as it starts, for what fell due while the app was closed.
    pub(super) async fn run_overdue(self, cron: Option<JobScheduler>, mut stop: watch::Receiver<bool>) {
        let (tick, mut ticks) = mpsc::unbounded_channel();
        let mut job = None;
        if let Some(c) = &cron {
            let made = Job::new_async(EVERY_MINUTE, move |_, _| {
                let tick = tick.clone();
                Box::pin(async move {
                    let _ = tick.send(());
                })
            });
            match made {
                Ok(j) => match c.add(j).await {
                    Ok(id) => job = Some(id),
                    Err(e) => {
                        tracing::warn!(error = %e, "the overdue sweep could not be put on the cron scheduler; it waits for each minute here")
                    }
                },
                Err(e) => tracing::warn!(error = %e, "the overdue sweep's cron job could not be made"),
            }
        }
        loop {
            let now = self.inner.clock.now_ms();
            if let Err(e) = self.sweep_overdue(now).await {
                tracing::warn!(error = %e, "the overdue sweep failed; the next one looks from where this one began");
            }
            self.inner.sweeps.send_replace(now);
            let wake: BoxFuture<'static, ()> = match job {
                Some(_) => Box::pin(std::future::pending()),
                None => self.inner.clock.sleep_until(minute_of(now) + MINUTE_MS),
            };
            tokio::select! {
                () = wake => {}
                Some(()) = ticks.recv() => {}
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        break;
                    }
                }
            }
        }
        if let (Some(c), Some(id)) = (&cron, job) {
            let _ = c.remove(&id).await;
        }
    }

    /// Claims and delivers the overdue notices of the todos that became overdue after the
    /// last sweep and not after `now`; returns how many this process fired.
    pub async fn sweep_overdue(&self, now: i64) -> Result<usize> {
        // Before its first run the sweep looks from where the reminder engine had looked
        // (it fired overdue notices itself in earlier versions); on the first start ever,
        // from now: nothing from the past.
        let last: Option<i64> = sqlx::query_scalar!(
            r#"SELECT coalesce((SELECT value FROM scheduler_state WHERE key = ?),
                               (SELECT value FROM scheduler_state WHERE key = 'checked_until')) AS "last?: i64""#,
            KEY
        )
        .fetch_one(&self.inner.db.write)
        .await?;
        let from = last.unwrap_or(now).max(now - CATCH_UP_MS);
        let due = if from < now { self.overdue(from, now).await? } else { vec![] };
        let fired = self.claim(&due, now, Some(KEY)).await?;
        let count = fired.len();
        self.deliver(fired).await;
        Ok(count)
    }

    /// Open todos whose overdue instant lies in `(from, now]`: each gets one notice.
    async fn overdue(&self, from: i64, now: i64) -> Result<Vec<Due>> {
        let (db, tz) = (&self.inner.db.read, self.inner.config.tz);
        let overdue = crate::features::todos::overdue_between(db, from, now).await?;
        Ok(overdue
            .into_iter()
            .map(|(id, title, due_at, is_day, at)| {
                let was = if is_day {
                    from_ms(due_at, tz).format("%a %b %-d").to_string()
                } else {
                    clock_time(due_at, tz)
                };
                Due {
                    key: format!("overdue:todo:{id}:{due_at}"),
                    kind: "overdue",
                    title: format!("Overdue: {title}"),
                    body: format!("It was due {was}"),
                    ref_id: Some(id),
                    occurrence_at: Some(due_at),
                    fire_at: at,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_starts_on_its_whole_minute() {
        assert_eq!(minute_of(125_000), 120_000);
        assert_eq!(minute_of(120_000), 120_000);
        assert_eq!(minute_of(-1), -60_000);
    }
}
