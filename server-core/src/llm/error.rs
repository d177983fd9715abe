//! Errors of the model providers.
//!
//! Every variant maps to a stable snake_case `reason_code`, which the product reports as
//! `fallback_reason` when it falls back from the model to the built-in parser. Messages are written for
//! the settings page and the logs: they never contain the API key, and server bodies are cut short.

use std::fmt;
use std::time::Duration;

/// Longest server body (in characters) kept in an error.
pub const BODY_EXCERPT_CHARS: usize = 300;

/// Which wait ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeoutStage {
    /// Opening the TCP/TLS connection.
    Connect,
    /// From sending the request to the response headers and its first body bytes.
    FirstByte,
    /// Silence between two pieces of the body once it started.
    Idle,
    /// The whole exchange.
    Total,
}

impl TimeoutStage {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeoutStage::Connect => "connect",
            TimeoutStage::FirstByte => "first_byte",
            TimeoutStage::Idle => "idle",
            TimeoutStage::Total => "total",
        }
    }
}

impl fmt::Display for TimeoutStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// The provider settings cannot work (bad base URL, TLS setup failed...).
    #[error("model provider misconfigured: {detail}")]
    Config { detail: String },

    /// Nothing answered at the address (connection refused, DNS failure, TLS handshake failure).
    #[error("model server unreachable at {url}: {detail}")]
    Unreachable { url: String, detail: String },

    #[error("model server timed out ({stage})")]
    Timeout { stage: TimeoutStage },

    /// 401/403: missing, wrong or unauthorised API key.
    #[error("model server refused the credentials (HTTP {status}): {body_excerpt}")]
    Auth { status: u16, body_excerpt: String },

    /// 404 naming the model, e.g. Ollama's `model "x" not found, try pulling it first`.
    #[error("model {model:?} not found on the server: {body_excerpt}")]
    ModelNotFound { model: String, body_excerpt: String },

    /// 404 that does not mention a model: the base URL most likely points at the wrong place.
    #[error("no chat endpoint at {url} (HTTP 404): {body_excerpt}")]
    EndpointNotFound { url: String, body_excerpt: String },

    #[error("model server rate limit hit{}: {body_excerpt}", retry_after_text(.retry_after))]
    RateLimited { retry_after: Option<Duration>, body_excerpt: String },

    /// 400 saying the model cannot use tools (Ollama: `... does not support tools`). The caller can retry
    /// without tools or fall back to the built-in parser.
    #[error("model {model:?} does not support tool calling: {body_excerpt}")]
    ToolsUnsupported { model: String, body_excerpt: String },

    /// Any other 4xx.
    #[error("model server rejected the request (HTTP {status}): {body_excerpt}")]
    Rejected { status: u16, body_excerpt: String },

    /// 5xx.
    #[error("model server error (HTTP {status}): {body_excerpt}")]
    Server { status: u16, body_excerpt: String },

    /// An `{"error": ...}` object inside an otherwise successful stream.
    #[error("model server reported an error mid-answer: {message}")]
    Provider { message: String },

    /// The server answered something that is not the expected protocol.
    #[error("model server sent an unreadable answer: {detail}")]
    Protocol { detail: String },

    /// The answer stopped before the model said it was finished.
    #[error("model answer was cut off: {detail}")]
    Interrupted { detail: String },

    /// A tool call's arguments are not valid JSON. `raw` is what the model produced, complete, so the caller
    /// can hand it to the built-in parser.
    #[error("model produced invalid JSON arguments for tool {name:?}: {}", excerpt(.raw))]
    InvalidToolArguments { name: String, raw: String },
}

impl LlmError {
    /// Stable identifier reported as `fallback_reason`. Never change an existing value.
    pub fn reason_code(&self) -> &'static str {
        match self {
            LlmError::Config { .. } => "model_config_invalid",
            LlmError::Unreachable { .. } => "model_unreachable",
            LlmError::Timeout { .. } => "model_timeout",
            LlmError::Auth { .. } => "model_auth_failed",
            LlmError::ModelNotFound { .. } => "model_not_found",
            LlmError::EndpointNotFound { .. } => "model_endpoint_not_found",
            LlmError::RateLimited { .. } => "model_rate_limited",
            LlmError::ToolsUnsupported { .. } => "model_tools_unsupported",
            LlmError::Rejected { .. } => "model_request_rejected",
            LlmError::Server { .. } => "model_server_error",
            LlmError::Provider { .. } => "model_provider_error",
            LlmError::Protocol { .. } => "model_bad_response",
            LlmError::Interrupted { .. } => "model_stream_interrupted",
            LlmError::InvalidToolArguments { .. } => "invalid_tool_arguments",
        }
    }

    /// Whether trying the same request again later may succeed without the user changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            LlmError::Unreachable { .. }
                | LlmError::Timeout { .. }
                | LlmError::RateLimited { .. }
                | LlmError::Server { .. }
                | LlmError::Provider { .. }
                | LlmError::Interrupted { .. }
        )
    }
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {}s)", d.as_secs_f64()),
        None => String::new(),
    }
}

/// Cuts `text` to [`BODY_EXCERPT_CHARS`] characters (not bytes, so never inside a UTF-8 sequence).
pub(crate) fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(BODY_EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_char_boundaries() {
        let long = "é".repeat(BODY_EXCERPT_CHARS + 10);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), BODY_EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt("  short  "), "short");
    }

    #[test]
    fn display_of_invalid_arguments_is_bounded() {
        let err = LlmError::InvalidToolArguments { name: "t".into(), raw: "x".repeat(10_000) };
        assert!(err.to_string().len() < 500);
        assert_eq!(err.reason_code(), "invalid_tool_arguments");
    }
}
