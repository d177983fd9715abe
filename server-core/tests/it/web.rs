//! The web UI at `/`: client routes get the page under a strict CSP; the API's paths keep
//! their JSON errors. These hold whether or not the UI was built before the server.

use reqwest::{Method, StatusCode, header};

use crate::common::{TestServer, assert_error, assert_error_code, send};

#[tokio::test]
async fn the_page_and_every_client_route_answer_html_under_a_strict_csp() {
    let server = TestServer::start().await;
    for path in ["/", "/todos", "/calendar", "/settings/about"] {
        let response = server.request(Method::GET, path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let ct = response.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let body = response.text().await.unwrap();
        let built = body.contains(r#"<div id="app">"#);
        assert!(built || body.contains("The UI is not built"), "{path}: {body}");
        // No inline script: every script tag loads a file.
        for tag in body.split("<script").skip(1) {
            assert!(
                tag.trim_start().starts_with("type=\"module\"") || tag.contains("src="),
                "inline script in {body}"
            );
            assert!(tag.contains("src="), "inline script in {body}");
        }
    }
}

#[tokio::test]
async fn api_paths_never_fall_back_to_the_page() {
    let server = TestServer::start().await;
    for path in ["/api/nope", "/api", "/ws/extra", "/docs/nope", "/redoc/x"] {
        let (status, body) = send(server.request(Method::GET, path)).await;
        assert_error_code(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    // Socket.IO answers its own path (here: a handshake without a transport).
    let response = server.request(Method::GET, "/socket.io/").send().await.unwrap();
    assert!(response.status().is_client_error());
    assert!(!response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    // A missing asset is a 404, not the page.
    let (status, body) = send(server.request(Method::GET, "/assets/index-missing.js")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    // Pages are only read.
    let (status, body) = send(server.request(Method::POST, "/todos")).await;
    assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED);
    // The API itself is unchanged.
    let (status, _) = send(server.request(Method::GET, "/api/health")).await;
    assert_eq!(status, StatusCode::OK);
}
