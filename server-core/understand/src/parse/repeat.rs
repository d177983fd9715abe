//! How often a request repeats: "every day", "on weekdays", "every other friday", "on
//! the 1st of every month". Said as an RFC 5545 rule (`FREQ=WEEKLY;BYDAY=MO`), which
//! todos and events store as it is, with the span it was said in so the title loses it.
//!
//! Duckling reads "every monday" as the next Monday and no more, and no crate reads
//! English repetition into RRULEs, so this is ours; the first time it comes is left to
//! the date reader where the words say one ("every friday at 6" is this Friday at 6).

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;
use regex::{Captures, Regex};

use super::rules::rx;

/// A repetition said in a clause.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Repeat {
    /// The RRULE, without `RRULE:`.
    pub rule: String,
    /// Where it was said.
    pub span: Range<usize>,
    /// The weekdays it falls on, when it names them.
    days: Vec<Weekday>,
    /// The day of the month it falls on, when it names one.
    month_day: Option<u32>,
    /// The first day it comes, from today on, for when the words give no date.
    pub first: NaiveDate,
}

const DAY: &str = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?";

/// A weekday said in the plural: "mondays", "thursdays".
const DAYS: &str = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days";

/// A weekday said once: "monday", "wed".
const ONE_DAY: &str = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?";

/// What joins the days of a list: "monday, wednesday and friday", "mon wed fri".
const AND: &str = r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s+)";

/// A day of the month said as a word: "the first of every month".
const ORDINAL: &str = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|fifteenth|twentieth";

/// The day of the month `word` says ("3", "first").
fn month_day(word: &str) -> Option<u32> {
    word.parse().ok().or_else(|| crate::when::ordinal_word(word))
}

const COUNT: &str = r"(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve)";

static REPEAT: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:(?:every|each) (?:single )?(?:day|morning|evening|night|afternoon)|daily|nightly|once a day|(?:every|each|on) (?:week ?days|weekday)|(?:every|each|on) (?:weekends?|saturday and sunday)|week ?days|weekends|(?:every|each) (?P<other>other |second |alternate )?(?P<days>{DAY}(?:{AND}{DAY})*)(?:\s+(?:morning|afternoon|evening|night)s?)?|on (?P<plural>{DAY}(?:{AND}{DAY})*)(?:\s+(?:morning|afternoon|evening|night)s?)?|(?P<bare>{DAYS}(?:{AND}{DAYS})+)|(?P<list>{ONE_DAY}(?:{AND}{ONE_DAY}){{2,}})|(?:every|each) (?:other|second) (?P<unit2>day|week|month|year)|every {COUNT} (?P<unit>days|weeks|months|years|hours)|biweekly|fortnightly|every fortnight|(?:every|each) week|weekly|once a week|(?:every|each|on the) (?P<nth>first|1st|second|2nd|third|3rd|fourth|4th|last) (?P<nthday>{ONE_DAY}) of (?:every|each|the) month|(?:on )?the (?P<md>\d{{1,2}}|{ORDINAL})(?:st|nd|rd|th)? (?:day )?of (?:every|each) month|(?:every|each) month on the (?P<md2>\d{{1,2}}|{ORDINAL})(?:st|nd|rd|th)?|(?:every|each) month|monthly|once a month|(?:every|each) year|yearly|annually|once a year|every hour|hourly)\b"
    ))
});

fn weekday(word: &str) -> Option<Weekday> {
    Some(match word.get(..2)? {
        "mo" => Weekday::Mon,
        "tu" => Weekday::Tue,
        "we" => Weekday::Wed,
        "th" => Weekday::Thu,
        "fr" => Weekday::Fri,
        "sa" => Weekday::Sat,
        "su" => Weekday::Sun,
        _ => return None,
    })
}

fn byday(days: &[Weekday]) -> String {
    let names: Vec<&str> = days
        .iter()
        .map(|d| match d {
            Weekday::Mon => "MO",
            Weekday::Tue => "TU",
            Weekday::Wed => "WE",
            Weekday::Thu => "TH",
            Weekday::Fri => "FR",
            Weekday::Sat => "SA",
            Weekday::Sun => "SU",
        })
        .collect();
    names.join(",")
}

/// How many units a repetition says: "3", "three".
fn count(word: &str) -> Option<u32> {
    word.parse().ok().or_else(|| crate::when::small_number(word))
}

fn days_in(c: &Captures, name: &str) -> Vec<Weekday> {
    let Some(m) = c.name(name) else { return Vec::new() };
    let mut out: Vec<Weekday> = m.as_str().split([',', ' ', '&']).filter_map(weekday).collect();
    // Each day once, in the week's order, however often it was said.
    out.sort_by_key(|d| d.num_days_from_monday());
    out.dedup();
    out
}

/// The repetition a clause says, if it says one (`l` is the clause lowercased).
pub(super) fn find(l: &str, now: DateTime<Tz>) -> Option<Repeat> {
    let c = REPEAT.captures(l)?;
    let whole = c.get(0)?;
    let said = whole.as_str();
    let mut days = days_in(&c, "days");
    // "on mondays" repeats, and so do three days or more ("on mon, wed and fri");
    // "on monday" and "on monday and tuesday" are days, for the date reader.
    let on_days = days_in(&c, "plural");
    let plural = c.name("plural").is_some_and(|m| m.as_str().ends_with("days"));
    if plural || on_days.len() >= 3 {
        days = on_days;
    } else if c.name("plural").is_some() {
        return None;
    }
    // "tuesdays and thursdays": two or more said in the plural repeat without "on";
    // "monday wednesday friday": three or more said once each, too.
    for name in ["bare", "list"] {
        if c.name(name).is_some() {
            days = days_in(&c, name);
        }
    }
    // "every last friday of the month": the weekday's place in the month.
    if let (Some(nth), Some(day)) = (c.name("nth"), c.name("nthday").and_then(|d| weekday(d.as_str()))) {
        let n = match nth.as_str() {
            "first" | "1st" => "1",
            "second" | "2nd" => "2",
            "third" | "3rd" => "3",
            "fourth" | "4th" => "4",
            _ => "-1",
        };
        let today = now.date_naive();
        let rule = format!("FREQ=MONTHLY;BYDAY={n}{}", byday(&[day]));
        let first = nth_weekday_from(today, day, n);
        return Some(Repeat { rule, span: whole.range(), days: Vec::new(), month_day: None, first });
    }
    let month_day = c.name("md").or_else(|| c.name("md2")).and_then(|m| month_day(m.as_str()));
    let every_other = c.name("other").is_some();
    let rule = if !days.is_empty() {
        let interval = if every_other { ";INTERVAL=2" } else { "" };
        format!("FREQ=WEEKLY{interval};BYDAY={}", byday(&days))
    } else if said.contains("weekday") || said.contains("week day") {
        days = vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        format!("FREQ=WEEKLY;BYDAY={}", byday(&days))
    } else if said.contains("weekend") || said.contains("saturday and sunday") {
        days = vec![Weekday::Sat, Weekday::Sun];
        format!("FREQ=WEEKLY;BYDAY={}", byday(&days))
    } else if let Some(md) = month_day.filter(|d| (1..=31).contains(d)) {
        format!("FREQ=MONTHLY;BYMONTHDAY={md}")
    } else if let Some(unit) = c.name("unit").or_else(|| c.name("unit2")) {
        let n = c.name("n").map_or(Some(2), |n| count(n.as_str())).filter(|n| *n >= 1)?;
        let freq = match unit.as_str().trim_end_matches('s') {
            "day" => "DAILY",
            "week" => "WEEKLY",
            "month" => "MONTHLY",
            "year" => "YEARLY",
            _ => "HOURLY",
        };
        if n == 1 { format!("FREQ={freq}") } else { format!("FREQ={freq};INTERVAL={n}") }
    } else if said.contains("fortnight") || said.contains("biweekly") {
        "FREQ=WEEKLY;INTERVAL=2".to_string()
    } else if said.contains("hour") {
        "FREQ=HOURLY".to_string()
    } else if said.contains("week") {
        "FREQ=WEEKLY".to_string()
    } else if said.contains("month") {
        "FREQ=MONTHLY".to_string()
    } else if said.contains("year") || said.contains("annual") {
        "FREQ=YEARLY".to_string()
    } else {
        "FREQ=DAILY".to_string()
    };
    let today = now.date_naive();
    let mut r = Repeat { rule, span: whole.range(), days, month_day, first: today };
    let first = r.days_from(today).next();
    r.first = first.unwrap_or(today);
    Some(r)
}

/// The first day from `from` on that is the `n`th (`"-1"`: last) `day` of its month.
fn nth_weekday_from(from: NaiveDate, day: Weekday, n: &str) -> NaiveDate {
    let is_it = |d: NaiveDate| {
        if d.weekday() != day {
            return false;
        }
        match n {
            "-1" => d.checked_add_signed(Duration::days(7)).is_none_or(|next| next.month() != d.month()),
            n => n.parse::<u32>().is_ok_and(|n| (d.day() - 1) / 7 + 1 == n),
        }
    };
    (0..70).filter_map(|k| from.checked_add_signed(Duration::days(k))).find(|d| is_it(*d)).unwrap_or(from)
}

impl Repeat {
    /// The days it falls on from `from` on, within the two months that hold any rule's
    /// next time.
    pub(super) fn days_from(&self, from: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
        (0..62).filter_map(move |n| from.checked_add_signed(Duration::days(n))).filter(|d| self.falls_on(*d))
    }

    /// Whether it names its weekdays or day of the month, so that a date read inside it
    /// is its first time.
    pub(super) fn names_days(&self) -> bool {
        !self.days.is_empty() || self.month_day.is_some()
    }

    fn falls_on(&self, d: NaiveDate) -> bool {
        (self.days.is_empty() || self.days.contains(&d.weekday()))
            && self.month_day.is_none_or(|md| d.day() == md)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Tuesday 10 March 2026, noon.
    fn now() -> DateTime<Tz> {
        chrono_tz::UTC
            .with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
            .single()
            .unwrap_or_else(|| chrono_tz::UTC.timestamp_nanos(0))
    }

    fn rule(s: &str) -> Option<String> {
        find(s, now()).map(|r| r.rule)
    }

    #[test]
    fn the_common_ways_of_saying_how_often() {
        assert_eq!(rule("take my pills every day").as_deref(), Some("FREQ=DAILY"));
        assert_eq!(rule("stretch every morning at 7").as_deref(), Some("FREQ=DAILY"));
        assert_eq!(rule("stand up every weekday at 10").as_deref(), Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"));
        assert_eq!(rule("alarm at 6:15 weekdays").as_deref(), Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"));
        assert_eq!(rule("long run weekends at 8").as_deref(), Some("FREQ=WEEKLY;BYDAY=SA,SU"));
        assert_eq!(rule("water the ferns every sunday").as_deref(), Some("FREQ=WEEKLY;BYDAY=SU"));
        assert_eq!(rule("gym on mondays and thursdays").as_deref(), Some("FREQ=WEEKLY;BYDAY=MO,TH"));
        assert_eq!(rule("spin class mon, wed and fri at 6").as_deref(), Some("FREQ=WEEKLY;BYDAY=MO,WE,FR"));
        assert_eq!(
            rule("piano on tuesday, thursday and saturday").as_deref(),
            Some("FREQ=WEEKLY;BYDAY=TU,TH,SA")
        );
        assert_eq!(rule("bins out every other tuesday").as_deref(), Some("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"));
        assert_eq!(rule("call mum every other week").as_deref(), Some("FREQ=WEEKLY;INTERVAL=2"));
        assert_eq!(rule("clean the filter every 3 months").as_deref(), Some("FREQ=MONTHLY;INTERVAL=3"));
        assert_eq!(rule("pay rent on the 1st of every month").as_deref(), Some("FREQ=MONTHLY;BYMONTHDAY=1"));
        assert_eq!(
            rule("run payroll every last friday of the month").as_deref(),
            Some("FREQ=MONTHLY;BYDAY=-1FR")
        );
        assert_eq!(
            rule("book club on the first tuesday of every month").as_deref(),
            Some("FREQ=MONTHLY;BYDAY=1TU")
        );
        assert_eq!(rule("review the budget monthly").as_deref(), Some("FREQ=MONTHLY"));
        assert_eq!(rule("drink water every hour").as_deref(), Some("FREQ=HOURLY"));
        assert_eq!(rule("renew the domain every year").as_deref(), Some("FREQ=YEARLY"));
    }

    #[test]
    fn one_day_is_not_a_repetition() {
        assert_eq!(rule("call the bank on monday"), None);
        assert_eq!(rule("call the bank on tues"), None);
        assert_eq!(rule("the plumber can come monday or tuesday"), None);
        assert_eq!(rule("meet the builders on monday and tuesday"), None);
        assert_eq!(rule("on friday remind me to send the invoice"), None);
        assert_eq!(rule("everything on my list"), None);
        assert_eq!(rule("buy everyday essentials"), None);
        assert_eq!(rule("the week ahead"), None);
    }

    #[test]
    fn the_first_time_is_the_next_day_it_falls_on() {
        let first = |s: &str| find(s, now()).map(|r| r.first.to_string());
        assert_eq!(first("every sunday").as_deref(), Some("2026-03-15"));
        assert_eq!(first("every tuesday").as_deref(), Some("2026-03-10"));
        assert_eq!(first("on the 1st of every month").as_deref(), Some("2026-04-01"));
        assert_eq!(first("every day").as_deref(), Some("2026-03-10"));
        assert_eq!(first("every last friday of the month").as_deref(), Some("2026-03-27"));
        assert_eq!(first("on the second tuesday of every month").as_deref(), Some("2026-03-10"));
    }
}
