//! Devices by kind (browser for a PIN login, phone for a one-time code), their list and
//! revocation, and the rule that a phone's request never runs a host tool unasked.

use std::sync::Arc;

use clawchat_server::brain::types::TaskStatus;
use clawchat_server::bus::ServerEvent;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::brain::{FakeHost, say, wait_for};
use crate::common::{TestServer, send, str_field};

/// Pairs a phone through register and verify-otp; returns its access token.
async fn phone_token(server: &TestServer, email: &str) -> String {
    let (status, _) =
        send(server.request(Method::POST, "/api/auth/register").json(&json!({ "email": email }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, code) = server.next_otp().await;
    let (status, pair) = send(
        server.request(Method::POST, "/api/auth/verify-otp").json(&json!({ "email": email, "otp": code })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    str_field(&pair, "access_token")
}

#[tokio::test]
async fn devices_are_listed_by_kind_with_the_callers_own_marked() {
    let server = TestServer::start().await;
    let browser = server.token().await;
    let phone = phone_token(&server, "phone@example.com").await;

    let list = server.get_ok("/api/devices", &browser).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let by_kind = |kind: &str| items.iter().find(|d| d["kind"] == kind).cloned().unwrap();
    assert_eq!(by_kind("browser")["current"], true);
    assert_eq!(by_kind("phone")["current"], false);
    assert_eq!(by_kind("phone")["name"], "phone@example.com");
    for d in items {
        for field in ["id", "name", "created_at", "last_seen_at"] {
            assert!(d[field].is_string(), "{field} in {d}");
        }
    }
    let list = server.get_ok("/api/devices", &phone).await;
    let mine: Vec<&Value> =
        list["items"].as_array().unwrap().iter().filter(|d| d["current"] == true).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["kind"], "phone");
}

#[tokio::test]
async fn revoking_a_device_ends_its_tokens_and_drops_it_from_the_list() {
    let server = TestServer::start().await;
    let browser = server.token().await;
    let phone = phone_token(&server, "phone@example.com").await;
    let list = server.get_ok("/api/devices", &browser).await;
    let phone_id = list["items"].as_array().unwrap().iter().find(|d| d["kind"] == "phone").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, _) = send(server.get("/api/todos", &phone)).await;
    assert_eq!(status, StatusCode::OK);
    let response = server.delete(&format!("/api/devices/{phone_id}"), &browser).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = send(server.get("/api/todos", &phone)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the phone's token no longer works");
    let list = server.get_ok("/api/devices", &browser).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let (status, body) = send(server.delete(&format!("/api/devices/{phone_id}"), &browser)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");
    let (status, _) = send(server.delete("/api/devices/nope", &browser)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(server.request(Method::GET, "/api/devices")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_read_asked_from_a_phone_waits_for_the_yes_but_not_from_this_computer() {
    let server = TestServer::start().await;
    let browser = server.token().await;
    let phone = phone_token(&server, "phone@example.com").await;
    let host = Arc::new(FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(host.clone()));

    let mut rx = server.state.bus.subscribe();
    say(&server, &phone, "read ~/notes/ideas.txt").await;
    let request = wait_for(&mut rx, |e| matches!(e, ServerEvent::ApprovalRequest { .. })).await;
    let ServerEvent::ApprovalRequest { reason, .. } = request.as_ref() else { unreachable!() };
    assert_eq!(reason, "Read the file ~/notes/ideas.txt");
    assert!(host.ran.lock().unwrap().is_empty(), "nothing read before the yes");

    // The same words from a PIN-logged-in browser read at once.
    let mut rx = server.state.bus.subscribe();
    say(&server, &browser, "read ~/notes/ideas.txt").await;
    wait_for(&mut rx, |e| matches!(e, ServerEvent::TaskUpdate { status: TaskStatus::Done, .. })).await;
    assert_eq!(host.ran.lock().unwrap().len(), 1);
}

/// A client for the LAN listener that takes any certificate and reports the one it got,
/// so the test can compare it with the fingerprint Settings shows (as a user would).
fn lan_client() -> reqwest::Client {
    reqwest::Client::builder().danger_accept_invalid_certs(true).tls_info(true).build().unwrap()
}

async fn enable_lan(server: &TestServer, token: &str) -> Value {
    // The test listens on loopback: it never sends traffic to the machine's LAN address.
    server.state.lan.set_bind_ip(Some(std::net::IpAddr::from([127, 0, 0, 1])));
    let (status, lan) = send(server.post("/api/lan", token).json(&json!({ "enabled": true }))).await;
    assert_eq!(status, StatusCode::OK, "{lan}");
    lan
}

#[tokio::test]
async fn lan_mode_is_off_until_turned_on_then_serves_tls_with_the_fingerprint_shown() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let off = server.get_ok("/api/lan", &token).await;
    assert_eq!(
        off,
        json!({"enabled": false, "url": null, "fingerprint": null, "pairing_code": null, "qr_svg": null, "expires_at": null})
    );

    let lan = enable_lan(&server, &token).await;
    assert_eq!(lan["enabled"], true);
    let url = str_field(&lan, "url");
    assert!(url.starts_with("https://127.0.0.1:") && url.ends_with('/'), "{url}");
    let code = str_field(&lan, "pairing_code");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert!(str_field(&lan, "qr_svg").contains("<svg"), "a QR code as SVG");
    assert!(lan["expires_at"].is_string());

    let response = lan_client().get(format!("{url}api/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let info = response.extensions().get::<reqwest::tls::TlsInfo>().unwrap();
    let der = info.peer_certificate().unwrap();
    use sha2::Digest as _;
    let seen: Vec<String> = sha2::Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(seen.join(":"), str_field(&lan, "fingerprint"), "the certificate is the one Settings shows");

    // Turning it on again keeps the listener and its certificate, with a fresh code.
    let again = enable_lan(&server, &token).await;
    assert_eq!(again["url"], lan["url"]);
    assert_eq!(again["fingerprint"], lan["fingerprint"]);

    let (status, off) = send(server.post("/api/lan", &token).json(&json!({ "enabled": false }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(off["enabled"], false);
    assert!(lan_client().get(format!("{url}api/health")).send().await.is_err(), "nothing listens any more");

    let (status, body) = send(server.post("/api/lan", &token).json(&json!({ "enabled": "yes" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = send(server.request(Method::GET, "/api/lan")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_phone_pairs_once_with_the_code_over_the_lan_listener() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let lan = enable_lan(&server, &token).await;
    let url = str_field(&lan, "url");
    let code = str_field(&lan, "pairing_code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify = |otp: &str| {
        lan_client()
            .post(format!("{url}api/auth/verify-otp"))
            .json(&json!({ "email": "pairing", "otp": otp }))
            .send()
    };
    assert_eq!(verify(wrong).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let response = verify(&code).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let pair: Value = response.json().await.unwrap();
    let phone = str_field(&pair, "access_token");
    let me = server.get_ok("/api/devices", &phone).await;
    let current: Vec<&Value> =
        me["items"].as_array().unwrap().iter().filter(|d| d["current"] == true).collect();
    assert_eq!(current[0]["kind"], "phone");
    assert_eq!(verify(&code).await.unwrap().status(), StatusCode::UNAUTHORIZED, "the code works once");
    let shown = server.get_ok("/api/lan", &token).await;
    assert_eq!(shown["pairing_code"], Value::Null, "a used code is no longer shown");
}

#[tokio::test]
async fn five_wrong_pairing_codes_end_the_code() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let lan = enable_lan(&server, &token).await;
    let code = str_field(&lan, "pairing_code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        server.state.lan.redeem(wrong).unwrap_err();
    }
    assert!(server.state.lan.redeem(&code).is_err(), "the right code no longer works");
}
