//! Time kept for something: "block off friday afternoon for focus time", "reserve
//! thursday evening for the gym", "hold 3 to 4 on friday for interview prep", "block
//! out 2 hours tomorrow morning for deep work". An event named for what the time is
//! kept for, over the time said: a range as said, a length from its start, or the
//! part of the day named. And a thing said with the hours it runs ("vendor demo monday
//! 2-3"): only calendar things have an end.

use std::sync::LazyLock;

use chrono::{DateTime, Duration};
use chrono_tz::Tz;
use regex::Regex;

use super::Plan;
use super::rules::{self, date_value, rfc, rx, tidy};
use crate::intent::Intent;
use crate::when::Lang;

static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:block(?: off| out)?|reserve|hold|set aside|put aside|carve out|save|keep)\s+(?P<when>.+?)\s+(?:for|to work on)\s+(?P<what>.+)$",
    )
});

/// A length of time said inside the kept time ("2 hours", "an hour", "90 minutes").
static LENGTH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?P<n>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|half an?)\s*(?P<unit>hours?|hrs?|h|minutes?|mins?)\b",
    )
});

/// Words that may stand beside the time without naming anything.
static FILLER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:(?:on|at|from|in|the|my|some|time|a|an|slot|of|calendar|schedule)\s*)*$"));

pub(super) fn block_time(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let c = BLOCK.captures(l)?;
    let (when_r, what_r) = (c.name("when")?.range(), c.name("what")?.range());
    let when_low = l.get(when_r.clone())?;
    // The length said is taken out first, so it is not read as "in 2 hours".
    let length = LENGTH.captures(when_low).and_then(|m| Some((m.get(0)?.range(), length_of(&m)?)));
    let mut blanked = t.get(when_r.clone())?.to_string();
    if let Some((r, _)) = &length {
        blanked.replace_range(r.clone(), &" ".repeat(r.len()));
    }
    let (f, cut) = super::slots::dates(&blanked, now, Lang::ENGLISH)?;
    // Nothing but the time (and its length) may stand there: "keep the receipts for
    // taxes" keeps no time.
    let mut rest = blanked.to_ascii_lowercase();
    for r in &cut {
        rest.replace_range(r.clone(), &" ".repeat(r.len()));
    }
    if !FILLER.is_match(rest.trim()) {
        return None;
    }
    let title = tidy(t, what_r, &[])?;
    let plan = Plan::new(Intent::CreateEvent, 0.85).with("title", title);
    let (start, end) = match (f.end, &length, f.period) {
        (Some(e), _, _) => (rfc(&f.start), Some(e)),
        (None, Some((_, mins)), _) => (rfc(&f.start), Some(f.start + Duration::minutes(*mins))),
        (None, None, Some(p)) if p.from.is_some() && p.to.is_some() => (p.from.as_ref().map(rfc)?, p.to),
        (None, None, _) => (date_value(&f, &f.start), None),
    };
    let plan = plan.with("start_time", start);
    Some(match end {
        Some(e) => plan.with("end_time", rfc(&e)),
        None => plan,
    })
}

/// The minutes a [`LENGTH`] match says, up to a day.
fn length_of(c: &regex::Captures<'_>) -> Option<i64> {
    super::shift::minutes(c).filter(|m| *m <= 24 * 60)
}

/// Clock readings said in words.
static CLOCK_WORD: LazyLock<Regex> = LazyLock::new(|| {
    rules::rx(r"\b(?:noon|midday|midnight|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b")
});

/// "vendor demo monday 2-3", "10-11:30 tomorrow: onboarding": a short name and the
/// hours it runs, with no verb; not asked about.
pub(super) fn ranged(t: &str, l: &str, now: DateTime<Tz>, asked: bool) -> Option<Plan> {
    if asked || rules::is_question(l) {
        return None;
    }
    let (f, cut) = super::slots::dates(t, now, Lang::ENGLISH)?;
    let end = f.end?;
    let hours = end - f.start;
    if f.grain > crate::when::Grain::Hour || hours <= Duration::zero() || hours > Duration::hours(12) {
        return None;
    }
    // The time at one end of the clause and the name at the other.
    let span = cut.iter().find(|c| c.start <= f.span.start && f.span.end <= c.end).unwrap_or(&f.span);
    // Hours said as clock readings: "after work" is a stretch of the day, not its hours.
    if !l.get(span.clone()).is_some_and(|s| s.bytes().any(|b| b.is_ascii_digit()) || CLOCK_WORD.is_match(s)) {
        return None;
    }
    let name = if span.end >= t.trim_end().len() {
        0..span.start
    } else if span.start == 0 {
        span.end..t.len()
    } else {
        return None;
    };
    let name_low =
        l.get(name.clone())?.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | ','));
    if name_low.is_empty() || !rules::names_in(name_low, 5) {
        return None;
    }
    let title = tidy(t, name, &cut)?;
    Some(
        Plan::new(Intent::CreateEvent, 0.8)
            .with("title", title)
            .with("start_time", rfc(&f.start))
            .with("end_time", rfc(&end)),
    )
}
