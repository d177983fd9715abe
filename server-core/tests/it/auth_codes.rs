//! One-time codes shown to the owner: without SMTP, a code asked for through
//! `POST /api/auth/register` is listed for the logged-in owner at `GET /api/auth/codes`
//! (what the card in Settings shows) with its e-mail and expiry, while it can log in; it
//! goes once it is used, replaced, out of tries or expired, and every change tells the UI
//! (`module_data_changed` for settings).

use std::sync::Arc;
use std::time::Duration;

use clawchat_server::bus::ServerEvent;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::common::{TestServer, assert_error, send};

async fn register(server: &TestServer, email: &str) -> String {
    let (status, body) =
        send(server.request(Method::POST, "/api/auth/register").json(&json!({ "email": email }))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (to, code) = server.next_otp().await;
    assert_eq!(to, email);
    code
}

async fn verify(server: &TestServer, email: &str, otp: &str) -> StatusCode {
    send(server.request(Method::POST, "/api/auth/verify-otp").json(&json!({ "email": email, "otp": otp })))
        .await
        .0
}

/// The codes listed, as (email, code) pairs in the order given.
async fn listed(server: &TestServer, token: &str) -> Vec<(String, String)> {
    let body = server.get_ok("/api/auth/codes", token).await;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["email"].as_str().unwrap().to_owned(), c["code"].as_str().unwrap().to_owned()))
        .collect()
}

/// Waits for the next `module_data_changed` about settings.
async fn settings_changed(events: &mut broadcast::Receiver<Arc<ServerEvent>>) {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let v = serde_json::to_value(&*events.recv().await.unwrap()).unwrap();
            if v["type"] == "module_data_changed" && v["data"]["module"] == "settings" {
                return;
            }
        }
    })
    .await
    .expect("the UI is told the codes changed");
}

#[tokio::test]
async fn a_code_shown_to_the_owner_is_listed_until_it_logs_in_or_is_replaced() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) = send(server.request(Method::GET, "/api/auth/codes")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    assert!(listed(&server, &token).await.is_empty());

    let mut events = server.state.bus.subscribe();
    let ana = register(&server, "ana@example.com").await;
    settings_changed(&mut events).await;
    let body = server.get_ok("/api/auth/codes", &token).await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["email"], "ana@example.com");
    assert_eq!(items[0]["code"], ana.as_str());
    let expires = chrono::DateTime::parse_from_rfc3339(items[0]["expires_at"].as_str().unwrap()).unwrap();
    let left = expires.timestamp_millis() - clawchat_server::infra::db::now_ms();
    assert!((4 * 60_000..=5 * 60_000).contains(&left), "valid for 5 minutes: {left} ms left");

    // A second e-mail's code is listed after the first (it expires later); a new code for
    // the first replaces its old one.
    let bo = register(&server, "bo@example.com").await;
    assert_eq!(
        listed(&server, &token).await,
        [("ana@example.com".to_owned(), ana.clone()), ("bo@example.com".to_owned(), bo.clone())]
    );
    let ana_again = register(&server, "ana@example.com").await;
    assert_eq!(
        listed(&server, &token).await,
        [("bo@example.com".to_owned(), bo.clone()), ("ana@example.com".to_owned(), ana_again.clone())]
    );

    // Used, it goes, and the UI hears of it.
    let mut events = server.state.bus.subscribe();
    assert_eq!(verify(&server, "ana@example.com", &ana_again).await, StatusCode::OK);
    settings_changed(&mut events).await;
    assert_eq!(listed(&server, &token).await, [("bo@example.com".to_owned(), bo)]);
}

#[tokio::test]
async fn a_code_out_of_tries_or_expired_is_no_longer_listed() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let di = register(&server, "di@example.com").await;
    let code = register(&server, "cy@example.com").await;
    assert_eq!(listed(&server, &token).await.len(), 2);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut events = server.state.bus.subscribe();
    for _ in 0..5 {
        assert_eq!(verify(&server, "cy@example.com", wrong).await, StatusCode::UNAUTHORIZED);
    }
    settings_changed(&mut events).await;
    assert_eq!(
        listed(&server, &token).await,
        [("di@example.com".to_owned(), di)],
        "five wrong tries end the code"
    );

    // Its five minutes are over.
    sqlx::query("UPDATE otp_codes SET expires_at = ? WHERE email = 'di@example.com'")
        .bind(clawchat_server::infra::db::now_ms() - 1)
        .execute(&server.state.db.write)
        .await
        .unwrap();
    assert!(listed(&server, &token).await.is_empty(), "an expired code is not listed");
    let body: Value = server.get_ok("/api/auth/codes", &token).await;
    assert_eq!(body, json!({ "items": [] }));
}
