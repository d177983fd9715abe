//! Repeating events: any RRULE text and any range give a bounded, ordered list of starts
//! inside the range, without panicking or running away.
#![no_main]

use clawchat_server::recurrence::{MAX_OCCURRENCES, occurrences};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    rule: String,
    /// The series' first start, in minutes from 1970 (keeps dates within chrono's range).
    first_minutes: u32,
    duration_minutes: Option<u16>,
    zone: u16,
    /// The listed range: its start relative to the first start, and its length, in hours.
    from_hours: i16,
    span_hours: u16,
    cap: u16,
}

fuzz_target!(|input: Input| {
    let zones = chrono_tz::TZ_VARIANTS;
    let tz = zones[usize::from(input.zone) % zones.len()];
    let first = i64::from(input.first_minutes) * 60_000;
    let duration = input.duration_minutes.map(|m| i64::from(m) * 60_000);
    let from = first + i64::from(input.from_hours) * 3_600_000;
    let to = from + i64::from(input.span_hours) * 3_600_000;
    let cap = usize::from(input.cap).min(MAX_OCCURRENCES);
    let starts = occurrences(&input.rule, first, duration, tz, from, to, cap);
    assert!(starts.len() <= cap, "at most {cap}: {}", starts.len());
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "soonest first: {starts:?}");
    let span = duration.unwrap_or(0);
    for &at in &starts {
        assert!(at < to, "{at} starts before the range ends ({to})");
        assert!(at + span >= from, "{at} overlaps the range from {from}");
    }
});
