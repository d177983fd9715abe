//! The Today dashboard: `/api/today`.

use axum::extract::{FromRef, State};
use chrono::{Datelike as _, Timelike as _};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::features::events::Event;
use crate::features::memos::{Memo, MemoRow};
use crate::features::todos::{Todo, TodoRow};
use crate::infra::db::{Arg, Db, Readers, now_ms, unpack};
use crate::infra::error::responses::NotLoggedIn;
use crate::infra::error::{Error, Result};
use crate::infra::extract::Json;
use crate::infra::time::{from_ms, render, start_of_day};

/// How many items each Today list shows at most; the full lists are a click away.
const LIST_CAP: i64 = 100;

/// What Today's one statement gives: overdue and due todos, single and repeating events,
/// pinned memos (each packed), and the briefing (id, content, creation time), if any.
type Lists = (String, String, String, String, String, Option<String>);

#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct Briefing {
    pub message_id: String,
    pub content: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct Today {
    /// The user's local date, `YYYY-MM-DD`.
    pub date: String,
    pub greeting: String,
    /// Open todos due later today.
    pub today_tasks: Vec<Todo>,
    /// Open todos whose due time (or due day) has passed.
    pub overdue_tasks: Vec<Todo>,
    /// Events that overlap today.
    pub today_events: Vec<Event>,
    pub pinned_memos: Vec<Memo>,
    /// Today's daily briefing, once one was made.
    pub briefing: Option<Briefing>,
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Db: FromRef<S>,
    Tz: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(today))
}

pub fn greeting(hour: u32) -> &'static str {
    match hour {
        5..=11 => "Good morning",
        12..=17 => "Good afternoon",
        18..=22 => "Good evening",
        _ => "Hello, night owl",
    }
}

/// What today holds, in the user's time zone.
#[utoipa::path(get, path = "/api/today", tag = "today", security(("bearer" = [])),
    responses(
        (status = 200, description = "Today's dashboard", body = Today),
        NotLoggedIn,
    ))]
async fn today(State(db): State<Db>, State(tz): State<Tz>) -> Result<Json<Today>> {
    Ok(Json(load(&db.pages, tz).await?))
}

/// Today's dashboard, as the route and the daily briefing both need it.
pub async fn load(db: &Readers, tz: Tz) -> Result<Today> {
    load_at(db, tz, now_ms()).await
}

/// Today's dashboard as of `now` (ms), for the scheduler, which reads time from its clock.
pub async fn load_at(db: &Readers, tz: Tz, now: i64) -> Result<Today> {
    let local = from_ms(now, tz);
    let day = local.date_naive();
    let day_start = start_of_day(day, tz).timestamp_millis();
    let day_end = day
        .succ_opt()
        .map_or(day_start + crate::infra::time::DAY_MS, |next| start_of_day(next, tz).timestamp_millis());

    // Every list in one statement, each packed into one JSON text (see `db::unpack`):
    // ?1 now, ?2 and ?3 the day's bounds, ?4 the cap of a list, ?5 of occurrences.
    // The briefing is looked up through the briefings conversation's messages (the
    // `messages_conversation` index): written as a join, SQLite walked every message of
    // every chat newest first, 6 ms a Today for 50,000 messages on a day without one.
    let (single, series) = crate::features::events::in_range_sql("?2", "?3", "?5");
    let sql = format!(
        "SELECT ({overdue}), ({due}), ({single}), ({series}), ({pinned}),
            (SELECT json_array(m.id, m.content, m.created_at) FROM messages m
             WHERE m.conversation_id IN (SELECT id FROM conversations WHERE kind = 'briefings')
               AND m.role = 'assistant' AND m.created_at >= ?2
             ORDER BY m.seq DESC LIMIT 1)",
        overdue = crate::features::todos::overdue_sql("?1", "?2", "?4"),
        due = crate::features::todos::due_today_sql("?1", ("?2", "?3"), "?4"),
        pinned = crate::features::memos::pinned_sql("?4"),
    );
    let args = vec![
        Arg::Int(now),
        Arg::Int(day_start),
        Arg::Int(day_end),
        Arg::Int(LIST_CAP),
        Arg::Int(crate::infra::recurrence::MAX_OCCURRENCES as i64),
    ];
    let (overdue, due_today, single, series, pinned, briefing): Lists =
        db.row(sql, args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).await?;
    let overdue: Vec<TodoRow> = unpack(&overdue)?;
    let due_today: Vec<TodoRow> = unpack(&due_today)?;
    let mut events = crate::features::events::in_range_from(&single, &series, tz, day_start, day_end)?;
    // All-day items first, then by time, as a day view shows them.
    events.sort_by_key(|e| (!e.is_all_day, e.start_at));
    events.truncate(LIST_CAP as usize);
    let pinned: Vec<MemoRow> = unpack(&pinned)?;
    let briefing: Option<(String, String, i64)> =
        briefing.map(|b| serde_json::from_str(&b)).transpose().map_err(|e| Error::Internal(e.into()))?;

    Ok(Today {
        date: format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()),
        greeting: greeting(local.hour()).to_owned(),
        today_tasks: due_today.into_iter().map(|r| r.into_api(tz)).collect(),
        overdue_tasks: overdue.into_iter().map(|r| r.into_api(tz)).collect(),
        today_events: events.into_iter().map(|r| r.into_api(tz)).collect(),
        pinned_memos: pinned.into_iter().map(|r| r.into_api(tz)).collect(),
        briefing: briefing.map(|(message_id, content, created_at)| Briefing {
            message_id,
            content,
            created_at: render(created_at, tz),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_the_local_hour() {
        assert_eq!(greeting(7), "Good morning");
        assert_eq!(greeting(13), "Good afternoon");
        assert_eq!(greeting(20), "Good evening");
        assert_eq!(greeting(2), "Hello, night owl");
    }
}
