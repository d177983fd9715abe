//! Only health, auth, and the docs are open; every other route wants a live access token,
//! and every way of faking one is refused in the contract's error shape.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clawchat_server::auth::{AUDIENCE, Claims, OWNER};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{SECRET, TestServer, assert_error, send};

/// One request to each protected route, with a body good enough to pass validation.
fn protected_routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/api/todos", None),
        (Method::POST, "/api/todos", Some(json!({ "title": "x" }))),
        (Method::GET, "/api/todos/someid", None),
        (Method::GET, "/api/events", None),
        (
            Method::POST,
            "/api/events",
            Some(json!({ "title": "x", "start_time": "2026-03-12T15:00:00-07:00" })),
        ),
        (Method::GET, "/api/memos", None),
        (Method::POST, "/api/memos", Some(json!({ "content": "x" }))),
        (Method::GET, "/api/search?q=milk", None),
        (Method::GET, "/api/today", None),
        (Method::GET, "/api/chat/conversations", None),
        (Method::POST, "/api/chat/conversations", Some(json!({ "title": "x" }))),
        (Method::POST, "/api/notifications/register-token", Some(json!({ "token": "push-token" }))),
        (Method::POST, "/api/chat/send", Some(json!({ "content": "hello" }))),
        (Method::POST, "/api/chat/stream", Some(json!({ "content": "hello" }))),
        (Method::POST, "/api/parse", Some(json!({ "text": "buy milk tomorrow" }))),
        (Method::POST, "/api/auth/logout", None),
    ]
}

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(exp_in: i64) -> Claims {
    let now = now_s();
    Claims {
        sub: OWNER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + exp_in,
        sid: "forged-login".into(),
    }
}

fn sign(claims: &Claims, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
        .expect("a signed token")
}

/// Asserts every protected route refuses `auth` (a full `Authorization` value, or none)
/// with 401 in the error shape.
async fn assert_all_refused(server: &TestServer, auth: Option<&str>, what: &str) {
    for (method, path, body) in protected_routes() {
        let mut request = server.request(method.clone(), path);
        if let Some(value) = auth {
            request = request.header("Authorization", value);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        let (status, answer) = send(request).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with {what} answered {status}: {answer}"
        );
        assert_error(status, &answer, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn health_is_public_and_names_the_version_and_model() {
    let server = TestServer::start().await;
    let (status, body) = send(server.request(Method::GET, "/api/health")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["ai_provider"], "builtin");
    assert_eq!(body["ai_model"], "test-model");
}

#[tokio::test]
async fn a_token_forged_with_the_right_secret_is_accepted() {
    // The control for the refusals below: the forging itself is sound, so each of them
    // fails for the one flaw it introduces.
    let server = TestServer::start().await;
    let token = sign(&claims(600), SECRET);
    for (method, path, body) in protected_routes() {
        if path == "/api/auth/logout" || path == "/api/todos/someid" {
            continue;
        }
        let mut request = server.request(method.clone(), path).bearer_auth(&token);
        if let Some(body) = &body {
            request = request.json(body);
        }
        let (status, answer) = send(request).await;
        assert!(status.is_success(), "{method} {path} with a good token answered {status}: {answer}");
    }
}

#[tokio::test]
async fn protected_routes_refuse_a_request_without_a_token() {
    let server = TestServer::start().await;
    assert_all_refused(&server, None, "no token").await;
    assert_all_refused(&server, Some("Bearer "), "an empty bearer").await;
    assert_all_refused(&server, Some("Basic b3duZXI6MjQ2ODEw"), "basic auth").await;
}

#[tokio::test]
async fn protected_routes_refuse_a_garbage_token() {
    let server = TestServer::start().await;
    assert_all_refused(&server, Some("Bearer not-a-jwt"), "garbage").await;
    assert_all_refused(&server, Some("Bearer a.b.c"), "three garbage parts").await;
}

#[tokio::test]
async fn protected_routes_refuse_an_expired_token() {
    let server = TestServer::start().await;
    let token = sign(&claims(-120), SECRET);
    assert_all_refused(&server, Some(&format!("Bearer {token}")), "an expired token").await;
    let (_, body) = send(server.get("/api/todos", &token)).await;
    assert_eq!(body["code"], "token_expired", "{body}");
}

#[tokio::test]
async fn protected_routes_refuse_a_token_with_a_tampered_signature() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (head, signature) = token.rsplit_once('.').expect("three parts");
    // Flip a character in the middle: the last one may only carry padding bits.
    let mut sig: Vec<char> = signature.chars().collect();
    let mid = sig.len() / 2;
    sig[mid] = if sig[mid] == 'A' { 'B' } else { 'A' };
    let tampered = format!("{head}.{}", sig.into_iter().collect::<String>());
    assert_ne!(tampered, token);
    assert_all_refused(&server, Some(&format!("Bearer {tampered}")), "a tampered signature").await;
}

#[tokio::test]
async fn protected_routes_refuse_a_token_with_a_tampered_payload() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64 payload"))
            .expect("JSON payload");
    payload["exp"] = json!(payload["exp"].as_i64().expect("exp") + 86_400 * 365);
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).expect("JSON"));
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_all_refused(&server, Some(&format!("Bearer {tampered}")), "a tampered payload").await;
}

#[tokio::test]
async fn protected_routes_refuse_an_unsigned_alg_none_token() {
    let server = TestServer::start().await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(600)).expect("JSON"));
    let token = format!("{header}.{payload}.");
    assert_all_refused(&server, Some(&format!("Bearer {token}")), "alg none").await;
}

#[tokio::test]
async fn protected_routes_refuse_a_token_for_another_audience() {
    let server = TestServer::start().await;
    let mut c = claims(600);
    c.aud = "some-other-app".into();
    let token = sign(&c, SECRET);
    assert_all_refused(&server, Some(&format!("Bearer {token}")), "a wrong audience").await;
}

#[tokio::test]
async fn protected_routes_refuse_a_token_signed_with_another_secret() {
    let server = TestServer::start().await;
    let token = sign(&claims(600), "another-secret-of-enough-length-0123456789");
    assert_all_refused(&server, Some(&format!("Bearer {token}")), "another secret").await;
}
