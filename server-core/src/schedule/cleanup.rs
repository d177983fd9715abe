//! The nightly cleanup: what can no longer matter goes, and the file is kept tidy.
//!
//! Removed: refresh tokens past their expiry and spent ones of ended logins, one-time
//! codes past theirs ([`crate::auth::prune`]), notifications read more than 30 days ago
//! ([`crate::features::notifications::prune_read`]), and server tasks finished more than 90 days ago
//! (host runs of that age stay as the record of what ran on the computer, without their
//! output; [`crate::brain::routes::prune_finished`]). Then the search indexes are merged
//! ([`crate::features::search::merge_indexes`]), and `PRAGMA optimize` and an incremental vacuum give
//! the freed pages back to the disk. Todos, events, memos, conversations and messages are
//! never touched.

use crate::infra::db::Db;

/// What one cleanup did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cleaned {
    pub refresh_tokens: u64,
    pub otp_codes: u64,
    pub notifications: u64,
    pub tasks_removed: u64,
    pub tasks_trimmed: u64,
}

/// Runs the cleanup as of `now` (milliseconds since the epoch).
pub async fn run(db: &Db, now: i64) -> anyhow::Result<Cleaned> {
    let auth = crate::auth::prune(&db.write, now).await?;
    let notifications = crate::features::notifications::prune_read(&db.write, now).await?;
    let tasks = crate::brain::routes::prune_finished(&db.write, now).await?;
    tidy(db).await?;
    Ok(Cleaned {
        refresh_tokens: auth.refresh_tokens,
        otp_codes: auth.otp_codes,
        notifications,
        tasks_removed: tasks.removed,
        tasks_trimmed: tasks.trimmed,
    })
}

/// The search indexes merged, `PRAGMA optimize`, then an incremental vacuum. A database
/// made before the cleanup existed has no incremental vacuum yet: it is switched on, which
/// takes one full VACUUM.
async fn tidy(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.write.acquire().await?;
    crate::features::search::merge_indexes(&mut conn).await?;
    sqlx::query("PRAGMA optimize").execute(&mut *conn).await?;
    let mode: i64 = sqlx::query_scalar("PRAGMA auto_vacuum").fetch_one(&mut *conn).await?;
    if mode == 2 {
        sqlx::query("PRAGMA incremental_vacuum").execute(&mut *conn).await?;
    } else {
        sqlx::query("PRAGMA auto_vacuum = INCREMENTAL").execute(&mut *conn).await?;
        sqlx::query!("VACUUM").execute(&mut *conn).await?;
        tracing::info!("the database gives freed space back to the disk from now on (incremental vacuum)");
    }
    Ok(())
}
