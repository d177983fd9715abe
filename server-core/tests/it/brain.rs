//! The assistant end to end: messages in, rows in the store, tasks that wait for a yes,
//! host tools fed into dependants, recovery after a restart, and the command line.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clawchat_server::brain::types::{Intent, TaskRecord, TaskStatus};
use clawchat_server::brain::{HostError, HostExecutor};
use clawchat_server::bus::{Module, ServerEvent};
use futures::future::BoxFuture;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::common::{TestServer, now_local, send, str_field};

/// Waits for an event the predicate picks, failing the test after 10 s.
pub async fn wait_for(
    rx: &mut broadcast::Receiver<Arc<ServerEvent>>,
    mut pick: impl FnMut(&ServerEvent) -> bool,
) -> Arc<ServerEvent> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match rx.recv().await {
                Ok(e) if pick(&e) => return e,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => panic!("the bus closed"),
            }
        }
    })
    .await
    .expect("the event arrives within 10 s")
}

/// Sends a message over `/api/chat/send` and waits for its answer's `stream_end`.
pub async fn say(server: &TestServer, token: &str, content: &str) -> (Value, String) {
    let mut rx = server.state.bus.subscribe();
    let (status, delivered) =
        send(server.post("/api/chat/send", token).json(&json!({ "content": content }))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{delivered}");
    let reply = str_field(&delivered, "reply_id");
    let end =
        wait_for(&mut rx, |e| matches!(e, ServerEvent::StreamEnd { message_id, .. } if *message_id == reply))
            .await;
    let ServerEvent::StreamEnd { full_content, .. } = end.as_ref() else { unreachable!() };
    (delivered, full_content.clone())
}

/// A host executor that answers `file_read` from memory and records every task it ran.
#[derive(Default)]
pub struct FakeHost {
    pub ran: Mutex<Vec<TaskRecord>>,
    /// What every file read returns; a note about a night train when empty.
    pub content: Mutex<String>,
}

impl HostExecutor for FakeHost {
    fn can_run(&self, _tool: Intent) -> bool {
        true
    }

    fn execute(&self, task: TaskRecord) -> BoxFuture<'static, Result<Value, HostError>> {
        self.ran.lock().unwrap().push(task.clone());
        let content = self.content.lock().unwrap().clone();
        let content = if content.is_empty() { "Ideas: a night train to Lisbon.".to_owned() } else { content };
        Box::pin(async move {
            match task.task.tool {
                Intent::FileRead => Ok(json!({"path": task.task.inputs["path"], "content": content})),
                Intent::FileCreate => Ok(json!({"path": task.task.inputs["path"], "bytes": 11})),
                other => Ok(json!({"ran": other})),
            }
        })
    }
}

fn is_final(task_id: &str, wanted: TaskStatus) -> impl FnMut(&ServerEvent) -> bool + '_ {
    move |e| matches!(e, ServerEvent::TaskUpdate { task_id: t, status, .. } if t == task_id && *status == wanted)
}

/// The id of the next task that waits for the user's yes.
async fn asked_first(rx: &mut broadcast::Receiver<Arc<ServerEvent>>) -> String {
    let request = wait_for(rx, |e| matches!(e, ServerEvent::ApprovalRequest { .. })).await;
    let ServerEvent::ApprovalRequest { task, .. } = request.as_ref() else { unreachable!() };
    task.task.task_id.clone()
}

/// Says yes to task `id` and returns its output once it is done.
async fn approve(
    server: &TestServer,
    token: &str,
    rx: &mut broadcast::Receiver<Arc<ServerEvent>>,
    id: &str,
) -> Value {
    send(server.post(&format!("/api/tasks/{id}/approve"), token)).await;
    let done = wait_for(rx, is_final(id, TaskStatus::Done)).await;
    let ServerEvent::TaskUpdate { output, .. } = done.as_ref() else { unreachable!() };
    output.clone().unwrap_or_default()
}

#[tokio::test]
async fn messages_create_a_todo_an_event_and_a_memo_in_the_store() {
    let server = TestServer::start().await;
    let token = server.token().await;

    let (_, answer) = say(&server, &token, "remind me to call the dentist tomorrow at 3pm").await;
    assert!(answer.starts_with("Added 'call the dentist' for tomorrow at 3:00 PM"), "{answer}");
    let (_, answer) = say(&server, &token, "schedule lunch with Ana on friday at noon").await;
    assert!(answer.contains("lunch with Ana"), "{answer}");
    say(&server, &token, "save a memo: the wifi password is in the drawer").await;

    let todos = server.get_ok("/api/todos", &token).await;
    assert_eq!(todos["items"][0]["title"], "call the dentist");
    let due = todos["items"][0]["due_date"].as_str().unwrap();
    assert!(due.contains("T15:00:00"), "due at 3 pm local: {due}");
    let events = server.get_ok("/api/events", &token).await;
    assert_eq!(events["items"][0]["title"], "lunch with Ana");
    assert!(events["items"][0]["start_time"].as_str().unwrap().contains("T12:00:00"));
    let memos = server.get_ok("/api/memos", &token).await;
    assert_eq!(memos["items"][0]["content"], "the wifi password is in the drawer");
}

#[tokio::test]
async fn the_answer_is_stored_with_its_action_card_and_the_cards_undo_works() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut rx = server.state.bus.subscribe();
    let (delivered, _) = say(&server, &token, "add buy milk to my todo list").await;
    // Every open view hears that todos changed.
    wait_for(&mut rx, |e| matches!(e, ServerEvent::ModuleDataChanged { module: Module::Todos })).await;
    let conversation = str_field(&delivered, "conversation_id");
    let messages = server.get_ok(&format!("/api/chat/conversations/{conversation}/messages"), &token).await;
    let items = messages["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the user's message and the answer: {messages}");
    assert_eq!(items[1]["role"], "assistant");
    assert_eq!(items[1]["intent"], "create_todo");
    let card = &items[1]["action_cards"][0];
    assert_eq!(card["card_type"], "todo_created");
    let undo = card["actions"].as_array().unwrap().iter().find(|a| a["action"] == "undo").unwrap();
    assert_eq!(undo["method"], "DELETE");
    let (status, _) = send(server.delete(undo["path"].as_str().unwrap(), &token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.total("/api/todos", &token).await, 0);
}

#[tokio::test]
async fn completing_by_title_finds_the_todo_and_asks_when_two_match() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({"title": "buy milk"})).await;
    let (_, answer) = say(&server, &token, "mark buy milk as done").await;
    assert!(answer.starts_with("Marking 'buy milk' as done"), "{answer}");
    assert_eq!(server.total("/api/todos?status=completed", &token).await, 1);

    server.create("/api/todos", &token, json!({"title": "call mom about the trip"})).await;
    server.create("/api/todos", &token, json!({"title": "call mom about dinner"})).await;
    let (_, answer) = say(&server, &token, "check off call mom").await;
    assert!(answer.contains("more than one todo matches"), "asks instead of guessing: {answer}");
    assert_eq!(server.total("/api/todos?status=pending", &token).await, 2, "neither was completed");
}

#[tokio::test]
async fn a_task_told_as_done_completes_the_todo_it_names() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({"title": "Pay electricity bill"})).await;
    server.create("/api/todos", &token, json!({"title": "Renew car insurance"})).await;
    // Said in the past, with words the titles do not hold.
    let (_, answer) = say(&server, &token, "I paid the electricity bill").await;
    assert_eq!(server.total("/api/todos?status=completed", &token).await, 1, "{answer}");
    let (_, answer) = say(&server, &token, "just renewed the car insurance").await;
    assert_eq!(server.total("/api/todos?status=completed", &token).await, 2, "{answer}");
}

#[tokio::test]
async fn a_compound_request_feeds_the_file_it_read_into_the_memo() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let host = Arc::new(FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(host.clone()));
    let mut rx = server.state.bus.subscribe();

    let (delivered, _) = say(&server, &token, "read ~/notes/ideas.txt and save it as a memo").await;
    let conversation = str_field(&delivered, "conversation_id");
    wait_for(&mut rx, |e| matches!(e, ServerEvent::ActionCard(c) if c.card_type == "memo_created")).await;

    let memos = server.get_ok("/api/memos", &token).await;
    assert_eq!(memos["items"][0]["content"], "Ideas: a night train to Lisbon.");
    let ran = host.ran.lock().unwrap().clone();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].task.inputs["path"], "~/notes/ideas.txt");

    let tasks = server.get_ok("/api/tasks", &token).await;
    let items = tasks["items"].as_array().unwrap();
    let read = items.iter().find(|t| t["tool"] == "file_read").unwrap();
    let memo = items.iter().find(|t| t["tool"] == "create_memo").unwrap();
    assert_eq!(read["status"], "done");
    assert_eq!(memo["status"], "done");
    assert_eq!(memo["depends_on"], json!([read["task_id"]]));
    assert_eq!(memo["conversation_id"], conversation);
}

#[tokio::test]
async fn a_shell_command_waits_for_approval_and_a_no_cancels_it_unrun() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let host = Arc::new(FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(host.clone()));
    let mut rx = server.state.bus.subscribe();

    say(&server, &token, "run rm -rf ~/projects").await;
    let request = wait_for(&mut rx, |e| matches!(e, ServerEvent::ApprovalRequest { .. })).await;
    let ServerEvent::ApprovalRequest { task, reason } = request.as_ref() else { unreachable!() };
    assert_eq!(
        reason, "Run this command on your computer: rm -rf ~/projects",
        "the card shows the true command"
    );
    assert_eq!(server.total("/api/tasks?status=awaiting_approval", &token).await, 1);

    let id = task.task.task_id.clone();
    let (status, body) =
        send(server.post(&format!("/api/tasks/{id}/deny"), &token).json(&json!({"reason": "not now"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let update = wait_for(&mut rx, is_final(&id, TaskStatus::Cancelled)).await;
    let ServerEvent::TaskUpdate { error, .. } = update.as_ref() else { unreachable!() };
    assert!(error.as_deref().unwrap_or("").contains("not now"), "{error:?}");
    assert!(host.ran.lock().unwrap().is_empty(), "nothing ran on the host");
    let (status, _) = send(server.post(&format!("/api/tasks/{id}/approve"), &token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a second answer finds nothing waiting");
}

#[tokio::test]
async fn an_approved_file_create_runs_on_the_host() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let host = Arc::new(FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(host.clone()));
    let mut rx = server.state.bus.subscribe();

    say(&server, &token, "create a file ~/notes/todo.txt with hello world").await;
    let request = wait_for(&mut rx, |e| matches!(e, ServerEvent::ApprovalRequest { .. })).await;
    let ServerEvent::ApprovalRequest { task, reason } = request.as_ref() else { unreachable!() };
    assert_eq!(reason, "Create the file ~/notes/todo.txt");
    assert!(host.ran.lock().unwrap().is_empty(), "nothing runs before the yes");
    let id = task.task.task_id.clone();
    let (status, _) = send(server.post(&format!("/api/tasks/{id}/approve"), &token)).await;
    assert_eq!(status, StatusCode::OK);
    wait_for(&mut rx, is_final(&id, TaskStatus::Done)).await;
    let ran = host.ran.lock().unwrap().clone();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].task.inputs["content"], "hello world");
}

/// An event `days` days from now (local time), at `hour` when given.
fn event_at(title: &str, days: i64, hour: Option<u32>) -> Value {
    use chrono::Timelike as _;
    let mut at = now_local() + chrono::Duration::days(days);
    if let Some(h) = hour {
        at = at.with_hour(h).and_then(|t| t.with_minute(0)).and_then(|t| t.with_second(0)).unwrap();
    }
    json!({"title": title, "start_time": at.to_rfc3339()})
}

async fn event_titles(server: &TestServer, token: &str) -> Vec<String> {
    let mut titles: Vec<String> = server.get_ok("/api/events?limit=100", token).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    titles.dedup();
    titles
}

#[tokio::test]
async fn deleting_my_next_meeting_deletes_the_soonest_one_to_come_and_only_it() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/events", &token, event_at("Old review", -1, None)).await;
    server.create("/api/events", &token, event_at("Lunch with Sam", 1, None)).await;
    server.create("/api/events", &token, event_at("Dentist", 2, None)).await;
    server.create("/api/events", &token, event_at("Team sync", 3, None)).await;

    let (_, answer) = say(&server, &token, "delete my next meeting").await;
    assert!(answer.contains("next event"), "{answer}");
    assert_eq!(event_titles(&server, &token).await, ["Dentist", "Old review", "Team sync"]);

    // Named: the next of those, even when another comes first.
    let (_, answer) = say(&server, &token, "cancel my next dentist appointment").await;
    assert!(answer.contains("dentist appointment"), "{answer}");
    assert_eq!(event_titles(&server, &token).await, ["Old review", "Team sync"]);
}

#[tokio::test]
async fn with_nothing_ahead_my_next_meeting_deletes_nothing_and_says_so() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/events", &token, event_at("Old review", -1, None)).await;
    let (_, answer) = say(&server, &token, "delete my next meeting").await;
    assert!(answer.contains("upcoming event"), "{answer}");
    assert_eq!(event_titles(&server, &token).await, ["Old review"]);
}

#[tokio::test]
async fn my_next_meeting_that_repeats_is_not_deleted_with_all_its_occurrences() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut standup = event_at("Standup", -1, Some(9));
    standup["recurrence_rule"] = json!("FREQ=DAILY");
    server.create("/api/events", &token, standup).await;
    server.create("/api/events", &token, event_at("Dentist", 3, None)).await;

    let (_, answer) = say(&server, &token, "delete my next meeting").await;
    assert!(answer.contains("'Standup', repeats"), "{answer}");
    assert_eq!(event_titles(&server, &token).await, ["Dentist", "Standup"], "nothing deleted");
}

#[tokio::test]
async fn a_day_said_with_the_title_picks_that_days_event() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/events", &token, event_at("Dentist appointment", 1, Some(10))).await;
    // The day after tomorrow: a window one day too long would take this one too.
    let later = server.create("/api/events", &token, event_at("Dentist appointment", 2, Some(10))).await;

    let (_, answer) = say(&server, &token, "delete tomorrow's dentist appointment").await;
    assert!(answer.contains("'dentist appointment'"), "the title without the 's: {answer}");
    let left = server.get_ok("/api/events?limit=100", &token).await;
    let ids: Vec<&str> =
        left["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [later["id"].as_str().unwrap()], "only tomorrow's is gone: {left}");
}

#[tokio::test]
async fn the_dentist_appointment_is_the_event_called_dentist() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/events", &token, event_at("Dentist", 1, Some(10))).await;
    server.create("/api/events", &token, event_at("Dentist", 2, Some(10))).await;
    server.create("/api/events", &token, event_at("Team sync", 1, Some(15))).await;
    say(&server, &token, "delete tomorrow's dentist appointment").await;
    let left = server.get_ok("/api/events?limit=100", &token).await;
    let mut kept: Vec<(String, String)> = left["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["title"].as_str().unwrap().to_owned(), e["start_time"].as_str().unwrap()[..10].to_owned())
        })
        .collect();
    kept.sort();
    let day = |d: i64| (now_local() + chrono::Duration::days(d)).format("%Y-%m-%d").to_string();
    assert_eq!(kept, [("Dentist".to_owned(), day(2)), ("Team sync".to_owned(), day(1))], "{left}");
}

#[tokio::test]
async fn clearing_a_day_of_the_calendar_asks_first_and_keeps_other_days_and_repeating_events() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/events", &token, event_at("Haircut", 1, Some(11))).await;
    server.create("/api/events", &token, event_at("Dinner", 1, Some(19))).await;
    server.create("/api/events", &token, event_at("Flight", 2, Some(8))).await;
    let mut standup = event_at("Standup", -1, Some(9));
    standup["recurrence_rule"] = json!("FREQ=DAILY");
    server.create("/api/events", &token, standup).await;

    let mut rx = server.state.bus.subscribe();
    say(&server, &token, "clear my calendar for tomorrow").await;
    let id = asked_first(&mut rx).await;
    assert_eq!(event_titles(&server, &token).await.len(), 4, "nothing deleted before the yes");
    let output = approve(&server, &token, &mut rx, &id).await;
    assert_eq!(output["deleted"], 2, "{output}");
    assert_eq!(output["kept_repeating"], json!([{"title": "Standup"}]));
    assert_eq!(event_titles(&server, &token).await, ["Flight", "Standup"]);
    let card = wait_for(&mut rx, |e| matches!(e, ServerEvent::ActionCard(_))).await;
    let ServerEvent::ActionCard(card) = card.as_ref() else { unreachable!() };
    assert_eq!(card.card_type, "events_deleted");
}

#[tokio::test]
async fn clearing_a_whole_list_asks_first() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({"title": "eggs", "tags": ["shopping"]})).await;
    server.create("/api/todos", &token, json!({"title": "bread", "tags": ["shopping"]})).await;
    let mut rx = server.state.bus.subscribe();
    say(&server, &token, "clear my shopping list").await;
    let id = asked_first(&mut rx).await;
    assert_eq!(server.total("/api/todos", &token).await, 2, "nothing deleted before the yes");
    approve(&server, &token, &mut rx, &id).await;
    assert_eq!(server.total("/api/todos", &token).await, 0);
}

#[tokio::test]
async fn clearing_the_done_todos_asks_first_and_keeps_every_open_one() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let done = server.create("/api/todos", &token, json!({"title": "renew passport"})).await;
    server.create("/api/todos", &token, json!({"title": "book dentist"})).await;
    server.create("/api/todos", &token, json!({"title": "call plumber", "tags": ["home"]})).await;
    let done_id = done["id"].as_str().unwrap();
    let (status, _) =
        send(server.patch(&format!("/api/todos/{done_id}"), &token).json(&json!({"status": "completed"})))
            .await;
    assert_eq!(status, StatusCode::OK);

    let mut rx = server.state.bus.subscribe();
    let (_, answer) = say(&server, &token, "get rid of all my finished tasks").await;
    assert!(answer.contains("todos you have done"), "{answer}");
    let id = asked_first(&mut rx).await;
    assert_eq!(approve(&server, &token, &mut rx, &id).await["deleted"], 1);
    let (status, _) = send(server.get(&format!("/api/todos/{done_id}"), &token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let open = server.get_ok("/api/todos", &token).await;
    let mut titles: Vec<&str> =
        open["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    titles.sort();
    assert_eq!(titles, ["book dentist", "call plumber"], "{open}");
}

#[tokio::test]
async fn asking_when_a_thing_is_finds_it_months_ahead_and_nothing_else() {
    let server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/events", &token, event_at("Eye test", 40, Some(10))).await;
    server.create("/api/events", &token, event_at("Lunch with Dev", 1, Some(12))).await;
    let (_, answer) = say(&server, &token, "when is my eye test").await;
    assert!(answer.contains("Eye test"), "{answer}");
    assert!(!answer.contains("Lunch with Dev"), "{answer}");
}

#[tokio::test]
async fn a_host_tool_with_no_host_connected_fails_with_a_reason() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let mut rx = server.state.bus.subscribe();
    say(&server, &token, "read ~/notes/ideas.txt").await;
    let update =
        wait_for(&mut rx, |e| matches!(e, ServerEvent::TaskUpdate { status: TaskStatus::Failed, .. })).await;
    let ServerEvent::TaskUpdate { error, .. } = update.as_ref() else { unreachable!() };
    assert!(error.as_deref().unwrap_or("").contains("no desktop app"), "{error:?}");
}

#[tokio::test]
async fn the_users_message_is_kept_even_when_everything_after_it_fails() {
    let server = TestServer::start().await;
    let token = server.token().await;
    // Break the task store: no plan can be saved any more.
    let db = server.open_db().await;
    sqlx::query("DROP TABLE agent_tasks").execute(&db).await.unwrap();

    let (delivered, answer) = say(&server, &token, "add water the plants to my todo list").await;
    assert!(answer.contains("something went wrong"), "the user is told: {answer}");
    let conversation = str_field(&delivered, "conversation_id");
    let messages = server.get_ok(&format!("/api/chat/conversations/{conversation}/messages"), &token).await;
    assert_eq!(messages["items"][0]["role"], "user");
    assert_eq!(messages["items"][0]["content"], "add water the plants to my todo list");
}

#[tokio::test]
async fn after_a_restart_running_tasks_fail_with_a_reason_and_pending_ones_run() {
    let server = TestServer::start().await;
    let db = server.open_db().await;
    let now = chrono::Utc::now().timestamp_millis();
    for (id, status, title) in
        [("t-running", "running", "half done"), ("t-pending", "pending", "resumed todo")]
    {
        sqlx::query(
            "INSERT INTO agent_tasks (id, message_id, tool, inputs, status, target, created_at, updated_at)
             VALUES (?, ?, 'create_todo', ?, ?, 'server', ?, ?)",
        )
        .bind(id)
        .bind(format!("m-{id}"))
        .bind(json!({"title": title}).to_string())
        .bind(status)
        .bind(now)
        .bind(now)
        .execute(&db)
        .await
        .unwrap();
    }
    db.close().await;
    let server = server.restart().await;
    let token = server.token().await;
    // The resumed plan runs in the background right after start-up.
    let mut tries = 0;
    while server.total("/api/todos", &token).await == 0 && tries < 100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        tries += 1;
    }
    let todos = server.get_ok("/api/todos", &token).await;
    assert_eq!(todos["total"], 1);
    assert_eq!(todos["items"][0]["title"], "resumed todo");
    let failed = server.get_ok("/api/tasks?status=failed", &token).await;
    assert_eq!(failed["items"][0]["task_id"], "t-running");
    assert!(failed["items"][0]["error"].as_str().unwrap().contains("interrupted"));
    assert_eq!(server.total("/api/tasks?status=running", &token).await, 0, "no task is left running");
}

fn run_cli(args: &[&str], input: &str) -> Vec<Value> {
    use std::io::Write as _;
    let mut child = std::process::Command::new(crate::common::server_binary())
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn the_parse_command_answers_one_line_per_line_in_order() {
    let out = run_cli(
        &["parse", "--now", "2026-03-10T12:00:00Z", "--tz", "America/New_York"],
        "add buy milk to my todo list\n\nwhat's the weather like\nrun ls -la\n",
    );
    assert_eq!(out.len(), 4, "an empty line still gets its answer");
    assert_eq!(out[0]["intent"], "create_todo");
    assert_eq!(out[0]["params"]["title"], "buy milk");
    assert_eq!(out[1]["intent"], "general_chat");
    assert_eq!(out[2]["intent"], "general_chat");
    assert_eq!(out[3]["intent"], "executor_shell");
    assert_eq!(out[3]["tasks"][0]["target"], "host");
}

#[test]
fn the_when_command_resolves_in_the_zone_across_dst() {
    // New York moves its clocks on 2026-03-08: "tomorrow at 9am" said on the 7th is EDT.
    let out = run_cli(
        &["when", "--now", "2026-03-07T12:00:00-05:00", "--tz", "America/New_York"],
        "tomorrow at 9am\nfrom 4 to 5pm\nnothing to see here\n",
    );
    assert_eq!(out[0]["start"], "2026-03-08T09:00:00-04:00");
    // "9am" names an hour (Duckling's grain for it); "9:15am" would name a minute.
    assert_eq!(out[0]["grain"], "hour");
    assert_eq!(out[1]["start"], "2026-03-07T16:00:00-05:00");
    assert_eq!(out[1]["end"], "2026-03-07T17:00:00-05:00");
    assert!(out[2]["error"].is_string());
}

#[test]
fn the_when_command_writes_a_time_in_the_zone_the_text_named() {
    let out = run_cli(
        &["when", "--now", "2026-07-01T08:00:00-04:00", "--tz", "America/New_York"],
        "standup at 9:30 PST tomorrow\nfriday 9:00 - 10:30 CET\nat 9:30 tomorrow\n",
    );
    // The same instant as 12:30 in New York, written as the user said it.
    assert_eq!(out[0]["start"], "2026-07-02T09:30:00-08:00");
    assert_eq!(out[1]["start"], "2026-07-03T09:00:00+01:00");
    assert_eq!(out[1]["end"], "2026-07-03T10:30:00+01:00");
    assert_eq!(out[2]["start"], "2026-07-02T09:30:00-04:00");
}
