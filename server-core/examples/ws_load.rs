//! WebSocket load: N authenticated `/ws` connections, each sending one message, timing
//! send to `stream_start` (the first frame of its answer) on the client.
//!
//!     cargo run --release -p clawchat-server --example ws_load -- <base http url> <pin> [connections] [spread seconds]
//!
//! With a spread of 0 (the default) every connection sends at the same instant; with a
//! spread of S the sends are evenly spaced over S seconds.
//!
//! Used by tests/bench/ws_bench.py, which starts the server and reads its memory.

use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let base = args.next().ok_or_else(|| anyhow::anyhow!("usage: ws_load <base url> <pin> [connections]"))?;
    let pin = args.next().ok_or_else(|| anyhow::anyhow!("usage: ws_load <base url> <pin> [connections]"))?;
    let n: usize = args.next().map_or(Ok(1000), |s| s.parse())?;
    let spread: f64 = args.next().map_or(Ok(0.0), |s| s.parse())?;

    let client = reqwest::Client::new();
    let login: Value =
        client.post(format!("{base}/api/auth/login")).json(&json!({"pin": pin})).send().await?.json().await?;
    let token =
        login["access_token"].as_str().ok_or_else(|| anyhow::anyhow!("login failed: {login}"))?.to_owned();
    let ws_url = format!("{}/ws?token={token}", base.replacen("http", "ws", 1));

    // Open every connection first; they all stay open (idle) while the messages go out.
    let mut sockets = Vec::with_capacity(n);
    for _ in 0..n {
        sockets.push(tokio_tungstenite::connect_async(&ws_url).await?.0);
    }
    println!("connections_open {n}");
    // Let the server settle so its memory can be read with every connection idle.
    tokio::time::sleep(Duration::from_secs(3)).await;
    println!("idle_ready");
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut tasks = Vec::with_capacity(n);
    let go = Instant::now();
    for (i, mut ws) in sockets.into_iter().enumerate() {
        let at = go + Duration::from_secs_f64(spread * i as f64 / n as f64);
        tasks.push(tokio::spawn(async move {
            let content = format!("add load item {i} to my todo list");
            let frame = json!({"type": "send_message", "data": {"content": content}}).to_string();
            let needle = format!("load item {i}'");
            // Until its own turn a connection only drains what the others' answers bring.
            while Instant::now() < at {
                match tokio::time::timeout_at(at.into(), ws.next()).await {
                    Ok(Some(Ok(_))) | Err(_) => {}
                    Ok(_) => return None,
                }
            }
            let started = Instant::now();
            ws.send(Message::Text(frame.into())).await.ok()?;
            // Every connection sees every answer; ours is the stream_start whose answer
            // mentions our item, so wait for our own chunk and time its stream_start.
            let mut starts: Vec<(String, Duration)> = Vec::new();
            let deadline = Duration::from_secs(60);
            while started.elapsed() < deadline {
                let Some(Ok(Message::Text(text))) = ws.next().await else { return None };
                // Parse only the frames that matter: the client must not be the bottleneck.
                let is_start = text.contains("\"stream_start\"");
                if !is_start && !text.contains(&needle) {
                    continue;
                }
                let v: Value = serde_json::from_str(&text).ok()?;
                match v["type"].as_str() {
                    Some("stream_start") => {
                        starts.push((v["data"]["message_id"].as_str()?.to_owned(), started.elapsed()));
                    }
                    Some("stream_chunk") => {
                        let id = v["data"]["message_id"].as_str()?;
                        return starts.iter().find(|(m, _)| m == id).map(|(_, d)| d.as_secs_f64() * 1000.0);
                    }
                    _ => {}
                }
            }
            None
        }));
    }
    let mut times = Vec::with_capacity(n);
    for t in tasks {
        if let Ok(Some(ms)) = t.await {
            times.push(ms);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "answered {} of {n}; send to stream_start: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
