//! An action card's buttons pressed over `/ws` (`action_response`): each does what its
//! REST call does, the connection hears `action_result`, and what cannot be done is an
//! `error` frame saying why, with the connection still up.

use serde_json::{Value, json};

use crate::common::TestServer;
use crate::ws::{Ws, connect, next_of, send_frame};

/// Says `content` on the socket and returns the id of the answer that carries its cards.
async fn answer_with_cards(ws: &mut Ws, content: &str) -> String {
    send_frame(ws, json!({"type": "send_message", "data": {"content": content}})).await;
    let end = next_of(ws, "stream_end").await;
    end["data"]["message_id"].as_str().unwrap().to_owned()
}

async fn press(ws: &mut Ws, message_id: &str, action: &str, params: Value) -> Value {
    let frame = json!({"type": "action_response", "data": {"message_id": message_id, "action": action, "params": params}});
    send_frame(ws, frame).await;
    next_of_any(ws, &["action_result", "error"]).await
}

async fn next_of_any(ws: &mut Ws, wanted: &[&str]) -> Value {
    use futures::StreamExt as _;
    use tokio_tungstenite::tungstenite::Message;
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    if wanted.iter().any(|w| v["type"] == *w) {
                        return v;
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("the socket ended while waiting for {wanted:?}: {other:?}"),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("no {wanted:?} frame within 10 s"))
}

#[tokio::test]
async fn complete_open_and_undo_on_a_todo_card_work_over_the_socket_as_over_rest() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    let message = answer_with_cards(&mut ws, "add buy milk to my todo list").await;

    let done = press(&mut ws, &message, "complete", json!({})).await;
    assert_eq!(done["type"], "action_result", "{done}");
    assert_eq!(done["data"]["status"], 200);
    assert_eq!(done["data"]["body"]["status"], "completed");
    assert_eq!(server.total("/api/todos?status=completed", &token).await, 1);

    let opened = press(&mut ws, &message, "open", Value::Null).await;
    assert_eq!(opened["data"]["action"], "open");
    assert_eq!(opened["data"]["body"]["title"], "buy milk");

    let undone = press(&mut ws, &message, "undo", json!({})).await;
    assert_eq!(undone["type"], "action_result", "{undone}");
    assert_eq!(undone["data"]["status"], 204);
    assert_eq!(server.total("/api/todos", &token).await, 0, "undo removed the todo it made");

    // Pressed again, the todo is gone: the same answer REST gives, as an error frame.
    let again = press(&mut ws, &message, "undo", json!({})).await;
    assert_eq!(again["type"], "error");
    assert_eq!(again["data"]["code"], "not_found", "{again}");
}

#[tokio::test]
async fn a_memo_cards_undo_over_the_socket_removes_the_memo() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    let message = answer_with_cards(&mut ws, "save a memo: the wifi password is in the drawer").await;
    assert_eq!(server.total("/api/memos", &token).await, 1);
    let undone = press(&mut ws, &message, "undo", json!({})).await;
    assert_eq!(undone["type"], "action_result", "{undone}");
    assert_eq!(server.total("/api/memos", &token).await, 0);
}

#[tokio::test]
async fn an_unknown_message_or_an_action_the_card_lacks_is_an_error_and_the_socket_stays_up() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    let missing = press(&mut ws, "no-such-message", "undo", json!({})).await;
    assert_eq!(missing["data"]["code"], "no_such_message", "{missing}");

    let message = answer_with_cards(&mut ws, "add water the plants to my todo list").await;
    let lacking = press(&mut ws, &message, "launch", json!({})).await;
    assert_eq!(lacking["data"]["code"], "no_such_action", "{lacking}");
    assert!(lacking["data"]["detail"].as_str().unwrap().contains("undo"), "names what the card offers");
    let wrong_path = press(&mut ws, &message, "undo", json!({"path": "/api/todos/other"})).await;
    assert_eq!(wrong_path["data"]["code"], "no_such_action");
    assert_eq!(server.total("/api/todos", &token).await, 1, "nothing was changed");

    send_frame(&mut ws, json!({"type": "ping"})).await;
    next_of(&mut ws, "pong").await;
}
