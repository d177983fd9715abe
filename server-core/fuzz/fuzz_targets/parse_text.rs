//! The built-in parser and the date resolver: any text, at any moment in any zone, gives
//! an answer without panicking, and the same answer twice.
//!
//! Input: 4 bytes of seconds since 1970 (little-endian, taken modulo 2100-01-01), 2 bytes
//! choosing the zone, then the text.
#![no_main]

use chrono::{DateTime, TimeZone as _};
use clawchat_understand::{parse, when};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, text)) = data.split_at_checked(6) else { return };
    let seconds = i64::from(u32::from_le_bytes([head[0], head[1], head[2], head[3]])) % 4_102_444_800;
    let zones = chrono_tz::TZ_VARIANTS;
    let tz = zones[usize::from(u16::from_le_bytes([head[4], head[5]])) % zones.len()];
    let text = String::from_utf8_lossy(text);
    let Some(utc) = DateTime::from_timestamp(seconds, 0) else { return };
    let now = tz.from_utc_datetime(&utc.naive_utc());

    let first = parse(&text, now);
    assert_eq!(first, parse(&text, now), "the parser is deterministic for a fixed now");

    let found = when::find_all(&text, now);
    assert_eq!(found, when::find_all(&text, now), "the date resolver is deterministic");
    for f in &found {
        assert!(text.get(f.span.clone()).is_some(), "a found span lies on the text: {f:?}");
    }
    assert_eq!(when::find_combined(&text, now), when::find_combined(&text, now));
});
