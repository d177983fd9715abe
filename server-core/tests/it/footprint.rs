//! What the server holds while nobody talks to the assistant: the built-in parser's
//! grammar (its patterns and the date library's rules, tens of megabytes) is built the
//! first time something is read, not at start, so a server that only serves the organiser
//! (a phone reading its list, an app sitting in the tray) never carries it.

#![cfg(target_os = "linux")]

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::binary::Binary;
use crate::common::{PIN, send};

/// The process's anonymous resident memory (its heaps), in bytes, from `/proc`.
fn heap_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server's /proc status");
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("RssAnon in /proc status");
    kb * 1024
}

/// The names of the process's threads.
fn threads(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("the server's threads")
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .collect()
}

#[tokio::test]
async fn the_parser_is_built_when_first_asked_to_read_and_not_before() {
    let binary = Binary::start(&["--pin", PIN, "--ai-provider", "builtin"], &[]);
    let addr = binary.address().await;
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let (status, login) = send(http.post(format!("{base}/api/auth/login")).json(&json!({"pin": PIN}))).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = login["access_token"].as_str().expect("a token").to_owned();
    let (status, created) = send(
        http.post(format!("{base}/api/todos"))
            .bearer_auth(&token)
            .json(&json!({"title": "water the garden"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    for path in ["/api/todos?limit=50", "/api/today", "/api/search?q=garden"] {
        let got = http.get(format!("{base}{path}")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(got.status(), StatusCode::OK, "{path}");
    }
    // Anything started in the background at start-up has had time to run.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = binary.pid();
    assert!(
        !threads(pid).iter().any(|t| t == "parser"),
        "the parser runs before anything was read: {:?}",
        threads(pid)
    );
    let before = heap_bytes(pid);

    let (status, parsed) = send(
        http.post(format!("{base}/api/parse"))
            .bearer_auth(&token)
            .json(&json!({"text": "remind me to call the dentist tomorrow at 3pm"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{parsed}");
    assert_eq!(parsed["params"]["title"], "call the dentist", "{parsed}");
    assert!(
        threads(pid).iter().any(|t| t == "parser"),
        "no parsing thread after a parse: {:?}",
        threads(pid)
    );
    let grown = heap_bytes(pid).saturating_sub(before);
    assert!(
        grown > 10 << 20,
        "the first parse built only {grown} bytes: was the grammar there from the start?"
    );
    binary.stop();
}
