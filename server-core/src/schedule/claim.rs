//! Claiming and delivering, the exactly-once part every firing goes through: the reminder
//! engine's passes, the overdue sweep and the daily notices.
//!
//! A firing is claimed by inserting its notification under a unique key (kind, item,
//! occurrence); only the process whose insert went in delivers it. A claim and the record
//! of how far its job has looked (`scheduler_state`) commit in one transaction, so a stop
//! in between can neither lose a firing nor repeat one.

use super::engine::{LATE_AFTER_MS, Scheduler};
use super::notifier::Notification;
use crate::features::notifications::{NotificationRow, returning_notifications};
use crate::infra::db::new_id;
use crate::infra::error::Result;

/// Claims per transaction.
const CLAIM_CHUNK: usize = 2_000;
/// An undelivered claim older than this at start-up was cut off by a stop mid-delivery.
const STALE_CLAIM_MS: i64 = 60_000;

/// Something that fell due, before it is claimed.
#[derive(Debug, Clone)]
pub(super) struct Due {
    pub(super) key: String,
    pub(super) kind: &'static str,
    pub(super) ref_id: Option<String>,
    pub(super) occurrence_at: Option<i64>,
    pub(super) fire_at: i64,
    pub(super) title: String,
    pub(super) body: String,
}

impl Scheduler {
    /// Inserts a notification per due item under its key; returns those this process
    /// inserted (the others were already claimed). With `record`, the `scheduler_state`
    /// key of the job that looked, moves that record to `now` in the same transaction.
    pub(super) async fn claim(
        &self,
        due: &[Due],
        now: i64,
        record: Option<&str>,
    ) -> Result<Vec<NotificationRow>> {
        let mut fired = Vec::new();
        let chunks: Vec<&[Due]> = if due.is_empty() { vec![&[]] } else { due.chunks(CLAIM_CHUNK).collect() };
        let last = chunks.len() - 1;
        for (i, chunk) in chunks.into_iter().enumerate() {
            let mut tx = self.inner.db.write.begin().await?;
            for d in chunk {
                let late = now - d.fire_at > LATE_AFTER_MS;
                let id = new_id();
                let inserted = sqlx::query!(
                    "INSERT INTO notifications (id, key, kind, ref_id, occurrence_at, fire_at, title, body, late, created_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                    id,
                    d.key,
                    d.kind,
                    d.ref_id,
                    d.occurrence_at,
                    d.fire_at,
                    d.title,
                    d.body,
                    late,
                    now
                )
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted == 1 {
                    fired.push(NotificationRow {
                        id,
                        kind: d.kind.to_owned(),
                        title: d.title.clone(),
                        body: d.body.clone(),
                        ref_id: d.ref_id.clone(),
                        conversation_id: None,
                        occurrence_at: d.occurrence_at,
                        fire_at: d.fire_at,
                        late,
                        created_at: now,
                        read_at: None,
                    });
                }
            }
            if let Some(key) = record.filter(|_| i == last) {
                super::state::record(&mut *tx, key, now).await?;
            }
            tx.commit().await?;
        }
        Ok(fired)
    }

    /// Hands the batch to every notifier at once, then marks it delivered.
    pub(super) async fn deliver(&self, rows: Vec<NotificationRow>) {
        if rows.is_empty() {
            return;
        }
        let tz = self.inner.config.tz;
        let batch: Vec<Notification> = rows.iter().map(|r| r.to_api(tz)).collect();
        let results = futures::future::join_all(self.inner.notifiers.iter().map(|n| n.deliver(&batch))).await;
        for (notifier, result) in self.inner.notifiers.iter().zip(results) {
            if let Err(e) = result {
                tracing::warn!(notifier = notifier.name(), error = %e, "a notifier failed");
            }
        }
        let ids = serde_json::Value::from(rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>()).to_string();
        let now = self.inner.clock.now_ms();
        if let Err(e) = sqlx::query!(
            "UPDATE notifications SET delivered_at = ? WHERE id IN (SELECT value FROM json_each(?))",
            now,
            ids
        )
        .execute(&self.inner.db.write)
        .await
        {
            tracing::warn!(error = %e, "could not mark notifications delivered");
        }
    }

    /// Notifications claimed but never delivered (the app stopped in between) are
    /// delivered now; taking them is itself a claim, so only one engine does. The daily
    /// briefing is left out: it is written only after its claim ([`super::daily`]), so one
    /// cut off has nothing to say. (`briefing` is one of the kinds the table allows.)
    pub(super) async fn redeliver_stale(&self) -> Result<()> {
        let now = self.inner.clock.now_ms();
        let stale_before = now - STALE_CLAIM_MS;
        let rows: Vec<NotificationRow> = returning_notifications!(
            "UPDATE notifications SET delivered_at = ?1
             WHERE delivered_at IS NULL AND kind != 'briefing' AND created_at < ?2",
            now,
            stale_before
        )
        .fetch_all(&self.inner.db.write)
        .await?;
        if !rows.is_empty() {
            let tz = self.inner.config.tz;
            let batch: Vec<Notification> = rows.iter().map(|r| r.to_api(tz)).collect();
            futures::future::join_all(self.inner.notifiers.iter().map(|n| n.deliver(&batch))).await;
        }
        Ok(())
    }
}
