//! Server tools: the organiser actions, search, the briefing and web search, run
//! in-process on the real store. Each returns a JSON output object; [`card_for`] turns a
//! finished task into the action card the user sees, with the buttons it offers (undo,
//! open, edit), so undoing is one REST call the card already spells out.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::engine::{Engine, PlanContext};
use super::tools::Tool;
use super::types::{Intent, TaskRecord, TaskStatus};
use crate::api::Window;
use crate::bus::Module;
use crate::events::{self, EVENT_COLUMNS, EventPatch, EventRow, NewEvent};
use crate::memos::{self, MEMO_COLUMNS, MemoPatch, MemoRow, NewMemo};
use crate::time::When;
use crate::todos::{self, NewTodo, Priority, TODO_COLUMNS, TodoPatch, TodoRow, TodoStatus};

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{0}")]
    Failed(String),
    #[error("I couldn't find {0}")]
    NotFound(String),
    #[error("more than one {what} matches; which one: {}?", candidates.join(", "))]
    Ambiguous { what: &'static str, candidates: Vec<String> },
}

impl From<crate::error::Error> for ToolError {
    fn from(e: crate::error::Error) -> Self {
        match e {
            crate::error::Error::Invalid { detail, .. } => ToolError::Failed(detail),
            crate::error::Error::NotFound(what) => ToolError::NotFound(format!("that {what}")),
            other => {
                tracing::error!(error = %other, "a tool hit a store error");
                ToolError::Failed("the store could not do that just now".into())
            }
        }
    }
}

impl From<sqlx::Error> for ToolError {
    fn from(e: sqlx::Error) -> Self {
        crate::error::Error::from(e).into()
    }
}

type ToolResult = Result<Value, ToolError>;

/// Where `web_search` sends queries: a SearXNG instance's JSON API, when configured.
#[derive(Debug, Clone, Default)]
pub struct WebSearch {
    pub base_url: Option<String>,
    pub client: reqwest::Client,
}

fn text<'a>(inputs: &'a Value, key: &str) -> Option<&'a str> {
    inputs.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn when(inputs: &Value, key: &str) -> Result<Option<When>, ToolError> {
    match text(inputs, key) {
        None => Ok(None),
        Some(s) => {
            When::parse(s).map(Some).ok_or_else(|| ToolError::Failed(format!("{key}: {s:?} is not a date")))
        }
    }
}

fn tags(inputs: &Value) -> Vec<String> {
    inputs
        .get("tags")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn priority(inputs: &Value) -> Option<Priority> {
    text(inputs, "priority").and_then(|p| serde_json::from_value(json!(p)).ok())
}

/// "Clear my list": a delete that touches many items, which asks first.
pub fn is_bulk_delete(task: &TaskRecord) -> bool {
    matches!(task.task.tool, Intent::DeleteTodo | Intent::DeleteEvent | Intent::DeleteMemo)
        && task.task.inputs.get("query").and_then(Value::as_str) == Some("*")
}

pub async fn run_server_tool(engine: &Engine, tool: &Tool, inputs: &Value, ctx: &PlanContext) -> ToolResult {
    let (db, tz) = (&engine.db, engine.tz);
    let out = match tool.intent {
        Intent::CreateTodo => {
            let title =
                text(inputs, "title").ok_or_else(|| ToolError::Failed("a todo needs a title".into()))?;
            let new = NewTodo {
                title: title.to_owned(),
                description: text(inputs, "description").unwrap_or("").to_owned(),
                status: None,
                priority: priority(inputs),
                due_date: when(inputs, "due_date")?,
                reminder_minutes: None,
                recurrence_rule: None,
                tags: tags(inputs),
            };
            let todo = todos::insert_todo(&db.write, tz, new).await?;
            engine.bus.data_changed(Module::Todos);
            json!({ "todo": todo })
        }
        Intent::QueryTodos => {
            let mut sql = format!("SELECT {TODO_COLUMNS} FROM todos WHERE status != 'completed'");
            let query = text(inputs, "query").filter(|q| *q != "*");
            let fts = query.and_then(crate::search::fts_query);
            if fts.is_some() {
                sql.push_str(" AND seq IN (SELECT rowid FROM todos_fts WHERE todos_fts MATCH ?1)");
            }
            let due = when(inputs, "due_date")?;
            if due.is_some() {
                sql.push_str(" AND due_at < ?2");
            }
            sql.push_str(" ORDER BY due_at IS NULL, due_at, seq DESC LIMIT 20");
            let end_of_due = due.map(|d| d.to_ms(tz) + if d.is_day() { DAY_MS } else { 1 });
            let rows: Vec<TodoRow> = sqlx::query_as(&sql)
                .bind(fts.unwrap_or_default())
                .bind(end_of_due)
                .fetch_all(&db.read)
                .await?;
            let items: Vec<_> = rows.into_iter().map(|r| r.into_api(tz)).collect();
            json!({ "todos": items })
        }
        Intent::UpdateTodo => {
            let row = find_todo(engine, inputs).await?;
            let patch = TodoPatch {
                title: text(inputs, "new_title").map(str::to_owned),
                description: text(inputs, "description").map(str::to_owned),
                status: None,
                priority: priority(inputs),
                due_date: when(inputs, "due_date")?.map(Some),
                tags: inputs.get("tags").map(|_| tags(inputs)),
                ..TodoPatch::default()
            };
            let before = row.clone().into_api(tz);
            let todo = todos::patch_todo(&db.write, tz, &row.id, patch).await?;
            engine.bus.data_changed(Module::Todos);
            json!({ "todo": todo, "before": before })
        }
        Intent::CompleteTodo => {
            let row = find_todo(engine, inputs).await?;
            let patch = TodoPatch { status: Some(TodoStatus::Completed), ..TodoPatch::default() };
            let todo = todos::patch_todo(&db.write, tz, &row.id, patch).await?;
            engine.bus.data_changed(Module::Todos);
            json!({ "todo": todo })
        }
        Intent::DeleteTodo => {
            if text(inputs, "query") == Some("*") {
                let list = tags(inputs);
                let deleted = delete_todo_list(engine, &list).await?;
                json!({ "deleted": deleted, "list": list })
            } else {
                let row = find_todo(engine, inputs).await?;
                sqlx::query("DELETE FROM todos WHERE id = ?").bind(&row.id).execute(&db.write).await?;
                engine.bus.data_changed(Module::Todos);
                json!({ "todo": row.into_api(tz) })
            }
        }
        Intent::CreateEvent => {
            let title =
                text(inputs, "title").ok_or_else(|| ToolError::Failed("an event needs a title".into()))?;
            let start = when(inputs, "start_time")?
                .ok_or_else(|| ToolError::Failed("an event needs a time; when is it?".into()))?;
            let new = NewEvent {
                title: title.to_owned(),
                description: text(inputs, "description").unwrap_or("").to_owned(),
                location: text(inputs, "location").map(str::to_owned),
                start_time: start,
                end_time: when(inputs, "end_time")?,
                is_all_day: None,
                reminder_minutes: None,
                recurrence_rule: None,
                tags: tags(inputs),
            };
            let event = events::insert_event(&db.write, tz, new).await?;
            engine.bus.data_changed(Module::Events);
            json!({ "event": event })
        }
        Intent::QueryEvents => {
            let now = crate::db::now_ms();
            let from = when(inputs, "start_time")?.map_or(now, |w| w.to_ms(tz));
            let to = named_end(inputs, tz)?.unwrap_or(from + 7 * DAY_MS);
            let rows: Vec<EventRow> = sqlx::query_as(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE start_at < ? AND coalesce(end_at, start_at) >= ?
                 ORDER BY start_at LIMIT 50"
            ))
            .bind(to)
            .bind(from)
            .fetch_all(&db.read)
            .await?;
            let items: Vec<_> = rows.into_iter().map(|r| r.into_api(tz)).collect();
            json!({ "events": items })
        }
        Intent::UpdateEvent => {
            let row = find_event(engine, inputs, None).await?;
            let patch = EventPatch {
                title: text(inputs, "new_title").map(str::to_owned),
                description: text(inputs, "description").map(str::to_owned),
                location: text(inputs, "location").map(|l| Some(l.to_owned())),
                start_time: when(inputs, "start_time")?,
                end_time: when(inputs, "end_time")?.map(Some),
                ..EventPatch::default()
            };
            let before = row.clone().into_api(tz);
            let event = events::patch_event(&db.write, tz, &row.id, patch).await?;
            engine.bus.data_changed(Module::Events);
            json!({ "event": event, "before": before })
        }
        Intent::DeleteEvent if text(inputs, "query") == Some("*") => {
            let out = delete_events(engine, inputs).await?;
            engine.bus.data_changed(Module::Events);
            out
        }
        Intent::DeleteEvent => {
            let row = find_event(engine, inputs, event_window(inputs, tz)?).await?;
            if text(inputs, "target") == Some(NEXT) && row.recurrence_rule.is_some() {
                return Err(ToolError::Failed(format!(
                    "your next event, '{}', repeats, and deleting it would remove every time it comes; \
                     delete it in the calendar if that is what you want",
                    row.title
                )));
            }
            sqlx::query("DELETE FROM events WHERE id = ?").bind(&row.id).execute(&db.write).await?;
            engine.bus.data_changed(Module::Events);
            json!({ "event": row.into_api(tz) })
        }
        Intent::CreateMemo => {
            let content = text(inputs, "content")
                .ok_or_else(|| ToolError::Failed("there was nothing to save in the memo".into()))?;
            let memo = memos::insert_memo(
                &db.write,
                tz,
                NewMemo {
                    title: text(inputs, "title").map(str::to_owned),
                    content: content.to_owned(),
                    tags: tags(inputs),
                    pinned: false,
                },
            )
            .await?;
            engine.bus.data_changed(Module::Memos);
            json!({ "memo": memo })
        }
        Intent::QueryMemos => {
            let rows: Vec<MemoRow> = match text(inputs, "query").and_then(crate::search::fts_query) {
                Some(q) => sqlx::query_as(&format!(
                    "SELECT {MEMO_COLUMNS} FROM memos WHERE seq IN (SELECT rowid FROM memos_fts WHERE memos_fts MATCH ?)
                     ORDER BY pinned DESC, updated_at DESC LIMIT 20"
                ))
                .bind(q)
                .fetch_all(&db.read)
                .await?,
                None => sqlx::query_as(&format!(
                    "SELECT {MEMO_COLUMNS} FROM memos ORDER BY pinned DESC, updated_at DESC LIMIT 20"
                ))
                .fetch_all(&db.read)
                .await?,
            };
            let items: Vec<_> = rows.into_iter().map(|r| r.into_api(tz)).collect();
            json!({ "memos": items })
        }
        Intent::UpdateMemo => {
            let row = find_memo(engine, inputs).await?;
            let patch = MemoPatch {
                title: text(inputs, "new_title").map(str::to_owned),
                content: text(inputs, "content").map(str::to_owned),
                ..MemoPatch::default()
            };
            let before = row.clone().into_api(tz);
            let memo = memos::patch_memo(&db.write, tz, &row.id, patch).await?;
            engine.bus.data_changed(Module::Memos);
            json!({ "memo": memo, "before": before })
        }
        Intent::DeleteMemo => {
            let row = find_memo(engine, inputs).await?;
            sqlx::query("DELETE FROM memos WHERE id = ?").bind(&row.id).execute(&db.write).await?;
            engine.bus.data_changed(Module::Memos);
            json!({ "memo": row.into_api(tz) })
        }
        Intent::Search => {
            let q = text(inputs, "query").unwrap_or("");
            let window = Window::new(Some(1), Some(10))?;
            let page = crate::search::run(&db.read, tz, q, None, window).await?;
            json!({ "query": q, "results": page.items, "total": page.total })
        }
        Intent::DailyBriefing => {
            // The same briefing the scheduler makes each morning, made now: kept in the
            // Briefings conversation, so /api/today shows it too.
            let made = crate::schedule::briefing::make_now(db, tz, engine.model.as_deref()).await?;
            let today = crate::today::load(&db.read, tz).await?;
            engine.bus.data_changed(Module::Chat);
            json!({
                "text": made.text,
                "today": today,
                "provider": made.provider,
                "briefing": { "conversation_id": made.conversation_id, "message_id": made.message_id },
            })
        }
        Intent::WebSearch => web_search(engine, text(inputs, "query").unwrap_or("")).await?,
        Intent::DelegateTask => {
            let Some(model) = engine.model.clone() else {
                return Err(ToolError::Failed(
                    "working on that in the background needs a language model; connect one (AI_PROVIDER, AI_BASE_URL) and ask again".into(),
                ));
            };
            let description = text(inputs, "description")
                .or_else(|| text(inputs, "title"))
                .ok_or_else(|| ToolError::Failed("what should I work on?".into()))?
                .to_owned();
            tokio::spawn(super::model::delegate(
                engine.clone(),
                model,
                description.clone(),
                ctx.conversation_id.clone(),
            ));
            json!({ "status": "working", "description": description })
        }
        Intent::GeneralChat
        | Intent::FileRead
        | Intent::FileCreate
        | Intent::OpenApp
        | Intent::ExecutorShell => {
            return Err(ToolError::Failed(format!("{} does not run on the server", tool.name())));
        }
    };
    Ok(out)
}

/// Deletes the todos of one list (by tag), or every open todo when no list is named.
/// The engine asks the user first: this is the one organiser action that touches many.
async fn delete_todo_list(engine: &Engine, list: &[String]) -> Result<u64, ToolError> {
    let done = match list.first() {
        Some(tag) => sqlx::query(
            "DELETE FROM todos WHERE EXISTS (SELECT 1 FROM json_each(todos.tags) WHERE json_each.value = ?)",
        )
        .bind(tag)
        .execute(&engine.db.write)
        .await?,
        None => {
            sqlx::query("DELETE FROM todos WHERE status != 'completed'").execute(&engine.db.write).await?
        }
    };
    engine.bus.data_changed(Module::Todos);
    Ok(done.rows_affected())
}

/// Picks the one item a person meant by a title: an exact (case-insensitive) title wins;
/// otherwise the full-text matches whose title contains what was said; otherwise the
/// single full-text match. Several equally good candidates mean asking, never guessing.
fn pick<T: Clone>(
    said: &str,
    exact: Vec<T>,
    fuzzy: Vec<T>,
    title: impl Fn(&T) -> String,
    what: &'static str,
) -> Result<T, ToolError> {
    let names = |items: &[T]| items.iter().map(|i| format!("'{}'", title(i))).collect::<Vec<_>>();
    match exact.len() {
        1 => return exact.into_iter().next().ok_or_else(|| ToolError::NotFound(what.into())),
        n if n > 1 => return Err(ToolError::Ambiguous { what, candidates: names(&exact) }),
        _ => {}
    }
    let lower = said.to_lowercase();
    let containing: Vec<T> =
        fuzzy.iter().filter(|i| title(i).to_lowercase().contains(&lower)).cloned().collect();
    let pool = if containing.is_empty() { fuzzy } else { containing };
    match pool.len() {
        0 => Err(ToolError::NotFound(format!("a {what} called '{said}'"))),
        1 => pool.into_iter().next().ok_or_else(|| ToolError::NotFound(what.into())),
        _ => Err(ToolError::Ambiguous { what, candidates: names(&pool) }),
    }
}

async fn find_todo(engine: &Engine, inputs: &Value) -> Result<TodoRow, ToolError> {
    let said = text(inputs, "title")
        .or_else(|| text(inputs, "query"))
        .ok_or_else(|| ToolError::Failed("which todo? say its title".into()))?;
    let db = &engine.db.read;
    // Open todos first: "done with the report" means the open one.
    let exact: Vec<TodoRow> = sqlx::query_as(&format!(
        "SELECT {TODO_COLUMNS} FROM todos WHERE lower(title) = lower(?) ORDER BY status = 'completed' LIMIT 5"
    ))
    .bind(said)
    .fetch_all(db)
    .await?;
    let exact = prefer_open(exact, |t| t.status != TodoStatus::Completed);
    let fuzzy: Vec<TodoRow> = match crate::search::fts_query(said) {
        Some(q) => sqlx::query_as(&format!(
            "SELECT {TODO_COLUMNS} FROM todos WHERE seq IN (SELECT rowid FROM todos_fts WHERE todos_fts MATCH ?)
             ORDER BY status = 'completed' LIMIT 5"
        ))
        .bind(q)
        .fetch_all(db)
        .await?,
        None => vec![],
    };
    let fuzzy = prefer_open(fuzzy, |t| t.status != TodoStatus::Completed);
    pick(said, exact, fuzzy, |t| t.title.clone(), "todo")
}

fn prefer_open<T>(items: Vec<T>, open: impl Fn(&T) -> bool) -> Vec<T> {
    if items.iter().any(&open) { items.into_iter().filter(|i| open(i)).collect() } else { items }
}

/// `target` of "delete my next meeting": the soonest event still to start.
const NEXT: &str = "next";

const DAY_MS: i64 = 86_400_000;

/// Where the span `start_time`/`end_time` name ends (exclusive, in ms): at `end_time`, or
/// after its day when `end_time` is a date; with no `end_time`, after the day `start_time`
/// names when that is a date. `None` when they name no end.
fn named_end(inputs: &Value, tz: chrono_tz::Tz) -> Result<Option<i64>, ToolError> {
    let after = |w: When| w.to_ms(tz) + if w.is_day() { DAY_MS } else { 0 };
    Ok(match when(inputs, "end_time")? {
        Some(end) => Some(after(end)),
        None => when(inputs, "start_time")?.filter(|s| s.is_day()).map(after),
    })
}

/// The span `start_time`/`end_time` name, as `[from, to)` in ms: a day is the whole day, a
/// time without an end the events going on at that moment.
fn event_window(inputs: &Value, tz: chrono_tz::Tz) -> Result<Option<(i64, i64)>, ToolError> {
    let Some(start) = when(inputs, "start_time")? else { return Ok(None) };
    let from = start.to_ms(tz);
    let to = named_end(inputs, tz)?.unwrap_or(from + 1);
    Ok(Some((from, to.max(from + 1))))
}

/// The event a delete or an update means: by its title (within `window`, when a delete
/// names a span; an update's times are where the event goes, not where it is), or the next
/// one to start.
async fn find_event(
    engine: &Engine,
    inputs: &Value,
    window: Option<(i64, i64)>,
) -> Result<EventRow, ToolError> {
    if text(inputs, "target") == Some(NEXT) {
        return next_event(engine, text(inputs, "title")).await;
    }
    let said = text(inputs, "title")
        .or_else(|| text(inputs, "query"))
        .ok_or_else(|| ToolError::Failed("which event? say its title".into()))?;
    let db = &engine.db.read;
    let within: Option<HashSet<String>> = match window {
        Some((from, to)) => {
            Some(events::in_range(db, engine.tz, from, to).await?.into_iter().map(|e| e.id).collect())
        }
        None => None,
    };
    let keep = |rows: Vec<EventRow>| -> Vec<EventRow> {
        rows.into_iter().filter(|e| within.as_ref().is_none_or(|w| w.contains(&e.id))).collect()
    };
    let exact = keep(
        sqlx::query_as(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE lower(title) = lower(?) LIMIT 5"))
            .bind(said)
            .fetch_all(db)
            .await?,
    );
    let mut fuzzy = keep(events_matching(db, said).await?);
    // "the dentist appointment" is the event called "Dentist".
    let telling = telling_words(said);
    if exact.is_empty() && fuzzy.is_empty() && !telling.is_empty() && telling != said.to_lowercase() {
        fuzzy = keep(events_matching(db, &telling).await?);
    }
    pick(said, exact, fuzzy, |e| e.title.clone(), "event")
}

/// Events whose title or text hold every word of `said` (the last as a prefix).
async fn events_matching(db: &sqlx::SqlitePool, said: &str) -> Result<Vec<EventRow>, ToolError> {
    let Some(q) = crate::search::fts_query(said) else { return Ok(vec![]) };
    Ok(sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)
         ORDER BY start_at LIMIT 5"
    ))
    .bind(q)
    .fetch_all(db)
    .await?)
}

/// Words that say "an event" without telling which one.
const UNTELLING: [&str; 16] = [
    "event",
    "events",
    "meeting",
    "meetings",
    "appointment",
    "appointments",
    "entry",
    "call",
    "with",
    "the",
    "my",
    "a",
    "an",
    "for",
    "at",
    "on",
];

/// `said` in lower case without the words that do not tell one event from another.
fn telling_words(said: &str) -> String {
    said.to_lowercase().split_whitespace().filter(|w| !UNTELLING.contains(w)).collect::<Vec<_>>().join(" ")
}

/// The soonest event that has not started yet (a repeating one by its next occurrence),
/// whose title holds every telling word of `title` when one is given ("dentist
/// appointment" finds "Dentist", "meeting with Sam" finds "Lunch with Sam").
async fn next_event(engine: &Engine, title: Option<&str>) -> Result<EventRow, ToolError> {
    let now = crate::db::now_ms();
    let ahead = events::in_range(&engine.db.read, engine.tz, now, now + 366 * DAY_MS).await?;
    let telling = title.map(telling_words).unwrap_or_default();
    let words: Vec<&str> = telling.split_whitespace().collect();
    ahead
        .into_iter()
        .filter(|e| e.start_at >= now)
        .find(|e| {
            let have = e.title.to_lowercase();
            words.iter().all(|w| have.contains(w))
        })
        .ok_or_else(|| match title {
            Some(t) => ToolError::NotFound(format!("an upcoming event called '{t}'")),
            None => ToolError::NotFound("an upcoming event in your calendar".into()),
        })
}

/// "Clear my calendar (for Friday)": every event, or those in the span named. A repeating
/// event that only has occurrences in the span is kept (deleting it would remove them all)
/// and named in the result.
async fn delete_events(engine: &Engine, inputs: &Value) -> Result<Value, ToolError> {
    let db = &engine.db;
    let Some((from, to)) = event_window(inputs, engine.tz)? else {
        let done = sqlx::query("DELETE FROM events").execute(&db.write).await?;
        return Ok(json!({ "deleted": done.rows_affected(), "kept_repeating": [] }));
    };
    let (repeating, single): (Vec<EventRow>, Vec<EventRow>) = events::in_range(&db.read, engine.tz, from, to)
        .await?
        .into_iter()
        .partition(|e| e.recurrence_rule.is_some());
    let ids: Vec<&str> = single.iter().map(|e| e.id.as_str()).collect();
    let done = sqlx::query("DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))")
        .bind(json!(ids).to_string())
        .execute(&db.write)
        .await?;
    let mut kept: Vec<String> = repeating.into_iter().map(|e| e.title).collect();
    kept.sort();
    kept.dedup();
    let kept: Vec<Value> = kept.into_iter().map(|title| json!({ "title": title })).collect();
    Ok(json!({ "deleted": done.rows_affected(), "kept_repeating": kept }))
}

async fn find_memo(engine: &Engine, inputs: &Value) -> Result<MemoRow, ToolError> {
    let said = text(inputs, "query")
        .or_else(|| text(inputs, "title"))
        .ok_or_else(|| ToolError::Failed("which memo? say a few words from it".into()))?;
    let db = &engine.db.read;
    let exact: Vec<MemoRow> =
        sqlx::query_as(&format!("SELECT {MEMO_COLUMNS} FROM memos WHERE lower(title) = lower(?) LIMIT 5"))
            .bind(said)
            .fetch_all(db)
            .await?;
    let fuzzy: Vec<MemoRow> = match crate::search::fts_query(said) {
        Some(q) => sqlx::query_as(&format!(
            "SELECT {MEMO_COLUMNS} FROM memos WHERE seq IN (SELECT rowid FROM memos_fts WHERE memos_fts MATCH ?)
             ORDER BY updated_at DESC LIMIT 5"
        ))
        .bind(q)
        .fetch_all(db)
        .await?,
        None => vec![],
    };
    pick(said, exact, fuzzy, |m| m.title.clone(), "memo")
}

async fn web_search(engine: &Engine, query: &str) -> ToolResult {
    let Some(base) = engine.web.base_url.as_deref() else {
        let window = Window::new(Some(1), Some(5))?;
        let local = crate::search::run(&engine.db.read, engine.tz, query, None, window).await?;
        return Ok(json!({
            "configured": false,
            "query": query,
            "message": "Web search is not set up (set SEARCH_URL to a SearXNG instance). Here is what your own notes say instead.",
            "local_results": local.items,
        }));
    };
    let url = format!("{}/search", base.trim_end_matches('/'));
    let response = engine
        .web
        .client
        .get(url)
        .query(&[("q", query), ("format", "json")])
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| ToolError::Failed(format!("the search service did not answer ({})", e.without_url())))?;
    if !response.status().is_success() {
        return Err(ToolError::Failed(format!("the search service answered {}", response.status())));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|_| ToolError::Failed("the search service sent something unreadable".into()))?;
    let results: Vec<Value> = body
        .get("results")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .take(8)
                .map(|r| json!({"title": r.get("title"), "url": r.get("url"), "content": r.get("content")}))
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({ "configured": true, "query": query, "results": results }))
}

/// The card a finished task shows, if it shows one.
pub fn card_for(task: &TaskRecord) -> Option<(String, Value, Vec<Value>)> {
    let out = task.output.as_ref();
    let action = |name: &str, label: &str, method: &str, path: String, body: Option<Value>| {
        let mut a = json!({"action": name, "label": label, "method": method, "path": path});
        if let (Some(b), Some(map)) = (body, a.as_object_mut()) {
            map.insert("body".into(), b);
        }
        a
    };
    if task.status != TaskStatus::Done {
        return Some((
            "task_result".into(),
            json!({"task_id": task.task.task_id, "tool": task.task.tool, "status": task.status, "error": task.error}),
            vec![],
        ));
    }
    let id_of = |key: &str| {
        out.and_then(|o| o.get(key)).and_then(|v| v.get("id")).and_then(Value::as_str).map(str::to_owned)
    };
    let payload = out.cloned().unwrap_or(Value::Null);
    let card = match task.task.tool {
        Intent::CreateTodo => {
            let id = id_of("todo")?;
            (
                "todo_created",
                vec![
                    action("undo", "Undo", "DELETE", format!("/api/todos/{id}"), None),
                    action("open", "Open", "GET", format!("/api/todos/{id}"), None),
                    action("edit", "Edit", "PATCH", format!("/api/todos/{id}"), None),
                ],
            )
        }
        Intent::CompleteTodo => {
            let id = id_of("todo")?;
            (
                "todo_completed",
                vec![action(
                    "undo",
                    "Undo",
                    "PATCH",
                    format!("/api/todos/{id}"),
                    Some(json!({"status": "pending"})),
                )],
            )
        }
        Intent::UpdateTodo => {
            let id = id_of("todo")?;
            let before = out.and_then(|o| o.get("before")).cloned();
            let restore = before.map(|b| json!({"title": b["title"], "description": b["description"], "priority": b["priority"], "due_date": b["due_date"], "tags": b["tags"]}));
            ("todo_updated", vec![action("undo", "Undo", "PATCH", format!("/api/todos/{id}"), restore)])
        }
        Intent::DeleteTodo => {
            let recreate = out.and_then(|o| o.get("todo")).map(|t| json!({"title": t["title"], "description": t["description"], "priority": t["priority"], "due_date": t["due_date"], "tags": t["tags"], "status": t["status"]}));
            match recreate {
                Some(body) => {
                    ("todo_deleted", vec![action("undo", "Undo", "POST", "/api/todos".into(), Some(body))])
                }
                None => ("todos_deleted", vec![]),
            }
        }
        Intent::CreateEvent => {
            let id = id_of("event")?;
            (
                "event_created",
                vec![
                    action("undo", "Undo", "DELETE", format!("/api/events/{id}"), None),
                    action("open", "Open", "GET", format!("/api/events/{id}"), None),
                    action("edit", "Edit", "PATCH", format!("/api/events/{id}"), None),
                ],
            )
        }
        Intent::UpdateEvent => {
            let id = id_of("event")?;
            let before = out.and_then(|o| o.get("before")).cloned();
            let restore = before.map(|b| json!({"title": b["title"], "start_time": b["start_time"], "end_time": b["end_time"], "location": b["location"], "description": b["description"]}));
            ("event_updated", vec![action("undo", "Undo", "PATCH", format!("/api/events/{id}"), restore)])
        }
        Intent::DeleteEvent if out.and_then(|o| o.get("deleted")).is_some() => ("events_deleted", vec![]),
        Intent::DeleteEvent => {
            let body = out.and_then(|o| o.get("event")).map(|e| json!({"title": e["title"], "description": e["description"], "location": e["location"], "start_time": e["start_time"], "end_time": e["end_time"], "is_all_day": e["is_all_day"], "reminder_minutes": e["reminder_minutes"], "recurrence_rule": e["recurrence_rule"], "tags": e["tags"]}));
            (
                "event_deleted",
                body.map(|b| vec![action("undo", "Undo", "POST", "/api/events".into(), Some(b))])
                    .unwrap_or_default(),
            )
        }
        Intent::CreateMemo => {
            let id = id_of("memo")?;
            (
                "memo_created",
                vec![
                    action("undo", "Undo", "DELETE", format!("/api/memos/{id}"), None),
                    action("open", "Open", "GET", format!("/api/memos/{id}"), None),
                ],
            )
        }
        Intent::UpdateMemo => {
            let id = id_of("memo")?;
            let restore = out
                .and_then(|o| o.get("before"))
                .map(|b| json!({"title": b["title"], "content": b["content"]}));
            ("memo_updated", vec![action("undo", "Undo", "PATCH", format!("/api/memos/{id}"), restore)])
        }
        Intent::DeleteMemo => {
            let body = out.and_then(|o| o.get("memo")).map(|m| json!({"title": m["title"], "content": m["content"], "tags": m["tags"], "pinned": m["pinned"]}));
            (
                "memo_deleted",
                body.map(|b| vec![action("undo", "Undo", "POST", "/api/memos".into(), Some(b))])
                    .unwrap_or_default(),
            )
        }
        Intent::QueryTodos
        | Intent::QueryEvents
        | Intent::QueryMemos
        | Intent::Search
        | Intent::WebSearch => ("search_results", vec![]),
        Intent::DailyBriefing => ("briefing", vec![]),
        _ => ("task_result", vec![]),
    };
    Some((card.0.to_owned(), payload, card.1))
}
