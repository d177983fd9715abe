//! What every route shares: the `Host` check, and the API description with its viewers.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{TestServer, assert_error, send};

#[tokio::test]
async fn a_foreign_host_header_is_403_and_localhost_is_served() {
    let server = TestServer::start().await;
    let token = server.token().await;
    for path in ["/api/health", "/api/todos", "/api/openapi.json", "/docs"] {
        let (status, body) = send(server.get(path, &token).header("Host", "evil.example")).await;
        assert_error(status, &body, StatusCode::FORBIDDEN);
        let (status, body) =
            send(server.get(path, &token).header("Host", format!("evil.example:{}", server.addr.port())))
                .await;
        assert_error(status, &body, StatusCode::FORBIDDEN);
    }
    // A name that merely starts like ours is still foreign.
    let (status, body) =
        send(server.get("/api/health", &token).header("Host", "localhost.evil.example")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN);

    for host in [format!("localhost:{}", server.addr.port()), format!("127.0.0.1:{}", server.addr.port())] {
        let (status, body) = send(server.get("/api/todos", &token).header("Host", host.clone())).await;
        assert_eq!(status, StatusCode::OK, "Host {host}: {body}");
    }
}

/// Every route of the contract's REST table.
const CONTRACT_ROUTES: &[(&str, &str)] = &[
    ("post", "/api/auth/login"),
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/refresh-token"),
    ("post", "/api/auth/logout"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/verify-otp"),
    ("get", "/api/health"),
    ("get", "/api/todos"),
    ("post", "/api/todos"),
    ("get", "/api/todos/{id}"),
    ("patch", "/api/todos/{id}"),
    ("delete", "/api/todos/{id}"),
    ("post", "/api/todos/{id}/complete"),
    ("get", "/api/events"),
    ("post", "/api/events"),
    ("get", "/api/events/{id}"),
    ("patch", "/api/events/{id}"),
    ("delete", "/api/events/{id}"),
    ("get", "/api/memos"),
    ("post", "/api/memos"),
    ("get", "/api/memos/{id}"),
    ("patch", "/api/memos/{id}"),
    ("delete", "/api/memos/{id}"),
    ("get", "/api/search"),
    ("get", "/api/today"),
    ("get", "/api/chat/conversations"),
    ("post", "/api/chat/conversations"),
    ("get", "/api/chat/conversations/{id}"),
    ("delete", "/api/chat/conversations/{id}"),
    ("get", "/api/chat/conversations/{id}/messages"),
    ("post", "/api/notifications/register-token"),
    ("post", "/api/chat/send"),
    ("post", "/api/chat/stream"),
    ("post", "/api/parse"),
];

#[tokio::test]
async fn openapi_json_is_3_1_and_lists_every_contract_route() {
    let server = TestServer::start().await;
    let (status, spec) = send(server.request(Method::GET, "/api/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec.is_object(), "not a JSON document: {spec}");
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for (method, path) in CONTRACT_ROUTES {
        if paths.get(*path).and_then(|p| p.get(*method)).is_none() {
            missing.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert!(missing.is_empty(), "the spec does not describe: {missing:?}");
    // Protected routes say so, so the viewers offer the token box.
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object(), "no bearer scheme");
    assert!(paths["/api/todos"]["get"]["security"].is_array(), "GET /api/todos declares no security");
    // What is served is what the library describes.
    let described = serde_json::to_value(clawchat_server::openapi()).expect("the spec serialises");
    assert_eq!(spec, described);
}

#[tokio::test]
async fn docs_and_redoc_are_served_with_their_assets_from_the_binary() {
    let server = TestServer::start().await;
    let pages = [
        ("/docs", vec!["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"]),
        ("/redoc", vec!["/redoc/redoc.standalone.js", "/api/openapi.json"]),
    ];
    for (page, references) in pages {
        let response = server.request(Method::GET, page).send().await.expect("an answer");
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let ct = content_type(&response);
        assert!(ct.starts_with("text/html"), "{page} is {ct}");
        let html = response.text().await.expect("text");
        for reference in references {
            assert!(html.contains(reference), "{page} does not load {reference}");
        }
        // Nothing comes from a CDN: the page works offline.
        assert!(!html.contains("https://"), "{page} loads something from the network");
    }
    let response = server.request(Method::GET, "/docs/init.js").send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).contains("javascript"));
    assert!(
        response.text().await.expect("text").contains("/api/openapi.json"),
        "Swagger UI is not pointed at the spec"
    );
    for (asset, kind) in [
        ("/docs/swagger-ui-bundle.js", "javascript"),
        ("/docs/swagger-ui.css", "text/css"),
        ("/redoc/redoc.standalone.js", "javascript"),
    ] {
        let response = server.request(Method::GET, asset).send().await.expect("an answer");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        let ct = content_type(&response);
        assert!(ct.contains(kind), "{asset} is {ct}");
        let body = response.bytes().await.expect("a body");
        assert!(
            body.len() > 100 * 1024,
            "{asset} is only {} bytes: a placeholder, not the viewer",
            body.len()
        );
    }
}

#[tokio::test]
async fn the_viewers_go_out_gzipped_to_browsers_and_whole_to_other_clients() {
    let server = TestServer::start().await;
    for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/redoc/redoc.standalone.js"] {
        let whole = server.request(Method::GET, asset).send().await.expect("an answer");
        assert_eq!(whole.status(), StatusCode::OK, "{asset}");
        assert!(
            whole.headers().get("content-encoding").is_none(),
            "{asset} encoded for a client that asked for none"
        );
        let whole = whole.bytes().await.expect("a body");

        let zipped = server
            .request(Method::GET, asset)
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .expect("an answer");
        assert_eq!(zipped.status(), StatusCode::OK, "{asset}");
        let encoding =
            zipped.headers().get("content-encoding").and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(encoding.as_deref(), Some("gzip"), "{asset}");
        let zipped = zipped.bytes().await.expect("a body");
        assert!(
            zipped.len() * 2 < whole.len(),
            "{asset}: {} gzipped bytes for {} bytes",
            zipped.len(),
            whole.len()
        );
        let mut inflated = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut inflated)
            .expect("valid gzip, compressed once");
        assert_eq!(inflated, whole.to_vec(), "{asset}: the gzipped file is not the file");
    }
}

fn content_type(response: &reqwest::Response) -> String {
    response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[test]
fn the_openapi_document_has_not_drifted() {
    // A deliberate change of the API regenerates this with `INSTA_UPDATE=always cargo test`;
    // an accidental one shows up here as a diff.
    let spec: Value = serde_json::to_value(clawchat_server::openapi()).expect("the spec serialises");
    insta::assert_json_snapshot!(spec);
}

/// A number the document states, as the integer it is.
fn limit(value: &Value) -> i64 {
    value.as_f64().map(|n| n as i64).unwrap_or_else(|| panic!("{value} is not a number"))
}

#[test]
fn the_document_states_the_limits_the_server_keeps() {
    use clawchat_server::infra::error::{
        MAX_CONTENT_CHARS, MAX_DESCRIPTION_CHARS, MAX_LOCATION_CHARS, MAX_REMINDER_MINUTES, MAX_TAG_CHARS,
        MAX_TAGS, MAX_TITLE_CHARS, NOT_BLANK,
    };
    use clawchat_server::infra::pagination::{MAX_LIMIT, MAX_PAGE};
    use clawchat_server::infra::time::WHEN_PATTERN;

    // The attributes take literals only; this keeps them equal to the constants the checks use.
    let spec: Value = serde_json::to_value(clawchat_server::openapi()).expect("the spec serialises");
    let schemas = &spec["components"]["schemas"];
    let field = |schema: &str, name: &str| schemas[schema]["properties"][name].clone();
    let chars = |n: usize| i64::try_from(n).expect("fits");
    for schema in ["NewTodo", "TodoPatch", "NewEvent", "EventPatch", "NewMemo", "MemoPatch"] {
        assert_eq!(limit(&field(schema, "title")["maxLength"]), chars(MAX_TITLE_CHARS), "{schema}.title");
        let tags = field(schema, "tags");
        assert_eq!(limit(&tags["maxItems"]), chars(MAX_TAGS), "{schema}.tags");
        assert_eq!(limit(&tags["items"]["maxLength"]), chars(MAX_TAG_CHARS), "{schema}.tags");
        assert_eq!(tags["items"]["pattern"], NOT_BLANK, "{schema}.tags");
    }
    for schema in ["NewTodo", "TodoPatch", "NewEvent", "EventPatch"] {
        assert_eq!(limit(&field(schema, "title")["minLength"]), 1, "{schema}.title");
        assert_eq!(field(schema, "title")["pattern"], NOT_BLANK, "{schema}.title");
        let description = field(schema, "description");
        assert_eq!(limit(&description["maxLength"]), chars(MAX_DESCRIPTION_CHARS), "{schema}.description");
        let reminder = field(schema, "reminder_minutes");
        assert_eq!(limit(&reminder["minimum"]), 0, "{schema}.reminder_minutes");
        assert_eq!(limit(&reminder["maximum"]), MAX_REMINDER_MINUTES, "{schema}.reminder_minutes");
    }
    for schema in ["NewEvent", "EventPatch"] {
        assert_eq!(limit(&field(schema, "location")["maxLength"]), chars(MAX_LOCATION_CHARS), "{schema}");
        for name in ["start_time", "end_time"] {
            assert_eq!(field(schema, name)["pattern"], WHEN_PATTERN, "{schema}.{name}");
        }
    }
    for schema in ["NewTodo", "TodoPatch"] {
        assert_eq!(field(schema, "due_date")["pattern"], WHEN_PATTERN, "{schema}.due_date");
    }
    for schema in ["NewTodo", "TodoPatch", "NewEvent", "EventPatch"] {
        let rule = field(schema, "recurrence_rule");
        assert_eq!(
            rule["pattern"],
            clawchat_server::infra::recurrence::RULE_PATTERN,
            "{schema}.recurrence_rule"
        );
        assert_eq!(rule["type"], serde_json::json!(["string", "null"]), "{schema}.recurrence_rule");
    }
    for schema in ["NewMemo", "MemoPatch"] {
        assert_eq!(
            limit(&field(schema, "content")["maxLength"]),
            chars(MAX_CONTENT_CHARS),
            "{schema}.content"
        );
    }
    let message = field("SendMessage", "content");
    assert_eq!(limit(&message["maxLength"]), chars(clawchat_server::brain::pqh::MAX_MESSAGE_CHARS));
    let connection = field("SendMessage", "connection_id");
    assert_eq!(limit(&connection["maxLength"]), chars(clawchat_server::protocol::MAX_CONNECTION_ID));

    // Every list route's page window, and every instant a filter takes.
    let mut windows = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let Some(parameters) = item["get"]["parameters"].as_array() else { continue };
        for parameter in parameters {
            let schema = &parameter["schema"];
            match parameter["name"].as_str() {
                Some("page") => {
                    assert_eq!(limit(&schema["minimum"]), 1, "{path} page");
                    assert_eq!(limit(&schema["maximum"]), i64::from(MAX_PAGE), "{path} page");
                    windows += 1;
                }
                Some("limit") => {
                    assert_eq!(limit(&schema["minimum"]), 1, "{path} limit");
                    assert_eq!(limit(&schema["maximum"]), i64::from(MAX_LIMIT), "{path} limit");
                }
                Some("due_before" | "due_after" | "start_after" | "start_before") => {
                    assert_eq!(schema["pattern"], WHEN_PATTERN, "{path} {}", parameter["name"]);
                }
                _ => {}
            }
        }
    }
    assert!(windows >= 8, "every list route takes a page: {windows}");
}
