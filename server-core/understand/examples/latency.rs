//! Resolver and parser latency on a 1 KB text and on short everyday requests: `cargo run
//! --release -p clawchat-understand --example latency`.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use clawchat_understand::when;

fn main() {
    let sentence = "remind me to call the dentist tomorrow at 3pm about the 2 fillings, then book \
                    the flight for March 25 to 27 and send the report by friday. ";
    let mut text = String::new();
    while text.len() < 1024 {
        text.push_str(sentence);
    }
    text.truncate(1024);
    let now = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).single().map(|t| t.with_timezone(&chrono_tz::UTC));
    let Some(now) = now else { return };
    // The first call builds the library's rules and our patterns; time the rest.
    let _ = when::find_all("tomorrow at 5pm", now);
    let mut times = Vec::new();
    for i in 0..300 {
        // A new `now` each run, so the one-text cache never answers.
        let now = now + chrono::Duration::seconds(i);
        let t = Instant::now();
        let found = when::find_all(&text, now);
        let _ = when::find_combined(&text, now);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(found);
    }
    report("1 KB text, find_all + find_combined", times);
    // This run warms the parser up first (`warm_up`), as the app's first read does; the
    // first 1 KB parse after it still builds the patterns its other clauses reach, and is
    // reported on its own.
    clawchat_understand::warm_up(clawchat_understand::Lang::ENGLISH);
    let t = Instant::now();
    std::hint::black_box(clawchat_understand::parse(&text, now - chrono::Duration::days(1)));
    println!("1 KB text, the first whole parse after warm_up: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0);
    let mut times = Vec::new();
    for i in 0..300 {
        let now = now + chrono::Duration::seconds(i);
        let t = Instant::now();
        let parsed = clawchat_understand::parse(&text, now);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(parsed);
    }
    report("1 KB text, the whole parse", times);
    // One long request with no clause breaks: a note dictated in one breath.
    let words = "remind me to tell the plumber who said he can come on thursday at 10 or friday \
                 morning that the quote for the boiler was about 900 pounds with the valves so we \
                 should decide before the end of the month ";
    let mut note = String::new();
    while note.len() < 1024 {
        note.push_str(words);
    }
    note.truncate(1024);
    let mut times = Vec::new();
    for i in 0..300 {
        let now = now + chrono::Duration::seconds(i);
        let t = Instant::now();
        let parsed = clawchat_understand::parse(&note, now);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(parsed);
    }
    report("1 KB note in one sentence, the whole parse", times);
    // Short requests as people type them: the everyday development set, four rounds.
    let everyday =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/eval/everyday.jsonl"))
            .unwrap_or_default();
    let short: Vec<String> = everyday
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    let mut times = Vec::new();
    for (i, text) in short.iter().cycle().take(short.len() * 4).enumerate() {
        let now = now + chrono::Duration::seconds(i as i64);
        let t = Instant::now();
        let parsed = clawchat_understand::parse(text, now);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(parsed);
    }
    report(&format!("{} everyday requests, the whole parse", short.len()), times);
}

fn report(what: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times.get(((times.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    println!(
        "{what}, {} runs (each read anew): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}
