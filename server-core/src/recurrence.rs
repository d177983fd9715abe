//! Occurrences of a repeating event (RFC 5545 RRULE, via the rrule crate).
//!
//! The rule runs in the user's zone from the series' first start, so "every Monday at
//! 10:00" stays at 10:00 local time across daylight-saving changes; the crate applies the
//! RFC's rules for times that do not exist or happen twice.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Most occurrences one listing expands, so a daily rule over a wide range stays bounded.
pub const MAX_OCCURRENCES: usize = 1_000;

/// Parses an RRULE's text. RFC 5545 writes rules in ASCII only; anything else is refused
/// before the rrule crate sees it, because its parser slices text by byte offsets and
/// panics inside a multi-byte character (found by the `rrule` fuzz target).
pub fn parse_rule(rule: &str) -> Result<rrule::RRule<rrule::Unvalidated>, String> {
    if !rule.is_ascii() {
        return Err("a rule is written in ASCII letters, digits and punctuation only".into());
    }
    rule.parse().map_err(|e: rrule::RRuleError| e.to_string())
}

/// Starts (ms) of the occurrences that overlap `[from, to)`, soonest first, at most `cap`.
/// An occurrence overlaps when it ends after `from` (or, with no duration, starts at or
/// after it) and starts before `to`.
pub fn occurrences(
    rule: &str,
    first_start_ms: i64,
    duration_ms: Option<i64>,
    tz: Tz,
    from_ms: i64,
    to_ms: i64,
    cap: usize,
) -> Vec<i64> {
    let Ok(parsed) = parse_rule(rule) else {
        return vec![];
    };
    let Some(first) = DateTime::<Utc>::from_timestamp_millis(first_start_ms) else {
        return vec![];
    };
    let start = first.with_timezone(&rrule::Tz::Tz(tz));
    let Ok(set) = parsed.build(start) else {
        return vec![];
    };
    let span = duration_ms.unwrap_or(0).max(0);
    let mut out = Vec::new();
    for occurrence in &set {
        let at = occurrence.timestamp_millis();
        if at >= to_ms || out.len() >= cap {
            break;
        }
        let overlaps = if span > 0 { at + span > from_ms } else { at >= from_ms };
        if overlaps {
            out.push(at);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn ms(tz: Tz, y: i32, m: u32, d: u32, h: u32) -> i64 {
        tz.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().timestamp_millis()
    }

    #[test]
    fn weekly_keeps_its_local_time_across_the_spring_change() {
        let tz: Tz = "America/Los_Angeles".parse().unwrap();
        let got = occurrences(
            "FREQ=WEEKLY",
            ms(tz, 2026, 3, 2, 10),
            Some(1_800_000),
            tz,
            ms(tz, 2026, 3, 1, 0),
            ms(tz, 2026, 3, 17, 0),
            10,
        );
        assert_eq!(got, vec![ms(tz, 2026, 3, 2, 10), ms(tz, 2026, 3, 9, 10), ms(tz, 2026, 3, 16, 10)]);
    }

    #[test]
    fn the_cap_and_the_range_bound_the_expansion() {
        let tz = Tz::UTC;
        let got = occurrences(
            "FREQ=DAILY",
            ms(tz, 2020, 1, 1, 9),
            None,
            tz,
            ms(tz, 2026, 1, 1, 0),
            ms(tz, 2027, 1, 1, 0),
            5,
        );
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], ms(tz, 2026, 1, 1, 9));
        assert!(occurrences("not a rule", 0, None, tz, 0, 1, 5).is_empty());
    }

    #[test]
    fn a_rule_with_text_outside_ascii_is_refused_not_a_panic() {
        // The fuzzer's find: the crate's parser panicked inside a multi-byte character.
        let rule = "FREQ=WEEKLY;BYDAY=MzOM\u{fffd}\u{fffd}\u{fffd}\u{fffd}";
        assert!(parse_rule(rule).is_err());
        assert!(occurrences(rule, 0, None, Tz::UTC, 0, 86_400_000, 5).is_empty());
    }
}
