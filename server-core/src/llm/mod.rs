//! Model providers: how the assistant talks to a language model.
//!
//! A [`ModelProvider`] streams one assistant turn as [`StreamEvent`]s. [`OpenAiCompatible`] covers every
//! server with an OpenAI-style chat-completions API, including Ollama (the default, on this machine).
//!
//! The trait returns boxed futures and streams rather than using `async fn` so that it stays object-safe:
//! the active provider is swapped at runtime from the settings page and held as `Arc<dyn ModelProvider>`.

mod config;
mod error;
mod openai;
mod sse;
mod tool_calls;
mod types;

use std::time::Instant;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

pub use config::{DEFAULT_BASE_URL, ProviderConfig, normalize_base_url};
pub use error::{BODY_EXCERPT_CHARS, LlmError, TimeoutStage};
pub use openai::OpenAiCompatible;
#[cfg(feature = "fuzzing")]
pub use openai::decode_pieces;
pub use types::{ChatMessage, ChatRequest, Completion, PingReport, Role, StreamEvent, ToolCall, ToolDef};

/// One assistant turn as it streams. Owns everything it needs (`'static`), so it can be moved into a
/// task or a websocket handler; dropping it cancels the request.
pub type ChatStream = BoxStream<'static, Result<StreamEvent, LlmError>>;

pub trait ModelProvider: Send + Sync {
    /// Short label of the kind of server (`ollama`, `openai`, `openrouter`, `openai-compatible`).
    fn name(&self) -> &str;

    /// The model every request uses.
    fn model(&self) -> &str;

    /// Starts a turn. Resolves once the server accepted the request (HTTP errors such as a missing model
    /// surface here); the answer then arrives through the stream, which ends with `Done` or an error.
    fn chat(&self, request: ChatRequest) -> BoxFuture<'_, Result<ChatStream, LlmError>>;

    /// Names of the models the server offers (`GET {base}/v1/models`).
    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, LlmError>>;

    /// The settings page's "test connection": reaches the server, checks the credentials and whether the
    /// configured model is there, without generating anything.
    fn ping(&self) -> BoxFuture<'_, Result<PingReport, LlmError>> {
        Box::pin(async move {
            let started = Instant::now();
            let models = self.list_models().await?;
            let model_available = models.iter().any(|listed| same_model(listed, self.model()));
            Ok(PingReport { models, model_available, latency: started.elapsed() })
        })
    }

    /// The whole turn at once, for callers that do not stream.
    fn complete(&self, request: ChatRequest) -> BoxFuture<'_, Result<Completion, LlmError>> {
        Box::pin(async move { collect_completion(self.chat(request).await?).await })
    }
}

/// Drains a stream into a [`Completion`]. Fails with the first error, dropping the text received so far:
/// a partial answer is not something to act on.
pub async fn collect_completion(mut stream: ChatStream) -> Result<Completion, LlmError> {
    let mut completion = Completion::default();
    while let Some(event) = stream.next().await {
        match event? {
            StreamEvent::Token(text) => completion.content.push_str(&text),
            StreamEvent::ToolCalls(calls) => completion.tool_calls.extend(calls),
            StreamEvent::Done { finish_reason } => {
                completion.finish_reason = finish_reason;
                break;
            }
        }
    }
    Ok(completion)
}

/// Ollama lists `llama3.2:latest` for what users configure as `llama3.2`.
fn same_model(listed: &str, configured: &str) -> bool {
    let strip = |name: &str| name.trim().strip_suffix(":latest").unwrap_or(name.trim()).to_owned();
    strip(listed) == strip(configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_match_modulo_latest_tag() {
        assert!(same_model("llama3.2:latest", "llama3.2"));
        assert!(same_model("llama3.2", "llama3.2:latest"));
        assert!(same_model("gpt-4o-mini", "gpt-4o-mini"));
        assert!(!same_model("llama3.2:1b", "llama3.2"));
    }

    // The product holds the active provider as a trait object; this fails to compile if that breaks.
    #[allow(dead_code)]
    fn provider_is_object_safe(
        provider: std::sync::Arc<dyn ModelProvider>,
    ) -> std::sync::Arc<dyn ModelProvider> {
        provider
    }
}
