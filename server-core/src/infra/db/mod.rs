//! The store: one SQLite file in WAL mode, opened as two pools.
//!
//! SQLite allows many readers but one writer. A single-connection write pool queues writers
//! in our process instead of letting them collide inside SQLite, where a read transaction
//! that upgrades to a write can fail with SQLITE_BUSY regardless of `busy_timeout`. Readers
//! get their own pool and never wait for a writer (WAL). `busy_timeout` still matters for a
//! second process on the same file.
//!
//! Neither pool pings a connection before lending it (`test_before_acquire(false)`): sqlx
//! does by default, for network databases, and for SQLite a ping is a round trip to the
//! connection's thread (a wake-up there and one back) before every statement. A
//! connection to a file in this process has no other end to lose, and one whose thread
//! failed is still found: sqlx pings each connection as it comes back to the pool and
//! drops it if that fails.
//!
//! The pages people open most are read apart from both pools, on reader threads of their
//! own ([`pages`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

mod pages;

pub use pages::{Arg, Opening, Readers, flag, one_row, pack, packed, unpack};

/// The schema's history, `migrations/NNNN_*.sql`, built into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Read and write handles on the one database file.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
    /// The packed pages' readers (see [`pages`]).
    pub pages: Readers,
    /// The file (or its disk) could not be written when it was opened: what is stored is
    /// shown, and every write answers `storage_read_only`.
    pub read_only: bool,
}

impl Db {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Self::open_with(path, &MIGRATOR).await
    }

    /// As [`Db::open`], with another set of migrations (tests use one that fails on purpose).
    ///
    /// Upgrading an existing database: a copy is first written next to it
    /// (`<file>.pre-<first pending version>.bak`), and if any pending migration fails, that
    /// copy is put back, so the file is exactly what the previous release left and the
    /// error says which migration failed and why.
    pub async fn open_with(path: &Path, migrator: &Migrator) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
        }
        if let Some(reason) = unwritable(path) {
            return Self::open_read_only(path, migrator, &reason).await;
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
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone().create_if_missing(true))
            .await
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        migrate(&write, path, migrator).await?;

        let readers = std::thread::available_parallelism().map_or(4, |n| n.get().clamp(2, 8) * 2);
        let read = SqlitePoolOptions::new()
            .max_connections(readers as u32)
            .min_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.read_only(true))
            .await
            .with_context(|| format!("cannot open the database {} for reading", path.display()))?;
        let pages = Readers::open(path, page_readers(), Opening::Live)?;
        Ok(Self { read, write, pages, read_only: false })
    }

    /// Opens a database that cannot be written, so the user can still read it. Refused
    /// when it needs an upgrade, which would have to write.
    async fn open_read_only(path: &Path, migrator: &Migrator, reason: &str) -> anyhow::Result<Self> {
        Self::try_open_read_only(path, migrator, reason)
            .await
            .with_context(|| format!("cannot open the read-only database {}", path.display()))
    }

    async fn try_open_read_only(path: &Path, migrator: &Migrator, reason: &str) -> anyhow::Result<Self> {
        let base = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(5));
        let connect = |options: SqliteConnectOptions, size: u32| {
            SqlitePoolOptions::new()
                .max_connections(size)
                .min_connections(1)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
        };
        // A WAL database needs its shared-memory file; on a read-only disk, where that
        // cannot be made, it is read as an immutable file instead.
        async fn probe(pool: &SqlitePool) -> sqlx::Result<i64> {
            sqlx::query_scalar!(r#"SELECT count(*) AS "tables!: i64" FROM sqlite_schema"#)
                .fetch_one(pool)
                .await
        }
        let plain = match connect(base.clone(), 1).await {
            Ok(pool) if probe(&pool).await.is_ok() => Some(pool),
            Ok(pool) => {
                pool.close().await;
                None
            }
            Err(_) => None,
        };
        let (write, opening) = match plain {
            Some(pool) => (pool, Opening::Live),
            None => {
                let pool = connect(base.clone().immutable(true), 1).await?;
                probe(&pool).await?;
                (pool, Opening::Immutable)
            }
        };
        let applied = applied_versions(&write).await?;
        if let Some(pending) = migrator.iter().find(|m| !applied.contains(&m.version)) {
            return Err(anyhow!(
                "the database {} is read-only ({reason}) and this version of ClawChat must upgrade it \
                 (migration {}); make it writable and start again",
                path.display(),
                pending.version
            ));
        }
        let read = connect(write.connect_options().as_ref().clone(), 4).await?;
        // The readers open the file the way the probe above found it can be read.
        let pages = Readers::open(path, page_readers(), opening)?;
        tracing::warn!(
            database = %path.display(),
            reason,
            "the database is read-only: everything stored can be read, and every change is refused \
             (storage_read_only) until it is writable again and ClawChat restarts"
        );
        Ok(Self { read, write, pages, read_only: true })
    }

    /// Folds the WAL back into the main file and closes every connection. Called once the
    /// server has stopped taking requests.
    pub async fn close(&self) {
        self.pages.close().await;
        self.read.close().await;
        if self.read_only {
            self.write.close().await;
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.write).await {
            tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
        }
        self.write.close().await;
    }
}

/// How many threads read the packed pages: one a core (two at least, four at most), as
/// a read keeps its thread busy from start to end and never waits on anything but SQLite.
fn page_readers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

/// Why the existing database at `path` cannot be written, if it cannot.
fn unwritable(path: &Path) -> Option<String> {
    match std::fs::OpenOptions::new().write(true).open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Some("permission denied".into()),
        Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => Some("read-only file system".into()),
        _ => None,
    }
}

/// Applies `migrator`'s pending migrations to the database at `path`, open on `write`,
/// with a backup taken first and restored on failure (see [`Db::open_with`]).
async fn migrate(write: &SqlitePool, path: &Path, migrator: &Migrator) -> anyhow::Result<()> {
    let known: HashSet<i64> = migrator.iter().map(|m| m.version).collect();
    let before = applied_versions(write).await?;
    if let Some(newer) = before.iter().find(|v| !known.contains(v)) {
        return Err(anyhow!(
            "the database {} was changed by a newer ClawChat (its schema has migration {newer}, which \
             this version does not know); use that version, or restore a backup made before it",
            path.display()
        ));
    }
    let pending: Vec<i64> = migrator.iter().map(|m| m.version).filter(|v| !before.contains(v)).collect();
    let Some(&first) = pending.first() else { return Ok(()) };
    let has_data: bool =
        sqlx::query_scalar!(r#"SELECT count(*) > 0 AS "has_data!: bool" FROM sqlite_schema"#)
            .fetch_one(write)
            .await?;
    let backup = if has_data { Some(back_up(write, path, first).await?) } else { None };

    let Err(error) = migrator.run(write).await else {
        if !pending.is_empty() {
            tracing::info!(versions = ?pending, "database schema upgraded");
        }
        return Ok(());
    };
    // The migration that failed is the first pending one that is not recorded as applied.
    let after = applied_versions(write).await.unwrap_or_default();
    let failed = migrator
        .iter()
        .find(|m| !after.contains(&m.version))
        .map_or_else(|| "?".to_owned(), |m| format!("{} ({})", m.version, m.description));
    let Some(backup) = backup else {
        return Err(anyhow!(
            "cannot create the database {}: migration {failed} failed: {error}",
            path.display()
        ));
    };
    write.close().await;
    match restore(&backup, path) {
        Ok(()) => Err(anyhow!(
            "cannot upgrade the database {}: migration {failed} failed: {error}. The database is \
             as it was before the upgrade, and a copy of it is at {}",
            path.display(),
            backup.display()
        )),
        Err(restore_error) => Err(anyhow!(
            "cannot upgrade the database {}: migration {failed} failed: {error}; putting back the \
             copy made before the upgrade also failed ({restore_error:#}): copy {} over it by hand",
            path.display(),
            backup.display()
        )),
    }
}

/// The migration versions recorded as applied (none for a new database).
async fn applied_versions(db: &SqlitePool) -> anyhow::Result<HashSet<i64>> {
    let table: Option<String> = sqlx::query_scalar!(
        r#"SELECT name AS "name!" FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations'"#
    )
    .fetch_optional(db)
    .await?;
    if table.is_none() {
        return Ok(HashSet::new());
    }
    // Not checked at build time: sqlx makes this table when it first migrates, so the
    // schema the checked queries are described against (migrations/ alone) has none.
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1").fetch_all(db).await?;
    Ok(versions.into_iter().collect())
}

/// Writes a consistent copy of the database next to it before migration `version` and
/// returns its path. An older copy of the same name is kept; the new one gets a suffix.
async fn back_up(db: &SqlitePool, path: &Path, version: i64) -> anyhow::Result<PathBuf> {
    let backup = copy_beside(db, path, &format!("pre-{version:04}"))
        .await
        .context("before upgrading the database's schema")?;
    tracing::info!(backup = %backup.display(), "copied the database before upgrading its schema");
    Ok(backup)
}

/// Writes a consistent copy (`VACUUM INTO`, safe while others write) of the database at
/// `path`, open on `db`, to `<file>.<label>.bak` beside it, flushed to disk, and returns
/// its path. An older copy of the same name is kept; the new one gets a suffix.
async fn copy_beside(db: &SqlitePool, path: &Path, label: &str) -> anyhow::Result<PathBuf> {
    let name = path.file_name().map_or_else(|| "clawchat.db".into(), |n| n.to_string_lossy().into_owned());
    let mut backup = path.with_file_name(format!("{name}.{label}.bak"));
    if backup.exists() {
        backup = path.with_file_name(format!("{name}.{label}.{}.bak", now_ms()));
    }
    let target =
        backup.to_str().ok_or_else(|| anyhow!("the backup path {} is not UTF-8", backup.display()))?;
    sqlx::query!("VACUUM INTO ?", target)
        .execute(db)
        .await
        .with_context(|| format!("cannot write a backup of the database to {}", backup.display()))?;
    std::fs::File::open(&backup)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot flush the backup {}", backup.display()))?;
    Ok(backup)
}

impl Db {
    /// Backs up the database at `path` before something outside the schema's own upgrade
    /// replaces the program (the desktop app's update): a copy `<file>.<label>.bak` beside
    /// it, then that copy opened on its own and checked (`PRAGMA integrity_check`, and its
    /// migrations the same as the live file's), so an update only goes ahead with a copy
    /// that can be put back. Returns the copy's path.
    pub async fn back_up_checked(&self, path: &Path, label: &str) -> anyhow::Result<PathBuf> {
        let backup = copy_beside(&self.write, path, label).await?;
        check_copy(&backup, &applied_versions(&self.read).await?)
            .await
            .with_context(|| format!("the backup {} failed its check", backup.display()))?;
        tracing::info!(backup = %backup.display(), "backed up and checked the database");
        Ok(backup)
    }
}

/// Opens the copy at `backup` read-only and checks it: SQLite's integrity check passes and
/// the same migrations are recorded as in the live database (`applied`).
async fn check_copy(backup: &Path, applied: &HashSet<i64>) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::from_str("sqlite://")?.filename(backup).read_only(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&pool).await?;
    let versions = applied_versions(&pool).await;
    pool.close().await;
    if verdict != ["ok"] {
        return Err(anyhow!("SQLite's integrity check answered: {}", verdict.join("; ")));
    }
    if &versions? != applied {
        return Err(anyhow!("the copy's schema is not the live database's"));
    }
    Ok(())
}

/// Puts `backup` in place of the database at `path` (closed), atomically by rename.
fn restore(backup: &Path, path: &Path) -> anyhow::Result<()> {
    let mut staging = path.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    std::fs::copy(backup, &staging).context("copying the backup")?;
    std::fs::File::open(&staging).and_then(|f| f.sync_all()).context("flushing the copy")?;
    // The failed upgrade's write-ahead log must not be replayed onto the restored file.
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing {}", Path::new(&side).display()));
            }
            _ => {}
        }
    }
    std::fs::rename(&staging, path).context("moving the copy in place")?;
    Ok(())
}

/// Milliseconds since the Unix epoch: how every instant is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A new opaque id. UUIDv7 sorts by creation time, which keeps indexes append-only.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// One value of the `settings` table, the store of small things the app remembers (the
/// PIN's hash, LAN mode, the preferences changed through the API).
pub async fn setting(db: &SqlitePool, key: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT value FROM settings WHERE key = ?", key).fetch_optional(db).await
}

/// Stores `value` under `key` in the `settings` table, replacing what was there.
pub async fn put_setting(db: impl sqlx::SqliteExecutor<'_>, key: &str, value: &str) -> sqlx::Result<()> {
    let now = now_ms();
    sqlx::query!(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        key,
        value,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes `key` from the `settings` table so that its value is gone from the file, not
/// only from the table: with `secure_delete` the freed bytes are overwritten, and the
/// write-ahead log that held the page is folded back into the file and emptied.
pub async fn erase_setting(db: &SqlitePool, key: &str) -> sqlx::Result<()> {
    let mut conn = db.acquire().await?;
    sqlx::query("PRAGMA secure_delete = ON").execute(&mut *conn).await?;
    let deleted = sqlx::query!("DELETE FROM settings WHERE key = ?", key).execute(&mut *conn).await;
    sqlx::query("PRAGMA secure_delete = OFF").execute(&mut *conn).await?;
    deleted?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
    Ok(())
}
