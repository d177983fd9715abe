//! PIN login and its lock-out, refresh rotation and replay detection, logout, and the
//! e-mail one-time code flow.

use std::sync::Arc;
use std::time::Duration;

use clawchat_server::infra::clock::ManualClock;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{
    PIN, TestServer, assert_error, assert_error_code, assert_invalid_field, send, str_field,
};

/// The race grace the replay test runs with (`--refresh-race-grace-ms`): a spent refresh
/// token presented again within it is taken for the loser of a race (409).
const SHORT_GRACE_MS: u64 = 300;

fn assert_token_pair(body: &Value) {
    assert!(!str_field(body, "access_token").is_empty(), "{body}");
    assert!(!str_field(body, "refresh_token").is_empty(), "{body}");
    assert_eq!(body["token_type"], "bearer", "{body}");
    assert!(body["expires_in"].as_i64().is_some_and(|s| s > 0), "{body}");
}

async fn refresh(server: &TestServer, path: &str, refresh_token: &str) -> (StatusCode, Value) {
    send(server.request(Method::POST, path).json(&json!({ "refresh_token": refresh_token }))).await
}

async fn works(server: &TestServer, access: &str) -> bool {
    let (status, body) = send(server.get("/api/todos", access)).await;
    match status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("unexpected {other}: {body}"),
    }
}

async fn login_with(server: &TestServer, pin: &str) -> reqwest::Response {
    server
        .request(Method::POST, "/api/auth/login")
        .json(&json!({ "pin": pin }))
        .send()
        .await
        .expect("an answer")
}

#[tokio::test]
async fn login_with_the_right_pin_returns_a_working_bearer_pair() {
    let server = TestServer::start().await;
    let pair = server.login_pair().await;
    assert_token_pair(&pair);
    assert!(works(&server, &str_field(&pair, "access_token")).await);
}

#[tokio::test]
async fn login_with_a_wrong_pin_is_401() {
    let server = TestServer::start().await;
    let (status, body) =
        send(server.request(Method::POST, "/api/auth/login").json(&json!({ "pin": "999999" }))).await;
    assert_error_code(status, &body, StatusCode::UNAUTHORIZED, "wrong_pin");
    assert!(body.get("access_token").is_none());
}

#[tokio::test]
async fn after_five_wrong_pins_even_the_right_pin_is_429_with_retry_after() {
    let server = TestServer::start().await;
    let clock = limiter_clock(&server);
    for i in 0..5 {
        let response = login_with(&server, "000000").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "wrong PIN {i}");
    }
    let response = login_with(&server, PIN).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("whole seconds");
    assert!(retry_after >= 1, "Retry-After {retry_after}");
    let body: Value = response.json().await.expect("JSON");
    assert_error(StatusCode::TOO_MANY_REQUESTS, &body, StatusCode::TOO_MANY_REQUESTS);

    // The lock holds until its time has passed, and not a moment longer than it said.
    clock.advance(Duration::from_secs(retry_after) - Duration::from_millis(1));
    assert_eq!(login_with(&server, PIN).await.status(), StatusCode::TOO_MANY_REQUESTS, "a moment early");
    clock.advance(Duration::from_millis(1));
    assert_eq!(login_with(&server, PIN).await.status(), StatusCode::OK);
}

/// Puts the server's failed-attempt limiter on a clock the test moves.
fn limiter_clock(server: &TestServer) -> Arc<ManualClock> {
    let clock = Arc::new(ManualClock::new(clawchat_server::infra::db::now_ms()));
    server.state.auth.limiter.use_clock(clock.clone());
    clock
}

#[tokio::test]
async fn login_without_a_pin_is_422_naming_pin() {
    let server = TestServer::start().await;
    let (status, body) = send(server.request(Method::POST, "/api/auth/login").json(&json!({}))).await;
    assert_invalid_field(status, &body, "pin");
}

#[tokio::test]
async fn refresh_rotates_the_pair_and_both_routes_work() {
    let server = TestServer::start().await;
    let first = server.login_pair().await;
    let (status, second) = refresh(&server, "/api/auth/refresh", &str_field(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_token_pair(&second);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert!(works(&server, &str_field(&second, "access_token")).await);

    // The alias the original clients call.
    let (status, third) =
        refresh(&server, "/api/auth/refresh-token", &str_field(&second, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_token_pair(&third);
    assert!(works(&server, &str_field(&third, "access_token")).await);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_401() {
    let server = TestServer::start().await;
    let (status, body) = refresh(&server, "/api/auth/refresh", "never-issued").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn replaying_a_spent_refresh_token_ends_the_whole_login() {
    let server = TestServer::start_with(crate::common::Options {
        extra_args: vec!["--refresh-race-grace-ms".into(), SHORT_GRACE_MS.to_string()],
        ..crate::common::Options::default()
    })
    .await;
    let clock = Arc::new(ManualClock::new(clawchat_server::infra::db::now_ms()));
    server.state.auth.tokens.use_clock(clock.clone());
    let other_login = server.login_pair().await;
    let first = server.login_pair().await;
    let spent = str_field(&first, "refresh_token");
    let (status, second) = refresh(&server, "/api/auth/refresh", &spent).await;
    assert_eq!(status, StatusCode::OK, "{second}");

    // Up to the end of the grace given to the loser of two concurrent refreshes, a replay
    // is told to use the winner's tokens; a moment past it, it is a theft.
    clock.advance(Duration::from_millis(SHORT_GRACE_MS));
    let (status, body) = refresh(&server, "/api/auth/refresh", &spent).await;
    assert_error_code(status, &body, StatusCode::CONFLICT, "refresh_in_progress");
    clock.advance(Duration::from_millis(1));
    let (status, body) = refresh(&server, "/api/auth/refresh", &spent).await;
    assert_error_code(status, &body, StatusCode::UNAUTHORIZED, "refresh_token_reused");

    assert!(!works(&server, &str_field(&first, "access_token")).await, "first access token still works");
    assert!(!works(&server, &str_field(&second, "access_token")).await, "newest access token still works");
    let (status, body) = refresh(&server, "/api/auth/refresh", &str_field(&second, "refresh_token")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);

    // Another login is not this one's family and lives on.
    assert!(works(&server, &str_field(&other_login, "access_token")).await);
}

#[tokio::test]
async fn two_concurrent_refreshes_one_wins_the_other_is_told_409() {
    let server = TestServer::start().await;
    let pair = server.login_pair().await;
    let token = str_field(&pair, "refresh_token");
    let (a, b) = tokio::join!(
        refresh(&server, "/api/auth/refresh", &token),
        refresh(&server, "/api/auth/refresh", &token)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", a.1, b.1);
    let (winner, loser) = if a.0 == StatusCode::OK { (a.1, b.1) } else { (b.1, a.1) };
    assert_error_code(StatusCode::CONFLICT, &loser, StatusCode::CONFLICT, "refresh_in_progress");

    // The family survived the race: the winner's tokens work and rotate on.
    assert!(works(&server, &str_field(&winner, "access_token")).await);
    assert!(works(&server, &str_field(&pair, "access_token")).await);
    let (status, next) = refresh(&server, "/api/auth/refresh", &str_field(&winner, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{next}");
}

#[tokio::test]
async fn logout_is_204_and_ends_that_logins_tokens() {
    let server = TestServer::start().await;
    let other = server.token().await;
    let pair = server.login_pair().await;
    let access = str_field(&pair, "access_token");
    let response = server.post("/api/auth/logout", &access).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let (status, body) = send(server.get("/api/todos", &access)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    let (status, body) = refresh(&server, "/api/auth/refresh", &str_field(&pair, "refresh_token")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    assert!(works(&server, &other).await, "logout ended another login too");
}

async fn register(server: &TestServer, email: &str) -> (StatusCode, Value) {
    send(server.request(Method::POST, "/api/auth/register").json(&json!({ "email": email }))).await
}

async fn verify(server: &TestServer, email: &str, otp: &str) -> reqwest::Response {
    server
        .request(Method::POST, "/api/auth/verify-otp")
        .json(&json!({ "email": email, "otp": otp }))
        .send()
        .await
        .expect("an answer")
}

#[tokio::test]
async fn register_sends_a_six_digit_code_that_verify_trades_for_tokens() {
    let server = TestServer::start().await;
    let (status, body) = register(&server, "Ana@Example.com").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({ "status": "otp_sent" }));
    let (email, code) = server.next_otp().await;
    assert_eq!(email, "ana@example.com");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "code {code:?}");

    let response = verify(&server, "ana@example.com", &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let pair: Value = response.json().await.expect("JSON");
    assert_token_pair(&pair);
    assert!(works(&server, &str_field(&pair, "access_token")).await);

    // A code logs in once.
    let response = verify(&server, "ana@example.com", &code).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_wrong_codes_kill_the_code() {
    let server = TestServer::start().await;
    let clock = limiter_clock(&server);
    let (status, _) = register(&server, "bo@example.com").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, code) = server.next_otp().await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for i in 0..5 {
        let response = verify(&server, "bo@example.com", wrong).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "wrong code {i}");
    }
    // The failure limiter may lock this client for a moment first; wait that out, so what
    // is tested is the code's own death, not the lock.
    let mut response = verify(&server, "bo@example.com", &code).await;
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        let wait: u64 = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("a Retry-After with the 429");
        clock.advance(Duration::from_secs(wait));
        response = verify(&server, "bo@example.com", &code).await;
    }
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.expect("JSON");
    assert_error(StatusCode::UNAUTHORIZED, &body, StatusCode::UNAUTHORIZED);
    assert!(body.get("access_token").is_none());
}

#[tokio::test]
async fn an_expired_code_is_401_otp_expired() {
    let server = TestServer::start().await;
    let (status, _) = register(&server, "cy@example.com").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, code) = server.next_otp().await;

    // Five minutes cannot be waited for; age the code in the file instead.
    let db = server.open_db().await;
    let aged = sqlx::query("UPDATE otp_codes SET expires_at = ? WHERE email = ?")
        .bind(chrono::Utc::now().timestamp_millis() - 1_000)
        .bind("cy@example.com")
        .execute(&db)
        .await
        .expect("the code row is updated");
    assert_eq!(aged.rows_affected(), 1);
    db.close().await;

    let response = verify(&server, "cy@example.com", &code).await;
    let status = response.status();
    let body: Value = response.json().await.expect("JSON");
    assert_error_code(status, &body, StatusCode::UNAUTHORIZED, "otp_expired");
}

#[tokio::test]
async fn register_with_a_bad_email_is_422_naming_email() {
    let server = TestServer::start().await;
    for bad in ["", "no-at-sign", "two@@example.com", "ana@localhost", "sp ace@example.com"] {
        let (status, body) = register(&server, bad).await;
        assert_invalid_field(status, &body, "email");
        assert_eq!(body["errors"][0]["field"], "email", "{bad:?}: {body}");
    }
    // No code went anywhere for any of them.
    let (status, _) = register(&server, "ok@example.com").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(server.next_otp().await.0, "ok@example.com");
}
