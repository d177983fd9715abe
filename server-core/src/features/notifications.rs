//! `/api/notifications`: the notifications the scheduler fired (reminders, overdue
//! notices, briefings), marking one read, and the push tokens it also sends them to.

use axum::extract::{FromRef, Path, State};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::bus::Module;
use crate::features::OrganiserContext;
use crate::infra::db::now_ms;
use crate::infra::error::responses::{InvalidFilter, MalformedJson, NotJson, NotLoggedIn};
use crate::infra::error::{Checks, Error, ErrorBody, Result};
use crate::infra::extract::{Json, Query};
use crate::infra::pagination::{Page, Window};
use crate::infra::time::render;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterToken {
    /// A push token such as `ExponentPushToken[xxxxxxxx]`: no control characters.
    #[schema(
        min_length = 1,
        max_length = 512,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub token: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub device_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// Always `registered`.
    pub status: &'static str,
}

/// A stored notification, as the API and every notifier see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    pub id: String,
    /// `reminder`, `overdue` or `briefing`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The todo or event it is about; null for a briefing.
    pub ref_id: Option<String>,
    /// For a briefing, the Briefings conversation holding it.
    pub conversation_id: Option<String>,
    /// The occurrence it is about (a todo's due time, an event's start), if any.
    #[schema(format = DateTime)]
    pub occurrence_at: Option<String>,
    /// When it was meant to fire.
    #[schema(format = DateTime)]
    pub fire_at: String,
    /// True when it fired well after its time because the app was not running then.
    pub late: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub read: bool,
}

/// A `notifications` row, as the scheduler claims it and the routes read it.
#[derive(Debug, Clone, FromRow)]
pub(crate) struct NotificationRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) ref_id: Option<String>,
    pub(crate) conversation_id: Option<String>,
    pub(crate) occurrence_at: Option<i64>,
    pub(crate) fire_at: i64,
    pub(crate) late: bool,
    pub(crate) created_at: i64,
    pub(crate) read_at: Option<i64>,
}

pub(crate) const NOTIFICATION_COLUMNS: &str =
    "id, kind, title, body, ref_id, conversation_id, occurrence_at, fire_at, late, created_at, read_at";

/// A checked statement `$sql` (an `UPDATE`) that gives the rows it changed as
/// [`NotificationRow`]s: `RETURNING` [`NOTIFICATION_COLUMNS`], with the types sqlx cannot
/// tell from the schema.
macro_rules! returning_notifications {
    ($sql:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            crate::features::notifications::NotificationRow,
            $sql + r#" RETURNING id AS "id!", kind AS "kind!", title AS "title!", body AS "body!", ref_id,
                conversation_id, occurrence_at, fire_at AS "fire_at!", late AS "late!: _",
                created_at AS "created_at!", read_at"#
            $(, $arg)*
        )
    };
}
pub(crate) use returning_notifications;

impl NotificationRow {
    pub(crate) fn to_api(&self, tz: Tz) -> Notification {
        Notification {
            id: self.id.clone(),
            kind: self.kind.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
            ref_id: self.ref_id.clone(),
            conversation_id: self.conversation_id.clone(),
            occurrence_at: self.occurrence_at.map(|ms| render(ms, tz)),
            fire_at: render(self.fire_at, tz),
            late: self.late,
            created_at: render(self.created_at, tz),
            read: self.read_at.is_some(),
        }
    }
}

/// Read notifications are kept this long after they were read.
pub const KEEP_READ_MS: i64 = 30 * crate::infra::time::DAY_MS;

/// Removes notifications read more than [`KEEP_READ_MS`] before `now`; unread ones stay.
/// The scheduler never looks that far back, so no removed one can fire again.
pub async fn prune_read(db: &sqlx::SqlitePool, now: i64) -> sqlx::Result<u64> {
    let before = now - KEEP_READ_MS;
    let removed = sqlx::query!("DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < ?", before)
        .execute(db)
        .await?;
    Ok(removed.rows_affected())
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    OrganiserContext: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
        .routes(routes!(register_token))
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
    State(state): State<OrganiserContext>,
    Json(req): Json<RegisterToken>,
) -> Result<Json<Registered>> {
    let token = req.token.trim();
    Checks::default()
        .required_text("token", token, 512)
        .check(!token.chars().any(char::is_control), "token", "must not contain control characters")
        .text("device_id", req.device_id.as_deref().unwrap_or(""), 200)
        .finish()?;
    let now = now_ms();
    let device_id = req.device_id.as_deref().map(str::trim);
    sqlx::query!(
        "INSERT INTO push_tokens (token, device_id, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (token) DO UPDATE SET device_id = excluded.device_id, updated_at = excluded.updated_at",
        token,
        device_id,
        now,
        now
    )
    .execute(&state.db.write)
    .await?;
    Ok(Json(Registered { status: "registered" }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilter {
    /// Only notifications not yet marked read.
    pub unread: Option<bool>,
    /// Which page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items a page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Fired notifications (reminders, overdue notices, briefings), newest first.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", params(NotificationFilter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of notifications", body = Page<Notification>),
        NotLoggedIn,
        InvalidFilter,
    ))]
pub(super) async fn list_notifications(
    State(state): State<OrganiserContext>,
    Query(f): Query<NotificationFilter>,
) -> Result<Json<Page<Notification>>> {
    let window = Window::new(f.page, f.limit)?;
    let unread = f.unread.unwrap_or(false);
    // Built at run time: the same statement with or without the unread filter.
    let filter = if unread { "WHERE read_at IS NULL" } else { "" };
    let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications {filter} ORDER BY seq DESC LIMIT ? OFFSET ?"
    ))
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(&state.db.read)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM notifications {filter}"))
        .fetch_one(&state.db.read)
        .await?;
    Ok(Json(window.wrap(rows.iter().map(|r| r.to_api(state.tz)).collect(), total)))
}

/// Mark a notification read (marking it again changes nothing).
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, description = "Notification id")),
    responses(
        (status = 200, description = "The notification, read", body = Notification),
        NotLoggedIn,
        (status = 404, description = "No such notification", body = ErrorBody),
    ))]
pub(super) async fn mark_read(
    State(state): State<OrganiserContext>,
    Path(id): Path<String>,
) -> Result<Json<Notification>> {
    let now = now_ms();
    let row: NotificationRow = returning_notifications!(
        "UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ?",
        now,
        id
    )
    .fetch_optional(&state.db.write)
    .await?
    .ok_or(Error::NotFound("notification"))?;
    state.bus.data_changed(Module::Notifications);
    Ok(Json(row.to_api(state.tz)))
}
