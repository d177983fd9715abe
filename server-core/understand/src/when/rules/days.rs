//! Grammar: day words and names ("tomorrow", "next Friday", "this week", "the 20th").

use super::expr::piece;
use super::relative::{delta_spec, duration};
use super::spec::{Clock, Part, Spec, WdRel};
use super::tokens::{Tok, glued, is_punct, is_word, num, word, word_end};
use super::vocabulary::{Unit, unit_word, weekday_name};

/// Single words and fixed phrases: now, today, tonight, tomorrow, yesterday,
/// noon, midnight, "the day after tomorrow", "this morning", "last night".
pub(super) fn keyword(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let w = word(toks, i)?;
    if !word_end(toks, i) {
        return None;
    }
    let off = |d: i64, n: usize| Some((Spec { day_offset: Some(d), ..Spec::default() }, n));
    match w {
        "now" | "rn" if !(i > 0 && is_word(toks, i - 1, "from")) => {
            // "now + 40minutes"
            if is_punct(toks, i + 1, "+") {
                if let Some((d, k)) = duration(toks, i + 2, true) {
                    let mut s = delta_spec(d);
                    s.now = true;
                    return Some((s, k));
                }
            }
            Some((Spec { now: true, ..Spec::default() }, i + 1))
        }
        "today" | "tdy" => off(0, i + 1),
        // "later today", "later on tonight", "later this afternoon": the day or part of
        // it, "later" said with it.
        "later" => {
            let j = if is_word(toks, i + 1, "on") { i + 2 } else { i + 1 };
            match word(toks, j)? {
                "today" | "tonight" | "tonite" | "this" => keyword(toks, j),
                _ => None,
            }
        }
        "tonight" | "tonite" => {
            Some((Spec { day_offset: Some(0), part: Some(Part::Night), ..Spec::default() }, i + 1))
        }
        "tomorrow" | "tmr" | "tmrw" | "tomorow" | "tomorrrow" | "tommorow" | "tommorrow" | "tomrrow"
        | "tomrrow's" => off(1, i + 1),
        // "christmas eve": the day before the one the library knows.
        "christmas" | "xmas" if is_word(toks, i + 1, "eve") => {
            Some((Spec { month: Some(12), day: Some(24), ..Spec::default() }, i + 2))
        }
        // "first thing tomorrow": that day's morning.
        "first" if is_word(toks, i + 1, "thing") => {
            let d = match word(toks, i + 2)? {
                "today" => 0,
                "tomorrow" | "tmr" | "tmrw" => 1,
                _ => return None,
            };
            Some((Spec { day_offset: Some(d), part: Some(Part::Morning), ..Spec::default() }, i + 3))
        }
        "yesterday" => off(-1, i + 1),
        "noon" | "midday" | "lunchtime" => Some((clock_spec(12, 0, Some(true)), i + 1)),
        "mid" if is_word(toks, i + 1, "day") => Some((clock_spec(12, 0, Some(true)), i + 2)),
        "midnight" => Some((clock_spec(0, 0, Some(false)), i + 1)),
        "the" | "a" => {
            // "the day after tomorrow", "the day before yesterday", "a week after tomorrow"
            let unit = match word(toks, i + 1)? {
                "day" => 1,
                "week" if w == "a" => 7,
                _ => return None,
            };
            match (word(toks, i + 2)?, word(toks, i + 3)?) {
                ("after", "tomorrow") => off(1 + unit, i + 4),
                ("before", "yesterday") => off(-1 - unit, i + 4),
                ("after", "today") => off(unit, i + 4),
                ("before", "today") => off(-unit, i + 4),
                _ => None,
            }
        }
        "this" | "last" => {
            let part = match word(toks, i + 1)? {
                "morning" => Part::Morning,
                "afternoon" => Part::Afternoon,
                "evening" => Part::Evening,
                "night" => Part::Night,
                _ => return None,
            };
            if w == "last" && part != Part::Night {
                return None;
            }
            Some((
                Spec {
                    day_offset: Some(if w == "last" { -1 } else { 0 }),
                    part: Some(part),
                    ..Spec::default()
                },
                i + 2,
            ))
        }
        _ => None,
    }
}

fn clock_spec(h: u32, m: u32, pm: Option<bool>) -> Spec {
    Spec {
        clock: Some(Clock { hour: h, minute: m, pm, h24: true, has_min: true, ..Clock::default() }),
        ..Spec::default()
    }
}

/// Weekdays with optional this/next/last/coming: "next Friday", "on sat", "Tuesday".
pub(super) fn weekday(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let (rel, j) = match word(toks, i)? {
        "this" | "coming" => (WdRel::This, i + 1),
        "next" => (WdRel::Next, i + 1),
        "last" | "past" | "previous" => (WdRel::Last, i + 1),
        "the" if is_word(toks, i + 1, "coming") => (WdRel::This, i + 2),
        _ => (WdRel::Plain, i),
    };
    let (wd, full) = weekday_name(word(toks, j)?)?;
    if !word_end(toks, j) {
        return None;
    }
    let mut n = j + 1;
    if is_punct(toks, n, ".") && !full {
        n += 1;
    }
    if !full {
        // "sat", "sun", "wed" are ordinary words too; trust them only with a modifier,
        // after "on", or right before a time or date.
        let prev_on = i > 0 && matches!(word(toks, i - 1), Some("on" | "every" | "by" | "until"));
        let modified = j != i;
        let next_is_time = piece(toks, n + usize::from(is_punct(toks, n, ",")), true).is_some();
        if !(prev_on || modified || next_is_time) {
            return None;
        }
    }
    // "Tuesday, next week"
    let mut k = n;
    if is_punct(toks, k, ",") {
        k += 1;
    }
    let mut spec = Spec { weekday: Some((wd, rel)), ..Spec::default() };
    if matches!(rel, WdRel::Plain | WdRel::This) {
        if let Some(off) = match (word(toks, k), word(toks, k + 1)) {
            (Some("next"), Some("week")) => Some(1),
            (Some("this"), Some("week")) => Some(0),
            (Some("last"), Some("week")) => Some(-1),
            _ => None,
        } {
            spec.period = Some((Unit::Week, off));
            n = k + 2;
        }
    }
    Some((spec, n))
}

/// "this week", "next month", "last year", "next quarter", "this weekend",
/// "next weekday", "lastmonth".
pub(super) fn period(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let w = word(toks, i)?;
    let (off, unit_w, n) = match w {
        "this" | "current" => (0, word(toks, i + 1)?, i + 2),
        "next" | "coming" => (1, word(toks, i + 1)?, i + 2),
        "last" | "past" | "previous" => (-1, word(toks, i + 1)?, i + 2),
        "the" if is_word(toks, i + 1, "following") || is_word(toks, i + 1, "next") => {
            (1, word(toks, i + 2)?, i + 3)
        }
        "lastweek" => (-1, "week", i + 1),
        "lastmonth" => (-1, "month", i + 1),
        "lastyear" => (-1, "year", i + 1),
        "nextweek" => (1, "week", i + 1),
        "nextmonth" => (1, "month", i + 1),
        "nextyear" => (1, "year", i + 1),
        _ => return None,
    };
    if !word_end(toks, n - 1) {
        return None;
    }
    let spec = match unit_w {
        "weekend" => Spec { weekend: Some(off), ..Spec::default() },
        "weekday" if off != 0 => Spec { business_day: Some(off), ..Spec::default() },
        _ => {
            let (unit, abbrev) = unit_word(unit_w)?;
            if abbrev || unit == Unit::Second || unit_w.ends_with('s') && unit_w != "hrs" {
                return None;
            }
            if unit == Unit::Day {
                return Some((Spec { day_offset: Some(i64::from(off)), ..Spec::default() }, n));
            }
            Spec { period: Some((unit, off)), ..Spec::default() }
        }
    };
    Some((spec, n))
}

/// "the 20th", "on the 5th": a day of the current or next month.
pub(super) fn ordinal_day(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let j = match word(toks, i) {
        Some("the") => i + 1,
        Some("on") if is_word(toks, i + 1, "the") => i + 2,
        _ => return None,
    };
    let (n, len) = num(toks, j)?;
    if len > 2 || !(1..=31).contains(&n) || !glued(toks, j + 1) {
        return None;
    }
    let suffix_ok = matches!(
        (n % 10, n % 100, word(toks, j + 1)),
        (_, 11..=13, Some("th"))
            | (1, _, Some("st"))
            | (2, _, Some("nd"))
            | (3, _, Some("rd"))
            | (_, _, Some("th"))
    );
    if !suffix_ok || !word_end(toks, j + 1) {
        return None;
    }
    // "the 5th floor", "the 3rd time" are not dates.
    if let Some(nw) = word(toks, j + 2) {
        if !matches!(
            nw,
            "at" | "of"
                | "in"
                | "by"
                | "for"
                | "and"
                | "to"
                | "until"
                | "from"
                | "morning"
                | "afternoon"
                | "evening"
                | "night"
                | "with"
                | "before"
                | "after"
                | "then"
        ) {
            return None;
        }
    }
    Some((Spec { day: Some(n), ..Spec::default() }, j + 2))
}
