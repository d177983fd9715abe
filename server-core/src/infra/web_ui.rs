//! The web UI at `/`, for browsers: a phone paired over the LAN, or a local browser when
//! the app runs headless.
//!
//! The files are the Vite build in `ui/dist`, embedded in the binary (release builds) so
//! the server and its UI always ship together and a phone gets the UI of the very server
//! it talks to. Debug builds read the same folder from disk, so a rebuilt UI shows up
//! without rebuilding the server. A build made before the UI was built (a fresh clone)
//! still works and answers a short page saying how to build it.
//!
//! Paths the API owns (`/api`, `/ws`, `/socket.io`, `/docs`, `/redoc`) never fall back to
//! the UI: unknown ones stay JSON 404s. Any other path without a file is a client route
//! and gets `index.html`. Every HTML answer carries a strict Content-Security-Policy: the
//! UI has no inline script, and it talks only to its own origin.

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::infra::error::Error;

#[derive(rust_embed::RustEmbed)]
#[folder = "../ui/dist"]
#[allow_missing = true]
struct Dist;

/// Scripts and styles from this origin only; no inline script, no framing, no plugins.
/// `connect-src 'self'` covers the same-origin `/ws` socket.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'; manifest-src 'self'";

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClawChat</title></head>
<body>
<h1>ClawChat</h1>
<p>The UI is not built. Run <code>make run</code> (or <code>make ui</code>, then start the server again).
The API is running: see <a href="/docs">/docs</a>.</p>
</body>
</html>
"#;

/// Paths that belong to the API, the sockets and the docs, never to the UI.
fn reserved(path: &str) -> bool {
    ["/api", "/ws", "/socket.io", "/docs", "/redoc", "/mcp"]
        .iter()
        .any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

fn html(body: Body, status: StatusCode) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // The page names its hashed assets; it must be fetched again after an update.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn file(path: &str) -> Option<Response> {
    let found = Dist::get(path)?;
    if path.ends_with(".html") {
        return Some(html(Body::from(found.data.into_owned()), StatusCode::OK));
    }
    let mime = found.metadata.mimetype();
    let mime = if path.ends_with(".webmanifest") { "application/manifest+json" } else { mime };
    // Vite names built assets by their content hash: they never change under a name.
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = Body::from(found.data.into_owned()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Some(response)
}

/// Whether this build has the UI.
pub fn built() -> bool {
    Dist::get("index.html").is_some()
}

/// The router's fallback: a UI file, `index.html` for a client route, or the API's 404.
pub async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if reserved(path) {
        return Error::NotFound("route").into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return Error::MethodNotAllowed.into_response();
    }
    let relative = path.trim_start_matches('/');
    if !relative.is_empty() {
        if let Some(response) = file(relative) {
            return response;
        }
        // A missing hashed asset or icon is a real 404, not a page.
        if relative.starts_with("assets/")
            || relative.rsplit('/').next().is_some_and(|last| last.contains('.'))
        {
            return Error::NotFound("file").into_response();
        }
    }
    file("index.html").unwrap_or_else(|| html(Body::from(NOT_BUILT), StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_are_reserved_and_client_routes_are_not() {
        for p in ["/api", "/api/todos", "/ws", "/socket.io/", "/docs", "/docs/init.js", "/redoc"] {
            assert!(reserved(p), "{p}");
        }
        for p in ["/", "/todos", "/apis", "/documents", "/wsx", "/settings/about"] {
            assert!(!reserved(p), "{p}");
        }
    }
}
