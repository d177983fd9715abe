//! The nightly cleanup job, run by the server itself: a store that never had one is
//! cleaned when the server starts (before it answers), each kind of row the job removes
//! is planted old and young beside the user's own data, and what is left is checked. A
//! second start in the same night does not run it again.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::SqlitePool;

use crate::common::{Options, TestServer, plant_conversation, plant_message, send, str_field};

const DAY: i64 = 86_400_000;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn with_jobs() -> Options {
    Options { extra_args: vec!["--enable-scheduler".into(), "true".into()], ..Options::default() }
}

async fn count(db: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

async fn plant_token(db: &SqlitePool, hash: &str, family: &str, expires_at: i64, used_at: Option<i64>) {
    sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at, used_at) VALUES (?, ?, 0, ?, ?)")
        .bind(hash).bind(family).bind(expires_at).bind(used_at).execute(db).await.unwrap();
}

async fn plant_family(db: &SqlitePool, id: &str, revoked_at: Option<i64>) {
    sqlx::query("INSERT INTO token_families (id, created_at, revoked_at) VALUES (?, 0, ?)")
        .bind(id)
        .bind(revoked_at)
        .execute(db)
        .await
        .unwrap();
}

async fn plant_notification(db: &SqlitePool, key: &str, read_at: Option<i64>) {
    sqlx::query(
        "INSERT INTO notifications (id, key, kind, fire_at, title, body, created_at, delivered_at, read_at)
         VALUES (?1, ?1, 'reminder', ?2, 't', 'b', ?2, ?2, ?3)",
    )
    .bind(key)
    .bind(now() - 200 * DAY)
    .bind(read_at)
    .execute(db)
    .await
    .unwrap();
}

async fn plant_task(db: &SqlitePool, id: &str, target: &str, status: &str, age_days: i64) {
    let at = now() - age_days * DAY;
    sqlx::query(
        "INSERT INTO agent_tasks (id, tool, inputs, status, target, output, created_at, updated_at)
         VALUES (?, 'file_read', '{\"path\": \"~/a.txt\"}', ?, ?, '{\"content\": \"secret file text\"}', ?, ?)",
    )
    .bind(id).bind(status).bind(target).bind(at).bind(at).execute(db).await.unwrap();
}

/// The user's own things, made through the API and then made very old.
async fn users_data(server: &TestServer, token: &str) {
    let todo = server.create("/api/todos", token, json!({"title": "old chore"})).await;
    let (status, _) = send(
        server
            .patch(&format!("/api/todos/{}", str_field(&todo, "id")), token)
            .json(&json!({"status": "completed"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    server
        .create("/api/events", token, json!({"title": "old trip", "start_time": "2025-01-10T10:00:00Z"}))
        .await;
    server.create("/api/memos", token, json!({"title": "old memo", "content": "keep me"})).await;
    let db = server.open_db().await;
    let conversation = plant_conversation(&db, "old chat").await;
    plant_message(&db, &conversation, "user", "hello from long ago").await;
    for table in ["todos", "events", "memos", "conversations", "messages"] {
        sqlx::query(&format!("UPDATE {table} SET created_at = created_at - 400 * {DAY}"))
            .execute(&db)
            .await
            .unwrap();
    }
    db.close().await;
}

async fn plant_everything(db: &SqlitePool) {
    plant_family(db, "live", None).await;
    plant_family(db, "ended", Some(now() - DAY)).await;
    plant_token(db, "expired", "live", now() - DAY, None).await;
    plant_token(db, "spent-of-ended", "ended", now() + DAY, Some(now() - DAY)).await;
    plant_token(db, "spent-of-live", "live", now() + DAY, Some(now() - DAY)).await;
    sqlx::query("INSERT INTO otp_codes (email, code_mac, expires_at, created_at) VALUES ('old@example.com', 'x', ?, 0)")
        .bind(now() - 1).execute(db).await.unwrap();
    plant_notification(db, "read-long-ago", Some(now() - 40 * DAY)).await;
    plant_notification(db, "read-lately", Some(now() - 10 * DAY)).await;
    plant_notification(db, "never-read", None).await;
    plant_task(db, "server-old", "server", "done", 100).await;
    plant_task(db, "server-young", "server", "failed", 10).await;
    plant_task(db, "server-old-pending", "server", "pending", 100).await;
    plant_task(db, "host-old", "host", "done", 100).await;
}

#[tokio::test]
async fn the_cleanup_removes_what_can_no_longer_matter_and_never_the_users_things() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let pair = server.login_pair().await;
    users_data(&server, &token).await;
    let (status, _) = send(
        server
            .request(reqwest::Method::POST, "/api/auth/register")
            .json(&json!({"email": "ana@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, code) = server.next_otp().await;
    let db = server.open_db().await;
    plant_everything(&db).await;
    db.close().await;

    // The store never had a cleanup: the server runs it as it starts.
    let server = server.restart_with(with_jobs()).await;
    let token = server.token().await;
    let db = server.open_db().await;
    let tokens: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM refresh_tokens WHERE length(token_hash) < 20 ORDER BY 1")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(tokens, ["spent-of-live"], "a spent token of a live login stays to catch its replay");
    assert_eq!(
        count(&db, "SELECT count(*) FROM otp_codes").await,
        1,
        "the fresh code stays, the expired goes"
    );
    let (status, _) = send(
        server
            .request(reqwest::Method::POST, "/api/auth/verify-otp")
            .json(&json!({"email": "ana@example.com", "otp": code})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the code that was still valid still logs in");
    let (status, _) = send(
        server
            .request(reqwest::Method::POST, "/api/auth/refresh")
            .json(&json!({"refresh_token": pair["refresh_token"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a live refresh token still works");

    let kept: Vec<String> =
        sqlx::query_scalar("SELECT key FROM notifications ORDER BY key").fetch_all(&db).await.unwrap();
    assert_eq!(kept, ["never-read", "read-lately"]);
    let tasks: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, output FROM agent_tasks ORDER BY id").fetch_all(&db).await.unwrap();
    let ids: Vec<&str> = tasks.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["host-old", "server-old-pending", "server-young"]);
    assert_eq!(tasks[0].1, None, "an old host run stays as the record of what ran, without its output");

    for (path, expected) in
        [("/api/todos", 1), ("/api/events", 1), ("/api/memos", 1), ("/api/chat/conversations", 1)]
    {
        assert_eq!(server.total(path, &token).await, expected, "{path} lost something");
    }
    assert_eq!(count(&db, "SELECT count(*) FROM messages").await, 1);
    // The cleanup merges the search indexes: what they held is still found.
    let found = server.get_ok("/api/search?q=old", &token).await;
    let mut kinds: Vec<&str> =
        found["items"].as_array().unwrap().iter().map(|h| h["type"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["event", "memo", "todo"], "{found}");
    let found = server.get_ok("/api/search?q=long%20ago", &token).await;
    assert_eq!(found["items"][0]["type"], "message", "{found}");
    assert_eq!(count(&db, "PRAGMA auto_vacuum").await, 2, "freed pages go back to the disk from now on");
    let ran: i64 = count(&db, "SELECT value FROM scheduler_state WHERE key = 'job.cleanup'").await;

    // A second start the same night: the run is recorded, so it does not run again.
    sqlx::query("INSERT INTO otp_codes (email, code_mac, expires_at, created_at) VALUES ('later@example.com', 'x', ?, 0)")
        .bind(now() - 1).execute(&db).await.unwrap();
    db.close().await;
    let server = server.restart_with(with_jobs()).await;
    server.token().await;
    let db = server.open_db().await;
    assert_eq!(count(&db, "SELECT count(*) FROM otp_codes WHERE email = 'later@example.com'").await, 1);
    assert_eq!(count(&db, "SELECT value FROM scheduler_state WHERE key = 'job.cleanup'").await, ran);
}
