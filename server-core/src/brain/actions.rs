//! Server tools: the organiser actions, search, the briefing and web search, run
//! in-process on the real store. Each reads its inputs, calls the store functions of the
//! feature that owns the table (`todos`, `events`, `memos`, `search`, `today`), and
//! returns a JSON output object; [`card_for`] turns a finished task into the action card
//! the user sees.

use std::collections::HashSet;

use serde_json::{Value, json};

pub use super::cards::card_for;
use super::engine::{Engine, PlanContext};
use super::tools::Tool;
use super::types::{Intent, TaskRecord};
use crate::bus::Module;
use crate::features::events::{self, EventPatch, EventRow, NewEvent};
use crate::features::memos::{self, MemoPatch, MemoRow, NewMemo};
use crate::features::search::Named;
use crate::features::todos::{self, NewTodo, Priority, TodoPatch, TodoRow, TodoStatus};
use crate::infra::pagination::Window;
use crate::infra::time::{DAY_MS, When};

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{0}")]
    Failed(String),
    #[error("I couldn't find {0}")]
    NotFound(String),
    #[error("more than one {what} matches; which one: {}?", candidates.join(", "))]
    Ambiguous { what: &'static str, candidates: Vec<String> },
}

impl From<crate::infra::error::Error> for ToolError {
    fn from(e: crate::infra::error::Error) -> Self {
        match e {
            crate::infra::error::Error::Invalid { detail, .. } => ToolError::Failed(detail),
            crate::infra::error::Error::NotFound(what) => ToolError::NotFound(format!("that {what}")),
            other => {
                tracing::error!(error = %other, "a tool hit a store error");
                ToolError::Failed("the store could not do that just now".into())
            }
        }
    }
}

impl From<sqlx::Error> for ToolError {
    fn from(e: sqlx::Error) -> Self {
        crate::infra::error::Error::from(e).into()
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

pub(super) fn when(inputs: &Value, key: &str) -> Result<Option<When>, ToolError> {
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

/// Runs a server tool. Each arm is one tool; a host tool never gets here.
pub async fn run_server_tool(engine: &Engine, tool: &Tool, inputs: &Value, ctx: &PlanContext) -> ToolResult {
    match tool.intent {
        Intent::CreateTodo => create_todo(engine, inputs).await,
        Intent::QueryTodos => query_todos(engine, inputs).await,
        Intent::UpdateTodo => update_todo(engine, inputs).await,
        Intent::CompleteTodo => complete_todo(engine, inputs).await,
        Intent::DeleteTodo => delete_todo(engine, inputs).await,
        Intent::CreateEvent => create_event(engine, inputs).await,
        Intent::QueryEvents => query_events(engine, inputs).await,
        Intent::UpdateEvent => update_event(engine, inputs).await,
        Intent::DeleteEvent => delete_event(engine, inputs).await,
        Intent::CreateMemo => create_memo(engine, inputs).await,
        Intent::QueryMemos => query_memos(engine, inputs).await,
        Intent::UpdateMemo => update_memo(engine, inputs).await,
        Intent::DeleteMemo => delete_memo(engine, inputs).await,
        Intent::Search => search(engine, inputs).await,
        Intent::DailyBriefing => daily_briefing(engine).await,
        Intent::WebSearch => web_search(engine, text(inputs, "query").unwrap_or("")).await,
        Intent::DelegateTask => delegate(engine, inputs, ctx),
        Intent::GeneralChat
        | Intent::FileRead
        | Intent::FileCreate
        | Intent::OpenApp
        | Intent::ExecutorShell => {
            Err(ToolError::Failed(format!("{} does not run on the server", tool.name())))
        }
    }
}

async fn create_todo(engine: &Engine, inputs: &Value) -> ToolResult {
    let title = text(inputs, "title").ok_or_else(|| ToolError::Failed("a todo needs a title".into()))?;
    let new = NewTodo {
        title: title.to_owned(),
        description: text(inputs, "description").unwrap_or("").to_owned(),
        status: None,
        priority: priority(inputs),
        due_date: when(inputs, "due_date")?,
        reminder_minutes: None,
        recurrence_rule: text(inputs, "recurrence_rule").map(str::to_owned),
        tags: tags(inputs),
    };
    let todo = todos::insert_todo(&engine.db.write, engine.tz, new).await?;
    engine.bus.data_changed(Module::Todos);
    Ok(json!({ "todo": todo }))
}

async fn query_todos(engine: &Engine, inputs: &Value) -> ToolResult {
    let words = text(inputs, "query").filter(|q| *q != "*");
    let due = when(inputs, "due_date")?;
    let due_before = due.map(|d| d.to_ms(engine.tz) + if d.is_day() { DAY_MS } else { 1 });
    let items = todos::open_todos(&engine.db.read, engine.tz, words, due_before).await?;
    Ok(json!({ "todos": items }))
}

async fn update_todo(engine: &Engine, inputs: &Value) -> ToolResult {
    let row = find_todo(engine, inputs).await?;
    let patch = TodoPatch {
        title: text(inputs, "new_title").map(str::to_owned),
        description: text(inputs, "description").map(str::to_owned),
        status: None,
        priority: priority(inputs),
        due_date: super::moves::todo_due(&row, inputs, engine.tz)?.map(Some),
        tags: inputs.get("tags").map(|_| tags(inputs)),
        ..TodoPatch::default()
    };
    let before = row.clone().into_api(engine.tz);
    let todo = todos::patch_todo(&engine.db.write, engine.tz, &row.id, patch).await?;
    engine.bus.data_changed(Module::Todos);
    Ok(json!({ "todo": todo, "before": before }))
}

async fn complete_todo(engine: &Engine, inputs: &Value) -> ToolResult {
    let row = find_todo(engine, inputs).await?;
    let patch = TodoPatch { status: Some(TodoStatus::Completed), ..TodoPatch::default() };
    let todo = todos::patch_todo(&engine.db.write, engine.tz, &row.id, patch).await?;
    engine.bus.data_changed(Module::Todos);
    Ok(json!({ "todo": todo }))
}

/// One todo by its title, or (query `*`) a whole list by its tag, or every open todo, or
/// (with `completed`) only those done: the one organiser action that touches many, which
/// the engine asks about first.
async fn delete_todo(engine: &Engine, inputs: &Value) -> ToolResult {
    if text(inputs, "query") == Some("*") {
        let list = tags(inputs);
        let which = match inputs.get("completed").and_then(Value::as_bool) {
            Some(true) => todos::Clearing::Done,
            _ => todos::Clearing::All,
        };
        let deleted = todos::remove_list(&engine.db.write, list.first().map(String::as_str), which).await?;
        engine.bus.data_changed(Module::Todos);
        return Ok(json!({ "deleted": deleted, "list": list }));
    }
    let row = find_todo(engine, inputs).await?;
    todos::remove_todo(&engine.db.write, &row.id).await?;
    engine.bus.data_changed(Module::Todos);
    Ok(json!({ "todo": row.into_api(engine.tz) }))
}

async fn create_event(engine: &Engine, inputs: &Value) -> ToolResult {
    let title = text(inputs, "title").ok_or_else(|| ToolError::Failed("an event needs a title".into()))?;
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
        recurrence_rule: text(inputs, "recurrence_rule").map(str::to_owned),
        tags: tags(inputs),
    };
    let event = events::insert_event(&engine.db.write, engine.tz, new).await?;
    engine.bus.data_changed(Module::Events);
    Ok(json!({ "event": event }))
}

/// The events of the span named, or of the week from now; with `query` ("when is my
/// eye test"), those whose title holds its telling words, in the span or the year ahead.
async fn query_events(engine: &Engine, inputs: &Value) -> ToolResult {
    let now = crate::infra::db::now_ms();
    let from = when(inputs, "start_time")?.map_or(now, |w| w.to_ms(engine.tz));
    let words = text(inputs, "query").map(telling_words).unwrap_or_default();
    let ahead = if words.is_empty() { 7 * DAY_MS } else { 366 * DAY_MS };
    let to = named_end(inputs, engine.tz)?.unwrap_or(from + ahead);
    let db = &engine.db.read;
    let items = if words.is_empty() {
        events::events_between(db, engine.tz, from, to).await?
    } else {
        events::events_between_matching(db, engine.tz, from, to, &words).await?
    };
    Ok(json!({ "events": items }))
}

async fn update_event(engine: &Engine, inputs: &Value) -> ToolResult {
    // An update's times are where the event goes; `at_time` is where it is now.
    let now_at = when(inputs, clawchat_understand::AT_TIME)?.map(|w| {
        let at = w.to_ms(engine.tz);
        (at, at + 1)
    });
    let row = find_event(engine, inputs, now_at).await?;
    let (start_time, end_time) = super::moves::event_times(&row, inputs, engine.tz)?;
    let patch = EventPatch {
        title: text(inputs, "new_title").map(str::to_owned),
        description: text(inputs, "description").map(str::to_owned),
        location: text(inputs, "location").map(|l| Some(l.to_owned())),
        start_time,
        end_time,
        ..EventPatch::default()
    };
    let before = row.clone().into_api(engine.tz);
    let event = events::patch_event(&engine.db.write, engine.tz, &row.id, patch).await?;
    engine.bus.data_changed(Module::Events);
    Ok(json!({ "event": event, "before": before }))
}

/// One event (by its title, in the span named, or the next one), or with query `*`
/// every event of the span.
async fn delete_event(engine: &Engine, inputs: &Value) -> ToolResult {
    if text(inputs, "query") == Some("*") {
        let out = delete_events(engine, inputs).await?;
        engine.bus.data_changed(Module::Events);
        return Ok(out);
    }
    let row = find_event(engine, inputs, event_window(inputs, engine.tz)?).await?;
    // Pointed at as one time ("my next meeting", "my 9am"), a series is more than was said.
    let one_time = text(inputs, "target") == Some(NEXT) || text(inputs, "title").is_none();
    if one_time && row.recurrence_rule.is_some() {
        return Err(ToolError::Failed(format!(
            "that event, '{}', repeats, and deleting it would remove every time it comes; \
             delete it in the calendar if that is what you want",
            row.title
        )));
    }
    events::remove_event(&engine.db.write, &row.id).await?;
    engine.bus.data_changed(Module::Events);
    Ok(json!({ "event": row.into_api(engine.tz) }))
}

async fn create_memo(engine: &Engine, inputs: &Value) -> ToolResult {
    let content = text(inputs, "content")
        .ok_or_else(|| ToolError::Failed("there was nothing to save in the memo".into()))?;
    let new = NewMemo {
        title: text(inputs, "title").map(str::to_owned),
        content: content.to_owned(),
        tags: tags(inputs),
        pinned: false,
    };
    let memo = memos::insert_memo(&engine.db.write, engine.tz, new).await?;
    engine.bus.data_changed(Module::Memos);
    Ok(json!({ "memo": memo }))
}

async fn query_memos(engine: &Engine, inputs: &Value) -> ToolResult {
    let items = memos::memos_matching(&engine.db.read, engine.tz, text(inputs, "query")).await?;
    Ok(json!({ "memos": items }))
}

async fn update_memo(engine: &Engine, inputs: &Value) -> ToolResult {
    let row = find_memo(engine, inputs).await?;
    let patch = MemoPatch {
        title: text(inputs, "new_title").map(str::to_owned),
        content: text(inputs, "content").map(str::to_owned),
        ..MemoPatch::default()
    };
    let before = row.clone().into_api(engine.tz);
    let memo = memos::patch_memo(&engine.db.write, engine.tz, &row.id, patch).await?;
    engine.bus.data_changed(Module::Memos);
    Ok(json!({ "memo": memo, "before": before }))
}

async fn delete_memo(engine: &Engine, inputs: &Value) -> ToolResult {
    let row = find_memo(engine, inputs).await?;
    memos::remove_memo(&engine.db.write, &row.id).await?;
    engine.bus.data_changed(Module::Memos);
    Ok(json!({ "memo": row.into_api(engine.tz) }))
}

async fn search(engine: &Engine, inputs: &Value) -> ToolResult {
    let q = text(inputs, "query").unwrap_or("");
    let window = Window::new(Some(1), Some(10))?;
    let page = crate::features::search::run(&engine.db.pages, engine.tz, q, None, window).await?;
    Ok(json!({ "query": q, "results": page.items, "total": page.total }))
}

/// The same briefing the scheduler makes each morning, made now: kept in the Briefings
/// conversation, so /api/today shows it too.
async fn daily_briefing(engine: &Engine) -> ToolResult {
    let model = engine.model.as_deref().map(|m| m.provider.as_ref());
    let made = crate::features::briefing::make_now(&engine.db, engine.tz, model).await?;
    let today = crate::features::today::load(&engine.db.pages, engine.tz).await?;
    engine.bus.data_changed(Module::Chat);
    Ok(json!({
        "text": made.text,
        "today": today,
        "provider": made.provider,
        "briefing": { "conversation_id": made.conversation_id, "message_id": made.message_id },
    }))
}

/// Starts a background job with the model; its answer comes later, as a message.
fn delegate(engine: &Engine, inputs: &Value, ctx: &PlanContext) -> ToolResult {
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
    Ok(json!({ "status": "working", "description": description }))
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
    let Named { exact, fuzzy } = todos::todos_named(&engine.db.read, said).await?;
    pick(said, exact, fuzzy, |t| t.title.clone(), "todo")
}

/// `target` of "delete my next meeting": the soonest event still to start.
const NEXT: &str = "next";

/// Where the span `start_time`/`end_time` name ends (exclusive, in ms): at `end_time`, or
/// after its day when `end_time` is a date; with no `end_time`, after the day `start_time`
/// names when that is a date. `None` when they name no end.
fn named_end(inputs: &Value, tz: chrono_tz::Tz) -> Result<Option<i64>, ToolError> {
    let after = |w: When| w.end_ms(tz);
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
    let Some(said) = text(inputs, "title").or_else(|| text(inputs, "query")) else {
        return match window {
            Some(at) if at.1 - at.0 <= MINUTE_MS => event_starting(engine, at).await,
            _ => Err(ToolError::Failed("which event? say its title".into())),
        };
    };
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
    let exact = keep(events::events_titled(db, said).await?);
    let mut fuzzy = keep(events::events_matching(db, said).await?);
    // "the dentist appointment" is the event called "Dentist".
    let telling = telling_words(said);
    if exact.is_empty() && fuzzy.is_empty() && !telling.is_empty() && telling != said.to_lowercase() {
        fuzzy = keep(events::events_matching(db, &telling).await?);
    }
    pick(said, exact, fuzzy, |e| e.title.clone(), "event")
}

const MINUTE_MS: i64 = 60_000;

/// The event named by when it starts ("cancel my 3 o'clock", "move my 2pm to 4"): the
/// one starting in `window`, or an occurrence of a series there. Two there are named
/// back to the user, who says which.
async fn event_starting(engine: &Engine, (from, to): (i64, i64)) -> Result<EventRow, ToolError> {
    let mut rows: Vec<EventRow> = events::in_range(&engine.db.read, engine.tz, from, to)
        .await?
        .into_iter()
        .filter(|e| e.recurrence_rule.is_some() || e.start_at >= from)
        .collect();
    match rows.len() {
        0 => Err(ToolError::NotFound("an event starting at that time".into())),
        1 => rows.pop().ok_or_else(|| ToolError::NotFound("an event starting at that time".into())),
        _ => Err(ToolError::Ambiguous {
            what: "event",
            candidates: rows.iter().map(|e| format!("'{}'", e.title)).collect(),
        }),
    }
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
    let now = crate::infra::db::now_ms();
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
async fn delete_events(engine: &Engine, inputs: &Value) -> ToolResult {
    let db = &engine.db;
    let Some((from, to)) = event_window(inputs, engine.tz)? else {
        let deleted = events::remove_events(&db.write, None).await?;
        return Ok(json!({ "deleted": deleted, "kept_repeating": [] }));
    };
    let (repeating, single): (Vec<EventRow>, Vec<EventRow>) = events::in_range(&db.read, engine.tz, from, to)
        .await?
        .into_iter()
        .partition(|e| e.recurrence_rule.is_some());
    let ids: Vec<&str> = single.iter().map(|e| e.id.as_str()).collect();
    let deleted = events::remove_events(&db.write, Some(&ids)).await?;
    let mut kept: Vec<String> = repeating.into_iter().map(|e| e.title).collect();
    kept.sort();
    kept.dedup();
    let kept: Vec<Value> = kept.into_iter().map(|title| json!({ "title": title })).collect();
    Ok(json!({ "deleted": deleted, "kept_repeating": kept }))
}

async fn find_memo(engine: &Engine, inputs: &Value) -> Result<MemoRow, ToolError> {
    let said = text(inputs, "query")
        .or_else(|| text(inputs, "title"))
        .ok_or_else(|| ToolError::Failed("which memo? say a few words from it".into()))?;
    let Named { exact, fuzzy } = memos::memos_named(&engine.db.read, said).await?;
    pick(said, exact, fuzzy, |m| m.title.clone(), "memo")
}

async fn web_search(engine: &Engine, query: &str) -> ToolResult {
    let Some(base) = engine.web.base_url.as_deref() else {
        let window = Window::new(Some(1), Some(5))?;
        let local = crate::features::search::run(&engine.db.pages, engine.tz, query, None, window).await?;
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
