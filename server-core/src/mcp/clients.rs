//! The apps allowed to use MCP, each with a token of its own: `POST /api/mcp/clients`
//! makes one (the token is shown that once), `GET` lists them, `DELETE` revokes one.
//!
//! Only the token's SHA-256 is stored (the hash refresh tokens use, [`hash_token`]): the
//! token carries 256 random bits, so a slow password hash would only slow every call.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::McpContext;
use crate::auth::hash_token;
use crate::infra::db::{new_id, now_ms};
use crate::infra::error::responses::{MalformedJson, NotJson, NotLoggedIn};
use crate::infra::error::{Checks, Error, ErrorBody, Result};
use crate::infra::extract::Json;
use crate::infra::time::render;

/// Every MCP token starts so, which tells a person (and a secret scanner) what it is.
pub const TOKEN_PREFIX: &str = "clawchat_mcp_";
/// The longest name a client may be given.
pub const MAX_NAME_CHARS: usize = 100;

/// The client a request to `/mcp` came from, found by its token; the guard puts it in the
/// request's extensions for the MCP server to read.
#[derive(Debug, Clone)]
pub struct McpClient {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct NewMcpClient {
    /// What the user calls the app, such as `Claude Desktop`; shown in the task history.
    /// At most [`MAX_NAME_CHARS`] characters, not blank.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
}

/// A client just made, with its token: the only time the token is shown.
#[derive(Debug, Serialize, ToSchema, ts_rs::TS)]
pub struct CreatedMcpClient {
    pub id: String,
    pub name: String,
    /// The bearer token for `/mcp`, or `CLAWCHAT_MCP_TOKEN` for `clawchat-server mcp`.
    pub token: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema, ts_rs::TS)]
pub struct McpClientOut {
    pub id: String,
    pub name: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it last reached `/mcp` (to the minute), if it has.
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema, ts_rs::TS)]
pub struct McpClientList {
    pub items: Vec<McpClientOut>,
}

/// One cancellation per client with a request open: revoking the client cancels it, and
/// every open `/mcp` answer of that client (a stream of notifications, a call waiting for
/// approval) ends at once.
#[derive(Debug, Default)]
pub struct Revocations {
    open: Mutex<HashMap<String, CancellationToken>>,
}

impl Revocations {
    /// The cancellation that fires when `client_id` is revoked.
    pub fn watch(&self, client_id: &str) -> CancellationToken {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.entry(client_id.to_owned()).or_default().clone()
    }

    fn revoke(&self, client_id: &str) {
        let token = self.open.lock().unwrap_or_else(|p| p.into_inner()).remove(client_id);
        if let Some(token) = token {
            token.cancel();
        }
    }
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    McpContext: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(list_clients, create_client)).routes(routes!(revoke_client))
}

fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw))
}

/// The client holding `token`, if one does; marks it used (at most once a minute, so a busy
/// client does not write on every call).
pub async fn authenticate(db: &crate::infra::db::Db, token: &str) -> Result<Option<McpClient>> {
    let hash = hash_token(token);
    let found = sqlx::query!(r#"SELECT id AS "id!", name FROM mcp_clients WHERE token_hash = ?"#, hash)
        .fetch_optional(&db.read)
        .await?
        .map(|r| (r.id, r.name));
    let Some((id, name)) = found else { return Ok(None) };
    if !db.read_only {
        let now = now_ms();
        let a_minute_ago = now - 60_000;
        sqlx::query!(
            "UPDATE mcp_clients SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
            now,
            id,
            a_minute_ago
        )
        .execute(&db.write)
        .await?;
    }
    Ok(Some(McpClient { id, name }))
}

async fn list(db: &SqlitePool, tz: chrono_tz::Tz) -> Result<Vec<McpClientOut>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", name, created_at, last_used_at FROM mcp_clients ORDER BY created_at DESC, id DESC"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| McpClientOut {
            id: r.id,
            name: r.name,
            created_at: render(r.created_at, tz),
            last_used_at: r.last_used_at.map(|u| render(u, tz)),
        })
        .collect())
}

/// The apps that may use MCP, newest first. Their tokens are never shown again.
#[utoipa::path(get, path = "/api/mcp/clients", tag = "mcp", security(("bearer" = [])),
    responses(
        (status = 200, description = "The MCP clients", body = McpClientList),
        NotLoggedIn,
    ))]
async fn list_clients(State(state): State<McpContext>) -> Result<Json<McpClientList>> {
    Ok(Json(McpClientList { items: list(&state.db.read, state.tz).await? }))
}

/// Let an app use MCP: answers its token, shown this once.
#[utoipa::path(post, path = "/api/mcp/clients", tag = "mcp", request_body = NewMcpClient, security(("bearer" = [])),
    responses(
        (status = 201, description = "The client and its token", body = CreatedMcpClient),
        MalformedJson,
        NotLoggedIn,
        NotJson,
        (status = 422, description = "Invalid name; nothing was made", body = ErrorBody),
    ))]
async fn create_client(
    State(state): State<McpContext>,
    Json(new): Json<NewMcpClient>,
) -> Result<(StatusCode, Json<CreatedMcpClient>)> {
    let name = new.name.trim().to_owned();
    Checks::default().required_text("name", &name, MAX_NAME_CHARS).finish()?;
    let (id, token, now) = (new_id(), new_token(), now_ms());
    let hash = hash_token(&token);
    sqlx::query!(
        "INSERT INTO mcp_clients (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
        id,
        name,
        hash,
        now
    )
    .execute(&state.db.write)
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedMcpClient { id, name, token, created_at: render(now, state.tz) })))
}

/// Revoke an app's token: it stops working at once, and the app's open MCP sessions end.
#[utoipa::path(delete, path = "/api/mcp/clients/{id}", tag = "mcp", security(("bearer" = [])),
    params(("id" = String, Path, description = "The MCP client")),
    responses(
        (status = 204, description = "Revoked"),
        NotLoggedIn,
        (status = 404, description = "No such MCP client", body = ErrorBody),
    ))]
async fn revoke_client(State(state): State<McpContext>, Path(id): Path<String>) -> Result<StatusCode> {
    let done = sqlx::query!("DELETE FROM mcp_clients WHERE id = ?", id).execute(&state.db.write).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("MCP client"));
    }
    state.mcp.revoke(&id);
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_say_what_they_are() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43, "256 bits in base64url");
    }

    #[test]
    fn revoking_cancels_what_watches_the_client() {
        let revocations = Revocations::default();
        let watch = revocations.watch("c1");
        let other = revocations.watch("c2");
        revocations.revoke("c1");
        assert!(watch.is_cancelled());
        assert!(!other.is_cancelled());
    }
}
