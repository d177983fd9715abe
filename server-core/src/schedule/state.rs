//! How far each job has looked: `scheduler_state`, one value per key (`checked_until`
//! for reminders, `job.<name>` for the periodic jobs and `job.<kind>` for the daily
//! notices, such as `job.briefing`), which only moves forward, so a restart neither
//! repeats nor skips what came due.

/// The value recorded for `key`, if any.
pub async fn recorded(db: impl sqlx::SqliteExecutor<'_>, key: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT value FROM scheduler_state WHERE key = ?", key).fetch_optional(db).await
}

/// Records `at` for `key`; a later value already recorded stays.
pub async fn record(db: impl sqlx::SqliteExecutor<'_>, key: &str, at: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO scheduler_state (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
        key,
        at
    )
    .execute(db)
    .await?;
    Ok(())
}
