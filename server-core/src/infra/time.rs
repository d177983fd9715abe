//! Instants in, instants out: requests may use any RFC 3339 offset or a bare date; answers
//! use the user's own offset, so "3 pm" reads as 3 pm wherever the data is viewed from.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

/// The OpenAPI `pattern` of a [`When`]: an RFC 3339 date-time or a bare date, with a
/// month's days and 29 February only in a leap year, so a client generated from the
/// document sends only dates the server reads. The schema attributes repeat it (they
/// take a literal); a test holds each copy to it.
pub const WHEN_PATTERN: &str = r"^([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[048]|[2468][048]|[13579][26])00)-02-29)(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$";

/// A day in milliseconds. Spans that end "after a day" add it as it is (24 hours), not
/// up to the next local midnight.
pub const DAY_MS: i64 = 86_400_000;

/// A date-time or a whole day, as a client may send either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(DateTime<FixedOffset>),
    Day(NaiveDate),
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        When::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(
                "expected an RFC 3339 date-time such as 2026-03-12T15:00:00-07:00, or a date such as 2026-03-13",
            )
        })
    }
}

impl When {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(When::At(dt));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(When::Day)
    }

    /// Milliseconds since the epoch; a day means that day's first moment in `tz`.
    pub fn to_ms(self, tz: Tz) -> i64 {
        match self {
            When::At(dt) => dt.timestamp_millis(),
            When::Day(day) => start_of_day(day, tz).timestamp_millis(),
        }
    }

    pub fn is_day(self) -> bool {
        matches!(self, When::Day(_))
    }

    /// Where a span that ends at `self` ends (exclusive, in ms): the instant itself, or a
    /// day after the first moment of a bare date, which names the last day it covers.
    pub fn end_ms(self, tz: Tz) -> i64 {
        self.to_ms(tz) + if self.is_day() { DAY_MS } else { 0 }
    }
}

/// The first instant of `day` in `tz`: local midnight, or where a zone moves midnight
/// into a daylight-saving gap, the first local time that exists. The one home of this
/// rule (the parser of `clawchat-understand` keeps its own, having no server to ask).
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Tz> {
    local_instant(day, NaiveTime::MIN, tz)
}

/// `time` on `day` in `tz`: the earlier instant when the clock is set back over it, the
/// first existing instant after it when the clock skips it.
pub fn local_instant(day: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Tz> {
    let mut t = day.and_time(time);
    for _ in 0..8 {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(dt) => return dt,
            LocalResult::Ambiguous(earliest, _) => return earliest,
            LocalResult::None => t += chrono::Duration::minutes(15),
        }
    }
    tz.from_utc_datetime(&t)
}

pub fn from_ms(ms: i64, tz: Tz) -> DateTime<Tz> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&tz)
}

/// `2026-03-12T15:00:00-07:00`.
pub fn render(ms: i64, tz: Tz) -> String {
    from_ms(ms, tz).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A stored due date back in the form it was given: a day, or a date-time.
pub fn render_due(ms: i64, is_day: bool, tz: Tz) -> String {
    if is_day { from_ms(ms, tz).date_naive().format("%Y-%m-%d").to_string() } else { render(ms, tz) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_documented_pattern_admits_is_read() {
        let pattern = regex::Regex::new(WHEN_PATTERN).unwrap();
        let admitted = [
            "2026-03-13",
            "2024-02-29",
            "2000-02-29",
            "0000-02-29",
            "0000-01-01",
            "9999-12-31T23:59:59Z",
            "2026-03-12T15:00:00-07:00",
            "2026-03-12T15:00:00.123456789+14:00",
            "2026-04-30T00:00:00-23:59",
        ];
        for text in admitted {
            assert!(pattern.is_match(text), "{text}");
            assert!(When::parse(text).is_some(), "{text}");
        }
        let refused = [
            "2026-02-30",
            "2026-02-29",
            "1900-02-29",
            "1009-02-29T01:27:49Z",
            "2026-04-31",
            "2026-13-01",
            "2026-03-12T24:00:00Z",
            "2026-03-12 15:00",
            "",
        ];
        for text in refused {
            assert_eq!(When::parse(text), None, "{text}");
            assert!(!pattern.is_match(text), "{text}");
        }
    }

    #[test]
    fn accepts_any_offset_and_bare_dates() {
        assert!(matches!(When::parse("2026-03-12T15:00:00-07:00"), Some(When::At(_))));
        assert!(matches!(When::parse("2026-03-12T22:00:00Z"), Some(When::At(_))));
        assert_eq!(When::parse("2026-03-13"), NaiveDate::from_ymd_opt(2026, 3, 13).map(When::Day));
        assert_eq!(When::parse("13/03/2026"), None);
        assert_eq!(When::parse("2026-02-30"), None);
    }

    #[test]
    fn renders_in_the_users_offset_across_dst() {
        let tz: Tz = "America/Los_Angeles".parse().unwrap_or(Tz::UTC);
        let winter = When::parse("2026-03-06T23:00:00Z").map(|w| w.to_ms(tz)).unwrap_or_default();
        let summer = When::parse("2026-03-12T22:00:00Z").map(|w| w.to_ms(tz)).unwrap_or_default();
        assert_eq!(render(winter, tz), "2026-03-06T15:00:00-08:00");
        assert_eq!(render(summer, tz), "2026-03-12T15:00:00-07:00");
    }

    #[test]
    fn a_day_round_trips_as_a_day() {
        let tz: Tz = "Asia/Tokyo".parse().unwrap_or(Tz::UTC);
        let day = When::parse("2026-03-13").unwrap_or(When::Day(NaiveDate::MIN));
        assert_eq!(render_due(day.to_ms(tz), true, tz), "2026-03-13");
    }
}
