//! Transport hygiene shared by every route: request ids and tracing, the `Host` check
//! against DNS rebinding, timeouts, compression, CORS (closed unless configured) and the
//! body limit. Also the OpenAPI document and its two viewers, served from the binary.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

use crate::infra::config::Settings;
use crate::infra::error::Error;
use crate::infra::extract::BodyLimit;

/// Which `Host` values this server answers to.
///
/// A DNS-rebinding page reaches us under *its own* host name, so names are the danger:
/// only `localhost` and configured names pass. IP literals cannot be rebound; they pass
/// when they are an address we listen on (any address, when bound to all interfaces).
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Vec<String>,
    ips: Vec<IpAddr>,
    any_ip: bool,
}

impl AllowedHosts {
    pub fn new(listening: &[SocketAddr], extra_names: &[String]) -> Self {
        let mut names = vec!["localhost".to_owned()];
        names.extend(extra_names.iter().map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()));
        let any_ip = listening.iter().any(|a| a.ip().is_unspecified());
        let mut ips: Vec<IpAddr> = listening.iter().map(SocketAddr::ip).collect();
        ips.extend([IpAddr::from([127, 0, 0, 1]), IpAddr::from(std::net::Ipv6Addr::LOCALHOST)]);
        Self { names, ips, any_ip }
    }

    pub fn allows(&self, host_header: &str) -> bool {
        let host = host_header.trim().to_ascii_lowercase();
        // "[::1]:8000", "127.0.0.1:8000", "localhost:8000", "localhost"
        let name = if let Some(rest) = host.strip_prefix('[') {
            rest.split(']').next().unwrap_or("")
        } else {
            match host.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => host.as_str(),
            }
        };
        let name = name.trim_end_matches('.');
        if let Ok(ip) = name.parse::<IpAddr>() {
            return self.any_ip || ip.is_loopback() || self.ips.contains(&ip);
        }
        self.names.iter().any(|n| n == name)
    }
}

async fn check_host(State(allowed): State<Arc<AllowedHosts>>, mut req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()));
    match host {
        Some(h) if allowed.allows(&h) => {
            // The WebSocket upgrade checks `Origin` against the same hosts.
            req.extensions_mut().insert(allowed.clone());
            next.run(req).await
        }
        Some(h) => {
            tracing::warn!(host = %h, "refused a request for a foreign Host");
            Error::Forbidden {
                code: "host_not_allowed",
                detail: format!("this server does not answer to the host {h:?}"),
            }
            .into_response()
        }
        None => Error::BadRequest { code: "missing_host", detail: "the request has no Host header".into() }
            .into_response(),
    }
}

async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => Error::Timeout.into_response(),
    }
}

async fn note_body_limit(State(limit): State<usize>, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(BodyLimit(limit));
    next.run(req).await
}

/// Wraps the application router in the transport layers, outermost first in reading order.
pub fn layers(router: Router, settings: &Settings, allowed: AllowedHosts) -> Router {
    let mut router = router
        .layer(middleware::from_fn_with_state(settings.body_limit, note_body_limit))
        .layer(DefaultBodyLimit::max(settings.body_limit))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            Duration::from_secs(settings.request_timeout.max(1)),
            time_limit,
        ));
    let origins: Vec<HeaderValue> =
        settings.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    if !origins.is_empty() {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        );
    }
    router
        .layer(middleware::from_fn_with_state(Arc::new(allowed), check_host))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<axum::body::Body>| {
            tracing::debug_span!("request", method = %req.method(), uri = %redacted(req.uri()), version = ?req.version())
        }))
        .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION, header::COOKIE]))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// `uri` as the request log shows it: a `token` in the query (`/ws?token=`, which the
/// contract allows) is a credential, and a log is no place for one.
fn redacted(uri: &axum::http::Uri) -> String {
    let Some(query) = uri.query() else { return uri.path().to_owned() };
    let query: Vec<&str> = query
        .split('&')
        .map(|pair| if pair.split('=').next() == Some("token") { "token=<redacted>" } else { pair })
        .collect();
    format!("{}?{}", uri.path(), query.join("&"))
}

// The viewers' files come from the npm packages swagger-ui-dist and redoc (see
// assets/package.json); build.rs gzips them next to the build so they ship inside the
// binary, small, and /docs works offline.
const SWAGGER_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/swagger-ui-bundle.js.gz"));
const SWAGGER_CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/swagger-ui.css.gz"));
const REDOC_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/redoc.standalone.js.gz"));

const SWAGGER_INIT_JS: &str = r##"window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
"##;

const SWAGGER_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClawChat API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#;

const REDOC_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClawChat API reference</title>
</head>
<body>
<redoc spec-url="/api/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
"#;

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body)
        .into_response()
}

/// Whether the request's `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
fn takes_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                let p = p.replace(' ', "");
                p.get(..2).is_some_and(|k| k.eq_ignore_ascii_case("q="))
                    && p.get(2..).and_then(|q| q.parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
    })
}

/// A stored gzipped asset: as it is to a client that takes gzip, inflated to one that does not.
fn gzipped_asset(headers: &HeaderMap, content_type: &'static str, gz: &'static [u8]) -> Response {
    let vary = (header::VARY, "accept-encoding");
    if takes_gzip(headers) {
        return (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CONTENT_ENCODING, "gzip"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
                vary,
            ],
            gz,
        )
            .into_response();
    }
    let mut body = Vec::with_capacity(gz.len() * 4);
    match std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut body) {
        Ok(_) => (
            [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400"), vary],
            body,
        )
            .into_response(),
        // Only a broken build could get here: build.rs wrote these bytes with the same library.
        Err(e) => {
            tracing::error!(error = %e, "an embedded API viewer file is not valid gzip");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `/api/openapi.json`, `/docs` (Swagger UI) and `/redoc`, all from the binary.
pub fn docs_router(spec: utoipa::openapi::OpenApi) -> Router {
    let spec = Arc::new(spec.to_json().unwrap_or_else(|_| "{}".into()));
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || {
                let spec = spec.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], spec.as_str().to_owned()) }
            }),
        )
        .route("/docs", get(|| async { Html(SWAGGER_HTML) }))
        .route("/docs/", get(|| async { Html(SWAGGER_HTML) }))
        .route(
            "/docs/swagger-ui-bundle.js",
            get(|headers: HeaderMap| async move {
                gzipped_asset(&headers, "text/javascript; charset=utf-8", SWAGGER_JS)
            }),
        )
        .route(
            "/docs/swagger-ui.css",
            get(|headers: HeaderMap| async move {
                gzipped_asset(&headers, "text/css; charset=utf-8", SWAGGER_CSS)
            }),
        )
        .route(
            "/docs/init.js",
            get(|| async { asset("text/javascript; charset=utf-8", SWAGGER_INIT_JS.as_bytes()) }),
        )
        .route("/redoc", get(|| async { Html(REDOC_HTML) }))
        .route(
            "/redoc/redoc.standalone.js",
            get(|headers: HeaderMap| async move {
                gzipped_asset(&headers, "text/javascript; charset=utf-8", REDOC_JS)
            }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_log_never_shows_a_token_from_the_query() {
        let uri: axum::http::Uri = "/ws?a=1&token=secret.jwt&b=2".parse().unwrap();
        assert_eq!(redacted(&uri), "/ws?a=1&token=<redacted>&b=2");
        let uri: axum::http::Uri = "/socket.io/?EIO=4&transport=polling".parse().unwrap();
        assert_eq!(redacted(&uri), "/socket.io/?EIO=4&transport=polling");
    }

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_take_it() {
        assert!(takes_gzip(&accepting("gzip, deflate, br")));
        assert!(takes_gzip(&accepting("br;q=1.0, GZIP;q=0.5")));
        assert!(takes_gzip(&accepting("*")));
        assert!(!takes_gzip(&HeaderMap::new()));
        assert!(!takes_gzip(&accepting("identity")));
        assert!(!takes_gzip(&accepting("br, gzip;q=0")));
        assert!(!takes_gzip(&accepting("gzip; q=0")));
        assert!(!takes_gzip(&accepting("gzip;q=0.000")));
        assert!(takes_gzip(&accepting("gzip;q=0.001")));
        assert!(!takes_gzip(&accepting("x-gzip-ish")));
    }

    #[test]
    fn loopback_names_and_ips_pass_foreign_names_do_not() {
        let a = AllowedHosts::new(&["127.0.0.1:8000".parse().unwrap()], &[]);
        assert!(a.allows("127.0.0.1:8000"));
        assert!(a.allows("localhost:8000"));
        assert!(a.allows("LOCALHOST"));
        assert!(a.allows("[::1]:8000"));
        assert!(!a.allows("evil.example:8000"));
        assert!(!a.allows("localhost.evil.example"));
        assert!(!a.allows("192.168.1.20:8000"));
    }

    #[test]
    fn all_interfaces_accept_any_ip_but_still_no_foreign_name() {
        let a = AllowedHosts::new(&["0.0.0.0:8000".parse().unwrap()], &["clawchat.lan".into()]);
        assert!(a.allows("192.168.1.20:8000"));
        assert!(a.allows("clawchat.lan:8000"));
        assert!(!a.allows("rebind.attacker.example"));
    }
}
