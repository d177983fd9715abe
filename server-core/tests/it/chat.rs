//! Conversations and their messages. Messages are planted in the file directly, as the
//! chat engine would store them, and read back over HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{
    TestServer, assert_error_code, assert_invalid_field, ids, plant_message, send, str_field,
};

#[tokio::test]
async fn create_list_get_and_delete_a_conversation() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created = server.create("/api/chat/conversations", &token, json!({ "title": "Trip planning" })).await;
    let id = str_field(&created, "id");
    assert_eq!(created["title"], "Trip planning");
    let untitled = server.create("/api/chat/conversations", &token, json!({})).await;

    let list = server.get_ok("/api/chat/conversations", &token).await;
    assert_eq!(list["total"], 2, "{list}");
    let listed = ids(&list);
    assert!(listed.contains(&id) && listed.contains(&str_field(&untitled, "id")), "{list}");

    let path = format!("/api/chat/conversations/{id}");
    let fetched = server.get_ok(&path, &token).await;
    assert_eq!(fetched["id"], created["id"]);
    assert_eq!(fetched["title"], "Trip planning");

    let response = server.delete(&path, &token).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = send(server.get(&path, &token)).await;
    assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(server.total("/api/chat/conversations", &token).await, 1);
    let (status, body) = send(server.delete(&path, &token)).await;
    assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn deleting_a_conversation_removes_its_messages() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let doomed = str_field(
        &server.create("/api/chat/conversations", &token, json!({ "title": "doomed" })).await,
        "id",
    );
    let kept =
        str_field(&server.create("/api/chat/conversations", &token, json!({ "title": "kept" })).await, "id");
    let db = server.open_db().await;
    plant_message(&db, &doomed, "user", "hello").await;
    plant_message(&db, &doomed, "assistant", "hi there").await;
    plant_message(&db, &kept, "user", "still here").await;

    let (status, _) = send(server.delete(&format!("/api/chat/conversations/{doomed}"), &token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) =
        send(server.get(&format!("/api/chat/conversations/{doomed}/messages"), &token)).await;
    assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = ?")
        .bind(&doomed)
        .fetch_one(&db)
        .await
        .expect("a count");
    assert_eq!(left, 0, "the deleted conversation's messages are still stored");
    db.close().await;
    assert_eq!(server.total(&format!("/api/chat/conversations/{kept}/messages"), &token).await, 1);

    // Nor can they be found.
    let hits = server.get_ok("/api/search?q=hello", &token).await;
    assert_eq!(hits["total"], 0, "{hits}");
}

#[tokio::test]
async fn messages_come_oldest_first_with_every_field_and_page() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let conversation =
        str_field(&server.create("/api/chat/conversations", &token, json!({ "title": "t" })).await, "id");
    let other =
        str_field(&server.create("/api/chat/conversations", &token, json!({ "title": "o" })).await, "id");
    let db = server.open_db().await;
    let mut planted = Vec::new();
    for (i, role) in ["user", "assistant", "user", "assistant", "tool"].into_iter().enumerate() {
        planted.push(plant_message(&db, &conversation, role, &format!("message {i}")).await);
    }
    plant_message(&db, &other, "user", "elsewhere").await;
    db.close().await;
    let base = format!("/api/chat/conversations/{conversation}/messages");

    let all = server.get_ok(&base, &token).await;
    assert_eq!(all["total"], 5, "{all}");
    assert_eq!(ids(&all), planted);
    let first: &Value = &all["items"][0];
    assert_eq!(first["conversation_id"], conversation.as_str());
    assert_eq!(first["role"], "user");
    assert_eq!(first["content"], "message 0");
    assert_eq!(first["intent"], Value::Null);
    assert_eq!(first["action_cards"], json!([]));
    chrono::DateTime::parse_from_rfc3339(&str_field(first, "created_at")).expect("created_at is RFC 3339");
    assert_eq!(all["items"][4]["role"], "tool");

    let page2 = server.get_ok(&format!("{base}?page=2&limit=2"), &token).await;
    assert_eq!(ids(&page2), planted[2..4].to_vec());
    assert_eq!(page2["total"], 5);
    let page3 = server.get_ok(&format!("{base}?page=3&limit=2"), &token).await;
    assert_eq!(ids(&page3), planted[4..].to_vec());

    let (status, body) = send(server.get(&format!("{base}?limit=101"), &token)).await;
    assert_invalid_field(status, &body, "limit");
}

#[tokio::test]
async fn messages_after_an_id_are_the_ones_that_followed_it() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let conversation =
        str_field(&server.create("/api/chat/conversations", &token, json!({ "title": "t" })).await, "id");
    let db = server.open_db().await;
    let mut planted = Vec::new();
    for i in 0..5 {
        planted.push(plant_message(&db, &conversation, "user", &format!("line {i}")).await);
    }
    db.close().await;
    let base = format!("/api/chat/conversations/{conversation}/messages");

    let after = server.get_ok(&format!("{base}?after={}", planted[1]), &token).await;
    assert_eq!(ids(&after), planted[2..].to_vec(), "{after}");
    let after_last = server.get_ok(&format!("{base}?after={}", planted[4]), &token).await;
    assert!(ids(&after_last).is_empty(), "{after_last}");
    let limited = server.get_ok(&format!("{base}?after={}&limit=2", planted[0]), &token).await;
    assert_eq!(ids(&limited), planted[1..3].to_vec(), "{limited}");

    let (status, body) = send(server.get(&format!("{base}?after=no-such-message"), &token)).await;
    assert_eq!(status.as_u16(), 404, "an unknown after id is not found: {body}");
}

#[tokio::test]
async fn an_unknown_conversation_is_404() {
    let server = TestServer::start().await;
    let token = server.token().await;
    for (status, body) in [
        send(server.get("/api/chat/conversations/nope", &token)).await,
        send(server.get("/api/chat/conversations/nope/messages", &token)).await,
        send(server.delete("/api/chat/conversations/nope", &token)).await,
    ] {
        assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}
