//! Upgrade safety: the database each earlier release left behind
//! (`tests/fixtures/releases/<release>.db`, made by `tests/durability/make_fixture.py`)
//! upgrades to the latest schema keeping every row; a copy is taken before an upgrade; a
//! migration that fails leaves the previous database as it was and says why.
//!
//! Nothing here names a migration: the tests run whatever `migrations/` holds, and the
//! ones that must fail add their own numbered files to a copy of it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clawchat_server::infra::db::{Db, MIGRATOR};
use serde_json::Value;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Row as _, SqlitePool};
use tempfile::TempDir;

use crate::common::{TestServer, str_field};

/// table → primary key → column → the value as SQL `quote()` renders it.
type Snapshot = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixtures folder")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no release fixtures in {}", dir.display());
    found
}

/// A fresh copy of `fixture` as `clawchat.db` in a new folder.
fn copy_of(fixture: &Path) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("clawchat.db");
    std::fs::copy(fixture, &path).expect("the fixture copies");
    (dir, path)
}

async fn open_read_only(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    sqlx::pool::PoolOptions::new().max_connections(1).connect_with(options).await.expect("the file opens")
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every row of every table a user's data lives in (not the search indexes, which are
/// derived, nor the migration ledger), keyed by primary key.
async fn snapshot(path: &Path) -> Snapshot {
    let db = open_read_only(path).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'
         AND name <> '_sqlx_migrations' AND name NOT LIKE '%\\_fts%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let mut snap = Snapshot::new();
    for table in tables {
        let info = sqlx::query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid")
            .bind(&table)
            .fetch_all(&db)
            .await
            .unwrap();
        let columns: Vec<String> = info.iter().map(|r| r.get::<String, _>("name")).collect();
        let mut keys: Vec<(i64, String)> = info
            .iter()
            .filter(|r| r.get::<i64, _>("pk") > 0)
            .map(|r| (r.get::<i64, _>("pk"), r.get::<String, _>("name")))
            .collect();
        keys.sort();
        let key = if keys.is_empty() {
            "quote(rowid)".to_owned()
        } else {
            keys.iter().map(|(_, k)| format!("quote({})", quoted(k))).collect::<Vec<_>>().join(" || '|' || ")
        };
        let values = columns.iter().map(|c| format!("quote({})", quoted(c))).collect::<Vec<_>>().join(", ");
        let rows = sqlx::query(&format!("SELECT {key}, {values} FROM {}", quoted(&table)))
            .fetch_all(&db)
            .await
            .unwrap();
        let mut by_key = BTreeMap::new();
        for row in rows {
            let values = columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), row.get::<String, _>(i + 1)))
                .collect::<BTreeMap<_, _>>();
            by_key.insert(row.get::<String, _>(0), values);
        }
        snap.insert(table, by_key);
    }
    db.close().await;
    snap
}

/// Every row of `before` is in `after` under the same key, with the same value in every
/// column that still exists; no table lost or gained rows.
fn assert_kept(before: &Snapshot, after: &Snapshot, what: &str) {
    for (table, rows) in before {
        let later = after.get(table).unwrap_or_else(|| panic!("{what}: table {table} is gone"));
        assert_eq!(later.len(), rows.len(), "{what}: {table} had {} rows, has {}", rows.len(), later.len());
        for (key, columns) in rows {
            let now = later.get(key).unwrap_or_else(|| panic!("{what}: {table} row {key} is gone"));
            for (column, value) in columns {
                if let Some(new) = now.get(column) {
                    assert_eq!(new, value, "{what}: {table} row {key} column {column} changed");
                }
            }
        }
    }
}

fn count(snap: &Snapshot, table: &str) -> usize {
    snap.get(table).map_or(0, BTreeMap::len)
}

async fn applied(path: &Path) -> BTreeSet<i64> {
    let db = open_read_only(path).await;
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
        .fetch_all(&db)
        .await
        .unwrap();
    db.close().await;
    versions.into_iter().collect()
}

fn all_versions() -> BTreeSet<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

async fn table_exists(path: &Path, table: &str) -> bool {
    let db = open_read_only(path).await;
    let found: Option<String> = sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE name = ?")
        .bind(table)
        .fetch_optional(&db)
        .await
        .unwrap();
    db.close().await;
    found.is_some()
}

/// `PRAGMA integrity_check` and each full-text index's own check.
async fn assert_sound(path: &Path) {
    let db = open_read_only(path).await;
    let result: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&db).await.unwrap();
    assert_eq!(result, "ok", "{}", path.display());
    db.close().await;
    let db = sqlx::SqlitePool::connect_with(SqliteConnectOptions::new().filename(path)).await.unwrap();
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(!indexes.is_empty(), "no full-text indexes in {}", path.display());
    for fts in indexes {
        let check = format!("INSERT INTO {0} ({0}) VALUES ('integrity-check')", quoted(&fts));
        sqlx::query(&check).execute(&db).await.unwrap_or_else(|e| panic!("{fts} fails its check: {e}"));
    }
    db.close().await;
}

/// The real migrations plus `extra` (file name, SQL), as a migrator of their own.
async fn migrator_with(extra: &[(&str, &str)]) -> (TempDir, Migrator) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    for (name, sql) in extra {
        std::fs::write(dir.path().join(name), sql).unwrap();
    }
    let migrator = Migrator::new(dir.path()).await.expect("the migrations read");
    (dir, migrator)
}

/// Where the upgrade of the database at `path` by `migrator` keeps its backup: named after
/// the first migration the file has not had (the fixture may predate real migrations too).
async fn backup_for(path: &Path, migrator: &Migrator) -> PathBuf {
    let applied = applied(path).await;
    let first = migrator
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .min()
        .expect("a pending migration");
    path.with_file_name(format!("clawchat.db.pre-{first:04}.bak"))
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn an_empty_database_gets_every_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clawchat.db");
    let db = Db::open(&path).await.expect("a new database opens");
    db.close().await;
    assert_eq!(applied(&path).await, all_versions());
    assert_sound(&path).await;
    assert!(backups(dir.path()).is_empty(), "a new database has nothing to back up");
}

#[tokio::test]
async fn every_release_database_upgrades_to_the_latest_schema_keeping_every_row() {
    for fixture in fixtures() {
        let what = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let (dir, path) = copy_of(&fixture);
        let before = snapshot(&path).await;
        let pending = all_versions().difference(&applied(&path).await).count();
        for table in ["todos", "events", "memos", "conversations", "messages", "agent_tasks", "devices"] {
            assert!(count(&before, table) > 0, "{what} has no {table}: remake it with every kind of row");
        }

        let db = Db::open(&path).await.unwrap_or_else(|e| panic!("{what} does not upgrade: {e:#}"));
        db.close().await;

        assert_eq!(applied(&path).await, all_versions(), "{what}: not every migration applied");
        assert_kept(&before, &snapshot(&path).await, &what);
        assert_sound(&path).await;
        let copies = backups(dir.path());
        if pending == 0 {
            assert!(copies.is_empty(), "{what}: a backup was written with nothing to upgrade");
        } else {
            assert_eq!(copies.len(), 1, "{what}: one backup before the upgrade, found {copies:?}");
            assert_eq!(snapshot(&copies[0]).await, before, "{what}: the backup differs from the original");
        }
    }
}

#[tokio::test]
async fn a_release_database_serves_every_row_after_the_upgrade() {
    for fixture in fixtures() {
        let before = snapshot(&fixture).await;
        let server = TestServer::start_on_copy(&fixture).await;
        // The fixtures are made with the test PIN.
        let token = server.token().await;
        assert_eq!(server.total("/api/todos?limit=100", &token).await as usize, count(&before, "todos"));
        assert_eq!(server.total("/api/memos?limit=100", &token).await as usize, count(&before, "memos"));
        assert_eq!(server.total("/api/events?limit=100", &token).await as usize, count(&before, "events"));
        for row in before["memos"].values() {
            let id = row["id"].trim_matches('\'');
            let memo = server.get_ok(&format!("/api/memos/{id}"), &token).await;
            assert_eq!(format!("'{}'", str_field(&memo, "content").replace('\'', "''")), row["content"]);
            // Found again by a word of its own, through the upgraded search index.
            let word: String = str_field(&memo, "content")
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 3)
                .max_by_key(|w| w.len())
                .unwrap()
                .to_owned();
            let hits = server.get_ok(&format!("/api/search?q={word}&types=memos"), &token).await;
            let found = hits.to_string().contains(id);
            assert!(found, "searching {word} does not find memo {id}: {hits}");
        }
        for row in before["conversations"].values() {
            let id = row["id"].trim_matches('\'');
            let page =
                server.get_ok(&format!("/api/chat/conversations/{id}/messages?limit=100"), &token).await;
            let stored = before["messages"].values().filter(|m| m["conversation_id"] == row["id"]).count();
            assert_eq!(page["total"].as_u64().map(|t| t as usize), Some(stored), "{page}");
        }
        let tasks = server.get_ok("/api/tasks?limit=100", &token).await;
        let listed = tasks.get("items").and_then(Value::as_array).map_or(0, Vec::len);
        assert!(listed > 0, "the release's tasks are not listed: {tasks}");
    }
}

#[tokio::test]
async fn an_upgrade_writes_a_backup_first() {
    let fixture = fixtures().pop().unwrap();
    let (dir, path) = copy_of(&fixture);
    let before = snapshot(&path).await;
    let (_migrations, migrator) = migrator_with(&[(
        "9001_probe.sql",
        "CREATE TABLE upgrade_probe (x INTEGER); ALTER TABLE memos ADD COLUMN mood TEXT NOT NULL DEFAULT 'calm';",
    )])
    .await;

    let backup = backup_for(&path, &migrator).await;
    let db = Db::open_with(&path, &migrator).await.expect("the upgrade succeeds");
    db.close().await;

    assert_eq!(backups(dir.path()), vec![backup.clone()]);
    assert_eq!(snapshot(&backup).await, before, "the backup is not the database as it was");
    assert!(!table_exists(&backup, "upgrade_probe").await);
    assert!(table_exists(&path, "upgrade_probe").await);
    assert_kept(&before, &snapshot(&path).await, "upgraded with a probe migration");
    assert_sound(&backup).await;
}

#[tokio::test]
async fn a_failed_migration_leaves_the_previous_database_usable_and_says_why() {
    let fixture = fixtures().pop().unwrap();
    let (_dir, path) = copy_of(&fixture);
    let before = snapshot(&path).await;
    let versions = applied(&path).await;
    // The first new migration succeeds on its own; the second fails halfway through.
    let (_migrations, migrator) = migrator_with(&[
        (
            "9001_add_mood.sql",
            "CREATE TABLE upgrade_probe (x INTEGER); ALTER TABLE memos ADD COLUMN mood TEXT;",
        ),
        ("9002_broken.sql", "UPDATE todos SET title = 'lost'; INSERT INTO no_such_table VALUES (1);"),
    ])
    .await;

    let backup = backup_for(&path, &migrator).await;
    let error = Db::open_with(&path, &migrator).await.expect_err("a broken migration fails the start");
    let message = format!("{error:#}");
    assert!(message.contains("migration 9002 (broken) failed"), "{message}");
    assert!(message.contains("no such table: no_such_table"), "the cause is missing: {message}");
    assert!(message.contains("as it was before the upgrade"), "{message}");
    assert!(message.contains(&backup.display().to_string()), "the backup is not named: {message}");

    // Exactly what the previous release left: rows, schema and migration ledger.
    assert_eq!(snapshot(&path).await, before, "the failed upgrade changed the data");
    assert_eq!(applied(&path).await, versions);
    assert!(!table_exists(&path, "upgrade_probe").await, "the first new migration was kept");
    assert_sound(&path).await;

    // And it opens and serves as before.
    let db = Db::open(&path).await.expect("the previous database still opens");
    let titles: Vec<String> =
        sqlx::query_scalar("SELECT title FROM todos").fetch_all(&db.read).await.unwrap();
    db.close().await;
    assert!(!titles.is_empty() && titles.iter().all(|t| t != "lost"), "{titles:?}");
}

#[tokio::test]
async fn a_database_from_a_newer_release_is_refused_and_left_alone() {
    let fixture = fixtures().pop().unwrap();
    let (_dir, path) = copy_of(&fixture);
    let (_migrations, newer) =
        migrator_with(&[("9001_probe.sql", "CREATE TABLE upgrade_probe (x INTEGER);")]).await;
    Db::open_with(&path, &newer).await.expect("the newer release upgrades it").close().await;
    let before = snapshot(&path).await;

    let error = Db::open(&path).await.expect_err("an older release must not open it");
    let message = format!("{error:#}");
    assert!(message.contains("newer ClawChat") && message.contains("9001"), "{message}");
    assert_eq!(snapshot(&path).await, before);
    assert!(table_exists(&path, "upgrade_probe").await);
}

#[tokio::test]
async fn a_backup_before_an_app_update_is_a_checked_copy_kept_beside_the_last() {
    let fixture = fixtures().pop().unwrap();
    let (dir, path) = copy_of(&fixture);
    let db = Db::open(&path).await.expect("the release database opens");
    let live = snapshot(&path).await;

    let first = db.back_up_checked(&path, "pre-update-9.9.9").await.expect("the backup is made and checked");
    assert_eq!(first, path.with_file_name("clawchat.db.pre-update-9.9.9.bak"));
    assert_eq!(snapshot(&first).await, live, "the backup is not the database as it is");
    assert_sound(&first).await;
    assert_eq!(applied(&first).await, applied(&path).await);

    // A second update to the same version keeps the first copy and writes another.
    sqlx::query("DELETE FROM memos").execute(&db.write).await.unwrap();
    let second = db.back_up_checked(&path, "pre-update-9.9.9").await.expect("a second backup");
    assert_ne!(second, first);
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    assert_eq!(update_backups(dir.path()), both);
    assert_eq!(snapshot(&first).await, live, "the first backup changed");
    assert_eq!(count(&snapshot(&second).await, "memos"), 0);
    db.close().await;
}

#[tokio::test]
async fn a_backup_that_cannot_be_written_says_why() {
    let fixture = fixtures().pop().unwrap();
    let (dir, path) = copy_of(&fixture);
    let db = Db::open(&path).await.expect("the release database opens");
    let elsewhere = dir.path().join("no-such-folder").join("clawchat.db");
    let error = db.back_up_checked(&elsewhere, "pre-update-9.9.9").await.expect_err("no folder to write to");
    let error = format!("{error:#}");
    assert!(error.contains("cannot write a backup of the database"), "{error}");
    assert!(update_backups(dir.path()).is_empty());
    db.close().await;
}

/// The backups taken before an app update (opening a release's database also writes the
/// schema upgrade's own).
fn update_backups(dir: &Path) -> Vec<PathBuf> {
    backups(dir).into_iter().filter(|p| p.to_string_lossy().contains(".pre-update-")).collect()
}
