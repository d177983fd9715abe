//! Provider for servers speaking OpenAI's chat-completions API: Ollama's `/v1` endpoint (the product's
//! default), OpenAI, OpenRouter, LM Studio, llama.cpp, vLLM...

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Response, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::time::Instant;

use super::config::{ProviderConfig, display_url, endpoint, is_loopback, normalize_base_url, provider_label};
use super::error::{LlmError, TimeoutStage, excerpt};
use super::sse::{SseDecoder, SseEvent};
use super::tool_calls::{ToolCallAssembler, ToolCallFragment};
use super::types::{ChatMessage, ChatRequest, StreamEvent, ToolDef};
use super::{ChatStream, ModelProvider};

/// How much of an error body is read: enough for any JSON error, bounded against endless bodies.
const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;
/// How long to wait for an error body once the status line is in.
const ERROR_BODY_WAIT: Duration = Duration::from_secs(5);
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
        let body = WireRequest::new(&self.config.model, &request);
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

    /// Maps a failure to get any response at all.
    fn send_error(&self, e: reqwest::Error) -> LlmError {
        // No client-wide timeout is set, so a reqwest timeout can only be the connect timeout.
        if e.is_timeout() {
            LlmError::Timeout { stage: TimeoutStage::Connect }
        } else if e.is_connect() {
            LlmError::Unreachable { url: display_url(&self.root), detail: self.sanitize(&describe(e)) }
        } else {
            LlmError::Interrupted {
                detail: format!(
                    "the server closed the connection without answering: {}",
                    self.sanitize(&describe(e))
                ),
            }
        }
    }

    /// Maps a non-2xx answer, reading a bounded part of its body for the message.
    async fn http_error(&self, response: Response, url: &Url) -> LlmError {
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        // The status says enough on its own; a body that fails to arrive only loses the detail.
        let body = read_limited(
            response,
            (Instant::now() + ERROR_BODY_WAIT, TimeoutStage::Idle),
            MAX_ERROR_BODY_BYTES,
        )
        .await
        .unwrap_or_default();
        let raw = String::from_utf8_lossy(&body);
        let message = error_body_message(&raw);
        let body_excerpt = self.sanitize(&message);
        let lower = message.to_lowercase();
        let model = self.config.model.clone();
        match status {
            401 | 403 => LlmError::Auth { status, body_excerpt },
            404 if lower.contains("model") => LlmError::ModelNotFound { model, body_excerpt },
            404 => LlmError::EndpointNotFound { url: display_url(url), body_excerpt },
            // OpenRouter answers an unknown model with 400 "... is not a valid model ID".
            400 if lower.contains("model")
                && (lower.contains("not found")
                    || lower.contains("not a valid model")
                    || lower.contains("does not exist")) =>
            {
                LlmError::ModelNotFound { model, body_excerpt }
            }
            400 if lower.contains("does not support tools") => {
                LlmError::ToolsUnsupported { model, body_excerpt }
            }
            429 => LlmError::RateLimited { retry_after, body_excerpt },
            500..=599 => LlmError::Server { status, body_excerpt },
            _ => LlmError::Rejected { status, body_excerpt },
        }
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

fn sanitize(text: &str, key: Option<&str>) -> String {
    match key {
        // Replace before cutting, so a key straddling the cut cannot leave a readable prefix.
        Some(key) if text.contains(key) => excerpt(&text.replace(key, "[redacted]")),
        _ => excerpt(text),
    }
}

/// A reqwest error with its causes, without the request URL (a query string can hold a key, and the caller
/// shows the URL its own way).
fn describe(e: reqwest::Error) -> String {
    error_chain(&e.without_url())
}

/// Joins an error with its causes: reqwest's top-level message ("error sending request") alone does not say
/// whether the connection was refused or the name did not resolve.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}

/// `Retry-After` in seconds. The HTTP-date form is not decoded (no server we target sends it); it gives
/// `None`, and callers then use their own backoff.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// The human part of an error body: OpenAI's `{"error":{"message"}}`, Ollama's `{"error":"..."}`, a bare
/// `{"message"}`, or the raw text.
fn error_body_message(raw: &str) -> String {
    match serde_json::from_str::<Value>(raw) {
        Ok(json) => {
            let error = json.get("error").unwrap_or(&json);
            json_error_message(error)
        }
        Err(_) => raw.trim().to_owned(),
    }
}

fn json_error_message(error: &Value) -> String {
    match error {
        Value::String(s) => s.clone(),
        Value::Object(map) => match map.get("message") {
            Some(Value::String(m)) => m.clone(),
            _ => error.to_string(),
        },
        other => other.to_string(),
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

// ---------------------------------------------------------------------------------------------------
// Request wire format

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    stream: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
}

impl<'a> WireRequest<'a> {
    fn new(model: &'a str, request: &'a ChatRequest) -> Self {
        Self {
            model,
            messages: request.messages.iter().map(WireMessage::from).collect(),
            stream: true,
            tools: request.tools.iter().map(WireTool::from).collect(),
            temperature: request.temperature,
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

// ---------------------------------------------------------------------------------------------------
// Response wire format. Every field is optional and loosely typed: servers differ in what they leave out
// or set to null, and an unexpected null must not turn a good answer into an error.

#[derive(Deserialize)]
struct WireChunk {
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
struct WireModelList {
    /// Ollama sends `null` when no model is installed.
    data: Option<Vec<WireModel>>,
}

#[derive(Deserialize)]
struct WireModel {
    id: String,
}

// ---------------------------------------------------------------------------------------------------
// Turning chunks into events

/// What has been learned about the answer so far.
#[derive(Default)]
struct Turn {
    tool_calls: ToolCallAssembler,
    finish_reason: Option<String>,
    /// Whether any event with data arrived (to tell "cut off" from "not an event stream at all").
    saw_event: bool,
}

type Pending = VecDeque<Result<StreamEvent, LlmError>>;

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
        for fragment in delta.tool_calls.unwrap_or_default() {
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
        if let Some(function) = delta.function_call {
            self.tool_calls.push(ToolCallFragment {
                index: None,
                id: None,
                name: function.name,
                arguments: function.arguments,
            });
        }
    }

    /// Handles one SSE event; returns whether it was the `[DONE]` marker.
    fn handle_event(
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
    fn finish(&mut self, out: &mut Pending) {
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
fn events_from_json_body(body: &[u8], key: Option<&str>) -> Pending {
    let mut turn = Turn::default();
    let mut out = Pending::new();
    let text = String::from_utf8_lossy(body);
    match parse_chunk(&text, key).and_then(|chunk| turn.apply(chunk, key, &mut out)) {
        Ok(()) => turn.finish(&mut out),
        Err(e) => out.push_back(Err(e)),
    }
    out
}

/// A streamed body decoded without the network or its clocks, cut in `pieces` as TCP may
/// cut it: the events [`sse_chat_stream`] would yield, up to and including the first error.
/// For the fuzz targets, which hold that the cuts never change the outcome.
#[cfg(feature = "fuzzing")]
pub fn decode_pieces(pieces: &[&[u8]]) -> Vec<Result<StreamEvent, LlmError>> {
    fn run(pieces: &[&[u8]], out: &mut Pending) -> Result<(), LlmError> {
        let mut decoder = SseDecoder::new();
        let mut turn = Turn::default();
        let mut events = Vec::new();
        for piece in pieces {
            decoder.feed(piece, &mut events)?;
            for event in events.drain(..) {
                if turn.handle_event(event, None, out)? {
                    turn.finish(out);
                    return Ok(());
                }
            }
        }
        decoder.finish(&mut events);
        for event in events.drain(..) {
            if turn.handle_event(event, None, out)? {
                turn.finish(out);
                return Ok(());
            }
        }
        if turn.finish_reason.is_some() {
            turn.finish(out);
        }
        Ok(())
    }
    let mut out = Pending::new();
    if let Err(e) = run(pieces, &mut out) {
        out.push_back(Err(e));
    }
    // Nothing follows an error.
    let mut events: Vec<_> = out.into_iter().collect();
    if let Some(first_error) = events.iter().position(Result::is_err) {
        events.truncate(first_error + 1);
    }
    events
}

// ---------------------------------------------------------------------------------------------------
// The streaming state machine

#[derive(Clone, Copy)]
struct StreamTiming {
    first_byte_deadline: Instant,
    total_deadline: Instant,
    idle_timeout: Duration,
}

type BodyStream<B> = Pin<Box<dyn Stream<Item = Result<B, LlmError>> + Send>>;

struct SseChat<B> {
    body: BodyStream<B>,
    decoder: SseDecoder,
    turn: Turn,
    pending: Pending,
    timing: StreamTiming,
    got_bytes: bool,
    finished: bool,
    key: Option<String>,
}

impl<B: AsRef<[u8]>> SseChat<B> {
    /// Waits for the next piece of body under whichever deadline applies now.
    async fn next_chunk(&mut self) -> Result<Option<B>, LlmError> {
        let (deadline, stage) = if self.got_bytes {
            let idle_deadline = Instant::now() + self.timing.idle_timeout;
            if self.timing.total_deadline < idle_deadline {
                (self.timing.total_deadline, TimeoutStage::Total)
            } else {
                (idle_deadline, TimeoutStage::Idle)
            }
        } else {
            earliest(self.timing.first_byte_deadline, self.timing.total_deadline)
        };
        match tokio::time::timeout_at(deadline, self.body.next()).await {
            Err(_) => Err(LlmError::Timeout { stage }),
            Ok(None) => Ok(None),
            Ok(Some(Err(e))) => Err(e),
            Ok(Some(Ok(chunk))) => {
                self.got_bytes = true;
                Ok(Some(chunk))
            }
        }
    }

    /// Reads until at least one item is pending or the stream is over.
    async fn advance(&mut self) -> Result<(), LlmError> {
        let mut events = Vec::new();
        let at_end = match self.next_chunk().await? {
            Some(chunk) => {
                self.decoder.feed(chunk.as_ref(), &mut events)?;
                false
            }
            None => {
                self.decoder.finish(&mut events);
                true
            }
        };
        let key = self.key.as_deref();
        for event in events {
            if self.turn.handle_event(event, key, &mut self.pending)? {
                // `[DONE]`: anything after it is ignored, and dropping the body closes the connection.
                self.finished = true;
                self.turn.finish(&mut self.pending);
                return Ok(());
            }
        }
        if at_end {
            self.finished = true;
            // A server that closes after its final chunk but without `[DONE]` has still finished; one that
            // closes before any finish_reason cut the answer off.
            if self.turn.finish_reason.is_some() {
                self.turn.finish(&mut self.pending);
            } else if self.turn.saw_event {
                return Err(LlmError::Interrupted {
                    detail: "the server closed the connection before the answer was complete".to_owned(),
                });
            } else {
                return Err(LlmError::Protocol {
                    detail: "the response contained no server-sent events".to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// Turns a streamed body into chat events. Nothing runs until the stream is polled; dropping the stream
/// drops the connection, which makes Ollama stop generating.
fn sse_chat_stream<S, B>(body: S, timing: StreamTiming, key: Option<String>) -> ChatStream
where
    S: Stream<Item = Result<B, LlmError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let state = SseChat {
        body: Box::pin(body),
        decoder: SseDecoder::new(),
        turn: Turn::default(),
        pending: Pending::new(),
        timing,
        got_bytes: false,
        finished: false,
        key,
    };
    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.pending.pop_front() {
                if item.is_err() {
                    // Nothing follows an error.
                    state.finished = true;
                    state.pending.clear();
                }
                return Some((item, state));
            }
            if state.finished {
                return None;
            }
            if let Err(e) = state.advance().await {
                state.finished = true;
                state.pending.push_back(Err(e));
            }
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::types::ToolCall;
    use super::*;

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
        let ok = run(vec![
            b"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"length\"}]}\n\n",
        ])
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
        let wire = serde_json::to_value(WireRequest::new("m", &request)).unwrap();
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
    }
}
