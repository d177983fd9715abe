//! The assistant's conventions on top of duckling's values, and placing them in
//! the user's zone.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use regex::Regex;

use super::engine::{self, Cand, Point, Shape};
use super::{Found, Grain, Lang, localize};

/// Apply the conventions that change what a phrase means: a part of the day is
/// its usual hour, a zone word sets the zone (a bare hour is moved to the waking
/// hours later, on whichever reading wins: [`super::hours`]).
pub(super) fn adjust(mut c: Cand, text: &str, now: DateTime<Tz>) -> Cand {
    let body = text.get(c.span.clone()).unwrap_or("").to_lowercase();
    if c.zone.is_none() {
        if let Some(z) = zone_word(&body) {
            c = in_zone(c, text, z, now);
        }
    }
    if let Some(c2) = part_of_day(&c, &body) {
        c = c2;
    }
    if let Some(next) = passed_clock_range(&c, &body, now) {
        c = next;
    }
    c
}

/// "10am to 12pm" said at 11am with no day: like a bare clock time already past,
/// the range is tomorrow's.
fn passed_clock_range(c: &Cand, body: &str, now: DateTime<Tz>) -> Option<Cand> {
    let (Point::Wall(start), Some(Point::Wall(end))) = (c.start, c.end) else { return None };
    let today = now.naive_local();
    let passed =
        c.shape == Shape::Range && c.grain <= Grain::Hour && start < today && start.date() == today.date();
    if !passed || DAY_WORD.is_match(body) {
        return None;
    }
    let day = Duration::days(1);
    Some(Cand { start: Point::Wall(start + day), end: Some(Point::Wall(end + day)), ..c.clone() })
}

/// "tonight", "tomorrow morning": duckling gives the whole part of the day; an
/// assistant needs one time in it.
fn part_of_day(c: &Cand, body: &str) -> Option<Cand> {
    static PART: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(morning|afternoon|evening|tonight|tonite|night)\b").expect("regex"));
    if c.shape != Shape::Range || c.grain != Grain::Hour || body.contains(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    let word = PART.captures(body)?.get(1)?.as_str();
    let hour = match word {
        "morning" => 9,
        "afternoon" => 15,
        "evening" => 19,
        _ => 21,
    };
    let day = c.start.wall().date();
    let at = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0)?);
    let period = Some((Some(c.start), c.end));
    Some(Cand { start: Point::Wall(at), end: None, shape: Shape::Single, period, ..c.clone() })
}

/// "9:00 PST": the phrase read again without its zone word, with now as the wall
/// clock of that zone, so the time is that zone's (duckling mixes the two).
fn in_zone(c: Cand, text: &str, zone: FixedOffset, now: DateTime<Tz>) -> Cand {
    let body = text.get(c.span.clone()).unwrap_or("");
    let cut = body.trim_end().trim_end_matches(|ch: char| ch.is_ascii_alphabetic()).trim_end();
    let reference = now.with_timezone(&zone);
    let again = engine::entities_at(cut, reference, Lang::ENGLISH)
        .into_iter()
        .filter(|e| e.start == 0)
        .max_by_key(|e| e.end)
        .and_then(|e| engine::candidate(&e, reference, c.rank));
    match again {
        Some(a) => Cand { span: c.span, zone: Some(zone), ..a },
        None => Cand { zone: Some(zone), ..c },
    }
}

/// The zone a phrase names after its time ("9:00 PST").
fn zone_word(body: &str) -> Option<FixedOffset> {
    let last = body.rsplit(|ch: char| !ch.is_ascii_alphabetic()).next()?;
    FixedOffset::east_opt(super::rules::zone_offset(last)? * 60)
}

/// Place a point in the user's zone. A wall-clock value is read in the zone the
/// text named, else in the user's; an instant whole days from now is a wall-clock
/// offset ("in 2 days" keeps the time of day across a DST change).
fn place(p: Point, zone: Option<FixedOffset>, now: DateTime<Tz>) -> Option<DateTime<Tz>> {
    let tz = now.timezone();
    match (p, zone) {
        (Point::Wall(n), Some(off)) => Some(off.from_local_datetime(&n).single()?.with_timezone(&tz)),
        (Point::Wall(n), None) => localize(tz, n),
        (Point::At(t), _) => {
            let secs = (t.naive_utc() - now.naive_utc()).num_seconds();
            let own_offset = *t.offset() == now.fixed_offset().timezone();
            if zone.is_none() && own_offset && secs != 0 && secs % 86_400 == 0 {
                localize(tz, t.naive_local())
            } else {
                Some(t.with_timezone(&tz))
            }
        }
    }
}

fn step(g: Grain) -> Option<Duration> {
    match g {
        Grain::Second => Some(Duration::seconds(1)),
        Grain::Minute => Some(Duration::minutes(1)),
        Grain::Hour => Some(Duration::hours(1)),
        _ => None,
    }
}

/// The grain of a deadline's point: duckling gives seconds for "by friday".
fn deadline_grain(n: NaiveDateTime) -> Grain {
    match (n.hour(), n.minute(), n.second()) {
        (0, 0, 0) => Grain::Day,
        (_, 0, 0) => Grain::Hour,
        (_, _, 0) => Grain::Minute,
        _ => Grain::Second,
    }
}

/// The value of a candidate, in the user's zone.
pub(super) fn resolve(c: &Cand, now: DateTime<Tz>) -> Option<Found> {
    let mut grain = c.grain;
    let (start, end) = match c.shape {
        Shape::Duration(secs) => (now.checked_add_signed(Duration::try_seconds(secs)?)?, None),
        Shape::Deadline => {
            grain = deadline_grain(c.start.wall());
            (place(c.start, c.zone, now)?, None)
        }
        Shape::Single => (place(c.start, c.zone, now)?, None),
        Shape::Range => {
            let start = place(c.start, c.zone, now)?;
            let mut end = match c.end {
                Some(e) => place(e, c.zone, now)?,
                None => start,
            };
            // Duckling ends a clock range one grain past its last minute or hour.
            if let Some(d) = step(grain) {
                if end - d > start {
                    end -= d;
                }
            }
            (start, Some(end).filter(|e| *e > start))
        }
    };
    // A time said in another zone need not fall on the hour in the user's ("9am IST" is
    // half past in London): it is precise to the minute.
    if c.zone.is_some() && grain == Grain::Hour {
        grain = Grain::Minute;
    }
    let end_zone = end.and(c.zone);
    let period = c.period.map(|(from, to)| super::Period {
        from: from.and_then(|p| place(p, c.zone, now)),
        to: to.and_then(|p| place(p, c.zone, now)),
    });
    Some(Found { start, end, grain, span: c.span.clone(), zone: c.zone, end_zone, period })
}

/// "tomorrow ... at 5pm": a day said in one place and a clock time in another,
/// as one candidate; `None` when the two do not combine.
pub(super) fn merge(a: &Cand, b: &Cand, text: &str) -> Option<Cand> {
    if let (Some(d), Some(t)) = (day_only(a), clock_only(b, text)) {
        let start = Point::Wall(d.and_time(t));
        return Some(Cand { start, grain: b.grain, zone: b.zone, period: None, ..a.clone() });
    }
    let (d, t) = (day_only(b)?, clock_only(a, text)?);
    Some(Cand { start: Point::Wall(d.and_time(t)), period: None, ..a.clone() })
}

fn day_only(c: &Cand) -> Option<chrono::NaiveDate> {
    match (c.shape, c.start) {
        (Shape::Single, Point::Wall(n)) if c.grain == Grain::Day && n.time() == NaiveTime::MIN => {
            Some(n.date())
        }
        _ => None,
    }
}

/// A word or number that names a day ("friday", "the 3rd", "12/5").
static DAY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(today|tomorrow|tonight|yesterday|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|week|month|year|day|next|last|ago)|\d+[/-]\d+",
    )
    .expect("regex")
});

/// A clock time with no day said ("at 5pm"): its time of day.
fn clock_only(c: &Cand, text: &str) -> Option<NaiveTime> {
    let body = text.get(c.span.clone())?;
    match (c.shape, c.start) {
        (Shape::Single, Point::Wall(n)) if c.grain <= Grain::Hour && !DAY_WORD.is_match(body) => {
            Some(n.time())
        }
        _ => None,
    }
}
