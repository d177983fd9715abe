//! Host tools run by a `/ws` connection that registered them: tasks go to that connection
//! alone, its `task:result` settles them, nobody else's does, and its leaving fails what
//! it still owed instead of leaving the plan hanging.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::brain::FakeHost;
use crate::common::TestServer;
use crate::ws::{Ws, connect, next_of, send_frame};

/// Registers `tools` on `ws` and waits until the registration holds: frames of one
/// connection are handled in order, so the `pong` after it means it is in place.
async fn register(ws: &mut Ws, tools: &[&str]) {
    send_frame(ws, json!({"type": "client:register", "data": {"tools": tools}})).await;
    send_frame(ws, json!({"type": "ping"})).await;
    next_of(ws, "pong").await;
}

/// Every frame until one of type `wanted` that `pick` accepts, that one last.
async fn frames_until(ws: &mut Ws, wanted: &str, mut pick: impl FnMut(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    let done = v["type"] == wanted && pick(&v);
                    seen.push(v);
                    if done {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("the socket ended while waiting for {wanted}: {other:?}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {wanted} frame within 10 s; saw {seen:?}"));
    seen
}

/// The tasks of the next `task:execute` or `task:batch` frame (the server may send
/// tasks ready together as one batch).
async fn next_tasks(ws: &mut Ws) -> Vec<Value> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let Some(Ok(Message::Text(text))) = ws.next().await else { panic!("the socket ended") };
            let v: Value = serde_json::from_str(&text).unwrap();
            match v["type"].as_str() {
                Some("task:execute") => return vec![v["data"].clone()],
                Some("task:batch") => return v["data"].as_array().unwrap().clone(),
                _ => {}
            }
        }
    })
    .await
    .expect("a task within 10 s")
}

/// The `task:update` that settles `task_id`, as `ws` hears it.
async fn settled(ws: &mut Ws, task_id: &Value) -> Value {
    let frames = frames_until(ws, "task:update", |v| {
        v["data"]["task_id"] == *task_id
            && !matches!(v["data"]["status"].as_str(), Some("running" | "pending"))
    })
    .await;
    frames.last().unwrap()["data"].clone()
}

async fn task_row(server: &TestServer, token: &str, task_id: &Value) -> Value {
    let tasks = server.get_ok("/api/tasks", token).await;
    tasks["items"].as_array().unwrap().iter().find(|t| t["task_id"] == *task_id).unwrap().clone()
}

#[tokio::test]
async fn a_registered_connection_runs_file_read_alone_and_the_memo_follows_from_its_result() {
    let server = TestServer::start().await;
    let token = server.token().await;
    // The desktop's own executor is there too; a registered connection comes first.
    let native = Arc::new(FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(native.clone()));
    let mut host = connect(&server, &format!("?token={token}")).await;
    let mut phone = connect(&server, &format!("?token={token}")).await;
    register(&mut host, &["file_read"]).await;

    send_frame(
        &mut phone,
        json!({"type": "send_message", "data": {"content": "read ~/notes/ideas.txt and save it as a memo"}}),
    )
    .await;
    let tasks = next_tasks(&mut host).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let task = &tasks[0];
    assert_eq!(task["task"]["tool"], "file_read");
    assert_eq!(task["task"]["inputs"]["path"], "~/notes/ideas.txt");
    let task_id = task["task"]["task_id"].clone();
    send_frame(
        &mut host,
        json!({"type": "task:result", "data": {"task_id": task_id, "result": {"path": "~/notes/ideas.txt", "content": "Walk the Camino."}}}),
    )
    .await;

    // The phone hears the plan through: the read done, the memo made from it.
    let heard = frames_until(&mut phone, "action_card", |v| v["data"]["card_type"] == "memo_created").await;
    assert!(
        heard.iter().any(|v| v["type"] == "task:update"
            && v["data"]["task_id"] == task_id
            && v["data"]["status"] == "done"),
        "{heard:?}"
    );
    assert!(!heard.iter().any(|v| v["type"] == "task:execute"), "only the host connection is sent the task");
    let memos = server.get_ok("/api/memos", &token).await;
    assert_eq!(memos["items"][0]["content"], "Walk the Camino.");
    assert!(native.ran.lock().unwrap().is_empty(), "the native executor was passed over");
    assert_eq!(task_row(&server, &token, &task_id).await["status"], "done");

    // Once the connection has left (the server answers the close after it has taken
    // the registration back), the native executor runs the tool again.
    host.close(None).await.unwrap();
    while host.next().await.is_some() {}
    send_frame(
        &mut phone,
        json!({"type": "send_message", "data": {"content": "read ~/notes/b.txt and save it as a memo"}}),
    )
    .await;
    frames_until(&mut phone, "action_card", |v| v["data"]["card_type"] == "memo_created").await;
    let ran = native.ran.lock().unwrap().clone();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].task.inputs["path"], "~/notes/b.txt");
}

#[tokio::test]
async fn a_write_tool_is_approved_before_the_connection_is_sent_it() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut host = connect(&server, &format!("?token={token}")).await;
    register(&mut host, &["file_create"]).await;
    send_frame(
        &mut host,
        json!({"type": "send_message", "data": {"content": "create a file ~/notes/todo.txt with hello world"}}),
    )
    .await;
    let before = frames_until(&mut host, "task:approval_request", |_| true).await;
    assert!(!before.iter().any(|v| v["type"] == "task:execute"), "nothing is sent before the yes");
    let request = before.last().unwrap();
    assert_eq!(request["data"]["reason"], "Create the file ~/notes/todo.txt");
    let task_id = request["data"]["task"]["task"]["task_id"].clone();
    // Still nothing sent while the question is open.
    send_frame(&mut host, json!({"type": "ping"})).await;
    let waiting = frames_until(&mut host, "pong", |_| true).await;
    assert!(!waiting.iter().any(|v| v["type"] == "task:execute"), "{waiting:?}");
    assert_eq!(task_row(&server, &token, &task_id).await["status"], "awaiting_approval");

    send_frame(&mut host, json!({"type": "task:approve", "data": {"task_id": task_id}})).await;
    let tasks = next_tasks(&mut host).await;
    assert_eq!(tasks[0]["task"]["task_id"], task_id);
    assert_eq!(tasks[0]["task"]["inputs"]["content"], "hello world");
    send_frame(
        &mut host,
        json!({"type": "task:result", "data": {"task_id": task_id, "result": {"path": "~/notes/todo.txt", "bytes": 11}}}),
    )
    .await;
    let update = settled(&mut host, &task_id).await;
    assert_eq!(update["status"], "done");
    assert_eq!(update["output"]["bytes"], 11);
}

#[tokio::test]
async fn a_result_from_a_connection_that_was_not_sent_the_task_is_refused_and_changes_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut host = connect(&server, &format!("?token={token}")).await;
    let mut other_host = connect(&server, &format!("?token={token}")).await;
    let mut bystander = connect(&server, &format!("?token={token}")).await;
    register(&mut other_host, &["open_app"]).await;
    register(&mut host, &["file_read"]).await;
    send_frame(
        &mut host,
        json!({"type": "send_message", "data": {"content": "read ~/notes/ideas.txt and save it as a memo"}}),
    )
    .await;
    let task_id = next_tasks(&mut host).await[0]["task"]["task_id"].clone();

    let forged =
        json!({"type": "task:result", "data": {"task_id": task_id, "result": {"content": "forged"}}});
    send_frame(&mut other_host, forged.clone()).await;
    let refused = next_of(&mut other_host, "error").await;
    assert_eq!(refused["data"]["code"], "no_such_task", "{refused}");
    send_frame(&mut bystander, forged).await;
    let refused = next_of(&mut bystander, "error").await;
    assert_eq!(refused["data"]["code"], "not_a_host", "{refused}");
    let row = task_row(&server, &token, &task_id).await;
    assert_eq!(row["status"], "running", "the task is untouched: {row}");
    assert_eq!(server.total("/api/memos", &token).await, 0);

    // The connection it was sent to still settles it, once.
    let real =
        json!({"type": "task:result", "data": {"task_id": task_id, "result": {"content": "the real notes"}}});
    send_frame(&mut host, real.clone()).await;
    assert_eq!(settled(&mut host, &task_id).await["status"], "done");
    send_frame(&mut host, real).await;
    // The memo's card may come before or after the refusal (the plan goes on while the
    // second answer travels), so every frame heard on the way to the refusal is kept.
    let heard = frames_until(&mut host, "error", |_| true).await;
    assert_eq!(heard.last().unwrap()["data"]["code"], "no_such_task", "a second answer is refused");
    let memo_card = |v: &Value| v["type"] == "action_card" && v["data"]["card_type"] == "memo_created";
    if !heard.iter().any(memo_card) {
        frames_until(&mut host, "action_card", |v| memo_card(v)).await;
    }
    let memos = server.get_ok("/api/memos", &token).await;
    assert_eq!(memos["items"][0]["content"], "the real notes");
}

#[tokio::test]
async fn an_executor_that_disconnects_mid_task_fails_it_with_a_reason_and_the_dependant_is_skipped() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut host = connect(&server, &format!("?token={token}")).await;
    let mut watcher = connect(&server, &format!("?token={token}")).await;
    register(&mut host, &["file_read"]).await;
    send_frame(
        &mut watcher,
        json!({"type": "send_message", "data": {"content": "read ~/notes/ideas.txt and save it as a memo"}}),
    )
    .await;
    let task_id = next_tasks(&mut host).await[0]["task"]["task_id"].clone();
    drop(host);

    // Far sooner than the engine's task timeout (60 s): the wait here is 10 s.
    let update = settled(&mut watcher, &task_id).await;
    assert_eq!(update["status"], "failed");
    assert!(update["error"].as_str().unwrap().contains("disconnected"), "{update}");
    let tasks = server.get_ok("/api/tasks", &token).await;
    let memo =
        tasks["items"].as_array().unwrap().iter().find(|t| t["tool"] == "create_memo").unwrap().clone();
    let memo = settled(&mut watcher, &memo["task_id"]).await;
    assert_eq!(memo["status"], "cancelled", "the memo that needed it is skipped: {memo}");
    assert_eq!(server.total("/api/memos", &token).await, 0);
}

#[tokio::test]
async fn registering_tools_that_are_not_host_tools_is_refused_and_registers_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut ws = connect(&server, &format!("?token={token}")).await;
    for tools in [json!(["create_todo"]), json!(["file_read", "launch_missiles"]), json!([])] {
        send_frame(&mut ws, json!({"type": "client:register", "data": {"tools": tools}})).await;
        let error = next_of(&mut ws, "error").await;
        assert_eq!(error["data"]["code"], "unknown_tool", "{tools}: {error}");
    }
    send_frame(&mut ws, json!({"type": "client:register", "data": {"tools": "file_read"}})).await;
    assert_eq!(next_of(&mut ws, "error").await["data"]["code"], "bad_frame");
    // Nothing runs file_read: the task fails saying so, and no task:execute came.
    send_frame(
        &mut ws,
        json!({"type": "send_message", "data": {"content": "read ~/notes/ideas.txt and save it as a memo"}}),
    )
    .await;
    let frames = frames_until(&mut ws, "task:update", |v| v["data"]["status"] == "failed").await;
    assert!(!frames.iter().any(|v| v["type"] == "task:execute"));
    let error = frames.last().unwrap()["data"]["error"].as_str().unwrap().to_owned();
    assert!(error.contains("no desktop app or client that runs it is connected"), "{error}");
}
