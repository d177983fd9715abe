//! Which reading stands when the library and our own rules read the same phrase
//! differently.
//!
//! Each value is held to what the phrase says outright: the days, months, years and
//! weekdays written in it, and whether it joins two ends. The library stands unless
//! the rules' value keeps more of it ("Tue, 10 January" read as the 1st, "10 August -
//! 12 September" read without its end). Checking values against the words keeps the
//! choice general: neither reading is trusted for a kind of phrase.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;
use regex::Regex;

use super::{Found, Grain};

/// Whether the rules' reading `rules` should stand over the library's `library` for
/// the same phrase of `text`.
pub(super) fn rules_win(library: &Found, rules: &Found, text: &str, now: DateTime<Tz>) -> bool {
    let body = text.get(library.span.clone()).unwrap_or("").to_lowercase();
    let said = Said::read(&body);
    let (r, l) = (said.kept(rules, now), said.kept(library, now));
    // Two ranges that keep as much: the tighter one ("9:30 - 11:00 on Thursday" is an
    // hour and a half, not two days).
    let length = |f: &Found| f.end.map(|e| e - f.start);
    r > l || (r == l && matches!((length(rules), length(library)), (Some(a), Some(b)) if a < b))
}

/// The calendar words and numbers a phrase states outright.
#[derive(Debug, Default)]
struct Said {
    years: Vec<i32>,
    months: Vec<u32>,
    weekdays: Vec<Weekday>,
    /// Day numbers: ordinals ("the 3rd"), and plain numbers beside a named month
    /// (elsewhere a number is as likely a count or an hour).
    days: Vec<u32>,
    /// Whether the phrase joins two ends ("-", "to", "till", "through", "until").
    range: bool,
    /// Whether it says a time of day ("3pm", "10:30", "at 5", "noon").
    clock: bool,
    /// Whether it names a day rather than counting from now ("10 August",
    /// "tomorrow", not "in 7 days", which keeps the time of day).
    dated: bool,
    /// The hours a part of the day it names spans ("at night": 18 to 6).
    part: Option<(u32, u32)>,
    /// Clock times written with their minutes ("10:30", "9:00 pm"): the hours they
    /// may mean and the minute.
    times: Vec<(Vec<u32>, u32)>,
    /// Whether it names a zone ("9:00 PST").
    zone: bool,
    /// The days it names counting from today ("today" 0, "tomorrow" 1, "yesterday" -1).
    relative: Vec<i64>,
}

/// "22-23", "10 - 12": two small numbers joined by a dash (not a dated "12-25-2024").
static DASHED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d-])\d{1,2}\s*[-–]\s*\d{1,2}(?:$|[^\d-])").expect("regex"));

/// A date written in numbers ("05/31/2024", "14.4"): its small numbers are days or
/// months.
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{1,2}[/.-]\d{1,2}").expect("regex"));

/// A clock time with its minutes, and an am/pm after it.
static CLOCK_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap])?\.?m?\b").expect("regex"));

/// Words that say a time of day.
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d:\d|\d\s*(?:am|pm|a\.m|p\.m|h\b|o'?clock)|\b(?:at|@|noon|midday|midnight|morning|afternoon|evening|tonight|night|hours?|minutes?|mins?|secs?|seconds?)\b|@")
        .expect("regex")
});

/// Two numbers joined beside a day ("friday 2-4", "march 30 9-11", "tomorrow 10 to
/// 11:30", "2-4 on friday"): that day's hours, not a month and a day.
static HOURS_BY_DAY: LazyLock<Regex> = LazyLock::new(|| {
    // A weekday or a day counted from today, and two clock readings joined.
    const DAY: &str =
        r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?|today|tomorrow|tonight)";
    const HOURS: &str = r"\d{1,2}(?::\d\d)?\s*(?:-|–|to)\s*\d{1,2}(?::\d\d)?(?:\s*[ap]\.?m)?";
    Regex::new(&format!(
        r"(?P<day>\b(?:{DAY}|\d{{1,2}}(?:st|nd|rd|th)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{{0,6}}\.? \d{{1,2}}))\s+{HOURS}\b|(?:^|\s){HOURS}\s+(?:on\s+)?(?P<day2>{DAY}\b)"
    ))
    .expect("regex")
});

/// `body` with the hours [`HOURS_BY_DAY`] finds taken out (the day kept), if it has any.
fn without_hours(body: &str) -> Option<String> {
    let c = HOURS_BY_DAY.captures(body)?;
    let whole = c.get(0)?;
    // "friday 2-4-2027": a date written in numbers, not hours.
    let rest = body[whole.end()..].trim_start();
    if rest.starts_with(['-', '/', '.']) && rest[1..].trim_start().starts_with(|ch: char| ch.is_ascii_digit())
    {
        return None;
    }
    let day = c.name("day").or_else(|| c.name("day2"))?.as_str();
    Some(format!("{} {day} {}", &body[..whole.start()], &body[whole.end()..]))
}

impl Said {
    fn read(body: &str) -> Said {
        let mut said = Said::default();
        // Hours said beside a day are taken out before the numbers are read as days.
        let owned = without_hours(body);
        if owned.is_some() {
            said.clock = true;
            said.range = true;
        }
        let body = owned.as_deref().unwrap_or(body);
        let words: Vec<&str> = body
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
            .filter(|w| !w.is_empty())
            .collect();
        let mut numbers = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if let Some(m) = month(w) {
                said.months.push(m);
            } else if let Some(d) = weekday(w) {
                said.weekdays.push(d);
            } else if matches!(*w, "to" | "till" | "til" | "until" | "through" | "thru") {
                said.range = true;
            } else if !w.contains(':') {
                let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                let suffix = &w[digits.len()..];
                let ordinal = matches!(suffix, "st" | "nd" | "rd" | "th");
                let unit_next = words.get(i + 1).is_some_and(|n| unit(n));
                if let (Ok(n), true) = (digits.parse::<u32>(), suffix.is_empty() || ordinal) {
                    numbers.push((n, digits.len(), ordinal && !unit_next));
                }
            }
        }
        said.range |= body.contains(" - ") || DASHED.is_match(body);
        said.clock |= CLOCK.is_match(body);
        said.part = part_of_day(&words);
        said.times = CLOCK_TIME.captures_iter(body).filter_map(|c| clock_time(&c)).collect();
        said.zone = words.iter().any(|w| super::rules::zone_offset(w).is_some());
        said.relative = words
            .iter()
            .filter_map(|w| match *w {
                "today" | "tonight" | "tonite" => Some(0),
                "tomorrow" | "tmrw" | "tmr" => Some(1),
                "yesterday" => Some(-1),
                _ => None,
            })
            .collect();
        said.dated = !said.relative.is_empty();
        let numeric = NUMERIC_DATE.is_match(body);
        for (n, len, ordinal) in numbers {
            match (n, len) {
                (1000..=2999, 4) => said.years.push(n as i32),
                (1..=31, 1 | 2) if ordinal || numeric || !said.months.is_empty() => said.days.push(n),
                _ => {}
            }
        }
        let named =
            [said.years.is_empty(), said.months.is_empty(), said.days.is_empty(), said.weekdays.is_empty()];
        said.dated |= named.contains(&false);
        said
    }

    /// How much of what was said a value keeps: each stated day, month and year its
    /// dates fall on counts 2 (so does a day counted from today, "tomorrow"), a stated weekday 1, an end where the phrase has two 2,
    /// a named part of the day its hour falls in 1; a time of day nobody said costs 2,
    /// and so does a day and month said without a year that lands years ahead (the
    /// library finds the year whose weekday fits: "Tuesday, January 10" said in
    /// December 2026 was eight years away; the next January 10 is what was meant).
    fn kept(&self, f: &Found, now: DateTime<Tz>) -> i32 {
        // The end is exclusive: its last moment is the day it names.
        let last = f.end.map(|e| (e - Duration::seconds(1)).date_naive());
        let dates: Vec<NaiveDate> = std::iter::once(f.start.date_naive()).chain(last).collect();
        let on = |ok: &dyn Fn(&NaiveDate) -> bool| dates.iter().any(ok);
        let days = self.days.iter().filter(|d| on(&|x| x.day() == **d)).count();
        let months = self.months.iter().filter(|m| on(&|x| x.month() == **m)).count();
        let years = self.years.iter().filter(|y| on(&|x| x.year() == **y)).count();
        let weekdays = self.weekdays.iter().filter(|w| on(&|x| x.weekday() == **w)).count();
        let today = now.date_naive();
        let relative = self.relative.iter().filter(|d| on(&|x| (*x - today).num_days() == **d)).count();
        let ends = usize::from(self.range && f.end.is_some());
        let hour = f.start.hour();
        let part = self.part.is_some_and(|(from, to)| {
            if from < to { (from..to).contains(&hour) } else { hour >= from || hour < to }
        });
        let clocks = [Some((f.start, f.zone)), f.end.map(|e| (e, f.end_zone))];
        let wall: Vec<(u32, u32)> = clocks
            .iter()
            .flatten()
            .map(|(t, z)| {
                z.map_or((t.hour(), t.minute()), |z| {
                    (t.with_timezone(&z).hour(), t.with_timezone(&z).minute())
                })
            })
            .collect();
        let times = self
            .times
            .iter()
            .filter(|(hours, m)| wall.iter().any(|(h, wm)| hours.contains(h) && wm == m))
            .count();
        let zone = usize::from(self.zone && f.zone.is_some());
        let unsaid_clock =
            self.dated && !self.clock && f.grain < Grain::Day && f.start.time() != NaiveTime::MIN;
        let not_next = self.years.is_empty()
            && !self.days.is_empty()
            && !self.months.is_empty()
            && f.start.date_naive() > today + Duration::days(2 * 366);
        let kept =
            2 * (days + months + years + relative + ends + times + zone) + weekdays + usize::from(part);
        i32::try_from(kept).unwrap_or(i32::MAX) - 2 * i32::from(unsaid_clock) - 2 * i32::from(not_next)
    }
}

/// The hours a written clock time may mean (with no am/pm, an hour from 1 to 7 may
/// be the afternoon's) and its minute.
fn clock_time(c: &regex::Captures) -> Option<(Vec<u32>, u32)> {
    let hour: u32 = c.get(1)?.as_str().parse().ok()?;
    let minute: u32 = c.get(2)?.as_str().parse().ok()?;
    let hours = match (c.get(3).map(|m| m.as_str()), hour) {
        (_, 13..=23) | (None, 0 | 8..=12) => vec![hour],
        (None, _) => vec![hour, hour + 12],
        (Some("a"), _) => vec![hour % 12],
        (_, _) => vec![hour % 12 + 12],
    };
    Some((hours, minute))
}

/// The hours of the part of the day named among `words`, start to end.
fn part_of_day(words: &[&str]) -> Option<(u32, u32)> {
    words.iter().find_map(|w| match *w {
        "morning" => Some((4, 12)),
        "afternoon" => Some((12, 18)),
        "evening" => Some((16, 24)),
        "night" | "tonight" | "tonite" => Some((18, 6)),
        _ => None,
    })
}

fn unit(w: &str) -> bool {
    matches!(
        w,
        "week" | "weeks" | "weekend" | "month" | "months" | "quarter" | "year" | "years" | "day" | "days"
    )
}
fn month(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let head = w.get(..3)?;
    let i = MONTHS.iter().position(|m| m.starts_with(head))?;
    let fits = w.len() == 3 || MONTHS[i].starts_with(w) || w == "sept";
    fits.then_some(i as u32 + 1)
}

fn weekday(w: &str) -> Option<Weekday> {
    let days = [
        (Weekday::Mon, "monday"),
        (Weekday::Tue, "tuesday"),
        (Weekday::Wed, "wednesday"),
        (Weekday::Thu, "thursday"),
        (Weekday::Fri, "friday"),
        (Weekday::Sat, "saturday"),
        (Weekday::Sun, "sunday"),
    ];
    days.iter().find(|(_, full)| w.len() >= 3 && full.starts_with(w)).map(|(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Tz;

    fn now() -> DateTime<Tz> {
        Tz::UTC.with_ymd_and_hms(2030, 8, 1, 12, 0, 0).single().expect("now")
    }

    fn found(text: &str, start: (i32, u32, u32), end: Option<(i32, u32, u32)>) -> Found {
        let at = |(y, m, d): (i32, u32, u32)| Tz::UTC.with_ymd_and_hms(y, m, d, 0, 0, 0).single();
        Found {
            start: at(start).expect("date"),
            end: end.and_then(at),
            grain: super::super::Grain::Day,
            span: 0..text.len(),
            zone: None,
            end_zone: None,
            period: None,
        }
    }

    #[test]
    fn a_reading_that_drops_the_day_said_loses() {
        // The 1st of January 2030 is a Tuesday, the 10th a Thursday: the day number
        // outweighs the weekday.
        let text = "Tue, 10 January";
        let library = found(text, (2030, 1, 1), None);
        let rules = found(text, (2030, 1, 10), None);
        assert!(rules_win(&library, &rules, text, now()));
    }

    #[test]
    fn a_range_read_as_one_of_its_ends_loses() {
        let text = "22-23 feb at 7pm";
        let library = found(text, (2031, 2, 22), None);
        let rules = found(text, (2031, 2, 22), Some((2031, 2, 24)));
        assert!(rules_win(&library, &rules, text, now()));
    }

    #[test]
    fn a_reading_on_the_wrong_weekday_loses() {
        let text = "Fri, Jul 18";
        let library = found(text, (2031, 7, 18), None); // a Friday
        let rules = found(text, (2030, 7, 18), None); // a Thursday
        assert!(!rules_win(&library, &rules, text, now()));
    }

    #[test]
    fn a_reading_that_drops_the_end_of_a_range_loses() {
        let text = "10 August - 12 September";
        let library = found(text, (2031, 8, 10), None);
        let rules = found(text, (2031, 8, 10), Some((2031, 9, 13)));
        assert!(rules_win(&library, &rules, text, now()));
    }

    #[test]
    fn when_both_keep_what_was_said_the_library_stands() {
        let text = "next friday";
        let library = found(text, (2031, 7, 18), None);
        let rules = found(text, (2031, 7, 11), None);
        assert!(!rules_win(&library, &rules, text, now()));
    }

    #[test]
    fn a_date_said_with_the_wrong_weekday_is_not_years_away() {
        let text = "Tuesday, January 10";
        let said_on = |y, m, d| Tz::UTC.with_ymd_and_hms(y, m, d, 12, 0, 0).single().expect("now");
        // Said in August 2028: the next 10 January (2029) is a Wednesday, and the next
        // Tuesday the 10th of January is in 2034.
        let library = found(text, (2034, 1, 10), None);
        let rules = found(text, (2029, 1, 10), None);
        assert_eq!(library.start.weekday(), Weekday::Tue);
        assert!(rules_win(&library, &rules, text, said_on(2028, 8, 1)));
        // Said in August 2021, the Tuesday (2023) is not years away: the weekday picks
        // the year, as the library reads it.
        let library = found(text, (2023, 1, 10), None);
        let rules = found(text, (2022, 1, 10), None);
        assert_eq!(library.start.weekday(), Weekday::Tue);
        assert!(!rules_win(&library, &rules, text, said_on(2021, 8, 1)));
    }

    #[test]
    fn a_written_year_is_held_to() {
        let text = "2018 march 18";
        let library = found(text, (2013, 3, 18), None);
        let rules = found(text, (2018, 3, 18), None);
        assert!(rules_win(&library, &rules, text, now()));
    }
}
