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

// --- Sockets of a revoked device, and a phone's requests over Socket.IO.

/// A Socket.IO client on the WebSocket transport: the Engine.IO open, then the
/// namespace CONNECT with `token`, answered `40`.
async fn socketio(server: &TestServer, token: &str) -> crate::ws::Ws {
    use futures::SinkExt as _;
    use tokio_tungstenite::tungstenite::Message;
    let url = format!("ws://{}/socket.io/?EIO=4&transport=websocket", server.addr);
    let mut ws = tokio_tungstenite::connect_async(url).await.expect("the socket opens").0;
    let open = next_packet(&mut ws, |p| p.starts_with('0')).await;
    assert!(open.contains("\"sid\""), "{open}");
    ws.send(Message::text(format!("40{}", json!({ "token": token })))).await.unwrap();
    let connected = next_packet(&mut ws, |p| p.starts_with("40") || p.starts_with("44")).await;
    assert!(connected.starts_with("40"), "connected: {connected}");
    ws
}

/// The next Engine.IO packet `pick` wants, within 60 s (Engine.IO pings are answered on
/// the way). Panics when the socket ends first.
async fn next_packet(ws: &mut crate::ws::Ws, mut pick: impl FnMut(&str) -> bool) -> String {
    use futures::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) if text.as_str() == "2" => {
                    ws.send(Message::text("3")).await.unwrap();
                }
                Some(Ok(Message::Text(text))) if pick(text.as_str()) => return text.as_str().to_owned(),
                Some(Ok(_)) => {}
                other => panic!("the socket ended first: {other:?}"),
            }
        }
    })
    .await
    .expect("the packet came")
}

async fn device_id(server: &TestServer, token: &str, kind: &str) -> String {
    let list = server.get_ok("/api/devices", token).await;
    str_field(list["items"].as_array().unwrap().iter().find(|d| d["kind"] == kind).unwrap(), "id")
}

#[tokio::test]
async fn revoking_a_device_closes_its_sockets_at_once_and_no_others() {
    // Heartbeats (which also check the token) ten minutes apart: only the revocation
    // itself can close the socket within the wait.
    let server = TestServer::start_with(crate::common::Options {
        extra_args: vec!["--ws-heartbeat".into(), "600".into()],
        ..crate::common::Options::default()
    })
    .await;
    let desktop = clawchat_server::auth::desktop_login(&server.state.auth, &server.state.db)
        .await
        .unwrap()
        .access_token;
    let phone = phone_token(&server, "phone@example.com").await;
    let mut phone_ws = crate::ws::connect(&server, &format!("?token={phone}")).await;
    crate::ws::send_frame(&mut phone_ws, json!({"type": "ping"})).await;
    crate::ws::next_of(&mut phone_ws, "pong").await;
    let mut phone_io = socketio(&server, &phone).await;
    let mut desktop_ws = crate::ws::connect(&server, &format!("?token={desktop}")).await;

    let phone_id = device_id(&server, &desktop, "phone").await;
    let (status, _) = send(server.delete(&format!("/api/devices/{phone_id}"), &desktop)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    assert_eq!(crate::ws::close_code(&mut phone_ws).await, 4401, "the phone's /ws closes");
    let error = next_packet(&mut phone_io, |p| p.starts_with("42")).await;
    assert!(error.contains("\"error\"") && error.contains("token_revoked"), "{error}");
    let gone = next_packet(&mut phone_io, |p| p.starts_with("41")).await;
    assert_eq!(gone, "41", "the phone's Socket.IO client is disconnected");

    // The desktop's own socket stays up.
    crate::ws::send_frame(&mut desktop_ws, json!({"type": "ping"})).await;
    crate::ws::next_of(&mut desktop_ws, "pong").await;
    // The phone cannot come back with the same token.
    let url = format!("ws://{}/ws?token={phone}", server.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err(), "the revoked token opens no socket");
}

#[tokio::test]
async fn a_read_asked_from_a_phone_over_socketio_waits_for_the_yes() {
    use futures::SinkExt as _;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start().await;
    let browser = server.token().await;
    let phone = phone_token(&server, "phone@example.com").await;
    let host = Arc::new(FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(host.clone()));
    let ask =
        Message::text(format!("42{}", json!(["send-user-text-query", {"query": "read ~/notes/ideas.txt"}])));

    let mut rx = server.state.bus.subscribe();
    let mut phone_io = socketio(&server, &phone).await;
    phone_io.send(ask.clone()).await.unwrap();
    let request = wait_for(&mut rx, |e| matches!(e, ServerEvent::ApprovalRequest { .. })).await;
    let ServerEvent::ApprovalRequest { task, reason } = request.as_ref() else { unreachable!() };
    assert_eq!(reason, "Read the file ~/notes/ideas.txt");
    assert!(host.ran.lock().unwrap().is_empty(), "nothing read before the yes");
    assert!(
        server.state.brain.approvals.answer(&task.task.task_id, clawchat_server::brain::Approval::Approved)
    );
    wait_for(&mut rx, |e| matches!(e, ServerEvent::TaskUpdate { status: TaskStatus::Done, .. })).await;
    assert_eq!(host.ran.lock().unwrap().len(), 1, "read after the yes");

    // The same words from a browser's Socket.IO client read at once.
    let mut browser_io = socketio(&server, &browser).await;
    let mut rx = server.state.bus.subscribe();
    browser_io.send(ask).await.unwrap();
    let done = wait_for(&mut rx, |e| {
        matches!(
            e,
            ServerEvent::ApprovalRequest { .. } | ServerEvent::TaskUpdate { status: TaskStatus::Done, .. }
        )
    })
    .await;
    assert!(matches!(done.as_ref(), ServerEvent::TaskUpdate { .. }), "no approval asked: {done:?}");
    assert_eq!(host.ran.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn lan_mode_left_on_is_on_again_after_a_restart_and_left_off_stays_off() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let lan = enable_lan(&server, &token).await;
    assert_eq!(server.get_ok("/api/settings", &token).await["lan_enabled"], true);

    let server = server.restart().await;
    let token = server.token().await;
    let again = server.get_ok("/api/lan", &token).await;
    assert_eq!(again["enabled"], true, "{again}");
    assert_eq!(again["fingerprint"], lan["fingerprint"], "the same certificate");
    assert_eq!(again["pairing_code"], Value::Null, "no pairing code until one is asked for");
    assert_eq!(server.get_ok("/api/settings", &token).await["lan_enabled"], true);
    let url = str_field(&again, "url");
    let response = lan_client().get(format!("{url}api/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the LAN listener answers");
    // Asking again (Settings' "Show a pairing code") offers a code on the same listener.
    let (status, asked) = send(server.post("/api/lan", &token).json(&json!({ "enabled": true }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(str_field(&asked, "pairing_code").len(), 6, "{asked}");
    assert_eq!(asked["url"], again["url"], "the same listener");
    assert_eq!(asked["fingerprint"], lan["fingerprint"]);

    let (status, _) = send(server.post("/api/lan", &token).json(&json!({ "enabled": false }))).await;
    assert_eq!(status, StatusCode::OK);
    let server = server.restart().await;
    let token = server.token().await;
    assert_eq!(server.get_ok("/api/lan", &token).await["enabled"], false);
    assert_eq!(server.get_ok("/api/settings", &token).await["lan_enabled"], false);
    assert!(lan_client().get(format!("{url}api/health")).send().await.is_err(), "nothing listens");
}
/// The next mDNS event `pick` wants, within 60 s; `None` when none came.
async fn next_mdns<T: Send + 'static>(
    events: &mdns_sd::Receiver<mdns_sd::ServiceEvent>,
    pick: impl Fn(mdns_sd::ServiceEvent) -> Option<T> + Send + 'static,
) -> Option<T> {
    let events = events.clone();
    tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match events.recv_timeout(left) {
                Ok(event) => {
                    if let Some(found) = pick(event) {
                        return Some(found);
                    }
                }
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn lan_mode_is_announced_over_mdns_while_it_is_on() {
    use clawchat_server::lan::MDNS_SERVICE;
    use mdns_sd::ServiceEvent;
    let server = TestServer::start().await;
    let token = server.token().await;
    let browser = mdns_sd::ServiceDaemon::new().unwrap();
    let events = browser.browse(MDNS_SERVICE).unwrap();
    // On loopback, as every test here: mDNS answers on the interface of the address.
    let ip = std::net::IpAddr::from([127, 0, 0, 1]);
    let lan = enable_lan(&server, &token).await;
    let url = str_field(&lan, "url");
    let port: u16 = url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
    let fingerprint = str_field(&lan, "fingerprint");
    let wanted = fingerprint.clone();
    let found = next_mdns(&events, move |e| match e {
        ServiceEvent::ServiceResolved(s) if s.get_property_val_str("fp") == Some(wanted.as_str()) => Some(s),
        _ => None,
    })
    .await
    .expect("a browser on this computer finds the service");
    assert_eq!(found.get_port(), port, "the LAN listener's port");
    assert_eq!(found.get_property_val_str("proto"), Some("https"));
    assert!(
        found.get_addresses().iter().any(|a| a.to_ip_addr() == ip),
        "the listener's address {ip}: {:?}",
        found.get_addresses()
    );

    let (status, _) = send(server.post("/api/lan", &token).json(&json!({ "enabled": false }))).await;
    assert_eq!(status, StatusCode::OK);
    let name = found.get_fullname().to_owned();
    let removed = next_mdns(&events, move |e| match e {
        ServiceEvent::ServiceRemoved(_, fullname) if fullname == name => Some(()),
        _ => None,
    })
    .await;
    assert!(removed.is_some(), "turning LAN mode off withdraws the service");
    let _ = browser.shutdown();
}
