//! Phrasings duckling reads wrongly for an assistant; each has a test in
//! `tests.rs` showing the library's reading and ours.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Weekday};
use chrono_tz::Tz;
use regex::{Captures, Regex};

use super::Grain;
use super::engine::{Cand, Point, Shape};

/// Our own candidates in `text`.
pub(super) fn candidates(text: &str, now: DateTime<Tz>) -> Vec<Cand> {
    // The last field: whether "by" or "before" in front makes the phrase a deadline.
    let rules: [(&LazyLock<Regex>, Rule, bool); 8] = [
        (&ISO, iso_instant, false),
        (&AFTER_NEXT, weekday_after_next, false),
        (&WEEK_ON, weeks_on, false),
        (&WEEK_OF, week_of_month, false),
        (&MONTH_ALONE, month_alone, false),
        (&DAY_END, day_end, true),
        (&FIRST_THING, first_thing, false),
        (&MONTH_END, month_end, true),
    ];
    let mut out = Vec::new();
    for (re, rule, by) in rules {
        for caps in re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            let lead = m.as_str().len() - m.as_str().trim_start().len();
            let span = m.start() + lead..m.start() + m.as_str().trim_end().len();
            let Some((start, grain, zone)) = rule(&caps, now) else { continue };
            let low = m.as_str().trim_start().to_lowercase();
            // As the library reads "by friday": from now until the day is over.
            let period = match start {
                Point::Wall(day) if by && (low.starts_with("by ") || low.starts_with("before ")) => {
                    Some((Some(Point::At(now.fixed_offset())), Some(Point::Wall(day + Duration::days(1)))))
                }
                _ => None,
            };
            let shape = if period.is_some() { Shape::Deadline } else { Shape::Single };
            out.push(Cand { span, start, end: None, grain, shape, zone, rank: 2, period });
        }
    }
    out
}

type Rule = fn(&Captures<'_>, DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)>;

fn num(caps: &Captures<'_>, i: usize) -> Option<u32> {
    caps.get(i)?.as_str().parse().ok()
}

/// "2026-05-01T10:00:00+02:00": duckling splits an ISO 8601 time with an offset
/// into three phrases.
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)",
    )
    .expect("regex")
});

fn iso_instant(caps: &Captures<'_>, _now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let date = NaiveDate::from_ymd_opt(num(caps, 1)? as i32, num(caps, 2)?, num(caps, 3)?)?;
    let sec = caps.get(6).map_or(Some(0), |_| num(caps, 6))?;
    let naive = date.and_hms_opt(num(caps, 4)?, num(caps, 5)?, sec)?;
    let off = caps.get(7)?.as_str();
    let secs = if off == "Z" {
        0
    } else {
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off.chars().filter(char::is_ascii_digit).collect();
        let h: i32 = digits.get(..2)?.parse().ok()?;
        let m: i32 = digits.get(2..).filter(|s| !s.is_empty()).map_or(Some(0), |s| s.parse().ok())?;
        sign * (h * 3600 + m * 60)
    };
    let zone = FixedOffset::east_opt(secs)?;
    let at = zone.from_local_datetime(&naive).single()?;
    let grain = if caps.get(6).is_some() { Grain::Second } else { Grain::Minute };
    Some((Point::At(at), grain, Some(zone)))
}

fn weekday(w: &str) -> Option<Weekday> {
    let w = w.to_lowercase();
    Some(match w.get(..3)? {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// "monday after next": duckling reads it as next monday; it is the one after.
static AFTER_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday) after next\b")
        .expect("regex")
});

fn weekday_after_next(caps: &Captures<'_>, now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let today = now.naive_local().date();
    let next = day_ahead(caps.get(1)?.as_str(), today)?;
    Some((Point::Wall(midnight(next + Duration::days(7))), Grain::Day, None))
}

/// "a week on thursday", "a fortnight on saturday", "two weeks from friday", "a week
/// today", "thursday week", "tomorrow week": the day named, then as many weeks on. The library reads the
/// day alone, or counts the weeks from today.
static WEEK_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:(a|one|two|three|four|[1-4]) (weeks?|fortnights?) (?:(?:on|from) )?({DAY_WORDS})|({DAY_WORDS}) (week|fortnight))\b"
    ))
    .expect("regex")
});

fn weeks_on(caps: &Captures<'_>, now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let (count, unit, day) = match caps.get(3) {
        Some(day) => (caps.get(1)?.as_str().to_lowercase(), caps.get(2)?.as_str(), day.as_str()),
        None => ("a".to_string(), caps.get(5)?.as_str(), caps.get(4)?.as_str()),
    };
    let n = super::small_number(&count).or_else(|| count.parse().ok())?;
    let per = if unit.to_lowercase().starts_with("fortnight") { 2 } else { 1 };
    let today = now.naive_local().date();
    let named = day_ahead(day, today)?;
    Some((Point::Wall(midnight(named + Duration::weeks(i64::from(n * per)))), Grain::Day, None))
}

/// The day a day word names from `today`: "today", "tomorrow", or the next such weekday
/// (today's, said on that day).
fn named_day(w: &str, today: NaiveDate) -> Option<NaiveDate> {
    match w.to_lowercase().as_str() {
        "today" => Some(today),
        "tomorrow" => today.succ_opt(),
        other => {
            let want = weekday(other)?;
            let ahead = (7 + want.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
            Some(today + Duration::days(i64::from(ahead)))
        }
    }
}

/// [`named_day`], where a weekday said on that weekday is next week's, as everywhere else
/// ("monday after next" or "a week on monday", said on a Monday).
fn day_ahead(w: &str, today: NaiveDate) -> Option<NaiveDate> {
    let day = named_day(w, today)?;
    Some(if day == today && weekday(w).is_some() { day + Duration::days(7) } else { day })
}

const DAY_WORDS: &str = "today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday";

/// "by the end of the day on friday", "friday eod", "close of business thursday", "by
/// cob": the library reads some of these as today or now, and leaves "close of business"
/// out. A deadline at the end of a working day is that day, as "by eod" is.
static DAY_END: LazyLock<Regex> = LazyLock::new(|| {
    let end = r"(?:(?:the )?(?:end|close) of (?:the )?(?:day|business|play)|eod|cob|eop)";
    Regex::new(&format!(
        r"(?i)\b(?:(?:by|before) )?{end}(?: on)?(?: ({DAY_WORDS}))?\b|\b(?:(?:by|on) )?({DAY_WORDS})(?: by)? {end}\b"
    ))
    .expect("regex")
});

fn day_end(caps: &Captures<'_>, now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let said = caps.get(0)?.as_str().to_lowercase();
    // A bare "cob" is a loaf or an ear of corn: only a deadline says it.
    let bare_cob = said.split_whitespace().any(|w| w == "cob")
        && !(said.starts_with("by ") || said.starts_with("before ") || caps.get(1).or(caps.get(2)).is_some());
    if bare_cob {
        return None;
    }
    let today = now.naive_local().date();
    let day = match caps.get(1).or(caps.get(2)) {
        Some(w) => named_day(w.as_str(), today)?,
        None => today,
    };
    Some((Point::Wall(midnight(day)), Grain::Day, None))
}

/// "first thing monday", "first thing in the morning": the start of the working day,
/// 9:00; with no day said, the next 9:00 to come.
static FIRST_THING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\bfirst thing(?: (?:on |in the )?({DAY_WORDS}|morning))?\b")).expect("regex")
});

fn first_thing(caps: &Captures<'_>, now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let local = now.naive_local();
    let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0)?;
    let day = caps.get(1).map(|w| w.as_str().to_lowercase()).filter(|w| w != "morning");
    let at = match &day {
        Some(w) => named_day(w, local.date())?.and_time(nine),
        None => local.date().and_time(nine),
    };
    // Gone by already: the next such morning ("first thing monday" said on a Monday at 10).
    let at = match &day {
        _ if at > local => at,
        Some(w) if weekday(w).is_some() => at + Duration::days(7),
        _ => at + Duration::days(1),
    };
    Some((Point::Wall(at), Grain::Hour, None))
}

/// "before the end of february": the library leaves "before" out and reads the month's
/// last week; the deadline is the month's last day, as "by the end of february" is.
static MONTH_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(?:by|before) (?:the )?end of ({MONTHS})\b")).expect("regex")
});

fn month_end(caps: &Captures<'_>, now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let m = month(&caps.get(1)?.as_str().to_lowercase())?;
    let today = now.naive_local().date();
    let last = |year: i32| {
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, m + 1, 1)
        };
        next.and_then(|d| d.pred_opt())
    };
    let this_year = last(today.year())?;
    let day = if this_year >= today { this_year } else { last(today.year() + 1)? };
    Some((Point::Wall(midnight(day)), Grain::Day, None))
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(chrono::NaiveTime::MIN)
}

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december";

fn month(w: &str) -> Option<u32> {
    let w = w.to_lowercase();
    MONTHS.split('|').position(|m| m == w).and_then(|i| u32::try_from(i + 1).ok())
}

/// "the second week of April": the weeks of a month start on Mondays, the first
/// being the one that holds the 1st; duckling gives a day instead.
static WEEK_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(?:the )?(first|second|third|fourth|1st|2nd|3rd|4th) week of ({MONTHS})\b"))
        .expect("regex")
});

fn week_of_month(caps: &Captures<'_>, now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let nth: i64 = match caps.get(1)?.as_str().to_lowercase().as_str() {
        "first" | "1st" => 0,
        "second" | "2nd" => 1,
        "third" | "3rd" => 2,
        _ => 3,
    };
    let m = month(caps.get(2)?.as_str())?;
    let today = now.naive_local().date();
    // The month's next occurrence, this one included.
    let year = if m < today.month() { today.year() + 1 } else { today.year() };
    let first = NaiveDate::from_ymd_opt(year, m, 1)?;
    let monday = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
    Some((Point::Wall(midnight(monday + Duration::weeks(nth))), Grain::Week, None))
}

/// A message that is only a capitalised month name ("May", "February."): duckling
/// leaves "May" alone, since it is mostly a verb inside sentences.
static MONTH_ALONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(May)\s*[.!]?\s*$").expect("regex"));

fn month_alone(_caps: &Captures<'_>, now: DateTime<Tz>) -> Option<(Point, Grain, Option<FixedOffset>)> {
    let today = now.naive_local().date();
    let year = if today.month() > 5 { today.year() + 1 } else { today.year() };
    Some((Point::Wall(midnight(NaiveDate::from_ymd_opt(year, 5, 1)?)), Grain::Month, None))
}
