//! Grammar: written dates: ISO and numeric dates, month names, days of the month and years.

use chrono::{Datelike, FixedOffset, NaiveDate, TimeZone};

use super::clock::{clock, oclock_len};
use super::range::{dash_or_to, dot};
use super::relative::only_punct_from;
use super::spec::Spec;
use super::tokens::{Kind, Tok, glued, is_punct, is_word, num, word, word_end, word_start};
use super::vocabulary::{month_name, ordinal_word, weekday_name};

pub(super) fn month_at(toks: &[Tok<'_>], i: usize) -> Option<(u32, bool)> {
    if !word_start(toks, i) && !glued_to_number(toks, i) {
        return None;
    }
    if !word_end(toks, i) && !toks.get(i + 1).is_some_and(|t| t.kind == Kind::Num) {
        return None;
    }
    month_name(word(toks, i)?)
}

fn glued_to_number(toks: &[Tok<'_>], i: usize) -> bool {
    i > 0 && glued(toks, i) && toks.get(i - 1).is_some_and(|t| t.kind == Kind::Num)
}

/// A day of the month: "5", "05", "5th", "fifth", "twenty-fourth".
pub(super) fn day_number(toks: &[Tok<'_>], i: usize) -> Option<(u32, usize)> {
    if let Some((n, len)) = num(toks, i) {
        if len > 2 || !(1..=31).contains(&n) {
            return None;
        }
        let mut j = i + 1;
        if glued(toks, j) && matches!(word(toks, j), Some("st" | "nd" | "rd" | "th")) {
            j += 1;
        }
        return Some((n, j));
    }
    ordinal_words(toks, i)
}

fn ordinal_words(toks: &[Tok<'_>], i: usize) -> Option<(u32, usize)> {
    let w = word(toks, i)?;
    if let Some(n) = ordinal_word(w) {
        return Some((n, i + 1));
    }
    let tens = match w {
        "twenty" => 20,
        "thirty" => 30,
        _ => return None,
    };
    let j = if is_punct(toks, i + 1, "-") { i + 2 } else { i + 1 };
    let unit = ordinal_word(word(toks, j)?).filter(|u| *u < 10)?;
    let d = tens + unit;
    (d <= 31).then_some((d, j + 1))
}

/// A year with an era after a date: "88 AD", "234 BC", "2555 BE" (Buddhist era,
/// 543 years ahead). `Some(None)` is a year before the common era, which no
/// calendar entry can hold, so the caller drops the whole date.
fn era_year(toks: &[Tok<'_>], i: usize) -> Option<(Option<i32>, usize)> {
    let j = if is_punct(toks, i, ",") { i + 1 } else { i };
    let (y, len) = num(toks, j)?;
    if len > 4 || y == 0 {
        return None;
    }
    let k = j + 1;
    if !word_end(toks, k) {
        return None;
    }
    let year = match word(toks, k)? {
        "ad" | "ce" => Some(y as i32),
        "be" if y > 543 => Some(y as i32 - 543),
        "bc" | "bce" => None,
        _ => return None,
    };
    Some((year, k + 1))
}

pub(super) fn year_after(toks: &[Tok<'_>], i: usize) -> (Option<i32>, usize) {
    let j = if is_punct(toks, i, ",") { i + 1 } else { i };
    match num(toks, j) {
        Some((y, 4)) if (1000..=2999).contains(&y) && word_end(toks, j) => (Some(y as i32), j + 1),
        _ => (None, i),
    }
}

/// ISO 8601: 2026-03-13, 2026-03-13T17:00, 1994-11-05T13:15:30Z, ...+01:00.
pub(super) fn iso(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let (y, 4) = num(toks, i)? else { return None };
    let sep = toks.get(i + 1)?.text;
    if sep != "-" && sep != "/" || !glued(toks, i + 1) {
        return None;
    }
    let (m, ml) = num(toks, i + 2)?;
    if ml > 2 || !is_punct(toks, i + 3, sep) {
        return None;
    }
    let (d, dl) = num(toks, i + 4)?;
    if dl > 2 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    let mut spec = Spec { year: Some(date.year()), month: Some(m), day: Some(d), ..Spec::default() };
    let mut j = i + 5;
    let t_sep = word(toks, j) == Some("t") && glued(toks, j);
    if t_sep {
        let (c, k) = clock(toks, j + 1, true)?;
        j = k;
        // Fractional seconds.
        if is_punct(toks, j, ".") && toks.get(j + 1).is_some_and(|t| t.kind == Kind::Num) {
            j += 2;
        }
        let offset = if is_word(toks, j, "z") && glued(toks, j) {
            j += 1;
            FixedOffset::east_opt(0)
        } else if (is_punct(toks, j, "+") || is_punct(toks, j, "-")) && glued(toks, j) {
            let sign = if is_punct(toks, j, "-") { -1 } else { 1 };
            let (oh, _) = num(toks, j + 1)?;
            let (om, k) = if is_punct(toks, j + 2, ":") {
                (num(toks, j + 3).map(|x| x.0).unwrap_or(0), j + 4)
            } else {
                (0, j + 2)
            };
            j = k;
            FixedOffset::east_opt(sign * (oh as i32 * 3600 + om as i32 * 60))
        } else {
            None
        };
        match offset {
            Some(off) => {
                let naive = date.and_hms_opt(c.hour, c.minute, c.second)?;
                let inst = off.from_local_datetime(&naive).single()?;
                spec = Spec { instant: Some(inst), ..Spec::default() };
                spec.clock = None;
                return Some((spec, j));
            }
            None => spec.clock = Some(c),
        }
    }
    Some((spec, j))
}

/// US numeric dates: 3/13, 3/13/2026, 07-27-2022, 09/2012, 2012/8/10 handled by iso.
pub(super) fn numeric_date(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let (a, al) = num(toks, i)?;
    let sep = toks.get(i + 1).filter(|t| t.kind == Kind::Punct)?.text;
    if (sep != "/" && sep != "-") || !glued(toks, i + 1) || al > 2 {
        return None;
    }
    // 2024/Aug/10 style is year-first and handled elsewhere; here a is month.
    let (b, bl) = num(toks, i + 2).filter(|_| glued(toks, i + 2))?;
    // MM/YYYY
    if sep == "/" && bl == 4 && !is_punct(toks, i + 3, "/") {
        if !(1..=12).contains(&a) || !(1000..=2999).contains(&b) {
            return None;
        }
        return Some((Spec { year: Some(b as i32), month: Some(a), ..Spec::default() }, i + 3));
    }
    if bl > 2 {
        return None;
    }
    let mut j = i + 3;
    let mut year = None;
    if is_punct(toks, j, sep) && glued(toks, j) {
        let (y, yl) = num(toks, j + 1).filter(|_| glued(toks, j + 1))?;
        year = Some(match yl {
            4 => y as i32,
            2 => 2000 + y as i32,
            _ => return None,
        });
        j += 2;
    } else if sep == "-" {
        // "1-2", "4-5-6": dashes need a four-digit year to read as a date.
        return None;
    }
    if is_punct(toks, j, "/")
        || is_punct(toks, j, "-")
            && glued(toks, j)
            && toks.get(j + 1).is_some_and(|t| t.kind == Kind::Num && t.text.len() != 2)
        || is_punct(toks, j, ".") && toks.get(j + 1).is_some_and(|t| t.kind == Kind::Num && t.text.len() != 2)
    {
        return None;
    }
    if !(1..=12).contains(&a) {
        return None;
    }
    let y_check = year.unwrap_or(2000);
    NaiveDate::from_ymd_opt(y_check, a, b)?;
    let mut spec = Spec { year, month: Some(a), day: Some(b), ..Spec::default() };
    // Time glued by an odd separator: "05/31/2024.14:15", "05/31/2024-14:15".
    if year.is_some()
        && (is_punct(toks, j, ".") || is_punct(toks, j, ":") || is_punct(toks, j, "-"))
        && glued(toks, j)
    {
        if let Some((c, k)) = clock(toks, j + 1, false).filter(|(c, _)| c.has_min) {
            spec.clock = Some(c);
            j = k;
        }
    }
    Some((spec, j))
}

/// Month-name dates: "13 March 2026", "March 13th", "Mar. 6, 2016", "the 12th of
/// August", "in January", "August 2012", "Sun 15Sep", "2012/Aug/10", "2018 March 18".
pub(super) fn month_date(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    // Year-first: 2012/Aug/10, 2018 March 18.
    if let Some((y, 4)) = num(toks, i) {
        let (j, slash) = if is_punct(toks, i + 1, "/") { (i + 2, true) } else { (i + 1, false) };
        let (m, _) = month_at(toks, j)?;
        let k = if slash {
            if !is_punct(toks, j + 1, "/") {
                return None;
            }
            j + 2
        } else {
            j + 1
        };
        let (d, n) = day_number(toks, k)?;
        NaiveDate::from_ymd_opt(y as i32, m, d)?;
        return Some((Spec { year: Some(y as i32), month: Some(m), day: Some(d), ..Spec::default() }, n));
    }
    let mut j = i;
    let mut weekday_name_seen = None;
    // Optional leading weekday: "Sunday, March 6", "Sun 15Sep", "Tue, 10 January".
    if let Some((wd, _)) = word(toks, j).and_then(weekday_name) {
        weekday_name_seen = Some(wd);
        j += 1;
        if is_punct(toks, j, ".") {
            j += 1;
        }
        if is_punct(toks, j, ",") {
            j += 1;
        }
    }
    if is_word(toks, j, "the") {
        j += 1;
    }
    // Day first: "13 March", "12th of August", "Twenty-fourth of May", "15Sep".
    if let Some((d, k)) = day_number(toks, j) {
        let k2 = if is_word(toks, k, "of") { k + 1 } else { k };
        if let Some((m, _)) = month_at(toks, k2) {
            let mut n = k2 + 1 + dot(toks, k2 + 1);
            let mut year = None;
            let (y, after) = year_after(toks, n);
            if let Some((era, after)) = era_year(toks, n) {
                year = Some(era?);
                n = after;
            } else if y.is_some() {
                year = y;
                n = after;
            } else if let Some((yy, 2)) = num(toks, n) {
                // "3rd Feb 82": two-digit years only right after a month name.
                if word_end(toks, n) && !is_punct(toks, n + 1, ":") && !followed_by_meridiem(toks, n) {
                    year = Some(two_digit_year(yy));
                    n += 1;
                }
            }
            let y_check = year.unwrap_or(2000);
            NaiveDate::from_ymd_opt(y_check, m, d)?;
            let _ = weekday_name_seen;
            return Some((Spec { year, month: Some(m), day: Some(d), ..Spec::default() }, n));
        }
    }
    // Month first: "March 13th", "Dec. 21", "August 10, 2012", "Mar 13 at 5pm",
    // "March, 6th 2016", "May eighth, 2010", "in January", "August 2012".
    let (m, full) = month_at(toks, j)?;
    let mut k = j + 1 + dot(toks, j + 1);
    let comma = is_punct(toks, k, ",");
    if comma {
        k += 1;
    }
    if let Some((d, n)) = day_number(toks, k) {
        // "Mar 13:00" is not March 13.
        if !is_punct(toks, n, ":") {
            let mut n = n;
            if let Some((era, after)) = era_year(toks, n) {
                let y = era?;
                NaiveDate::from_ymd_opt(y, m, d)?;
                return Some((
                    Spec { year: Some(y), month: Some(m), day: Some(d), ..Spec::default() },
                    after,
                ));
            }
            let (year, after) = year_after(toks, n);
            if year.is_some() {
                n = after;
            } else if let Some((yy, 2)) = num(toks, n + usize::from(is_punct(toks, n, ",")))
                .filter(|_| !is_punct(toks, n + 1 + usize::from(is_punct(toks, n, ",")), ":"))
            {
                let n = n + usize::from(is_punct(toks, n, ","));
                // "april 2 10-12" says hours, not the year 2010.
                let hours_next = dash_or_to(toks, n + 1).is_some_and(|k| num(toks, k).is_some());
                if (is_punct(toks, n.saturating_sub(1), ",") || toks.get(n).is_some_and(|t| t.spaced))
                    && !followed_by_meridiem(toks, n)
                    && word_end(toks, n)
                    && !hours_next
                {
                    let y = two_digit_year(yy);
                    NaiveDate::from_ymd_opt(y, m, d)?;
                    return Some((
                        Spec { year: Some(y), month: Some(m), day: Some(d), ..Spec::default() },
                        n + 1,
                    ));
                }
            }
            NaiveDate::from_ymd_opt(year.unwrap_or(2000), m, d)?;
            return Some((Spec { year, month: Some(m), day: Some(d), ..Spec::default() }, n));
        }
    }
    // Month and year: "August 2012", "Aug 96". A number right before the month
    // means a day was meant ("32 August 2014"), and an impossible one is no date.
    if j > 0 && toks.get(j - 1).is_some_and(|t| t.kind == Kind::Num) {
        return None;
    }
    let (year, n) = year_after(toks, j + 1 + dot(toks, j + 1));
    if year.is_some() {
        return Some((Spec { year, month: Some(m), ..Spec::default() }, n));
    }
    if !full {
        if let Some((yy, 2)) = num(toks, j + 1) {
            if word_end(toks, j + 1) {
                return Some((
                    Spec { year: Some(two_digit_year(yy)), month: Some(m), ..Spec::default() },
                    j + 2,
                ));
            }
        }
        // "in Jan", "since Sept": an abbreviation alone needs a preposition before it.
        let prev = if j > 0 { word(toks, j - 1) } else { None };
        if !matches!(prev, Some("in" | "since" | "until" | "till" | "during")) || !word_end(toks, j) {
            return None;
        }
        return Some((Spec { month: Some(m), ..Spec::default() }, j + 1 + dot(toks, j + 1)));
    }
    // A lone month name only counts after a word that makes it a time reference:
    // "in May", "end of March", "from May to December"; never "may I" or "march on".
    let prev = if i > 0 { word(toks, i - 1) } else { None };
    let introduced = matches!(
        prev,
        Some(
            "in" | "during"
                | "since"
                | "until"
                | "till"
                | "by"
                | "of"
                | "from"
                | "early"
                | "late"
                | "mid"
                | "next"
                | "last"
                | "this"
                | "before"
                | "after"
                | "to"
                | "through"
        )
    );
    let capitalised_month =
        toks.get(j).is_some_and(|t| t.text.chars().next().is_some_and(char::is_uppercase));
    // A message that is only a month name ("August", the answer to "when?").
    let alone = j == 0 && only_punct_from(toks, j + 1);
    if alone && (capitalised_month || !matches!(m, 3 | 5)) {
        return Some((Spec { month: Some(m), ..Spec::default() }, j + 1));
    }
    if !introduced || (m == 5 && !capitalised_month && prev == Some("to")) {
        return None;
    }
    if m == 5 || m == 3 {
        // "in may be", "by march ing": reject when a verb-like word follows.
        if let Some(nw) = word(toks, j + 1) {
            if matches!(nw, "be" | "not" | "have" | "i" | "you" | "we" | "the" | "a") {
                return None;
            }
        }
    }
    Some((Spec { month: Some(m), ..Spec::default() }, j + 1))
}

/// The number at `i` is an hour: "10 pm", "10 o'clock".
fn followed_by_meridiem(toks: &[Tok<'_>], i: usize) -> bool {
    matches!(word(toks, i + 1), Some("am" | "pm" | "a" | "p")) || oclock_len(toks, i + 1).is_some()
}

fn two_digit_year(yy: u32) -> i32 {
    if yy >= 50 { 1900 + yy as i32 } else { 2000 + yy as i32 }
}
