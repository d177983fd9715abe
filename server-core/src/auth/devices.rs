//! Devices: the clients that logged in, by kind (`desktop`, `browser`, `phone`).

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use super::AuthContext;
use crate::infra::db::{new_id, now_ms};
use crate::infra::error::Result;

/// What kind of client a device is; decides how careful the assistant is with it.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum DeviceKind {
    /// The window of the desktop app on this computer.
    Desktop,
    /// A browser that logged in with the PIN.
    Browser,
    /// A phone paired with a one-time code.
    Phone,
}

/// Records a new device and returns its id.
pub async fn add(db: &SqlitePool, name: &str, email: Option<&str>, kind: DeviceKind) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query!(
        "INSERT INTO devices (id, name, email, kind, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
        id,
        name,
        email,
        kind,
        now,
        now
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// The one desktop device of this computer (made on first use), marked seen now.
pub async fn desktop_device(db: &SqlitePool) -> Result<String> {
    let existing: Option<String> = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM devices WHERE kind = 'desktop' AND revoked_at IS NULL ORDER BY created_at LIMIT 1"#
    )
    .fetch_optional(db)
    .await?;
    match existing {
        Some(id) => {
            let now = now_ms();
            sqlx::query!("UPDATE devices SET last_seen_at = ? WHERE id = ?", now, id).execute(db).await?;
            Ok(id)
        }
        None => add(db, "This computer", None, DeviceKind::Desktop).await,
    }
}

/// One device in the list of logins.
#[derive(ts_rs::TS, Debug, Serialize, utoipa::ToSchema)]
#[ts(rename = "Device")]
pub struct DeviceOut {
    pub id: String,
    pub name: String,
    pub kind: DeviceKind,
    pub created_at: String,
    pub last_seen_at: String,
    /// Whether this is the device asking.
    pub current: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeviceList {
    pub items: Vec<DeviceOut>,
}

pub fn router<S>() -> utoipa_axum::router::OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    AuthContext: axum::extract::FromRef<S>,
{
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(list_devices))
        .routes(utoipa_axum::routes!(revoke_device))
}

/// The device a login belongs to.
pub async fn device_of(db: &SqlitePool, family_id: &str) -> Result<Option<(String, DeviceKind)>> {
    Ok(sqlx::query!(
        r#"SELECT d.id AS "id!", d.kind AS "kind: DeviceKind"
           FROM token_families f JOIN devices d ON d.id = f.device_id WHERE f.id = ?"#,
        family_id
    )
    .fetch_optional(db)
    .await?
    .map(|r| (r.id, r.kind)))
}

/// Whether a login belongs to a paired phone.
pub async fn is_phone(db: &SqlitePool, family_id: &str) -> bool {
    matches!(device_of(db, family_id).await, Ok(Some((_, DeviceKind::Phone))))
}

/// The devices that are logged in (revoked ones are gone), newest first.
#[utoipa::path(get, path = "/api/devices", tag = "devices", security(("bearer" = [])),
    responses(
        (status = 200, description = "The devices logged in", body = DeviceList),
        crate::infra::error::responses::NotLoggedIn,
    ))]
async fn list_devices(
    axum::extract::State(state): axum::extract::State<AuthContext>,
    axum::Extension(user): axum::Extension<crate::infra::pagination::AuthUser>,
) -> Result<axum::Json<DeviceList>> {
    let current = device_of(&state.db.read, &user.family_id).await?.map(|(id, _)| id);
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", name, kind AS "kind: DeviceKind", created_at, last_seen_at
           FROM devices WHERE revoked_at IS NULL ORDER BY created_at DESC, id DESC"#
    )
    .fetch_all(&state.db.read)
    .await?;
    let items = rows
        .into_iter()
        .map(|r| DeviceOut {
            current: current.as_deref() == Some(r.id.as_str()),
            id: r.id,
            name: r.name,
            kind: r.kind,
            created_at: crate::infra::time::render(r.created_at, state.tz),
            last_seen_at: crate::infra::time::render(r.last_seen_at, state.tz),
        })
        .collect();
    Ok(axum::Json(DeviceList { items }))
}

/// Log a device out: all its tokens stop working, and its open sockets (`/ws` and
/// Socket.IO) close at once.
#[utoipa::path(delete, path = "/api/devices/{id}", tag = "devices", security(("bearer" = [])),
    params(("id" = String, Path, description = "The device")),
    responses(
        (status = 204, description = "The device is logged out"),
        crate::infra::error::responses::NotLoggedIn,
        (status = 404, description = "No such device", body = crate::infra::error::ErrorBody),
    ))]
async fn revoke_device(
    axum::extract::State(state): axum::extract::State<AuthContext>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::http::StatusCode> {
    let db = &state.db.write;
    let now = now_ms();
    let done = sqlx::query!("UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, id)
        .execute(db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(crate::infra::error::Error::NotFound("device"));
    }
    let families: Vec<String> = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM token_families WHERE device_id = ? AND revoked_at IS NULL"#,
        id
    )
    .fetch_all(db)
    .await?;
    for family in families {
        state.auth.tokens.revoke_family(db, &family, "device_revoked").await?;
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}
