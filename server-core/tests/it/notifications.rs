//! Push-token registration.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestServer, assert_invalid_field, send};

async fn stored_tokens(server: &TestServer) -> Vec<(String, Option<String>)> {
    let db = server.open_db().await;
    let rows = sqlx::query_as("SELECT token, device_id FROM push_tokens ORDER BY token")
        .fetch_all(&db)
        .await
        .expect("push tokens");
    db.close().await;
    rows
}

#[tokio::test]
async fn register_token_answers_registered_and_keeps_one_row_per_token() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(
        server
            .post("/api/notifications/register-token", &token)
            .json(&json!({ "token": "fcm-abc", "device_id": "pixel-8" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({ "status": "registered" }));
    let (status, body) =
        send(server.post("/api/notifications/register-token", &token).json(&json!({ "token": "apns-xyz" })))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "registered");
    // Registering again (an app restart) is not a second device.
    let (status, _) = send(
        server
            .post("/api/notifications/register-token", &token)
            .json(&json!({ "token": "fcm-abc", "device_id": "pixel-8" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        stored_tokens(&server).await,
        vec![("apns-xyz".to_owned(), None), ("fcm-abc".to_owned(), Some("pixel-8".to_owned()))]
    );
}

#[tokio::test]
async fn an_empty_push_token_is_422_naming_token() {
    let server = TestServer::start().await;
    let token = server.token().await;
    for empty in ["", "   "] {
        let (status, body) =
            send(server.post("/api/notifications/register-token", &token).json(&json!({ "token": empty })))
                .await;
        assert_invalid_field(status, &body, "token");
    }
    assert!(stored_tokens(&server).await.is_empty());
}
