//! Grammar: an expression and its range end ("from 4 to 5pm", "March 25 to 27", "monday from 9 to 5").

use super::clock::{bare_hour, clock, zone_offset};
use super::dates::{day_number, month_at, year_after};
use super::expr::parse_expr;
use super::relative::duration;
use super::resolve::{guess_meridiem, to_24};
use super::spec::{Clock, EndSpec, RangeSpec, Spec};
use super::tokens::{Kind, Tok, glued, is_punct, is_word, num, word, word_start};
use super::vocabulary::weekday_name;

/// An expression, optionally followed by a range end, starting at token `i`.
pub(super) fn parse_range(toks: &[Tok<'_>], i: usize) -> Option<(RangeSpec, usize)> {
    if !word_start(toks, i) {
        return None;
    }
    let (lead, mut j) = match word(toks, i) {
        Some("from") => (Some("from"), i + 1),
        Some("between") => (Some("between"), i + 1),
        _ => (None, i),
    };
    if let Some(r) = day_span(toks, j) {
        return Some(r);
    }
    let bare_ok = lead.is_some();
    let mut bare_fallback = false;
    let (start, after) = match parse_expr(toks, j, bare_ok) {
        Some(x) => x,
        None => {
            bare_fallback = true;
            // "from 4 to 5pm": a bare hour is fine when the end gives it meaning.
            let (c, k) = bare_hour(toks, j)?;
            (Spec { clock: Some(c), ..Spec::default() }, k)
        }
    };
    j = after;
    if let Some(r) = day_then_hours(toks, &start, j) {
        return Some(r);
    }

    // "4pm for 30 mins": a duration after a clock time is the length, not an offset.
    if start.clock.is_some() && is_word(toks, j, "for") {
        if let Some((d, k)) = duration(toks, j + 1, false) {
            return Some((RangeSpec { start, end: Some(EndSpec::Duration(d)) }, k));
        }
    }

    let connector = match (word(toks, j), lead) {
        (Some("to" | "until" | "till" | "til" | "through" | "thru"), _) => true,
        (Some("and"), Some("between")) => true,
        (None, _) if is_punct(toks, j, "-") || is_punct(toks, j, "–") => true,
        _ => false,
    };
    if connector {
        let k = j + 1;
        let end = parse_expr(toks, k, true)
            .or_else(|| bare_hour(toks, k).map(|(c, n)| (Spec { clock: Some(c), ..Spec::default() }, n)));
        if let Some((mut end, n)) = end {
            let mut start = start;
            if start.clock.is_some() && end.clock.is_none() && end.part.is_none() && end.has_date() {
                // "Monday 10am to Friday": fine as is.
            }
            // A bare-number start ("from 4 to 5pm", "8 - 11pm") only stands if the
            // end is a clock time.
            let start_is_bare = start.clock.is_some_and(|c| c.pm.is_none() && !c.h24)
                && !start.has_date()
                && start.part.is_none();
            let end_is_clear =
                end.clock.is_some_and(|c| c.pm.is_some() || c.h24 || c.has_min) || end.part.is_some();
            // "3 to 4 on friday": a day said after them makes two bare numbers hours.
            let day_follows =
                end.clock.is_some() && !end.has_date() && day_after_hours(toks, &start, &end, n).is_some();
            if start_is_bare && (end.clock.is_none() || lead.is_none() && !end_is_clear && !day_follows) {
                return None;
            }
            share_between(&mut start, &mut end);
            let mut n = n;
            if let Some((day, m)) = day_after_hours(toks, &start, &end, n) {
                start = start.merge(&day)?;
                end = end.merge(&day)?;
                n = m;
            }
            // "Thu Oct 26, 10:00 - 11:00:09 2023": the year closes the whole range.
            if start.year.is_none() && start.month.is_some() && end.clock.is_some_and(|c| c.has_min) {
                if let Some((y, after)) = year_after_clock(toks, n) {
                    start.year = Some(y);
                    end.year = Some(y);
                    n = after;
                }
            }
            return Some((RangeSpec { start, end: Some(EndSpec::Spec(end)) }, n));
        }
    }
    if bare_fallback {
        return None;
    }
    if start.clock.is_some_and(|c| c.pm.is_none() && !c.h24 && !c.has_min)
        && !start.has_date()
        && start.part.is_none()
        && lead.is_some()
        && !at_before(toks, i)
    {
        // "from 4" alone is not a time.
        return None;
    }
    Some((RangeSpec { start, end: None }, j))
}

/// "monday from 9 to 5", "on the 20th between 2 and 4", "friday 2-4", "march 30
/// 9-11": a day, then its hours. Said straight after a day, two numbers joined by a
/// dash or "to" are its hours even with no "from" and no am/pm.
fn day_then_hours(toks: &[Tok<'_>], day: &Spec, j: usize) -> Option<(RangeSpec, usize)> {
    if !day.has_date() || day.clock.is_some() {
        return None;
    }
    let (hours, n) = if matches!(word(toks, j), Some("from" | "between")) {
        parse_range(toks, j)?
    } else {
        bare_hours(toks, j)?
    };
    let Some(EndSpec::Spec(end)) = hours.end else { return None };
    if hours.start.has_date() || end.has_date() || hours.start.clock.is_none() || end.clock.is_none() {
        return None;
    }
    let range = RangeSpec { start: day.merge(&hours.start)?, end: Some(EndSpec::Spec(day.merge(&end)?)) };
    Some((range, n))
}

/// Two clock readings joined by a dash or "to", either or both bare ("2-4", "10 to
/// 11:30", "3-4pm"), with their am/pm shared; for callers that know a day stands beside
/// them. Not the start of a longer number ("2-4-2027").
fn bare_hours(toks: &[Tok<'_>], j: usize) -> Option<(RangeSpec, usize)> {
    let (s, k) = bare_hour(toks, j)?;
    let (e, n) = bare_hour(toks, dash_or_to(toks, k)?)?;
    if is_punct(toks, n, "-") || is_punct(toks, n, "/") || (s.hour == e.hour && s.minute == e.minute) {
        return None;
    }
    let mut start = Spec { clock: Some(s), ..Spec::default() };
    let mut end = Spec { clock: Some(e), ..Spec::default() };
    share_between(&mut start, &mut end);
    Some((RangeSpec { start, end: Some(EndSpec::Spec(end)) }, n))
}

/// "from 9 to 5 on monday", "between 2 and 4 tomorrow": the day said after a range of
/// hours, for both ends.
fn day_after_hours(toks: &[Tok<'_>], start: &Spec, end: &Spec, n: usize) -> Option<(Spec, usize)> {
    if start.has_date() || end.has_date() || start.clock.is_none() || end.clock.is_none() {
        return None;
    }
    let k = n + usize::from(is_word(toks, n, "on"));
    let (day, m) = parse_expr(toks, k, false)?;
    (day.has_date() && day.clock.is_none() && day.part.is_none() && day.delta.is_none()).then_some((day, m))
}

/// A clock's hour on the 24-hour clock, a bare hour read as [`guess_meridiem`] does.
pub(super) fn hour_of(c: Clock) -> u32 {
    if c.h24 || c.pm.is_some() { to_24(c.hour, c.pm) } else { guess_meridiem(c.hour) }
}

fn at_before(toks: &[Tok<'_>], i: usize) -> bool {
    i > 0 && is_word(toks, i - 1, "at")
}

/// Range pieces inherit what only the other side said: "3:30-4:30pm" (meridiem),
/// "March 25 to 27" (month), "10 - 22 August 2012" (month and year),
/// "22-23 Feb at 7pm" (time), "from 4pm today to 6" (date).
fn share_between(start: &mut Spec, end: &mut Spec) {
    // "9:00 - 10:30 PST": one zone for both ends unless each names its own.
    if start.zone.is_none() && start.clock.is_some() {
        start.zone = end.zone;
    }
    if end.zone.is_none() && end.clock.is_some() {
        end.zone = start.zone;
    }
    if let (Some(s), Some(e)) = (start.clock.as_mut(), end.clock) {
        if s.pm.is_none() && !s.h24 {
            if let Some(pm) = e.pm {
                let e24 = to_24(e.hour, Some(pm));
                let s24 = to_24(s.hour, Some(pm));
                s.pm = Some(if s24 > e24 && pm { false } else { pm });
            } else if e.h24 {
                s.h24 = true;
            }
        }
    }
    if let (Some(e), Some(s)) = (end.clock.as_mut(), start.clock) {
        if e.pm.is_none() && !e.h24 {
            if let Some(pm) = s.pm {
                let s24 = to_24(s.hour, Some(pm));
                let e_same = to_24(e.hour, Some(pm));
                e.pm = Some(if e_same <= s24 { !pm } else { pm });
            } else if s.h24 {
                e.h24 = true;
            }
        }
    }
    // Two bare hours: "from 6 till 8" rises within the start's half of the day (read
    // as an hour alone is), "10 till 8" runs from the morning into the evening.
    if let (Some(s), Some(e)) = (start.clock, end.clock.as_mut()) {
        let bare = |c: &Clock| c.pm.is_none() && !c.h24;
        let afternoon = guess_meridiem(s.hour) >= 12;
        let rises = s.hour < e.hour;
        if bare(&s) && bare(e) && e.hour < 12 && s.hour <= 12 && s.hour != e.hour && rises == afternoon {
            e.pm = Some(true);
        }
    }
    if end.clock.is_none() && start.clock.is_some() && !end.has_date() {
        end.clock = start.clock;
    }
    // "from 9 to 5 on monday": the day said after the range is the start's day too.
    if let (Some(s), Some(e)) = (start.clock, end.clock) {
        if !start.has_date() && end.has_date() && hour_of(s) < hour_of(e) {
            start.take_day(end);
        }
    }
    if start.clock.is_none() && end.clock.is_some() && end.has_date() && start.has_date() {
        start.clock = end.clock;
    }
    if start.part.is_none() && start.clock.is_none() && end.part.is_some() && !start.has_date() {
        start.part = end.part;
    }
    if !end.has_date() {
        end.take_day(start);
        if start.part.is_some() && end.part.is_none() && end.clock.is_none() {
            end.part = start.part;
        }
    } else if end.day.is_some() && end.month.is_none() && start.month.is_some() {
        end.month = start.month;
        end.year = end.year.or(start.year);
    }
    if start.month.is_none() && start.day.is_some() && end.month.is_some() {
        start.month = end.month;
    }
    if start.year.is_none() && start.month.is_some() && end.year.is_some() {
        let ey = end.year.unwrap_or_default();
        let later = (start.month, start.day.unwrap_or(1)) > (end.month, end.day.unwrap_or(1));
        start.year = Some(if later { ey - 1 } else { ey });
    }
    if end.year.is_none() && end.month.is_some() && start.year.is_some() {
        let sy = start.year.unwrap_or_default();
        let earlier = (end.month, end.day.unwrap_or(1)) < (start.month, start.day.unwrap_or(1));
        end.year = Some(if earlier { sy + 1 } else { sy });
    }
}

/// "10 - 22 August 2012", "August 10 - 22, 2012", "22-23 Feb": one month, two days.
fn day_span(toks: &[Tok<'_>], i: usize) -> Option<(RangeSpec, usize)> {
    // day - day Month [year]
    if let Some((d1, j)) = day_number(toks, i) {
        let k = dash_or_to(toks, j)?;
        let (d2, k) = day_number(toks, k)?;
        let k2 = if is_word(toks, k, "of") { k + 1 } else { k };
        let (m, _) = month_at(toks, k2)?;
        let (year, n) = year_after(toks, k2 + 1 + dot(toks, k2 + 1));
        let start = Spec { year, month: Some(m), day: Some(d1), ..Spec::default() };
        let mut end = start;
        end.day = Some(d2);
        return Some(tail_time(toks, start, end, n));
    }
    // [Weekday] Month day - day [, year]: "Thu Oct 26 - 28, 11:00:09 2023".
    let mut i = i;
    if word(toks, i).and_then(weekday_name).is_some() {
        i += 1 + dot(toks, i + 1);
        if is_punct(toks, i, ",") {
            i += 1;
        }
    }
    let (m, _) = month_at(toks, i)?;
    let j = i + 1 + dot(toks, i + 1);
    let (d1, j) = day_number(toks, j)?;
    let k = dash_or_to(toks, j)?;
    let (d2, k) = day_number(toks, k)?;
    if month_at(toks, k).is_some() {
        return None;
    }
    let (year, n) = year_after(toks, k);
    let start = Spec { year, month: Some(m), day: Some(d1), ..Spec::default() };
    let mut end = start;
    end.day = Some(d2);
    Some(tail_time(toks, start, end, n))
}

fn tail_time(toks: &[Tok<'_>], mut start: Spec, mut end: Spec, n: usize) -> (RangeSpec, usize) {
    let mut n = n;
    let comma = usize::from(is_punct(toks, n, ","));
    let at = is_word(toks, n + comma, "at");
    let k = n + comma + usize::from(at);
    if let Some((c, m)) = clock(toks, k, at) {
        start.clock = Some(c);
        end.clock = Some(c);
        n = m;
        if start.year.is_none() {
            if let Some((y, after)) = year_after_clock(toks, n) {
                start.year = Some(y);
                end.year = Some(y);
                n = after;
            }
        }
    }
    (RangeSpec { start, end: Some(EndSpec::Spec(end)) }, n)
}

/// A year written after the time, as `date` and log lines do: "Thu Oct 26
/// 11:00:09 2023". Only right after a clock reading, and only at the end of the phrase.
pub(super) fn year_after_clock(toks: &[Tok<'_>], i: usize) -> Option<(i32, usize)> {
    let prev = toks.get(i.checked_sub(1)?)?;
    if prev.kind != Kind::Num && zone_offset(&prev.low).is_none() {
        return None;
    }
    match num(toks, i) {
        // The year closes the phrase: "09:30 1500 people" is a head count.
        Some((y, 4))
            if (1000..=2999).contains(&y)
                && !glued(toks, i)
                && toks.get(i + 1).is_none_or(|t| t.kind == Kind::Punct) =>
        {
            Some((y as i32, i + 1))
        }
        _ => None,
    }
}

pub(super) fn dot(toks: &[Tok<'_>], i: usize) -> usize {
    usize::from(is_punct(toks, i, "."))
}

/// The word or dash that joins the two ends of a range ("2-4", "6 to 8", "6 till 8").
pub(super) fn dash_or_to(toks: &[Tok<'_>], i: usize) -> Option<usize> {
    let joined = matches!(word(toks, i), Some("to" | "till" | "til" | "until"));
    if is_punct(toks, i, "-") || is_punct(toks, i, "–") || joined { Some(i + 1) } else { None }
}
