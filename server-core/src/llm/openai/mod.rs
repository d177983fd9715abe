//! Provider for servers speaking OpenAI's chat-completions API: Ollama's `/v1` endpoint (the product's
//! default), OpenAI, OpenRouter, LM Studio, llama.cpp, vLLM...
//!
//! This file holds the client and its two requests (a streamed chat turn and the model list). The rest
//! lives along its seams:
//! - [`request`]: the outgoing JSON of a chat turn;
//! - [`response`]: the incoming chunks, the servers' quirks, and how chunks become [`StreamEvent`]s;
//! - [`stream`]: reading a server-sent-event body under the first-byte, idle and total deadlines;
//! - [`errors`]: HTTP failures and error bodies mapped to [`LlmError`], with the API key kept out.

mod errors;
mod request;
mod response;
mod stream;
#[cfg(test)]
mod tests;

use futures::StreamExt;
use futures::future::BoxFuture;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Response, Url};
use tokio::time::Instant;

use self::errors::{describe, sanitize};
use self::request::WireRequest;
use self::response::{WireModelList, events_from_json_body};
#[cfg(feature = "fuzzing")]
pub use self::stream::decode_pieces;
use self::stream::{StreamTiming, sse_chat_stream};
use super::config::{ProviderConfig, display_url, endpoint, is_loopback, normalize_base_url, provider_label};
use super::error::{LlmError, TimeoutStage};
use super::types::ChatRequest;
#[cfg(doc)]
use super::types::StreamEvent;
use super::{ChatStream, ModelProvider};

/// Upper bound of a non-streamed JSON answer.
const MAX_JSON_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A chat-completions server reached over HTTP.
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    config: ProviderConfig,
    root: Url,
    chat_url: Url,
    models_url: Url,
    label: &'static str,
    client: reqwest::Client,
}

impl OpenAiCompatible {
    /// Validates the settings and prepares the HTTP client. Makes no request.
    pub fn new(config: ProviderConfig) -> Result<Self, LlmError> {
        let root = normalize_base_url(&config.base_url)?;
        if config.model.trim().is_empty() {
            return Err(LlmError::Config { detail: "no model is selected".to_owned() });
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("ClawChat/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&root) {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| LlmError::Config {
            detail: format!("could not set up the HTTP client: {}", describe(e)),
        })?;
        Ok(Self {
            chat_url: endpoint(&root, "chat/completions"),
            models_url: endpoint(&root, "models"),
            label: provider_label(&root),
            root,
            config,
            client,
        })
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// The normalised API root, e.g. `http://localhost:11434/v1`.
    pub fn api_root(&self) -> &Url {
        &self.root
    }

    /// The API root as shown to the user: without credentials or query string.
    pub fn shown_root(&self) -> String {
        display_url(&self.root)
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.config.effective_api_key() {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// Server text made safe to show: the key removed (some servers echo what they were sent), then cut.
    fn sanitize(&self, text: &str) -> String {
        sanitize(text, self.config.effective_api_key())
    }

    /// The earlier of the first-byte and total deadlines, and which one it is.
    fn first_byte_deadline(&self, started: Instant) -> (Instant, TimeoutStage) {
        earliest(started + self.config.first_byte_timeout, started + self.config.total_timeout)
    }

    async fn start_chat(&self, request: ChatRequest) -> Result<ChatStream, LlmError> {
        let started = Instant::now();
        tracing::debug!(
            provider = self.label,
            model = %self.config.model,
            url = %display_url(&self.chat_url),
            messages = request.messages.len(),
            tools = request.tools.len(),
            "starting chat completion"
        );
        let body = WireRequest::new(&self.config.model, &request, self.config.max_tokens);
        let http = self
            .authorize(self.client.post(self.chat_url.clone()))
            .header(ACCEPT, "text/event-stream, application/json")
            .json(&body);

        let (deadline, stage) = self.first_byte_deadline(started);
        let response = match tokio::time::timeout_at(deadline, http.send()).await {
            Err(_) => return Err(LlmError::Timeout { stage }),
            Ok(Err(e)) => return Err(self.send_error(e)),
            Ok(Ok(response)) => response,
        };
        if !response.status().is_success() {
            let err = self.http_error(response, &self.chat_url).await;
            tracing::warn!(
                provider = self.label,
                reason = err.reason_code(),
                "chat completion refused: {err}"
            );
            return Err(err);
        }

        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        // A 200 HTML page means the base URL points at a web UI or proxy page, not at an API.
        if content_type.starts_with("text/html") {
            return Err(LlmError::EndpointNotFound {
                url: display_url(&self.chat_url),
                body_excerpt: "the server answered with an HTML page instead of an API response".to_owned(),
            });
        }
        let key = self.config.effective_api_key().map(str::to_owned);
        // Some gateways ignore `stream: true` and answer with one JSON document.
        if content_type.starts_with("application/json") {
            let total_deadline = started + self.config.total_timeout;
            let body =
                read_limited(response, (total_deadline, TimeoutStage::Total), MAX_JSON_BODY_BYTES).await?;
            let events = events_from_json_body(&body, key.as_deref());
            return Ok(futures::stream::iter(events).boxed());
        }

        let body = response.bytes_stream().map(|chunk| {
            chunk.map_err(|e| LlmError::Interrupted {
                detail: format!("the connection failed mid-answer: {}", describe(e)),
            })
        });
        let timing = StreamTiming {
            first_byte_deadline: started + self.config.first_byte_timeout,
            total_deadline: started + self.config.total_timeout,
            idle_timeout: self.config.idle_timeout,
        };
        Ok(sse_chat_stream(body, timing, key))
    }

    async fn fetch_models(&self) -> Result<Vec<String>, LlmError> {
        let started = Instant::now();
        let (deadline, stage) = self.first_byte_deadline(started);
        let http =
            self.authorize(self.client.get(self.models_url.clone())).header(ACCEPT, "application/json");
        let response = match tokio::time::timeout_at(deadline, http.send()).await {
            Err(_) => return Err(LlmError::Timeout { stage }),
            Ok(Err(e)) => return Err(self.send_error(e)),
            Ok(Ok(response)) => response,
        };
        if !response.status().is_success() {
            return Err(self.http_error(response, &self.models_url).await);
        }
        let body = read_limited(response, (deadline, stage), MAX_JSON_BODY_BYTES).await?;
        let list: WireModelList = serde_json::from_slice(&body).map_err(|e| LlmError::Protocol {
            detail: format!(
                "the model list is not the expected JSON ({e}): {}",
                self.sanitize(&String::from_utf8_lossy(&body))
            ),
        })?;
        Ok(list.data.unwrap_or_default().into_iter().map(|m| m.id).collect())
    }
}

impl ModelProvider for OpenAiCompatible {
    fn name(&self) -> &str {
        self.label
    }

    fn model(&self) -> &str {
        &self.config.model
    }

    fn chat(&self, request: ChatRequest) -> BoxFuture<'_, Result<ChatStream, LlmError>> {
        Box::pin(self.start_chat(request))
    }

    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, LlmError>> {
        Box::pin(self.fetch_models())
    }
}

fn earliest(stage_deadline: Instant, total_deadline: Instant) -> (Instant, TimeoutStage) {
    if total_deadline < stage_deadline {
        (total_deadline, TimeoutStage::Total)
    } else {
        (stage_deadline, TimeoutStage::FirstByte)
    }
}

/// Reads at most `limit` bytes of a body before `deadline`.
async fn read_limited(
    mut response: Response,
    (deadline, stage): (Instant, TimeoutStage),
    limit: usize,
) -> Result<Vec<u8>, LlmError> {
    let mut body = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => return Err(LlmError::Timeout { stage }),
            Ok(Err(e)) => {
                return Err(LlmError::Interrupted {
                    detail: format!("the connection failed while reading the answer: {}", describe(e)),
                });
            }
            Ok(Ok(None)) => return Ok(body),
            Ok(Ok(Some(chunk))) => {
                let room = limit.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= limit {
                    return Ok(body);
                }
            }
        }
    }
}
