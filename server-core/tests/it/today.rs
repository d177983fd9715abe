//! The Today view, measured in the user's zone.

use std::collections::BTreeSet;

use chrono::{Duration, SecondsFormat, TimeZone as _};
use serde_json::{Value, json};

use crate::common::{TestServer, now_local, str_field};

fn list_ids(today: &Value, key: &str) -> BTreeSet<String> {
    today[key]
        .as_array()
        .unwrap_or_else(|| panic!("no list {key} in {today}"))
        .iter()
        .map(|item| str_field(item, "id"))
        .collect()
}

#[tokio::test]
async fn today_gathers_due_overdue_events_and_pinned_memos() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let now = now_local();
    let today = now.date_naive();
    let yesterday = today - Duration::days(1);
    let tomorrow = today + Duration::days(1);
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();

    let due_today =
        server.create("/api/todos", &token, json!({ "title": "due today", "due_date": day(today) })).await;
    let overdue =
        server.create("/api/todos", &token, json!({ "title": "overdue", "due_date": day(yesterday) })).await;
    let done_yesterday = server
        .create(
            "/api/todos",
            &token,
            json!({ "title": "done", "due_date": day(yesterday), "status": "completed" }),
        )
        .await;
    let later =
        server.create("/api/todos", &token, json!({ "title": "tomorrow", "due_date": day(tomorrow) })).await;
    let undated = server.create("/api/todos", &token, json!({ "title": "someday" })).await;

    let start = now.to_rfc3339_opts(SecondsFormat::Secs, false);
    let end = (now + Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, false);
    let event_today = server
        .create("/api/events", &token, json!({ "title": "now-ish", "start_time": start, "end_time": end }))
        .await;
    let next_week = (now + Duration::days(7)).to_rfc3339_opts(SecondsFormat::Secs, false);
    let event_later =
        server.create("/api/events", &token, json!({ "title": "next week", "start_time": next_week })).await;

    let pinned =
        server.create("/api/memos", &token, json!({ "content": "door code 4711", "pinned": true })).await;
    let unpinned = server.create("/api/memos", &token, json!({ "content": "misc" })).await;

    let view = server.get_ok("/api/today", &token).await;
    for key in
        ["date", "greeting", "today_tasks", "overdue_tasks", "today_events", "pinned_memos", "briefing"]
    {
        assert!(view.get(key).is_some(), "no {key} in {view}");
    }
    assert_eq!(view["date"], day(today), "the date is not today in Los Angeles: {view}");
    assert!(!str_field(&view, "greeting").trim().is_empty());

    let id = |v: &Value| str_field(v, "id");
    let tasks = list_ids(&view, "today_tasks");
    let late = list_ids(&view, "overdue_tasks");
    assert!(tasks.contains(&id(&due_today)), "due today missing from today_tasks: {view}");
    assert!(!late.contains(&id(&due_today)), "a task due today is not yet overdue: {view}");
    assert!(late.contains(&id(&overdue)), "overdue missing from overdue_tasks: {view}");
    assert!(!tasks.contains(&id(&overdue)), "{view}");
    for absent in [&done_yesterday, &later, &undated] {
        assert!(
            !tasks.contains(&id(absent)) && !late.contains(&id(absent)),
            "{} should be in neither: {view}",
            absent["title"]
        );
    }

    let events = list_ids(&view, "today_events");
    assert!(events.contains(&id(&event_today)), "{view}");
    assert!(!events.contains(&id(&event_later)), "{view}");

    let memos = list_ids(&view, "pinned_memos");
    assert!(memos.contains(&id(&pinned)), "{view}");
    assert!(!memos.contains(&id(&unpinned)), "{view}");
}

#[tokio::test]
async fn an_all_day_event_today_and_a_weekly_one_recurring_today_are_in_today_events() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let now = now_local();
    let today = now.date_naive().format("%Y-%m-%d").to_string();
    let all_day = server
        .create("/api/events", &token, json!({ "title": "Holiday", "start_time": today, "is_all_day": true }))
        .await;
    // Started four weeks ago on this weekday, at this time of day, and repeats weekly. The
    // weeks are counted on the wall clock: across a daylight-saving change, four weeks of
    // elapsed time can land an hour off, on another day near midnight.
    let tz = now.timezone();
    let wall = now.naive_local() - Duration::weeks(4);
    let first = tz
        .from_local_datetime(&wall)
        .earliest()
        .expect("a time that exists")
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let weekly = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Weekly", "start_time": first, "recurrence_rule": "FREQ=WEEKLY" }),
        )
        .await;
    let view = server.get_ok("/api/today", &token).await;
    let events = list_ids(&view, "today_events");
    assert!(events.contains(&str_field(&all_day, "id")), "all-day event missing: {view}");
    assert!(
        events.contains(&str_field(&weekly, "id")),
        "today's occurrence of a weekly event missing: {view}"
    );
}

#[tokio::test]
async fn yesterdays_events_are_not_in_today_events() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let now = now_local();
    let yesterday = (now.date_naive() - Duration::days(1)).format("%Y-%m-%d").to_string();
    // A one-day all-day event: its end date names its last day, so it ends at midnight.
    let all_day = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Yesterday's holiday", "start_time": yesterday, "end_time": yesterday, "is_all_day": true }),
        )
        .await;
    let view = server.get_ok("/api/today", &token).await;
    let events = list_ids(&view, "today_events");
    assert!(
        !events.contains(&str_field(&all_day, "id")),
        "yesterday's all-day event is listed today: {view}"
    );
}
