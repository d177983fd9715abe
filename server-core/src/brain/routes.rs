//! The assistant's own HTTP routes: `/api/parse`, and the task list (`/api/tasks`) with its
//! approve and deny buttons. Sending it a message is under `/api/chat`, in [`crate::chat`].

use axum::extract::{FromRef, Path, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AssistantContext;
use super::approvals::Approval;
use super::cli;
use crate::infra::error::responses::{InvalidFilter, InvalidValues, MalformedJson, NotJson, NotLoggedIn};
use crate::infra::error::{Checks, Error, ErrorBody, Result};
use crate::infra::extract::{Json, Query};
use crate::infra::pagination::{Page, Window};
use crate::infra::time::render;

#[derive(ts_rs::TS, Debug, Deserialize, ToSchema)]
pub struct ParseRequest {
    pub text: String,
    /// Reference time, RFC 3339; default now.
    #[serde(default)]
    pub now: Option<String>,
    /// IANA zone; default the user's.
    #[serde(default)]
    pub tz: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskFilter {
    /// `pending`, `awaiting_approval`, `running`, `done`, `failed` or `cancelled`.
    #[param(inline)]
    pub status: Option<super::types::TaskStatus>,
    /// Which page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items a page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct TaskRow {
    pub task_id: String,
    pub tool: String,
    #[schema(value_type = Object)]
    pub inputs: Value,
    pub depends_on: Vec<String>,
    pub status: String,
    pub target: String,
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    pub error: Option<String>,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    /// The MCP client that asked for the task, by the name the user gave it; absent for the
    /// user's own messages and the assistant's plans.
    pub requested_by: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DenyRequest {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalAnswer {
    pub task_id: String,
    /// `approved` or `denied`.
    pub status: &'static str,
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    AssistantContext: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(parse_text))
        .routes(routes!(list_tasks))
        .routes(routes!(approve))
        .routes(routes!(deny))
}

/// Finished tasks are kept this long after they finished.
pub const KEEP_FINISHED_MS: i64 = 90 * crate::infra::time::DAY_MS;

/// What the nightly cleanup did to the task history.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrunedTasks {
    pub removed: u64,
    /// Host runs past the limit: kept as the record of what ran on the computer, without
    /// their output (a file's content, a command's output).
    pub trimmed: u64,
}

/// Removes server tasks that finished (done, failed, cancelled) more than
/// [`KEEP_FINISHED_MS`] before `now`. Host runs of that age stay in the history, the audit
/// of what ran on the computer (tool, inputs, status, error, when), and lose their output.
pub async fn prune_finished(db: &sqlx::SqlitePool, now: i64) -> sqlx::Result<PrunedTasks> {
    let before = now - KEEP_FINISHED_MS;
    // `$sql` on the tasks that finished before `before`.
    macro_rules! finished {
        ($sql:literal) => {
            sqlx::query!($sql + " AND status IN ('done', 'failed', 'cancelled') AND updated_at < ?", before)
                .execute(db)
                .await?
                .rows_affected()
        };
    }
    let removed = finished!("DELETE FROM agent_tasks WHERE target = 'server'");
    let trimmed =
        finished!("UPDATE agent_tasks SET output = NULL WHERE target = 'host' AND output IS NOT NULL");
    Ok(PrunedTasks { removed, trimmed })
}

/// What the built-in parser understands of a line, without storing or doing anything:
/// the UI's live preview.
#[utoipa::path(post, path = "/api/parse", tag = "chat", request_body = ParseRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "The ParseResult", body = Object),
        MalformedJson,
        NotLoggedIn,
        NotJson,
        InvalidValues,
    ))]
async fn parse_text(
    State(state): State<AssistantContext>,
    Json(req): Json<ParseRequest>,
) -> Result<Json<super::types::ParseResult>> {
    Checks::default().text("text", &req.text, 2_000).finish()?;
    let tz_name = req.tz.unwrap_or_else(|| state.tz.name().to_owned());
    let now = cli::reference(req.now.as_deref(), Some(&tz_name)).map_err(|e| {
        let field = if req.now.is_some() && tz_name.parse::<chrono_tz::Tz>().is_ok() { "now" } else { "tz" };
        Error::invalid(field, e.to_string())
    })?;
    // Serialised from the typed value, so the f32 confidence reads 0.81, not its f64 widening.
    Ok(Json(super::parse(&req.text, now, *state.language.borrow())))
}

/// The assistant's tasks, newest first.
#[utoipa::path(get, path = "/api/tasks", tag = "chat", params(TaskFilter), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tasks", body = Page<TaskRow>),
        NotLoggedIn,
        InvalidFilter,
    ))]
async fn list_tasks(
    State(state): State<AssistantContext>,
    Query(f): Query<TaskFilter>,
) -> Result<Json<Page<TaskRow>>> {
    let window = Window::new(f.page, f.limit)?;
    let (limit, offset) = (i64::from(window.limit), window.offset());
    let rows = sqlx::query!(
        r#"SELECT id, tool, inputs, depends_on, status, target, output, error, conversation_id, message_id,
                requested_by, created_at, updated_at, COUNT(*) OVER () AS "total!: i64"
         FROM agent_tasks WHERE (?1 IS NULL OR status = ?1) ORDER BY seq DESC LIMIT ?2 OFFSET ?3"#,
        f.status,
        limit,
        offset
    )
    .fetch_all(&state.db.read)
    .await?;
    let mut total = 0;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        total = row.total;
        let json = |text: Option<&str>| text.and_then(|s| serde_json::from_str::<Value>(s).ok());
        items.push(TaskRow {
            inputs: json(Some(&row.inputs)).unwrap_or(Value::Null),
            depends_on: json(Some(&row.depends_on))
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
            output: json(row.output.as_deref()),
            task_id: row.id,
            tool: row.tool,
            status: row.status,
            target: row.target,
            error: row.error,
            conversation_id: row.conversation_id,
            message_id: row.message_id,
            requested_by: row.requested_by,
            created_at: render(row.created_at, state.tz),
            updated_at: render(row.updated_at, state.tz),
        });
    }
    Ok(Json(window.wrap(items, total)))
}

/// Say yes to a task waiting for approval.
#[utoipa::path(post, path = "/api/tasks/{id}/approve", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses(
        (status = 200, description = "Approved; the task runs", body = ApprovalAnswer),
        NotLoggedIn,
        (status = 404, description = "No task waits for approval under that id", body = ErrorBody),
    ))]
async fn approve(
    State(state): State<AssistantContext>,
    Path(id): Path<String>,
) -> Result<Json<ApprovalAnswer>> {
    answer(&state, id, Approval::Approved)
}

/// Say no to a task waiting for approval; it and what depends on it are cancelled.
#[utoipa::path(post, path = "/api/tasks/{id}/deny", tag = "chat", request_body(content = Option<DenyRequest>, description = "Optional reason", content_type = "application/json"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    responses(
        (status = 200, description = "Denied; the task is cancelled", body = ApprovalAnswer),
        MalformedJson,
        NotLoggedIn,
        (status = 404, description = "No task waits for approval under that id", body = ErrorBody),
        NotJson,
        (status = 422, description = "Invalid reason", body = ErrorBody),
    ))]
async fn deny(
    State(state): State<AssistantContext>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<ApprovalAnswer>> {
    // The body is optional: an empty one, or `null`, is a plain no.
    let reason = if body.iter().all(u8::is_ascii_whitespace) || body.trim_ascii() == b"null" {
        String::new()
    } else {
        crate::infra::extract::decode_json::<DenyRequest>(&body)?.reason.unwrap_or_default()
    };
    answer(&state, id, Approval::Denied(reason))
}

/// Hands the user's answer to the task waiting under `id`; none waits: 404.
fn answer(state: &AssistantContext, id: String, approval: Approval) -> Result<Json<ApprovalAnswer>> {
    let status = match approval {
        Approval::Approved => "approved",
        Approval::Denied(_) => "denied",
    };
    if !state.brain.approvals.answer(&id, approval) {
        return Err(Error::NotFound("task waiting for approval"));
    }
    Ok(Json(ApprovalAnswer { task_id: id, status }))
}
