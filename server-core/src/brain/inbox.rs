//! Group commit for the user's incoming messages.
//!
//! A message is acknowledged (`stream_start`, `202 delivered`, `query-result`) only once it
//! is on disk, and with `synchronous = FULL` every commit waits for the disk to sync. One
//! commit per message would make a burst of messages wait in line for one sync each, so
//! the inbox stores every message that arrived while the previous commit was running in
//! the next single transaction: the cost of a sync is shared by all of them.
//!
//! A batch is stored set-wise, a few statements for the whole batch (messages to a
//! conversation that no longer exists are answered `not found` first and left out), so
//! its cost hardly grows with its size: one statement round trip per message was most of
//! the time a burst of a thousand messages waited for its answers to start. Should the
//! set-wise statements fail, the batch is stored again message by message, each in its own
//! savepoint, so a message that cannot be stored fails alone.

use std::collections::HashSet;

use serde_json::json;
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::features::conversations::{self, Role};
use crate::infra::db::now_ms;
use crate::infra::error::{Error, Result};

/// Messages stored in one transaction at most.
const MAX_BATCH: usize = 2048;

/// A user message to store; the caller has chosen its ids.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub message_id: String,
    pub conversation_id: String,
    /// `Some(title)` when the message opens a new conversation with that id.
    pub new_conversation: Option<String>,
    pub content: String,
}

struct Job {
    incoming: Incoming,
    done: oneshot::Sender<Result<()>>,
}

#[derive(Debug, Clone)]
pub struct Inbox {
    jobs: mpsc::Sender<Job>,
}

impl Inbox {
    /// Starts the committer on the write pool; it ends when the last `Inbox` is dropped.
    pub fn start(write: SqlitePool) -> Self {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(committer(write, rx));
        Self { jobs }
    }

    /// Stores the message; returns once it is committed.
    pub async fn store(&self, incoming: Incoming) -> Result<()> {
        let (done, stored) = oneshot::channel();
        self.jobs.send(Job { incoming, done }).await.map_err(|_| Error::Unavailable)?;
        stored.await.map_err(|_| Error::Unavailable)?
    }
}

async fn committer(write: SqlitePool, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        // Take the connection first: whatever queues while we wait for it joins this batch.
        let tx = write.begin().await;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match store_batch(tx, &batch).await {
            Ok(results) => {
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.done.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, messages = batch.len(), "storing incoming messages failed");
                let e = Error::from(e);
                for job in batch {
                    let _ = job.done.send(Err(same_error(&e)));
                }
            }
        }
    }
}

/// The batch failed as a whole (begin or commit): every message gets the same answer.
fn same_error(e: &Error) -> Error {
    match e {
        Error::Unavailable => Error::Unavailable,
        Error::Timeout => Error::Timeout,
        Error::StorageFull => Error::StorageFull,
        Error::StorageReadOnly => Error::StorageReadOnly,
        other => Error::Internal(anyhow::anyhow!("{other}")),
    }
}

async fn store_batch(
    tx: std::result::Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>,
    batch: &[Job],
) -> std::result::Result<Vec<Result<()>>, sqlx::Error> {
    let mut tx = tx?;
    sqlx::query!("SAVEPOINT batch").execute(&mut *tx).await?;
    let results = match store_set_wise(&mut tx, batch).await {
        Ok(results) => {
            sqlx::query!("RELEASE batch").execute(&mut *tx).await?;
            results
        }
        Err(e) => {
            tracing::warn!(error = %e, messages = batch.len(), "storing a batch at once failed; storing its messages one by one");
            sqlx::query!("ROLLBACK TO batch").execute(&mut *tx).await?;
            sqlx::query!("RELEASE batch").execute(&mut *tx).await?;
            store_one_by_one(&mut tx, batch).await?
        }
    };
    tx.commit().await?;
    Ok(results)
}

/// The whole batch in four statements: which named conversations exist, the new
/// conversations, the messages, and the conversations' `updated_at`. The statements take
/// the batch as one JSON array each (`json_each`), whatever its size.
async fn store_set_wise(
    tx: &mut sqlx::SqliteConnection,
    batch: &[Job],
) -> std::result::Result<Vec<Result<()>>, sqlx::Error> {
    let now = now_ms();
    let named: Vec<&str> = batch
        .iter()
        .filter(|j| j.incoming.new_conversation.is_none())
        .map(|j| j.incoming.conversation_id.as_str())
        .collect();
    let mut existing: HashSet<String> = if named.is_empty() {
        HashSet::new()
    } else {
        let named = json!(named).to_string();
        sqlx::query_scalar!(
            "SELECT id FROM conversations WHERE id IN (SELECT value FROM json_each(?))",
            named
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect()
    };
    // A conversation opened earlier in the batch exists for the messages after it, as it
    // would message by message.
    let results: Vec<Result<()>> = batch
        .iter()
        .map(|j| match j.incoming.new_conversation {
            Some(_) => {
                existing.insert(j.incoming.conversation_id.clone());
                Ok(())
            }
            None if existing.contains(&j.incoming.conversation_id) => Ok(()),
            None => Err(Error::NotFound("conversation")),
        })
        .collect();
    let stored = || batch.iter().zip(&results).filter(|(_, r)| r.is_ok()).map(|(j, _)| &j.incoming);

    let opened: Vec<_> = stored()
        .filter_map(|m| m.new_conversation.as_ref().map(|title| json!([m.conversation_id, title.trim()])))
        .collect();
    if !opened.is_empty() {
        let opened = json!(opened).to_string();
        sqlx::query!(
            "INSERT INTO conversations (id, title, kind, created_at, updated_at)
             SELECT value ->> 0, value ->> 1, 'chat', ?1, ?1 FROM json_each(?2)",
            now,
            opened
        )
        .execute(&mut *tx)
        .await?;
    }
    let messages: Vec<_> = stored().map(|m| json!([m.message_id, m.conversation_id, m.content])).collect();
    if messages.is_empty() {
        return Ok(results);
    }
    let messages = json!(messages).to_string();
    sqlx::query!(
        "INSERT INTO messages (id, conversation_id, role, content, intent, action_cards, created_at)
         SELECT value ->> 0, value ->> 1, 'user', value ->> 2, NULL, '[]', ?1 FROM json_each(?2)",
        now,
        messages
    )
    .execute(&mut *tx)
    .await?;
    let touched: Vec<&str> =
        stored().filter(|m| m.new_conversation.is_none()).map(|m| m.conversation_id.as_str()).collect();
    if !touched.is_empty() {
        let touched = json!(touched).to_string();
        sqlx::query!(
            "UPDATE conversations SET updated_at = ? WHERE id IN (SELECT value FROM json_each(?))",
            now,
            touched
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(results)
}

/// The batch message by message, each in its own savepoint.
async fn store_one_by_one(
    tx: &mut sqlx::SqliteConnection,
    batch: &[Job],
) -> std::result::Result<Vec<Result<()>>, sqlx::Error> {
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        sqlx::query!("SAVEPOINT incoming").execute(&mut *tx).await?;
        let result = store_one(tx, &job.incoming).await;
        if result.is_err() {
            sqlx::query!("ROLLBACK TO incoming").execute(&mut *tx).await?;
        }
        sqlx::query!("RELEASE incoming").execute(&mut *tx).await?;
        results.push(result);
    }
    Ok(results)
}

async fn store_one(tx: &mut sqlx::SqliteConnection, m: &Incoming) -> Result<()> {
    let now = now_ms();
    match &m.new_conversation {
        Some(title) => {
            conversations::insert_conversation_on(tx, &m.conversation_id, title.trim(), "chat", now).await?
        }
        None => {
            let exists: Option<i64> = sqlx::query_scalar!(
                r#"SELECT 1 AS "found!: i64" FROM conversations WHERE id = ?"#,
                m.conversation_id
            )
            .fetch_optional(&mut *tx)
            .await?;
            exists.ok_or(Error::NotFound("conversation"))?;
        }
    }
    conversations::insert_message_on(
        tx,
        &m.conversation_id,
        &m.message_id,
        Role::User,
        &m.content,
        None,
        &[],
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::db::{Db, new_id};

    fn incoming(conversation_id: &str, new_conversation: bool, content: &str) -> Incoming {
        Incoming {
            message_id: new_id(),
            conversation_id: conversation_id.to_owned(),
            new_conversation: new_conversation.then(|| content.to_owned()),
            content: content.to_owned(),
        }
    }

    #[tokio::test]
    async fn a_burst_is_stored_whole_and_a_message_to_a_missing_conversation_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("inbox.db")).await.unwrap();
        let inbox = Inbox::start(db.write.clone());
        let opened = new_id();
        inbox.store(incoming(&opened, true, "first")).await.unwrap();

        let mut burst = tokio::task::JoinSet::new();
        for i in 0..100 {
            let (inbox, opened) = (inbox.clone(), opened.clone());
            burst.spawn(async move { inbox.store(incoming(&opened, false, &format!("m{i}"))).await });
        }
        let missing = inbox.store(incoming("no-such-conversation", false, "lost?")).await;
        assert!(matches!(missing, Err(Error::NotFound("conversation"))), "{missing:?}");
        while let Some(stored) = burst.join_next().await {
            stored.unwrap().unwrap();
        }
        let count: i64 = sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!: i64" FROM messages WHERE conversation_id = ?"#,
            opened
        )
        .fetch_one(&db.read)
        .await
        .unwrap();
        assert_eq!(count, 101);
        let stray: i64 =
            sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM messages WHERE content = 'lost?'"#)
                .fetch_one(&db.read)
                .await
                .unwrap();
        assert_eq!(stray, 0);
    }

    fn job(incoming: Incoming) -> Job {
        Job { incoming, done: oneshot::channel().0 }
    }

    #[tokio::test]
    async fn a_batch_opens_its_conversations_keeps_order_and_is_searchable() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("inbox.db")).await.unwrap();
        let old = new_id();
        conversations::insert_conversation_on(&mut db.write.acquire().await.unwrap(), &old, "old", "chat", 1)
            .await
            .unwrap();
        let fresh = new_id();
        let batch = vec![
            job(incoming(&fresh, true, "  buy oat milk  ")),
            job(incoming(&old, false, "second in old")),
            job(incoming("gone", false, "to nowhere")),
            job(incoming(&old, false, "third in old")),
        ];
        let results = store_batch(db.write.begin().await, &batch).await.unwrap();
        assert!(results[0].is_ok() && results[1].is_ok() && results[3].is_ok(), "{results:?}");
        assert!(matches!(results[2], Err(Error::NotFound("conversation"))), "{results:?}");

        let title: String = sqlx::query_scalar!("SELECT title FROM conversations WHERE id = ?", fresh)
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(title, "buy oat milk");
        let in_old: Vec<String> =
            sqlx::query_scalar!("SELECT content FROM messages WHERE conversation_id = ? ORDER BY seq", old)
                .fetch_all(&db.read)
                .await
                .unwrap();
        assert_eq!(in_old, ["second in old", "third in old"]);
        let updated: i64 = sqlx::query_scalar!("SELECT updated_at FROM conversations WHERE id = ?", old)
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert!(updated > 1, "the conversation written to is marked active");
        let role: String = sqlx::query_scalar!("SELECT role FROM messages WHERE conversation_id = ?", fresh)
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(role, "user");
        let found: i64 = sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!: i64" FROM messages_fts WHERE messages_fts MATCH 'oat'"#
        )
        .fetch_one(&db.read)
        .await
        .unwrap();
        assert_eq!(found, 1, "full-text search sees the message");
        let stray: i64 =
            sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM messages WHERE content = 'to nowhere'"#)
                .fetch_one(&db.read)
                .await
                .unwrap();
        assert_eq!(stray, 0);
    }

    #[tokio::test]
    async fn when_the_batch_cannot_be_stored_at_once_only_the_bad_message_fails() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("inbox.db")).await.unwrap();
        let conversation = new_id();
        let first = incoming(&conversation, true, "first");
        // The same message id twice: the set-wise insert breaks the UNIQUE rule as a whole.
        let mut twin = incoming(&conversation, false, "twin");
        twin.message_id = first.message_id.clone();
        let batch = vec![job(first), job(twin), job(incoming(&conversation, false, "after"))];
        let results = store_batch(db.write.begin().await, &batch).await.unwrap();
        assert!(results[0].is_ok(), "{results:?}");
        assert!(results[1].is_err(), "{results:?}");
        assert!(results[2].is_ok(), "{results:?}");
        let stored: Vec<String> = sqlx::query_scalar!(
            "SELECT content FROM messages WHERE conversation_id = ? ORDER BY seq",
            conversation
        )
        .fetch_all(&db.read)
        .await
        .unwrap();
        assert_eq!(stored, ["first", "after"]);
    }
}
