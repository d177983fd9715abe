//! Memos: `/api/memos`. Markdown notes with tags and pinning.

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, QueryBuilder, Sqlite};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::bus::Module;
use crate::features::OrganiserContext;
use crate::features::search::{Named, fts_query, named_query};
use crate::infra::db::{new_id, now_ms, packed};
use crate::infra::error::responses::{
    BodyTooLarge, InvalidFilter, InvalidValues, MalformedJson, NotJson, NotLoggedIn,
};
use crate::infra::error::{Error, ErrorBody, Fields, Result};
use crate::infra::extract::{Json, Query};
use crate::infra::pagination::{Page, Window, tags_from_json, tags_to_json};
use crate::infra::time::render;

#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema)]
pub struct Memo {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub content: String,
    pub tags: Vec<String>,
    pub pinned: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A stored memo, read as a row or from a packed list ([`crate::infra::db::unpack`]), in
/// [`MEMO_COLUMNS`]' order.
#[derive(Debug, Clone, FromRow, Deserialize)]
pub struct MemoRow {
    pub id: String,
    pub title: String,
    pub content: String,
    pub tags: String,
    #[serde(deserialize_with = "crate::infra::db::flag")]
    pub pinned: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const MEMO_COLUMNS: &str = "id, title, content, tags, pinned, created_at, updated_at";

/// A checked `SELECT` of [`MemoRow`]s: [`MEMO_COLUMNS`] with the types sqlx cannot tell
/// from the schema, `FROM memos`, then `$rest` (the `WHERE` and `ORDER BY`) and its
/// arguments.
macro_rules! select_memos {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            MemoRow,
            r#"SELECT id, title, content, tags, pinned AS "pinned: _", created_at, updated_at FROM memos "#
                + $rest
            $(, $arg)*
        )
    };
}

impl MemoRow {
    pub fn into_api(self, tz: Tz) -> Memo {
        Memo {
            id: self.id,
            title: self.title,
            content: self.content,
            tags: tags_from_json(&self.tags),
            pinned: self.pinned,
            created_at: render(self.created_at, tz),
            updated_at: render(self.updated_at, tz),
        }
    }
}

#[derive(ts_rs::TS, Debug, Deserialize, ToSchema)]
pub struct NewMemo {
    /// Defaults to the first line of the content.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 200000, pattern = r"\S")]
    pub content: String,
    #[serde(default)]
    #[schema(schema_with = crate::infra::error::tags_schema)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub pinned: bool,
}

#[derive(ts_rs::TS, Debug, Default, Deserialize, ToSchema)]
pub struct MemoPatch {
    #[schema(max_length = 500)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 200000, pattern = r"\S")]
    pub content: Option<String>,
    #[schema(schema_with = crate::infra::error::nullable_tags_schema)]
    pub tags: Option<Vec<String>>,
    pub pinned: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemoFilter {
    /// Words to look for in title, content and tags.
    pub q: Option<String>,
    pub tag: Option<String>,
    pub pinned: Option<bool>,
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
    OpenApiRouter::new().routes(routes!(list_memos, create_memo)).routes(routes!(
        get_memo,
        update_memo,
        delete_memo
    ))
}

/// A memo without a title is named by its first non-empty line, markdown marks trimmed.
pub fn title_from_content(content: &str) -> String {
    let line = content.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let line = line.trim_start_matches(['#', '>', '-', '*', ' ']);
    line.chars().take(80).collect()
}

/// Deletes the memo `id`; `NotFound` when there is none.
pub async fn remove_memo(db: &sqlx::SqlitePool, id: &str) -> Result<()> {
    let done = sqlx::query!("DELETE FROM memos WHERE id = ?", id).execute(db).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("memo"));
    }
    Ok(())
}

/// Up to 20 memos, pinned first, then the latest changed: those holding `words` (the last
/// as a prefix), when given.
pub async fn memos_matching(db: &sqlx::SqlitePool, tz: Tz, words: Option<&str>) -> Result<Vec<Memo>> {
    let rows: Vec<MemoRow> = match words.and_then(fts_query) {
        Some(q) => {
            select_memos!(
                "WHERE seq IN (SELECT rowid FROM memos_fts WHERE memos_fts MATCH ?)
                 ORDER BY pinned DESC, updated_at DESC LIMIT 20",
                q
            )
            .fetch_all(db)
            .await?
        }
        None => select_memos!("ORDER BY pinned DESC, updated_at DESC LIMIT 20").fetch_all(db).await?,
    };
    Ok(rows.into_iter().map(|r| r.into_api(tz)).collect())
}

/// Pinned memos, the latest changed first, at most `cap` (an SQL placeholder such as
/// `?1`): a statement giving them packed ([`crate::infra::db::unpack`]), for Today.
pub fn pinned_sql(cap: &str) -> String {
    let select =
        format!("SELECT {MEMO_COLUMNS} FROM memos WHERE pinned = 1 ORDER BY updated_at DESC LIMIT {cap}");
    packed(MEMO_COLUMNS, &select)
}

/// The memos a person may mean by `said`: those titled exactly so, and those holding its
/// words, the latest changed first.
pub async fn memos_named(db: &sqlx::SqlitePool, said: &str) -> Result<Named<MemoRow>> {
    let exact: Vec<MemoRow> =
        select_memos!("WHERE lower(title) = lower(?) LIMIT 5", said).fetch_all(db).await?;
    let fuzzy: Vec<MemoRow> = match named_query(said) {
        Some(q) => {
            select_memos!(
                "WHERE seq IN (SELECT rowid FROM memos_fts WHERE memos_fts MATCH ?) ORDER BY updated_at DESC LIMIT 5",
                q
            )
            .fetch_all(db)
            .await?
        }
        None => vec![],
    };
    Ok(Named { exact, fuzzy })
}

/// List memos, pinned first, then most recently changed.
#[utoipa::path(get, path = "/api/memos", tag = "memos", params(MemoFilter), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of memos", body = Page<Memo>),
        NotLoggedIn,
        InvalidFilter,
    ))]
async fn list_memos(
    State(state): State<OrganiserContext>,
    Query(f): Query<MemoFilter>,
) -> Result<Json<Page<Memo>>> {
    let window = Window::new(f.page, f.limit)?;
    let fts = match f.q.as_deref() {
        Some(q) => match fts_query(q) {
            Some(m) => Some(m),
            None => return Ok(Json(window.wrap(vec![], 0))),
        },
        None => None,
    };
    let tag = f.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let push_filters = |qb: &mut QueryBuilder<'_, Sqlite>| {
        qb.push(" WHERE 1 = 1");
        if let Some(pinned) = f.pinned {
            qb.push(" AND pinned = ").push_bind(pinned);
        }
        if let Some(tag) = tag.clone() {
            qb.push(" AND EXISTS (SELECT 1 FROM json_each(memos.tags) WHERE json_each.value = ")
                .push_bind(tag)
                .push(")");
        }
        if let Some(m) = fts.clone() {
            qb.push(" AND seq IN (SELECT rowid FROM memos_fts WHERE memos_fts MATCH ").push_bind(m).push(")");
        }
    };
    let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(format!("SELECT {MEMO_COLUMNS} FROM memos"));
    push_filters(&mut qb);
    qb.push(" ORDER BY pinned DESC, updated_at DESC, seq DESC LIMIT ")
        .push_bind(i64::from(window.limit))
        .push(" OFFSET ")
        .push_bind(window.offset());
    let rows: Vec<MemoRow> = qb.build_query_as().fetch_all(&state.db.read).await?;
    let mut count: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT COUNT(*) FROM memos");
    push_filters(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&state.db.read).await?;
    let items = rows.into_iter().map(|r| r.into_api(state.tz)).collect();
    Ok(Json(window.wrap(items, total)))
}

/// Create a memo.
#[utoipa::path(post, path = "/api/memos", tag = "memos", request_body = NewMemo, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Memo),
        MalformedJson,
        NotLoggedIn,
        BodyTooLarge,
        NotJson,
        InvalidValues,
    ))]
async fn create_memo(
    State(state): State<OrganiserContext>,
    Json(new): Json<NewMemo>,
) -> Result<(StatusCode, Json<Memo>)> {
    Fields {
        optional_title: new.title.as_deref(),
        content: Some(&new.content),
        tags: Some(&new.tags),
        ..Fields::default()
    }
    .check()?;
    let created = insert_memo(&state.db.write, state.tz, new).await?;
    state.bus.data_changed(Module::Memos);
    Ok((StatusCode::CREATED, Json(created)))
}

/// Inserts a memo; shared by the REST route and the assistant's `create_memo` tool.
pub async fn insert_memo(db: &sqlx::SqlitePool, tz: Tz, new: NewMemo) -> Result<Memo> {
    let now = now_ms();
    let title = match new.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => title_from_content(&new.content),
    };
    let row = MemoRow {
        id: new_id(),
        title,
        content: new.content,
        tags: tags_to_json(&new.tags),
        pinned: new.pinned,
        created_at: now,
        updated_at: now,
    };
    sqlx::query!(
        "INSERT INTO memos (id, title, content, tags, pinned, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        row.id,
        row.title,
        row.content,
        row.tags,
        row.pinned,
        row.created_at,
        row.updated_at,
    )
    .execute(db)
    .await?;
    Ok(row.into_api(tz))
}

/// One memo.
#[utoipa::path(get, path = "/api/memos/{id}", tag = "memos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Memo id")),
    responses(
        (status = 200, description = "The memo", body = Memo),
        NotLoggedIn,
        (status = 404, description = "No such memo", body = ErrorBody),
    ))]
async fn get_memo(State(state): State<OrganiserContext>, Path(id): Path<String>) -> Result<Json<Memo>> {
    let row = select_memos!("WHERE id = ?", id)
        .fetch_optional(&state.db.read)
        .await?
        .ok_or(Error::NotFound("memo"))?;
    Ok(Json(row.into_api(state.tz)))
}

/// Change some fields of a memo.
#[utoipa::path(patch, path = "/api/memos/{id}", tag = "memos", request_body = MemoPatch, security(("bearer" = [])),
    params(("id" = String, Path, description = "Memo id")),
    responses(
        (status = 200, description = "The updated memo", body = Memo),
        MalformedJson,
        NotLoggedIn,
        BodyTooLarge,
        (status = 404, description = "No such memo", body = ErrorBody),
        NotJson,
        InvalidValues,
    ))]
async fn update_memo(
    State(state): State<OrganiserContext>,
    Path(id): Path<String>,
    Json(patch): Json<MemoPatch>,
) -> Result<Json<Memo>> {
    Fields {
        optional_title: patch.title.as_deref(),
        content: patch.content.as_deref(),
        tags: patch.tags.as_deref(),
        ..Fields::default()
    }
    .check()?;
    let updated = patch_memo(&state.db.write, state.tz, &id, patch).await?;
    state.bus.data_changed(Module::Memos);
    Ok(Json(updated))
}

pub async fn patch_memo(db: &sqlx::SqlitePool, tz: Tz, id: &str, patch: MemoPatch) -> Result<Memo> {
    let mut tx = db.begin().await?;
    let mut row =
        select_memos!("WHERE id = ?", id).fetch_optional(&mut *tx).await?.ok_or(Error::NotFound("memo"))?;
    if let Some(content) = patch.content {
        // A title that was only the first line follows the content; one the user chose stays.
        if patch.title.is_none() && row.title == title_from_content(&row.content) {
            row.title = title_from_content(&content);
        }
        row.content = content;
    }
    if let Some(title) = patch.title {
        let title = title.trim();
        row.title = if title.is_empty() { title_from_content(&row.content) } else { title.to_owned() };
    }
    if let Some(tags) = patch.tags {
        row.tags = tags_to_json(&tags);
    }
    if let Some(pinned) = patch.pinned {
        row.pinned = pinned;
    }
    row.updated_at = now_ms();
    sqlx::query!(
        "UPDATE memos SET title = ?, content = ?, tags = ?, pinned = ?, updated_at = ? WHERE id = ?",
        row.title,
        row.content,
        row.tags,
        row.pinned,
        row.updated_at,
        id,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row.into_api(tz))
}

/// Delete a memo.
#[utoipa::path(delete, path = "/api/memos/{id}", tag = "memos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Memo id")),
    responses(
        (status = 204, description = "Deleted"),
        NotLoggedIn,
        (status = 404, description = "No such memo", body = ErrorBody),
    ))]
async fn delete_memo(State(state): State<OrganiserContext>, Path(id): Path<String>) -> Result<StatusCode> {
    remove_memo(&state.db.write, &id).await?;
    state.bus.data_changed(Module::Memos);
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untitled_memos_take_their_first_line() {
        assert_eq!(title_from_content("\n\n# Ideas for the trip\n- Lisbon"), "Ideas for the trip");
        assert_eq!(title_from_content("   "), "");
    }
}
