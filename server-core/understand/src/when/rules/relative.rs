//! Grammar: relative offsets and durations ("in 45 minutes", "3 days ago", "half an hour").

use super::expr::piece;
use super::spec::{Delta, Spec};
use super::tokens::{Kind, Tok, glued, is_punct, is_word, num, word, word_end};
use super::vocabulary::{small_number, unit_word};

/// Relative offsets: "in 45 minutes", "2 weeks from now", "3 days ago",
/// "+15min", "-3y", "within a month", "for 10 minutes", "2 days after next Friday".
pub(super) fn relative(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let w = word(toks, i);
    let signed = is_punct(toks, i, "+") || is_punct(toks, i, "-");
    if signed {
        // "+15 minutes", "-3y": sign must touch the number and stand alone before it.
        if i > 0 && !toks.get(i).is_some_and(|t| t.spaced) && toks.get(i - 1).is_some() {
            return None;
        }
        let (mut d, j) = duration(toks, i + 1, true)?;
        if !glued(toks, i + 1) {
            return None;
        }
        if is_punct(toks, i, "-") {
            d.negate();
        }
        return Some((delta_spec(d), j));
    }
    if matches!(w, Some("in" | "within" | "after" | "for")) {
        let mut j = i + 1;
        while matches!(word(toks, j), Some("about" | "around" | "approximately" | "roughly"))
            || is_punct(toks, j, "~")
        {
            j += 1;
        }
        let (d, k) = duration(toks, j, false)?;
        if matches!(word(toks, k), Some("ago" | "before" | "earlier")) {
            return None;
        }
        return Some((delta_spec(d), k));
    }
    if w == Some("give") && is_word(toks, i + 1, "it") {
        let (d, k) = duration(toks, i + 2, false)?;
        return Some((delta_spec(d), k));
    }
    if matches!(w, Some("next" | "last" | "past")) {
        // "next 2 weeks", "last two weeks": the count is required, otherwise it is a period.
        let (d, k) = duration(toks, i + 1, false)?;
        let first_is_count =
            num(toks, i + 1).is_some() || word(toks, i + 1).is_some_and(|x| !matches!(x, "a" | "an"));
        if !first_is_count {
            return None;
        }
        let mut d = d;
        if w != Some("next") {
            d.negate();
        }
        return Some((delta_spec(d), k));
    }
    if w == Some("the") && matches!(word(toks, i + 1), Some("min" | "minute" | "day" | "hour")) {
        // "the day after tomorrow", "the min before".
        let (unit, _) = unit_word(word(toks, i + 1)?)?;
        let mut d = Delta::default();
        d.add(unit, 1.0);
        return with_direction(toks, i + 2, d);
    }
    let (d, j) = duration(toks, i, false)?;
    with_direction(toks, j, d)
}

/// Nothing but punctuation from token `i` to the end.
pub(super) fn only_punct_from(toks: &[Tok<'_>], i: usize) -> bool {
    toks.get(i..).is_some_and(|rest| rest.iter().all(|t| t.kind == Kind::Punct))
}

pub(super) fn delta_spec(d: Delta) -> Spec {
    Spec { delta: Some(d), ..Spec::default() }
}

fn with_direction(toks: &[Tok<'_>], j: usize, mut d: Delta) -> Option<(Spec, usize)> {
    match word(toks, j)? {
        "ago" | "earlier" | "before" | "prior" => {
            d.negate();
            if word(toks, j)? == "before" {
                if let Some((anchor, k)) = anchor(toks, j + 1) {
                    let mut s = anchor;
                    s.delta = Some(d);
                    return Some((s, k));
                }
            }
            Some((delta_spec(d), j + 1))
        }
        "later" | "hence" | "out" => Some((delta_spec(d), j + 1)),
        "after" => {
            if let Some((anchor, k)) = anchor(toks, j + 1) {
                let mut s = anchor;
                s.delta = Some(d);
                return Some((s, k));
            }
            Some((delta_spec(d), j + 1))
        }
        "from" if matches!(word(toks, j + 1), Some("now" | "today")) => Some((delta_spec(d), j + 2)),
        _ => None,
    }
}

pub(super) fn anchor(toks: &[Tok<'_>], i: usize) -> Option<(Spec, usize)> {
    let (s, k) = piece(toks, i, false)?;
    if s.delta.is_some() || !s.has_date() {
        return None;
    }
    Some((s, k))
}

/// A quantity of time: "45 minutes", "2 weeks 3 days", "1d 2hr 5min", "half an hour",
/// "a couple of days", "1.5 hours". `signed` allows compact forms like "3m".
pub(super) fn duration(toks: &[Tok<'_>], i: usize, signed: bool) -> Option<(Delta, usize)> {
    let mut d = Delta::default();
    let mut j = i;
    let mut count = 0;
    while let Some((amount, k)) = amount(toks, j) {
        let Some(w) = word(toks, k) else { break };
        let Some((unit, abbrev)) = unit_word(w) else {
            break;
        };
        let compact_next = toks.get(k + 1).is_some_and(|t| t.kind == Kind::Num && !t.spaced);
        if !word_end(toks, k) && !compact_next {
            break;
        }
        // Compact units ("5m", "3y", "2 h") are ambiguous on their own ("1 m" could be
        // metres); trust them after a sign or inside a run of several units.
        if abbrev && !(signed || count > 0 || more_units(toks, k + 1) || glued_compact(toks, k, w)) {
            break;
        }
        d.add(unit, amount);
        count += 1;
        j = k + 1;
        // Separators between components: "5 minutes, 30 seconds", "1 hour and 5 min".
        let mut n = j;
        if is_punct(toks, n, ",") {
            n += 1;
        }
        if is_word(toks, n, "and") {
            n += 1;
        }
        if n != j && amount_then_unit(toks, n) {
            j = n;
        }
    }
    (count > 0 && !d.is_zero()).then_some((d, j))
}

/// "1h ago", "2hr later", "3w later": an hour or week unit written onto its number,
/// then a direction. "m" and "s" stay out ("5m" is five million as often as five
/// minutes, "the 15s" a plural), and so does a unit set apart ("5 h ago").
fn glued_compact(toks: &[Tok<'_>], k: usize, unit: &str) -> bool {
    glued(toks, k) && matches!(unit, "h" | "hr" | "w" | "wk") && direction_after(toks, k + 1)
}

/// "ago", "later", "from now" right after a quantity.
fn direction_after(toks: &[Tok<'_>], i: usize) -> bool {
    match word(toks, i) {
        Some("ago" | "later" | "earlier" | "hence") => true,
        Some("from") => matches!(word(toks, i + 1), Some("now" | "today")),
        _ => false,
    }
}

fn more_units(toks: &[Tok<'_>], i: usize) -> bool {
    let mut n = i;
    if is_punct(toks, n, ",") {
        n += 1;
    }
    if is_word(toks, n, "and") {
        n += 1;
    }
    amount_then_unit(toks, n)
}

fn amount_then_unit(toks: &[Tok<'_>], i: usize) -> bool {
    amount(toks, i).and_then(|(_, k)| word(toks, k)).is_some_and(|w| unit_word(w).is_some())
}

/// A count: digits (with decimals), number words, "a", "a few", "several", "half an".
pub(super) fn amount(toks: &[Tok<'_>], i: usize) -> Option<(f64, usize)> {
    if let Some((n, len)) = num(toks, i) {
        if len > 6 {
            return None;
        }
        if is_punct(toks, i + 1, ".") && glued(toks, i + 1) {
            if let Some(t) = toks.get(i + 2).filter(|t| t.kind == Kind::Num && !t.spaced) {
                let v: f64 = format!("{}.{}", n, t.text).parse().ok()?;
                return Some((v, i + 3));
            }
        }
        return Some((f64::from(n), i + 1));
    }
    let w = word(toks, i)?;
    match w {
        "half" => {
            let j = if matches!(word(toks, i + 1), Some("a" | "an")) { i + 2 } else { i + 1 };
            Some((0.5, j))
        }
        "few" => Some((3.0, i + 1)),
        "several" => Some((7.0, i + 1)),
        "couple" => {
            let j = if is_word(toks, i + 1, "of") { i + 2 } else { i + 1 };
            Some((2.0, j))
        }
        "a" if matches!(word(toks, i + 1), Some("few" | "couple")) => amount(toks, i + 1),
        _ => {
            let base = small_number(w)?;
            if (20..=60).contains(&base) && base % 10 == 0 {
                let j = if is_punct(toks, i + 1, "-") { i + 2 } else { i + 1 };
                if let Some(u) = word(toks, j).and_then(small_number).filter(|u| (1..10).contains(u)) {
                    if !matches!(word(toks, j), Some("a" | "an")) {
                        return Some((f64::from(base + u), j + 1));
                    }
                }
            }
            Some((f64::from(base), i + 1))
        }
    }
}
