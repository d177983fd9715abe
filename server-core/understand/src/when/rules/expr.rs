//! Grammar: one expression, its pieces glued by light connectors.

use super::clock::{bare_hour, clock_piece, part_piece};
use super::dates::{iso, month_date, numeric_date};
use super::days::{keyword, ordinal_day, period, weekday};
use super::range::year_after_clock;
use super::relative::relative;
use super::spec::Spec;
use super::tokens::{Tok, is_punct, is_word, word, word_start};

/// One expression: pieces glued by light connectors.
pub(super) fn parse_expr(toks: &[Tok<'_>], i: usize, bare_ok: bool) -> Option<(Spec, usize)> {
    let (mut spec, mut j) = piece(toks, i, bare_ok)?;
    loop {
        let mut k = j;
        // Light glue between pieces: "tomorrow at 5", "March 3, 2pm", "Monday the 5th".
        while is_punct(toks, k, ",")
            || is_punct(toks, k, "∙")
            || matches!(word(toks, k), Some("at" | "on" | "by" | "around" | "about"))
        {
            k += 1;
        }
        if is_word(toks, k, "for") && spec.clock.is_some() {
            // "4pm for 30 mins" is a length; the range layer handles it.
            break;
        }
        // "tomorrow after 4pm", "Friday before 10am": the time of that day.
        let bound =
            matches!(word(toks, k), Some("before" | "after")) && spec.has_date() && spec.clock.is_none();
        if bound {
            k += 1;
        }
        let next = piece(toks, k, true).or_else(|| {
            // "tomorrow at 5", "tonight at 8": a bare hour after "at" next to a date.
            let at = k > 0 && is_word(toks, k - 1, "at");
            if at && (spec.has_date() || spec.part.is_some()) && spec.clock.is_none() {
                bare_hour(toks, k).map(|(c, n)| (Spec { clock: Some(c), ..Spec::default() }, n))
            } else {
                None
            }
        });
        let Some((other, n)) = next else { break };
        if bound && !(other.clock.is_some() && !other.has_date() && other.delta.is_none()) {
            break;
        }
        // "5 days after next friday" is handled inside `piece`; here we only merge.
        match spec.merge(&other) {
            Some(m) => {
                spec = m;
                j = n;
            }
            None => break,
        }
    }
    if spec.day.is_some()
        && spec.month.is_some()
        && spec.year.is_none()
        && spec.clock.is_some_and(|c| c.has_min)
    {
        if let Some((y, after)) = year_after_clock(toks, j) {
            spec.year = Some(y);
            j = after;
        }
    }
    // A lone part of the day ("morning") is only a time in context; "good morning"
    // is not a request for 9 am.
    let lone_part = spec.part.is_some()
        && !spec.has_date()
        && spec.clock.is_none()
        && spec.delta.is_none()
        && !part_introduced(toks, i);
    if lone_part {
        return None;
    }
    Some((spec, j))
}

fn part_introduced(toks: &[Tok<'_>], i: usize) -> bool {
    matches!(word(toks, i), Some("this" | "in" | "tonight" | "at" | "during"))
        || (i > 0 && matches!(word(toks, i - 1), Some("this" | "in" | "at" | "every")))
}

/// One piece of a date/time expression.
pub(super) fn piece(toks: &[Tok<'_>], i: usize, bare_ok: bool) -> Option<(Spec, usize)> {
    if !word_start(toks, i) && !is_punct(toks, i, "+") && !is_punct(toks, i, "-") {
        return None;
    }
    iso(toks, i)
        .or_else(|| numeric_date(toks, i))
        .or_else(|| relative(toks, i))
        .or_else(|| month_date(toks, i))
        .or_else(|| keyword(toks, i))
        .or_else(|| weekday(toks, i))
        .or_else(|| period(toks, i))
        .or_else(|| ordinal_day(toks, i))
        .or_else(|| clock_piece(toks, i, bare_ok))
        .or_else(|| part_piece(toks, i))
}
