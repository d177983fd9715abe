//! Events: CRUD, the rules on times and recurrence, and the range filter.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, assert_error_code, assert_invalid_field, ids, send, str_field};

fn starts(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|e| str_field(e, "start_time"))
        .collect()
}

#[tokio::test]
async fn create_returns_201_with_every_contract_field_in_the_users_offset() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let event = server
        .create(
            "/api/events",
            &token,
            json!({
                "title": "Dentist",
                "description": "bring the form",
                "location": "12 Main St",
                "start_time": "2026-03-12T22:00:00Z",
                "end_time": "2026-03-12T23:30:00Z",
                "reminder_minutes": 30,
                "tags": ["health"],
            }),
        )
        .await;
    assert!(!str_field(&event, "id").is_empty());
    assert_eq!(event["title"], "Dentist");
    assert_eq!(event["description"], "bring the form");
    assert_eq!(event["location"], "12 Main St");
    assert_eq!(event["start_time"], "2026-03-12T15:00:00-07:00");
    assert_eq!(event["end_time"], "2026-03-12T16:30:00-07:00");
    assert_eq!(event["is_all_day"], false);
    assert_eq!(event["reminder_minutes"], 30);
    assert_eq!(event["recurrence_rule"], Value::Null);
    assert_eq!(event["tags"], json!(["health"]));

    let minimal = server
        .create("/api/events", &token, json!({ "title": "Call", "start_time": "2026-03-13T09:00:00-07:00" }))
        .await;
    assert_eq!(minimal["is_all_day"], false);
    assert_eq!(minimal["tags"], json!([]));
    assert_eq!(minimal["location"], Value::Null);
}

#[tokio::test]
async fn an_all_day_event_takes_a_bare_date() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let event = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Holiday", "start_time": "2026-03-13", "is_all_day": true }),
        )
        .await;
    assert_eq!(event["is_all_day"], true);
    assert!(str_field(&event, "start_time").starts_with("2026-03-13"), "{event}");
}

#[tokio::test]
async fn get_patch_and_delete_an_event() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Standup", "location": "Room 1", "start_time": "2026-03-12T09:00:00-07:00",
                    "end_time": "2026-03-12T09:15:00-07:00" }),
        )
        .await;
    let path = format!("/api/events/{}", str_field(&created, "id"));
    assert_eq!(server.get_ok(&path, &token).await, created);

    let (status, patched) = send(server.patch(&path, &token).json(&json!({ "location": "Room 2" }))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["location"], "Room 2");
    for kept in ["title", "start_time", "end_time", "is_all_day", "tags"] {
        assert_eq!(patched[kept], created[kept], "{kept} changed");
    }
    assert_eq!(server.get_ok(&path, &token).await["location"], "Room 2");

    let (status, moved) = send(server.patch(&path, &token).json(
        &json!({ "start_time": "2026-03-12T10:00:00-07:00", "end_time": "2026-03-12T10:15:00-07:00" }),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["start_time"], "2026-03-12T10:00:00-07:00");

    let response = server.delete(&path, &token).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = send(server.get(&path, &token)).await;
    assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn an_unknown_event_id_is_404() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let path = "/api/events/does-not-exist";
    for (status, body) in [
        send(server.get(path, &token)).await,
        send(server.patch(path, &token).json(&json!({ "title": "x" }))).await,
        send(server.delete(path, &token)).await,
    ] {
        assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn an_end_before_the_start_is_422_and_stores_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(server.post("/api/events", &token).json(&json!({
        "title": "Backwards",
        "start_time": "2026-03-12T15:00:00-07:00",
        "end_time": "2026-03-12T14:00:00-07:00",
    })))
    .await;
    assert_invalid_field(status, &body, "end_time");
    assert_eq!(server.total("/api/events", &token).await, 0);

    // Nor can a patch of only one end turn an event inside out.
    let created = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Ok", "start_time": "2026-03-12T15:00:00-07:00", "end_time": "2026-03-12T16:00:00-07:00" }),
        )
        .await;
    let path = format!("/api/events/{}", str_field(&created, "id"));
    let (status, body) =
        send(server.patch(&path, &token).json(&json!({ "start_time": "2026-03-12T17:00:00-07:00" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(server.get_ok(&path, &token).await, created);
}

#[tokio::test]
async fn an_invalid_recurrence_rule_is_422_and_a_valid_one_is_kept() {
    let server = TestServer::start().await;
    let token = server.token().await;
    // The last one crashed the rrule crate's parser (found by fuzzing): now a 422 too.
    for bad in [
        "every tuesday",
        "FREQ=SOMETIMES",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;COUNT=-1",
        "FREQ=WEEKLY;BYDAY=MzOM\u{fffd}\u{fffd}\u{fffd}\u{fffd}",
    ] {
        let (status, body) = send(server.post("/api/events", &token).json(&json!({
            "title": "Repeating",
            "start_time": "2026-03-12T15:00:00-07:00",
            "recurrence_rule": bad,
        })))
        .await;
        assert_invalid_field(status, &body, "recurrence_rule");
    }
    assert_eq!(server.total("/api/events", &token).await, 0);
    let ok = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Weekly", "start_time": "2026-03-02T10:00:00-08:00", "recurrence_rule": "FREQ=WEEKLY;BYDAY=MO" }),
        )
        .await;
    assert_eq!(ok["recurrence_rule"], "FREQ=WEEKLY;BYDAY=MO");
}

#[tokio::test]
async fn list_filters_by_start_range() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut made = Vec::new();
    for (title, start) in [
        ("before", "2026-03-10T09:00:00-07:00"),
        ("inside", "2026-03-12T09:00:00-07:00"),
        ("after", "2026-03-20T09:00:00-07:00"),
    ] {
        made.push(str_field(
            &server.create("/api/events", &token, json!({ "title": title, "start_time": start })).await,
            "id",
        ));
    }
    let inside = server.get_ok("/api/events?start_after=2026-03-11&start_before=2026-03-15", &token).await;
    assert_eq!(ids(&inside), vec![made[1].clone()]);
    assert_eq!(inside["total"], 1);
    let from = server.get_ok("/api/events?start_after=2026-03-11T00:00:00Z", &token).await;
    let mut got = ids(&from);
    got.sort();
    let mut want = vec![made[1].clone(), made[2].clone()];
    want.sort();
    assert_eq!(got, want);
    let all = server.get_ok("/api/events", &token).await;
    assert_eq!(all["total"], 3);
    // Soonest first.
    assert_eq!(ids(&all), made);

    let (status, body) = send(server.get("/api/events?start_after=soon", &token)).await;
    assert_invalid_field(status, &body, "start_after");
}

#[tokio::test]
async fn a_weekly_event_comes_back_as_its_occurrences_at_the_same_local_time_across_dst() {
    let server = TestServer::start().await;
    let token = server.token().await;
    // Mondays at 10:00 from 2 March 2026; the US moves to summer time on 8 March.
    server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Team sync", "start_time": "2026-03-02T10:00:00-08:00",
                    "end_time": "2026-03-02T10:30:00-08:00", "recurrence_rule": "FREQ=WEEKLY;COUNT=10" }),
        )
        .await;
    let page = server.get_ok("/api/events?start_after=2026-03-09&start_before=2026-03-24", &token).await;
    assert_eq!(
        starts(&page),
        vec!["2026-03-09T10:00:00-07:00", "2026-03-16T10:00:00-07:00", "2026-03-23T10:00:00-07:00"],
        "{page}"
    );
    for item in page["items"].as_array().expect("items") {
        assert_eq!(item["title"], "Team sync");
    }
}

#[tokio::test]
async fn patch_with_null_clears_the_optional_fields() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let created = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Yoga", "location": "Studio", "start_time": "2026-03-12T07:00:00-07:00",
                    "end_time": "2026-03-12T08:00:00-07:00", "reminder_minutes": 15,
                    "recurrence_rule": "FREQ=WEEKLY" }),
        )
        .await;
    let path = format!("/api/events/{}", str_field(&created, "id"));
    let (status, cleared) = send(server.patch(&path, &token).json(&json!({
        "location": null, "end_time": null, "reminder_minutes": null, "recurrence_rule": null,
    })))
    .await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    for field in ["location", "end_time", "reminder_minutes", "recurrence_rule"] {
        assert_eq!(cleared[field], Value::Null, "{field} not cleared: {cleared}");
    }
    assert_eq!(cleared["start_time"], created["start_time"]);
    assert_eq!(server.get_ok(&path, &token).await, cleared);
}

#[tokio::test]
async fn an_event_that_ends_as_the_range_starts_is_not_in_the_range() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Late call", "start_time": "2026-03-10T23:00:00-07:00", "end_time": "2026-03-11T00:00:00-07:00" }),
        )
        .await;
    server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Day off", "start_time": "2026-03-10", "end_time": "2026-03-10", "is_all_day": true }),
        )
        .await;
    let page = server.get_ok("/api/events?start_after=2026-03-11&start_before=2026-03-12", &token).await;
    assert_eq!(page["total"], 0, "events of 10 March listed for 11 March: {page}");
}
