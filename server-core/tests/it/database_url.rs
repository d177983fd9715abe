//! `DATABASE_URL` as the original server's `.env` writes it, read by the real binary
//! started in a working directory of its own: three slashes are relative to it, four are
//! absolute, `sqlite+aiosqlite:` means the same as `sqlite:`, and anything else is refused.

use std::path::Path;
use std::process::{Command, Output};

use sqlx::sqlite::SqliteConnectOptions;

use crate::common::server_binary;

/// Runs `clawchat-server reset-pin` (which opens the database, stores a PIN and ends) in
/// `cwd` with `DATABASE_URL=url` and nothing else from the environment.
fn reset_pin(cwd: &Path, url: &str) -> Output {
    Command::new(server_binary())
        .current_dir(cwd)
        .env_clear()
        .env("DATABASE_URL", url)
        .env("CLAWCHAT_DATA_DIR", cwd.join("secrets"))
        .args(["reset-pin", "--pin", "13572468"])
        .output()
        .expect("the server binary runs")
}

/// Whether `file` is a ClawChat database holding a PIN.
async fn holds_a_pin(file: &Path) -> bool {
    let options = SqliteConnectOptions::new().filename(file).read_only(true);
    let Ok(pool) = sqlx::SqlitePool::connect_with(options).await else { return false };
    let hash: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'auth.pin_hash'")
        .fetch_optional(&pool)
        .await
        .unwrap_or(None);
    pool.close().await;
    hash.is_some()
}

fn assert_ran(out: &Output, url: &str) {
    assert!(
        out.status.success(),
        "reset-pin with DATABASE_URL={url} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_seeds_aiosqlite_url_is_a_file_under_the_working_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let url = "sqlite+aiosqlite:///./data/clawchat.db";
    assert_ran(&reset_pin(cwd.path(), url), url);
    assert!(holds_a_pin(&cwd.path().join("data/clawchat.db")).await, "no database at ./data/clawchat.db");
    assert!(!cwd.path().join("sqlite+aiosqlite:").exists(), "a folder named after the scheme was made");
}

#[tokio::test]
async fn three_slashes_are_relative_and_nothing_lands_at_the_root_of_the_disk() {
    let cwd = tempfile::tempdir().unwrap();
    let name = format!("clawchat-{}.db", uuid::Uuid::now_v7().simple());
    let url = format!("sqlite:///./data/{name}");
    assert_ran(&reset_pin(cwd.path(), &url), &url);
    assert!(holds_a_pin(&cwd.path().join("data").join(&name)).await, "no database under ./data");
    assert!(!Path::new("/data").join(&name).exists(), "the database went to /data at the root");

    let url = "sqlite:///plain.db";
    assert_ran(&reset_pin(cwd.path(), url), url);
    assert!(holds_a_pin(&cwd.path().join("plain.db")).await, "sqlite:///plain.db is ./plain.db");
}

#[tokio::test]
async fn four_slashes_are_an_absolute_path() {
    let cwd = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("kept").join("clawchat.db");
    let url = format!("sqlite:///{}", file.display());
    assert!(url.starts_with("sqlite:////"), "{url}");
    assert_ran(&reset_pin(cwd.path(), &url), &url);
    assert!(holds_a_pin(&file).await, "no database at {}", file.display());
    assert!(!cwd.path().join("kept").exists(), "an absolute path was taken as relative");
}

#[tokio::test]
async fn another_database_is_refused_with_a_message_that_says_what_works() {
    let cwd = tempfile::tempdir().unwrap();
    for url in ["postgresql://clawchat@localhost/clawchat", "mysql+aiomysql://db/clawchat"] {
        let out = reset_pin(cwd.path(), url);
        assert!(!out.status.success(), "{url} was taken");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("not a SQLite URL") && stderr.contains("sqlite:///relative/path.db"),
            "{url}: {stderr}"
        );
    }
    let made: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(made.is_empty(), "a refused URL still made {made:?}");
}
