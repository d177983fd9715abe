//! Resolution: a spec turned into a value against `now` in the user's zone.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;

use crate::when::{Found, Grain, localize};

use super::clock::apply_part;
use super::range::hour_of;
use super::spec::{Clock, Delta, EndSpec, RangeSpec, Spec, WdRel};
use super::tokens::{Tok, span_of};
use super::vocabulary::Unit;

pub(super) fn to_24(hour: u32, pm: Option<bool>) -> u32 {
    match pm {
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        _ => hour,
    }
}

/// The first moment of day `d` in `tz`, by the gap and fold rules of [`localize`].
pub(crate) fn midnight(tz: Tz, d: NaiveDate) -> Option<DateTime<Tz>> {
    localize(tz, d.and_time(NaiveTime::MIN))
}

fn add_months(d: NaiveDate, months: i32) -> Option<NaiveDate> {
    if months >= 0 {
        d.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        d.checked_sub_months(Months::new(months.unsigned_abs()))
    }
}

fn apply_delta(t: DateTime<Tz>, d: &Delta) -> Option<DateTime<Tz>> {
    let tz = t.timezone();
    let local = t.naive_local();
    // Calendar parts move the wall clock; exact parts move the instant.
    let date = add_months(local.date(), d.months)?;
    let date = date.checked_add_signed(Duration::try_days(d.days)?)?;
    let moved = localize(tz, date.and_time(local.time()))?;
    moved.checked_add_signed(Duration::try_seconds(d.secs)?)
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Pick the year for a month/day without one: the next occurrence, today
/// included, since assistants are mostly told about things still to come.
fn upcoming_year(today: NaiveDate, month: u32, day: u32) -> Option<i32> {
    let y = today.year();
    (y..=y + 8).find(|cand| NaiveDate::from_ymd_opt(*cand, month, day).is_some_and(|d| d >= today))
}

struct Resolved {
    start: DateTime<Tz>,
    grain: Grain,
    /// The expression named a time-free day, so an unqualified time may roll.
    date_given: bool,
}

impl Spec {
    fn resolve_at(&self, now: DateTime<Tz>) -> Option<Resolved> {
        let tz = now.timezone();
        if let Some(inst) = self.instant {
            let t = inst.with_timezone(&tz);
            let grain = if inst.second() != 0 { Grain::Second } else { Grain::Minute };
            return Some(Resolved { start: t, grain, date_given: true });
        }
        let today = now.date_naive();
        let mut grain = Grain::Day;
        let mut date: Option<NaiveDate> = None;
        let mut start_override: Option<DateTime<Tz>> = None;

        if let Some(m) = self.month {
            match self.day {
                Some(d) => {
                    let y = match self.year {
                        Some(y) => y,
                        None => upcoming_year(today, m, d)?,
                    };
                    date = Some(NaiveDate::from_ymd_opt(y, m, d)?);
                }
                None => {
                    // A month on its own looks ahead: "in May" said in November is next May.
                    let y = match self.year {
                        Some(y) => y,
                        None if m < today.month() => today.year() + 1,
                        None => today.year(),
                    };
                    date = Some(NaiveDate::from_ymd_opt(y, m, 1)?);
                    grain = Grain::Month;
                }
            }
        } else if let Some(d) = self.day {
            // "the 20th": this month if still ahead, otherwise next month.
            let this = NaiveDate::from_ymd_opt(today.year(), today.month(), d);
            date = match this.filter(|x| *x >= today) {
                Some(x) => Some(x),
                None => {
                    let mut first = today.with_day(1)?;
                    let mut found = None;
                    for _ in 0..3 {
                        first = add_months(first, 1)?;
                        if let Some(x) = first.with_day(d) {
                            found = Some(x);
                            break;
                        }
                    }
                    Some(found?)
                }
            };
        } else if self.year.is_some() {
            return None;
        }

        if let Some((wd, rel)) = self.weekday {
            let base = match self.period {
                Some((Unit::Week, off)) => {
                    let ws = week_start(today) + Duration::weeks(i64::from(off));
                    Some(ws + Duration::days(i64::from(wd.num_days_from_monday())))
                }
                _ => None,
            };
            let cur = i64::from(today.weekday().num_days_from_monday());
            let target = i64::from(wd.num_days_from_monday());
            let d = match (base, rel) {
                (Some(b), _) => b,
                (None, WdRel::This) => today + Duration::days((target - cur).rem_euclid(7)),
                (None, WdRel::Plain) => today + Duration::days((target - cur - 1).rem_euclid(7) + 1),
                (None, WdRel::Next) => week_start(today) + Duration::days(7 + target),
                (None, WdRel::Last) => {
                    let back = (cur - target).rem_euclid(7);
                    today - Duration::days(if back == 0 { 7 } else { back })
                }
            };
            match date {
                // "Sunday, March 6": the explicit date wins.
                Some(_) => {}
                None => date = Some(d),
            }
        } else if let Some((unit, off)) = self.period {
            let (s, g) = match unit {
                Unit::Week => {
                    (midnight(tz, week_start(today) + Duration::weeks(i64::from(off)))?, Grain::Week)
                }
                Unit::Month => (midnight(tz, add_months(today.with_day(1)?, off)?)?, Grain::Month),
                Unit::Quarter => {
                    let q0 = (today.month() - 1) / 3 * 3 + 1;
                    let first = NaiveDate::from_ymd_opt(today.year(), q0, 1)?;
                    (midnight(tz, add_months(first, off * 3)?)?, Grain::Quarter)
                }
                Unit::Year => {
                    (midnight(tz, NaiveDate::from_ymd_opt(today.year() + off, 1, 1)?)?, Grain::Year)
                }
                Unit::Hour => {
                    let h = now.with_minute(0)?.with_second(0)?.with_nanosecond(0)?;
                    (h + Duration::hours(i64::from(off)), Grain::Hour)
                }
                _ => return None,
            };
            start_override = Some(s);
            grain = g;
        }
        if let Some(off) = self.day_offset {
            date = Some(today.checked_add_signed(Duration::try_days(off)?)?);
        }
        if let Some(off) = self.weekend {
            let sat = week_start(today) + Duration::days(5 + 7 * i64::from(off));
            date = Some(sat);
        }
        if let Some(dir) = self.business_day {
            let mut d = today;
            loop {
                d = d.checked_add_signed(Duration::days(i64::from(dir)))?;
                if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    break;
                }
            }
            date = Some(d);
        }

        let date_given = date.is_some() || start_override.is_some();

        // Relative offsets.
        if let Some(delta) = self.delta {
            let anchor = match (date, start_override) {
                (_, Some(s)) => s,
                (Some(d), None) => midnight(tz, d)?,
                (None, None) => now,
            };
            let t = apply_delta(anchor, &delta)?;
            let g = delta.smallest.map(Unit::grain).unwrap_or(Grain::Second);
            if let Some(c) = self.clock {
                let day = t.date_naive();
                let t = self.with_clock(tz, day, c)?;
                return Some(Resolved { start: t, grain: clock_grain(&c), date_given: true });
            }
            // Sub-day offsets from now are exact to the second.
            let g = if date_given { Grain::Day.min(g) } else { g };
            let g = if g < Grain::Day && date.is_none() && start_override.is_none() {
                if delta.secs % 60 != 0 { Grain::Second } else { g }
            } else {
                g
            };
            return Some(Resolved { start: t, grain: g, date_given: true });
        }

        if self.now && !date_given && self.clock.is_none() {
            return Some(Resolved { start: now.with_nanosecond(0)?, grain: Grain::Second, date_given: true });
        }

        let clock = self
            .clock
            .or_else(|| self.part.map(|p| Clock { hour: p.default_hour(), h24: true, ..Clock::default() }));
        if let Some(c) = clock {
            let mut c = c;
            if let (Some(p), None, false) = (self.part, c.pm, c.h24) {
                apply_part(&mut c, p);
            }
            let day = date.unwrap_or(today);
            let mut t = self.with_clock(tz, day, c)?;
            if date.is_none() && start_override.is_none() && t <= now {
                t = self.with_clock(tz, today.succ_opt()?, c)?;
            }
            let g = if self.clock.is_none() { Grain::Hour } else { clock_grain(&c) };
            return Some(Resolved { start: t, grain: g, date_given: true });
        }

        if let Some(s) = start_override {
            return Some(Resolved { start: s, grain, date_given });
        }
        let d = date?;
        Some(Resolved { start: midnight(tz, d)?, grain, date_given })
    }

    fn with_clock(&self, tz: Tz, day: NaiveDate, c: Clock) -> Option<DateTime<Tz>> {
        let hour = hour_of(c);
        let t = NaiveTime::from_hms_opt(hour, c.minute, c.second)?;
        match self.zone {
            Some(off) => Some(off.from_local_datetime(&day.and_time(t)).single()?.with_timezone(&tz)),
            None => localize(tz, day.and_time(t)),
        }
    }
}

fn clock_grain(c: &Clock) -> Grain {
    if c.has_sec { Grain::Second } else { Grain::Minute }
}

/// "at 5" with no am/pm and no part of day: people mean the waking-hours reading.
pub(super) fn guess_meridiem(hour: u32) -> u32 {
    match hour {
        1..=7 => hour + 12,
        _ => hour,
    }
}

fn grain_step(t: DateTime<Tz>, g: Grain) -> Option<DateTime<Tz>> {
    let tz = t.timezone();
    let d = t.date_naive();
    match g {
        Grain::Day => midnight(tz, d.succ_opt()?),
        Grain::Week => midnight(tz, d + Duration::weeks(1)),
        Grain::Month => midnight(tz, add_months(d, 1)?),
        Grain::Quarter => midnight(tz, add_months(d, 3)?),
        Grain::Year => midnight(tz, add_months(d, 12)?),
        _ => Some(t),
    }
}

impl RangeSpec {
    pub(super) fn resolve(&self, toks: &[Tok<'_>], a: usize, b: usize, now: DateTime<Tz>) -> Option<Found> {
        let span = span_of(toks, a, b)?;
        let s = self.start.resolve_at(now)?;
        let end = match &self.end {
            None => None,
            Some(EndSpec::Duration(d)) => Some(apply_delta(s.start, d)?),
            Some(EndSpec::Spec(e)) => {
                let mut r = e.resolve_at(now)?;
                let end_has_date =
                    e.day.is_some() || e.weekday.is_some() || e.day_offset.is_some() || e.month.is_some();
                if r.start <= s.start {
                    // "11am to 1am", "Friday to Monday", "December to May".
                    let bumped = if e.clock.is_some() && !end_has_date
                        || e.clock.is_some() && e.day_offset == self.start.day_offset
                    {
                        r.start + Duration::days(1)
                    } else if e.weekday.is_some() {
                        r.start + Duration::weeks(1)
                    } else if e.month.is_some() && e.year.is_none() && e.day.is_none() {
                        midnight(r.start.timezone(), add_months(r.start.date_naive(), 12)?)?
                    } else {
                        r.start
                    };
                    r.start = bumped;
                }
                if r.grain >= Grain::Day { Some(grain_step(r.start, r.grain)?) } else { Some(r.start) }
            }
        };
        // A rolled-forward time must not leave a range start after its end.
        let _ = s.date_given;
        if let Some(e) = end {
            if e < s.start {
                return None;
            }
        }
        let zone_of = |spec: &Spec| spec.zone.or(spec.instant.map(|i| *i.offset()));
        let zone = zone_of(&self.start);
        let end_zone = match &self.end {
            Some(EndSpec::Spec(e)) => zone_of(e),
            Some(EndSpec::Duration(_)) => zone,
            None => None,
        };
        Some(Found { start: s.start, end, grain: s.grain, span, zone, end_zone, period: None })
    }
}
