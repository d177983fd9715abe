//! Calendar events: `/api/events`, and the calendar file they read and write as
//! (`/api/events.ics`, `/api/events/import`, in [`ics`]).

pub mod ics;

use std::sync::Arc;

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::bus::Module;
use crate::features::OrganiserContext;
use crate::infra::config::Settings;
use crate::infra::db::{new_id, now_ms, packed, unpack};
use crate::infra::error::responses::{
    BodyTooLarge, InvalidFilter, InvalidValues, MalformedJson, NotJson, NotLoggedIn,
};
use crate::infra::error::{Error, ErrorBody, Fields, Result};
use crate::infra::extract::{Json, Query};
use crate::infra::pagination::{
    Page, Window, double_option, patched_whole_number, tags_from_json, tags_to_json, whole_number,
};
use crate::infra::recurrence;
use crate::infra::time::{DAY_MS, When, render};

#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    pub id: String,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    #[schema(format = DateTime)]
    pub start_time: String,
    #[schema(format = DateTime)]
    pub end_time: Option<String>,
    pub is_all_day: bool,
    #[ts(type = "number | null")]
    pub reminder_minutes: Option<i64>,
    /// An RFC 5545 RRULE such as `FREQ=WEEKLY;BYDAY=MO`, or null.
    pub recurrence_rule: Option<String>,
    pub tags: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A stored event, read as a row or from a packed list ([`crate::infra::db::unpack`]), in
/// [`EVENT_COLUMNS`]' order.
#[derive(Debug, Clone, FromRow, Deserialize)]
pub struct EventRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub start_at: i64,
    pub end_at: Option<i64>,
    #[serde(deserialize_with = "crate::infra::db::flag")]
    pub is_all_day: bool,
    pub reminder_minutes: Option<i64>,
    pub recurrence_rule: Option<String>,
    pub tags: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const EVENT_COLUMNS: &str = "id, title, description, location, start_at, end_at, is_all_day, reminder_minutes, recurrence_rule, tags, created_at, updated_at";

/// A checked `SELECT` of [`EventRow`]s: [`EVENT_COLUMNS`] with the types sqlx cannot tell
/// from the schema, `FROM events`, then `$rest` (the `WHERE` and `ORDER BY`) and its
/// arguments.
macro_rules! select_events {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            EventRow,
            r#"SELECT id, title, description, location, start_at, end_at, is_all_day AS "is_all_day: _",
                   reminder_minutes, recurrence_rule, tags, created_at, updated_at
               FROM events "# + $rest
            $(, $arg)*
        )
    };
}

impl EventRow {
    pub fn into_api(self, tz: Tz) -> Event {
        Event {
            id: self.id,
            title: self.title,
            description: self.description,
            location: self.location,
            start_time: render(self.start_at, tz),
            end_time: self.end_at.map(|ms| render(ms, tz)),
            is_all_day: self.is_all_day,
            reminder_minutes: self.reminder_minutes,
            recurrence_rule: self.recurrence_rule,
            tags: tags_from_json(&self.tags),
            created_at: render(self.created_at, tz),
            updated_at: render(self.updated_at, tz),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewEvent {
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub description: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub location: Option<String>,
    /// RFC 3339 date-time, or a bare date for an all-day event.
    #[schema(value_type = String, example = "2026-03-12T15:00:00-07:00", pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub start_time: When,
    /// Exclusive end, not before `start_time`; a bare date means the end of that day.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026-03-12T16:00:00-07:00", pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub end_time: Option<When>,
    /// Defaults to true when `start_time` is a bare date.
    #[serde(default)]
    pub is_all_day: Option<bool>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 40320)]
    pub reminder_minutes: Option<i64>,
    #[serde(default)]
    #[schema(schema_with = crate::infra::recurrence::rule_schema)]
    pub recurrence_rule: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::infra::error::tags_schema)]
    pub tags: Vec<String>,
}

/// Only the fields present change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EventPatch {
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub title: Option<String>,
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub location: Option<Option<String>>,
    #[schema(value_type = Option<String>, pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub start_time: Option<When>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub end_time: Option<Option<When>>,
    pub is_all_day: Option<bool>,
    #[serde(default, deserialize_with = "patched_whole_number")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 40320)]
    pub reminder_minutes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = crate::infra::recurrence::rule_schema)]
    pub recurrence_rule: Option<Option<String>>,
    #[schema(schema_with = crate::infra::error::nullable_tags_schema)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilter {
    /// Events that end after this instant (or day).
    #[param(value_type = Option<String>, pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub start_after: Option<When>,
    /// Events that start before this instant (or day).
    #[param(value_type = Option<String>, pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub start_before: Option<When>,
    /// Which page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items a page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    OrganiserContext: FromRef<S>,
    Arc<Settings>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_events, create_event))
        .routes(routes!(get_event, update_event, delete_event))
        .routes(routes!(ics::export_events))
        .routes(routes!(ics::import_events))
}

/// The stored form of a new or changed event, after every rule about times is applied.
struct Times {
    start_at: i64,
    end_at: Option<i64>,
    is_all_day: bool,
}

fn resolve_times(start: When, end: Option<When>, all_day: Option<bool>, tz: Tz) -> Result<Times> {
    let start_at = start.to_ms(tz);
    // A bare end date names the last day of the event, so the exclusive end is the next day.
    let end_at = end.map(|e| e.end_ms(tz));
    if end_at.is_some_and(|e| e < start_at) {
        return Err(Error::invalid("end_time", "must not be before start_time"));
    }
    Ok(Times { start_at, end_at, is_all_day: all_day.unwrap_or(start.is_day()) })
}

pub async fn fetch_event(db: &sqlx::SqlitePool, id: &str) -> Result<EventRow> {
    select_events!("WHERE id = ?", id).fetch_optional(db).await?.ok_or(Error::NotFound("event"))
}

/// Deletes the event `id` (with every occurrence, when it repeats); `NotFound` when there
/// is none.
pub async fn remove_event(db: &sqlx::SqlitePool, id: &str) -> Result<()> {
    let done = sqlx::query!("DELETE FROM events WHERE id = ?", id).execute(db).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("event"));
    }
    Ok(())
}

/// Deletes every event, or (with `Some`) those of the ids given; returns how many went.
pub async fn remove_events(db: &sqlx::SqlitePool, ids: Option<&[&str]>) -> Result<u64> {
    let done = match ids {
        None => sqlx::query!("DELETE FROM events").execute(db).await?,
        Some(ids) => {
            let ids = serde_json::json!(ids).to_string();
            sqlx::query!("DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))", ids)
                .execute(db)
                .await?
        }
    };
    Ok(done.rows_affected())
}

/// Up to 50 stored events that start before `to` and have not ended by `from` (ms), in
/// the order they start; a repeating event once, as stored.
pub async fn events_between(db: &sqlx::SqlitePool, tz: Tz, from: i64, to: i64) -> Result<Vec<Event>> {
    let rows: Vec<EventRow> = select_events!(
        "WHERE start_at < ? AND coalesce(end_at, start_at) >= ? ORDER BY start_at LIMIT 50",
        to,
        from
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_api(tz)).collect())
}

/// Up to 50 events overlapping `from..to` whose title or text hold every word of `said`
/// but the little ones ("when is my eye test"), in the order they start.
pub async fn events_between_matching(
    db: &sqlx::SqlitePool,
    tz: Tz,
    from: i64,
    to: i64,
    said: &str,
) -> Result<Vec<Event>> {
    let Some(q) = crate::features::search::named_query(said) else { return Ok(vec![]) };
    let rows: Vec<EventRow> = select_events!(
        "WHERE start_at < ? AND coalesce(end_at, start_at) >= ?
           AND seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?) ORDER BY start_at LIMIT 50",
        to,
        from,
        q
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_api(tz)).collect())
}

/// Up to 5 events titled `said` (in any case).
pub async fn events_titled(db: &sqlx::SqlitePool, said: &str) -> Result<Vec<EventRow>> {
    Ok(select_events!("WHERE lower(title) = lower(?) LIMIT 5", said).fetch_all(db).await?)
}

/// Up to 5 events whose title or text hold every word of `said` but the little ones
/// (the last as a prefix), in the order they start.
pub async fn events_matching(db: &sqlx::SqlitePool, said: &str) -> Result<Vec<EventRow>> {
    let Some(q) = crate::features::search::named_query(said) else { return Ok(vec![]) };
    Ok(select_events!(
        "WHERE seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?) ORDER BY start_at LIMIT 5",
        q
    )
    .fetch_all(db)
    .await?)
}

/// List events by start time. With a range, the events that overlap it, a repeating one
/// as each of its occurrences in the range.
#[utoipa::path(get, path = "/api/events", tag = "events", params(EventFilter), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of events", body = Page<Event>),
        NotLoggedIn,
        InvalidFilter,
    ))]
async fn list_events(
    State(state): State<OrganiserContext>,
    Query(f): Query<EventFilter>,
) -> Result<Json<Page<Event>>> {
    let window = Window::new(f.page, f.limit)?;
    let after = f.start_after.map(|w| w.to_ms(state.tz));
    let before = f.start_before.map(|w| w.to_ms(state.tz));
    let (from, to) = match (after, before) {
        (None, None) => {
            // No range: the events themselves, a repeating one once, soonest first.
            let (limit, offset) = (i64::from(window.limit), window.offset());
            let rows: Vec<EventRow> =
                select_events!("ORDER BY start_at, seq LIMIT ? OFFSET ?", limit, offset)
                    .fetch_all(&state.db.read)
                    .await?;
            let total: i64 = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM events"#)
                .fetch_one(&state.db.read)
                .await?;
            return Ok(Json(window.wrap(rows.into_iter().map(|r| r.into_api(state.tz)).collect(), total)));
        }
        // One bound: a year on the open side keeps a repeating event's expansion finite.
        (Some(a), None) => (a, a + 366 * DAY_MS),
        (None, Some(b)) => (b - 366 * DAY_MS, b),
        (Some(a), Some(b)) => (a, b),
    };
    let all = in_range(&state.db.read, state.tz, from, to).await?;
    let total = all.len() as i64;
    let start = usize::try_from(window.offset()).unwrap_or(usize::MAX);
    let items =
        all.into_iter().skip(start).take(window.limit as usize).map(|r| r.into_api(state.tz)).collect();
    Ok(Json(window.wrap(items, total)))
}

/// Every event overlapping `[from, to)`, a repeating one as each of its occurrences there
/// (same id, the occurrence's own times), soonest first, at most
/// [`recurrence::MAX_OCCURRENCES`]. An event overlaps when it ends after `from` (ends are
/// exclusive) or, having no end, starts at or after it, and starts before `to`.
pub async fn in_range(db: &sqlx::SqlitePool, tz: Tz, from: i64, to: i64) -> Result<Vec<EventRow>> {
    let (single, series) = in_range_sql("?1", "?2", "?3");
    let (single, series): (String, String) = sqlx::query_as(&format!("SELECT ({single}), ({series})"))
        .bind(from)
        .bind(to)
        .bind(recurrence::MAX_OCCURRENCES as i64)
        .fetch_one(db)
        .await?;
    in_range_from(&single, &series, tz, from, to)
}

/// The two statements [`in_range`] runs, their parameters the SQL placeholders given (such
/// as `?1`), so that Today runs them beside its others: the single events overlapping the
/// range, at most `cap`, and every series begun before its end, each packed into one JSON
/// text (see `db::unpack`).
pub fn in_range_sql(from: &str, to: &str, cap: &str) -> (String, String) {
    let single = packed(
        EVENT_COLUMNS,
        &format!(
            "SELECT seq, {EVENT_COLUMNS} FROM events
             WHERE recurrence_rule IS NULL AND start_at < {to}
               AND ((end_at IS NOT NULL AND end_at > {from}) OR (end_at IS NULL AND start_at >= {from}))
             ORDER BY start_at, seq LIMIT {cap}"
        ),
    );
    let series = packed(
        EVENT_COLUMNS,
        &format!(
            "SELECT seq, {EVENT_COLUMNS} FROM events WHERE recurrence_rule IS NOT NULL AND start_at < {to}"
        ),
    );
    (single, series)
}

/// [`in_range`]'s answer from what its statements ([`in_range_sql`]) gave: the single
/// events, and each series' occurrences in `[from, to)`.
pub fn in_range_from(single: &str, series: &str, tz: Tz, from: i64, to: i64) -> Result<Vec<EventRow>> {
    let mut rows: Vec<EventRow> = unpack(single)?;
    let series: Vec<EventRow> = unpack(series)?;
    for event in series {
        let Some(rule) = event.recurrence_rule.as_deref() else { continue };
        let duration = event.end_at.map(|e| e - event.start_at);
        for at in
            recurrence::occurrences(rule, event.start_at, duration, tz, from, to, recurrence::MAX_OCCURRENCES)
        {
            let mut occurrence = event.clone();
            occurrence.start_at = at;
            occurrence.end_at = duration.map(|d| at + d);
            rows.push(occurrence);
        }
    }
    rows.sort_by(|a, b| a.start_at.cmp(&b.start_at).then_with(|| a.id.cmp(&b.id)));
    rows.truncate(recurrence::MAX_OCCURRENCES);
    Ok(rows)
}

/// Create an event.
#[utoipa::path(post, path = "/api/events", tag = "events", request_body = NewEvent, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Event),
        MalformedJson,
        NotLoggedIn,
        BodyTooLarge,
        NotJson,
        InvalidValues,
    ))]
async fn create_event(
    State(state): State<OrganiserContext>,
    Json(new): Json<NewEvent>,
) -> Result<(StatusCode, Json<Event>)> {
    Fields {
        title: Some(&new.title),
        description: Some(&new.description),
        location: new.location.as_deref(),
        reminder_minutes: new.reminder_minutes,
        tags: Some(&new.tags),
        ..Fields::default()
    }
    .check()?;
    let created = insert_event(&state.db.write, state.tz, new).await?;
    state.bus.data_changed(Module::Events);
    Ok((StatusCode::CREATED, Json(created)))
}

/// Inserts an event; shared by the REST route and the assistant's `create_event` tool.
pub async fn insert_event(db: &sqlx::SqlitePool, tz: Tz, new: NewEvent) -> Result<Event> {
    let times = resolve_times(new.start_time, new.end_time, new.is_all_day, tz)?;
    let rule = new.recurrence_rule.as_deref().map(recurrence::normalise_rule).transpose()?;
    let now = now_ms();
    let row = EventRow {
        id: new_id(),
        title: new.title.trim().to_owned(),
        description: new.description,
        location: new.location.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()),
        start_at: times.start_at,
        end_at: times.end_at,
        is_all_day: times.is_all_day,
        reminder_minutes: new.reminder_minutes,
        recurrence_rule: rule,
        tags: tags_to_json(&new.tags),
        created_at: now,
        updated_at: now,
    };
    write_event(db, &row, true).await?;
    Ok(row.into_api(tz))
}

async fn write_event(db: impl sqlx::SqliteExecutor<'_>, row: &EventRow, insert: bool) -> Result<()> {
    if insert {
        sqlx::query!(
            "INSERT INTO events (title, description, location, start_at, end_at, is_all_day, reminder_minutes,
                 recurrence_rule, tags, created_at, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.title,
            row.description,
            row.location,
            row.start_at,
            row.end_at,
            row.is_all_day,
            row.reminder_minutes,
            row.recurrence_rule,
            row.tags,
            row.created_at,
            row.updated_at,
            row.id,
        )
        .execute(db)
        .await?;
    } else {
        sqlx::query!(
            "UPDATE events SET title = ?, description = ?, location = ?, start_at = ?, end_at = ?, is_all_day = ?,
                 reminder_minutes = ?, recurrence_rule = ?, tags = ?, created_at = ?, updated_at = ? WHERE id = ?",
            row.title,
            row.description,
            row.location,
            row.start_at,
            row.end_at,
            row.is_all_day,
            row.reminder_minutes,
            row.recurrence_rule,
            row.tags,
            row.created_at,
            row.updated_at,
            row.id,
        )
        .execute(db)
        .await?;
    }
    Ok(())
}

/// One event.
#[utoipa::path(get, path = "/api/events/{id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event", body = Event),
        NotLoggedIn,
        (status = 404, description = "No such event", body = ErrorBody),
    ))]
async fn get_event(State(state): State<OrganiserContext>, Path(id): Path<String>) -> Result<Json<Event>> {
    Ok(Json(fetch_event(&state.db.read, &id).await?.into_api(state.tz)))
}

/// Change some fields of an event.
#[utoipa::path(patch, path = "/api/events/{id}", tag = "events", request_body = EventPatch, security(("bearer" = [])),
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 200, description = "The updated event", body = Event),
        MalformedJson,
        NotLoggedIn,
        BodyTooLarge,
        (status = 404, description = "No such event", body = ErrorBody),
        NotJson,
        InvalidValues,
    ))]
async fn update_event(
    State(state): State<OrganiserContext>,
    Path(id): Path<String>,
    Json(patch): Json<EventPatch>,
) -> Result<Json<Event>> {
    Fields {
        title: patch.title.as_deref(),
        description: patch.description.as_deref(),
        location: patch.location.as_ref().and_then(Option::as_deref),
        reminder_minutes: patch.reminder_minutes.flatten(),
        tags: patch.tags.as_deref(),
        ..Fields::default()
    }
    .check()?;
    let updated = patch_event(&state.db.write, state.tz, &id, patch).await?;
    state.bus.data_changed(Module::Events);
    Ok(Json(updated))
}

pub async fn patch_event(db: &sqlx::SqlitePool, tz: Tz, id: &str, patch: EventPatch) -> Result<Event> {
    let mut tx = db.begin().await?;
    let mut row =
        select_events!("WHERE id = ?", id).fetch_optional(&mut *tx).await?.ok_or(Error::NotFound("event"))?;
    if let Some(title) = patch.title {
        row.title = title.trim().to_owned();
    }
    if let Some(description) = patch.description {
        row.description = description;
    }
    if let Some(location) = patch.location {
        row.location = location.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    }
    if let Some(start) = patch.start_time {
        row.start_at = start.to_ms(tz);
        if patch.is_all_day.is_none() {
            row.is_all_day = start.is_day();
        }
    }
    if let Some(end) = patch.end_time {
        row.end_at = end.map(|e| e.end_ms(tz));
    }
    if row.end_at.is_some_and(|e| e < row.start_at) {
        return Err(Error::invalid("end_time", "must not be before start_time"));
    }
    if let Some(all_day) = patch.is_all_day {
        row.is_all_day = all_day;
    }
    if let Some(reminder) = patch.reminder_minutes {
        row.reminder_minutes = reminder;
    }
    if let Some(rule) = patch.recurrence_rule {
        row.recurrence_rule = rule.as_deref().map(recurrence::normalise_rule).transpose()?;
    }
    if let Some(tags) = patch.tags {
        row.tags = tags_to_json(&tags);
    }
    row.updated_at = now_ms();
    write_event(&mut *tx, &row, false).await?;
    tx.commit().await?;
    Ok(row.into_api(tz))
}

/// Delete an event.
#[utoipa::path(delete, path = "/api/events/{id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path, description = "Event id")),
    responses(
        (status = 204, description = "Deleted"),
        NotLoggedIn,
        (status = 404, description = "No such event", body = ErrorBody),
    ))]
async fn delete_event(State(state): State<OrganiserContext>, Path(id): Path<String>) -> Result<StatusCode> {
    remove_event(&state.db.write, &id).await?;
    state.bus.data_changed(Module::Events);
    Ok(StatusCode::NO_CONTENT)
}

/// What makes a UID ours: an exported event's UID is its id with this suffix.
pub const UID_SUFFIX: &str = "@clawchat";

// What a calendar import added and changed (no doc comment: it would enter the OpenAPI
// document, which stays as it was).
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    /// Events new to ClawChat.
    pub created: usize,
    /// Events imported before (same UID), now updated from the file.
    pub updated: usize,
    /// The ids of every event the file touched, in file order.
    pub ids: Vec<String>,
}

/// One event of a calendar file, checked and in stored form; `uid` is the file's UID.
#[derive(Debug)]
pub struct CalendarEvent {
    pub uid: Option<String>,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub start_at: i64,
    pub end_at: Option<i64>,
    pub is_all_day: bool,
    pub reminder_minutes: Option<i64>,
    pub recurrence_rule: Option<String>,
}

/// Every event in the order they start, with the UID it was imported under, if any.
pub async fn all_with_uids(db: &sqlx::SqlitePool) -> Result<Vec<(EventRow, Option<String>)>> {
    let rows: Vec<EventRow> = select_events!("ORDER BY start_at, seq").fetch_all(db).await?;
    let uids = sqlx::query!("SELECT id, ical_uid FROM events").fetch_all(db).await?;
    let mut uids: std::collections::HashMap<String, Option<String>> =
        uids.into_iter().map(|r| (r.id, r.ical_uid)).collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let uid = uids.remove(&row.id).flatten();
            (row, uid)
        })
        .collect())
}

/// Stores the events of a calendar file: one whose UID names an event already here (one
/// imported before, or one of our own exported) is updated, any other is created.
pub async fn import_calendar(db: &sqlx::SqlitePool, incoming: Vec<CalendarEvent>) -> Result<Imported> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let mut out = Imported { created: 0, updated: 0, ids: Vec::with_capacity(incoming.len()) };
    for e in incoming {
        // Our own export's UIDs name our own events.
        let existing: Option<String> = match &e.uid {
            Some(uid) => {
                let own = uid.strip_suffix(UID_SUFFIX).unwrap_or("");
                sqlx::query_scalar!("SELECT id FROM events WHERE ical_uid = ? OR id = ? LIMIT 1", uid, own)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let foreign_uid = e.uid.clone().filter(|u| !u.ends_with(UID_SUFFIX));
        let id = match existing {
            Some(id) => {
                sqlx::query!(
                    "UPDATE events SET title = ?, description = ?, location = ?, start_at = ?, end_at = ?,
                         is_all_day = ?, reminder_minutes = ?, recurrence_rule = ?, updated_at = ? WHERE id = ?",
                    e.title,
                    e.description,
                    e.location,
                    e.start_at,
                    e.end_at,
                    e.is_all_day,
                    e.reminder_minutes,
                    e.recurrence_rule,
                    now,
                    id,
                )
                .execute(&mut *tx)
                .await?;
                out.updated += 1;
                id
            }
            None => {
                let id = new_id();
                sqlx::query!(
                    "INSERT INTO events (id, title, description, location, start_at, end_at, is_all_day,
                         reminder_minutes, recurrence_rule, tags, created_at, updated_at, ical_uid)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?)",
                    id,
                    e.title,
                    e.description,
                    e.location,
                    e.start_at,
                    e.end_at,
                    e.is_all_day,
                    e.reminder_minutes,
                    e.recurrence_rule,
                    now,
                    now,
                    foreign_uid,
                )
                .execute(&mut *tx)
                .await?;
                out.created += 1;
                id
            }
        };
        out.ids.push(id);
    }
    tx.commit().await?;
    Ok(out)
}

/// A repeating event with a reminder, whose occurrences the scheduler expands.
#[derive(Debug, FromRow)]
pub struct ReminderSeries {
    pub id: String,
    pub title: String,
    pub location: Option<String>,
    pub start_at: i64,
    pub reminder_minutes: i64,
    pub recurrence_rule: String,
}

/// Every repeating event that has a reminder.
pub async fn reminder_series(db: &sqlx::SqlitePool) -> Result<Vec<ReminderSeries>> {
    Ok(sqlx::query_as!(
        ReminderSeries,
        r#"SELECT id, title, location, start_at, reminder_minutes AS "reminder_minutes!",
               recurrence_rule AS "recurrence_rule!"
           FROM events WHERE recurrence_rule IS NOT NULL AND reminder_minutes IS NOT NULL"#
    )
    .fetch_all(db)
    .await?)
}

/// The earliest stored reminder of an event strictly after `after` (repeating events'
/// later occurrences are the scheduler's to expand).
pub async fn next_reminder_after(db: &sqlx::SqlitePool, after: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT min(remind_at) AS "next?: i64" FROM events WHERE remind_at IS NOT NULL AND remind_at > ?"#,
        after
    )
    .fetch_one(db)
    .await?)
}

/// Events whose stored reminder falls in `(from, to]`, earliest first: `(id, title,
/// location, start_at, remind_at)`.
pub async fn reminders_between(
    db: &sqlx::SqlitePool,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, Option<String>, i64, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT id, title, location, start_at, remind_at AS "remind_at!: i64" FROM events
         WHERE remind_at IS NOT NULL AND remind_at > ?1 AND remind_at <= ?2 ORDER BY remind_at"#,
        from,
        to
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.title, r.location, r.start_at, r.remind_at)).collect())
}
