//! The built-in parser and the date resolver: any text, at any moment in any zone, gives
//! an answer without panicking, and the same answer twice.
#![no_main]

use chrono::{DateTime, TimeZone as _};
use clawchat_server::brain::{parse, when};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    /// Seconds from 1970 to 2100, picked by the fuzzer.
    seconds: u32,
    zone: u16,
    text: String,
}

fuzz_target!(|input: Input| {
    let zones = chrono_tz::TZ_VARIANTS;
    let tz = zones[usize::from(input.zone) % zones.len()];
    let seconds = i64::from(input.seconds) % 4_102_444_800;
    let Some(utc) = DateTime::from_timestamp(seconds, 0) else { return };
    let now = tz.from_utc_datetime(&utc.naive_utc());

    let first = parse::parse(&input.text, now);
    let second = parse::parse(&input.text, now);
    assert_eq!(first, second, "the parser is deterministic for a fixed now");

    let found = when::find_all(&input.text, now);
    assert_eq!(found, when::find_all(&input.text, now), "the date resolver is deterministic");
    for f in &found {
        assert!(input.text.get(f.span.clone()).is_some(), "a found span lies on the text: {f:?}");
    }
    assert_eq!(when::find_combined(&input.text, now), when::find_combined(&input.text, now));
});
