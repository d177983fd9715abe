//! `/ws` with a real WebSocket client: authentication, an answer streaming over the socket,
//! approvals answered over the socket, and refusals. Which connection gets which frames of
//! an answer is in `ws_answers`.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::brain::FakeHost;
use crate::common::{TestServer, send};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn connect(server: &TestServer, query: &str) -> Ws {
    let url = format!("ws://{}/ws{query}", server.addr);
    tokio_tungstenite::connect_async(url).await.expect("the socket opens").0
}

pub async fn send_frame(ws: &mut Ws, frame: Value) {
    ws.send(Message::Text(frame.to_string().into())).await.unwrap();
}

/// The next JSON frame whose type is `wanted`, within 10 s.
pub async fn next_of(ws: &mut Ws, wanted: &str) -> Value {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    if v["type"] == wanted {
                        return v;
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("the socket ended while waiting for {wanted}: {other:?}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {wanted} frame within 10 s"))
}

pub(crate) async fn close_code(ws: &mut Ws) -> u16 {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
                Some(Ok(_)) => {}
                other => panic!("no close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("closed within 10 s")
}

#[tokio::test]
async fn a_message_over_the_socket_streams_its_answer_and_creates_the_todo() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    send_frame(&mut ws, json!({"type": "send_message", "data": {"content": "add buy milk to my todo list"}}))
        .await;
    let start = next_of(&mut ws, "stream_start").await;
    let id = start["data"]["message_id"].clone();
    let chunk = next_of(&mut ws, "stream_chunk").await;
    assert_eq!(chunk["data"]["message_id"], id);
    assert!(chunk["data"]["content"].as_str().unwrap().contains("buy milk"));
    let card = next_of(&mut ws, "action_card").await;
    assert_eq!(card["data"]["card_type"], "todo_created");
    let end = next_of(&mut ws, "stream_end").await;
    assert_eq!(end["data"]["message_id"], id);
    assert_eq!(end["data"]["intent"], "create_todo");
    let todos = server.get_ok("/api/todos", &token).await;
    assert_eq!(todos["items"][0]["title"], "buy milk");
}

#[tokio::test]
async fn a_first_auth_frame_authenticates_and_ping_gets_pong() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, "").await;
    send_frame(&mut ws, json!({"type": "auth", "data": {"token": token}})).await;
    send_frame(&mut ws, json!({"type": "ping"})).await;
    assert_eq!(next_of(&mut ws, "pong").await["type"], "pong");
}

#[tokio::test]
async fn nothing_is_processed_before_authentication() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, "").await;
    send_frame(&mut ws, json!({"type": "send_message", "data": {"content": "add sneaky to my todo list"}}))
        .await;
    assert_eq!(close_code(&mut ws).await, 4401);
    assert_eq!(server.total("/api/todos", &token).await, 0);
    let mut ws = connect(&server, "").await;
    send_frame(&mut ws, json!({"type": "auth", "data": {"token": "not-a-token"}})).await;
    assert_eq!(close_code(&mut ws).await, 4401);
}

#[tokio::test]
async fn a_bad_token_or_a_foreign_origin_is_refused_before_the_upgrade() {
    let server = TestServer::start().await;
    let err =
        tokio_tungstenite::connect_async(format!("ws://{}/ws?token=garbage", server.addr)).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = err else { panic!("{err:?}") };
    assert_eq!(response.status(), 401);

    let token = server.token().await;
    let mut request = format!("ws://{}/ws?token={token}", server.addr).into_client_request().unwrap();
    request.headers_mut().insert("origin", HeaderValue::from_static("https://evil.example"));
    let err = tokio_tungstenite::connect_async(request).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = err else { panic!("{err:?}") };
    assert_eq!(response.status(), 403, "a web page elsewhere cannot drive the local server");

    let mut request = format!("ws://{}/ws?token={token}", server.addr).into_client_request().unwrap();
    let own = format!("http://localhost:{}", server.addr.port());
    request.headers_mut().insert("origin", HeaderValue::from_str(&own).unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_ok(), "the app's own origin is welcome");
}

#[tokio::test]
async fn every_connection_of_the_user_hears_that_todos_changed() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut desktop = connect(&server, &format!("?token={token}")).await;
    let mut phone = connect(&server, &format!("?token={token}")).await;
    // Both are subscribed once a ping round trip has completed on each.
    for ws in [&mut desktop, &mut phone] {
        send_frame(ws, json!({"type": "ping"})).await;
        next_of(ws, "pong").await;
    }
    server.create("/api/todos", &token, json!({"title": "from REST"})).await;
    for ws in [&mut desktop, &mut phone] {
        let changed = next_of(ws, "module_data_changed").await;
        assert_eq!(changed["data"]["module"], "todos");
    }
}

#[tokio::test]
async fn an_approval_is_asked_and_answered_over_the_socket() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let host = Arc::new(FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(host.clone()));
    let mut ws = connect(&server, &format!("?token={token}")).await;
    send_frame(&mut ws, json!({"type": "send_message", "data": {"content": "run ls -la"}})).await;
    let request = next_of(&mut ws, "task:approval_request").await;
    assert_eq!(request["data"]["reason"], "Run this command on your computer: ls -la");
    let task_id = request["data"]["task"]["task"]["task_id"].clone();
    send_frame(&mut ws, json!({"type": "task:approve", "data": {"task_id": task_id}})).await;
    loop {
        let update = next_of(&mut ws, "task:update").await;
        if update["data"]["task_id"] == task_id && update["data"]["status"] == "done" {
            break;
        }
    }
    assert_eq!(host.ran.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_bad_frame_gets_an_error_and_the_connection_stays_up() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    ws.send(Message::Text("{not json".into())).await.unwrap();
    let error = next_of(&mut ws, "error").await;
    assert_eq!(error["data"]["code"], "bad_frame");
    send_frame(&mut ws, json!({"type": "send_message", "data": {"content": 42}})).await;
    assert_eq!(next_of(&mut ws, "error").await["data"]["code"], "bad_frame");
    send_frame(&mut ws, json!({"type": "ping"})).await;
    next_of(&mut ws, "pong").await;
    // An oversized frame closes the connection rather than being read.
    let huge = "x".repeat(200 * 1024);
    let _ = ws.send(Message::Text(huge.into())).await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .unwrap_or(false);
    assert!(ended, "the oversized frame ended the connection");
    let (status, _) = send(server.get("/api/health", &token)).await;
    assert_eq!(status, 200, "the server is fine");
}

#[tokio::test]
async fn logging_out_closes_the_logins_sockets() {
    let server = TestServer::start_with(crate::common::Options {
        extra_args: vec!["--ws-heartbeat".into(), "1".into()],
        ..crate::common::Options::default()
    })
    .await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    send_frame(&mut ws, json!({"type": "ping"})).await;
    next_of(&mut ws, "pong").await;
    let (status, _) = send(server.post("/api/auth/logout", &token)).await;
    assert_eq!(status, 204);
    assert_eq!(close_code(&mut ws).await, 4401);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_and_the_others_get_everything() {
    use clawchat_server::bus::ServerEvent;
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut slow = connect(&server, &format!("?token={token}")).await;
    let mut fast = connect(&server, &format!("?token={token}")).await;
    for ws in [&mut slow, &mut fast] {
        send_frame(ws, json!({"type": "ping"})).await;
        next_of(ws, "pong").await;
    }
    // 4,000 frames of 16 KB: far more than the slow client's socket buffers and queue hold.
    // Notifications, as every connection gets them (an answer's chunks go to its asker).
    let bus = server.state.bus.clone();
    let producer = tokio::spawn(async move {
        let content = "x".repeat(16 * 1024);
        for i in 0..4_000u32 {
            bus.publish(ServerEvent::Notification {
                title: "load".into(),
                body: content.clone(),
                kind: "load".into(),
                ref_id: Some(i.to_string()),
                conversation_id: None,
            });
            if i % 50 == 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
    let mut received = 0u32;
    while received < 4_000 {
        let frame = next_of(&mut fast, "notification").await;
        assert_eq!(frame["data"]["ref_id"], received.to_string(), "the fast client misses nothing, in order");
        received += 1;
    }
    producer.await.unwrap();
    assert_eq!(close_code(&mut slow).await, 4429, "the slow client is told why it was dropped");
}

#[tokio::test]
async fn a_client_that_drops_mid_answer_catches_up_with_after() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    send_frame(&mut ws, json!({"type": "send_message", "data": {"content": "remind me to renew the passport friday at 10am"}}))
        .await;
    let start = next_of(&mut ws, "stream_start").await;
    let conversation = start["data"]["conversation_id"].as_str().unwrap().to_owned();
    let reply = start["data"]["message_id"].as_str().unwrap().to_owned();
    // Gone before the answer ends.
    drop(ws);

    // Back online: what came after the last message it had (the user's own) is all there,
    // stored once, whatever the socket missed.
    let path = format!("/api/chat/conversations/{conversation}/messages");
    let mut seen = Value::Null;
    for _ in 0..100 {
        seen = server.get_ok(&path, &token).await;
        if seen["total"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen["total"], 2, "{seen}");
    let user_message = seen["items"][0]["id"].as_str().unwrap().to_owned();
    let after = server.get_ok(&format!("{path}?after={user_message}"), &token).await;
    assert_eq!(after["total"], 1);
    assert_eq!(after["items"][0]["id"], reply.as_str());
    assert_eq!(after["items"][0]["role"], "assistant");
    assert_eq!(after["items"][0]["action_cards"][0]["card_type"], "todo_created");
    assert_eq!(server.total("/api/todos", &token).await, 1);
}
