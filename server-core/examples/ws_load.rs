//! WebSocket load: N authenticated `/ws` connections, each sending one message, timing
//! send to `stream_start` (the first frame of its answer) on the client.
//!
//!     cargo run --release -p clawchat-server --example ws_load -- <base http url> <pin> [connections] [spread seconds] [lean|scan]
//!
//! With a spread of 0 (the default) every connection sends at the same instant; with a
//! spread of S the sends are evenly spaced over S seconds.
//!
//! Every connection hears every answer's frames except its chunks, which go to the
//! connection that asked alone (about 7 frames each), so with 1,000 connections the client
//! reads some 7 million frames, on the same cores as the server. How it looks at them
//! decides how much CPU it takes from the server:
//!
//! - `lean` (the default) reads into 4 KiB buffers, reads only the first bytes of a frame to learn its type (serde
//!   writes `type` first, then `data`'s fields in declaration order), takes the message id
//!   out of `stream_start` and `stream_chunk` frames by position, and searches for its own
//!   item only inside chunks; nothing is deserialised.
//! - `scan` is the first client: every frame is searched twice as text, and every
//!   `stream_start` is parsed as JSON.
//!
//! The client prints the CPU time it used during the burst, so the share of the machine
//! it took is known. Used by tests/bench/ws_bench.py, which starts the server and reads
//! its memory and CPU time.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, in the
/// kernel's 100 Hz ticks).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    // The command name may hold spaces: the fields after it start after the last ')'.
    let Some((_, rest)) = stat.rsplit_once(')') else { return f64::NAN };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

#[derive(Clone, Copy)]
enum Client {
    Lean,
    Scan,
}

const START: &str = r#"{"type":"stream_start","data":{"message_id":""#;
const CHUNK: &str = r#"{"type":"stream_chunk","data":{"message_id":""#;

/// The message id that follows `prefix` at the start of a frame, read by position.
fn id_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(prefix)?;
    rest.split_once('"').map(|(id, _)| id)
}

/// What a frame means to the connection waiting for the answer that mentions `needle`.
enum Seen<'a> {
    Start(Cow<'a, str>),
    /// A chunk of our own answer, with its message id.
    Ours(Cow<'a, str>),
    Other,
}

/// The first client's way: search every frame as text, parse the candidates as JSON.
fn look_scan<'a>(text: &'a str, needle: &str) -> Seen<'a> {
    let is_start = text.contains("\"stream_start\"");
    if !is_start && !text.contains(needle) {
        return Seen::Other;
    }
    let Ok(v) = serde_json::from_str::<Value>(text) else { return Seen::Other };
    let id = Cow::Owned(v["data"]["message_id"].as_str().unwrap_or_default().to_owned());
    match v["type"].as_str() {
        Some("stream_start") => Seen::Start(id),
        Some("stream_chunk") => Seen::Ours(id),
        _ => Seen::Other,
    }
}

fn look_lean<'a>(text: &'a str, needle: &str) -> Seen<'a> {
    if let Some(id) = id_after(text, START) {
        return Seen::Start(Cow::Borrowed(id));
    }
    match id_after(text, CHUNK) {
        Some(id) if text.contains(needle) => Seen::Ours(Cow::Borrowed(id)),
        _ => Seen::Other,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let usage = "usage: ws_load <base url> <pin> [connections] [spread seconds] [lean|scan]";
    let mut args = std::env::args().skip(1);
    let base = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let pin = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let n: usize = args.next().map_or(Ok(1000), |s| s.parse())?;
    let spread: f64 = args.next().map_or(Ok(0.0), |s| s.parse())?;
    let client = match args.next().as_deref() {
        None | Some("lean") => Client::Lean,
        Some("scan") => Client::Scan,
        Some(other) => anyhow::bail!("unknown client {other:?}; {usage}"),
    };

    let http = reqwest::Client::new();
    let login: Value =
        http.post(format!("{base}/api/auth/login")).json(&json!({"pin": pin})).send().await?.json().await?;
    let token =
        login["access_token"].as_str().ok_or_else(|| anyhow::anyhow!("login failed: {login}"))?.to_owned();
    let ws_url = format!("{}/ws?token={token}", base.replacen("http", "ws", 1));

    // Open every connection first; they all stay open (idle) while the messages go out.
    let mut sockets = Vec::with_capacity(n);
    // tungstenite zero-fills its whole read buffer (128 KiB by default) on a connection's
    // first read, which for the lean client is the burst itself: 128 MB of memset across
    // 1,000 connections, the largest client cost in a profile. The server reads in 4 KiB.
    let config = match client {
        Client::Lean => Some(WebSocketConfig::default().read_buffer_size(4 * 1024)),
        Client::Scan => None,
    };
    for _ in 0..n {
        sockets.push(tokio_tungstenite::connect_async_with_config(&ws_url, config, false).await?.0);
    }
    println!("connections_open {n}");
    // Let the server settle so its memory can be read with every connection idle.
    tokio::time::sleep(Duration::from_secs(3)).await;
    println!("idle_ready");
    tokio::time::sleep(Duration::from_secs(2)).await;

    println!("burst_start");
    let cpu_before = cpu_seconds();
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
            // Every connection sees every answer's stream_start; ours is the one whose
            // chunks come to us (and mention our item), so wait for our own chunk and time
            // its stream_start.
            let mut starts: Vec<(String, Duration)> = Vec::new();
            let deadline = Duration::from_secs(60);
            while started.elapsed() < deadline {
                let Some(Ok(Message::Text(text))) = ws.next().await else { return None };
                let seen = match client {
                    Client::Lean => look_lean(&text, &needle),
                    Client::Scan => look_scan(&text, &needle),
                };
                match seen {
                    Seen::Start(id) => starts.push((id.into_owned(), started.elapsed())),
                    Seen::Ours(id) => {
                        return starts.iter().find(|(m, _)| *m == id).map(|(_, d)| d.as_secs_f64() * 1000.0);
                    }
                    Seen::Other => {}
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
    let wall = go.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    println!("burst_end");
    times.sort_by(f64::total_cmp);
    println!(
        "answered {} of {n}; send to stream_start: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(f64::NAN)
    );
    println!("client CPU during the burst: {cpu:.2} s in {wall:.2} s");
    Ok(())
}
