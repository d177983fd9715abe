//! Todos: `/api/todos`.

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::bus::Module;
use crate::features::OrganiserContext;
use crate::features::search::{Named, fts_query, named_query};
use crate::infra::db::{Arg, new_id, now_ms, pack, packed, unpack};
use crate::infra::error::responses::{
    BodyTooLarge, InvalidFilter, InvalidValues, MalformedJson, NotJson, NotLoggedIn,
};
use crate::infra::error::{Error, ErrorBody, Fields, Result};
use crate::infra::extract::{Json, Query};
use crate::infra::pagination::{
    Page, Window, double_option, patched_whole_number, tags_from_json, tags_to_json, whole_number,
};
use crate::infra::time::{When, render, render_due};

#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum TodoStatus {
    Pending,
    InProgress,
    Completed,
}

impl TodoStatus {
    /// The status as the `todos` table stores it (and the API names it).
    pub fn stored(self) -> &'static str {
        match self {
            TodoStatus::Pending => "pending",
            TodoStatus::InProgress => "in_progress",
            TodoStatus::Completed => "completed",
        }
    }
}

#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    /// The priority as the `todos` table stores it (and the API names it).
    pub fn stored(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema)]
pub struct Todo {
    pub id: String,
    pub title: String,
    pub description: String,
    pub status: TodoStatus,
    pub priority: Priority,
    /// A date-time in the user's offset, or a bare date for a day-level due date.
    pub due_date: Option<String>,
    /// Minutes before `due_date` the reminder fires (null: at the due time).
    #[ts(type = "number | null")]
    pub reminder_minutes: Option<i64>,
    /// An RFC 5545 RRULE such as `FREQ=WEEKLY;BYDAY=MO`: completing the todo moves it to
    /// its next occurrence instead of closing it.
    pub recurrence_rule: Option<String>,
    pub tags: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
}

/// A stored todo, read as a row or from a packed page ([`crate::infra::db::unpack`]), in
/// [`TODO_COLUMNS`]' order.
#[derive(Debug, Clone, FromRow, Deserialize)]
pub struct TodoRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub status: TodoStatus,
    pub priority: Priority,
    pub due_at: Option<i64>,
    #[serde(deserialize_with = "crate::infra::db::flag")]
    pub due_is_date: bool,
    pub reminder_minutes: Option<i64>,
    pub recurrence_rule: Option<String>,
    pub tags: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
}

pub const TODO_COLUMNS: &str = "id, title, description, status, priority, due_at, due_is_date, reminder_minutes, recurrence_rule, tags, created_at, updated_at, completed_at";

/// A checked `SELECT` of [`TodoRow`]s: [`TODO_COLUMNS`] with the types sqlx cannot tell
/// from the schema, `FROM todos`, then `$rest` (the `WHERE` and `ORDER BY`) and its
/// arguments.
macro_rules! select_todos {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            TodoRow,
            r#"SELECT id, title, description, status AS "status: _", priority AS "priority: _", due_at,
                   due_is_date AS "due_is_date: _", reminder_minutes, recurrence_rule, tags, created_at,
                   updated_at, completed_at
               FROM todos "# + $rest
            $(, $arg)*
        )
    };
}

impl TodoRow {
    pub fn into_api(self, tz: chrono_tz::Tz) -> Todo {
        Todo {
            id: self.id,
            title: self.title,
            description: self.description,
            status: self.status,
            priority: self.priority,
            due_date: self.due_at.map(|ms| render_due(ms, self.due_is_date, tz)),
            reminder_minutes: self.reminder_minutes,
            recurrence_rule: self.recurrence_rule,
            tags: tags_from_json(&self.tags),
            created_at: render(self.created_at, tz),
            updated_at: render(self.updated_at, tz),
            completed_at: self.completed_at.map(|ms| render(ms, tz)),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTodo {
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub description: String,
    #[serde(default)]
    pub status: Option<TodoStatus>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// RFC 3339 date-time (any offset) or a bare date.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026-03-13T15:00:00-07:00", pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub due_date: Option<When>,
    /// Minutes before the due time to remind (default: at it).
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 40320)]
    pub reminder_minutes: Option<i64>,
    /// An RFC 5545 RRULE; needs a `due_date`, the first occurrence.
    /// An RFC 5545 RRULE; needs a `due_date`, the first occurrence.
    #[serde(default)]
    #[schema(schema_with = crate::infra::recurrence::rule_schema)]
    pub recurrence_rule: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::infra::error::tags_schema)]
    pub tags: Vec<String>,
}

/// Only the fields present change; `"due_date": null` clears the due date.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TodoPatch {
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub title: Option<String>,
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    pub status: Option<TodoStatus>,
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "2026-03-13", pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub due_date: Option<Option<When>>,
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
pub struct TodoFilter {
    pub status: Option<TodoStatus>,
    pub priority: Option<Priority>,
    /// Only todos due before this instant (or day).
    #[param(value_type = Option<String>, pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub due_before: Option<When>,
    /// Only todos due at or after this instant (or day).
    #[param(value_type = Option<String>, pattern = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$")]
    pub due_after: Option<When>,
    pub tag: Option<String>,
    /// Words to look for in title, description and tags.
    pub q: Option<String>,
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
{
    OpenApiRouter::new()
        .routes(routes!(list_todos, create_todo))
        .routes(routes!(get_todo, update_todo, delete_todo))
        .routes(routes!(complete_todo))
}

pub async fn fetch_todo(db: &sqlx::SqlitePool, id: &str) -> Result<TodoRow> {
    select_todos!("WHERE id = ?", id).fetch_optional(db).await?.ok_or(Error::NotFound("todo"))
}

/// Deletes the todo `id`; `NotFound` when there is none.
pub async fn remove_todo(db: &sqlx::SqlitePool, id: &str) -> Result<()> {
    let done = sqlx::query!("DELETE FROM todos WHERE id = ?", id).execute(db).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("todo"));
    }
    Ok(())
}

/// Which todos [`remove_list`] deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clearing {
    /// The whole list named, or every open todo when none is.
    All,
    /// Only the todos already done ("clear my completed tasks"), of the list named if one is.
    Done,
}

/// Deletes the todos of one list (those tagged `tag`), or every open todo when no list is
/// named, or with [`Clearing::Done`] only those done; returns how many went.
pub async fn remove_list(db: &sqlx::SqlitePool, tag: Option<&str>, which: Clearing) -> Result<u64> {
    if which == Clearing::Done {
        let done = sqlx::query!(
            "DELETE FROM todos WHERE status = 'completed'
               AND (?1 IS NULL OR EXISTS (SELECT 1 FROM json_each(todos.tags) WHERE json_each.value = ?1))",
            tag
        )
        .execute(db)
        .await?;
        return Ok(done.rows_affected());
    }
    let done = match tag {
        Some(tag) => sqlx::query!(
            "DELETE FROM todos WHERE EXISTS (SELECT 1 FROM json_each(todos.tags) WHERE json_each.value = ?)",
            tag
        )
        .execute(db)
        .await?,
        None => sqlx::query!("DELETE FROM todos WHERE status != 'completed'").execute(db).await?,
    };
    Ok(done.rows_affected())
}

/// Up to 20 open todos, soonest due first: those holding `words` (the last as a prefix),
/// when given, and due before `due_before` (ms), when given.
pub async fn open_todos(
    db: &sqlx::SqlitePool,
    tz: chrono_tz::Tz,
    words: Option<&str>,
    due_before: Option<i64>,
) -> Result<Vec<Todo>> {
    let mut sql = format!("SELECT {TODO_COLUMNS} FROM todos WHERE status != 'completed'");
    let fts = words.and_then(fts_query);
    if fts.is_some() {
        sql.push_str(" AND seq IN (SELECT rowid FROM todos_fts WHERE todos_fts MATCH ?1)");
    }
    if due_before.is_some() {
        sql.push_str(" AND due_at < ?2");
    }
    sql.push_str(" ORDER BY due_at IS NULL, due_at, seq DESC LIMIT 20");
    let rows: Vec<TodoRow> =
        sqlx::query_as(&sql).bind(fts.unwrap_or_default()).bind(due_before).fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| r.into_api(tz)).collect())
}

/// The todos a person may mean by `said`: those titled exactly so, and those holding its
/// words. Open todos come first in each, and when any is open only the open ones are
/// kept: "done with the report" means the open one.
pub async fn todos_named(db: &sqlx::SqlitePool, said: &str) -> Result<Named<TodoRow>> {
    let exact: Vec<TodoRow> =
        select_todos!("WHERE lower(title) = lower(?) ORDER BY status = 'completed' LIMIT 5", said)
            .fetch_all(db)
            .await?;
    let fuzzy: Vec<TodoRow> = match named_query(said) {
        Some(q) => {
            select_todos!(
                "WHERE seq IN (SELECT rowid FROM todos_fts WHERE todos_fts MATCH ?)
                 ORDER BY status = 'completed' LIMIT 5",
                q
            )
            .fetch_all(db)
            .await?
        }
        None => vec![],
    };
    let open = |t: &TodoRow| t.status != TodoStatus::Completed;
    Ok(Named { exact: prefer(exact, open), fuzzy: prefer(fuzzy, open) })
}

/// `items` that are `wanted`, when any is; else all of them.
fn prefer<T>(items: Vec<T>, wanted: impl Fn(&T) -> bool) -> Vec<T> {
    if items.iter().any(&wanted) { items.into_iter().filter(|i| wanted(i)).collect() } else { items }
}

/// Open todos that are overdue at `now`: a timed one past its minute, or a day-level one
/// whose day is over (the day that starts at `day_start` is today); the oldest first, at
/// most `cap`. A statement giving them packed ([`crate::infra::db::unpack`] reads it), its
/// parameters the placeholders given (such as `?1`), so Today runs it beside its others.
pub fn overdue_sql(now: &str, day_start: &str, cap: &str) -> String {
    let select = format!(
        "SELECT {TODO_COLUMNS} FROM todos
         WHERE status != 'completed' AND due_at IS NOT NULL
           AND ((due_is_date = 0 AND due_at < {now}) OR (due_is_date = 1 AND due_at < {day_start}))
         ORDER BY due_at LIMIT {cap}"
    );
    packed(TODO_COLUMNS, &select)
}

/// Open todos due today (`[start, end)` in ms) and not yet overdue at `now`: day-level ones
/// first, then by time, at most `cap`; packed, as [`overdue_sql`].
pub fn due_today_sql(now: &str, (start, end): (&str, &str), cap: &str) -> String {
    let select = format!(
        "SELECT {TODO_COLUMNS} FROM todos
         WHERE status != 'completed' AND due_at >= {start} AND due_at < {end}
           AND (due_is_date = 1 OR due_at >= {now})
         ORDER BY due_is_date, due_at LIMIT {cap}"
    );
    packed(TODO_COLUMNS, &select)
}

/// List todos, soonest due first, with filters.
#[utoipa::path(get, path = "/api/todos", tag = "todos", params(TodoFilter), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of todos", body = Page<Todo>),
        NotLoggedIn,
        InvalidFilter,
    ))]
async fn list_todos(
    State(state): State<OrganiserContext>,
    Query(f): Query<TodoFilter>,
) -> Result<Json<Page<Todo>>> {
    let window = Window::new(f.page, f.limit)?;
    let Some((filter, args)) = filters(&f, state.tz) else {
        return Ok(Json(window.wrap(vec![], 0)));
    };
    // One statement, one row: the count as an uncorrelated scalar subquery (run once; with
    // no filter SQLite counts the table's b-tree without reading a row), and the page,
    // which walks the list-order index and stops after `limit` rows, packed as JSON in
    // that order (`db::pack`). The filter's values are bound once for each.
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM todos{filter}), {} FROM (SELECT seq, {TODO_COLUMNS} FROM todos{filter}
         ORDER BY {LIST_ORDER} LIMIT ? OFFSET ?)",
        pack(TODO_COLUMNS)
    );
    let mut all = args.clone();
    all.extend(args);
    all.extend([Arg::Int(i64::from(window.limit)), Arg::Int(window.offset())]);
    let (total, page): (i64, String) = state.db.pages.row(sql, all, |r| Ok((r.get(0)?, r.get(1)?))).await?;
    let rows: Vec<TodoRow> = unpack(&page)?;
    let items = rows.into_iter().map(|r| r.into_api(state.tz)).collect();
    Ok(Json(window.wrap(items, total)))
}

/// The list's order: open before completed, soonest due first, undated last, newest first.
const LIST_ORDER: &str = "status = 'completed', due_at IS NULL, due_at, seq DESC";

/// The WHERE clause for `f` (empty without a filter, so that the count is SQLite's b-tree
/// count) and the values for its placeholders; `None` when the filter can match nothing.
fn filters(f: &TodoFilter, tz: chrono_tz::Tz) -> Option<(String, Vec<Arg>)> {
    let mut conditions: Vec<&str> = vec![];
    let mut args: Vec<Arg> = vec![];
    if let Some(status) = f.status {
        conditions.push("status = ?");
        args.push(status.stored().into());
    }
    if let Some(priority) = f.priority {
        conditions.push("priority = ?");
        args.push(priority.stored().into());
    }
    if let Some(before) = f.due_before {
        conditions.push("due_at < ?");
        args.push(before.to_ms(tz).into());
    }
    if let Some(after) = f.due_after {
        conditions.push("due_at >= ?");
        args.push(after.to_ms(tz).into());
    }
    if let Some(tag) = f.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        conditions.push("EXISTS (SELECT 1 FROM json_each(todos.tags) WHERE json_each.value = ?)");
        args.push(tag.into());
    }
    if let Some(q) = f.q.as_deref() {
        conditions.push("seq IN (SELECT rowid FROM todos_fts WHERE todos_fts MATCH ?)");
        args.push(fts_query(q)?.into());
    }
    let filter =
        if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    Some((filter, args))
}

/// Create a todo.
#[utoipa::path(post, path = "/api/todos", tag = "todos", request_body = NewTodo, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Todo),
        MalformedJson,
        NotLoggedIn,
        BodyTooLarge,
        NotJson,
        InvalidValues,
    ))]
async fn create_todo(
    State(state): State<OrganiserContext>,
    Json(new): Json<NewTodo>,
) -> Result<(StatusCode, Json<Todo>)> {
    Fields {
        title: Some(&new.title),
        description: Some(&new.description),
        reminder_minutes: new.reminder_minutes,
        tags: Some(&new.tags),
        ..Fields::default()
    }
    .check()?;
    let todo = insert_todo(&state.db.write, state.tz, new).await?;
    state.bus.data_changed(Module::Todos);
    Ok((StatusCode::CREATED, Json(todo)))
}

/// Inserts a todo; shared by the REST route and the assistant's `create_todo` tool.
pub async fn insert_todo(db: &sqlx::SqlitePool, tz: chrono_tz::Tz, new: NewTodo) -> Result<Todo> {
    let now = now_ms();
    let status = new.status.unwrap_or(TodoStatus::Pending);
    let rule = new.recurrence_rule.as_deref().map(crate::infra::recurrence::normalise_rule).transpose()?;
    if rule.is_some() && new.due_date.is_none() {
        return Err(Error::invalid(
            "recurrence_rule",
            "a repeating todo needs a due_date (its first occurrence)",
        ));
    }
    let row = TodoRow {
        id: new_id(),
        title: new.title.trim().to_owned(),
        description: new.description,
        status,
        priority: new.priority.unwrap_or(Priority::Medium),
        due_at: new.due_date.map(|d| d.to_ms(tz)),
        due_is_date: new.due_date.is_some_and(When::is_day),
        reminder_minutes: new.reminder_minutes,
        recurrence_rule: rule,
        tags: tags_to_json(&new.tags),
        created_at: now,
        updated_at: now,
        completed_at: (status == TodoStatus::Completed).then_some(now),
    };
    sqlx::query!(
        "INSERT INTO todos (id, title, description, status, priority, due_at, due_is_date, reminder_minutes,
             recurrence_rule, tags, created_at, updated_at, completed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.id,
        row.title,
        row.description,
        row.status,
        row.priority,
        row.due_at,
        row.due_is_date,
        row.reminder_minutes,
        row.recurrence_rule,
        row.tags,
        row.created_at,
        row.updated_at,
        row.completed_at,
    )
    .execute(db)
    .await?;
    Ok(row.into_api(tz))
}

/// One todo.
#[utoipa::path(get, path = "/api/todos/{id}", tag = "todos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Todo id")),
    responses(
        (status = 200, description = "The todo", body = Todo),
        NotLoggedIn,
        (status = 404, description = "No such todo", body = ErrorBody),
    ))]
async fn get_todo(State(state): State<OrganiserContext>, Path(id): Path<String>) -> Result<Json<Todo>> {
    Ok(Json(fetch_todo(&state.db.read, &id).await?.into_api(state.tz)))
}

/// Change some fields of a todo.
#[utoipa::path(patch, path = "/api/todos/{id}", tag = "todos", request_body = TodoPatch, security(("bearer" = [])),
    params(("id" = String, Path, description = "Todo id")),
    responses(
        (status = 200, description = "The updated todo", body = Todo),
        MalformedJson,
        NotLoggedIn,
        BodyTooLarge,
        (status = 404, description = "No such todo", body = ErrorBody),
        NotJson,
        InvalidValues,
    ))]
async fn update_todo(
    State(state): State<OrganiserContext>,
    Path(id): Path<String>,
    Json(patch): Json<TodoPatch>,
) -> Result<Json<Todo>> {
    Fields {
        title: patch.title.as_deref(),
        description: patch.description.as_deref(),
        reminder_minutes: patch.reminder_minutes.flatten(),
        tags: patch.tags.as_deref(),
        ..Fields::default()
    }
    .check()?;
    let updated = patch_todo(&state.db.write, state.tz, &id, patch).await?;
    state.bus.data_changed(Module::Todos);
    Ok(Json(updated))
}

/// Applies a patch in one transaction on the write connection, so two edits never
/// interleave between the read and the write.
pub async fn patch_todo(
    db: &sqlx::SqlitePool,
    tz: chrono_tz::Tz,
    id: &str,
    patch: TodoPatch,
) -> Result<Todo> {
    let mut tx = db.begin().await?;
    let mut row =
        select_todos!("WHERE id = ?", id).fetch_optional(&mut *tx).await?.ok_or(Error::NotFound("todo"))?;
    let now = now_ms();
    if let Some(title) = patch.title {
        row.title = title.trim().to_owned();
    }
    if let Some(description) = patch.description {
        row.description = description;
    }
    if let Some(priority) = patch.priority {
        row.priority = priority;
    }
    if let Some(status) = patch.status {
        if status != row.status {
            row.completed_at = (status == TodoStatus::Completed).then_some(now);
        }
        row.status = status;
    }
    if let Some(due) = patch.due_date {
        row.due_at = due.map(|d| d.to_ms(tz));
        row.due_is_date = due.is_some_and(When::is_day);
    }
    if let Some(tags) = patch.tags {
        row.tags = tags_to_json(&tags);
    }
    if let Some(reminder) = patch.reminder_minutes {
        row.reminder_minutes = reminder;
    }
    if let Some(rule) = patch.recurrence_rule {
        row.recurrence_rule = rule.as_deref().map(crate::infra::recurrence::normalise_rule).transpose()?;
    }
    if row.recurrence_rule.is_some() && row.due_at.is_none() {
        return Err(Error::invalid(
            "recurrence_rule",
            "a repeating todo needs a due_date (its first occurrence)",
        ));
    }
    // Completing a repeating todo moves it to its next occurrence; after the last one it
    // completes for good.
    let next = match (row.status, row.recurrence_rule.as_deref(), row.due_at) {
        (TodoStatus::Completed, Some(rule), Some(due)) => next_occurrence(rule, due, tz),
        _ => None,
    };
    if let Some(next) = next {
        row.due_at = Some(next);
        row.status = TodoStatus::Pending;
        row.completed_at = None;
    }
    row.updated_at = now;
    sqlx::query!(
        "UPDATE todos SET title = ?, description = ?, status = ?, priority = ?, due_at = ?, due_is_date = ?,
             reminder_minutes = ?, recurrence_rule = ?, tags = ?, updated_at = ?, completed_at = ? WHERE id = ?",
        row.title,
        row.description,
        row.status,
        row.priority,
        row.due_at,
        row.due_is_date,
        row.reminder_minutes,
        row.recurrence_rule,
        row.tags,
        row.updated_at,
        row.completed_at,
        id,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row.into_api(tz))
}

/// Delete a todo.
#[utoipa::path(delete, path = "/api/todos/{id}", tag = "todos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Todo id")),
    responses(
        (status = 204, description = "Deleted"),
        NotLoggedIn,
        (status = 404, description = "No such todo", body = ErrorBody),
    ))]
async fn delete_todo(State(state): State<OrganiserContext>, Path(id): Path<String>) -> Result<StatusCode> {
    remove_todo(&state.db.write, &id).await?;
    state.bus.data_changed(Module::Todos);
    Ok(StatusCode::NO_CONTENT)
}

/// Mark a todo completed.
#[utoipa::path(post, path = "/api/todos/{id}/complete", tag = "todos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Todo id")),
    responses(
        (status = 200, description = "The completed todo", body = Todo),
        NotLoggedIn,
        (status = 404, description = "No such todo", body = ErrorBody),
    ))]
async fn complete_todo(State(state): State<OrganiserContext>, Path(id): Path<String>) -> Result<Json<Todo>> {
    let patch = TodoPatch { status: Some(TodoStatus::Completed), ..TodoPatch::default() };
    let updated = patch_todo(&state.db.write, state.tz, &id, patch).await?;
    state.bus.data_changed(Module::Todos);
    Ok(Json(updated))
}

/// The occurrence of a repeating todo after the one due at `due` (the rule runs from
/// `due`, in the user's zone, so local times hold across daylight-saving changes).
pub fn next_occurrence(rule: &str, due: i64, tz: chrono_tz::Tz) -> Option<i64> {
    const YEARS_AHEAD: i64 = 5 * 366 * crate::infra::time::DAY_MS;
    crate::infra::recurrence::occurrences(rule, due, None, tz, due + 1, due + YEARS_AHEAD, 1).first().copied()
}

/// The earliest reminder of an open todo strictly after `after`, for the scheduler's sleep.
pub async fn next_reminder_after(db: &sqlx::SqlitePool, after: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT min(remind_at) AS "next?: i64" FROM todos WHERE status != 'completed' AND remind_at > ?"#,
        after
    )
    .fetch_one(db)
    .await?)
}

/// Open todos whose reminder falls in `(from, to]`, earliest first: `(id, title, due_at,
/// remind_at)`.
pub async fn reminders_between(
    db: &sqlx::SqlitePool,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT id, title, due_at AS "due_at!", remind_at AS "remind_at!: i64" FROM todos
         WHERE status != 'completed' AND remind_at > ?1 AND remind_at <= ?2 ORDER BY remind_at"#,
        from,
        to
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.title, r.due_at, r.remind_at)).collect())
}

/// Open todos that became overdue in `(from, to]`, earliest first: `(id, title, due_at,
/// due_is_date, overdue_at)`.
pub async fn overdue_between(
    db: &sqlx::SqlitePool,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64, bool, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT id, title, due_at AS "due_at!", due_is_date AS "due_is_date: bool",
               overdue_at AS "overdue_at!: i64"
           FROM todos
           WHERE status != 'completed' AND overdue_at > ?1 AND overdue_at <= ?2 ORDER BY overdue_at"#,
        from,
        to
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.title, r.due_at, r.due_is_date, r.overdue_at)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the list's filters bind are the ones the table stores, which are the API's.
    #[test]
    fn stored_names_are_the_apis() {
        for status in [TodoStatus::Pending, TodoStatus::InProgress, TodoStatus::Completed] {
            assert_eq!(serde_json::to_value(status).ok(), Some(status.stored().into()));
        }
        for priority in [Priority::Low, Priority::Medium, Priority::High, Priority::Urgent] {
            assert_eq!(serde_json::to_value(priority).ok(), Some(priority.stored().into()));
        }
    }
}
