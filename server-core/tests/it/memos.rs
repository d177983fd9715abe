//! Memos: CRUD and the `q`, `tag` and `pinned` filters.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, assert_error_code, assert_invalid_field, ids, send, str_field};

#[tokio::test]
async fn create_returns_201_with_every_contract_field() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let memo = server
        .create(
            "/api/memos",
            &token,
            json!({ "title": "Wifi", "content": "password is hunter2", "tags": ["home"], "pinned": true }),
        )
        .await;
    assert!(!str_field(&memo, "id").is_empty());
    assert_eq!(memo["title"], "Wifi");
    assert_eq!(memo["content"], "password is hunter2");
    assert_eq!(memo["tags"], json!(["home"]));
    assert_eq!(memo["pinned"], true);
    for field in ["created_at", "updated_at"] {
        let at = chrono::DateTime::parse_from_rfc3339(&str_field(&memo, field)).expect("RFC 3339");
        let offset = at.offset().local_minus_utc();
        assert!(offset == -7 * 3600 || offset == -8 * 3600, "{field} not in Los Angeles time: {memo}");
    }

    let minimal = server.create("/api/memos", &token, json!({ "content": "just a line" })).await;
    assert_eq!(minimal["pinned"], false);
    assert_eq!(minimal["tags"], json!([]));
    assert!(minimal["title"].is_string(), "{minimal}");
}

#[tokio::test]
async fn get_patch_and_delete_a_memo() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created = server
        .create(
            "/api/memos",
            &token,
            json!({ "title": "Recipe", "content": "flour, eggs", "tags": ["food"] }),
        )
        .await;
    let path = format!("/api/memos/{}", str_field(&created, "id"));
    assert_eq!(server.get_ok(&path, &token).await, created);

    let (status, patched) = send(server.patch(&path, &token).json(&json!({ "pinned": true }))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["pinned"], true);
    for kept in ["title", "content", "tags", "created_at"] {
        assert_eq!(patched[kept], created[kept], "{kept} changed");
    }
    let (status, edited) =
        send(server.patch(&path, &token).json(&json!({ "content": "flour, eggs, milk" }))).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["content"], "flour, eggs, milk");
    assert_eq!(edited["pinned"], true);
    assert_eq!(server.get_ok(&path, &token).await, edited);

    let response = server.delete(&path, &token).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = send(server.get(&path, &token)).await;
    assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(server.total("/api/memos", &token).await, 0);
}

#[tokio::test]
async fn an_unknown_memo_id_is_404() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let path = "/api/memos/does-not-exist";
    for (status, body) in [
        send(server.get(path, &token)).await,
        send(server.patch(path, &token).json(&json!({ "content": "x" }))).await,
        send(server.delete(path, &token)).await,
    ] {
        assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}

async fn sorted_ids(server: &TestServer, token: &str, query: &str) -> Vec<String> {
    let mut got = ids(&server.get_ok(&format!("/api/memos?{query}"), token).await);
    got.sort();
    got
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn list_filters_by_q_tag_and_pinned() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let id = |memo: Value| str_field(&memo, "id");
    let wifi = id(server
        .create(
            "/api/memos",
            &token,
            json!({ "title": "Wifi", "content": "router in the hallway", "tags": ["home"], "pinned": true }),
        )
        .await);
    let books = id(server
        .create(
            "/api/memos",
            &token,
            json!({ "title": "Books to read", "content": "Dune, Emma", "tags": ["reading"] }),
        )
        .await);
    let garden = id(server
        .create("/api/memos", &token, json!({ "title": "Garden", "content": "plant tomatoes in the hallway pots", "tags": ["home", "garden"] }))
        .await);

    assert_eq!(sorted_ids(&server, &token, "pinned=true").await, vec![wifi.clone()]);
    assert_eq!(
        sorted_ids(&server, &token, "pinned=false").await,
        sorted(vec![books.clone(), garden.clone()])
    );
    assert_eq!(sorted_ids(&server, &token, "tag=home").await, sorted(vec![wifi.clone(), garden.clone()]));
    assert_eq!(sorted_ids(&server, &token, "tag=reading").await, vec![books.clone()]);
    assert_eq!(sorted_ids(&server, &token, "q=hallway").await, sorted(vec![wifi.clone(), garden.clone()]));
    assert_eq!(sorted_ids(&server, &token, "q=dune").await, vec![books.clone()]);
    assert_eq!(sorted_ids(&server, &token, "q=hallway&tag=garden").await, vec![garden.clone()]);
    assert_eq!(sorted_ids(&server, &token, "q=hallway&pinned=true").await, vec![wifi.clone()]);
    assert_eq!(sorted_ids(&server, &token, "q=nowhere").await, Vec::<String>::new());
    assert_eq!(server.total("/api/memos", &token).await, 3);
    assert_eq!(server.total("/api/memos?q=hallway", &token).await, 2);

    let (status, body) = send(server.get("/api/memos?pinned=maybe", &token)).await;
    assert_invalid_field(status, &body, "pinned");
    let (status, body) = send(server.get("/api/memos?limit=101", &token)).await;
    assert_invalid_field(status, &body, "limit");
    for hostile in ["%22", "NEAR(", "content:x", "*"] {
        let (status, body) = send(server.get(&format!("/api/memos?q={hostile}"), &token)).await;
        assert_eq!(status, StatusCode::OK, "q={hostile}: {body}");
    }
}
