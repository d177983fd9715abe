//! Occurrences of a repeating event (RFC 5545 RRULE, via the rrule crate).
//!
//! The rule runs in the user's zone from the series' first start, so "every Monday at
//! 10:00" stays at 10:00 local time across daylight-saving changes; the crate applies the
//! RFC's rules for times that do not exist or happen twice.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Most occurrences one listing expands, so a daily rule over a wide range stays bounded.
pub const MAX_OCCURRENCES: usize = 1_000;

/// The OpenAPI `pattern` of a rule a client may send: the RRULE forms a calendar needs
/// (frequency, interval, a count or a UTC end, weekdays with an optional ordinal, days of
/// the month, months), each written in the order RFC 5545's examples use. Every rule it
/// admits passes [`normalise_rule`]; the server also takes other valid
/// rules (any order, WKST, BYSETPOS, ...), which the document leaves unstated.
/// BYMONTHDAY is not allowed with FREQ=WEEKLY.
pub const RULE_PATTERN: &str = concat!(
    r"^(RRULE:)?(FREQ=WEEKLY(;INTERVAL=[1-9][0-9]{0,2})?(;COUNT=[1-9][0-9]{0,2}|;UNTIL=",
    r"(19[7-9][0-9]|2[0-9]{3})((0[13578]|1[02])(0[1-9]|[12][0-9]|3[01])|(0[469]|11)(0[1-9]|[12][0-9]|30)|02(0[1-9]|1[0-9]|2[0-8]))",
    r"T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]Z)?(;BYDAY=([+-]?[1-4])?(MO|TU|WE|TH|FR|SA|SU)(,([+-]?[1-4])?(MO|TU|WE|TH|FR|SA|SU)){0,6})?",
    r"|FREQ=(DAILY|MONTHLY|YEARLY)(;INTERVAL=[1-9][0-9]{0,2})?(;COUNT=[1-9][0-9]{0,2}|;UNTIL=",
    r"(19[7-9][0-9]|2[0-9]{3})((0[13578]|1[02])(0[1-9]|[12][0-9]|3[01])|(0[469]|11)(0[1-9]|[12][0-9]|30)|02(0[1-9]|1[0-9]|2[0-8]))",
    r"T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]Z)?(;BYDAY=([+-]?[1-4])?(MO|TU|WE|TH|FR|SA|SU)(,([+-]?[1-4])?(MO|TU|WE|TH|FR|SA|SU)){0,6})?",
    r"(;BYMONTHDAY=-?([1-9]|[12][0-9]|3[01])(,-?([1-9]|[12][0-9]|3[01])){0,3})?)",
    r"(;BYMONTH=([1-9]|1[0-2])(,([1-9]|1[0-2])){0,3})?$"
);

/// The OpenAPI schema of `recurrence_rule` where a client sends one: a rule matching
/// [`RULE_PATTERN`], or `null` for none.
pub fn rule_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .description(Some("An RFC 5545 RRULE such as `FREQ=WEEKLY;BYDAY=MO,WE`, or null for none."))
        .examples([serde_json::json!("FREQ=WEEKLY;BYDAY=MO")])
        .pattern(Some(RULE_PATTERN))
        .build()
}

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

/// An RRULE must parse and make sense from the event's start; the optional `RRULE:`
/// prefix some calendars write is accepted and dropped.
pub fn normalise_rule(rule: &str) -> crate::infra::error::Result<String> {
    let rule = rule.trim();
    let rule = rule.strip_prefix("RRULE:").unwrap_or(rule).trim().to_owned();
    let parsed = parse_rule(&rule).map_err(|e| {
        crate::infra::error::Error::invalid("recurrence_rule", format!("not a valid RRULE: {e}"))
    })?;
    let start = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH.with_timezone(&rrule::Tz::UTC);
    parsed.validate(start).map_err(|e| {
        crate::infra::error::Error::invalid("recurrence_rule", format!("not a valid RRULE: {e}"))
    })?;
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use rand_for_regex::{RngExt as _, SeedableRng as _};

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
    fn every_rule_the_documented_pattern_admits_is_accepted() {
        // A client generated from the document sends what the pattern admits; each of
        // those rules must pass the server's check. The generator takes no anchors.
        let body = RULE_PATTERN.strip_prefix('^').and_then(|p| p.strip_suffix('$')).unwrap();
        let generator = rand_regex::Regex::compile(body, 7).unwrap();
        let pattern = regex::Regex::new(RULE_PATTERN).unwrap();
        let rng = rand_for_regex::rngs::StdRng::seed_from_u64(5545);
        for rule in rng.sample_iter::<String, _>(generator).take(20_000) {
            assert!(pattern.is_match(&rule), "{rule}");
            if let Err(e) = normalise_rule(&rule) {
                panic!("{rule} matches the pattern but is refused: {e}");
            }
        }
        for typical in [
            "FREQ=DAILY",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=10;BYDAY=TU",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=MONTHLY;UNTIL=20261231T235959Z;BYMONTHDAY=1,15",
            "FREQ=YEARLY;BYMONTH=3",
        ] {
            assert!(pattern.is_match(typical), "{typical}");
            assert!(normalise_rule(typical).is_ok(), "{typical}");
        }
        for outside in [
            "FREQ=WEEKLY;BYMONTHDAY=1",
            "FREQ=HOURLY",
            "every monday",
            "FREQ=DAILY;COUNT=1;UNTIL=20260101T000000Z",
        ] {
            assert!(!pattern.is_match(outside), "{outside}");
        }
    }

    #[test]
    fn a_rule_with_text_outside_ascii_is_refused_not_a_panic() {
        // The fuzzer's find: the crate's parser panicked inside a multi-byte character.
        let rule = "FREQ=WEEKLY;BYDAY=MzOM\u{fffd}\u{fffd}\u{fffd}\u{fffd}";
        assert!(parse_rule(rule).is_err());
        assert!(occurrences(rule, 0, None, Tz::UTC, 0, 86_400_000, 5).is_empty());
    }

    #[test]
    fn rules_parse_with_or_without_prefix_and_garbage_is_refused() {
        assert_eq!(normalise_rule("FREQ=WEEKLY;BYDAY=MO").ok().as_deref(), Some("FREQ=WEEKLY;BYDAY=MO"));
        assert_eq!(normalise_rule("RRULE:FREQ=DAILY;COUNT=3").ok().as_deref(), Some("FREQ=DAILY;COUNT=3"));
        assert!(normalise_rule("every tuesday").is_err());
        assert!(normalise_rule("FREQ=SOMETIMES").is_err());
    }
}
