//! Failures of the HTTP exchange mapped to [`LlmError`]: no answer at all, a refusing status and its
//! error body, and server text made safe to show.

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use reqwest::{Response, Url};
use serde_json::Value;
use tokio::time::Instant;

use super::super::config::display_url;
use super::super::error::{LlmError, TimeoutStage, excerpt};
use super::{OpenAiCompatible, read_limited};

/// How much of an error body is read: enough for any JSON error, bounded against endless bodies.
const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;
/// How long to wait for an error body once the status line is in.
const ERROR_BODY_WAIT: Duration = Duration::from_secs(5);

impl OpenAiCompatible {
    /// Maps a failure to get any response at all.
    pub(super) fn send_error(&self, e: reqwest::Error) -> LlmError {
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
    pub(super) async fn http_error(&self, response: Response, url: &Url) -> LlmError {
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

pub(super) fn sanitize(text: &str, key: Option<&str>) -> String {
    match key {
        // Replace before cutting, so a key straddling the cut cannot leave a readable prefix.
        Some(key) if text.contains(key) => excerpt(&text.replace(key, "[redacted]")),
        _ => excerpt(text),
    }
}

/// A reqwest error with its causes, without the request URL (a query string can hold a key, and the caller
/// shows the URL its own way).
pub(super) fn describe(e: reqwest::Error) -> String {
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
pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// The human part of an error body: OpenAI's `{"error":{"message"}}`, Ollama's `{"error":"..."}`, a bare
/// `{"message"}`, or the raw text.
pub(super) fn error_body_message(raw: &str) -> String {
    match serde_json::from_str::<Value>(raw) {
        Ok(json) => {
            let error = json.get("error").unwrap_or(&json);
            json_error_message(error)
        }
        Err(_) => raw.trim().to_owned(),
    }
}

pub(super) fn json_error_message(error: &Value) -> String {
    match error {
        Value::String(s) => s.clone(),
        Value::Object(map) => match map.get("message") {
            Some(Value::String(m)) => m.clone(),
            _ => error.to_string(),
        },
        other => other.to_string(),
    }
}
