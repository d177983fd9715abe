//! `clawchat-server mcp`: what a desktop MCP client launches. It speaks MCP on stdin and
//! stdout and passes every message, unchanged, to the running app's `/mcp` (and every
//! answer and notification back), with the client token from `CLAWCHAT_MCP_TOKEN`. It never
//! opens the store itself: two writers behind each other's backs is how data gets lost.
//!
//! When it cannot reach the app (not running, MCP off, a token it does not know), it still
//! speaks MCP: it answers the client's `initialize` with an error that says what to do,
//! which the client shows the user.

use std::time::Duration;

use rmcp::model::{InitializeRequestParams, InitializeResult};
use rmcp::service::RequestContext;
use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, Transport};
use rmcp::{ErrorData as McpError, RoleClient, RoleServer, ServerHandler, ServiceExt as _};

/// The environment variable holding the client's token.
pub const TOKEN_VAR: &str = "CLAWCHAT_MCP_TOKEN";

/// Why the bridge cannot pass messages on, each written as the fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Unreachable {
    #[error(
        "ClawChat is not running (nothing answers at {0}). Start the ClawChat app, then restart this MCP server."
    )]
    NotRunning(String),
    #[error(
        "ClawChat is not running: no running app recorded its address in {0}. Start the ClawChat app, or pass \
         --url with its address, then restart this MCP server."
    )]
    NoAddress(String),
    #[error(
        "MCP is off in ClawChat. Turn on \"Let other apps use ClawChat (MCP)\" in Settings, then restart this MCP server."
    )]
    Off,
    #[error(
        "No MCP token: set {TOKEN_VAR} in this MCP server's environment to a token from ClawChat's Settings \
         (\"MCP clients\")."
    )]
    NoToken,
    #[error(
        "ClawChat does not know the token in {TOKEN_VAR} (it may have been revoked). Make a new one in ClawChat's \
         Settings (\"MCP clients\") and put it in this MCP server's configuration."
    )]
    BadToken,
    #[error("ClawChat at {0} answered {1} to MCP; check --url.")]
    Other(String, u16),
}

/// Runs the bridge until the client closes stdin or the app goes away.
pub async fn run(url: Option<String>, data_dir: &std::path::Path) -> anyhow::Result<()> {
    match connect(url, data_dir).await {
        Ok((endpoint, token)) => pass_on(&endpoint, &token).await,
        Err(why) => explain(why).await,
    }
}

/// The app's `/mcp` and the token, once a request with them shows both work.
async fn connect(url: Option<String>, data_dir: &std::path::Path) -> Result<(String, String), Unreachable> {
    let base = match url {
        Some(url) => url,
        None => super::transport::recorded_address(data_dir)
            .ok_or_else(|| Unreachable::NoAddress(data_dir.display().to_string()))?,
    };
    let endpoint = format!("{}/mcp", base.trim_end_matches('/'));
    let token = std::env::var(TOKEN_VAR).ok().filter(|t| !t.trim().is_empty()).ok_or(Unreachable::NoToken)?;
    // A GET without a session: the guard answers 404 (off) or 401 (token) before rmcp
    // does, and anything else means both are good.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build();
    let probe = match client {
        Ok(client) => client.get(&endpoint).bearer_auth(token.trim()).send().await,
        Err(_) => return Err(Unreachable::NotRunning(base)),
    };
    match probe.map(|r| r.status().as_u16()) {
        Err(_) => Err(Unreachable::NotRunning(base)),
        Ok(404) => Err(Unreachable::Off),
        Ok(401) => Err(Unreachable::BadToken),
        Ok(status @ 500..) => Err(Unreachable::Other(base, status)),
        Ok(_) => Ok((endpoint, token.trim().to_owned())),
    }
}

/// Every message from stdin to the app, every message from the app to stdout.
async fn pass_on(endpoint: &str, token: &str) -> anyhow::Result<()> {
    let (stdin, stdout) = rmcp::transport::stdio();
    let mut local = AsyncRwTransport::<RoleServer, _, _>::new_server(stdin, stdout);
    let config = StreamableHttpClientTransportConfig::with_uri(endpoint).auth_header(token);
    // rmcp's own HTTP client (its reqwest), which speaks the transport's streams.
    let mut app = StreamableHttpClientTransport::from_config(config);
    loop {
        tokio::select! {
            from_client = local.receive() => match from_client {
                Some(message) => Transport::<RoleClient>::send(&mut app, message).await?,
                None => break,
            },
            from_app = Transport::<RoleClient>::receive(&mut app) => match from_app {
                Some(message) => Transport::<RoleServer>::send(&mut local, message).await?,
                None => {
                    tracing::warn!("ClawChat closed the MCP connection");
                    break;
                }
            },
        }
    }
    let _ = Transport::<RoleClient>::close(&mut app).await;
    Ok(())
}

/// Speaks just enough MCP to tell the client why nothing else works.
struct Explain(Unreachable);

impl ServerHandler for Explain {
    async fn initialize(
        &self,
        _request: InitializeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, McpError> {
        Err(McpError::internal_error(self.0.to_string(), None))
    }
}

async fn explain(why: Unreachable) -> anyhow::Result<()> {
    tracing::warn!("{why}");
    let message = why.to_string();
    // The client gives up after the refused `initialize`; the wait ends when it closes stdin.
    match Explain(why).serve(rmcp::transport::stdio()).await {
        Ok(running) => {
            let _ = running.waiting().await;
        }
        Err(e) => tracing::debug!(error = %e, "the MCP client went away: {message}"),
    }
    Ok(())
}
