//! The daily briefing: what it says and when it comes.
//!
//! What it says: today's events, due and overdue todos and pinned memos, put into words by
//! the model when one answers, else by the built-in summary ([`compose`], no model
//! needed), and stored as an assistant message in the Briefings conversation (which
//! `/api/today` shows). [`make`] writes one as of an instant; the `daily_briefing` tool
//! makes one on demand ([`make_now`]). The model is asked once, through its provider
//! alone, with no planning around it.
//!
//! When it comes: each morning at the `briefing_time` setting in the user's zone
//! ([`BriefingAt`], read by [`parse_time`]; a change through `PATCH /api/settings` applies
//! at once). The scheduler delivers it as a daily notice, claimed under
//! `briefing:<day>` so it comes once a day: the crate root hands it a [`Briefing`] and the
//! settings' time, and the scheduler's daily notices (`schedule::daily`) do the claiming,
//! the waiting and the delivering. Neither this module nor the scheduler imports the
//! other.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveTime};
use chrono_tz::Tz;

use crate::features::conversations::{Role, insert_message};
use crate::features::today::Today;
use crate::infra::db::{Db, new_id, now_ms};
use crate::infra::error::Result;
use crate::llm::{ChatMessage, ChatRequest, ModelProvider};

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
pub async fn make(db: &Db, tz: Tz, model: Option<&dyn ModelProvider>, now: i64) -> Result<Made> {
    let today = crate::features::today::load_at(&db.pages, tz, now).await?;
    let builtin = compose(&today);
    let (text, provider) = match model {
        Some(model) => match by_model(model, &today).await {
            Some(text) => (text, model.name().to_owned()),
            None => (builtin, "builtin".to_owned()),
        },
        None => (builtin, "builtin".to_owned()),
    };
    let conversation_id = crate::features::conversations::briefings_conversation(&db.write, tz).await?;
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

async fn by_model(model: &dyn ModelProvider, today: &Today) -> Option<String> {
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
    match tokio::time::timeout(MODEL_TIMEOUT, model.complete(request)).await {
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
pub async fn make_now(db: &Db, tz: Tz, model: Option<&dyn ModelProvider>) -> Result<Made> {
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

// When it comes: the scheduler's daily notice, handed over by the crate root.

/// The notification's kind, and the prefix of its claim (`briefing:<day>`).
pub const KIND: &str = "briefing";
/// The notification's title.
pub const TITLE: &str = "Your daily briefing";

/// The briefing's local time and the zone it is read in; none for no briefing.
pub type BriefingAt = Option<(NaiveTime, Tz)>;

/// `HH:MM` (24-hour) as the `BRIEFING_TIME` setting takes it.
pub fn parse_time(s: &str) -> anyhow::Result<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| anyhow::anyhow!("BRIEFING_TIME {s:?} is not a time of day such as 08:00"))
}

/// The briefing as the scheduler makes it each morning: the store it reads and keeps it
/// in, the zone it is written in, and the model that writes it when one answers.
#[derive(Clone)]
pub struct Briefing {
    pub db: Db,
    pub tz: Tz,
    pub model: Option<Arc<dyn ModelProvider>>,
}

impl Briefing {
    /// Makes the briefing as of `now` and stores it.
    pub async fn make(&self, now: i64) -> Result<Made> {
        make(&self.db, self.tz, self.model.as_deref(), now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
