//! Behaviour every route shares: the error shape for routes and methods that do not
//! exist, 401's challenge header, closed CORS, list bounds, and concurrent writers.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Options, TestServer, assert_error, assert_invalid_field, send, str_field};

#[tokio::test]
async fn an_unknown_api_route_is_404_in_the_error_shape() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(server.get("/api/no-such-thing", &token)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_wrong_method_is_405_in_the_error_shape() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let response =
        server.request(Method::PUT, "/api/todos").bearer_auth(&token).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = response.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "Allow: {allow:?}");
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    assert_error(StatusCode::METHOD_NOT_ALLOWED, &body, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_401_challenges_for_a_bearer_token() {
    let server = TestServer::start().await;
    let response = server.request(Method::GET, "/api/todos").send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok());
    assert!(challenge.is_some_and(|c| c.starts_with("Bearer")), "WWW-Authenticate: {challenge:?}");
}

#[tokio::test]
async fn cors_is_closed_to_foreign_origins_by_default() {
    let server = TestServer::start().await;
    let response = server
        .request(Method::OPTIONS, "/api/todos")
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .expect("an answer");
    assert!(
        response.headers().get("access-control-allow-origin").is_none(),
        "a preflight from a foreign origin was allowed: {:?}",
        response.headers()
    );
    let token = server.token().await;
    let response = server
        .get("/api/todos", &token)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("an answer");
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_configured_origin_is_allowed_and_others_still_are_not() {
    let options = Options {
        extra_args: vec!["--cors-origins".into(), "https://app.example".into()],
        ..Options::default()
    };
    let server = TestServer::start_with(options).await;
    let preflight = |origin: &'static str| {
        server
            .request(Method::OPTIONS, "/api/todos")
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight("https://app.example").await.expect("an answer");
    assert!(allowed.status().is_success(), "preflight answered {}", allowed.status());
    assert_eq!(
        allowed.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://app.example")
    );
    let refused = preflight("https://evil.example").await.expect("an answer");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn every_list_route_bounds_page_and_limit() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let conversation = server.create("/api/chat/conversations", &token, json!({ "title": "c" })).await;
    let messages = format!("/api/chat/conversations/{}/messages", str_field(&conversation, "id"));
    for list in
        ["/api/todos", "/api/events", "/api/memos", "/api/chat/conversations", &messages, "/api/search?q=x"]
    {
        let sep = if list.contains('?') { '&' } else { '?' };
        let (status, body) = send(server.get(&format!("{list}{sep}limit=101"), &token)).await;
        assert_invalid_field(status, &body, "limit");
        let (status, body) = send(server.get(&format!("{list}{sep}page=0"), &token)).await;
        assert_invalid_field(status, &body, "page");
        let page = server.get_ok(&format!("{list}{sep}limit=100"), &token).await;
        assert_eq!(page["limit"], 100, "{list}: {page}");
        assert_eq!(page["page"], 1, "{list}: {page}");
        assert!(page["items"].is_array() && page["total"].is_i64(), "{list}: {page}");
    }
}

#[tokio::test]
async fn fifty_concurrent_writes_all_land() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let writes = (0..50).map(|i| {
        let request = if i % 2 == 0 {
            server.post("/api/todos", &token).json(&json!({ "title": format!("todo {i}") }))
        } else {
            server.post("/api/memos", &token).json(&json!({ "content": format!("memo {i}") }))
        };
        send(request)
    });
    for (status, body) in futures::future::join_all(writes).await {
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    assert_eq!(server.total("/api/todos", &token).await, 25);
    assert_eq!(server.total("/api/memos", &token).await, 25);
}

#[tokio::test]
async fn an_internal_failure_is_a_bland_500_without_internal_text() {
    let server = TestServer::start().await;
    let token = server.token().await;
    // Break the store under the server's feet: the memo index disappears.
    let db = server.open_db().await;
    sqlx::query("DROP TABLE memos_fts").execute(&db).await.expect("the index is dropped");
    db.close().await;
    let (status, body) = send(server.get("/api/search?q=anything&types=memos", &token)).await;
    assert_error(status, &body, StatusCode::INTERNAL_SERVER_ERROR);
    let text = body.to_string().to_lowercase();
    for leak in ["memos_fts", "sqlite", "no such table", "sqlx", "select"] {
        assert!(!text.contains(leak), "the 500 leaks {leak:?}: {body}");
    }
    // The rest of the server still answers.
    assert_eq!(server.total("/api/todos", &token).await, 0);
}
