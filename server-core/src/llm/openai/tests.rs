//! Tests of the OpenAI-compatible provider: streamed and single-document answers, error bodies, and the
//! outgoing request shape.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use tokio::time::Instant;

use super::super::error::LlmError;
use super::super::types::{ChatMessage, ChatRequest, StreamEvent, ToolCall};
use super::errors::{error_body_message, parse_retry_after};
use super::request::WireRequest;
use super::response::events_from_json_body;
use super::stream::{StreamTiming, sse_chat_stream};

fn timing() -> StreamTiming {
    let now = Instant::now();
    StreamTiming {
        first_byte_deadline: now + Duration::from_secs(5),
        total_deadline: now + Duration::from_secs(10),
        idle_timeout: Duration::from_secs(5),
    }
}

async fn run(pieces: Vec<&'static [u8]>) -> Vec<Result<StreamEvent, LlmError>> {
    let body = futures::stream::iter(pieces.into_iter().map(Ok::<_, LlmError>));
    sse_chat_stream(body, timing(), Some("sk-secret".to_owned())).collect().await
}

#[tokio::test]
async fn legacy_function_call_becomes_one_call() {
    let events = run(vec![
        b"data: {\"choices\":[{\"delta\":{\"function_call\":{\"name\":\"f\",\"arguments\":\"\"}}}]}\n\n",
        b"data: {\"choices\":[{\"delta\":{\"function_call\":{\"arguments\":\"{\\\"a\\\":\"}}}]}\n\n",
        b"data: {\"choices\":[{\"delta\":{\"function_call\":{\"arguments\":\"1}\"}}}]}\n\n",
        b"data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"function_call\"}]}\n\ndata: [DONE]\n\n",
    ])
    .await;
    let calls = vec![ToolCall { id: "call_0".into(), name: "f".into(), arguments: json!({"a": 1}) }];
    assert_eq!(
        events,
        vec![
            Ok(StreamEvent::ToolCalls(calls)),
            Ok(StreamEvent::Done { finish_reason: Some("function_call".into()) })
        ]
    );
}

#[tokio::test]
async fn close_without_done_after_finish_reason_is_fine_but_before_is_cut_off() {
    let ok =
        run(vec![b"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"length\"}]}\n\n"])
            .await;
    assert_eq!(
        ok,
        vec![
            Ok(StreamEvent::Token("hi".into())),
            Ok(StreamEvent::Done { finish_reason: Some("length".into()) })
        ]
    );
    let cut = run(vec![b"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"]).await;
    assert_eq!(cut.len(), 2);
    assert_eq!(cut[1].as_ref().unwrap_err().reason_code(), "model_stream_interrupted");
    let nothing = run(vec![b"<html>hello</html>"]).await;
    assert_eq!(nothing[0].as_ref().unwrap_err().reason_code(), "model_bad_response");
}

#[tokio::test]
async fn newline_separated_chunks_and_errors_keep_the_key_out() {
    let joined = run(vec![
        b"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\ndata: {\"choices\":[{\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n\n",
    ])
    .await;
    assert_eq!(joined.len(), 3, "{joined:?}");
    let failed = run(vec![b"data: {\"error\":{\"message\":\"bad key sk-secret\"}}\n\n"]).await;
    let err = failed[0].as_ref().unwrap_err();
    assert_eq!(err.reason_code(), "model_provider_error");
    assert!(!err.to_string().contains("sk-secret"), "{err}");
}

#[test]
fn json_body_answers_are_understood() {
    let body = br#"{"choices":[{"index":0,"message":{"role":"assistant","content":"ok","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#;
    let events: Vec<_> = events_from_json_body(body, None).into_iter().collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0], Ok(StreamEvent::Token("ok".into())));
}

#[test]
fn retry_after_and_error_bodies() {
    assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
    assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    assert_eq!(parse_retry_after("-1"), None);
    assert_eq!(error_body_message(r#"{"error":"model \"x\" not found"}"#), "model \"x\" not found");
    assert_eq!(error_body_message(r#"{"error":{"message":"nope","type":"x"}}"#), "nope");
    assert_eq!(error_body_message("404 page not found\n"), "404 page not found");
}

#[test]
fn outgoing_messages_use_openai_shapes() {
    let request = ChatRequest::new(vec![
        ChatMessage::assistant_tool_calls(
            "",
            vec![ToolCall { id: "c1".into(), name: "f".into(), arguments: json!({"a": 1}) }],
        ),
        ChatMessage::tool_result("c1", "done"),
        ChatMessage::assistant_tool_calls("x", vec![]),
    ]);
    let wire = serde_json::to_value(WireRequest::new("m", &request, None)).unwrap();
    assert_eq!(
        wire,
        json!({
            "model": "m",
            "stream": true,
            "messages": [
                {"role": "assistant", "content": "", "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}
                ]},
                {"role": "tool", "content": "done", "tool_call_id": "c1"},
                {"role": "assistant", "content": "x"}
            ]
        })
    );
    // A limit on the answer's length goes as `max_tokens` when one is set, and only then.
    let wire = serde_json::to_value(WireRequest::new("m", &request, Some(64))).unwrap();
    assert_eq!(wire["max_tokens"], 64);
}
