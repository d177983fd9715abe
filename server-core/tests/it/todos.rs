//! Todos: the CRUD cycle, times in the user's offset, pagination and every filter.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, assert_error_code, assert_invalid_field, ids, send, str_field};

#[tokio::test]
async fn create_returns_201_with_every_contract_field_and_due_date_in_the_users_offset() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let todo = server
        .create(
            "/api/todos",
            &token,
            json!({
                "title": "  Call the dentist  ",
                "description": "ask about Tuesday",
                "priority": "high",
                "due_date": "2026-03-12T22:00:00Z",
                "tags": ["health", "calls"],
            }),
        )
        .await;
    assert!(!str_field(&todo, "id").is_empty());
    assert_eq!(todo["title"], "Call the dentist");
    assert_eq!(todo["description"], "ask about Tuesday");
    assert_eq!(todo["status"], "pending");
    assert_eq!(todo["priority"], "high");
    assert_eq!(todo["due_date"], "2026-03-12T15:00:00-07:00");
    assert_eq!(todo["tags"], json!(["health", "calls"]));
    assert_eq!(todo["completed_at"], Value::Null);
    for field in ["created_at", "updated_at"] {
        let at = str_field(&todo, field);
        let parsed = chrono::DateTime::parse_from_rfc3339(&at).expect("RFC 3339");
        let offset = parsed.offset().local_minus_utc();
        assert!(offset == -7 * 3600 || offset == -8 * 3600, "{field} {at} is not in Los Angeles time");
    }

    // Defaults for what was left out.
    let plain = server.create("/api/todos", &token, json!({ "title": "Plain" })).await;
    assert_eq!(plain["priority"], "medium");
    assert_eq!(plain["status"], "pending");
    assert_eq!(plain["description"], "");
    assert_eq!(plain["tags"], json!([]));
    assert_eq!(plain["due_date"], Value::Null);
}

#[tokio::test]
async fn a_bare_due_date_comes_back_bare_and_winter_times_use_the_winter_offset() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let day = server.create("/api/todos", &token, json!({ "title": "a", "due_date": "2026-03-13" })).await;
    assert_eq!(day["due_date"], "2026-03-13");
    let winter = server
        .create("/api/todos", &token, json!({ "title": "b", "due_date": "2026-01-15T12:00:00+01:00" }))
        .await;
    assert_eq!(winter["due_date"], "2026-01-15T03:00:00-08:00");
}

#[tokio::test]
async fn get_returns_what_create_stored() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created =
        server.create("/api/todos", &token, json!({ "title": "Water plants", "tags": ["home"] })).await;
    let id = str_field(&created, "id");
    let fetched = server.get_ok(&format!("/api/todos/{id}"), &token).await;
    assert_eq!(fetched, created);
}

#[tokio::test]
async fn patch_changes_only_the_fields_sent_and_null_clears_the_due_date() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created = server
        .create(
            "/api/todos",
            &token,
            json!({ "title": "Draft report", "description": "v1", "due_date": "2026-03-13", "tags": ["work"] }),
        )
        .await;
    let path = format!("/api/todos/{}", str_field(&created, "id"));

    let (status, patched) = send(server.patch(&path, &token).json(&json!({ "priority": "urgent" }))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["priority"], "urgent");
    for kept in ["title", "description", "due_date", "tags", "status", "created_at"] {
        assert_eq!(patched[kept], created[kept], "{kept} changed");
    }

    let (status, cleared) = send(server.patch(&path, &token).json(&json!({ "due_date": null }))).await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["due_date"], Value::Null);
    assert_eq!(cleared["priority"], "urgent");
    assert_eq!(server.get_ok(&path, &token).await["due_date"], Value::Null);

    let (status, retitled) =
        send(server.patch(&path, &token).json(&json!({ "title": "Final report", "tags": [] }))).await;
    assert_eq!(status, StatusCode::OK, "{retitled}");
    assert_eq!(retitled["title"], "Final report");
    assert_eq!(retitled["tags"], json!([]));
    assert_eq!(retitled["description"], "v1");
}

#[tokio::test]
async fn complete_sets_the_status_and_completed_at() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created = server.create("/api/todos", &token, json!({ "title": "Pay rent" })).await;
    let id = str_field(&created, "id");
    let (status, done) = send(server.post(&format!("/api/todos/{id}/complete"), &token)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "completed");
    chrono::DateTime::parse_from_rfc3339(&str_field(&done, "completed_at"))
        .expect("completed_at is RFC 3339");
    assert_eq!(server.get_ok(&format!("/api/todos/{id}"), &token).await["status"], "completed");

    // Reopening clears completed_at again.
    let (status, reopened) =
        send(server.patch(&format!("/api/todos/{id}"), &token).json(&json!({ "status": "pending" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reopened["completed_at"], Value::Null);
}

#[tokio::test]
async fn delete_is_204_and_then_the_todo_is_gone() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created = server.create("/api/todos", &token, json!({ "title": "Temporary" })).await;
    let path = format!("/api/todos/{}", str_field(&created, "id"));
    let response = server.delete(&path, &token).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = send(server.get(&path, &token)).await;
    assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(server.total("/api/todos", &token).await, 0);
}

#[tokio::test]
async fn an_unknown_id_is_404_on_get_patch_delete_and_complete() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let path = "/api/todos/does-not-exist";
    let answers = [
        send(server.get(path, &token)).await,
        send(server.patch(path, &token).json(&json!({ "title": "x" }))).await,
        send(server.delete(path, &token)).await,
        send(server.post(&format!("{path}/complete"), &token)).await,
    ];
    for (status, body) in answers {
        assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn list_pages_through_25_todos_and_bounds_page_and_limit() {
    let server = TestServer::start().await;
    let token = server.token().await;
    for i in 0..25 {
        server.create("/api/todos", &token, json!({ "title": format!("todo {i:02}") })).await;
    }
    let first = server.get_ok("/api/todos?page=1&limit=10", &token).await;
    assert_eq!(ids(&first).len(), 10);
    assert_eq!(first["total"], 25);
    assert_eq!(first["page"], 1);
    assert_eq!(first["limit"], 10);
    let second = server.get_ok("/api/todos?page=2&limit=10", &token).await;
    let third = server.get_ok("/api/todos?page=3&limit=10", &token).await;
    assert_eq!(ids(&third).len(), 5);
    assert_eq!(third["total"], 25);
    let mut all: Vec<String> = [ids(&first), ids(&second), ids(&third)].concat();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 25, "pages overlap or skip");

    let past = server.get_ok("/api/todos?page=4&limit=10", &token).await;
    assert_eq!(ids(&past).len(), 0);
    assert_eq!(past["total"], 25);

    let defaults = server.get_ok("/api/todos", &token).await;
    assert_eq!(defaults["page"], 1);
    assert_eq!(defaults["limit"], 20);
    assert_eq!(ids(&defaults).len(), 20);

    let (status, body) = send(server.get("/api/todos?limit=101", &token)).await;
    assert_invalid_field(status, &body, "limit");
    let (status, body) = send(server.get("/api/todos?limit=0", &token)).await;
    assert_invalid_field(status, &body, "limit");
    let (status, body) = send(server.get("/api/todos?page=0", &token)).await;
    assert_invalid_field(status, &body, "page");
    let (status, body) = send(server.get("/api/todos?page=abc", &token)).await;
    assert_invalid_field(status, &body, "page");
}

/// Creates the fixture for the filter tests and returns the ids by name.
async fn filter_fixture(server: &TestServer, token: &str) -> std::collections::HashMap<&'static str, String> {
    let specs = [
        (
            "milk",
            json!({ "title": "Buy milk", "priority": "low", "tags": ["errands"], "due_date": "2026-03-10" }),
        ),
        (
            "taxes",
            json!({ "title": "File taxes", "description": "before the deadline", "priority": "urgent",
                    "tags": ["admin", "money"], "due_date": "2026-04-15T09:00:00-07:00" }),
        ),
        (
            "gym",
            json!({ "title": "Gym session", "status": "in_progress", "priority": "medium", "tags": ["health"] }),
        ),
        (
            "done",
            json!({ "title": "Renew passport", "status": "completed", "priority": "high", "due_date": "2026-03-01" }),
        ),
    ];
    let mut out = std::collections::HashMap::new();
    for (name, body) in specs {
        out.insert(name, str_field(&server.create("/api/todos", token, body).await, "id"));
    }
    out
}

async fn filtered(server: &TestServer, token: &str, query: &str) -> Vec<String> {
    let mut got = ids(&server.get_ok(&format!("/api/todos?{query}"), token).await);
    got.sort();
    got
}

fn expect(fixture: &std::collections::HashMap<&'static str, String>, names: &[&str]) -> Vec<String> {
    let mut want: Vec<String> = names.iter().map(|n| fixture[n].clone()).collect();
    want.sort();
    want
}

#[tokio::test]
async fn list_filters_by_status_priority_tag_and_dates() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let f = filter_fixture(&server, &token).await;
    assert_eq!(filtered(&server, &token, "status=completed").await, expect(&f, &["done"]));
    assert_eq!(filtered(&server, &token, "status=in_progress").await, expect(&f, &["gym"]));
    assert_eq!(filtered(&server, &token, "status=pending").await, expect(&f, &["milk", "taxes"]));
    assert_eq!(filtered(&server, &token, "priority=urgent").await, expect(&f, &["taxes"]));
    assert_eq!(filtered(&server, &token, "tag=money").await, expect(&f, &["taxes"]));
    assert_eq!(filtered(&server, &token, "tag=errands").await, expect(&f, &["milk"]));
    assert_eq!(filtered(&server, &token, "tag=nothing").await, expect(&f, &[]));
    assert_eq!(filtered(&server, &token, "due_before=2026-03-11").await, expect(&f, &["milk", "done"]));
    assert_eq!(
        filtered(&server, &token, "due_after=2026-03-11T00:00:00-07:00").await,
        expect(&f, &["taxes"])
    );
    assert_eq!(
        filtered(&server, &token, "due_after=2026-03-05&due_before=2026-04-01").await,
        expect(&f, &["milk"])
    );
    assert_eq!(filtered(&server, &token, "status=pending&priority=low").await, expect(&f, &["milk"]));

    let (status, body) = send(server.get("/api/todos?status=done", &token)).await;
    assert_invalid_field(status, &body, "status");
    let (status, body) = send(server.get("/api/todos?priority=extreme", &token)).await;
    assert_invalid_field(status, &body, "priority");
    let (status, body) = send(server.get("/api/todos?due_before=next-week", &token)).await;
    assert_invalid_field(status, &body, "due_before");
}

#[tokio::test]
async fn list_filter_q_matches_words_in_title_description_and_tags() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let f = filter_fixture(&server, &token).await;
    assert_eq!(filtered(&server, &token, "q=milk").await, expect(&f, &["milk"]));
    assert_eq!(filtered(&server, &token, "q=deadline").await, expect(&f, &["taxes"]));
    assert_eq!(filtered(&server, &token, "q=health").await, expect(&f, &["gym"]));
    // The last word matches as a prefix, so results follow the typing.
    assert_eq!(filtered(&server, &token, "q=passp").await, expect(&f, &["done"]));
    assert_eq!(filtered(&server, &token, "q=zebra").await, expect(&f, &[]));
    let page = server.get_ok("/api/todos?q=milk", &token).await;
    assert_eq!(page["total"], 1);
    // Search syntax typed by a person is text, never a server error.
    for hostile in ["%22", "AND%20OR%20NEAR(", "*", "title:milk", "(((", "%22milk"] {
        let (status, body) = send(server.get(&format!("/api/todos?q={hostile}"), &token)).await;
        assert_eq!(status, StatusCode::OK, "q={hostile}: {body}");
    }
}
