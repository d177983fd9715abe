//! Which of a user's `/ws` connections get which frames of an answer: the connection that
//! asked gets every `stream_chunk`, in order; the others get none, and see the same answer
//! in its `stream_end`; every connection gets its start and its action cards, once.

use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{TestServer, assert_invalid_field, send};
use crate::ws::{Ws, close_code, connect, next_of, send_frame};

/// Every frame a connection gets up to and including the first `stream_end`, within 10 s.
async fn frames_until_end(ws: &mut Ws) -> Vec<Value> {
    let mut frames = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    let end = v["type"] == "stream_end";
                    frames.push(v);
                    if end {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("the socket ended before the answer did: {other:?}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no stream_end within 10 s; got {frames:?}"));
    frames
}

fn of_type<'a>(frames: &'a [Value], kind: &str) -> Vec<&'a Value> {
    frames.iter().filter(|f| f["type"] == kind).collect()
}

/// Both connections are on the hub once a ping round trip has completed on each.
async fn ready(sockets: [&mut Ws; 2]) {
    for ws in sockets {
        send_frame(ws, json!({"type": "ping"})).await;
        next_of(ws, "pong").await;
    }
}

/// What the asking and the other connection saw of one answer: the asker's chunks are
/// every one, in order, and make up the answer; the other got none, the same start, the
/// same `stream_end`, and the same action cards once. Returns the answer's text.
fn check_answer(asker: &[Value], other: &[Value]) -> String {
    let chunks = of_type(asker, "stream_chunk");
    assert!(!chunks.is_empty(), "the asker gets the answer's chunks: {asker:?}");
    for (i, chunk) in chunks.iter().enumerate() {
        assert_eq!(chunk["data"]["index"], i, "every chunk, in order: {chunks:?}");
    }
    let text: String = chunks.iter().map(|c| c["data"]["content"].as_str().unwrap()).collect();
    assert!(of_type(other, "stream_chunk").is_empty(), "the other connection gets no chunk: {other:?}");
    let (mine, theirs) = (of_type(asker, "stream_end"), of_type(other, "stream_end"));
    assert_eq!(mine[0]["data"]["full_content"], text.as_str());
    assert_eq!(theirs[0]["data"], mine[0]["data"], "the other connection gets the answer whole");
    assert_eq!(of_type(asker, "stream_start"), of_type(other, "stream_start"));
    let cards = of_type(asker, "action_card");
    assert_eq!(cards.len(), 1, "the card once: {asker:?}");
    assert_eq!(of_type(other, "action_card"), cards, "the other connection gets the card once");
    text
}

#[tokio::test]
async fn an_answers_chunks_go_to_the_asking_connection_alone() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut desktop = connect(&server, &format!("?token={token}")).await;
    let mut phone = connect(&server, &format!("?token={token}")).await;
    ready([&mut desktop, &mut phone]).await;
    let ask = json!({"type": "send_message", "data": {"content": "add buy milk to my todo list"}});
    send_frame(&mut desktop, ask).await;
    let (asker, other) = (frames_until_end(&mut desktop).await, frames_until_end(&mut phone).await);
    let text = check_answer(&asker, &other);
    assert!(text.contains("buy milk"), "{text}");
    assert_eq!(of_type(&other, "action_card")[0]["data"]["card_type"], "todo_created");

    // The phone asks next: now the desktop is the one without chunks.
    let ask = json!({"type": "send_message", "data": {"content": "add call the plumber to my todo list"}});
    send_frame(&mut phone, ask).await;
    let (asker, other) = (frames_until_end(&mut phone).await, frames_until_end(&mut desktop).await);
    assert!(check_answer(&asker, &other).contains("call the plumber"));
}

#[tokio::test]
async fn a_message_sent_over_rest_streams_to_the_connection_it_names() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut page = connect(&server, "").await;
    send_frame(&mut page, json!({"type": "auth", "data": {"token": token, "connection_id": "page-1"}})).await;
    let mut phone = connect(&server, &format!("?token={token}&connection_id=phone-1")).await;
    ready([&mut page, &mut phone]).await;
    let body = json!({"content": "add water the plants to my todo list", "connection_id": "page-1"});
    let (status, delivered) = send(server.post("/api/chat/send", &token).json(&body)).await;
    assert_eq!(status, 202, "{delivered}");
    let (asker, other) = (frames_until_end(&mut page).await, frames_until_end(&mut phone).await);
    assert!(check_answer(&asker, &other).contains("water the plants"));
    assert_eq!(of_type(&asker, "stream_end")[0]["data"]["message_id"], delivered["reply_id"]);

    // Naming no connection, no connection gets chunks; both get the answer whole.
    let body = json!({"content": "add feed the cat to my todo list"});
    let (status, _) = send(server.post("/api/chat/send", &token).json(&body)).await;
    assert_eq!(status, 202);
    for ws in [&mut page, &mut phone] {
        let frames = frames_until_end(ws).await;
        assert!(of_type(&frames, "stream_chunk").is_empty(), "{frames:?}");
        let end = &of_type(&frames, "stream_end")[0]["data"]["full_content"];
        assert!(end.as_str().unwrap().contains("feed the cat"), "{end}");
    }
}

#[tokio::test]
async fn a_connection_id_that_is_not_a_name_is_refused() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let long = "x".repeat(65);
    for bad in ["", "has space", long.as_str()] {
        let body = json!({"content": "add nothing to my todo list", "connection_id": bad});
        let (status, error) = send(server.post("/api/chat/send", &token).json(&body)).await;
        assert_invalid_field(status, &error, "connection_id");
    }
    assert_eq!(server.total("/api/todos", &token).await, 0, "nothing was stored or done");

    let mut ws = connect(&server, "").await;
    send_frame(&mut ws, json!({"type": "auth", "data": {"token": token, "connection_id": long}})).await;
    assert_eq!(close_code(&mut ws).await, 4401);
    let url = format!("ws://{}/ws?token={token}&connection_id={long}", server.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err(), "refused before the upgrade");
}
