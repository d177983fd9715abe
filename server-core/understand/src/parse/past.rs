//! A calendar question asked in the past tense: "what did I have on monday", "was there
//! anything on friday". A weekday said alone means the next one in a request ("lunch on
//! monday"), so the date reader gives that; asked of what was, it is the last one.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveTime};
use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use super::Plan;
use super::rules::{rfc, rx};
use crate::intent::Intent;
use crate::when::localize;

/// Asked of what was: "did I have", "was there", "what happened".
static ASKED_OF_PAST: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:did (?:i|we)|was (?:i|there)|were (?:we|there)|(?:i|we) had|happened)\b"));

/// A weekday said alone, without a word that points ahead ("next", "this coming").
static WEEKDAY: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:.*\s)?(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"));
static AHEAD: LazyLock<Regex> = LazyLock::new(|| rx(r"\b(?:next|coming|upcoming|this)\b"));

/// The plan with a weekday read ahead moved back to the last such day, when the
/// question asks of the past (`l` is the clause lowercased).
pub(super) fn asked_of_past(mut plan: Plan, l: &str, now: DateTime<Tz>) -> Plan {
    if plan.intent != Intent::QueryEvents
        || !ASKED_OF_PAST.is_match(l)
        || !WEEKDAY.is_match(l)
        || AHEAD.is_match(l)
    {
        return plan;
    }
    let tz = now.timezone();
    let at = |key: &str| {
        let said = plan.params.get(key).and_then(Value::as_str)?;
        Some(DateTime::parse_from_rfc3339(said).ok()?.with_timezone(&tz))
    };
    let Some(start) = at("start_time") else { return plan };
    let today = now.date_naive().and_time(NaiveTime::MIN);
    // Whole weeks back, wall clock kept, until the day is before today.
    let mut weeks = 0;
    let earlier = |t: DateTime<Tz>, weeks: i64| t.naive_local().checked_sub_signed(Duration::weeks(weeks));
    while earlier(start, weeks).is_some_and(|d| d >= today) && weeks < 2 {
        weeks += 1;
    }
    if weeks == 0 {
        return plan;
    }
    let back = |t: DateTime<Tz>| earlier(t, weeks).and_then(|d| localize(tz, d)).map(|t| rfc(&t));
    let end = at("end_time");
    if let Some(s) = back(start) {
        plan.params.insert("start_time".into(), Value::String(s));
    }
    if let Some(e) = end.and_then(back) {
        plan.params.insert("end_time".into(), Value::String(e));
    }
    plan
}
