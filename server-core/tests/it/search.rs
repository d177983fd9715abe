//! Search across todos, events, memos and messages: results, safe snippets, the `types`
//! filter, hostile input, and an index that follows every write.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, assert_invalid_field, plant_conversation, plant_message, send, str_field};

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().unwrap_or_else(|| panic!("no items in {page}"))
}

fn hit_ids(page: &Value) -> BTreeSet<String> {
    items(page).iter().map(|h| str_field(h, "id")).collect()
}

async fn search(server: &TestServer, token: &str, query: &str) -> Value {
    server.get_ok(&format!("/api/search?{query}"), token).await
}

#[tokio::test]
async fn search_finds_todos_events_memos_and_messages_with_well_formed_hits() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let todo = server.create("/api/todos", &token, json!({ "title": "Buy oat milk" })).await;
    let event = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Milk tasting", "start_time": "2026-03-12T18:00:00-07:00" }),
        )
        .await;
    let memo = server
        .create("/api/memos", &token, json!({ "title": "Dairy", "content": "goat milk is sweeter" }))
        .await;
    let _other =
        server.create("/api/memos", &token, json!({ "title": "Bread", "content": "sourdough" })).await;
    let db = server.open_db().await;
    let conversation = plant_conversation(&db, "Shopping").await;
    let message = plant_message(&db, &conversation, "user", "remind me to buy milk tomorrow").await;
    db.close().await;

    let page = search(&server, &token, "q=milk").await;
    assert_eq!(page["total"], 4, "{page}");
    assert_eq!(page["page"], 1);
    assert!(page["limit"].as_u64().is_some(), "{page}");
    let want: BTreeSet<String> =
        [str_field(&todo, "id"), str_field(&event, "id"), str_field(&memo, "id"), message.clone()]
            .into_iter()
            .collect();
    assert_eq!(hit_ids(&page), want);
    let types: BTreeSet<String> = items(&page).iter().map(|h| str_field(h, "type")).collect();
    assert_eq!(types, ["event", "memo", "message", "todo"].map(String::from).into_iter().collect());
    for hit in items(&page) {
        assert!(hit["title"].is_string(), "{hit}");
        assert!(hit["score"].is_number(), "{hit}");
        let snippet = str_field(hit, "snippet");
        assert!(snippet.to_lowercase().contains("<mark>milk</mark>"), "snippet without a mark: {hit}");
        chrono::DateTime::parse_from_rfc3339(&str_field(hit, "created_at")).expect("created_at is RFC 3339");
    }
    let scores: Vec<f64> = items(&page).iter().filter_map(|h| h["score"].as_f64()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "hits are not best first: {scores:?}");
}

#[tokio::test]
async fn snippets_mark_the_match_and_escape_html() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server
        .create(
            "/api/memos",
            &token,
            json!({ "title": "Page", "content": "<script>alert('x')</script> quarterly budget & <b>plans</b>" }),
        )
        .await;
    let page = search(&server, &token, "q=quarterly").await;
    assert_eq!(page["total"], 1, "{page}");
    let snippet = str_field(&items(&page)[0], "snippet");
    assert!(snippet.contains("<mark>quarterly</mark>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(!snippet.contains("<script>"), "raw HTML in {snippet}");
    assert!(!snippet.contains("<b>"), "raw HTML in {snippet}");
    assert!(snippet.contains("&amp;"), "{snippet}");
    let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(!without_marks.contains('<'), "only <mark> may be markup: {snippet}");
}

#[tokio::test]
async fn types_restricts_the_kinds_searched() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({ "title": "Pack the tent" })).await;
    let memo = server.create("/api/memos", &token, json!({ "content": "tent pegs are in the garage" })).await;
    let event = server
        .create(
            "/api/events",
            &token,
            json!({ "title": "Tent camping", "start_time": "2026-06-01" , "is_all_day": true }),
        )
        .await;

    let memos = search(&server, &token, "q=tent&types=memos").await;
    assert_eq!(hit_ids(&memos), [str_field(&memo, "id")].into_iter().collect());
    assert!(items(&memos).iter().all(|h| h["type"] == "memo"), "{memos}");
    assert_eq!(memos["total"], 1);

    let two = search(&server, &token, "q=tent&types=memos,events").await;
    assert_eq!(hit_ids(&two), [str_field(&memo, "id"), str_field(&event, "id")].into_iter().collect());

    let (status, body) = send(server.get("/api/search?q=tent&types=gadgets", &token)).await;
    assert_invalid_field(status, &body, "types");
}

#[tokio::test]
async fn hostile_search_syntax_is_text_and_never_a_server_error() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/memos", &token, json!({ "content": "near the end or and" })).await;
    for q in [
        "%22",
        "%22%22%22",
        "AND%20OR%20NEAR(",
        "*",
        "col:",
        "content:near",
        "((unbalanced",
        "unbalanced))",
        "-",
        "%5E",
        "a%20NOT",
        "NEAR(a%20b,%203)",
        "%F0%9F%90%88",
        "'",
    ] {
        let (status, body) = send(server.get(&format!("/api/search?q={q}"), &token)).await;
        assert_eq!(status, StatusCode::OK, "q={q}: {body}");
        assert!(body["items"].is_array(), "q={q}: {body}");
    }
    // The words inside the noise still count.
    let page = search(&server, &token, "q=%22near%22%20AND").await;
    assert_eq!(page["total"], 1, "{page}");
}

#[tokio::test]
async fn search_follows_updates_and_deletes() {
    let server = TestServer::start().await;
    let token = server.token().await;
    // An explicit title: one derived from the content would keep the old word.
    let memo =
        server.create("/api/memos", &token, json!({ "title": "House", "content": "call the plumber" })).await;
    let todo = server.create("/api/todos", &token, json!({ "title": "plumber invoice" })).await;
    assert_eq!(search(&server, &token, "q=plumber").await["total"], 2);

    let (status, _) = send(
        server
            .patch(&format!("/api/memos/{}", str_field(&memo, "id")), &token)
            .json(&json!({ "content": "call the electrician" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let after_edit = search(&server, &token, "q=plumber").await;
    assert_eq!(hit_ids(&after_edit), [str_field(&todo, "id")].into_iter().collect());
    assert_eq!(
        hit_ids(&search(&server, &token, "q=electrician").await),
        [str_field(&memo, "id")].into_iter().collect()
    );

    let (status, _) = send(server.delete(&format!("/api/todos/{}", str_field(&todo, "id")), &token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let after_delete = search(&server, &token, "q=plumber").await;
    assert_eq!(after_delete["total"], 0, "{after_delete}");
    assert!(items(&after_delete).is_empty());
}

#[tokio::test]
async fn search_without_q_is_422_and_paging_is_bounded() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(server.get("/api/search", &token)).await;
    assert_invalid_field(status, &body, "q");
    let (status, body) = send(server.get("/api/search?q=x&limit=101", &token)).await;
    assert_invalid_field(status, &body, "limit");

    for i in 0..5 {
        server.create("/api/memos", &token, json!({ "content": format!("kettle note {i}") })).await;
    }
    let first = search(&server, &token, "q=kettle&limit=2").await;
    assert_eq!(items(&first).len(), 2);
    assert_eq!(first["total"], 5);
    let third = search(&server, &token, "q=kettle&limit=2&page=3").await;
    assert_eq!(items(&third).len(), 1);
    let second = search(&server, &token, "q=kettle&limit=2&page=2").await;
    let all: BTreeSet<String> =
        [hit_ids(&first), hit_ids(&second), hit_ids(&third)].into_iter().flatten().collect();
    assert_eq!(all.len(), 5, "pages overlap or skip");
}

/// A word in thousands of notes: the newest 2,000 of its kind are ranked and counted, and
/// an older note is still found by a word it does not share with them.
#[tokio::test]
async fn a_common_word_ranks_the_newest_two_thousand_of_a_kind() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let oldest = server.create("/api/memos", &token, json!({ "content": "lantern in the shed" })).await;
    let db = server.open_db().await;
    let mut tx = db.begin().await.unwrap();
    for i in 0..2_004 {
        sqlx::query("INSERT INTO memos (id, content, created_at, updated_at) VALUES (?, ?, 0, 0)")
            .bind(format!("planted-{i}"))
            .bind(format!("lantern number {i}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    db.close().await;
    server.create("/api/todos", &token, json!({ "title": "Fix the lantern" })).await;

    let page = search(&server, &token, "q=lantern&limit=100").await;
    assert_eq!(page["total"], 2_001, "2,000 memos and the todo: {}", page["total"]);
    let last = search(&server, &token, "q=lantern&limit=100&page=21").await;
    assert_eq!(items(&last).len(), 1);
    let mut all = BTreeSet::new();
    for p in 1..=21 {
        all.extend(hit_ids(&search(&server, &token, &format!("q=lantern&limit=100&page={p}")).await));
    }
    assert_eq!(all.len(), 2_001, "pages overlap or skip");
    for i in 0..4 {
        assert!(!all.contains(&format!("planted-{i}")), "planted-{i} is older than the newest 2,000");
    }
    assert!(!all.contains(&str_field(&oldest, "id")));
    assert!(all.contains("planted-4") && all.contains("planted-2003"));
    let shed = search(&server, &token, "q=lantern%20shed").await;
    assert_eq!(hit_ids(&shed), BTreeSet::from([str_field(&oldest, "id")]));
}
