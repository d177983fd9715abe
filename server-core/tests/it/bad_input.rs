//! Every create and patch route turns a bad body into the right 4xx in the error shape,
//! names the field at fault, and stores nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestServer, assert_error_code, assert_invalid_field, send, str_field};

const START: &str = "2026-03-12T15:00:00-07:00";

/// A route that takes a JSON body, how to see whether it stored anything, and bodies that
/// are well-formed JSON but wrong, each with the field the 422 must name.
struct Route {
    method: Method,
    path: String,
    /// GET this (a list or the patched item); it must read the same after every refusal.
    probe: Probe,
    wrong: Vec<(Value, &'static str)>,
}

enum Probe {
    Get(String),
    /// Rows of a table, for routes nothing lists.
    Count(&'static str),
}

async fn observe(server: &TestServer, token: &str, probe: &Probe) -> Value {
    match probe {
        Probe::Get(path) => server.get_ok(path, token).await,
        Probe::Count(table) => {
            let db = server.open_db().await;
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&db)
                .await
                .expect("a count");
            db.close().await;
            json!(n)
        }
    }
}

/// Sends every bad body to `route` and checks the answer and that nothing changed.
async fn refuses_bad_bodies(server: &TestServer, token: &str, route: &Route) {
    let before = observe(server, token, &route.probe).await;
    let label = format!("{} {}", route.method, route.path);
    let request = || server.request(route.method.clone(), &route.path).bearer_auth(token);

    let (status, body) =
        send(request().header("Content-Type", "application/json").body(r#"{"title": "unfinished"#)).await;
    assert_error_code(status, &body, StatusCode::BAD_REQUEST, "malformed_json");

    let (status, body) =
        send(request().header("Content-Type", "application/json").body("not json at all")).await;
    assert_error_code(status, &body, StatusCode::BAD_REQUEST, "malformed_json");

    let (status, body) = send(request().header("Content-Type", "text/plain").body(r#"{"title": "x"}"#)).await;
    assert_error_code(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");

    let (status, body) = send(request().body(r#"{"title": "x"}"#)).await;
    assert_error_code(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");

    let huge = json!({ "title": "x".repeat(1024 * 1024 + 1), "content": "x", "token": "x" }).to_string();
    let (status, body) = send(request().header("Content-Type", "application/json").body(huge)).await;
    assert_error_code(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    for (wrong, field) in &route.wrong {
        let (status, body) = send(request().json(wrong)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{label} with {wrong}: {body}");
        assert_invalid_field(status, &body, field);
    }

    let after = observe(server, token, &route.probe).await;
    assert_eq!(before, after, "{label} stored something it refused");
}

#[tokio::test]
async fn todo_create_and_patch_refuse_bad_bodies_and_store_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let existing =
        server.create("/api/todos", &token, json!({ "title": "keep me", "due_date": "2026-03-13" })).await;
    let item = format!("/api/todos/{}", str_field(&existing, "id"));
    let create = Route {
        method: Method::POST,
        path: "/api/todos".into(),
        probe: Probe::Get("/api/todos".into()),
        wrong: vec![
            (json!({}), "title"),
            (json!({ "title": 5 }), "title"),
            (json!({ "title": "   " }), "title"),
            (json!({ "title": "x", "priority": "extreme" }), "priority"),
            (json!({ "title": "x", "status": "done" }), "status"),
            (json!({ "title": "x", "due_date": "next tuesday" }), "due_date"),
            (json!({ "title": "x", "due_date": "2026-02-30" }), "due_date"),
            (json!({ "title": "x", "tags": "work" }), "tags"),
            (json!({ "title": "x", "description": ["a"] }), "description"),
        ],
    };
    refuses_bad_bodies(&server, &token, &create).await;
    let patch = Route {
        method: Method::PATCH,
        path: item.clone(),
        probe: Probe::Get(item),
        wrong: vec![
            (json!({ "title": 5 }), "title"),
            (json!({ "title": "" }), "title"),
            (json!({ "priority": "extreme" }), "priority"),
            (json!({ "status": "done" }), "status"),
            (json!({ "due_date": "13/03/2026" }), "due_date"),
            (json!({ "tags": "work" }), "tags"),
        ],
    };
    refuses_bad_bodies(&server, &token, &patch).await;
}

#[tokio::test]
async fn event_create_and_patch_refuse_bad_bodies_and_store_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let existing =
        server.create("/api/events", &token, json!({ "title": "keep me", "start_time": START })).await;
    let item = format!("/api/events/{}", str_field(&existing, "id"));
    let create = Route {
        method: Method::POST,
        path: "/api/events".into(),
        probe: Probe::Get("/api/events".into()),
        wrong: vec![
            (json!({ "start_time": START }), "title"),
            (json!({ "title": "x" }), "start_time"),
            (json!({ "title": 5, "start_time": START }), "title"),
            (json!({ "title": "x", "start_time": "noon" }), "start_time"),
            (json!({ "title": "x", "start_time": START, "end_time": "later" }), "end_time"),
            (json!({ "title": "x", "start_time": START, "is_all_day": "yes" }), "is_all_day"),
            (json!({ "title": "x", "start_time": START, "reminder_minutes": "ten" }), "reminder_minutes"),
            (json!({ "title": "x", "start_time": START, "reminder_minutes": 7.5 }), "reminder_minutes"),
            (json!({ "title": "x", "start_time": "2027-02-29" }), "start_time"),
            (json!({ "title": "x", "start_time": START, "tags": "work" }), "tags"),
        ],
    };
    refuses_bad_bodies(&server, &token, &create).await;
    let patch = Route {
        method: Method::PATCH,
        path: item.clone(),
        probe: Probe::Get(item.clone()),
        wrong: vec![
            (json!({ "title": 5 }), "title"),
            (json!({ "start_time": "noon" }), "start_time"),
            (json!({ "is_all_day": "yes" }), "is_all_day"),
            (json!({ "location": 5 }), "location"),
            (json!({ "reminder_minutes": 0.25 }), "reminder_minutes"),
        ],
    };
    refuses_bad_bodies(&server, &token, &patch).await;
    // A whole number written with a point ("15.0", as Python's json writes a float) is
    // the number: JSON Schema's integer admits it, so the document's clients may send it.
    let (status, body) = send(server.patch(&item, &token).json(&json!({ "reminder_minutes": 15.0 }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reminder_minutes"], 15);
    let made = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "whole", "start_time": START, "reminder_minutes": 30.0 }),
        )
        .await;
    assert_eq!(made["reminder_minutes"], 30);
}

#[tokio::test]
async fn memo_create_and_patch_refuse_bad_bodies_and_store_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let existing = server.create("/api/memos", &token, json!({ "title": "keep", "content": "me" })).await;
    let item = format!("/api/memos/{}", str_field(&existing, "id"));
    let create = Route {
        method: Method::POST,
        path: "/api/memos".into(),
        probe: Probe::Get("/api/memos".into()),
        wrong: vec![
            (json!({ "title": "no content" }), "content"),
            (json!({ "content": 5 }), "content"),
            (json!({ "content": "x", "pinned": "yes" }), "pinned"),
            (json!({ "content": "x", "tags": "work" }), "tags"),
            (json!({ "content": "x", "title": 5 }), "title"),
        ],
    };
    refuses_bad_bodies(&server, &token, &create).await;
    let patch = Route {
        method: Method::PATCH,
        path: item.clone(),
        probe: Probe::Get(item),
        wrong: vec![
            (json!({ "pinned": "yes" }), "pinned"),
            (json!({ "content": 5 }), "content"),
            (json!({ "tags": "work" }), "tags"),
        ],
    };
    refuses_bad_bodies(&server, &token, &patch).await;
}

#[tokio::test]
async fn conversation_create_refuses_bad_bodies_and_stores_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let create = Route {
        method: Method::POST,
        path: "/api/chat/conversations".into(),
        probe: Probe::Get("/api/chat/conversations".into()),
        wrong: vec![(json!({ "title": 5 }), "title")],
    };
    refuses_bad_bodies(&server, &token, &create).await;
}

#[tokio::test]
async fn register_token_refuses_bad_bodies_and_stores_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let route = Route {
        method: Method::POST,
        path: "/api/notifications/register-token".into(),
        probe: Probe::Count("push_tokens"),
        wrong: vec![
            (json!({}), "token"),
            (json!({ "token": 5 }), "token"),
            (json!({ "token": "" }), "token"),
            (json!({ "token": "ok", "device_id": 7 }), "device_id"),
        ],
    };
    refuses_bad_bodies(&server, &token, &route).await;
}

#[tokio::test]
async fn a_json_array_body_is_refused_not_read_as_positional_fields() {
    // serde lets a struct be read from an array, field by field in declaration order, so
    // `["Buy milk"]` would quietly become a todo titled "Buy milk". A client that sends an
    // array has made a mistake; it must hear so.
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(server.post("/api/todos", &token).json(&json!(["Buy milk", "2 litres"]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(server.total("/api/todos", &token).await, 0);
}
