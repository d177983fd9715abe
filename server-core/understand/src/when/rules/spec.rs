//! Specs: partial date/time descriptions that can be merged and resolved.

use chrono::{DateTime, FixedOffset, Weekday};

use super::vocabulary::Unit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    Morning,
    Afternoon,
    Evening,
    Night,
}

impl Part {
    /// Default clock hour when only the part of the day is named.
    pub(super) fn default_hour(self) -> u32 {
        // Product choice: useful reminder times rather than the start of each period.
        match self {
            Part::Morning => 9,
            Part::Afternoon => 15,
            Part::Evening => 19,
            Part::Night => 21,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WdRel {
    /// Bare: the next occurrence, a week on when said on that same weekday (as the
    /// library and people mean it: "tuesday" said on a Tuesday is next week's).
    Plain,
    /// "this", "coming": the next occurrence, today included.
    This,
    /// "next": that day in next week.
    Next,
    /// "last"/"past": the most recent one before today.
    Last,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Clock {
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) second: u32,
    /// Some(true) = pm, Some(false) = am, None = not said.
    pub(super) pm: Option<bool>,
    /// Written in 24-hour style ("17:00", "07:30"): never reinterpret.
    pub(super) h24: bool,
    pub(super) has_min: bool,
    pub(super) has_sec: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Delta {
    pub(super) months: i32,
    pub(super) days: i64,
    pub(super) secs: i64,
    pub(super) smallest: Option<Unit>,
}

impl Delta {
    pub(super) fn add(&mut self, unit: Unit, amount: f64) {
        let whole = amount.trunc();
        let frac = amount - whole;
        match unit {
            Unit::Year => self.months += (whole as i32) * 12,
            Unit::Quarter => self.months += (whole as i32) * 3,
            Unit::Month => self.months += whole as i32,
            Unit::Week => self.days += (amount * 7.0).round() as i64,
            Unit::Day => {
                self.days += whole as i64;
                self.secs += (frac * 86_400.0).round() as i64;
            }
            Unit::Hour => self.secs += (amount * 3600.0).round() as i64,
            Unit::Minute => self.secs += (amount * 60.0).round() as i64,
            Unit::Second => self.secs += amount.round() as i64,
        }
        let finer = match self.smallest {
            None => true,
            Some(s) => unit.grain() < s.grain(),
        };
        if finer {
            self.smallest = Some(unit);
        }
    }

    pub(super) fn negate(&mut self) {
        self.months = -self.months;
        self.days = -self.days;
        self.secs = -self.secs;
    }

    pub(super) fn is_zero(&self) -> bool {
        self.months == 0 && self.days == 0 && self.secs == 0
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Spec {
    pub(super) year: Option<i32>,
    pub(super) month: Option<u32>,
    pub(super) day: Option<u32>,
    pub(super) weekday: Option<(Weekday, WdRel)>,
    pub(super) day_offset: Option<i64>,
    pub(super) clock: Option<Clock>,
    pub(super) part: Option<Part>,
    pub(super) delta: Option<Delta>,
    /// "this/next/last week|month|quarter|year|hour|day" as (unit, offset).
    pub(super) period: Option<(Unit, i32)>,
    /// "this/next/last weekend" as an offset in weeks.
    pub(super) weekend: Option<i32>,
    /// "next/last weekday" (business day) as +1 / -1.
    pub(super) business_day: Option<i32>,
    /// Fully specified instant with its own offset (ISO 8601 with Z or +hh:mm).
    pub(super) instant: Option<DateTime<FixedOffset>>,
    pub(super) now: bool,
    /// A time zone named after the clock time: "9:00 PST", "10:30 JST".
    pub(super) zone: Option<FixedOffset>,
}

impl Spec {
    /// The day `other` names (year, month, day, weekday, days from today), for a range
    /// end said without its own.
    pub(super) fn take_day(&mut self, other: &Spec) {
        self.year = other.year;
        self.month = other.month;
        self.day = other.day;
        self.weekday = other.weekday;
        self.day_offset = other.day_offset;
    }

    pub(super) fn has_date(&self) -> bool {
        self.month.is_some()
            || self.day.is_some()
            || self.weekday.is_some()
            || self.day_offset.is_some()
            || self.period.is_some()
            || self.weekend.is_some()
            || self.business_day.is_some()
            || self.instant.is_some()
            || self.year.is_some()
    }

    pub(super) fn merge(&self, o: &Spec) -> Option<Spec> {
        fn pick<T: Copy>(a: Option<T>, b: Option<T>) -> Result<Option<T>, ()> {
            match (a, b) {
                (Some(_), Some(_)) => Err(()),
                (x, None) | (None, x) => Ok(x),
            }
        }
        let r = (|| -> Result<Spec, ()> {
            Ok(Spec {
                year: pick(self.year, o.year)?,
                month: pick(self.month, o.month)?,
                day: pick(self.day, o.day)?,
                weekday: pick(self.weekday, o.weekday)?,
                day_offset: pick(self.day_offset, o.day_offset)?,
                clock: pick(self.clock, o.clock)?,
                part: pick(self.part, o.part)?,
                delta: pick(self.delta, o.delta)?,
                period: pick(self.period, o.period)?,
                weekend: pick(self.weekend, o.weekend)?,
                business_day: pick(self.business_day, o.business_day)?,
                instant: pick(self.instant, o.instant)?,
                now: self.now || o.now,
                zone: pick(self.zone, o.zone)?,
            })
        })();
        let merged = r.ok()?;
        // A weekday may only be refined by "next week"-style periods, and two
        // independent date anchors (e.g. "tomorrow" and "March 3") contradict.
        let anchors = [
            merged.month.is_some() || merged.day.is_some(),
            merged.day_offset.is_some(),
            merged.weekend.is_some(),
            merged.business_day.is_some(),
            merged.instant.is_some(),
        ];
        if anchors.iter().filter(|a| **a).count() > 1 {
            return None;
        }
        if merged.period.is_some()
            && (merged.month.is_some() || merged.day.is_some() || merged.day_offset.is_some())
        {
            return None;
        }
        if let (Some(_), Some((u, _))) = (merged.weekday, merged.period) {
            if u != Unit::Week {
                return None;
            }
        }
        if merged.instant.is_some() && (merged.clock.is_some() || merged.delta.is_some()) {
            return None;
        }
        Some(merged)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum EndSpec {
    Spec(Spec),
    Duration(Delta),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct RangeSpec {
    pub(super) start: Spec,
    pub(super) end: Option<EndSpec>,
}
