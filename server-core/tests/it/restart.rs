//! What was stored survives a graceful restart on the same file.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Options, TestServer, open_app, send, str_field};

#[tokio::test]
async fn data_and_logins_survive_a_restart_on_the_same_file() {
    // No configured secret: the server keeps its own in the data directory, which is what
    // must survive for old tokens to stay valid.
    let server = TestServer::start_with(Options { jwt_secret: None, ..Options::default() }).await;
    let pair = server.login_pair().await;
    let token = str_field(&pair, "access_token");
    let todo =
        server.create("/api/todos", &token, json!({ "title": "survive", "due_date": "2026-03-13" })).await;
    let memo = server.create("/api/memos", &token, json!({ "content": "remember me", "pinned": true })).await;
    let event = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "still on", "start_time": "2026-03-12T15:00:00-07:00" }),
        )
        .await;

    let server = server.restart().await;

    for (path, created) in [
        (format!("/api/todos/{}", str_field(&todo, "id")), &todo),
        (format!("/api/memos/{}", str_field(&memo, "id")), &memo),
        (format!("/api/events/{}", str_field(&event, "id")), &event),
    ] {
        assert_eq!(&server.get_ok(&path, &token).await, created, "{path} changed over the restart");
    }
    let fresh = server.token().await;
    assert_eq!(server.total("/api/todos", &fresh).await, 1);
    assert_eq!(server.total("/api/memos?q=remember", &fresh).await, 1);

    // The refresh token of the old login still rotates.
    let (status, body) = send(
        server
            .request(reqwest::Method::POST, "/api/auth/refresh")
            .json(&json!({ "refresh_token": str_field(&pair, "refresh_token") })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_logout_still_holds_after_a_restart() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, _) = send(server.post("/api/auth/logout", &token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let server = server.restart().await;
    let (status, body) = send(server.get("/api/todos", &token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a logged-out token works again after a restart: {body}");
}

#[tokio::test]
async fn after_a_graceful_stop_the_database_file_alone_holds_everything() {
    // What a user backing up by copying `clawchat.db` relies on: no acknowledged write is
    // left behind in the WAL once the server has stopped.
    let mut server = TestServer::start().await;
    let token = server.token().await;
    let todo = server.create("/api/todos", &token, json!({ "title": "in the main file" })).await;
    server.stop().await;

    let copy = tempfile::tempdir().expect("a temporary directory");
    let copied = copy.path().join("backup.db");
    std::fs::copy(server.db_path(), &copied).expect("the file copies");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&copied).read_only(true);
    let db = sqlx::SqlitePool::connect_with(options).await.expect("the copy opens");
    let title: String = sqlx::query_scalar("SELECT title FROM todos WHERE id = ?")
        .bind(str_field(&todo, "id"))
        .fetch_one(&db)
        .await
        .expect("the todo is in the copied file");
    assert_eq!(title, "in the main file");
    db.close().await;
}

#[tokio::test]
async fn a_new_pin_given_at_start_replaces_the_old_one() {
    let server = TestServer::start().await;
    let server = server.restart_with(Options { pin: "135791113".into(), ..Options::default() }).await;
    let (status, _) = send(
        server.request(reqwest::Method::POST, "/api/auth/login").json(&json!({ "pin": crate::common::PIN })),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old PIN still logs in");
    server.token().await;
}

#[tokio::test]
async fn a_short_pin_or_a_short_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (otp, _rx) = tokio::sync::mpsc::unbounded_channel();
    let short_pin = Options { pin: "12345".into(), ..Options::default() };
    assert!(open_app(&dir, &short_pin, otp.clone()).await.is_err(), "a 5-character PIN was accepted");
    let short_secret = Options { jwt_secret: Some("too-short".into()), ..Options::default() };
    assert!(open_app(&dir, &short_secret, otp.clone()).await.is_err(), "a 9-character secret was accepted");
    assert!(open_app(&dir, &Options::default(), otp).await.is_ok(), "the control start failed");
}
