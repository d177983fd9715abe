//! Repeating events: any RRULE text and any range give a bounded, ordered list of starts
//! inside the range, without panicking or running away.
//!
//! Input: 14 bytes of numbers (little-endian): the first start in minutes since 1970 (u32),
//! the duration in minutes (u16, 0 for none), the zone (u16), the range's start relative to
//! the first start in hours (i16), its length in hours (u16), the cap (u16); then the rule.
#![no_main]

use clawchat_server::infra::recurrence::{MAX_OCCURRENCES, occurrences};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((h, rule)) = data.split_at_checked(14) else { return };
    let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
    let first = i64::from(u32::from_le_bytes([h[0], h[1], h[2], h[3]])) * 60_000;
    let duration = Some(i64::from(u16_at(4)) * 60_000).filter(|&d| d > 0);
    let zones = chrono_tz::TZ_VARIANTS;
    let tz = zones[usize::from(u16_at(6)) % zones.len()];
    let from = first + i64::from(i16::from_le_bytes([h[8], h[9]])) * 3_600_000;
    let to = from + i64::from(u16_at(10)) * 3_600_000;
    let cap = usize::from(u16_at(12)).min(MAX_OCCURRENCES);
    let rule = String::from_utf8_lossy(rule);

    let starts = occurrences(&rule, first, duration, tz, from, to, cap);
    assert!(starts.len() <= cap, "at most {cap}: {}", starts.len());
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "soonest first: {starts:?}");
    let span = duration.unwrap_or(0);
    for &at in &starts {
        assert!(at < to, "{at} starts before the range ends ({to})");
        assert!(at + span >= from, "{at} overlaps the range from {from}");
    }
    assert_eq!(starts, occurrences(&rule, first, duration, tz, from, to, cap), "deterministic");
});
