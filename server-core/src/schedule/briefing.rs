//! The daily briefing, in one place: what it says and when it comes.
//!
//! What it says: today's events, due and overdue todos and pinned memos, put into words by
//! the model when one answers, else by the built-in summary ([`compose`], no model
//! needed), and stored as an assistant message in the Briefings conversation (which
//! `/api/today` shows). The scheduler makes one each morning; the `daily_briefing` tool
//! makes one on demand ([`make_now`]).
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

use std::time::Duration;

use chrono::{DateTime, NaiveTime};
use chrono_tz::Tz;
use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch};
use tokio_cron_scheduler::{Job, JobScheduler};
use uuid::Uuid;

use super::claim::Due;
use super::engine::Scheduler;
use crate::brain::model::Model;
use crate::bus::Module;
use crate::chat::{Role, insert_message};
use crate::infra::db::{Db, new_id, now_ms};
use crate::infra::error::Result;
use crate::llm::{ChatMessage, ChatRequest};
use crate::features::notifications::NotificationRow;
use crate::infra::time::{from_ms, local_instant};
use crate::features::today::Today;

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
        let last: Option<i64> = sqlx::query_scalar("SELECT value FROM scheduler_state WHERE key = ?")
            .bind(KEY)
            .fetch_optional(db)
            .await?;
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
        sqlx::query(
            "INSERT INTO scheduler_state (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
        )
        .bind(KEY)
        .bind(now)
        .execute(db)
        .await?;
        Ok(())
    }

    /// Composes the claimed briefing (by the model when it answers, else the built-in
    /// summary), keeps it in the "Briefings" conversation and delivers it.
    async fn make_briefing(&self, mut row: NotificationRow) {
        let c = &self.inner.config;
        let now = self.inner.clock.now_ms();
        match make(&self.inner.db, c.tz, c.model.as_deref(), now).await {
            Ok(made) => {
                row.body = made.text;
                row.conversation_id = Some(made.conversation_id);
                if let Err(e) =
                    sqlx::query("UPDATE notifications SET body = ?, conversation_id = ? WHERE id = ?")
                        .bind(&row.body)
                        .bind(&row.conversation_id)
                        .bind(&row.id)
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

/// How long the model may take over a briefing before the built-in summary is used.
const MODEL_TIMEOUT: Duration = Duration::from_secs(20);

/// A briefing as stored.
#[derive(Debug, Clone)]
pub struct Made {
    pub conversation_id: String,
    pub message_id: String,
    pub text: String,
    /// `builtin`, or the model service that wrote it.
    pub provider: String,
}

/// Makes today's briefing as of `now` and stores it.
pub async fn make(db: &Db, tz: Tz, model: Option<&Model>, now: i64) -> Result<Made> {
    let today = crate::features::today::load_at(&db.read, tz, now).await?;
    let builtin = compose(&today);
    let (text, provider) = match model {
        Some(model) => match by_model(model, &today).await {
            Some(text) => (text, model.provider.name().to_owned()),
            None => (builtin, "builtin".to_owned()),
        },
        None => (builtin, "builtin".to_owned()),
    };
    let conversation_id = crate::chat::briefings_conversation(&db.write, tz).await?;
    let message_id = new_id();
    insert_message(
        &db.write,
        &conversation_id,
        &message_id,
        Role::Assistant,
        &text,
        Some("daily_briefing"),
        &[],
    )
    .await?;
    Ok(Made { conversation_id, message_id, text, provider })
}

async fn by_model(model: &Model, today: &Today) -> Option<String> {
    let facts = serde_json::to_string(today).ok()?;
    let request = ChatRequest::new(vec![
        ChatMessage::system(
            "You write the user's daily briefing: a short, friendly paragraph covering today's events \
             (with times), the todos due today, the overdue todos and the pinned memos, from the JSON \
             given. Mention nothing that is not in it. Plain text, no lists, no markdown.",
        ),
        ChatMessage::user(facts),
    ])
    .with_temperature(0.3);
    match tokio::time::timeout(MODEL_TIMEOUT, model.provider.complete(request)).await {
        Ok(Ok(done)) if !done.content.trim().is_empty() => Some(done.content.trim().to_owned()),
        Ok(Ok(_)) => None,
        Ok(Err(e)) => {
            tracing::info!(error = %e, "the model did not write the briefing; using the built-in summary");
            None
        }
        Err(_) => {
            tracing::info!("the model took too long over the briefing; using the built-in summary");
            None
        }
    }
}

/// A briefing made now, on demand (the `daily_briefing` intent).
pub async fn make_now(db: &Db, tz: Tz, model: Option<&Model>) -> Result<Made> {
    make(db, tz, model, now_ms()).await
}

/// `2:30 PM`, from an RFC 3339 time.
fn clock(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339).map(|t| t.format("%-I:%M %p").to_string()).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The built-in summary of today, with no model needed: "Good morning. Today, Saturday
/// November 21, you have 2 events: ..."
pub fn compose(today: &Today) -> String {
    let day = chrono::NaiveDate::parse_from_str(&today.date, "%Y-%m-%d")
        .map(|d| d.format("%A %B %-d").to_string())
        .unwrap_or_else(|_| today.date.clone());
    let mut parts = vec![format!("{}. Today is {day}.", today.greeting)];
    if today.today_events.is_empty() {
        parts.push("Nothing is on your calendar.".into());
    } else {
        let events: Vec<String> = today
            .today_events
            .iter()
            .map(|e| {
                if e.is_all_day {
                    format!("{} (all day)", e.title)
                } else {
                    format!("{} at {}", e.title, clock(&e.start_time))
                }
            })
            .collect();
        parts.push(format!("You have {}: {}.", count(events.len(), "event", "events"), list(&events)));
    }
    if !today.today_tasks.is_empty() {
        let titles: Vec<String> = today.today_tasks.iter().map(|t| t.title.clone()).collect();
        parts.push(format!("Due today: {}.", list(&titles)));
    }
    if !today.overdue_tasks.is_empty() {
        let titles: Vec<String> = today.overdue_tasks.iter().map(|t| t.title.clone()).collect();
        parts.push(format!("{} overdue: {}.", count(titles.len(), "todo is", "todos are"), list(&titles)));
    }
    if today.today_tasks.is_empty() && today.overdue_tasks.is_empty() {
        parts.push("No todos are due.".into());
    }
    if !today.pinned_memos.is_empty() {
        let titles: Vec<String> = today.pinned_memos.iter().take(5).map(|m| m.title.clone()).collect();
        parts.push(format!("Pinned: {}.", list(&titles)));
    }
    parts.join(" ")
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

    #[test]
    fn lists_read_naturally() {
        assert_eq!(list(&["a".into()]), "a");
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(count(1, "event", "events"), "1 event");
    }

    #[test]
    fn an_empty_day_says_so() {
        let today = Today {
            date: "2026-11-21".into(),
            greeting: "Good morning".into(),
            today_tasks: vec![],
            overdue_tasks: vec![],
            today_events: vec![],
            pinned_memos: vec![],
            briefing: None,
        };
        assert_eq!(
            compose(&today),
            "Good morning. Today is Saturday November 21. Nothing is on your calendar. No todos are due."
        );
    }
}
