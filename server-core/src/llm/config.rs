//! Provider settings and base-URL normalisation.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

use super::error::LlmError;

/// The product's default: a local Ollama.
pub const DEFAULT_BASE_URL: &str = "http://localhost:11434";

/// Settings of one model provider, as the settings page stores them.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    /// API root as the user typed it; see [`normalize_base_url`] for what is accepted.
    pub base_url: String,
    /// Sent as `Authorization: Bearer` when set and non-blank. Local servers need none.
    pub api_key: Option<String>,
    pub model: String,
    /// Opening the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// From sending the request until the response headers and the first body bytes arrive. Generous by
    /// default because Ollama loads the model from disk before it answers anything.
    pub first_byte_timeout: Duration,
    /// Longest silence allowed between two pieces of the streamed body.
    pub idle_timeout: Duration,
    /// Upper bound on the whole exchange, however steadily the server trickles bytes.
    pub total_timeout: Duration,
    /// Longest answer, in tokens, sent as `max_tokens`; unset by default, since OpenAI's
    /// reasoning models refuse that field. A model that never ends its turn (a base model,
    /// a template without its stop word) needs it.
    pub max_tokens: Option<u32>,
}

impl ProviderConfig {
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self { base_url: base_url.into(), model: model.into(), ..Self::default() }
    }

    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// The key to send, if any: blank keys (an emptied settings field) count as no key.
    pub(crate) fn effective_api_key(&self) -> Option<&str> {
        self.api_key.as_deref().map(str::trim).filter(|k| !k.is_empty())
    }
}

impl Default for ProviderConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key: None,
            model: String::new(),
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(300),
            max_tokens: None,
        }
    }
}

// Hand-written so that logging a config (`?config`) can never print the key.
impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.effective_api_key().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("connect_timeout", &self.connect_timeout)
            .field("first_byte_timeout", &self.first_byte_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_tokens", &self.max_tokens)
            .finish()
    }
}

/// Turns what the user typed into the API root that `/chat/completions` and `/models` hang off.
///
/// - `http://localhost:11434` and `http://localhost:11434/` become `http://localhost:11434/v1`;
/// - a root that already carries a version segment is kept (`https://api.openai.com/v1`,
///   `https://openrouter.ai/api/v1`, `.../v1beta/openai`), so `/v1` is never doubled;
/// - a pasted endpoint (`.../v1/chat/completions`, `.../v1/models`) is cut back to its root;
/// - a query string is kept (some gateways put their API version there), a fragment is dropped.
pub fn normalize_base_url(input: &str) -> Result<Url, LlmError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(LlmError::Config { detail: "the base URL is empty".to_owned() });
    }
    let mut url = Url::parse(trimmed).map_err(|e| LlmError::Config {
        detail: format!("the base URL {trimmed:?} is not a valid URL ({e})"),
    })?;
    // `localhost:11434` parses as scheme "localhost"; insisting on http(s) catches that and typos alike.
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(LlmError::Config {
            detail: format!("the base URL {trimmed:?} must start with http:// or https://"),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(LlmError::Config { detail: format!("the base URL {trimmed:?} has no host") });
    }

    let mut segments: Vec<String> =
        url.path().split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    if segments.ends_with(&["chat".to_owned(), "completions".to_owned()]) {
        segments.truncate(segments.len() - 2);
    } else if segments.len() >= 2
        && segments.last().is_some_and(|s| s == "models")
        && is_version_segment(&segments[segments.len() - 2])
    {
        segments.pop();
    }
    if !segments.iter().any(|s| is_version_segment(s)) {
        segments.push("v1".to_owned());
    }
    url.set_path(&format!("/{}", segments.join("/")));
    url.set_fragment(None);
    Ok(url)
}

/// `v1`, `v2`, `v1beta`...: a path segment that names an API version.
fn is_version_segment(segment: &str) -> bool {
    let mut chars = segment.chars();
    chars.next() == Some('v')
        && chars.next().is_some_and(|c| c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// `{root}/{suffix}`, keeping the root's query string.
pub(crate) fn endpoint(root: &Url, suffix: &str) -> Url {
    let mut url = root.clone();
    url.set_path(&format!("{}/{}", root.path().trim_end_matches('/'), suffix));
    url
}

/// The URL as shown in errors and logs: without credentials or query string, where keys sometimes hide.
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    // Both setters only fail for URLs that cannot have credentials, which then have none to hide.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.to_string()
}

/// Whether the server runs on this machine. System proxy settings are bypassed for such servers: a
/// corporate `HTTP_PROXY` must not swallow requests meant for a local Ollama.
pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    // IPv6 hosts come bracketed (`[::1]`).
    host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A short label for logs and the settings page.
pub(crate) fn provider_label(url: &Url) -> &'static str {
    let host = url.host_str().unwrap_or_default();
    if host == "api.openai.com" {
        "openai"
    } else if host == "openrouter.ai" || host.ends_with(".openrouter.ai") {
        "openrouter"
    } else if url.port_or_known_default() == Some(11434) {
        "ollama"
    } else {
        "openai-compatible"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(input: &str) -> String {
        normalize_base_url(input)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("ERR {}", e.reason_code()))
    }

    #[test]
    fn base_url_normalisation() {
        let cases = [
            ("http://localhost:11434", "http://localhost:11434/v1"),
            ("http://localhost:11434/", "http://localhost:11434/v1"),
            ("  http://localhost:11434//  ", "http://localhost:11434/v1"),
            ("http://localhost:11434/v1", "http://localhost:11434/v1"),
            ("http://localhost:11434/v1/", "http://localhost:11434/v1"),
            ("https://api.openai.com/v1", "https://api.openai.com/v1"),
            ("https://api.openai.com", "https://api.openai.com/v1"),
            ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
            ("https://openrouter.ai/api/v1/", "https://openrouter.ai/api/v1"),
            ("https://api.openai.com/v1/chat/completions", "https://api.openai.com/v1"),
            ("http://127.0.0.1:1234/v1/models", "http://127.0.0.1:1234/v1"),
            (
                "https://generativelanguage.googleapis.com/v1beta/openai/",
                "https://generativelanguage.googleapis.com/v1beta/openai",
            ),
            ("http://gateway.local/llm?api-version=2", "http://gateway.local/llm/v1?api-version=2"),
            ("http://localhost:11434/#frag", "http://localhost:11434/v1"),
            ("HTTP://LOCALHOST:11434", "http://localhost:11434/v1"),
            ("localhost:11434", "ERR model_config_invalid"),
            ("ftp://example.com", "ERR model_config_invalid"),
            ("", "ERR model_config_invalid"),
            ("not a url", "ERR model_config_invalid"),
        ];
        for (input, want) in cases {
            assert_eq!(norm(input), want, "input {input:?}");
        }
    }

    #[test]
    fn endpoints_keep_the_query() {
        let root = normalize_base_url("http://gw.local/x/v1?k=1").unwrap();
        assert_eq!(endpoint(&root, "chat/completions").as_str(), "http://gw.local/x/v1/chat/completions?k=1");
        assert_eq!(display_url(&root), "http://gw.local/x/v1");
    }

    #[test]
    fn display_url_hides_credentials() {
        let root = normalize_base_url("https://user:secret@example.com/v1?key=abc").unwrap();
        let shown = display_url(&root);
        assert!(!shown.contains("secret") && !shown.contains("abc"), "{shown}");
    }

    #[test]
    fn labels_and_loopback() {
        let label = |s: &str| provider_label(&normalize_base_url(s).unwrap());
        assert_eq!(label(DEFAULT_BASE_URL), "ollama");
        assert_eq!(label("https://api.openai.com/v1"), "openai");
        assert_eq!(label("https://openrouter.ai/api/v1"), "openrouter");
        assert_eq!(label("http://127.0.0.1:8080"), "openai-compatible");
        assert!(is_loopback(&normalize_base_url("http://127.0.0.1:8080").unwrap()));
        assert!(is_loopback(&normalize_base_url("http://[::1]:8080").unwrap()));
        assert!(is_loopback(&normalize_base_url(DEFAULT_BASE_URL).unwrap()));
        assert!(!is_loopback(&normalize_base_url("https://api.openai.com").unwrap()));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let config = ProviderConfig::new(DEFAULT_BASE_URL, "m").with_api_key("sk-very-secret");
        let shown = format!("{config:?}");
        assert!(!shown.contains("sk-very-secret"));
        assert!(shown.contains("<redacted>"));
        assert_eq!(ProviderConfig::new(DEFAULT_BASE_URL, "m").with_api_key("  ").effective_api_key(), None);
    }
}
