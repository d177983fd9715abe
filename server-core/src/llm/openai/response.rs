//! The incoming side of a chat turn: the chunks servers send (streamed or as one JSON document), the
//! quirks they differ by, and how a turn's chunks become [`StreamEvent`]s.

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::Value;

use super::super::error::LlmError;
use super::super::sse::SseEvent;
use super::super::tool_calls::{ToolCallAssembler, ToolCallFragment};
use super::super::types::StreamEvent;
use super::errors::{error_body_message, json_error_message, sanitize};

// Response wire format. Every field is optional and loosely typed: servers differ in what they leave out
// or set to null, and an unexpected null must not turn a good answer into an error.

#[derive(Deserialize)]
pub(super) struct WireChunk {
    choices: Option<Vec<WireChoice>>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct WireChoice {
    index: Option<u64>,
    delta: Option<WireDelta>,
    /// Non-streamed answers (and a few streaming servers) put the message here instead of in `delta`.
    message: Option<WireDelta>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireDelta {
    content: Option<Value>,
    tool_calls: Option<Vec<WireToolCallFragment>>,
    /// Legacy single-call format.
    function_call: Option<WireFunctionFragment>,
}

#[derive(Deserialize)]
struct WireToolCallFragment {
    index: Option<u64>,
    id: Option<String>,
    function: Option<WireFunctionFragment>,
}

#[derive(Deserialize)]
struct WireFunctionFragment {
    name: Option<String>,
    arguments: Option<Value>,
}

#[derive(Deserialize)]
pub(super) struct WireModelList {
    /// Ollama sends `null` when no model is installed.
    pub(super) data: Option<Vec<WireModel>>,
}

#[derive(Deserialize)]
pub(super) struct WireModel {
    pub(super) id: String,
}

// ---------------------------------------------------------------------------------------------------
// Turning chunks into events

/// What has been learned about the answer so far.
#[derive(Default)]
pub(super) struct Turn {
    tool_calls: ToolCallAssembler,
    pub(super) finish_reason: Option<String>,
    /// Whether any event with data arrived (to tell "cut off" from "not an event stream at all").
    pub(super) saw_event: bool,
}

pub(super) type Pending = VecDeque<Result<StreamEvent, LlmError>>;

impl Turn {
    fn apply(&mut self, chunk: WireChunk, key: Option<&str>, out: &mut Pending) -> Result<(), LlmError> {
        if let Some(error) = chunk.error.filter(|e| !e.is_null()) {
            return Err(LlmError::Provider { message: sanitize(&json_error_message(&error), key) });
        }
        for choice in chunk.choices.unwrap_or_default() {
            // Only one completion is requested; other indexes would be someone else's `n > 1`.
            if choice.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.delta.or(choice.message) {
                self.apply_delta(delta, out);
            }
            match choice.finish_reason.filter(|r| !r.is_empty()) {
                // OpenRouter marks a provider failure this way, sometimes without an `error` object.
                Some(reason) if reason == "error" => {
                    return Err(LlmError::Provider {
                        message: "the model stopped with finish_reason \"error\"".to_owned(),
                    });
                }
                Some(reason) => self.finish_reason = Some(reason),
                None => {}
            }
        }
        Ok(())
    }

    fn apply_delta(&mut self, delta: WireDelta, out: &mut Pending) {
        let text = match delta.content {
            Some(Value::String(text)) => text,
            // Content given as parts: keep the text parts.
            Some(Value::Array(parts)) => {
                parts.iter().filter_map(|part| part.get("text").and_then(Value::as_str)).collect()
            }
            _ => String::new(),
        };
        if !text.is_empty() {
            out.push_back(Ok(StreamEvent::Token(text)));
        }
        let tool_calls = delta.tool_calls.unwrap_or_default();
        // llama.cpp's Python server mirrors every `tool_calls` fragment in the legacy
        // `function_call` of the same delta; read both and each argument piece counts twice.
        let legacy = delta.function_call.filter(|_| tool_calls.is_empty());
        for fragment in tool_calls {
            let (name, arguments) = match fragment.function {
                Some(function) => (function.name, function.arguments),
                None => (None, None),
            };
            self.tool_calls.push(ToolCallFragment {
                index: fragment.index,
                id: fragment.id,
                name,
                arguments,
            });
        }
        if let Some(function) = legacy {
            self.tool_calls.push(ToolCallFragment {
                index: None,
                id: None,
                name: function.name,
                arguments: function.arguments,
            });
        }
    }

    /// Handles one SSE event; returns whether it was the `[DONE]` marker.
    pub(super) fn handle_event(
        &mut self,
        event: SseEvent,
        key: Option<&str>,
        out: &mut Pending,
    ) -> Result<bool, LlmError> {
        let data = event.data.trim();
        if data.is_empty() {
            return Ok(false);
        }
        self.saw_event = true;
        if data == "[DONE]" {
            return Ok(true);
        }
        if event.event.as_deref() == Some("error") {
            return Err(LlmError::Provider { message: sanitize(&error_body_message(data), key) });
        }
        match serde_json::from_str::<WireChunk>(data) {
            Ok(chunk) => self.apply(chunk, key, out).map(|()| false),
            // Non-conforming servers separate chunks by a single newline, which SSE joins into one event.
            Err(_) if data.contains('\n') => {
                let mut done = false;
                for line in data.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    let line = line.strip_prefix("data:").map(str::trim_start).unwrap_or(line);
                    if line == "[DONE]" {
                        done = true;
                        break;
                    }
                    let chunk = parse_chunk(line, key)?;
                    self.apply(chunk, key, out)?;
                }
                Ok(done)
            }
            Err(_) => parse_chunk(data, key).map(|_| false),
        }
    }

    /// Ends the turn: the complete tool calls, then `Done`.
    pub(super) fn finish(&mut self, out: &mut Pending) {
        let assembler = std::mem::take(&mut self.tool_calls);
        match assembler.finish() {
            Ok(calls) => {
                if !calls.is_empty() {
                    out.push_back(Ok(StreamEvent::ToolCalls(calls)));
                }
                out.push_back(Ok(StreamEvent::Done { finish_reason: self.finish_reason.take() }));
            }
            Err(e) => out.push_back(Err(e)),
        }
    }
}

fn parse_chunk(data: &str, key: Option<&str>) -> Result<WireChunk, LlmError> {
    serde_json::from_str(data).map_err(|e| LlmError::Protocol {
        detail: format!("expected a JSON chunk, got {:?} ({e})", sanitize(data, key)),
    })
}

/// Events of a server that answered with a single JSON document instead of a stream.
pub(super) fn events_from_json_body(body: &[u8], key: Option<&str>) -> Pending {
    let mut turn = Turn::default();
    let mut out = Pending::new();
    let text = String::from_utf8_lossy(body);
    match parse_chunk(&text, key).and_then(|chunk| turn.apply(chunk, key, &mut out)) {
        Ok(()) => turn.finish(&mut out),
        Err(e) => out.push_back(Err(e)),
    }
    out
}
