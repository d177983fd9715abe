//! `GET/PATCH /api/settings` and `POST /api/settings/test-model`: what the Settings screen
//! shows and changes, stored so it holds across restarts, and bad values refused whole.

use axum::Json;
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TZ, TestServer, assert_error, assert_invalid_field, send};

/// A stand-in model service that lists one model, `stand-in`, as OpenAI's `/v1/models` does.
async fn stand_in_models() -> String {
    let app = axum::Router::new().route(
        "/v1/models",
        get(|| async { Json(json!({"object": "list", "data": [{"id": "stand-in", "object": "model"}]})) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn settings_show_the_running_configuration_and_never_a_key() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["ai_provider"], "builtin");
    assert_eq!(s["ai_model"], "test-model");
    assert_eq!(s["ai_api_key_set"], false);
    assert_eq!(s["timezone"], TZ);
    assert_eq!(s["language"], "en");
    assert!(s["languages"].as_array().unwrap().iter().any(|l| l == "de"), "{s}");
    assert_eq!(s["briefing_time"], "08:00");
    assert_eq!(s["enable_scheduler"], false);
    assert_eq!(
        s["host_policy"],
        json!({"allowed_folders": [], "auto_read": true}),
        "until one is saved: the default folders, reads inside them without asking"
    );
    assert_eq!(s["lan_enabled"], false, "the tests listen on loopback only");
    assert_eq!(s["version"], env!("CARGO_PKG_VERSION"));
    assert!(!s["data_dir"].as_str().unwrap().is_empty());
    assert_eq!(s["secret_backend"], "env", "the tests hand the secret in");
    assert_eq!(s["restart_required"], false);
    assert_eq!(s["voice_enabled"], false, "no speech service is configured");
    assert!(s.get("ai_api_key").is_none(), "{s}");
}

#[tokio::test]
async fn settings_need_a_token() {
    let server = TestServer::start().await;
    let (status, body) = send(server.request(reqwest::Method::GET, "/api/settings")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    let (status, body) = send(server.request(reqwest::Method::PATCH, "/api/settings").json(&json!({}))).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changes_are_stored_applied_at_the_next_start_and_the_key_stays_hidden() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let folders = tempfile::tempdir().unwrap();
    let (docs, notes) = (folders.path().join("Documents"), folders.path().join("notes"));
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::create_dir_all(&notes).unwrap();
    let (docs, notes) = (docs.display().to_string(), notes.display().to_string());
    let patch = json!({
        "ai_provider": "openai",
        "ai_base_url": "https://models.example/v1",
        "ai_model": "gpt-4o-mini",
        "ai_api_key": "sk-very-secret",
        "timezone": "Europe/Lisbon",
        "briefing_time": "07:30",
        "enable_scheduler": true,
        "host_policy": {"allowed_folders": [docs, format!(" {notes} ")], "auto_read": false},
    });
    let (status, s) = send(server.patch("/api/settings", &token).json(&patch)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["ai_provider"], "openai");
    assert_eq!(s["ai_model"], "gpt-4o-mini");
    assert_eq!(s["ai_api_key_set"], true);
    assert_eq!(s["timezone"], "Europe/Lisbon");
    assert_eq!(s["briefing_time"], "07:30");
    assert_eq!(
        s["host_policy"],
        json!({"allowed_folders": [docs, notes], "auto_read": false}),
        "the host policy is in force at once"
    );
    assert!(!server.state.runtime.watch_host_policy().borrow().auto_read, "the engine sees it too");
    assert_eq!(s["restart_required"], true, "the running server still uses what it started with");
    assert!(!s.to_string().contains("sk-very-secret"), "the key is write-only: {s}");
    // The running server keeps its zone until a restart.
    assert_eq!(server.state.tz.name(), TZ);

    let server = server.restart().await;
    let token = server.token().await;
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["ai_model"], "gpt-4o-mini");
    assert_eq!(s["timezone"], "Europe/Lisbon");
    assert_eq!(s["host_policy"], json!({"allowed_folders": [docs, notes], "auto_read": false}));
    assert_eq!(s["restart_required"], false);
    assert_eq!(server.state.tz.name(), "Europe/Lisbon", "the stored zone applies after the restart");
    let health = server.get_ok("/api/health", &token).await;
    assert_eq!(health["ai_model"], "gpt-4o-mini", "{health}");

    // An empty key removes the stored one; other fields stay.
    let (_, s) = send(server.patch("/api/settings", &token).json(&json!({"ai_api_key": ""}))).await;
    assert_eq!(s["ai_api_key_set"], false);
    assert_eq!(s["ai_model"], "gpt-4o-mini");
}

#[tokio::test]
async fn bad_values_are_refused_with_the_field_named_and_nothing_changes() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let before = server.get_ok("/api/settings", &token).await;
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().display().to_string();
    let missing = format!("{data_dir}/no-such-folder");
    let database = format!("{data_dir}/notes.txt");
    std::fs::write(&database, "a file, not a folder").unwrap();
    for (body, field) in [
        (json!({"ai_provider": "skynet"}), "ai_provider"),
        (json!({"ai_base_url": "ftp://x"}), "ai_base_url"),
        (json!({"ai_model": "  "}), "ai_model"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"briefing_time": "25:00"}), "briefing_time"),
        (json!({"language": "klingon"}), "language"),
        (json!({"briefing_time": "8:00"}), "briefing_time"),
        (
            json!({"host_policy": {"allowed_folders": ["relative/path"], "auto_read": false}}),
            "host_policy.allowed_folders",
        ),
        // Folders must be there; a file is not a folder.
        (
            json!({"host_policy": {"allowed_folders": [missing], "auto_read": true}}),
            "host_policy.allowed_folders",
        ),
        (
            json!({"host_policy": {"allowed_folders": [data_dir.clone(), database], "auto_read": true}}),
            "host_policy.allowed_folders",
        ),
        // One bad field spoils the whole change: the good one is not stored either.
        (json!({"ai_model": "fine", "timezone": "Nowhere/Else"}), "timezone"),
    ] {
        let (status, answer) = send(server.patch("/api/settings", &token).json(&body)).await;
        assert_invalid_field(status, &answer, field);
    }
    let (status, answer) = send(server.patch("/api/settings", &token).json(&json!({"version": "9"}))).await;
    assert!(status.is_client_error(), "a read-only or unknown field is refused: {status} {answer}");
    let (status, answer) =
        send(server.patch("/api/settings", &token).json(&json!({"enable_scheduler": "yes"}))).await;
    assert!(status.is_client_error(), "{status} {answer}");
    assert_eq!(server.get_ok("/api/settings", &token).await, before);
}

#[tokio::test]
async fn a_language_applies_at_once_to_dates_in_chat_and_preview_and_holds_after_a_restart() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let line =
        json!({"text": "remind me to call Oma morgen um 15 Uhr", "now": "2026-03-10T09:00:00Z", "tz": "UTC"});
    let parse = |body: &Value| {
        let request = server.post("/api/parse", &token).json(body);
        async move {
            let (status, answer) = send(request).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            answer
        }
    };
    let before = parse(&line).await;
    assert_ne!(
        before["params"]["due_date"], "2026-03-11T15:00:00+00:00",
        "German dates need the setting: {before}"
    );

    let (status, s) = send(server.patch("/api/settings", &token).json(&json!({"language": "de"}))).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["language"], "de");
    assert_eq!(s["restart_required"], false, "a language applies at once");
    let after = parse(&line).await;
    assert_eq!(after["intent"], "create_todo", "{after}");
    assert_eq!(after["params"]["due_date"], "2026-03-11T15:00:00+00:00", "{after}");
    let title = after["params"]["title"].as_str().unwrap_or_default();
    assert!(title.starts_with("call Oma") && !title.contains("morgen"), "the date left the title: {after}");
    // English dates are still read.
    let english =
        json!({"text": "remind me to call Oma tomorrow at 3pm", "now": "2026-03-10T09:00:00Z", "tz": "UTC"});
    let english = parse(&english).await;
    assert_eq!(english["params"]["due_date"], "2026-03-11T15:00:00+00:00", "{english}");

    let server = server.restart().await;
    let token = server.token().await;
    assert_eq!(server.get_ok("/api/settings", &token).await["language"], "de");
    let (status, again) = send(server.post("/api/parse", &token).json(&line)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["params"]["due_date"], "2026-03-11T15:00:00+00:00", "{again}");
}

#[tokio::test]
async fn test_model_reports_whether_the_service_answers_and_lists_the_model() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let base = stand_in_models().await;

    let (status, r) = send(
        server
            .post("/api/settings/test-model", &token)
            .json(&json!({"ai_base_url": base, "ai_model": "stand-in"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["models"], json!(["stand-in"]));
    // The answer names the server the settings lead to, and the model.
    let detail = r["detail"].as_str().unwrap();
    assert!(detail.contains(base.as_str()) && detail.contains("stand-in"), "{r}");

    let (_, r) = send(
        server
            .post("/api/settings/test-model", &token)
            .json(&json!({"ai_base_url": base, "ai_model": "missing"})),
    )
    .await;
    assert_eq!(r["ok"], false);
    assert!(r["detail"].as_str().unwrap().contains("missing"), "{r}");

    // Nothing listens on port 1: a clear failure, not an error status.
    let (status, r) = send(
        server
            .post("/api/settings/test-model", &token)
            .json(&json!({"ai_base_url": "http://127.0.0.1:1/v1", "ai_model": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["ok"], false);
    assert!(!r["detail"].as_str().unwrap().is_empty());

    // The stored settings are tested when the body is empty; testing changes nothing.
    let (status, r) = send(server.post("/api/settings/test-model", &token)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let s: Value = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["ai_model"], "test-model");

    let (status, body) =
        send(server.post("/api/settings/test-model", &token).json(&json!({"ai_base_url": "not a url"})))
            .await;
    assert_invalid_field(status, &body, "ai_base_url");
}

#[tokio::test]
async fn the_program_embedding_the_server_says_where_its_secrets_are() {
    use clawchat_server::features::settings::SecretBackend;
    let server = TestServer::start().await;
    let token = server.token().await;
    assert_eq!(server.get_ok("/api/settings", &token).await["secret_backend"], "env");
    for (backend, shown) in
        [(SecretBackend::Keychain, "keychain"), (SecretBackend::File, "file"), (SecretBackend::Env, "env")]
    {
        server.state.runtime.set_secret_backend(backend);
        assert_eq!(server.get_ok("/api/settings", &token).await["secret_backend"], shown);
    }
}
