//! End-to-end tests of the model providers against stand-in model servers.
//!
//! Each stand-in is a real HTTP server on 127.0.0.1 that replays the wire format of a real server, quirks
//! included, byte for byte where it matters (split reads, CRLF, keep-alive comments).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use clawchat_server::llm::{
    ChatMessage, ChatRequest, LlmError, ModelProvider, OpenAiCompatible, ProviderConfig, StreamEvent,
    TimeoutStage, ToolCall, ToolDef, collect_completion,
};
use futures::StreamExt;
use futures::stream::{self, BoxStream};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------------
// Stand-in server

/// What happens after the scripted pieces are sent.
#[derive(Clone)]
enum Tail {
    /// Close the body.
    End,
    /// Keep the connection open and send nothing more.
    Stall,
    /// Send this piece again and again at this interval (keep-alive comments).
    Trickle(Vec<u8>, Duration),
}

#[derive(Clone)]
struct Script {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    pieces: Vec<Vec<u8>>,
    /// Pause before each piece.
    delay: Duration,
    /// Pause before the response headers.
    header_delay: Duration,
    tail: Tail,
}

impl Script {
    /// A `text/event-stream` answer: one `data:` event per chunk, then `data: [DONE]`.
    fn sse(chunks: &[Value]) -> Self {
        let mut pieces: Vec<Vec<u8>> = chunks.iter().map(|c| format!("data: {c}\n\n").into_bytes()).collect();
        pieces.push(b"data: [DONE]\n\n".to_vec());
        Self::raw(pieces)
    }

    fn raw(pieces: Vec<Vec<u8>>) -> Self {
        Self {
            status: StatusCode::OK,
            headers: vec![("content-type", "text/event-stream".to_owned())],
            pieces,
            delay: Duration::ZERO,
            header_delay: Duration::ZERO,
            tail: Tail::End,
        }
    }

    fn status(status: u16, content_type: &str, body: &str) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap(),
            headers: vec![("content-type", content_type.to_owned())],
            pieces: vec![body.as_bytes().to_vec()],
            delay: Duration::ZERO,
            header_delay: Duration::ZERO,
            tail: Tail::End,
        }
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// A request as the stand-in received it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: HeaderMap,
    body: Value,
}

#[derive(Clone)]
struct StandIn {
    chat: Arc<Script>,
    models: Arc<Script>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn replay(script: &Script) -> Response {
    if !script.header_delay.is_zero() {
        tokio::time::sleep(script.header_delay).await;
    }
    let delay = script.delay;
    let scripted = stream::iter(script.pieces.clone()).then(move |piece| async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        piece
    });
    let body: BoxStream<'static, Vec<u8>> = match script.tail.clone() {
        Tail::End => scripted.boxed(),
        Tail::Stall => scripted.chain(stream::pending()).boxed(),
        Tail::Trickle(piece, every) => scripted
            .chain(stream::repeat(piece).then(move |p| async move {
                tokio::time::sleep(every).await;
                p
            }))
            .boxed(),
    };
    let mut response = Response::builder().status(script.status);
    for (name, value) in &script.headers {
        response = response.header(*name, value);
    }
    response.body(Body::from_stream(body.map(Ok::<_, Infallible>))).unwrap()
}

async fn record(state: &StandIn, method: &str, path: &str, headers: HeaderMap, body: &Bytes) {
    let body = serde_json::from_slice(body).unwrap_or(Value::Null);
    state.seen.lock().unwrap().push(Seen { method: method.into(), path: path.into(), headers, body });
}

async fn chat_handler(State(state): State<StandIn>, headers: HeaderMap, body: Bytes) -> Response {
    record(&state, "POST", "/v1/chat/completions", headers, &body).await;
    replay(&state.chat).await
}

async fn models_handler(State(state): State<StandIn>, headers: HeaderMap) -> Response {
    record(&state, "GET", "/v1/models", headers, &Bytes::new()).await;
    replay(&state.models).await
}

struct Server {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve(chat: Script) -> Server {
    serve_with_models(chat, Script::status(200, "application/json", r#"{"object":"list","data":[]}"#)).await
}

async fn serve_with_models(chat: Script, models: Script) -> Server {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = StandIn { chat: Arc::new(chat), models: Arc::new(models), seen: seen.clone() };
    let app = Router::new()
        .route("/v1/chat/completions", post(chat_handler))
        .route("/v1/models", get(models_handler))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    // The product's default form: no path, no `/v1`.
    Server { base_url: format!("http://{addr}"), seen }
}

// ---------------------------------------------------------------------------------------------------
// Client side helpers

fn config(base_url: &str) -> ProviderConfig {
    ProviderConfig {
        base_url: base_url.to_owned(),
        api_key: None,
        model: "llama3.2".to_owned(),
        connect_timeout: Duration::from_secs(2),
        first_byte_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(30),
        max_tokens: None,
    }
}

fn provider(base_url: &str) -> OpenAiCompatible {
    OpenAiCompatible::new(config(base_url)).unwrap()
}

fn ask(text: &str) -> ChatRequest {
    ChatRequest::new(vec![ChatMessage::system("You are ClawChat."), ChatMessage::user(text)])
}

/// Everything a stream produced, in order, stopping at the first error.
async fn events(provider: &dyn ModelProvider, request: ChatRequest) -> (Vec<StreamEvent>, Option<LlmError>) {
    let mut stream = provider.chat(request).await.unwrap();
    let mut seen = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => seen.push(event),
            Err(e) => {
                // Nothing may follow an error.
                assert!(stream.next().await.is_none(), "the stream went on after an error");
                return (seen, Some(e));
            }
        }
    }
    (seen, None)
}

fn text_of(events: &[StreamEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Token(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// An OpenAI `chat.completion.chunk` with one choice.
fn chunk(delta: Value, finish_reason: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion.chunk",
        "created": 1_741_570_283,
        "model": "gpt-4o-mini-2024-07-18",
        "service_tier": "default",
        "system_fingerprint": "fp_06737a9306",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]
    })
}

/// An Ollama `/v1` chunk (no logprobs, `fp_ollama`, content always a string).
fn ollama_chunk(delta: Value, finish_reason: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-386",
        "object": "chat.completion.chunk",
        "created": 1_741_570_283,
        "model": "llama3.2",
        "system_fingerprint": "fp_ollama",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
    })
}

fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef {
            name: "create_todo".into(),
            description: "Add an item to the to-do list".into(),
            parameters: json!({
                "type": "object",
                "properties": {"title": {"type": "string"}, "due": {"type": "string", "format": "date"}},
                "required": ["title"]
            }),
        },
        ToolDef {
            name: "set_reminder".into(),
            description: "Remind the user at a time".into(),
            parameters: json!({"type": "object", "properties": {"at": {"type": "string"}, "text": {"type": "string"}}}),
        },
    ]
}

fn call(id: &str, name: &str, arguments: Value) -> ToolCall {
    ToolCall { id: id.into(), name: name.into(), arguments }
}

// ---------------------------------------------------------------------------------------------------
// (a) plain streamed text

#[tokio::test]
async fn openai_text_stream_assembles_tokens() {
    let server = serve(Script::sse(&[
        // OpenAI's first delta carries only the role.
        chunk(json!({"role": "assistant", "content": "", "refusal": null}), None),
        chunk(json!({"content": "Sure"}), None),
        chunk(json!({"content": ", I'll"}), None),
        chunk(json!({"content": " remind you."}), None),
        chunk(json!({}), Some("stop")),
        // With stream_options.include_usage OpenAI sends a last chunk with no choices at all.
        json!({"id": "chatcmpl-x", "object": "chat.completion.chunk", "choices": [],
               "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}}),
    ]))
    .await;
    let p = provider(&server.base_url);
    let (events, error) = events(&p, ask("remind me")).await;
    assert_eq!(error, None);
    assert_eq!(
        events,
        vec![
            StreamEvent::Token("Sure".into()),
            StreamEvent::Token(", I'll".into()),
            StreamEvent::Token(" remind you.".into()),
            StreamEvent::Done { finish_reason: Some("stop".into()) },
        ]
    );

    let done = p.complete(ask("again")).await.unwrap();
    assert_eq!(done.content, "Sure, I'll remind you.");
    assert!(done.tool_calls.is_empty());
    assert_eq!(done.finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn length_finish_reason_is_reported() {
    let server =
        serve(Script::sse(&[chunk(json!({"content": "Once upon"}), None), chunk(json!({}), Some("length"))]))
            .await;
    let done = provider(&server.base_url).complete(ask("story")).await.unwrap();
    assert_eq!(done.content, "Once upon");
    assert_eq!(done.finish_reason.as_deref(), Some("length"));
}

// ---------------------------------------------------------------------------------------------------
// (b) OpenAI tool calls in fragments

#[tokio::test]
async fn openai_parallel_tool_calls_from_fragments() {
    let frag = |index: u64, arguments: &str| {
        chunk(json!({"tool_calls": [{"index": index, "function": {"arguments": arguments}}]}), None)
    };
    let server = serve(Script::sse(&[
        chunk(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"index": 0, "id": "call_Xk2PqLm", "type": "function", "function": {"name": "create_todo", "arguments": ""}}
            ], "refusal": null}),
            None,
        ),
        frag(0, "{\""),
        frag(0, "title"),
        frag(0, "\":\""),
        frag(0, "Buy café \\u2615"),
        frag(0, " beans\",\"due\":\"2025-"),
        frag(0, "03-14\"}"),
        chunk(
            json!({"tool_calls": [
                {"index": 1, "id": "call_Rt7vNw", "type": "function", "function": {"name": "set_reminder", "arguments": ""}}
            ]}),
            None,
        ),
        frag(1, "{\"at\": \"18:00\", "),
        frag(1, "\"text\": \"call \\\"Mum\\\"\"}"),
        chunk(json!({}), Some("tool_calls")),
    ]))
    .await;
    let p = provider(&server.base_url);
    let (events, error) = events(&p, ask("todo and reminder").with_tools(tools())).await;
    assert_eq!(error, None);
    assert_eq!(
        events,
        vec![
            StreamEvent::ToolCalls(vec![
                call(
                    "call_Xk2PqLm",
                    "create_todo",
                    json!({"title": "Buy café ☕ beans", "due": "2025-03-14"})
                ),
                call("call_Rt7vNw", "set_reminder", json!({"at": "18:00", "text": "call \"Mum\""})),
            ]),
            StreamEvent::Done { finish_reason: Some("tool_calls".into()) },
        ]
    );
}

#[tokio::test]
async fn content_and_tool_call_in_one_turn() {
    let server = serve(Script::sse(&[
        chunk(json!({"role": "assistant", "content": "Adding it."}), None),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                   "function": {"name": "create_todo", "arguments": "{\"title\":\"milk\"}"}}]}),
            None,
        ),
        chunk(json!({}), Some("tool_calls")),
    ]))
    .await;
    let done = provider(&server.base_url).complete(ask("milk").with_tools(tools())).await.unwrap();
    assert_eq!(done.content, "Adding it.");
    assert_eq!(done.tool_calls, vec![call("call_1", "create_todo", json!({"title": "milk"}))]);
}

// ---------------------------------------------------------------------------------------------------
// (c) Ollama's OpenAI-compatible tool calls

#[tokio::test]
async fn ollama_parallel_calls_with_index_zero_or_no_index() {
    let paris = json!({"id": "call_v5rjf6ue", "index": 0, "type": "function",
                       "function": {"name": "set_reminder", "arguments": "{\"at\":\"09:00\",\"text\":\"Paris\"}"}});
    let tokyo = json!({"id": "call_k0pd2zq1", "index": 0, "type": "function",
                       "function": {"name": "set_reminder", "arguments": "{\"at\":\"21:00\",\"text\":\"Tokyo\"}"}});
    let strip_index = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("index");
        v
    };
    let variants: Vec<(&str, Vec<Value>)> = vec![
        // Both calls in one delta, both index 0.
        (
            "one delta, index 0",
            vec![ollama_chunk(
                json!({"role": "assistant", "content": "", "tool_calls": [paris, tokyo]}),
                None,
            )],
        ),
        // One delta per call, both index 0.
        (
            "two deltas, index 0",
            vec![
                ollama_chunk(json!({"role": "assistant", "content": "", "tool_calls": [paris]}), None),
                ollama_chunk(json!({"role": "assistant", "content": "", "tool_calls": [tokyo]}), None),
            ],
        ),
        // Older Ollama: no index at all.
        (
            "no index",
            vec![
                ollama_chunk(
                    json!({"role": "assistant", "content": "", "tool_calls": [strip_index(&paris)]}),
                    None,
                ),
                ollama_chunk(
                    json!({"role": "assistant", "content": "", "tool_calls": [strip_index(&tokyo)]}),
                    None,
                ),
            ],
        ),
    ];
    let want = vec![
        call("call_v5rjf6ue", "set_reminder", json!({"at": "09:00", "text": "Paris"})),
        call("call_k0pd2zq1", "set_reminder", json!({"at": "21:00", "text": "Tokyo"})),
    ];
    for (label, mut chunks) in variants {
        chunks.push(ollama_chunk(json!({"role": "assistant", "content": ""}), Some("tool_calls")));
        let server = serve(Script::sse(&chunks)).await;
        let done =
            provider(&server.base_url).complete(ask("two reminders").with_tools(tools())).await.unwrap();
        assert_eq!(done.tool_calls, want, "{label}");
        assert_eq!(done.content, "", "{label}");
        assert_eq!(done.finish_reason.as_deref(), Some("tool_calls"), "{label}");
    }
}

#[tokio::test]
async fn calls_without_ids_and_object_arguments_get_generated_ids() {
    let server = serve(Script::sse(&[
        ollama_chunk(
            json!({"role": "assistant", "content": "", "tool_calls": [
                {"type": "function", "function": {"name": "create_todo", "arguments": {"title": "milk"}}},
                {"type": "function", "function": {"name": "create_todo", "arguments": "{\"title\":\"eggs\"}"}},
                {"type": "function", "function": {"name": "set_reminder", "arguments": ""}}
            ]}),
            None,
        ),
        ollama_chunk(json!({"role": "assistant", "content": ""}), Some("tool_calls")),
    ]))
    .await;
    let done = provider(&server.base_url).complete(ask("shopping").with_tools(tools())).await.unwrap();
    assert_eq!(
        done.tool_calls,
        vec![
            call("call_0", "create_todo", json!({"title": "milk"})),
            call("call_1", "create_todo", json!({"title": "eggs"})),
            call("call_2", "set_reminder", json!({})),
        ]
    );
}

// ---------------------------------------------------------------------------------------------------
// (d) bytes split anywhere, CRLF, comments

#[tokio::test]
async fn split_reads_crlf_and_keepalive_comments() {
    let tokens = ["Grüße", ", 世界", " 🦀", " ok"];
    let mut text = String::from(": OPENROUTER PROCESSING\r\n\r\n");
    for (i, token) in tokens.iter().enumerate() {
        let data = chunk(json!({"content": token}), None);
        // Alternate `data:` with and without the space, and sprinkle event/id fields and keep-alives.
        if i % 2 == 0 {
            text.push_str(&format!("event: message\r\nid: {i}\r\ndata: {data}\r\n\r\n"));
        } else {
            text.push_str(&format!("data:{data}\r\n\r\n: keep-alive\r\n\r\n"));
        }
    }
    let call_chunk = chunk(
        json!({"tool_calls": [{"index": 0, "id": "call_ü", "type": "function",
                               "function": {"name": "create_todo", "arguments": "{\"title\":\"naïve 🦀\"}"}}]}),
        None,
    );
    text.push_str(&format!("data: {call_chunk}\r\n\r\n"));
    text.push_str(&format!("data: {}\r\n\r\n", chunk(json!({}), Some("tool_calls"))));
    text.push_str("data: [DONE]\r\n\r\n");

    // Cut into pieces of 1, 2, 3, 5, 7 and 11 bytes in turn, and also right after the first byte of every
    // multi-byte character, so that each of them reaches the client in two reads.
    let bytes = text.as_bytes();
    let mut cuts = std::collections::BTreeSet::new();
    let mut at = 0;
    for size in [1usize, 2, 3, 5, 7, 11].into_iter().cycle() {
        at += size;
        if at >= bytes.len() {
            break;
        }
        cuts.insert(at);
    }
    let multibyte: Vec<usize> =
        text.char_indices().filter(|(_, c)| c.len_utf8() > 1).map(|(i, _)| i + 1).collect();
    cuts.extend(multibyte.iter().copied());
    let mut pieces = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        pieces.push(bytes[from..cut].to_vec());
        from = cut;
    }
    assert!(multibyte.len() >= 8, "the script must contain multi-byte characters");
    assert_eq!(pieces.concat(), bytes);

    let mut script = Script::raw(pieces);
    script.delay = Duration::from_millis(1);
    let server = serve(script).await;
    let (events, error) = events(&provider(&server.base_url), ask("hi")).await;
    assert_eq!(error, None);
    assert_eq!(text_of(&events), "Grüße, 世界 🦀 ok");
    assert_eq!(
        events[events.len() - 2..],
        [
            StreamEvent::ToolCalls(vec![call("call_ü", "create_todo", json!({"title": "naïve 🦀"}))]),
            StreamEvent::Done { finish_reason: Some("tool_calls".into()) },
        ]
    );
}

// ---------------------------------------------------------------------------------------------------
// (e) timeouts

#[tokio::test]
async fn stall_after_first_chunk_hits_idle_timeout() {
    let mut script = Script::raw(vec![
        format!("data: {}\n\n", chunk(json!({"role": "assistant", "content": "Let me"}), None)).into_bytes(),
    ]);
    script.tail = Tail::Stall;
    let server = serve(script).await;
    let mut cfg = config(&server.base_url);
    cfg.idle_timeout = Duration::from_millis(300);
    let p = OpenAiCompatible::new(cfg).unwrap();

    let started = Instant::now();
    let (events, error) = events(&p, ask("hi")).await;
    let error = error.expect("the stall must end in an error");
    assert_eq!(events, vec![StreamEvent::Token("Let me".into())]);
    assert_eq!(error, LlmError::Timeout { stage: TimeoutStage::Idle });
    assert_eq!(error.reason_code(), "model_timeout");
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn no_headers_hits_first_byte_timeout() {
    let mut script = Script::sse(&[chunk(json!({"content": "late"}), Some("stop"))]);
    script.header_delay = Duration::from_secs(60);
    let server = serve(script).await;
    let mut cfg = config(&server.base_url);
    cfg.first_byte_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = OpenAiCompatible::new(cfg).unwrap().chat(ask("hi")).await.err().expect("must time out");
    assert_eq!(err, LlmError::Timeout { stage: TimeoutStage::FirstByte });
    assert_eq!(err.reason_code(), "model_timeout");
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn headers_but_no_body_hits_first_byte_timeout() {
    let mut script = Script::raw(vec![]);
    script.tail = Tail::Stall;
    let server = serve(script).await;
    let mut cfg = config(&server.base_url);
    cfg.first_byte_timeout = Duration::from_millis(300);
    let (events, error) = events(&OpenAiCompatible::new(cfg).unwrap(), ask("hi")).await;
    assert!(events.is_empty());
    assert_eq!(error, Some(LlmError::Timeout { stage: TimeoutStage::FirstByte }));
}

#[tokio::test]
async fn endless_keepalives_hit_total_timeout_not_idle() {
    let mut script =
        Script::raw(vec![format!("data: {}\n\n", chunk(json!({"content": "Thinking"}), None)).into_bytes()]);
    script.tail = Tail::Trickle(b": OPENROUTER PROCESSING\n\n".to_vec(), Duration::from_millis(50));
    let server = serve(script).await;
    let mut cfg = config(&server.base_url);
    cfg.idle_timeout = Duration::from_millis(400);
    cfg.total_timeout = Duration::from_millis(1200);
    let started = Instant::now();
    let (events, error) = events(&OpenAiCompatible::new(cfg).unwrap(), ask("hi")).await;
    assert_eq!(text_of(&events), "Thinking");
    // Keep-alives count as life, so only the total bound can end this.
    assert_eq!(error, Some(LlmError::Timeout { stage: TimeoutStage::Total }));
    assert!(started.elapsed() >= Duration::from_millis(1100), "ended after {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------------
// (f) garbage

#[tokio::test]
async fn invalid_tool_arguments_are_reported_with_the_raw_text() {
    let server = serve(Script::sse(&[
        chunk(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"index": 0, "id": "call_bad", "type": "function", "function": {"name": "create_todo", "arguments": ""}}
            ]}),
            None,
        ),
        chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"title\": \"milk"}}]}), None),
        chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "\", due: tomorrow}"}}]}), None),
        chunk(json!({}), Some("tool_calls")),
    ]))
    .await;
    let err = provider(&server.base_url).complete(ask("milk").with_tools(tools())).await.unwrap_err();
    assert_eq!(
        err,
        LlmError::InvalidToolArguments {
            name: "create_todo".into(),
            raw: "{\"title\": \"milk\", due: tomorrow}".into()
        }
    );
    assert_eq!(err.reason_code(), "invalid_tool_arguments");
}

#[tokio::test]
async fn non_json_data_line_is_a_clear_error() {
    let server = serve(Script::raw(vec![
        format!("data: {}\n\n", chunk(json!({"content": "Hi"}), None)).into_bytes(),
        b"data: <html>502 Bad Gateway</html>\n\n".to_vec(),
        b"data: [DONE]\n\n".to_vec(),
    ]))
    .await;
    let (events, error) = events(&provider(&server.base_url), ask("hi")).await;
    assert_eq!(text_of(&events), "Hi");
    let error = error.expect("garbage must be an error");
    assert_eq!(error.reason_code(), "model_bad_response");
    assert!(error.to_string().contains("502 Bad Gateway"), "{error}");
}

#[tokio::test]
async fn error_object_mid_stream_is_an_error() {
    let server = serve(Script::sse(&[
        chunk(json!({"content": "Partial"}), None),
        json!({"id": "gen-1", "object": "chat.completion.chunk", "error": {"code": 502, "message": "Provider disconnected"},
               "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}),
    ]))
    .await;
    let (events, error) = events(&provider(&server.base_url), ask("hi")).await;
    assert_eq!(text_of(&events), "Partial");
    let error = error.unwrap();
    assert_eq!(error, LlmError::Provider { message: "Provider disconnected".into() });
    assert_eq!(error.reason_code(), "model_provider_error");
}

#[tokio::test]
async fn connection_closed_mid_answer_is_interrupted() {
    let server = serve(Script::raw(vec![
        format!("data: {}\n\n", chunk(json!({"content": "Half an"}), None)).into_bytes(),
    ]))
    .await;
    let (events, error) = events(&provider(&server.base_url), ask("hi")).await;
    assert_eq!(text_of(&events), "Half an");
    assert_eq!(error.unwrap().reason_code(), "model_stream_interrupted");
}

// ---------------------------------------------------------------------------------------------------
// (g) HTTP errors

async fn chat_error(script: Script, api_key: Option<&str>) -> LlmError {
    let server = serve(script).await;
    let mut cfg = config(&server.base_url);
    cfg.api_key = api_key.map(str::to_owned);
    OpenAiCompatible::new(cfg).unwrap().chat(ask("hi")).await.err().expect("expected an HTTP error")
}

#[tokio::test]
async fn ollama_model_not_found() {
    let err = chat_error(
        Script::status(
            404,
            "application/json",
            r#"{"error":"model \"llama3.2\" not found, try pulling it first"}"#,
        ),
        None,
    )
    .await;
    assert_eq!(
        err,
        LlmError::ModelNotFound {
            model: "llama3.2".into(),
            body_excerpt: "model \"llama3.2\" not found, try pulling it first".into()
        }
    );
    assert_eq!(err.reason_code(), "model_not_found");
}

#[tokio::test]
async fn wrong_path_404_is_endpoint_not_found() {
    let err = chat_error(Script::status(404, "text/plain", "404 page not found"), None).await;
    assert_eq!(err.reason_code(), "model_endpoint_not_found");
    assert!(err.to_string().contains("/v1/chat/completions"), "{err}");
}

#[tokio::test]
async fn unauthorized_never_shows_the_key() {
    let key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    let body = format!(
        r#"{{"error":{{"message":"Incorrect API key provided: {key}. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}}}"#
    );
    let err = chat_error(Script::status(401, "application/json", &body), Some(key)).await;
    assert!(matches!(err, LlmError::Auth { status: 401, .. }), "{err:?}");
    assert_eq!(err.reason_code(), "model_auth_failed");
    assert!(!format!("{err} {err:?}").contains(key), "{err:?}");
    assert!(err.to_string().contains("Incorrect API key provided"), "{err}");
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let err = chat_error(
        Script::status(
            429,
            "application/json",
            r#"{"error":{"message":"Rate limit reached for requests","type":"requests"}}"#,
        )
        .header("retry-after", "7"),
        None,
    )
    .await;
    assert_eq!(
        err,
        LlmError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            body_excerpt: "Rate limit reached for requests".into()
        }
    );
    assert_eq!(err.reason_code(), "model_rate_limited");
}

#[tokio::test]
async fn server_error_body_is_truncated() {
    let long = format!("upstream exploded: {}", "x".repeat(2000));
    let err = chat_error(Script::status(500, "text/plain", &long), None).await;
    match &err {
        LlmError::Server { status: 500, body_excerpt } => {
            assert!(body_excerpt.starts_with("upstream exploded"));
            assert!(body_excerpt.chars().count() <= 301, "{} chars", body_excerpt.chars().count());
        }
        other => panic!("expected Server, got {other:?}"),
    }
    assert_eq!(err.reason_code(), "model_server_error");
}

#[tokio::test]
async fn model_without_tool_support() {
    let err = chat_error(
        Script::status(400, "application/json", r#"{"error":{"message":"registry.ollama.ai/library/gemma:2b does not support tools","type":"api_error","param":null,"code":null}}"#),
        None,
    )
    .await;
    assert_eq!(err.reason_code(), "model_tools_unsupported");
}

#[tokio::test]
async fn html_page_instead_of_api() {
    let err = chat_error(
        Script::status(200, "text/html; charset=utf-8", "<!doctype html><title>Open WebUI</title>"),
        None,
    )
    .await;
    assert_eq!(err.reason_code(), "model_endpoint_not_found");
}

#[tokio::test]
async fn non_streamed_json_answer_is_accepted() {
    let body = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "llama3.2",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "",
            "tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "create_todo", "arguments": "{\"title\":\"tea\"}"}}]
        }}]
    });
    let server = serve(Script::status(200, "application/json", &body.to_string())).await;
    let done = provider(&server.base_url).complete(ask("tea").with_tools(tools())).await.unwrap();
    assert_eq!(done.tool_calls, vec![call("call_9", "create_todo", json!({"title": "tea"}))]);
    assert_eq!(done.finish_reason.as_deref(), Some("tool_calls"));
}

// ---------------------------------------------------------------------------------------------------
// (h) nothing listening

#[tokio::test]
async fn connection_refused_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    // A gateway-style key in the query string must not leak into the message.
    let p = provider(&format!("http://{addr}/v1?key=secret-in-query"));
    let err = p.chat(ask("hi")).await.err().expect("nothing listens there");
    assert!(!format!("{err} {err:?}").contains("secret-in-query"), "{err:?}");
    assert_eq!(err.reason_code(), "model_unreachable");
    assert!(matches!(&err, LlmError::Unreachable { url, .. } if url.contains(&addr.to_string())), "{err:?}");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
    assert_eq!(p.ping().await.unwrap_err().reason_code(), "model_unreachable");
    assert_eq!(p.complete(ask("hi")).await.unwrap_err().reason_code(), "model_unreachable");
}

// ---------------------------------------------------------------------------------------------------
// (i) what the server receives

#[tokio::test]
async fn request_body_and_auth_header() {
    let script = Script::sse(&[chunk(json!({"content": "ok"}), Some("stop"))]);
    let server = serve(script).await;
    let history = vec![
        ChatMessage::system("You are ClawChat."),
        ChatMessage::user("Remind me to call Mum at 6"),
        ChatMessage::assistant_tool_calls(
            "",
            vec![call("call_1", "set_reminder", json!({"at": "18:00", "text": "call Mum"}))],
        ),
        ChatMessage::tool_result("call_1", "{\"ok\":true}"),
        ChatMessage::assistant("Done."),
        ChatMessage::user("thanks"),
    ];

    // With a key, through the fully spelled base URL.
    let mut cfg = config(&format!("{}/v1/", server.base_url));
    cfg.api_key = Some("sk-test-123".to_owned());
    let p = OpenAiCompatible::new(cfg).unwrap();
    p.complete(ChatRequest::new(history.clone()).with_tools(tools()).with_temperature(0.7)).await.unwrap();

    // Without a key (and a blank one), through the bare host form, without tools.
    provider(&server.base_url).complete(ChatRequest::new(history.clone())).await.unwrap();
    let mut blank = config(&server.base_url);
    blank.api_key = Some("   ".to_owned());
    OpenAiCompatible::new(blank).unwrap().complete(ask("x")).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.method == "POST" && s.path == "/v1/chat/completions"));

    let with_key = &seen[0];
    assert_eq!(with_key.headers.get("authorization").unwrap(), "Bearer sk-test-123");
    assert_eq!(with_key.headers.get("content-type").unwrap(), "application/json");
    assert!(with_key.headers.get("accept").unwrap().to_str().unwrap().contains("text/event-stream"));
    assert_eq!(
        with_key.body,
        json!({
            "model": "llama3.2",
            "stream": true,
            "temperature": 0.7,
            "messages": [
                {"role": "system", "content": "You are ClawChat."},
                {"role": "user", "content": "Remind me to call Mum at 6"},
                {"role": "assistant", "content": "", "tool_calls": [{
                    "id": "call_1", "type": "function",
                    "function": {"name": "set_reminder", "arguments": "{\"at\":\"18:00\",\"text\":\"call Mum\"}"}
                }]},
                {"role": "tool", "content": "{\"ok\":true}", "tool_call_id": "call_1"},
                {"role": "assistant", "content": "Done."},
                {"role": "user", "content": "thanks"}
            ],
            "tools": [
                {"type": "function", "function": {
                    "name": "create_todo",
                    "description": "Add an item to the to-do list",
                    "parameters": {
                        "type": "object",
                        "properties": {"title": {"type": "string"}, "due": {"type": "string", "format": "date"}},
                        "required": ["title"]
                    }
                }},
                {"type": "function", "function": {
                    "name": "set_reminder",
                    "description": "Remind the user at a time",
                    "parameters": {"type": "object", "properties": {"at": {"type": "string"}, "text": {"type": "string"}}}
                }}
            ]
        })
    );

    for without_key in &seen[1..] {
        assert!(without_key.headers.get("authorization").is_none(), "{:?}", without_key.headers);
        let body = without_key.body.as_object().unwrap();
        assert!(!body.contains_key("tools"), "empty tools must not be sent");
        assert!(!body.contains_key("temperature"));
        assert_eq!(body["stream"], json!(true));
        assert_eq!(body["model"], json!("llama3.2"));
    }
}

// ---------------------------------------------------------------------------------------------------
// test connection

#[tokio::test]
async fn ping_lists_models_and_checks_the_configured_one() {
    let models = json!({"object": "list", "data": [
        {"id": "qwen2.5:7b", "object": "model", "created": 1_730_000_000, "owned_by": "library"},
        {"id": "llama3.2:latest", "object": "model", "created": 1_730_000_000, "owned_by": "library"}
    ]});
    let server =
        serve_with_models(Script::sse(&[]), Script::status(200, "application/json", &models.to_string()))
            .await;
    let mut cfg = config(&server.base_url);
    cfg.api_key = Some("sk-x".into());
    let p = OpenAiCompatible::new(cfg).unwrap();
    assert_eq!(p.list_models().await.unwrap(), vec!["qwen2.5:7b", "llama3.2:latest"]);
    let report = p.ping().await.unwrap();
    assert!(report.model_available, "llama3.2 is llama3.2:latest");
    assert_eq!(report.models.len(), 2);

    let seen = server.seen();
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/v1/models"));
    assert_eq!(seen[0].headers.get("authorization").unwrap(), "Bearer sk-x");

    // Ollama with nothing pulled answers `data: null`.
    let empty = serve_with_models(
        Script::sse(&[]),
        Script::status(200, "application/json", r#"{"object":"list","data":null}"#),
    )
    .await;
    let report = provider(&empty.base_url).ping().await.unwrap();
    assert!(report.models.is_empty());
    assert!(!report.model_available);

    let denied = serve_with_models(
        Script::sse(&[]),
        Script::status(
            401,
            "application/json",
            r#"{"error":{"message":"No auth credentials found","code":401}}"#,
        ),
    )
    .await;
    assert_eq!(provider(&denied.base_url).ping().await.unwrap_err().reason_code(), "model_auth_failed");
}

#[tokio::test]
async fn provider_works_as_a_trait_object() {
    let server = serve(Script::sse(&[chunk(json!({"content": "hey"}), Some("stop"))])).await;
    let p: Arc<dyn ModelProvider> = Arc::new(provider(&server.base_url));
    assert_eq!(p.model(), "llama3.2");
    assert_eq!(p.name(), "openai-compatible");
    // The stream is 'static and Send: it can outlive the borrow of the provider and move to a task.
    let stream = p.chat(ask("hi")).await.unwrap();
    let done = tokio::spawn(collect_completion(stream)).await.unwrap().unwrap();
    assert_eq!(done.content, "hey");
}

#[tokio::test]
async fn bad_settings_are_config_errors() {
    let err = OpenAiCompatible::new(config("localhost:11434")).unwrap_err();
    assert_eq!(err.reason_code(), "model_config_invalid");
    let mut cfg = config("http://localhost:11434");
    cfg.model = " ".into();
    assert_eq!(OpenAiCompatible::new(cfg).unwrap_err().reason_code(), "model_config_invalid");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn full_accept_queue_hits_connect_timeout() {
    // A listener that never accepts, with a backlog of one: once the queue holds finished handshakes, Linux
    // drops further SYNs, so a new connection hangs in connect like one to a black-holed host would.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => break,
        }
    }
    let mut cfg = config(&format!("http://{addr}"));
    cfg.connect_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = OpenAiCompatible::new(cfg).unwrap().chat(ask("hi")).await.err().expect("cannot connect");
    assert_eq!(err, LlmError::Timeout { stage: TimeoutStage::Connect }, "after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    drop((fillers, listener));
}
