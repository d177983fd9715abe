//! Push tokens: `/api/notifications/register-token`. The scheduler sends reminders to
//! every registered token.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::db::now_ms;
use crate::error::responses::{MalformedJson, NotJson, NotLoggedIn};
use crate::error::{Checks, ErrorBody, Result};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterToken {
    /// A push token such as `ExponentPushToken[xxxxxxxx]`.
    pub token: String,
    #[serde(default)]
    pub device_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// Always `registered`.
    pub status: &'static str,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register_token))
}

/// Register (or refresh) a device's push token.
#[utoipa::path(post, path = "/api/notifications/register-token", tag = "notifications",
    request_body = RegisterToken, security(("bearer" = [])),
    responses(
        (status = 200, description = "Registered", body = Registered),
        MalformedJson,
        NotLoggedIn,
        NotJson,
        (status = 422, description = "Invalid token", body = ErrorBody),
    ))]
async fn register_token(
    State(state): State<AppState>,
    Json(req): Json<RegisterToken>,
) -> Result<Json<Registered>> {
    let token = req.token.trim();
    Checks::default()
        .required_text("token", token, 512)
        .check(!token.chars().any(char::is_control), "token", "must not contain control characters")
        .text("device_id", req.device_id.as_deref().unwrap_or(""), 200)
        .finish()?;
    let now = now_ms();
    sqlx::query(
        "INSERT INTO push_tokens (token, device_id, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (token) DO UPDATE SET device_id = excluded.device_id, updated_at = excluded.updated_at",
    )
    .bind(token)
    .bind(req.device_id.as_deref().map(str::trim))
    .bind(now)
    .bind(now)
    .execute(&state.db.write)
    .await?;
    Ok(Json(Registered { status: "registered" }))
}
