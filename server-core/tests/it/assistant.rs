//! The assistant's HTTP doors, held to the contract's shapes with the built-in brain (no
//! model service): send, stream and parse.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, assert_error, assert_invalid_field, send, str_field};

const INTENTS: &[&str] = &[
    "general_chat",
    "create_todo",
    "query_todos",
    "update_todo",
    "delete_todo",
    "complete_todo",
    "create_event",
    "query_events",
    "update_event",
    "delete_event",
    "create_memo",
    "query_memos",
    "update_memo",
    "delete_memo",
    "search",
    "daily_briefing",
    "delegate_task",
    "web_search",
    "open_app",
    "file_read",
    "file_create",
    "executor_shell",
];

fn messages_path(conversation_id: &str) -> String {
    format!("/api/chat/conversations/{conversation_id}/messages")
}

#[tokio::test]
async fn send_is_202_delivered_and_stores_the_users_message() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) =
        send(server.post("/api/chat/send", &token).json(&json!({ "content": "hello there" }))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "delivered");
    let message_id = str_field(&body, "message_id");
    let conversation_id = str_field(&body, "conversation_id");

    // A conversation was started for it, and the message is in it.
    server.get_ok(&format!("/api/chat/conversations/{conversation_id}"), &token).await;
    let messages = server.get_ok(&messages_path(&conversation_id), &token).await;
    let items = messages["items"].as_array().expect("items");
    let mine = items.iter().find(|m| m["content"] == "hello there").expect("the user's message is stored");
    assert_eq!(mine["role"], "user");
    assert!(
        items.iter().any(|m| m["id"] == message_id.as_str()),
        "message_id names no stored message: {messages}"
    );

    // Sending into that conversation again keeps it.
    let (status, again) = send(
        server
            .post("/api/chat/send", &token)
            .json(&json!({ "conversation_id": conversation_id, "content": "second" })),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    assert_eq!(again["conversation_id"], conversation_id.as_str());
}

#[tokio::test]
async fn send_refuses_empty_content_and_unknown_conversations() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(server.post("/api/chat/send", &token).json(&json!({ "content": "  " }))).await;
    assert_invalid_field(status, &body, "content");
    let (status, body) = send(server.post("/api/chat/send", &token).json(&json!({}))).await;
    assert_invalid_field(status, &body, "content");
    let (status, body) = send(
        server.post("/api/chat/send", &token).json(&json!({ "conversation_id": "nope", "content": "hi" })),
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    assert_eq!(server.total("/api/chat/conversations", &token).await, 0);
}

/// The `data:` payloads of an event stream, in order.
fn data_lines(stream: &str) -> Vec<String> {
    stream.lines().filter_map(|l| l.strip_prefix("data:")).map(|d| d.trim_start().to_owned()).collect()
}

#[tokio::test]
async fn stream_frames_ids_then_tokens_then_done_and_stores_what_it_streamed() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let response = server
        .post("/api/chat/stream", &token)
        .json(&json!({ "content": "hello, how are you?" }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    let ct =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(ct.starts_with("text/event-stream"), "content type {ct}");
    let text = response.text().await.expect("the stream ends");
    let data = data_lines(&text);
    assert!(data.len() >= 3, "too few events: {text}");
    assert_eq!(data.last().map(String::as_str), Some("[DONE]"), "{text}");

    let first: Value = serde_json::from_str(&data[0]).expect("the first event is JSON");
    let conversation_id = str_field(&first, "conversation_id");
    str_field(&first, "message_id");

    let mut streamed = String::new();
    for payload in &data[1..data.len() - 1] {
        let event: Value = serde_json::from_str(payload).unwrap_or_else(|_| panic!("not JSON: {payload}"));
        if let Some(piece) = event.get("token") {
            streamed.push_str(piece.as_str().expect("a token is text"));
        } else {
            assert!(event.get("action_card").is_some_and(Value::is_object), "unexpected event {event}");
        }
    }
    assert!(!streamed.trim().is_empty(), "no tokens streamed: {text}");

    let messages = server.get_ok(&messages_path(&conversation_id), &token).await;
    let items = messages["items"].as_array().expect("items");
    assert!(items.iter().any(|m| m["role"] == "user" && m["content"] == "hello, how are you?"), "{messages}");
    let answer = items.iter().find(|m| m["role"] == "assistant").expect("the answer is stored");
    assert_eq!(answer["content"], streamed.as_str(), "what was stored is not what was streamed");
}

#[tokio::test]
async fn parse_answers_a_parse_result_and_stores_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, result) = send(server.post("/api/parse", &token).json(&json!({
        "text": "remind me to buy milk tomorrow",
        "now": "2026-03-12T09:00:00-07:00",
        "tz": "America/Los_Angeles",
    })))
    .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let intent = str_field(&result, "intent");
    assert!(INTENTS.contains(&intent.as_str()), "intent {intent:?} is not one of the contract's");
    assert_eq!(intent, "create_todo", "{result}");
    assert!(result["params"].is_object(), "{result}");
    assert!(
        result["params"]["title"].as_str().is_some_and(|t| t.to_lowercase().contains("milk")),
        "no title with milk: {result}"
    );
    // "tomorrow" is resolved against the `now` and zone given, not the server's clock.
    assert_eq!(result["params"]["due_date"], "2026-03-13", "{result}");
    let confidence = result["confidence"].as_f64().expect("a numeric confidence");
    assert!((0.0..=1.0).contains(&confidence), "confidence {confidence}");
    assert!(result["tasks"].is_array(), "{result}");
    assert_eq!(server.total("/api/todos", &token).await, 0, "parse stored a todo");

    let (status, body) =
        send(server.post("/api/parse", &token).json(&json!({ "text": "x", "tz": "Mars/Olympus" }))).await;
    assert_invalid_field(status, &body, "tz");
    let (status, body) =
        send(server.post("/api/parse", &token).json(&json!({ "text": "x", "now": "later" }))).await;
    assert_invalid_field(status, &body, "now");
}
