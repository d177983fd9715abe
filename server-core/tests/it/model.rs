//! The assistant with a model service: stand-in servers on loopback replay what Ollama
//! and OpenAI really send (tool calls in fragments, Ollama's parallel calls all at index
//! 0), and misbehave the ways real ones do (stall, send garbage). Each outcome is what a
//! user would see: the todo exists, or the built-in parser answered and said why.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use clawchat_server::bus::ServerEvent;
use futures::stream;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::brain::wait_for;
use crate::common::{Options, TestServer, send, str_field};

/// What a stand-in model answers: for its n-th request the n-th list of SSE events (the
/// last one again after that), each sent after a pause.
#[derive(Clone)]
struct Script {
    answers: Arc<Vec<Vec<(Duration, String)>>>,
    /// The bodies the model received, to check what the server sent it.
    seen: Arc<Mutex<Vec<Value>>>,
}

async fn completions(State(script): State<Script>, body: Bytes) -> Response {
    let n = {
        let mut seen = script.seen.lock().unwrap();
        seen.push(serde_json::from_slice(&body).unwrap_or(Value::Null));
        seen.len() - 1
    };
    let events = script.answers[n.min(script.answers.len() - 1)].clone();
    let body = stream::unfold(events.into_iter(), |mut it| async move {
        let (pause, data) = it.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<_, Infallible>(Bytes::from(data)), it))
    });
    Response::builder().header("content-type", "text/event-stream").body(Body::from_stream(body)).unwrap()
}

pub(crate) async fn stand_in(events: Vec<(Duration, String)>) -> (String, Arc<Mutex<Vec<Value>>>) {
    stand_in_seq(vec![events]).await
}

async fn stand_in_seq(answers: Vec<Vec<(Duration, String)>>) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(Script { answers: Arc::new(answers), seen: seen.clone() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

fn chunk(delta: Value, finish: Option<&str>) -> String {
    let body = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_760_000_000, "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
    });
    format!("data: {body}\n\n")
}

fn now(s: String) -> (Duration, String) {
    (Duration::ZERO, s)
}

async fn server_with(base_url: &str, provider: &str, timeout_s: u64) -> TestServer {
    server_with_args(base_url, provider, timeout_s, vec![]).await
}

async fn server_with_args(base_url: &str, provider: &str, timeout_s: u64, more: Vec<String>) -> TestServer {
    let mut extra_args: Vec<String> = vec![
        "--ai-provider".into(),
        provider.into(),
        "--ai-base-url".into(),
        base_url.into(),
        "--ai-timeout".into(),
        timeout_s.to_string(),
    ];
    extra_args.extend(more);
    TestServer::start_with(Options { extra_args, ..Options::default() }).await
}

/// Sends a message and returns (the query-result, the final answer text).
async fn ask(server: &TestServer, token: &str, content: &str) -> (Value, String) {
    let mut rx = server.state.bus.subscribe();
    let (status, delivered) =
        send(server.post("/api/chat/send", token).json(&json!({ "content": content }))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{delivered}");
    let reply = str_field(&delivered, "reply_id");
    let mut result = Value::Null;
    let end = wait_for(&mut rx, |e| match e {
        ServerEvent::QueryResult(r) if r.message_id == reply => {
            result = serde_json::to_value(r.as_ref()).unwrap();
            false
        }
        ServerEvent::StreamEnd { message_id, .. } => *message_id == reply,
        _ => false,
    })
    .await;
    let ServerEvent::StreamEnd { full_content, .. } = end.as_ref() else { unreachable!() };
    (result, full_content.clone())
}

#[tokio::test]
async fn ollama_parallel_tool_calls_at_index_zero_become_two_todos() {
    // Ollama sends each parallel call whole, every one with index 0 and its own id.
    let (url, seen) = stand_in(vec![
        now(chunk(
            json!({"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_a", "index": 0, "type": "function", "function": {"name": "create_todo", "arguments": "{\"title\":\"buy oat milk\"}"}},
                {"id": "call_b", "index": 0, "type": "function", "function": {"name": "create_todo", "arguments": "{\"title\":\"call the bank\",\"priority\":\"high\"}"}}
            ]}),
            None,
        )),
        now(chunk(json!({"role": "assistant", "content": ""}), Some("tool_calls"))),
        now("data: [DONE]\n\n".into()),
    ])
    .await;
    let server = server_with(&url, "ollama", 10).await;
    let token = server.token().await;
    let (result, _) = ask(&server, &token, "I need oat milk, and remind me to call the bank").await;
    assert_ne!(result["provider"], "builtin");
    assert!(result["fallback_reason"].is_null(), "{result}");
    assert_eq!(result["tasks"].as_array().unwrap().len(), 2);
    let todos = server.get_ok("/api/todos?priority=high", &token).await;
    assert_eq!(todos["items"][0]["title"], "call the bank");
    assert_eq!(server.total("/api/todos", &token).await, 2);
    // The model saw the registry's tools and the user's words.
    let request = seen.lock().unwrap()[0].clone();
    assert_eq!(request["stream"], true);
    let tools: Vec<&str> =
        request["tools"].as_array().unwrap().iter().filter_map(|t| t["function"]["name"].as_str()).collect();
    assert!(tools.contains(&"create_todo") && tools.contains(&"executor_shell"));
    let last = request["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["content"], "I need oat milk, and remind me to call the bank");
}

#[tokio::test]
async fn openai_fragments_and_streamed_words_make_one_answer_and_one_event() {
    let (url, _) = stand_in(vec![
        now(chunk(json!({"role": "assistant", "content": ""}), None)),
        now(chunk(json!({"content": "Booked "}), None)),
        now(chunk(json!({"content": "it."}), None)),
        now(chunk(json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "create_event", "arguments": ""}}]}), None)),
        now(chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"title\": \"Dentist\", "}}]}), None)),
        now(chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"start_time\": \"2026-12-01T09:30:00-08:00\"}"}}]}), None)),
        now(chunk(json!({}), Some("tool_calls"))),
        now("data: [DONE]\n\n".into()),
    ])
    .await;
    let server = server_with(&url, "openai", 10).await;
    let token = server.token().await;
    let (result, answer) = ask(&server, &token, "dentist on december first at 9:30").await;
    assert!(answer.starts_with("Booked it."), "{answer}");
    assert_eq!(result["intent"], "create_event");
    let events = server.get_ok("/api/events", &token).await;
    assert_eq!(events["items"][0]["title"], "Dentist");
    assert_eq!(events["items"][0]["start_time"], "2026-12-01T09:30:00-08:00");
}

#[tokio::test]
async fn a_model_that_stalls_times_out_and_the_built_in_parser_answers() {
    let (url, _) =
        stand_in(vec![(Duration::from_secs(30), chunk(json!({"content": "too late"}), None))]).await;
    let server = server_with(&url, "ollama", 1).await;
    let token = server.token().await;
    let (result, answer) = ask(&server, &token, "add buy milk to my todo list").await;
    assert_eq!(result["provider"], "builtin");
    assert_eq!(result["fallback_reason"], "model_timeout");
    assert!(answer.starts_with("Added 'buy milk'"), "{answer}");
    assert_eq!(server.total("/api/todos", &token).await, 1);
}

#[tokio::test]
async fn garbage_tool_arguments_fall_back_and_nothing_half_done_is_stored() {
    let (url, _) = stand_in(vec![
        now(chunk(json!({"tool_calls": [{"index": 0, "id": "c", "type": "function", "function": {"name": "delete_todo", "arguments": "{title: oops"}}]}), None)),
        now(chunk(json!({}), Some("tool_calls"))),
        now("data: [DONE]\n\n".into()),
    ])
    .await;
    let server = server_with(&url, "ollama", 10).await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({"title": "keep me"})).await;
    let (result, _) = ask(&server, &token, "what's up").await;
    assert_eq!(result["fallback_reason"], "invalid_tool_arguments");
    assert_eq!(result["intent"], "general_chat", "the built-in parser does not guess a delete");
    assert_eq!(server.total("/api/todos", &token).await, 1, "nothing was deleted");
}

#[tokio::test]
async fn an_unreachable_model_is_reported_and_the_answer_still_comes() {
    // A port nothing listens on: bind, note the address, let it go.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let server = server_with(&format!("http://{dead}"), "auto", 5).await;
    let token = server.token().await;
    let (result, _) = ask(&server, &token, "remind me to stretch at 5pm").await;
    assert_eq!(result["fallback_reason"], "model_unreachable");
    assert_eq!(server.total("/api/todos", &token).await, 1);
}

#[tokio::test]
async fn a_models_host_tool_always_waits_for_a_yes_even_a_read() {
    // The model asks to read a file. From the built-in parser's plan a read runs at once;
    // from a model's plan it waits, since the model may be echoing text it was fed.
    let (url, _) = stand_in(vec![
        now(chunk(json!({"tool_calls": [{"index": 0, "id": "c", "type": "function", "function": {"name": "file_read", "arguments": "{\"path\": \"~/.ssh/id_ed25519\"}"}}]}), None)),
        now(chunk(json!({}), Some("tool_calls"))),
        now("data: [DONE]\n\n".into()),
    ])
    .await;
    let server = server_with(&url, "ollama", 10).await;
    let host = Arc::new(crate::brain::FakeHost::default());
    server.state.brain.engine.set_host_executor(Some(host.clone()));
    let token = server.token().await;
    let mut rx = server.state.bus.subscribe();
    ask(&server, &token, "summarise my notes").await;
    let request = wait_for(&mut rx, |e| matches!(e, ServerEvent::ApprovalRequest { .. })).await;
    let ServerEvent::ApprovalRequest { reason, .. } = request.as_ref() else { unreachable!() };
    assert_eq!(reason, "Read the file ~/.ssh/id_ed25519");
    assert!(host.ran.lock().unwrap().is_empty());
}

fn tool_call(name: &str, arguments: Value) -> Vec<(Duration, String)> {
    vec![
        now(chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                "function": {"name": name, "arguments": arguments.to_string()}}]}),
            None,
        )),
        now(chunk(json!({}), Some("tool_calls"))),
        now("data: [DONE]\n\n".into()),
    ]
}

pub(crate) fn words(text: &str) -> Vec<(Duration, String)> {
    vec![
        now(chunk(json!({"role": "assistant", "content": text}), None)),
        now(chunk(json!({}), Some("stop"))),
        now("data: [DONE]\n\n".into()),
    ]
}

#[tokio::test]
async fn delegated_work_runs_in_recorded_steps_and_reports_back() {
    // 1: the planner delegates; 2: the worker searches; 3: the worker sums up.
    let (url, seen) = stand_in_seq(vec![
        tool_call("delegate_task", json!({"description": "find my notes on Lisbon trains and sum them up"})),
        tool_call("search", json!({"query": "lisbon"})),
        words("Summary: the night train leaves at 21:00."),
    ])
    .await;
    let server = server_with(&url, "ollama", 10).await;
    let token = server.token().await;
    server
        .create(
            "/api/memos",
            &token,
            json!({"title": "Trains", "content": "The Lisbon night train leaves at 21:00"}),
        )
        .await;
    let mut rx = server.state.bus.subscribe();
    let (status, delivered) = send(
        server.post("/api/chat/send", &token).json(&json!({"content": "look into lisbon trains for me"})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let done =
        wait_for(&mut rx, |e| matches!(e, ServerEvent::Notification { kind, .. } if kind == "task_done"))
            .await;
    let ServerEvent::Notification { body, conversation_id, .. } = done.as_ref() else { unreachable!() };
    assert_eq!(body, "Summary: the night train leaves at 21:00.");
    assert_eq!(conversation_id.as_deref(), Some(str_field(&delivered, "conversation_id").as_str()));

    // The summary is a message in the conversation, and the step is in the task history.
    let conversation = str_field(&delivered, "conversation_id");
    let messages = server.get_ok(&format!("/api/chat/conversations/{conversation}/messages"), &token).await;
    let last = messages["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["content"], "Summary: the night train leaves at 21:00.");
    let tasks = server.get_ok("/api/tasks", &token).await;
    let search = tasks["items"].as_array().unwrap().iter().find(|t| t["tool"] == "search").unwrap().clone();
    assert_eq!(search["status"], "done");
    assert!(
        search["output"]["results"].as_array().unwrap().iter().any(|r| r["title"] == "Trains"),
        "{search}"
    );
    // The worker was given only look-up tools, and the search result came back to it.
    let worker = seen.lock().unwrap()[1].clone();
    let tools: Vec<&str> =
        worker["tools"].as_array().unwrap().iter().filter_map(|t| t["function"]["name"].as_str()).collect();
    assert!(
        tools.contains(&"search") && !tools.contains(&"delete_todo") && !tools.contains(&"executor_shell")
    );
    let third = seen.lock().unwrap()[2].clone();
    let last_message = third["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last_message["role"], "tool", "{third}");
    assert!(last_message["content"].as_str().unwrap().contains("night train"), "{third}");
}

#[tokio::test]
async fn earlier_turns_go_to_the_model_within_the_budget() {
    let (url, seen) = stand_in(words("Noted.")).await;
    let server = server_with_args(&url, "ollama", 10, vec!["--ai-history-chars".into(), "60".into()]).await;
    let token = server.token().await;
    // Listening before the message is sent, so the first answer's end cannot slip past.
    let mut rx = server.state.bus.subscribe();
    let (status, first) =
        send(server.post("/api/chat/send", &token).json(&json!({"content": "my sister is called Ana"})))
            .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let conversation = str_field(&first, "conversation_id");
    let reply = str_field(&first, "reply_id");
    wait_for(&mut rx, |e| matches!(e, ServerEvent::StreamEnd { message_id, .. } if *message_id == reply))
        .await;
    // Budget 60: the second message still fits the first turn (23 + 6 + 21 characters);
    // by the third, the oldest turn no longer does.
    let long = "x".repeat(40);
    for content in ["and my brother is Rui", long.as_str()] {
        let mut rx = server.state.bus.subscribe();
        let (_, sent) = send(
            server
                .post("/api/chat/send", &token)
                .json(&json!({"content": content, "conversation_id": conversation})),
        )
        .await;
        let reply = str_field(&sent, "reply_id");
        wait_for(&mut rx, |e| matches!(e, ServerEvent::StreamEnd { message_id, .. } if *message_id == reply))
            .await;
    }
    let bodies = seen.lock().unwrap().clone();
    let second: Vec<String> = bodies[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(second.iter().any(|c| c == "my sister is called Ana"), "earlier turns are sent: {second:?}");
    let third: Vec<String> = bodies[2]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        !third.iter().any(|c| c == "my sister is called Ana"),
        "over the budget, the oldest turn is dropped: {third:?}"
    );
    assert_eq!(third.last().unwrap(), &long);
}

#[tokio::test]
async fn web_search_asks_searxng_and_says_so_when_there_is_none() {
    use axum::extract::Query;
    use axum::routing::get;
    let app = Router::new().route(
        "/search",
        get(|Query(q): Query<std::collections::HashMap<String, String>>| async move {
            assert_eq!(q.get("format").map(String::as_str), Some("json"));
            axum::Json(json!({"query": q.get("q"), "results": [
                {"title": "Async Rust, the book", "url": "https://rust-lang.invalid/async", "content": "futures"}
            ]}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let searx = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let server = TestServer::start_with(Options {
        extra_args: vec!["--search-url".into(), searx],
        ..Options::default()
    })
    .await;
    let token = server.token().await;
    let (_, answer) = crate::brain::say(&server, &token, "search the web for async rust").await;
    assert!(answer.contains("Async Rust, the book"), "{answer}");

    let plain = TestServer::start().await;
    let token = plain.token().await;
    let (_, answer) = crate::brain::say(&plain, &token, "search the web for async rust").await;
    assert!(answer.contains("isn't set up"), "{answer}");
}

/// A stream llama.cpp's OpenAI-compatible server (llama-cpp-python 0.3.36 with Gemma 3
/// 270M) really sent, kept by `make test-model` (tests/model/), replayed event by event.
fn recorded(name: &str) -> Vec<(Duration, String)> {
    let path = format!("{}/tests/data/llama_cpp/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.split_inclusive("\n\n").map(|event| now(event.to_owned())).collect()
}

#[tokio::test]
async fn llama_cpp_tool_calls_mirrored_as_function_call_are_read_once() {
    // Every fragment of a llama.cpp tool call comes twice in one delta: in `tool_calls`
    // and again in the legacy `function_call`. Read twice, the arguments were
    // `{{""tt...`, not JSON, and the built-in parser then stored a todo from the words.
    // Read once, the call's malformed date is refused with the reason.
    let (url, _) = stand_in(recorded("llama-cpp-malformed-date.sse")).await;
    let server = server_with(&url, "openai", 10).await;
    let token = server.token().await;
    let (result, answer) = ask(&server, &token, "add oat milk to my list for the 31st of February").await;
    assert_eq!(result["provider"], "openai-compatible/test-model", "{result}");
    assert!(result["fallback_reason"].is_null(), "{result}");
    assert_eq!(result["intent"], "create_todo");
    assert_eq!(
        result["tasks"][0]["task"]["inputs"],
        json!({"title": "oat milk", "due_date": "31/02/2026 25:00"})
    );
    assert!(answer.contains("due_date: \"31/02/2026 25:00\" is not a date"), "{answer}");
    assert_eq!(server.total("/api/todos", &token).await, 0, "nothing was stored");
}

#[tokio::test]
async fn llama_cpp_tool_call_cut_off_at_max_tokens_is_never_stored() {
    // Forced to call create_todo, the model ran on until max_tokens cut the title
    // mid-string; llama.cpp still says finish_reason "tool_calls".
    let (url, _) = stand_in(recorded("llama-cpp-cut-off-call.sse")).await;
    let server = server_with(&url, "openai", 10).await;
    let token = server.token().await;
    let (result, _) = ask(&server, &token, "add oat milk to my list").await;
    assert_eq!(result["provider"], "builtin");
    assert_eq!(result["fallback_reason"], "invalid_tool_arguments");
    let todos = server.get_ok("/api/todos", &token).await;
    assert_eq!(todos["items"].as_array().unwrap().len(), 1);
    assert_eq!(todos["items"][0]["title"], "oat milk", "only what the user asked for");
}

#[tokio::test]
async fn a_model_that_answers_a_todo_in_words_leaves_it_to_the_built_in_parser() {
    // Gemma's chat template leaves the tools out: the model rambles instead of calling
    // create_todo, until max_tokens ends it.
    let (url, _) = stand_in(recorded("llama-cpp-prose-for-a-todo.sse")).await;
    let server = server_with(&url, "openai", 10).await;
    let token = server.token().await;
    let (result, answer) = ask(&server, &token, "add oat milk to my list").await;
    assert_eq!(result["provider"], "builtin");
    assert_eq!(result["fallback_reason"], "model_called_no_tool");
    assert!(
        answer.contains("(The model stopped before it finished.) Added 'oat milk'"),
        "the model's words, that it stopped, and what was done: {answer}"
    );
    let todos = server.get_ok("/api/todos", &token).await;
    assert_eq!(todos["items"][0]["title"], "oat milk");
    assert_eq!(server.total("/api/todos", &token).await, 1);

    // Small talk stays the model's.
    let (url, _) = stand_in(recorded("llama-cpp-greeting.sse")).await;
    let server = server_with(&url, "openai", 10).await;
    let token = server.token().await;
    let (result, _) = ask(&server, &token, "Hello! How are you today?").await;
    assert_eq!(result["provider"], "openai-compatible/test-model");
    assert_eq!(server.total("/api/todos", &token).await, 0);
}

#[tokio::test]
async fn an_answer_cut_at_max_tokens_says_so_and_the_limit_is_sent() {
    // The packaged Gemma 3 270M is the pretrained model: it never ends its turn, and
    // only AI_MAX_TOKENS stops it (finish_reason "length").
    let (url, seen) = stand_in(recorded("llama-cpp-greeting.sse")).await;
    let server = server_with_args(&url, "openai", 10, vec!["--ai-max-tokens".into(), "40".into()]).await;
    let token = server.token().await;
    let (result, answer) = ask(&server, &token, "Hello! How are you today?").await;
    assert_eq!(result["fallback_reason"], "model_answer_cut_off", "{result}");
    assert!(answer.starts_with("I am on the 1st floor"), "{answer}");
    assert!(answer.ends_with("(The model stopped before it finished.)"), "{answer}");
    assert_eq!(seen.lock().unwrap()[0]["max_tokens"], 40);
}
