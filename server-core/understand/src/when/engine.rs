//! Calling duckling and turning its entities into candidates.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use duckling::{Context, DimensionKind, DimensionValue, Entity, Locale, Options, TimePoint, TimeValue};
use regex::Regex;

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
    /// The stretch the phrase names where `start` is one moment of it (see
    /// [`super::Period`]): from, to (exclusive).
    pub period: Option<(Option<Point>, Option<Point>)>,
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
    // Duckling's chart grows faster than the text: read sentence by sentence, and only
    // the head of a long text (a request says when early; our own rules read it all).
    let mut out = Vec::new();
    for (at, part) in sentences(head(text, LIBRARY_READS)) {
        let found = remembered(part, reference, lang).unwrap_or_else(|| {
            let found = catch_unwind(AssertUnwindSafe(|| duckling::parse(part, &locale, &dims, &ctx, &opts)))
                .unwrap_or_default();
            remember(part, reference, lang, &found);
            found
        });
        out.extend(found.into_iter().map(|e| Entity { start: e.start + at, end: e.end + at, ..e }));
    }
    out
}

/// A sentence the library read, with when and in which language, and what it found.
type Reading = (String, DateTime<FixedOffset>, Lang, Vec<Entity>);

/// How many sentences are remembered.
const REMEMBERED: usize = 16;

thread_local! {
    /// The library's last readings, newest last. One request asks for its dates many
    /// times, of its clauses and of texts that share sentences with them (each rule, the
    /// slots, a clause with a list name hidden); the library takes milliseconds where
    /// the rest takes microseconds, so each sentence is read once.
    static READ: RefCell<VecDeque<Reading>> = const { RefCell::new(VecDeque::new()) };
}

fn remembered(part: &str, reference: DateTime<FixedOffset>, lang: Lang) -> Option<Vec<Entity>> {
    READ.with_borrow(|read| {
        read.iter().find(|(t, at, l, _)| t == part && *at == reference && *l == lang).map(|r| r.3.clone())
    })
}

fn remember(part: &str, reference: DateTime<FixedOffset>, lang: Lang, found: &[Entity]) {
    READ.with_borrow_mut(|read| {
        if read.len() == REMEMBERED {
            read.pop_front();
        }
        read.push_back((part.to_owned(), reference, lang, found.to_vec()));
    });
}

/// How many bytes of a text the library reads.
const LIBRARY_READS: usize = 200;

/// The first `max` bytes of `text`, cut at a space.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text.get(..end).unwrap_or("");
    cut.rfind(char::is_whitespace).and_then(|i| text.get(..i)).unwrap_or(cut)
}

/// "Jr.", "Dr.", "St.": a short capitalised word before a period is a title, not a
/// sentence end.
fn title(text: &str, dot: usize) -> bool {
    let head = text.get(..dot).unwrap_or("");
    let word = head.rsplit(|c: char| !c.is_alphabetic()).next().unwrap_or("");
    (1..=3).contains(&word.chars().count()) && word.starts_with(char::is_uppercase)
}

/// The sentences of `text` with their byte offsets: split after ". ", "! ", "? "
/// and line breaks.
fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let ends = *b == b'\n'
            || matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1) == Some(&b' ') && !title(text, i);
        if ends {
            out.extend(text.get(from..=i).map(|s| (from, s)));
            from = i + 1;
        }
    }
    out.extend(text.get(from..).filter(|s| !s.is_empty()).map(|s| (from, s)));
    out
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

/// "by the end of the week": duckling ends the period at the midnight after it, and the
/// deadline is the period's last day.
fn last_day(p: Point) -> Point {
    let day = chrono::Duration::days(1);
    match p {
        Point::Wall(n) if n.time() == chrono::NaiveTime::MIN => Point::Wall(n - day),
        Point::At(t) if t.time() == chrono::NaiveTime::MIN => Point::At(t - day),
        other => other,
    }
}

/// "by the end of the week", "by eod": a deadline said as the end of a period, whose
/// last day is the day meant.
fn ends_a_period(body: &str) -> bool {
    let low = body.to_ascii_lowercase();
    low.contains("end of") || low.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "eod")
}

/// "before the end of the month": the library reads it as before the period's first day
/// (the 1st gone by); it means what "by the end of the month" means, so that is read.
fn before_the_end(e: &Entity, now: DateTime<FixedOffset>, rank: u8) -> Option<Cand> {
    let body = e.body.to_ascii_lowercase();
    let rest =
        body.strip_prefix("before ").filter(|r| r.starts_with("the end of") || r.starts_with("end of"))?;
    let said = format!("by {rest}");
    let whole =
        entities_at(&said, now, Lang::ENGLISH).into_iter().find(|x| x.start == 0 && x.end == said.len())?;
    let c = candidate(&whole, now, rank)?;
    Some(Cand { span: e.start..e.end, ..c })
}

/// The seasons, as the library names them.
const SEASONS: &str = "spring|summer|autumn|fall|winter";

/// "before summer", "by winter": the library reads a season's bound as today. It is the
/// season's next first day (the library's own dates for the seasons).
fn before_a_season(e: &Entity, now: DateTime<FixedOffset>, rank: u8) -> Option<Cand> {
    static SEASON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"^(?:before|by|until|till|ahead of) (?:the )?(?:(?:this|next|coming) )?(?P<season>{SEASONS})$"
        ))
        .expect("regex")
    });
    let body = e.body.to_ascii_lowercase();
    let (month, day) = match SEASON.captures(&body)?.name("season")?.as_str() {
        "spring" => (3, 20),
        "summer" => (6, 21),
        "winter" => (12, 21),
        _ => (9, 23),
    };
    let today = now.date_naive();
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    let first =
        if this_year > today { this_year } else { NaiveDate::from_ymd_opt(today.year() + 1, month, day)? };
    let start = Point::Wall(first.and_time(NaiveTime::MIN));
    Some(Cand {
        span: e.start..e.end,
        start,
        end: None,
        grain: Grain::Day,
        shape: Shape::Deadline,
        zone: None,
        rank,
        period: Some((Some(Point::At(now)), Some(start))),
    })
}

/// A season said with no year ("in spring", "over the summer") that is over already: as
/// a month said alone, it means the next one. "last summer" and "summer 2025" say which.
fn season_gone_by(body: &str, end: Point, now: DateTime<FixedOffset>) -> bool {
    static SEASON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r"^(?:in |during |over |for |this )?(?:the )?(?:{SEASONS})$")).expect("regex")
    });
    SEASON.is_match(&body.to_ascii_lowercase()) && end.wall() <= now.naive_local()
}

fn next_year(p: Point) -> Option<Point> {
    match p {
        Point::Wall(n) => n.with_year(n.year() + 1).map(Point::Wall),
        Point::At(t) => t.with_year(t.year() + 1).map(Point::At),
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
        period: None,
    };
    if let Some(c) = before_a_season(e, now, rank) {
        return Some(c);
    }
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
                    let period = Some((Some(fp), Some(tp)));
                    let tp = if ends_a_period(&e.body) { last_day(tp) } else { tp };
                    return Some(Cand { period, ..base(tp, None, tg, Shape::Deadline) });
                }
                // "paint the shutters in spring" said in December: the spring to come.
                if season_gone_by(&e.body, tp, now) {
                    let (fp, tp) = (next_year(fp)?, next_year(tp)?);
                    return Some(base(fp, Some(tp), fg, Shape::Range));
                }
                Some(base(fp, Some(tp), fg, Shape::Range))
            }
            (Some(f), None) => {
                let (p, g) = point(f);
                Some(Cand { period: Some((Some(p), None)), ..base(p, None, g, Shape::Single) })
            }
            (None, Some(t)) => {
                if let Some(c) = before_the_end(e, now, rank) {
                    return Some(c);
                }
                let (p, g) = point(t);
                Some(Cand { period: Some((None, Some(p))), ..base(p, None, g, Shape::Deadline) })
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
