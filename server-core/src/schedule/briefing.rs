//! When the daily briefing comes.
//!
//! What it says is [`crate::features::briefing`]'s (which the `daily_briefing` tool calls
//! too); this module makes one each morning and delivers it.
//!
//! When it comes: a job on `tokio-cron-scheduler` at the briefing's local time in
//! the user's zone, registered again after every run and whenever the setting changes
//! (`PATCH /api/settings` changing `briefing_time` or the zone), so a change applies
//! without a restart.
//!
//! The crate turns a job's zone into a fixed UTC offset when the job is made, so a job
//! made once would drift by an hour at a daylight-saving change. Each registration is
//! therefore for the next instant only, with that instant's offset: the briefing keeps
//! its wall time across changes.
//!
//! How far the job has looked is recorded in `scheduler_state` (`job.briefing`). A
//! briefing is made when today's instant lies after that record and is not in the future;
//! it is claimed under `briefing:<day>` like every notification, so it comes once a day
//! even over a restart or with two processes on one file. At start (and after a change),
//! today's briefing whose time passed while the app was closed comes once, late; the
//! first start ever delivers nothing from the past. With a clock a test moves instead of
//! the system's, the job waits on that clock instead of the cron scheduler.

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
use crate::infra::time::{from_ms, local_instant};

/// The briefing's local time and the zone it is read in; none for no briefing.
pub type BriefingAt = Option<(NaiveTime, Tz)>;

const KEY: &str = "job.briefing";

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
    /// The briefing job on `cron` (none: on the engine's clock), until `stop` says so;
    /// `started` is when the engine was started.
    pub(super) async fn run_briefing(
        self,
        cron: Option<JobScheduler>,
        mut stop: watch::Receiver<bool>,
        started: i64,
    ) {
        let mut setting = self.inner.briefing.clone();
        let mut follow = true;
        let (fired_tx, mut fired) = mpsc::unbounded_channel();
        let mut job: Option<Uuid> = None;
        loop {
            let current = *setting.borrow_and_update();
            let now = self.inner.clock.now_ms();
            if let Err(e) = self.brief_if_due(current, started, now).await {
                tracing::warn!(error = %e, "the daily briefing could not be claimed");
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
                            tracing::warn!(error = %e, "the briefing could not be put on the cron scheduler; waiting for it here");
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

    /// Claims and makes today's briefing if its instant lies after the record (or, with
    /// none yet, after `started`) and not after now; then moves the record to now.
    async fn brief_if_due(&self, setting: BriefingAt, started: i64, now: i64) -> anyhow::Result<()> {
        let Some((at, tz)) = setting else { return Ok(()) };
        let db = &self.inner.db.write;
        let last = super::state::recorded(db, KEY).await?;
        let day = from_ms(now, tz).date_naive();
        let instant = local_instant(day, at, tz).timestamp_millis();
        if instant > last.unwrap_or(started) && instant <= now {
            let due = Due {
                key: format!("briefing:{day}"),
                kind: "briefing",
                ref_id: None,
                occurrence_at: None,
                fire_at: instant,
                title: "Your daily briefing".to_owned(),
                body: String::new(),
            };
            for claimed in self.claim(&[due], now, None).await? {
                // Composing may wait on the model; nothing else waits on it.
                let this = self.clone();
                tokio::spawn(async move { this.make_briefing(claimed).await });
            }
        }
        super::state::record(db, KEY, now).await?;
        Ok(())
    }

    /// Composes the claimed briefing (by the model when it answers, else the built-in
    /// summary), keeps it in the "Briefings" conversation and delivers it.
    async fn make_briefing(&self, mut row: NotificationRow) {
        let c = &self.inner.config;
        let now = self.inner.clock.now_ms();
        let model = c.model.as_deref().map(|m| m.provider.as_ref());
        match crate::features::briefing::make(&self.inner.db, c.tz, model, now).await {
            Ok(made) => {
                row.body = made.text;
                row.conversation_id = Some(made.conversation_id);
                if let Err(e) = sqlx::query!(
                    "UPDATE notifications SET body = ?, conversation_id = ? WHERE id = ?",
                    row.body,
                    row.conversation_id,
                    row.id
                )
                .execute(&self.inner.db.write)
                .await
                {
                    tracing::warn!(error = %e, "could not store the briefing's notification");
                }
                self.inner.bus.data_changed(Module::Chat);
                self.deliver(vec![row]).await;
            }
            Err(e) => tracing::warn!(error = %e, "the daily briefing could not be made"),
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
