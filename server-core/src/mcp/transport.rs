//! Streamable HTTP at `/mcp`, on the app's own listener (so only what may reach the app
//! reaches it: loopback unless LAN mode is on, and rmcp itself answers only loopback
//! `Host`s), and the file where the running app records its address.
//!
//! Every request passes [`guard`] first: with MCP off the path does not exist (404, as any
//! unknown path), without a valid client token it is 401. A client's answers (the stream
//! of a call, the stream of notifications) end the moment the client is revoked.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use futures::StreamExt as _;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use super::McpContext;
use super::server::Organiser;
use crate::infra::error::Error;

/// The file in the data folder holding the running app's address (`http://127.0.0.1:PORT`),
/// written when it starts listening and removed when it stops; `clawchat-server mcp` reads
/// it to find the app.
pub const ADDRESS_FILE: &str = "server-address";

/// The largest MCP message accepted; a bigger one is refused (413) before it is read.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// `/mcp`, guarded.
pub fn router(state: McpContext) -> Router {
    let for_sessions = state.clone();
    let config = StreamableHttpServerConfig::default().with_max_request_body_bytes(MAX_REQUEST_BYTES);
    let service = StreamableHttpService::new(
        move || Ok(Organiser::new(for_sessions.clone())),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new().route_service("/mcp", service).layer(axum::middleware::from_fn_with_state(state, guard))
}

/// The MCP switch and the client's token, then the request; the answer's body ends when
/// the client is revoked.
async fn guard(State(state): State<McpContext>, mut req: Request, next: Next) -> Response {
    if !state.runtime.mcp_enabled() {
        return Error::NotFound("route").into_response();
    }
    let token = crate::auth::bearer(req.headers()).map(str::to_owned);
    let Some(token) = token else {
        return unauthorized("missing_token", "send Authorization: Bearer <MCP client token>");
    };
    let client = match super::clients::authenticate(&state.db, &token).await {
        Ok(Some(client)) => client,
        Ok(None) => {
            return unauthorized(
                "invalid_token",
                "this MCP token is not one ClawChat knows (it may have been revoked); make a new one in Settings",
            );
        }
        Err(e) => return e.into_response(),
    };
    let revoked = state.mcp.watch(&client.id);
    req.extensions_mut().insert(client);
    let response = next.run(req).await;
    let (parts, body) = response.into_parts();
    let body = body.into_data_stream().take_until(revoked.cancelled_owned());
    Response::from_parts(parts, Body::from_stream(body))
}

fn unauthorized(code: &'static str, detail: &str) -> Response {
    let mut response = Error::unauthorized(code, detail).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    response
}

/// Records where the app listens, for the stdio bridge. A failure is logged, not fatal:
/// the bridge then asks for `--url`.
pub fn record_address(data_dir: &Path, mut addr: std::net::SocketAddr) {
    // Listening on every interface includes loopback, the one address `/mcp` answers on.
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{addr}");
    if let Err(e) = std::fs::write(data_dir.join(ADDRESS_FILE), url) {
        tracing::warn!(error = %e, "could not record the app's address for MCP clients");
    }
}

/// Removes the record at shutdown, so the bridge says the app is not running rather than
/// trying an address nobody listens on.
pub fn forget_address(data_dir: &Path) {
    let _ = std::fs::remove_file(data_dir.join(ADDRESS_FILE));
}

/// The address the running app recorded, if any.
pub fn recorded_address(data_dir: &Path) -> Option<String> {
    let url = std::fs::read_to_string(data_dir.join(ADDRESS_FILE)).ok()?;
    let url = url.trim();
    (!url.is_empty()).then(|| url.to_owned())
}
