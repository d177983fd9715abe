//! Group commit for the user's incoming messages.
//!
//! A message is acknowledged (`stream_start`, `202 delivered`, `query-result`) only once it
//! is on disk, and with `synchronous = FULL` every commit waits for the disk to sync. One
//! commit per message would make a burst of messages wait in line for one sync each, so
//! the inbox stores every message that arrived while the previous commit was running in
//! the next single transaction: the cost of a sync is shared by all of them. Each message
//! sits in its own savepoint, so one that cannot be stored (its conversation was deleted)
//! fails alone.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::chat::{self, Role};
use crate::db::now_ms;
use crate::error::{Error, Result};

/// Messages stored in one transaction at most.
const MAX_BATCH: usize = 512;

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
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        sqlx::query("SAVEPOINT incoming").execute(&mut *tx).await?;
        let result = store_one(&mut tx, &job.incoming).await;
        if result.is_err() {
            sqlx::query("ROLLBACK TO incoming").execute(&mut *tx).await?;
        }
        sqlx::query("RELEASE incoming").execute(&mut *tx).await?;
        results.push(result);
    }
    tx.commit().await?;
    Ok(results)
}

async fn store_one(tx: &mut sqlx::SqliteConnection, m: &Incoming) -> Result<()> {
    let now = now_ms();
    match &m.new_conversation {
        Some(title) => {
            chat::insert_conversation_on(tx, &m.conversation_id, title.trim(), "chat", now).await?
        }
        None => {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = ?")
                .bind(&m.conversation_id)
                .fetch_optional(&mut *tx)
                .await?;
            exists.ok_or(Error::NotFound("conversation"))?;
        }
    }
    chat::insert_message_on(tx, &m.conversation_id, &m.message_id, Role::User, &m.content, None, &[], now)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, new_id};

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
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = ?")
            .bind(&opened)
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(count, 101);
        let stray: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE content = 'lost?'")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(stray, 0);
    }
}
