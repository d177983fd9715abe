//! The store: one SQLite file in WAL mode, opened as two pools.
//!
//! SQLite allows many readers but one writer. A single-connection write pool queues writers
//! in our process instead of letting them collide inside SQLite, where a read transaction
//! that upgrades to a write can fail with SQLITE_BUSY regardless of `busy_timeout`. Readers
//! get their own pool and never wait for a writer (WAL). `busy_timeout` still matters for a
//! second process on the same file.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Read and write handles on the one database file.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

impl Db {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
        }
        let base = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before we answer, so an acknowledged note survives
            // a power cut too, not only a crash of this process.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("temp_store", "memory");

        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone().create_if_missing(true))
            .await
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        MIGRATOR
            .run(&write)
            .await
            .with_context(|| format!("cannot migrate the database {}", path.display()))?;

        let readers = std::thread::available_parallelism().map_or(4, |n| n.get().clamp(2, 8) * 2);
        let read = SqlitePoolOptions::new()
            .max_connections(readers as u32)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.read_only(true))
            .await
            .with_context(|| format!("cannot open the database {} for reading", path.display()))?;
        Ok(Self { read, write })
    }

    /// Folds the WAL back into the main file and closes every connection. Called once the
    /// server has stopped taking requests.
    pub async fn close(&self) {
        self.read.close().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.write).await {
            tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
        }
        self.write.close().await;
    }
}

/// Milliseconds since the Unix epoch: how every instant is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A new opaque id. UUIDv7 sorts by creation time, which keeps indexes append-only.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}
