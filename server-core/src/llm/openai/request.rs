//! The outgoing JSON of a chat turn, in OpenAI's shapes.

use serde::Serialize;
use serde_json::Value;

use super::super::types::{ChatMessage, ChatRequest, ToolDef};

#[derive(Serialize)]
pub(super) struct WireRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    stream: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
}

impl<'a> WireRequest<'a> {
    pub(super) fn new(model: &'a str, request: &'a ChatRequest, max_tokens: Option<u32>) -> Self {
        Self {
            model,
            messages: request.messages.iter().map(WireMessage::from).collect(),
            stream: true,
            tools: request.tools.iter().map(WireTool::from).collect(),
            temperature: request.temperature,
            max_tokens,
        }
    }
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    /// Always a string, never null: Ollama rejects `content: null` ("invalid message content type: <nil>")
    /// even on assistant turns that only carry tool calls, and OpenAI accepts "" there.
    content: &'a str,
    /// Omitted rather than empty: OpenAI rejects `tool_calls: []`.
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<WireToolCall<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
}

impl<'a> From<&'a ChatMessage> for WireMessage<'a> {
    fn from(message: &'a ChatMessage) -> Self {
        let tool_calls = message.tool_calls.as_ref().filter(|calls| !calls.is_empty()).map(|calls| {
            calls
                .iter()
                .map(|call| WireToolCall {
                    id: &call.id,
                    kind: "function",
                    function: WireFunctionCall {
                        name: &call.name,
                        // OpenAI wants the arguments as a string holding JSON.
                        arguments: call.arguments.to_string(),
                    },
                })
                .collect()
        });
        Self {
            role: message.role.as_str(),
            content: &message.content,
            tool_calls,
            tool_call_id: message.tool_call_id.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct WireToolCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireFunctionCall<'a>,
}

#[derive(Serialize)]
struct WireFunctionCall<'a> {
    name: &'a str,
    arguments: String,
}

#[derive(Serialize)]
struct WireTool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireFunction<'a>,
}

impl<'a> From<&'a ToolDef> for WireTool<'a> {
    fn from(tool: &'a ToolDef) -> Self {
        Self {
            kind: "function",
            function: WireFunction {
                name: &tool.name,
                description: &tool.description,
                parameters: &tool.parameters,
            },
        }
    }
}

#[derive(Serialize)]
struct WireFunction<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a Value,
}
