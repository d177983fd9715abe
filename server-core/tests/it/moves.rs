//! Moves said to the assistant land where the user means: a day keeps the event's hour,
//! an amount moves it from its own time, and its end goes with it.

use chrono::Timelike as _;
use serde_json::{Value, json};

use crate::brain::say;
use crate::common::{TestServer, now_local, send};

/// An event `days` from today at `hour`:00 local, `minutes` long.
fn event_on(title: &str, days: i64, hour: u32, minutes: i64) -> Value {
    let day = (now_local() + chrono::Duration::days(days)).date_naive();
    let start = day.and_hms_opt(hour, 0, 0).unwrap().and_local_timezone(now_local().timezone()).unwrap();
    let end = start + chrono::Duration::minutes(minutes);
    json!({"title": title, "start_time": start.to_rfc3339(), "end_time": end.to_rfc3339()})
}

/// An event the day after tomorrow at 10:00 local, 45 minutes long.
fn dentist() -> Value {
    event_on("Dentist", 2, 10, 45)
}

fn local(value: &Value) -> chrono::DateTime<chrono_tz::Tz> {
    let at = chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap();
    at.with_timezone(&now_local().timezone())
}

#[tokio::test]
async fn pushing_an_event_back_by_an_amount_moves_its_start_and_end_from_its_own_time() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let made = server.create("/api/events", &token, dentist()).await;
    let id = made["id"].as_str().unwrap();

    let (_, answer) = say(&server, &token, "push the dentist back an hour and a half").await;
    let moved = server.get_ok(&format!("/api/events/{id}"), &token).await;
    let (start, end) = (local(&moved["start_time"]), local(&moved["end_time"]));
    assert_eq!((start.hour(), start.minute()), (11, 30), "{answer}: {moved}");
    assert_eq!(end - start, chrono::Duration::minutes(45), "the length is kept: {moved}");
    assert_eq!(moved["is_all_day"], false);

    say(&server, &token, "bring the dentist forward by 30 minutes").await;
    let moved = server.get_ok(&format!("/api/events/{id}"), &token).await;
    assert_eq!(local(&moved["start_time"]).hour(), 11);
    assert_eq!(local(&moved["start_time"]).minute(), 0);
}

#[tokio::test]
async fn moving_an_event_to_a_day_keeps_its_time_of_day_and_its_length() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let made = server.create("/api/events", &token, dentist()).await;
    let id = made["id"].as_str().unwrap();
    let weekday = (now_local() + chrono::Duration::days(4)).format("%A").to_string();

    let (_, answer) = say(&server, &token, &format!("move the dentist to {weekday}")).await;
    let moved = server.get_ok(&format!("/api/events/{id}"), &token).await;
    let (start, end) = (local(&moved["start_time"]), local(&moved["end_time"]));
    assert_eq!(
        start.date_naive(),
        (now_local() + chrono::Duration::days(4)).date_naive(),
        "{answer}: {moved}"
    );
    assert_eq!((start.hour(), start.minute()), (10, 0), "{moved}");
    assert_eq!(end - start, chrono::Duration::minutes(45), "{moved}");
    assert_eq!(moved["is_all_day"], false, "a timed event stays timed: {moved}");
}

#[tokio::test]
async fn a_todo_with_no_due_date_is_not_moved_by_an_amount_and_the_user_is_told() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let made = server.create("/api/todos", &token, json!({"title": "Tax return"})).await;
    let (_, answer) = say(&server, &token, "push the tax return task back a day").await;
    assert!(answer.contains("no due date"), "{answer}");
    let todo = server.get_ok(&format!("/api/todos/{}", made["id"].as_str().unwrap()), &token).await;
    assert!(todo["due_date"].is_null(), "{todo}");

    let due = (now_local() + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let made = server.create("/api/todos", &token, json!({"title": "Gas bill", "due_date": due})).await;
    say(&server, &token, "push the gas bill task back 2 days").await;
    let todo = server.get_ok(&format!("/api/todos/{}", made["id"].as_str().unwrap()), &token).await;
    let want = (now_local() + chrono::Duration::days(3)).format("%Y-%m-%d").to_string();
    assert_eq!(todo["due_date"], want, "a day-only due date moves by days: {todo}");
}

/// An event tomorrow at `hour`:00 local, an hour long.
fn tomorrow_at(title: &str, hour: u32) -> Value {
    event_on(title, 1, hour, 60)
}

#[tokio::test]
async fn an_event_named_by_its_time_is_the_one_moved_or_cancelled() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let call = server.create("/api/events", &token, tomorrow_at("Call with Priya", 15)).await;
    let standup = server.create("/api/events", &token, tomorrow_at("Standup", 9)).await;
    let lunch = server.create("/api/events", &token, tomorrow_at("Lunch with Jo", 12)).await;
    let id = |e: &Value| e["id"].as_str().unwrap().to_owned();

    let (_, answer) = say(&server, &token, "move tomorrow's 3pm to 4").await;
    let moved = server.get_ok(&format!("/api/events/{}", id(&call)), &token).await;
    let start = local(&moved["start_time"]);
    assert_eq!((start.hour(), start.minute()), (16, 0), "{answer}: {moved}");
    assert_eq!(local(&moved["end_time"]) - start, chrono::Duration::hours(1), "{moved}");

    let (_, answer) = say(&server, &token, "cancel tomorrow's 9am").await;
    let (status, _) = send(server.get(&format!("/api/events/{}", id(&standup)), &token)).await;
    assert_eq!(status.as_u16(), 404, "{answer}");
    let kept = server.get_ok(&format!("/api/events/{}", id(&lunch)), &token).await;
    assert_eq!(kept["title"], "Lunch with Jo", "only the 9am went: {answer}");

    // Nothing starts at 8: nothing is touched, and the user is told.
    let (_, answer) = say(&server, &token, "cancel tomorrow's 8am").await;
    assert!(answer.contains("couldn't find"), "{answer}");
    server.get_ok(&format!("/api/events/{}", id(&lunch)), &token).await;
}

#[tokio::test]
async fn two_events_at_the_time_named_are_both_kept_and_named_back() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let a = server.create("/api/events", &token, tomorrow_at("Dentist", 11)).await;
    let b = server.create("/api/events", &token, tomorrow_at("Team sync", 11)).await;

    let (_, answer) = say(&server, &token, "cancel tomorrow's 11am").await;
    assert!(answer.contains("Dentist") && answer.contains("Team sync"), "{answer}");
    for e in [a, b] {
        server.get_ok(&format!("/api/events/{}", e["id"].as_str().unwrap()), &token).await;
    }
}

#[tokio::test]
async fn a_repeating_event_named_by_one_of_its_times_is_not_deleted_whole() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut run = tomorrow_at("Morning run", 7);
    run["recurrence_rule"] = json!("FREQ=DAILY");
    let run = server.create("/api/events", &token, run).await;

    let (_, answer) = say(&server, &token, "cancel tomorrow's 7am").await;
    assert!(answer.contains("'Morning run', repeats"), "{answer}");
    server.get_ok(&format!("/api/events/{}", run["id"].as_str().unwrap()), &token).await;
}
