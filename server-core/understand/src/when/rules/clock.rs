//! Grammar: clock times, time zones and parts of the day ("5:30 pm", "9:00 PST", "in the evening").

use chrono::FixedOffset;

use super::spec::{Clock, Part, Spec};
use super::tokens::{Kind, Tok, glued, is_punct, is_word, num, word, word_end};
use super::vocabulary::{measure_word, small_number};

/// A clock time as a piece: "5pm", "5:30 p.m.", "17:00", "at 5", "5 o'clock",
/// "11 at night", "6 in the morning", "five thirty pm".
pub(super) fn clock_piece(toks: &[Tok<'_>], i: usize, _bare_ok: bool) -> Option<(Spec, usize)> {
    let at = is_word(toks, i, "at") || is_punct(toks, i, "@");
    let j = if at { i + 1 } else { i };
    if at && first_person_state(toks, i) {
        return None;
    }
    let (mut c, mut n) = clock(toks, j, true)?;
    let mut spec = Spec::default();
    // "11 at night", "6 in the afternoon", "11 tonight", "8 this evening"
    let (part, k) = match (word(toks, n), word(toks, n + 1), word(toks, n + 2)) {
        (Some("at"), Some("night"), _) => (Some(Part::Night), n + 2),
        (Some("in"), Some("the"), Some("morning")) => (Some(Part::Morning), n + 3),
        (Some("in"), Some("the"), Some("afternoon")) => (Some(Part::Afternoon), n + 3),
        (Some("in"), Some("the"), Some("evening")) => (Some(Part::Evening), n + 3),
        (Some("tonight"), _, _) => (Some(Part::Night), n + 1),
        _ => (None, n),
    };
    if let Some(p) = part {
        if c.pm.is_none() && !c.h24 {
            apply_part(&mut c, p);
        }
        if word(toks, n) == Some("tonight") {
            spec.day_offset = Some(0);
        }
        n = k;
    }
    // A bare number is only a time with "at", "o'clock", a meridiem or a part of day.
    let bare = !c.has_min && c.pm.is_none() && !c.h24;
    if bare && !at && part.is_none() {
        return None;
    }
    // "9:00 PST": a zone abbreviation right after a clock reading.
    if let Some((off, k)) = zone_at(toks, n).filter(|_| !bare) {
        spec.zone = Some(off);
        n = k;
    }
    spec.clock = Some(c);
    Some((spec, n))
}

/// UTC offset, in minutes, of a time zone abbreviation.
pub(in crate::when) fn zone_offset(w: &str) -> Option<i32> {
    Some(match w {
        "utc" | "gmt" => 0,
        "est" => -300,
        "edt" | "ast" => -240,
        "cst" => -360,
        "cdt" => -300,
        "mst" => -420,
        "mdt" => -360,
        "pst" | "akdt" => -480,
        "pdt" => -420,
        "akst" => -540,
        "hst" => -600,
        "bst" | "cet" => 60,
        "cest" | "eet" => 120,
        "eest" => 180,
        "ist" => 330,
        "sgt" | "hkt" | "awst" => 480,
        "jst" | "kst" => 540,
        "acst" => 570,
        "aest" => 600,
        "aedt" => 660,
        "nzst" => 720,
        "nzdt" => 780,
        _ => return None,
    })
}

fn zone_at(toks: &[Tok<'_>], i: usize) -> Option<(FixedOffset, usize)> {
    let w = word(toks, i)?;
    if !word_end(toks, i) {
        return None;
    }
    let off = FixedOffset::east_opt(zone_offset(w)? * 60)?;
    Some((off, i + 1))
}

/// "I'm at 10", "we are at 101": a level or score, not a time.
fn first_person_state(toks: &[Tok<'_>], at: usize) -> bool {
    let w1 = if at >= 1 { word(toks, at - 1) } else { None };
    let w2 = if at >= 2 { word(toks, at - 2) } else { None };
    let w3 = if at >= 3 { word(toks, at - 3) } else { None };
    matches!(w1, Some("am" | "m" | "re" | "are"))
        && (matches!(w2, Some("i" | "we")) || matches!((w3, w2), (Some("i" | "we"), None)))
}

pub(super) fn apply_part(c: &mut Clock, p: Part) {
    match p {
        Part::Morning => c.pm = Some(false),
        Part::Afternoon | Part::Evening => c.pm = Some(true),
        Part::Night => c.pm = Some(c.hour >= 6 && c.hour != 12),
    }
}

/// A bare hour "4" (for range starts like "from 4 to 5pm").
pub(super) fn bare_hour(toks: &[Tok<'_>], i: usize) -> Option<(Clock, usize)> {
    let (c, n) = clock(toks, i, true)?;
    if is_punct(toks, n, ".")
        || is_punct(toks, n, ",") && toks.get(n + 1).is_some_and(|t| t.kind == Kind::Num)
    {
        return None;
    }
    Some((c, n))
}

/// Core clock grammar. `allow_bare` accepts a lone hour ("5") that the caller
/// has a reason to believe is a time.
pub(super) fn clock(toks: &[Tok<'_>], i: usize, allow_bare: bool) -> Option<(Clock, usize)> {
    if let Some(r) = clock_aloud(toks, i) {
        return Some(r);
    }
    if let Some(r) = clock_digits(toks, i, allow_bare) {
        return Some(r);
    }
    clock_words(toks, i, allow_bare)
}

/// A clock read aloud: "half past 7", "quarter to five", "20 past 3", "ten minutes to
/// 6", and (after "at") "half 2" for 2:30. "From 10 to 12" is a range, so a number
/// before "to" must say it counts minutes.
fn clock_aloud(toks: &[Tok<'_>], i: usize) -> Option<(Clock, usize)> {
    let after_at = i.checked_sub(1).is_some_and(|p| is_word(toks, p, "at"));
    let number = |k: usize| num(toks, k).map(|(n, _)| n).or_else(|| word(toks, k).and_then(small_number));
    let (minutes, counted, j) = match word(toks, i) {
        Some("half") => (30, true, i + 1),
        Some("quarter") => (15, true, i + 1),
        Some("a") if is_word(toks, i + 1, "quarter") => (15, true, i + 2),
        _ => {
            let m = number(i)
                .filter(|m| (1..60).contains(m) && !is_word(toks, i, "a") && !is_word(toks, i, "an"))?;
            match word(toks, i + 1) {
                Some("minutes" | "minute" | "mins" | "min") => (m, true, i + 2),
                _ => (m, false, i + 1),
            }
        }
    };
    let (ahead, k) = match word(toks, j) {
        Some("past") => (true, j + 1),
        Some("after") if counted => (true, j + 1),
        Some("to" | "of" | "till" | "til" | "before") if counted && minutes != 30 => (false, j + 1),
        // "at half 2": the British half past.
        Some(_) if minutes == 30 && after_at && is_word(toks, i, "half") => (true, j),
        _ => return None,
    };
    let hour =
        number(k).filter(|h| (1..=12).contains(h) && !is_word(toks, k, "a") && !is_word(toks, k, "an"))?;
    if word(toks, k + 1).is_some_and(measure_word) {
        return None;
    }
    let (hour, minute) = if ahead { (hour, minutes) } else { ((hour + 10) % 12 + 1, 60 - minutes) };
    let mut c = Clock { hour, minute, has_min: true, ..Clock::default() };
    let (pm, n) = meridiem(toks, k + 1);
    c.pm = pm;
    Some((c, n))
}

fn clock_digits(toks: &[Tok<'_>], i: usize, allow_bare: bool) -> Option<(Clock, usize)> {
    let (h, hl) = num(toks, i)?;
    if hl > 2 || h > 24 {
        return None;
    }
    let mut c = Clock { hour: h, h24: false, ..Clock::default() };
    let mut j = i + 1;
    if is_punct(toks, j, ":") && glued(toks, j) {
        let (m, ml) = num(toks, j + 1).filter(|_| glued(toks, j + 1))?;
        if ml != 2 || m > 59 {
            return None;
        }
        c.minute = m;
        c.has_min = true;
        j += 2;
        if is_punct(toks, j, ":") && glued(toks, j) {
            if let Some((s, 2)) = num(toks, j + 1) {
                if s > 59 {
                    return None;
                }
                c.second = s;
                c.has_sec = true;
                j += 2;
            }
        }
    } else if is_punct(toks, j, ".") && glued(toks, j) && toks.get(j + 1).is_some_and(|t| t.kind == Kind::Num)
    {
        // "10.1" is a number, not a time.
        return None;
    }
    // "07:30" and "17:00" are 24-hour clock readings; a lone "07" is not a time.
    c.h24 = c.has_min && (hl == 2 && h < 10 || h > 12);
    if h == 24 && (c.minute > 0 || c.second > 0) {
        return None;
    }
    let (pm, k) = meridiem(toks, j);
    if let Some(pm) = pm {
        if h == 0 || h > 12 {
            return None;
        }
        c.pm = Some(pm);
        c.h24 = false;
        j = k;
    } else if let Some(len) = oclock_len(toks, j) {
        j += len;
        if h > 12 {
            return None;
        }
        c.has_min = true;
    } else if !c.has_min {
        if !allow_bare || h > 12 || h == 0 {
            return None;
        }
        // A glued word after a bare number ("5th", "5k") is not a time.
        if toks.get(j).is_some_and(|t| !t.spaced && t.kind == Kind::Word) {
            return None;
        }
        if word(toks, j).is_some_and(measure_word) || is_punct(toks, j, "%") {
            return None;
        }
    }
    if c.hour == 24 {
        c.hour = 0;
    }
    Some((c, j))
}

/// Tokens taken by "o'clock", "o clock" or "oclock" at `j`.
pub(super) fn oclock_len(toks: &[Tok<'_>], j: usize) -> Option<usize> {
    if is_word(toks, j, "oclock") {
        Some(1)
    } else if is_word(toks, j, "o") && is_word(toks, j + 1, "clock") {
        Some(2)
    } else if is_word(toks, j, "o") && is_word(toks, j + 2, "clock") && glued(toks, j + 2) {
        Some(3)
    } else {
        None
    }
}

fn meridiem(toks: &[Tok<'_>], j: usize) -> (Option<bool>, usize) {
    match word(toks, j) {
        Some("am") if word_end(toks, j) => (Some(false), j + 1),
        Some("pm") if word_end(toks, j) => (Some(true), j + 1),
        Some(x @ ("a" | "p")) if is_punct(toks, j + 1, ".") && is_word(toks, j + 2, "m") => {
            let n = if is_punct(toks, j + 3, ".") { j + 4 } else { j + 3 };
            (Some(x == "p"), n)
        }
        _ => (None, j),
    }
}

/// "five pm", "five thirty", "ten o'clock", "eight fifteen am", "seven".
fn clock_words(toks: &[Tok<'_>], i: usize, allow_bare: bool) -> Option<(Clock, usize)> {
    let w = word(toks, i)?;
    if matches!(w, "a" | "an" | "zero") {
        return None;
    }
    let h = small_number(w).filter(|h| (1..=12).contains(h))?;
    let mut c = Clock { hour: h, ..Clock::default() };
    let mut j = i + 1;
    // Minutes: "thirty", "fifteen", "forty five", "oh five".
    if let Some(m) = word(toks, j).and_then(small_number) {
        if (10..=59).contains(&m) && !matches!(word(toks, j), Some("a" | "an")) {
            let mut mm = m;
            let mut k = j + 1;
            if m % 10 == 0 && m >= 20 {
                let k2 = if is_punct(toks, k, "-") { k + 1 } else { k };
                if let Some(u) = word(toks, k2).and_then(small_number).filter(|u| (1..10).contains(u)) {
                    if !matches!(word(toks, k2), Some("a" | "an")) {
                        mm += u;
                        k = k2 + 1;
                    }
                }
            }
            if mm < 60 {
                c.minute = mm;
                c.has_min = true;
                j = k;
            }
        }
    }
    let (pm, k) = meridiem(toks, j);
    if let Some(pm) = pm {
        c.pm = Some(pm);
        return Some((c, k));
    }
    if let Some(len) = oclock_len(toks, j) {
        c.has_min = true;
        return Some((c, j + len));
    }
    if c.has_min && allow_bare {
        return Some((c, j));
    }
    if allow_bare && !c.has_min {
        // "at five" but not "at five people"
        if word(toks, j).is_some_and(measure_word) {
            return None;
        }
        return Some((c, j));
    }
    None
}

/// A bare part of day ("morning", "in the evening", "at night") as a piece.
pub(super) fn part_piece(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let (j, intro) = match (word(toks, i), word(toks, i + 1)) {
        (Some("in"), Some("the")) => (i + 2, true),
        (Some("at"), Some("night")) => (i + 1, true),
        (Some("during"), Some("the")) => (i + 2, true),
        _ => (i, false),
    };
    let part = match word(toks, j)? {
        "morning" | "mornings" => Part::Morning,
        "afternoon" | "afternoons" => Part::Afternoon,
        "evening" | "evenings" => Part::Evening,
        "night" | "tonight" if intro || j == i => Part::Night,
        _ => return None,
    };
    if !word_end(toks, j) {
        return None;
    }
    Some((Spec { part: Some(part), ..Spec::default() }, j + 1))
}
