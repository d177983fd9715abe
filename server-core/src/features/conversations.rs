//! Conversations and their messages: the two tables, the store the assistant and the
//! scheduler write their history into, and `/api/chat/conversations` (served in
//! [`crate::chat::router`] with the rest of `/api/chat`).

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::features::OrganiserContext;
use crate::infra::db::{new_id, now_ms};
use crate::infra::error::responses::{InvalidParameters, InvalidValues, MalformedJson, NotJson, NotLoggedIn};
use crate::infra::error::{Checks, Error, ErrorBody, Result};
use crate::infra::extract::{Json, Query};
use crate::infra::pagination::{Page, Window};
use crate::infra::time::render;

#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema)]
pub struct Conversation {
    pub id: String,
    pub title: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Debug, Clone, FromRow)]
struct ConversationRow {
    id: String,
    title: String,
    created_at: i64,
    updated_at: i64,
}

impl ConversationRow {
    fn into_api(self, tz: Tz) -> Conversation {
        Conversation {
            id: self.id,
            title: self.title,
            created_at: render(self.created_at, tz),
            updated_at: render(self.updated_at, tz),
        }
    }
}

#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
    Tool,
}

#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub role: Role,
    pub content: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// What the assistant understood the message as, such as `create_todo`.
    pub intent: Option<String>,
    /// Cards such as `todo_created`, each `{card_type, payload, actions}`.
    #[schema(value_type = Vec<Object>)]
    pub action_cards: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub id: String,
    pub conversation_id: String,
    pub role: Role,
    pub content: String,
    pub intent: Option<String>,
    pub action_cards: String,
    pub created_at: i64,
}

impl MessageRow {
    pub fn into_api(self, tz: Tz) -> Message {
        Message {
            id: self.id,
            conversation_id: self.conversation_id,
            role: self.role,
            content: self.content,
            created_at: render(self.created_at, tz),
            intent: self.intent,
            action_cards: serde_json::from_str(&self.action_cards).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewConversation {
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationFilter {
    /// Which page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items a page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageFilter {
    /// Which page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items a page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Only messages after this one, oldest first: how a reconnecting client catches up.
    pub after: Option<String>,
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    OrganiserContext: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_conversations, create_conversation))
        .routes(routes!(get_conversation, delete_conversation))
        .routes(routes!(list_messages))
}

/// The one Briefings conversation, created on first use.
pub async fn briefings_conversation(db: &sqlx::SqlitePool, tz: Tz) -> Result<String> {
    let found: Option<String> =
        sqlx::query_scalar!("SELECT id FROM conversations WHERE kind = 'briefings' ORDER BY seq LIMIT 1")
            .fetch_optional(db)
            .await?;
    match found {
        Some(id) => Ok(id),
        None => Ok(insert_conversation(db, tz, "Briefings", "briefings").await?.id),
    }
}

/// Creates a conversation; shared by the route and the assistant when a message arrives
/// without one.
pub async fn insert_conversation(
    db: &sqlx::SqlitePool,
    tz: Tz,
    title: &str,
    kind: &str,
) -> Result<Conversation> {
    let now = now_ms();
    let row =
        ConversationRow { id: new_id(), title: title.trim().to_owned(), created_at: now, updated_at: now };
    let mut conn = db.acquire().await?;
    insert_conversation_on(&mut conn, &row.id, &row.title, kind, now).await?;
    Ok(row.into_api(tz))
}

/// Inserts a conversation row on `conn`, inside whatever transaction the caller holds.
pub(crate) async fn insert_conversation_on(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
    title: &str,
    kind: &str,
    now: i64,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO conversations (id, title, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        id,
        title,
        kind,
        now,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The action cards stored with message `id` (`None`: no such message).
pub async fn action_cards(db: &sqlx::SqlitePool, id: &str) -> Result<Option<Vec<serde_json::Value>>> {
    let cards: Option<String> =
        sqlx::query_scalar!("SELECT action_cards FROM messages WHERE id = ?", id).fetch_optional(db).await?;
    Ok(cards.map(|c| serde_json::from_str(&c).unwrap_or_default()))
}

/// Stores a message and marks its conversation active, in one transaction.
pub async fn insert_message(
    db: &sqlx::SqlitePool,
    conversation_id: &str,
    id: &str,
    role: Role,
    content: &str,
    intent: Option<&str>,
    cards: &[serde_json::Value],
) -> Result<()> {
    let mut tx = db.begin().await?;
    insert_message_on(&mut tx, conversation_id, id, role, content, intent, cards, now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores a message and marks its conversation active on `conn`, inside the caller's
/// transaction (both statements or neither).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_message_on(
    conn: &mut sqlx::SqliteConnection,
    conversation_id: &str,
    id: &str,
    role: Role,
    content: &str,
    intent: Option<&str>,
    cards: &[serde_json::Value],
    now: i64,
) -> Result<()> {
    let cards = serde_json::Value::Array(cards.to_vec()).to_string();
    sqlx::query!(
        "INSERT INTO messages (id, conversation_id, role, content, intent, action_cards, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        id,
        conversation_id,
        role,
        content,
        intent,
        cards,
        now
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("UPDATE conversations SET updated_at = ? WHERE id = ?", now, conversation_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn fetch_conversation(db: &sqlx::SqlitePool, id: &str) -> Result<ConversationRow> {
    sqlx::query_as!(
        ConversationRow,
        "SELECT id, title, created_at, updated_at FROM conversations WHERE id = ?",
        id
    )
    .fetch_optional(db)
    .await?
    .ok_or(Error::NotFound("conversation"))
}

/// Conversations, most recently active first.
#[utoipa::path(get, path = "/api/chat/conversations", tag = "chat", params(ConversationFilter), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of conversations", body = Page<Conversation>),
        NotLoggedIn,
        InvalidParameters,
    ))]
async fn list_conversations(
    State(state): State<OrganiserContext>,
    Query(f): Query<ConversationFilter>,
) -> Result<Json<Page<Conversation>>> {
    let window = Window::new(f.page, f.limit)?;
    let (limit, offset) = (i64::from(window.limit), window.offset());
    let rows: Vec<ConversationRow> = sqlx::query_as!(
        ConversationRow,
        "SELECT id, title, created_at, updated_at FROM conversations ORDER BY updated_at DESC, seq DESC LIMIT ? OFFSET ?",
        limit,
        offset
    )
    .fetch_all(&state.db.read)
    .await?;
    let total: i64 = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM conversations"#)
        .fetch_one(&state.db.read)
        .await?;
    Ok(Json(window.wrap(rows.into_iter().map(|r| r.into_api(state.tz)).collect(), total)))
}

/// Start a conversation.
#[utoipa::path(post, path = "/api/chat/conversations", tag = "chat", request_body = NewConversation, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Conversation),
        MalformedJson,
        NotLoggedIn,
        NotJson,
        InvalidValues,
    ))]
async fn create_conversation(
    State(state): State<OrganiserContext>,
    Json(new): Json<NewConversation>,
) -> Result<(StatusCode, Json<Conversation>)> {
    let title = new.title.unwrap_or_default();
    Checks::default().text("title", &title, 200).finish()?;
    Ok((StatusCode::CREATED, Json(insert_conversation(&state.db.write, state.tz, &title, "chat").await?)))
}

/// One conversation.
#[utoipa::path(get, path = "/api/chat/conversations/{id}", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The conversation", body = Conversation),
        NotLoggedIn,
        (status = 404, description = "No such conversation", body = ErrorBody),
    ))]
async fn get_conversation(
    State(state): State<OrganiserContext>,
    Path(id): Path<String>,
) -> Result<Json<Conversation>> {
    Ok(Json(fetch_conversation(&state.db.read, &id).await?.into_api(state.tz)))
}

/// Delete a conversation and its messages.
#[utoipa::path(delete, path = "/api/chat/conversations/{id}", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 204, description = "Deleted"),
        NotLoggedIn,
        (status = 404, description = "No such conversation", body = ErrorBody),
    ))]
async fn delete_conversation(
    State(state): State<OrganiserContext>,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let done = sqlx::query!("DELETE FROM conversations WHERE id = ?", id).execute(&state.db.write).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("conversation"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Messages of a conversation, oldest first; `after` gives what came after a message.
#[utoipa::path(get, path = "/api/chat/conversations/{id}/messages", tag = "chat", params(("id" = String, Path, description = "Conversation id"), MessageFilter), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of messages", body = Page<Message>),
        NotLoggedIn,
        (status = 404, description = "No such conversation, or no message `after` names in it", body = ErrorBody),
        InvalidParameters,
    ))]
async fn list_messages(
    State(state): State<OrganiserContext>,
    Path(id): Path<String>,
    Query(f): Query<MessageFilter>,
) -> Result<Json<Page<Message>>> {
    let window = Window::new(f.page, f.limit)?;
    fetch_conversation(&state.db.read, &id).await?;
    let db = &state.db.read;
    let after_seq = match f.after.as_deref().filter(|a| !a.is_empty()) {
        None => 0,
        Some(after) => sqlx::query_scalar!(
            r#"SELECT seq AS "seq!" FROM messages WHERE id = ? AND conversation_id = ?"#,
            after,
            id
        )
        .fetch_optional(db)
        .await?
        // A message the conversation does not hold is not found, as a wrong id in the
        // path is: there is nothing to count from.
        .ok_or(Error::NotFound("message to start after"))?,
    };
    // With `after`, the window starts right after that message, so the page counts from it.
    let (limit, offset) = (i64::from(window.limit), window.offset());
    let rows: Vec<MessageRow> = sqlx::query_as!(
        MessageRow,
        r#"SELECT id, conversation_id, role AS "role: _", content, intent, action_cards, created_at
           FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ? OFFSET ?"#,
        id,
        after_seq,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    let total: i64 = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM messages WHERE conversation_id = ? AND seq > ?"#,
        id,
        after_seq
    )
    .fetch_one(db)
    .await?;
    Ok(Json(window.wrap(rows.into_iter().map(|r| r.into_api(state.tz)).collect(), total)))
}
