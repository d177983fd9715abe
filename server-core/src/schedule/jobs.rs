//! The periodic jobs, run by `tokio-cron-scheduler` on cron schedules in the user's zone;
//! a daily one is made for its next instant at that instant's UTC offset and made again
//! after it runs ([`cron_for`]), so it keeps its local time across DST changes. Reminders
//! are not among them: the reminder engine's next-due loop ([`super::engine`]) fires each
//! at its own instant.
//!
//! Each job's last run is recorded in `scheduler_state` (`job.<name>`), so a restart
//! neither repeats a run nor skips one: at start, a job whose instant passed while the app
//! was closed runs once, late; one that already ran for that instant does not.
//!
//! | job | schedule | what it does |
//! |---|---|---|
//! | `<kind>` | every day at its local time in the user's zone | [`super::daily`] |
//! | `overdue` | every minute | [`super::overdue`] |
//! | `cleanup` | every night at 03:30 local time | [`super::cleanup`] |
//!
//! The daily notices and the overdue sweep deliver notifications, so a running reminder
//! engine runs them, on one cron scheduler of its own ([`Scheduler::run_jobs`]); a daily
//! notice also follows its time while the app runs. The cleanup runs on [`Jobs`].

use std::future::Future;
use std::sync::Arc;

use chrono::{FixedOffset, NaiveTime, Offset as _, Timelike as _};
use chrono_tz::Tz;
use tokio::sync::watch;
use tokio_cron_scheduler::{Job, JobScheduler};

use super::engine::Scheduler;
use crate::infra::db::{Db, now_ms};
use crate::infra::time::{from_ms, local_instant};

/// Local time of the nightly cleanup.
pub const CLEANUP_AT: (u32, u32) = (3, 30);

/// The running jobs; [`Jobs::stop`] ends them.
pub struct Jobs {
    scheduler: JobScheduler,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").finish_non_exhaustive()
    }
}

/// A daily job: its name, its local time, and what it runs.
#[derive(Clone)]
struct Daily {
    name: &'static str,
    at: NaiveTime,
    tz: Tz,
    db: Db,
}

impl Daily {
    /// Runs `work` if the last recorded run is older than the latest scheduled instant at
    /// `now`, then records the run.
    async fn run_if_due<F, Fut>(&self, now: i64, work: F) -> anyhow::Result<bool>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let key = format!("job.{}", self.name);
        let last = super::state::recorded(&self.db.write, &key).await?;
        if last.is_some_and(|last| last >= latest_instant(now, self.at, self.tz)) {
            return Ok(false);
        }
        work().await?;
        super::state::record(&self.db.write, &key, now).await?;
        Ok(true)
    }
}

/// The cron expression (seconds first) of the wall time of `instant` in `tz`, every day,
/// and the UTC offset to read it at: that of `instant`. The cron scheduler fixes a job's
/// offset when the job is made, so a daily job is made for its next instant only and made
/// again after it runs; it then keeps its local time across daylight-saving changes.
pub(super) fn cron_for(instant: i64, tz: Tz) -> (String, FixedOffset) {
    let local = from_ms(instant, tz);
    let expr = format!("{} {} {} * * *", local.second(), local.minute(), local.hour());
    (expr, local.offset().fix())
}

/// The cleanup's job for its next instant, which makes the one after it when it has run.
fn cleanup_job(daily: Arc<Daily>) -> anyhow::Result<Job> {
    let next = super::daily::next_instant(now_ms(), daily.at, daily.tz)
        .ok_or_else(|| anyhow::anyhow!("no next cleanup"))?;
    let (expr, offset) = cron_for(next, daily.tz);
    Ok(Job::new_async_tz(expr.as_str(), offset, move |id, scheduler| {
        let job = daily.clone();
        Box::pin(async move {
            cleanup(&job).await;
            match cleanup_job(job) {
                Ok(next) => {
                    if let Err(e) = scheduler.add(next).await {
                        tracing::warn!(error = %e, "the next nightly cleanup could not be scheduled");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "the next nightly cleanup could not be made"),
            }
            let _ = scheduler.remove(&id).await;
        })
    })?)
}

/// The latest instant at or before `now` that is `at` local time in `tz`.
pub fn latest_instant(now: i64, at: NaiveTime, tz: Tz) -> i64 {
    let mut day = from_ms(now, tz).date_naive();
    for _ in 0..3 {
        let instant = local_instant(day, at, tz).timestamp_millis();
        if instant <= now {
            return instant;
        }
        match day.pred_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    i64::MIN
}

async fn cleanup(job: &Daily) {
    let done = job
        .run_if_due(now_ms(), || async {
            let cleaned = super::cleanup::run(&job.db, now_ms()).await?;
            tracing::info!(?cleaned, "nightly cleanup done");
            Ok(())
        })
        .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, "the nightly cleanup failed; it runs again at the next start or night");
    }
}

impl Scheduler {
    /// The jobs that deliver notifications, the daily notices and the overdue sweep, until
    /// `stop` says so; `started` is when the engine was started. On the system clock they
    /// share one cron scheduler; on another clock (a test's) they wait on that clock.
    pub(super) async fn run_jobs(self, stop: watch::Receiver<bool>, started: i64) {
        let mut cron = None;
        if self.inner.clock.is_system() {
            match JobScheduler::new().await {
                Ok(c) => match c.start().await {
                    Ok(()) => cron = Some(c),
                    Err(e) => {
                        tracing::warn!(error = %e, "the cron scheduler did not start; its jobs wait on the clock")
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "the cron scheduler could not be made; its jobs wait on the clock")
                }
            }
        }
        let daily: Vec<_> = (self.daily.iter().cloned())
            .map(|d| self.clone().run_daily(d, cron.clone(), stop.clone(), started))
            .collect();
        tokio::join!(futures::future::join_all(daily), self.run_overdue(cron.clone(), stop));
        if let Some(mut c) = cron
            && let Err(e) = c.shutdown().await
        {
            tracing::warn!(error = %e, "the cron scheduler did not stop cleanly");
        }
    }
}

impl Jobs {
    /// Starts the jobs over `db` in the zone `tz`, and runs any whose latest instant
    /// passed without a run before returning.
    pub async fn start(db: Db, tz: Tz) -> anyhow::Result<Self> {
        let scheduler = JobScheduler::new().await?;
        let (hour, minute) = CLEANUP_AT;
        let at = NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(|| anyhow::anyhow!("bad time"))?;
        let daily = Arc::new(Daily { name: "cleanup", at, tz, db });
        scheduler.add(cleanup_job(daily.clone())?).await?;
        scheduler.start().await?;
        // Before the server answers anything: what runs then finds the store tidied.
        if !daily.db.read_only {
            cleanup(&daily).await;
        }
        Ok(Self { scheduler })
    }

    /// Stops the jobs; a run under way finishes on its own.
    pub async fn stop(mut self) {
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::warn!(error = %e, "the job scheduler did not stop cleanly");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn the_latest_instant_keeps_its_local_time_across_dst() {
        let tz: Tz = "Europe/Lisbon".parse().unwrap();
        let at = NaiveTime::from_hms_opt(3, 30, 0).unwrap();
        // Before 03:30 on the day summer time starts: the night before's run.
        let now = tz.with_ymd_and_hms(2026, 3, 29, 3, 0, 0).unwrap().timestamp_millis();
        let expected = tz.with_ymd_and_hms(2026, 3, 28, 3, 30, 0).unwrap().timestamp_millis();
        assert_eq!(latest_instant(now, at, tz), expected);
        // After it, that day's 03:30 summer time (02:30 UTC, not 03:30 UTC).
        let now = tz.with_ymd_and_hms(2026, 3, 29, 12, 0, 0).unwrap().timestamp_millis();
        let instant = latest_instant(now, at, tz);
        assert_eq!(from_ms(instant, tz).format("%H:%M %z").to_string(), "03:30 +0100");
    }

    #[test]
    fn a_job_is_made_at_the_offset_of_its_next_instant() {
        let tz: Tz = "Europe/Lisbon".parse().unwrap();
        let at = NaiveTime::from_hms_opt(3, 30, 0).unwrap();
        // Made the evening before summer time starts: 03:30 at summer time's offset.
        let evening = tz.with_ymd_and_hms(2026, 3, 28, 22, 0, 0).unwrap().timestamp_millis();
        let next = crate::schedule::daily::next_instant(evening, at, tz).unwrap();
        let (expr, offset) = cron_for(next, tz);
        assert_eq!(expr, "0 30 3 * * *");
        assert_eq!(offset.local_minus_utc(), 3600, "summer time, not the evening's winter time");
    }
}
