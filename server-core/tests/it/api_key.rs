//! The model's API key is kept where the token secret is (here, with no keychain, a `0600`
//! file in the data folder), never in the database: the raw file holds no trace of it, a
//! key an older version left there is moved out at the next start, and reads only say
//! whether one is set.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::HeaderMap;
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestServer, send};

/// Every byte SQLite keeps for the database: the file and its write-ahead log.
fn raw_database(server: &TestServer) -> Vec<u8> {
    let path = server.db_path();
    let mut bytes = std::fs::read(&path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn key_file(server: &TestServer) -> PathBuf {
    server.db_path().parent().unwrap().join("ai_api_key")
}

fn assert_kept_privately(file: &Path, key: &str) {
    assert_eq!(std::fs::read_to_string(file).unwrap().trim(), key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is readable by others", file.display());
    }
}

/// A model service that lists one model and remembers the `Authorization` it was sent.
async fn recording_models() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/v1/models",
        get(move |headers: HeaderMap| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            record.lock().unwrap().push(auth);
            Json(json!({"object": "list", "data": [{"id": "test-model", "object": "model"}]}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), seen)
}

#[tokio::test]
async fn a_key_saved_through_the_api_never_reaches_the_database_file() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let key = format!("sk-{}", uuid::Uuid::now_v7().simple());
    let (models, seen) = recording_models().await;
    let patch = json!({"ai_api_key": key, "ai_base_url": models});
    let (status, s) = send(server.patch("/api/settings", &token).json(&patch)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["ai_api_key_set"], true);
    assert!(!s.to_string().contains(&key), "{s}");
    assert!(!contains(&raw_database(&server), &key), "the key is in the database file");
    assert_kept_privately(&key_file(&server), &key);

    // The saved key is the one the model service is called with.
    let (status, check) = send(server.post("/api/settings/test-model", &token)).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(seen.lock().unwrap().last().map(String::as_str), Some(format!("Bearer {key}").as_str()));

    let server = server.restart().await;
    let token = server.token().await;
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["ai_api_key_set"], true, "the key holds across a restart");
    assert_eq!(s["restart_required"], false, "the running server uses it");
    assert!(s.get("ai_api_key").is_none(), "{s}");
    assert!(!contains(&raw_database(&server), &key));

    // An empty key forgets it, in its store too.
    let (_, s) = send(server.patch("/api/settings", &token).json(&json!({"ai_api_key": ""}))).await;
    assert_eq!(s["ai_api_key_set"], false);
    assert!(!key_file(&server).exists(), "the forgotten key's file is gone");
}

#[tokio::test]
async fn a_key_an_older_version_stored_in_the_database_is_moved_out_at_the_next_start() {
    let server = TestServer::start().await;
    let key = format!("sk-legacy-{}", uuid::Uuid::now_v7().simple());
    let db = server.open_db().await;
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('pref.ai_api_key', ?, 0)")
        .bind(&key)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;

    let server = server.restart().await;
    let token = server.token().await;
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["ai_api_key_set"], true, "the moved key is still the key: {s}");
    assert!(!s.to_string().contains(&key));
    assert_kept_privately(&key_file(&server), &key);
    assert!(!contains(&raw_database(&server), &key), "the old key's bytes are still in the database file");
}
