//! Provider-neutral chat types.
//!
//! These are ClawChat's own shapes (what the assistant loop and the database see). Each provider maps
//! them to its wire format, so nothing here carries OpenAI-specific quirks such as arguments encoded as
//! a JSON string.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    #[serde(default)]
    pub content: String,
    /// Calls the assistant asked for (assistant messages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// The call this message answers (tool messages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    fn plain(role: Role, content: impl Into<String>) -> Self {
        Self { role, content: content.into(), tool_calls: None, tool_call_id: None }
    }

    pub fn system(content: impl Into<String>) -> Self {
        Self::plain(Role::System, content)
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self::plain(Role::User, content)
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self::plain(Role::Assistant, content)
    }

    /// An assistant turn that requested tool calls (content is usually empty).
    pub fn assistant_tool_calls(content: impl Into<String>, calls: Vec<ToolCall>) -> Self {
        Self { role: Role::Assistant, content: content.into(), tool_calls: Some(calls), tool_call_id: None }
    }

    /// The result of running a tool, answering the call with `tool_call_id`.
    pub fn tool_result(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: Role::Tool,
            content: content.into(),
            tool_calls: None,
            tool_call_id: Some(tool_call_id.into()),
        }
    }
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments object.
    pub parameters: Value,
}

/// A complete tool call requested by the model, arguments already parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: Value,
}

/// One request to a model. The model name comes from the provider's configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub messages: Vec<ChatMessage>,
    /// Sent only when non-empty: some servers reject an empty `tools` array.
    #[serde(default)]
    pub tools: Vec<ToolDef>,
    /// f64 rather than f32 so that 0.7 goes on the wire as 0.7, not 0.699999988079071.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

impl ChatRequest {
    pub fn new(messages: Vec<ChatMessage>) -> Self {
        Self { messages, tools: Vec::new(), temperature: None }
    }

    pub fn with_tools(mut self, tools: Vec<ToolDef>) -> Self {
        self.tools = tools;
        self
    }

    pub fn with_temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }
}

/// What a chat stream yields.
///
/// Order: any number of `Token`s, then at most one `ToolCalls` (complete, arguments parsed), then exactly
/// one `Done`. Nothing follows `Done` or an error.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// A piece of the assistant's visible text.
    Token(String),
    /// Every tool call of the turn, emitted once at the end.
    ToolCalls(Vec<ToolCall>),
    /// The model finished; `finish_reason` as the server reported it (`stop`, `length`, `tool_calls`...).
    Done { finish_reason: Option<String> },
}

/// A whole answer, for callers that do not stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<String>,
}

/// Result of the settings page's "test connection" button.
#[derive(Debug, Clone, PartialEq)]
pub struct PingReport {
    /// Models the server lists, as it names them.
    pub models: Vec<String>,
    /// Whether the configured model is among them. Ollama lists `llama3.2:latest` for a model configured
    /// as `llama3.2`, so the `:latest` tag is ignored in this comparison.
    pub model_available: bool,
    pub latency: std::time::Duration,
}
