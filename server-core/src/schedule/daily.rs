//! Notices that come once a day at a local time, which may change while the app runs. The
//! daily briefing is one: what it says and its time are the briefing module's, and the
//! crate root hands it to the scheduler ([`Scheduler::with_daily`]) as a [`DailyNotice`]
//! with a [`DailyAt`] to follow; this module claims, waits and delivers.
//!
//! When it comes: a job on `tokio-cron-scheduler` at the notice's local time in the
//! user's zone, registered again after every run and whenever the time changes (for the
//! briefing, `PATCH /api/settings` changing `briefing_time` or the zone), so a change
//! applies without a restart.
//!
//! The crate turns a job's zone into a fixed UTC offset when the job is made, so a job
//! made once would drift by an hour at a daylight-saving change. Each registration is
//! therefore for the next instant only, with that instant's offset: the notice keeps its
//! wall time across changes.
//!
//! How far the job has looked is recorded in `scheduler_state` (`job.<kind>`). A notice
//! is made when today's instant lies after that record and is not in the future; it is
//! claimed under `<kind>:<day>` like every notification, so it comes once a day even over
//! a restart or with two processes on one file, and only then written (which may wait on
//! a model) and delivered. At start (and after a change), today's notice whose time
//! passed while the app was closed comes once, late; the first start ever delivers
//! nothing from the past. With a clock a test moves instead of the system's, the job
//! waits on that clock instead of the cron scheduler.

use std::sync::Arc;

use chrono::NaiveTime;
use chrono_tz::Tz;
use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch};
use tokio_cron_scheduler::{Job, JobScheduler};
use uuid::Uuid;

use super::claim::Due;
use super::engine::Scheduler;
use crate::bus::Module;
use crate::features::notifications::NotificationRow;
use crate::infra::error::Result;
use crate::infra::time::{from_ms, local_instant};

/// A daily notice's local time and the zone it is read in; none for no notice.
pub type DailyAt = Option<(NaiveTime, Tz)>;

/// A notification the scheduler delivers once a day ([`Scheduler::with_daily`]): claimed
/// when its time comes, then written, then delivered.
pub trait DailyNotice: Send + Sync + 'static {
    /// Its kind (`briefing`): the notifications' `kind`, the claim's key `<kind>:<day>`
    /// and the job's record `job.<kind>`.
    fn kind(&self) -> &'static str;
    /// The notification's title.
    fn title(&self) -> String;
    /// Writes the claimed notice as of `now`; it may take a while (a model writing it).
    fn write(&self, now: i64) -> BoxFuture<'_, Result<Written>>;
}

/// What a [`DailyNotice`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub body: String,
    /// The conversation it was kept in, if any.
    pub conversation_id: Option<String>,
    /// The module whose data writing it changed, told on the bus once the notification is
    /// stored and before it is delivered.
    pub changed: Option<Module>,
}

/// A daily notice and the time it follows, as the scheduler runs it.
#[derive(Clone)]
pub(super) struct Daily {
    notice: Arc<dyn DailyNotice>,
    at: watch::Receiver<DailyAt>,
}

/// A time that never changes, for [`Scheduler::with_daily`].
pub fn fixed(at: NaiveTime, tz: Tz) -> watch::Receiver<DailyAt> {
    // The sender goes at once: the notice keeps this time.
    watch::channel(Some((at, tz))).1
}

/// The first instant strictly after `now` that is `at` local time in `tz`.
pub fn next_instant(now: i64, at: NaiveTime, tz: Tz) -> Option<i64> {
    let mut day = from_ms(now, tz).date_naive();
    for _ in 0..3 {
        let instant = local_instant(day, at, tz).timestamp_millis();
        if instant > now {
            return Some(instant);
        }
        day = day.succ_opt()?;
    }
    None
}

/// A cron job for the instant `next` alone (its wall time, at its UTC offset), which
/// sends on `fired`.
async fn register(
    cron: &JobScheduler,
    next: i64,
    tz: Tz,
    fired: mpsc::UnboundedSender<()>,
) -> anyhow::Result<Uuid> {
    let (expr, offset) = super::jobs::cron_for(next, tz);
    let job = Job::new_async_tz(expr.as_str(), offset, move |_, _| {
        let fired = fired.clone();
        Box::pin(async move {
            let _ = fired.send(());
        })
    })?;
    Ok(cron.add(job).await?)
}

impl Scheduler {
    /// Adds `notice`, delivered once a day at the local time `at` holds, following it as
    /// it changes; [`fixed`] is a time that does not.
    #[must_use]
    pub fn with_daily(mut self, notice: Arc<dyn DailyNotice>, at: watch::Receiver<DailyAt>) -> Self {
        self.daily.push(Daily { notice, at });
        self
    }

    /// The job of one daily notice on `cron` (none: on the engine's clock), until `stop`
    /// says so; `started` is when the engine was started.
    pub(super) async fn run_daily(
        self,
        daily: Daily,
        cron: Option<JobScheduler>,
        mut stop: watch::Receiver<bool>,
        started: i64,
    ) {
        let Daily { notice, at: mut setting } = daily;
        let kind = notice.kind();
        let mut follow = true;
        let (fired_tx, mut fired) = mpsc::unbounded_channel();
        let mut job: Option<Uuid> = None;
        loop {
            let current = *setting.borrow_and_update();
            let now = self.inner.clock.now_ms();
            if let Err(e) = self.claim_if_due(&notice, current, started, now).await {
                tracing::warn!(error = %e, "the daily {kind} could not be claimed");
            }
            if let (Some(c), Some(id)) = (&cron, job.take()) {
                let _ = c.remove(&id).await;
            }
            // From the `now` just checked: an instant reached since comes round at once.
            let next = current.and_then(|(at, tz)| Some((next_instant(now, at, tz)?, tz)));
            let wake: BoxFuture<'static, ()> = match (&cron, next) {
                (Some(c), Some((next, tz))) => {
                    match register(c, next, tz, fired_tx.clone()).await {
                        // The cron job counts from when it is added: an instant passed by
                        // then would be a day late.
                        Ok(id) if self.inner.clock.now_ms() < next => {
                            job = Some(id);
                            Box::pin(std::future::pending())
                        }
                        Ok(id) => {
                            job = Some(id);
                            Box::pin(std::future::ready(()))
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "the {kind} could not be put on the cron scheduler; waiting for it here");
                            self.inner.clock.sleep_until(next)
                        }
                    }
                }
                (None, Some((next, _))) => self.inner.clock.sleep_until(next),
                (_, None) => Box::pin(std::future::pending()),
            };
            tokio::select! {
                () = wake => {}
                Some(()) = fired.recv() => {}
                changed = async {
                    if follow { setting.changed().await.is_ok() } else { std::future::pending().await }
                } => follow = changed,
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

    /// Claims and writes today's notice if its instant lies after the record (or, with
    /// none yet, after `started`) and not after now; then moves the record to now.
    async fn claim_if_due(
        &self,
        notice: &Arc<dyn DailyNotice>,
        setting: DailyAt,
        started: i64,
        now: i64,
    ) -> anyhow::Result<()> {
        let Some((at, tz)) = setting else { return Ok(()) };
        let kind = notice.kind();
        let record = format!("job.{kind}");
        let db = &self.inner.db.write;
        let last = super::state::recorded(db, &record).await?;
        let day = from_ms(now, tz).date_naive();
        let instant = local_instant(day, at, tz).timestamp_millis();
        if instant > last.unwrap_or(started) && instant <= now {
            let due = Due {
                key: format!("{kind}:{day}"),
                kind,
                ref_id: None,
                occurrence_at: None,
                fire_at: instant,
                title: notice.title(),
                body: String::new(),
            };
            for claimed in self.claim(&[due], now, None).await? {
                // Writing may wait on the model; nothing else waits on it.
                let (this, notice) = (self.clone(), notice.clone());
                tokio::spawn(async move { this.write_daily(notice.as_ref(), claimed).await });
            }
        }
        super::state::record(db, &record, now).await?;
        Ok(())
    }

    /// Writes the claimed notice, keeps what it wrote in its notification and delivers it.
    async fn write_daily(&self, notice: &dyn DailyNotice, mut row: NotificationRow) {
        let kind = notice.kind();
        let now = self.inner.clock.now_ms();
        match notice.write(now).await {
            Ok(written) => {
                row.body = written.body;
                row.conversation_id = written.conversation_id;
                if let Err(e) = sqlx::query!(
                    "UPDATE notifications SET body = ?, conversation_id = ? WHERE id = ?",
                    row.body,
                    row.conversation_id,
                    row.id
                )
                .execute(&self.inner.db.write)
                .await
                {
                    tracing::warn!(error = %e, "could not store the {kind}'s notification");
                }
                if let Some(module) = written.changed {
                    self.inner.bus.data_changed(module);
                }
                self.deliver(vec![row]).await;
            }
            Err(e) => tracing::warn!(error = %e, "the daily {kind} could not be made"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn the_next_instant_keeps_its_wall_time_across_dst() {
        let tz: Tz = "America/Los_Angeles".parse().unwrap();
        let at = NaiveTime::from_hms_opt(7, 30, 0).unwrap();
        // The evening before summer time starts: the next morning at 07:30 PDT.
        let now = tz.with_ymd_and_hms(2026, 3, 7, 20, 0, 0).unwrap().timestamp_millis();
        let next = next_instant(now, at, tz).unwrap();
        assert_eq!(from_ms(next, tz).format("%F %H:%M %z").to_string(), "2026-03-08 07:30 -0700");
        // At the instant itself, the next one is a day later.
        assert_eq!(
            from_ms(next_instant(next, at, tz).unwrap(), tz).format("%F %H:%M").to_string(),
            "2026-03-09 07:30"
        );
    }
}
