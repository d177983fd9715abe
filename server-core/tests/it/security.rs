//! Attacks from outside, each against the real server: forged tokens of every kind on
//! every door (REST, `/ws`, Socket.IO), guessing codes, pages on other sites reaching the
//! local server (DNS rebinding, cross-site WebSocket), the listener's address, oversized
//! frames, and secrets leaking into logs or error bodies. What `guard.rs`, `auth.rs` and
//! `ws.rs` already prove is not repeated here.

use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clawchat_server::auth::{AUDIENCE, Claims, OWNER};
use futures::{SinkExt as _, StreamExt as _};
use hmac::{Hmac, Mac as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::binary::Binary;
use crate::common::{PIN, SECRET, TestServer, assert_error, assert_error_code, send, str_field};

fn claims(exp_in: i64, aud: &str) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims { sub: OWNER.into(), aud: aud.into(), iat: now, exp: now + exp_in, sid: "forged".into() }
}

/// A token with any header, its signature an HMAC-SHA256 of our secret: what an attacker
/// who learned the secret's *role* but not the rules would try.
fn hmac_token(header: &Value, claims: &Claims) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// Every forged token worth trying, by name. None may open anything.
fn forged_tokens() -> Vec<(&'static str, String)> {
    let good = claims(600, AUDIENCE);
    let unsigned = |alg: &str| {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string()),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).unwrap())
        )
    };
    let other_hmac = |alg: Algorithm| {
        jsonwebtoken::encode(&Header::new(alg), &good, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
    };
    vec![
        ("alg none", unsigned("none")),
        ("alg None", unsigned("None")),
        ("alg NONE", unsigned("NONE")),
        ("HS384 with our secret", other_hmac(Algorithm::HS384)),
        ("HS512 with our secret", other_hmac(Algorithm::HS512)),
        // Algorithm confusion: a public-key algorithm, "verified" with the secret as its key.
        ("RS256 signed as HMAC", hmac_token(&json!({"alg": "RS256", "typ": "JWT"}), &good)),
        ("ES256 signed as HMAC", hmac_token(&json!({"alg": "ES256", "typ": "JWT"}), &good)),
        ("EdDSA signed as HMAC", hmac_token(&json!({"alg": "EdDSA", "typ": "JWT"}), &good)),
        (
            "a key URL in the header",
            hmac_token(
                &json!({"alg": "HS256", "jku": "https://evil.invalid/keys", "kid": "x"}),
                &claims(600, "x"),
            ),
        ),
        (
            "expired",
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                &claims(-600, AUDIENCE),
                &EncodingKey::from_secret(SECRET.as_bytes()),
            )
            .unwrap(),
        ),
        (
            "another audience",
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                &claims(600, "another-app"),
                &EncodingKey::from_secret(SECRET.as_bytes()),
            )
            .unwrap(),
        ),
    ]
}

/// A minimal Engine.IO v4 long-polling client: opens a connection, sends the Socket.IO
/// CONNECT with `auth`, and returns the server's answer packet (`40…` or `44…`), or the
/// HTTP refusal before any connection.
async fn socketio_connect(
    server: &TestServer,
    headers: &[(&str, &str)],
    auth: &Value,
) -> Result<String, (StatusCode, Value)> {
    let with = |mut r: reqwest::RequestBuilder| {
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r
    };
    let open = with(server.request(reqwest::Method::GET, "/socket.io/?EIO=4&transport=polling"))
        .send()
        .await
        .unwrap();
    let status = open.status();
    let text = open.text().await.unwrap();
    if status != StatusCode::OK {
        return Err((status, serde_json::from_str(&text).unwrap_or(Value::String(text))));
    }
    let handshake: Value = serde_json::from_str(text.strip_prefix('0').expect("an OPEN packet")).unwrap();
    let sid = str_field(&handshake, "sid");
    let path = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    let posted =
        with(server.request(reqwest::Method::POST, &path)).body(format!("40{auth}")).send().await.unwrap();
    assert_eq!(posted.status(), StatusCode::OK);
    // The namespace's answer may come after other packets (an Engine.IO ping, "2", which
    // is answered with a pong, "3"): poll until it arrives. Packets in one poll are
    // separated by the record separator.
    let mut seen = Vec::new();
    for _ in 0..10 {
        let answer =
            with(server.request(reqwest::Method::GET, &path)).send().await.unwrap().text().await.unwrap();
        if let Some(packet) = answer.split('\u{1e}').find(|p| p.starts_with("40") || p.starts_with("44")) {
            return Ok(packet.to_owned());
        }
        if answer.split('\u{1e}').any(|p| p == "2") {
            with(server.request(reqwest::Method::POST, &path)).body("3").send().await.unwrap();
        }
        seen.push(answer);
    }
    Ok(seen.join(" | "))
}

#[tokio::test]
async fn forged_tokens_open_no_door_rest_ws_or_socketio() {
    let server = TestServer::start().await;
    for (what, token) in forged_tokens() {
        let (status, body) = send(server.get("/api/todos", &token)).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED);

        // `/ws` with the token in the query: refused before the upgrade.
        let err = tokio_tungstenite::connect_async(format!("ws://{}/ws?token={token}", server.addr))
            .await
            .map(|_| ())
            .expect_err(what);
        let tokio_tungstenite::tungstenite::Error::Http(response) = err else { panic!("{what}: {err:?}") };
        assert_eq!(response.status(), 401, "{what} on /ws");

        // `/ws` with the token in the first frame: closed with 4401, nothing processed.
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", server.addr)).await.unwrap();
        ws.send(Message::text(json!({"type": "auth", "data": {"token": token}}).to_string())).await.unwrap();
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(m) = ws.next().await {
                match m {
                    Ok(Message::Close(Some(frame))) => return u16::from(frame.code),
                    Ok(Message::Text(t)) => panic!("{what}: the socket answered {t}"),
                    Ok(_) => {}
                    Err(_) => return 0,
                }
            }
            0
        })
        .await
        .expect("closed within 10 s");
        assert_eq!(closed, clawchat_server::realtime::close::UNAUTHORIZED, "{what} in an auth frame");

        // Socket.IO: a connect_error, never a CONNECT.
        let answer =
            socketio_connect(&server, &[], &json!({"token": token})).await.expect("an Engine.IO connection");
        assert!(answer.starts_with("44"), "{what} on Socket.IO: {answer}");
    }
    // Nothing was done with any of them.
    let token = server.token().await;
    assert_eq!(server.total("/api/todos", &token).await, 0);
    // And the real thing works on Socket.IO, so the refusals above mean something.
    let answer =
        socketio_connect(&server, &[], &json!({"token": token})).await.expect("an Engine.IO connection");
    assert!(answer.starts_with("40"), "{answer}");
}

#[tokio::test]
async fn guessing_one_time_codes_meets_429_and_the_right_code_does_not_slip_through() {
    let server = TestServer::start().await;
    let email = "guess@example.com";
    let (status, _) =
        send(server.request(reqwest::Method::POST, "/api/auth/register").json(&json!({"email": email})))
            .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, code) = server.next_otp().await;
    let mut locked = None;
    for guess in 0..20u32 {
        let wrong = format!("{:06}", (guess * 7919 + 13) % 1_000_000);
        if wrong == code {
            continue;
        }
        let response = server
            .request(reqwest::Method::POST, "/api/auth/verify-otp")
            .json(&json!({"email": email, "otp": wrong}))
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry =
                response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
            assert!(
                retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)),
                "a Retry-After in seconds"
            );
            locked = Some(guess);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "guess {guess}");
    }
    let locked = locked.expect("guessing meets 429 within 20 tries");
    assert!(locked <= 6, "locked after {locked} guesses");
    // While locked, even the right code gets 429: the lock answers before the code is looked at.
    let (status, body) = send(
        server
            .request(reqwest::Method::POST, "/api/auth/verify-otp")
            .json(&json!({"email": email, "otp": code})),
    )
    .await;
    assert_error_code(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    assert!(body.get("access_token").is_none());
}

#[tokio::test]
async fn a_forwarded_for_header_does_not_buy_more_pin_guesses() {
    let server = TestServer::start().await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let (status, _) = send(
            server
                .request(reqwest::Method::POST, "/api/auth/login")
                .header("X-Forwarded-For", format!("203.0.113.{i}"))
                .header("X-Real-IP", format!("198.51.100.{i}"))
                .header("Forwarded", format!("for=192.0.2.{i}"))
                .json(&json!({"pin": "999999"})),
        )
        .await;
        statuses.push(status);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "claimed addresses reset nothing: {statuses:?}"
    );
    let (status, _) =
        send(server.request(reqwest::Method::POST, "/api/auth/login").json(&json!({"pin": PIN}))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the right PIN waits out the lock too");
}

#[tokio::test]
async fn a_foreign_host_is_refused_on_ws_and_socketio() {
    // DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 sends
    // `Host: evil.example`. Neither socket may answer it.
    let server = TestServer::start().await;
    let token = server.token().await;
    for host in ["evil.example", "evil.example:80", "localhost.evil.example"] {
        let mut request = format!("ws://{}/ws?token={token}", server.addr).into_client_request().unwrap();
        request.headers_mut().insert("host", HeaderValue::from_str(host).unwrap());
        let err = tokio_tungstenite::connect_async(request).await.map(|_| ()).expect_err(host);
        let tokio_tungstenite::tungstenite::Error::Http(response) = err else { panic!("{err:?}") };
        assert_eq!(response.status(), 403, "/ws for Host {host}");

        let refused = socketio_connect(&server, &[("Host", host)], &json!({"token": token})).await;
        let (status, body) = refused.expect_err("no Engine.IO connection for a foreign Host");
        assert_error_code(status, &body, StatusCode::FORBIDDEN, "host_not_allowed");

        let mut request = format!("ws://{}/socket.io/?EIO=4&transport=websocket", server.addr)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert("host", HeaderValue::from_str(host).unwrap());
        let err = tokio_tungstenite::connect_async(request).await.map(|_| ()).expect_err(host);
        let tokio_tungstenite::tungstenite::Error::Http(response) = err else { panic!("{err:?}") };
        assert_eq!(response.status(), 403, "/socket.io/ websocket for Host {host}");
    }
}

#[tokio::test]
async fn a_page_on_another_site_cannot_open_socketio() {
    // Cross-site WebSocket hijacking: the browser attaches `Origin: https://evil.example`,
    // and a token the page got somehow does not help it.
    let server = TestServer::start().await;
    let token = server.token().await;
    for origin in ["https://evil.example", "http://localhost.evil.example", "null", "file://"] {
        let answer = socketio_connect(&server, &[("Origin", origin)], &json!({"token": token}))
            .await
            .expect("an Engine.IO connection");
        assert!(answer.starts_with("44") && answer.contains("origin_not_allowed"), "{origin}: {answer}");

        let mut request = format!("ws://{}/socket.io/?EIO=4&transport=websocket", server.addr)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert("origin", HeaderValue::from_str(origin).unwrap());
        if let Ok((mut ws, _)) = tokio_tungstenite::connect_async(request).await {
            // The transport may open; the namespace must refuse the CONNECT.
            ws.send(Message::text(format!("40{}", json!({"token": token})))).await.unwrap();
            let answer = tokio::time::timeout(Duration::from_secs(10), async {
                while let Some(Ok(m)) = ws.next().await {
                    if let Message::Text(t) = m {
                        if t.starts_with("40") || t.starts_with("44") {
                            return t.to_string();
                        }
                    }
                }
                String::new()
            })
            .await
            .expect("an answer within 10 s");
            assert!(answer.starts_with("44"), "{origin} over the websocket transport: {answer}");
        }
        // `/ws` refuses it too (ws.rs checks one origin; these are the odd ones).
        let mut request = format!("ws://{}/ws?token={token}", server.addr).into_client_request().unwrap();
        request.headers_mut().insert("origin", HeaderValue::from_str(origin).unwrap());
        let err = tokio_tungstenite::connect_async(request).await.map(|_| ()).expect_err(origin);
        let tokio_tungstenite::tungstenite::Error::Http(response) = err else { panic!("{err:?}") };
        assert_eq!(response.status(), 403, "/ws for Origin {origin}");
    }
    let own = format!("http://localhost:{}", server.addr.port());
    let answer = socketio_connect(&server, &[("Origin", &own)], &json!({"token": token})).await.unwrap();
    assert!(answer.starts_with("40"), "the app's own page connects: {answer}");
}

#[tokio::test]
async fn an_oversized_ws_frame_closes_the_socket_and_stores_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/ws?token={token}", server.addr)).await.unwrap();
    let huge = "x".repeat(clawchat_server::realtime::MAX_FRAME + 1);
    let frame = json!({"type": "send_message", "data": {"content": huge}}).to_string();
    // The server may close while the frame is still going out.
    let _ = ws.send(Message::text(frame)).await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    })
    .await
    .expect("the socket ends within 10 s");
    if let Some(code) = ended {
        assert_eq!(code, 1009, "closed as too big");
    }
    assert_eq!(server.total("/api/chat/conversations", &token).await, 0, "nothing of it was stored");
    // The server is fine.
    assert_eq!(server.total("/api/todos", &token).await, 0);
}

/// This machine's address on its network (no packet is sent), if it has one.
fn lan_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn by_default_the_server_listens_on_loopback_only() {
    let binary = Binary::start(&["--pin", PIN, "--ai-provider", "builtin"], &[]);
    let addr = binary.address().await;
    assert!(addr.ip().is_loopback(), "listening on {addr}");
    let health = reqwest::get(format!("http://{addr}/api/health")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    if let Some(lan) = lan_address() {
        let reached = TcpStream::connect_timeout(&SocketAddr::new(lan, addr.port()), Duration::from_secs(2));
        assert!(reached.is_err(), "the port answers on the network address {lan}");
    }
    binary.stop();
}

#[tokio::test]
async fn secrets_never_reach_the_log_or_an_error_body() {
    // A model service that answers 401 and echoes the Authorization header it got, as
    // some proxies do: the key must not travel on into our log or answers.
    use axum::Router;
    use axum::http::HeaderMap;
    use axum::routing::post;
    // The stand-in model refuses every call, echoing the key, and tells the test it did.
    let (asked_tx, mut asked) = tokio::sync::mpsc::unbounded_channel::<String>();
    let app = Router::new().route(
        "/v1/chat/completions",
        post(|headers: HeaderMap| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let _ = asked_tx.send(auth.clone());
            (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": {"message": format!("bad key {auth}")}})))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let model = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let pin = "731902";
    let secret = "log-scan-secret-5f2b9c7e1d3a4b6c8e0f";
    let api_key = "sk-live-logscan-0123456789abcdef";
    let binary = Binary::start(
        &[
            "--pin",
            pin,
            "--jwt-secret",
            secret,
            "--ai-provider",
            "openai",
            "--ai-base-url",
            &model,
            "--ai-api-key",
            api_key,
            "--debug",
            "true",
        ],
        &[("RUST_LOG", "trace")],
    );
    let addr = binary.address().await;
    let client = reqwest::Client::new();
    let url = |p: &str| format!("http://{addr}{p}");
    let mut bodies = Vec::new();
    let mut post = async |path: &str, auth: Option<&str>, body: Value| -> Value {
        let mut request = client.post(url(path)).json(&body);
        if let Some(token) = auth {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let text = response.text().await.unwrap();
        bodies.push((path.to_owned(), text.clone()));
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };

    // A wrong PIN (close to the real one), the real one, a refresh, a refresh replayed.
    post("/api/auth/login", None, json!({"pin": "731903"})).await;
    let pair = post("/api/auth/login", None, json!({"pin": pin})).await;
    let access = str_field(&pair, "access_token");
    let refresh = str_field(&pair, "refresh_token");
    let renewed = post("/api/auth/refresh", None, json!({"refresh_token": refresh})).await;
    let access2 = str_field(&renewed, "access_token");
    let refresh2 = str_field(&renewed, "refresh_token");
    post("/api/auth/refresh", None, json!({"refresh_token": refresh})).await;
    // A one-time code, sent to the console (no mail server here), then a wrong one.
    post("/api/auth/register", None, json!({"email": "scan@example.com"})).await;
    let mut code = None;
    for _ in 0..100 {
        if let Some(rest) = binary.stdout().split("sign-in code for scan@example.com: ").nth(1) {
            code = Some(rest[..6].to_owned());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("the code reached the console");
    post("/api/auth/verify-otp", None, json!({"email": "scan@example.com", "otp": "000001"})).await;
    // A message the model (with the key) fails to answer, watched over /ws to its end; a
    // garbage bearer; a bad body.
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/ws?token={access2}")).await.unwrap();
    post("/api/chat/send", Some(&access2), json!({"content": "remind me to water the plants"})).await;
    post("/api/todos", Some(&format!("{access}x")), json!({"title": "x"})).await;
    post("/api/todos", Some(&access2), json!({"title": 5, "pin": pin})).await;
    let settled = client.get(url("/api/chat/conversations")).bearer_auth(&access2).send().await.unwrap();
    assert_eq!(settled.status(), StatusCode::OK);
    // The model was asked with the key and refused, and the answer still ended: the failure
    // has been met (and logged) before the log is read.
    let wait = Duration::from_secs(20);
    let key_sent = tokio::time::timeout(wait, asked.recv()).await.expect("the model was asked in time");
    assert_eq!(key_sent.as_deref(), Some(format!("Bearer {api_key}").as_str()));
    let ended = tokio::time::timeout(wait, async {
        while let Some(Ok(frame)) = ws.next().await {
            let frame: Value =
                frame.to_text().ok().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default();
            if frame["type"] == "stream_end" {
                return Some(frame);
            }
        }
        None
    })
    .await
    .expect("the answer ended in time")
    .expect("a stream_end frame");
    assert!(!ended["data"]["full_content"].as_str().unwrap_or("").is_empty(), "{ended}");

    let (stdout, stderr) = binary.stop();
    assert!(stderr.contains("ClawChat is listening"), "the log was captured: {stderr}");
    assert!(stderr.contains("DEBUG") || stderr.contains("TRACE"), "at debug level");
    // The refusal that carried the key was itself logged: the scan below reads the very
    // lines that could have leaked it, not a log cut short.
    assert!(stderr.contains("chat completion refused"), "the model's refusal is in the log: {stderr}");
    let secrets = [
        ("the PIN", pin.to_owned()),
        ("the token secret", secret.to_owned()),
        ("the model API key", api_key.to_owned()),
        ("an access token", access.clone()),
        ("a renewed access token", access2.clone()),
        ("a refresh token", refresh.clone()),
        ("a renewed refresh token", refresh2.clone()),
        ("the one-time code", code.clone()),
    ];
    for (what, value) in &secrets {
        assert!(!stderr.contains(value.as_str()), "{what} is in the log:\n{stderr}");
    }
    // The console shows the code (that is how it is delivered here) and nothing else secret.
    for (what, value) in &secrets[..secrets.len() - 1] {
        assert!(!stdout.contains(value.as_str()), "{what} is on the console:\n{stdout}");
    }
    for (path, body) in &bodies {
        // The login and refresh answers carry tokens by design; nothing else may.
        let allowed: &[&str] = match path.as_str() {
            "/api/auth/login" | "/api/auth/refresh" => &[&access, &refresh, &access2, &refresh2],
            _ => &[],
        };
        for (what, value) in &secrets {
            if !allowed.contains(&value.as_str()) {
                assert!(!body.contains(value.as_str()), "{what} is in the answer to {path}: {body}");
            }
        }
    }
}

#[tokio::test]
async fn the_store_keeps_no_secret_in_the_clear_and_the_secret_file_is_private() {
    // The server makes its own token secret here, in its data directory.
    let mut server =
        TestServer::start_with(crate::common::Options { jwt_secret: None, ..Default::default() }).await;
    let pair = server.login_pair().await;
    let refresh = str_field(&pair, "refresh_token");
    let (status, renewed) = send(
        server.request(reqwest::Method::POST, "/api/auth/refresh").json(&json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        server
            .request(reqwest::Method::POST, "/api/auth/register")
            .json(&json!({"email": "vault@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, code) = server.next_otp().await;
    let secrets = [
        ("the PIN", PIN.to_owned()),
        ("a refresh token", refresh.clone()),
        ("a renewed refresh token", str_field(&renewed, "refresh_token")),
        ("an access token", str_field(&renewed, "access_token")),
        ("the one-time code", code),
    ];
    server.stop().await;

    // Every text value of every table: none holds a secret, whole or in part.
    let db = server.open_db().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let mut scanned = 0;
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&db)
                .await
                .unwrap();
        for column in columns {
            let values: Vec<Vec<u8>> = sqlx::query_scalar(&format!(
                "SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\" WHERE typeof(\"{column}\") IN ('text', 'blob')"
            ))
            .fetch_all(&db)
            .await
            .unwrap();
            for bytes in values {
                scanned += 1;
                for (what, value) in &secrets {
                    let found = bytes.windows(value.len()).any(|w| w == value.as_bytes());
                    assert!(!found, "{what} is stored in {table}.{column}");
                }
            }
        }
    }
    assert!(scanned > 10, "the scan read the store ({scanned} values)");
    let pin_hash: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'auth.pin_hash'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(pin_hash.starts_with("$argon2"), "the PIN is kept as an Argon2 hash: {pin_hash}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let secret_file = server.db_path().with_file_name("jwt_secret");
        let mode = std::fs::metadata(&secret_file).expect("the secret file exists").permissions().mode();
        assert_eq!(mode & 0o077, 0, "only its owner may read the token secret: {mode:o}");
    }
}
