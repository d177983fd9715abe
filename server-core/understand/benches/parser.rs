//! Latency of the built-in parser and date resolver per utterance.
//!
//!     cargo bench -p clawchat-understand --bench parser
//!
//! The corpus is the public evaluation data beside the repository (`../shared/eval`, all
//! 4,111 texts) when present, else a few dozen utterances of our own. Criterion measures the
//! mean per utterance over the corpus; the percentiles printed first are timed one call at
//! a time, since a mean hides the slow tail a user would feel.

use std::hint::black_box;
use std::time::Instant;

use chrono::TimeZone as _;
use chrono_tz::Tz;
use clawchat_understand::{parse, when};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const OWN: &[&str] = &[
    "remind me to call the dentist tomorrow at 3pm",
    "add buy milk to my todo list",
    "schedule lunch with Ana on friday at noon",
    "what's on my calendar next week",
    "read ~/notes/ideas.txt and save it as a memo",
    "run ls -la in my projects folder",
    "mark buy milk as done",
    "search the web for night trains to Lisbon",
    "give me my briefing",
    "what is the capital of portugal",
    "move the team meeting to 4pm",
    "set an alarm for 6:30 tomorrow morning",
    "delete the event dentist appointment",
    "note that the wifi password is taped under the router",
    "from 4 to 5pm book a call with the bank",
];

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval");
    let mut texts = Vec::new();
    for file in [
        "clinc_train.jsonl",
        "clinc_val.jsonl",
        "slurp_devel.jsonl",
        "chrono_en.jsonl",
        "chrono_en_negative.jsonl",
    ] {
        let Ok(body) = std::fs::read_to_string(dir.join(file)) else { continue };
        texts.extend(
            body.lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v["text"].as_str().map(str::to_owned)),
        );
    }
    if texts.is_empty() {
        texts = OWN.iter().map(|s| (*s).to_owned()).collect();
    }
    texts
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    let i = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let tz: Tz = "America/New_York".parse().unwrap_or(Tz::UTC);
    let now = tz
        .with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
        .single()
        .unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz));
    let texts = corpus();
    // Compile the lazily built patterns before timing anything.
    black_box(parse("remind me to warm up tomorrow at 5pm", now));

    for (name, f) in [
        (
            "parse",
            Box::new(|t: &str| {
                black_box(parse(t, now));
            }) as Box<dyn Fn(&str)>,
        ),
        (
            "when",
            Box::new(|t: &str| {
                black_box(when::find(t, now));
            }),
        ),
    ] {
        let mut times: Vec<u128> = texts
            .iter()
            .map(|t| {
                let start = Instant::now();
                f(t);
                start.elapsed().as_nanos()
            })
            .collect();
        times.sort_unstable();
        println!(
            "{name}: {} utterances, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
            times.len(),
            percentile(&times, 0.5) as f64 / 1000.0,
            percentile(&times, 0.99) as f64 / 1000.0,
            times.last().copied().unwrap_or(0) as f64 / 1000.0
        );
    }

    let mut group = c.benchmark_group("per utterance");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            texts.iter().for_each(|t| {
                black_box(parse(t, now));
            })
        })
    });
    group.bench_function("when", |b| {
        b.iter(|| {
            texts.iter().for_each(|t| {
                black_box(when::find(t, now));
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
