//! Calling duckling and turning its entities into candidates.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use chrono_tz::Tz;
use duckling::{Context, DimensionKind, DimensionValue, Entity, Locale, Options, TimePoint, TimeValue};

use super::{Grain, Lang};

/// A value as duckling gives it: a wall-clock time or a fixed instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Point {
    Wall(NaiveDateTime),
    At(DateTime<FixedOffset>),
}

impl Point {
    /// The wall-clock reading (an instant read at its own offset).
    pub(super) fn wall(self) -> NaiveDateTime {
        match self {
            Point::Wall(n) => n,
            Point::At(t) => t.naive_local(),
        }
    }
}

/// What kind of phrase a candidate is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Shape {
    /// One point ("tomorrow at 3pm").
    Single,
    /// A range; `end` is duckling's end (one grain past the last unit said).
    Range,
    /// "by friday", "before 5pm": the point is the deadline itself.
    Deadline,
    /// A bare duration ("for 10 minutes"), in seconds.
    Duration(i64),
}

/// One phrase found in the text.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cand {
    pub span: Range<usize>,
    pub start: Point,
    pub end: Option<Point>,
    pub grain: Grain,
    pub shape: Shape,
    /// A zone the text named for the value.
    pub zone: Option<FixedOffset>,
    /// Which reading found it: 2 our own rules, 1 the chosen language, 0 English.
    pub rank: u8,
}

/// Duckling's entities for `text`, with `now` at its offset as the reference
/// (values come back as wall clock and are placed in the user's zone afterwards);
/// never panics.
pub(super) fn entities(text: &str, now: DateTime<Tz>, lang: Lang) -> Vec<Entity> {
    entities_at(text, now.fixed_offset(), lang)
}

/// Duckling's entities for `text` with `reference` as now (its offset is the
/// zone wall-clock values are read in).
pub(super) fn entities_at(text: &str, reference: DateTime<FixedOffset>, lang: Lang) -> Vec<Entity> {
    let locale = Locale::new(lang.0, None);
    let ctx = Context::new(reference, locale);
    let dims = [DimensionKind::Time, DimensionKind::Duration];
    let opts = Options { with_latent: false };
    catch_unwind(AssertUnwindSafe(|| duckling::parse(text, &locale, &dims, &ctx, &opts))).unwrap_or_default()
}

fn grain(g: duckling::Grain) -> Grain {
    use duckling::Grain as G;
    match g {
        G::NoGrain | G::Second => Grain::Second,
        G::Minute => Grain::Minute,
        G::Hour => Grain::Hour,
        G::Day => Grain::Day,
        G::Week => Grain::Week,
        G::Month => Grain::Month,
        G::Quarter => Grain::Quarter,
        G::Year => Grain::Year,
    }
}

fn point(p: &TimePoint) -> (Point, Grain) {
    match p {
        TimePoint::Naive { value, grain: g } => (Point::Wall(*value), grain(*g)),
        TimePoint::Instant { value, grain: g } => (Point::At(*value), grain(*g)),
    }
}

/// A candidate for one duckling entity, if it is a time or a duration.
pub(super) fn candidate(e: &Entity, now: DateTime<FixedOffset>, rank: u8) -> Option<Cand> {
    let span = e.start..e.end;
    let base = |start: Point, end: Option<Point>, grain: Grain, shape: Shape| Cand {
        span: span.clone(),
        start,
        end,
        grain,
        shape,
        zone: None,
        rank,
    };
    match &e.value {
        DimensionValue::Time(TimeValue::Single { value, .. }) => {
            let (p, g) = point(value);
            Some(base(p, None, g, Shape::Single))
        }
        DimensionValue::Time(TimeValue::Interval { from, to, .. }) => match (from, to) {
            (Some(f), Some(t)) => {
                let (fp, fg) = point(f);
                let (tp, tg) = point(t);
                // Duckling reads "by friday" as "from now until friday".
                if fp == Point::At(now) {
                    return Some(base(tp, None, tg, Shape::Deadline));
                }
                Some(base(fp, Some(tp), fg, Shape::Range))
            }
            (Some(f), None) => {
                let (p, g) = point(f);
                Some(base(p, None, g, Shape::Single))
            }
            (None, Some(t)) => {
                let (p, g) = point(t);
                Some(base(p, None, g, Shape::Deadline))
            }
            (None, None) => None,
        },
        DimensionValue::Duration { normalized_seconds, grain: g, .. } => {
            let p = Point::At(now);
            Some(base(p, None, grain(*g), Shape::Duration(*normalized_seconds)))
        }
        _ => None,
    }
}
