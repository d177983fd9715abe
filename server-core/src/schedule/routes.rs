//! `GET /api/notifications`, `POST /api/notifications/{id}/read`.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::engine::{NOTIFICATION_COLUMNS, NotificationRow};
use super::notifier::Notification;
use crate::api::{Page, Window};
use crate::bus::Module;
use crate::db::now_ms;
use crate::error::responses::NotLoggedIn;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{Json, Query};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilter {
    /// Only notifications not yet marked read.
    pub unread: Option<bool>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

/// Fired notifications (reminders, overdue notices, briefings), newest first.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", params(NotificationFilter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of notifications", body = Page<Notification>),
        NotLoggedIn,
        (status = 422, description = "Invalid filter", body = ErrorBody),
    ))]
pub(super) async fn list_notifications(
    State(state): State<AppState>,
    Query(f): Query<NotificationFilter>,
) -> Result<Json<Page<Notification>>> {
    let window = Window::new(f.page, f.limit)?;
    let unread = f.unread.unwrap_or(false);
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
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Notification>> {
    let row: NotificationRow = sqlx::query_as(&format!(
        "UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ? RETURNING {NOTIFICATION_COLUMNS}"
    ))
    .bind(now_ms())
    .bind(&id)
    .fetch_optional(&state.db.write)
    .await?
    .ok_or(Error::NotFound("notification"))?;
    state.bus.data_changed(Module::Notifications);
    Ok(Json(row.to_api(state.tz)))
}
