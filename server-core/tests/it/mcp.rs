//! MCP client management over REST (`/api/mcp/clients`), the MCP switch in Settings, and
//! what `/mcp` answers before any MCP is spoken: 404 while MCP is off, 401 without a
//! known token, a revoked token refused at once. The MCP conversations themselves are
//! driven by real MCP clients in `tests/mcp/`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestServer, assert_error, assert_error_code, assert_invalid_field, send, str_field};

/// An MCP `initialize`, as a client opens with.
fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "it", "version": "1"}}})
}

async fn mcp_post(server: &TestServer, token: &str) -> (StatusCode, Value) {
    send(
        server
            .request(Method::POST, "/mcp")
            .bearer_auth(token)
            .header("accept", "application/json, text/event-stream")
            .json(&initialize()),
    )
    .await
}

async fn turn_mcp(server: &TestServer, token: &str, on: bool) {
    let (status, body) = send(server.patch("/api/settings", token).json(&json!({"mcp_enabled": on}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mcp_enabled"], on);
}

#[tokio::test]
async fn mcp_is_off_until_the_user_turns_it_on_and_mcp_answers_404_meanwhile() {
    let server = TestServer::start().await;
    let token = server.token().await;
    assert_eq!(server.get_ok("/api/settings", &token).await["mcp_enabled"], false);
    let client = server.create("/api/mcp/clients", &token, json!({"name": "Desk"})).await;
    let (status, body) = mcp_post(&server, &str_field(&client, "token")).await;
    assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");

    turn_mcp(&server, &token, true).await;
    let (status, body) = mcp_post(&server, &str_field(&client, "token")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    turn_mcp(&server, &token, false).await;
    let (status, _) = mcp_post(&server, &str_field(&client, "token")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "off again applies at once");
}

#[tokio::test]
async fn the_switch_survives_a_restart() {
    let server = TestServer::start().await;
    let token = server.token().await;
    turn_mcp(&server, &token, true).await;
    let server = server.restart().await;
    let token = server.token().await;
    assert_eq!(server.get_ok("/api/settings", &token).await["mcp_enabled"], true);
}

#[tokio::test]
async fn a_client_gets_its_token_once_and_is_listed_without_it() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, made) =
        send(server.post("/api/mcp/clients", &token).json(&json!({"name": "  Claude Desktop "}))).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["name"], "Claude Desktop");
    let secret = str_field(&made, "token");
    assert!(secret.starts_with("clawchat_mcp_") && secret.len() > 50, "{secret}");
    for field in ["id", "created_at"] {
        assert!(made[field].is_string(), "{field} in {made}");
    }

    let list = server.get_ok("/api/mcp/clients", &token).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], made["id"]);
    assert_eq!(items[0]["name"], "Claude Desktop");
    assert!(!list.to_string().contains(&secret), "the list never shows a token: {list}");

    // Stored only as a hash.
    let db = server.open_db().await;
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM mcp_clients").fetch_all(&db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, secret);
    assert!(!stored[0].0.contains(&secret[13..]));
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let server = TestServer::start().await;
    let token = server.token().await;
    turn_mcp(&server, &token, true).await;
    let made = server.create("/api/mcp/clients", &token, json!({"name": "Editor"})).await;
    let kept = server.create("/api/mcp/clients", &token, json!({"name": "Other"})).await;
    let secret = str_field(&made, "token");
    assert_eq!(mcp_post(&server, &secret).await.0, StatusCode::OK);

    let id = str_field(&made, "id");
    let (status, _) = send(server.delete(&format!("/api/mcp/clients/{id}"), &token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = mcp_post(&server, &secret).await;
    assert_error_code(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(
        mcp_post(&server, &str_field(&kept, "token")).await.0,
        StatusCode::OK,
        "the other still works"
    );

    let (status, body) = send(server.delete(&format!("/api/mcp/clients/{id}"), &token)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let list = server.get_ok("/api/mcp/clients", &token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn mcp_needs_a_client_token_not_a_login_token() {
    let server = TestServer::start().await;
    let token = server.token().await;
    turn_mcp(&server, &token, true).await;
    let (status, body) = mcp_post(&server, &token).await;
    assert_error_code(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, body) = send(server.request(Method::POST, "/mcp").json(&initialize())).await;
    assert_error_code(status, &body, StatusCode::UNAUTHORIZED, "missing_token");
}

#[tokio::test]
async fn client_management_needs_a_login_and_a_name() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(server.request(Method::GET, "/api/mcp/clients")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    for bad in [json!({"name": ""}), json!({"name": "   "}), json!({"name": "x".repeat(101)})] {
        let (status, body) = send(server.post("/api/mcp/clients", &token).json(&bad)).await;
        assert_invalid_field(status, &body, "name");
    }
    let (status, body) =
        send(server.post("/api/mcp/clients", &token).json(&json!({"name": "a", "admin": true}))).await;
    assert_invalid_field(status, &body, "admin");
    let list = server.get_ok("/api/mcp/clients", &token).await;
    assert_eq!(list["items"], json!([]), "nothing was made");
}
