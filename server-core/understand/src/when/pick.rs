//! Which of the phrases found belong to the request.
//!
//! Duckling also reads times into ordinary words and numbers; the filters here
//! drop those, then the longest phrases win and the rest are kept where they do
//! not overlap.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use super::engine::{self, Cand, Shape};
use super::extra;
use super::{Grain, Lang, conventions};

/// The candidates of `text`, non-overlapping, left to right.
pub(super) fn candidates(text: &str, now: DateTime<Tz>, lang: Lang) -> Vec<Cand> {
    let mut all = extra::candidates(text, now);
    // The library reads the text with the days we read left out, so it cannot take one
    // into a longer phrase of its own with the wrong day ("monday after next at 3pm"):
    // it reads what is left ("at 3pm"), and the two combine as any day and time do.
    // A week or a month it may still read more of ("the first week of october 2014").
    let mut unread = text.to_owned();
    for c in all.iter().filter(|c| c.grain == Grain::Day) {
        if unread.get(c.span.clone()).is_some() {
            unread.replace_range(c.span.clone(), &" ".repeat(c.span.len()));
        }
    }
    let mut readings = vec![(lang, 1)];
    if lang != Lang::ENGLISH {
        readings.push((Lang::ENGLISH, 0));
    }
    for (l, rank) in readings {
        for e in engine::entities(&unread, now, l) {
            if let Some(c) = engine::candidate(&e, now.fixed_offset(), rank) {
                all.push(c);
            }
        }
    }
    all.retain(|c| text.get(c.span.clone()).is_some() && !spurious(text, c));
    // Longest first, then our own rules, then the chosen language.
    all.sort_by_key(|c| (std::cmp::Reverse(c.span.len()), std::cmp::Reverse(c.rank), c.span.start));
    apart(all, |c| &c.span).into_iter().map(|c| conventions::adjust(c, text, now)).collect()
}

/// The items that do not overlap one kept before them (so the order given is the order
/// of preference), left to right.
pub(super) fn apart<T>(preferred: Vec<T>, span: impl Fn(&T) -> &Range<usize>) -> Vec<T> {
    let mut kept: Vec<T> = Vec::new();
    for item in preferred {
        let at = span(&item);
        if kept.iter().all(|k| span(k).end <= at.start || at.end <= span(k).start) {
            kept.push(item);
        }
    }
    kept.sort_by_key(|k| span(k).start);
    kept
}

fn word_before(text: &str, at: usize) -> &str {
    let head = text.get(..at).unwrap_or("").trim_end();
    let start = head.rfind(|c: char| !c.is_alphanumeric() && c != '\'').map_or(0, |i| i + 1);
    head.get(start..).unwrap_or("")
}

fn word_after(text: &str, at: usize) -> &str {
    let tail = text.get(at..).unwrap_or("").trim_start();
    let end = tail.find(|c: char| !c.is_alphanumeric()).unwrap_or(tail.len());
    tail.get(..end).unwrap_or("")
}

/// A phrase duckling found that is no time for an assistant.
fn spurious(text: &str, c: &Cand) -> bool {
    let body = text.get(c.span.clone()).unwrap_or("");
    let low = body.to_lowercase();
    let before = word_before(text, c.span.start).to_lowercase();
    let after = word_after(text, c.span.end).to_lowercase();
    if c.rank < 2 && glued(text, c) {
        return true;
    }
    match c.shape {
        // A bare duration is only a time as "for 10 minutes" (a timer).
        Shape::Duration(_) => before != "for",
        _ => {
            lone_weekday_abbreviation(text, &low, &before)
                || lone_ordinal(
                    &low,
                    &after,
                    c,
                    text.get(..c.span.start).is_some_and(|h| h.trim().is_empty()),
                )
                || level_not_hour(&low, &before)
                || ambiguous_compact(&low)
                || month_of_invalid_date(text, c)
                || dashed_numbers(&low)
                || meridiem_alone(&low)
                || counts_of(&low, &after)
                || everyday_word(&low, &before)
                || pronoun_one(&low, &before)
                || numbered_thing(&low, &before)
        }
    }
}

/// "the car tax one to the 28th", "the blue one on friday": "one" after a word that
/// names a thing stands for that thing, not for one o'clock. Said after a word that
/// leads a time ("at one", "from one to three") it is the hour.
fn pronoun_one(low: &str, before: &str) -> bool {
    const LEADS: [&str; 16] = [
        "", "at", "by", "from", "till", "til", "until", "around", "about", "before", "after", "past", "to",
        "and", "or", "for",
    ];
    low.split_whitespace().next() == Some("one") && !LEADS.contains(&before)
}

/// "at number 4 on saturday", "platform 9 at 10am", "room 12": a number that names a
/// house, a room or a seat is no hour.
fn numbered_thing(low: &str, before: &str) -> bool {
    const NAMED: [&str; 24] = [
        "number",
        "no",
        "flat",
        "house",
        "room",
        "platform",
        "gate",
        "bus",
        "route",
        "unit",
        "apartment",
        "apt",
        "level",
        "floor",
        "table",
        "seat",
        "row",
        "page",
        "chapter",
        "junction",
        "exit",
        "bay",
        "door",
        "ward",
    ];
    low.starts_with(|c: char| c.is_ascii_digit()) && NAMED.contains(&before)
}

/// "call my boss", "I lent Sam my drill": an everyday word duckling takes for a holiday
/// (Boss's Day, Lent). Lent stays the season where a word before it says a time ("during
/// lent", "after lent").
fn everyday_word(low: &str, before: &str) -> bool {
    match low {
        "boss" => true,
        "lent" => !matches!(
            before,
            "" | "during"
                | "for"
                | "in"
                | "before"
                | "after"
                | "until"
                | "till"
                | "of"
                | "since"
                | "this"
                | "next"
                | "last"
                | "by"
                | "through"
                | "throughout"
                | "over"
                | "start"
                | "end"
        ),
        _ => false,
    }
}

/// "at one of the shops", "two of my meetings": a number before "of" counts things.
fn counts_of(low: &str, after: &str) -> bool {
    const NUMBERS: [&str; 12] =
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    let last = low.rsplit(' ').next().unwrap_or("");
    after == "of" && (NUMBERS.contains(&last) || last.chars().all(|c| c.is_ascii_digit()))
}

/// The phrase is cut out of a longer token ("1-2" in "1-2-3", "10" in "10.1").
fn glued(text: &str, c: &Cand) -> bool {
    let body = text.get(c.span.clone()).unwrap_or("");
    let head: Vec<char> =
        text.get(..c.span.start).map(|h| h.chars().rev().take(2).collect()).unwrap_or_default();
    let tail: Vec<char> = text.get(c.span.end..).map(|t| t.chars().take(2).collect()).unwrap_or_default();
    // Scripts written without spaces (Korean, Japanese, Chinese) glue words to dates.
    let spaced = |ch: Option<&char>| ch.is_some_and(|ch| ch.is_alphanumeric() && u32::from(*ch) < 0x1100);
    let word_before = spaced(head.first()) && spaced(body.chars().next().as_ref());
    let word_after = spaced(tail.first()) && spaced(body.chars().next_back().as_ref());
    let number_sep = |v: &[char]| matches!(v, [p, d, ..] if "-./:".contains(*p) && d.is_ascii_digit());
    word_before || word_after || number_sep(&head) || number_sep(&tail)
}

/// "we sat on the sun deck": a lower-case weekday abbreviation inside a sentence
/// with nothing that introduces a day; "mar", "jan" alone are no months either.
fn lone_weekday_abbreviation(text: &str, low: &str, before: &str) -> bool {
    static MONTH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?$").expect("regex")
    });
    if MONTH.is_match(low) {
        return true;
    }
    static ABBR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?$").expect("regex"));
    let alone = text.trim().trim_end_matches(['.', '!', '?']).len() <= low.trim_end_matches('.').len();
    ABBR.is_match(low)
        && !alone
        && !matches!(
            before,
            "on" | "by" | "until" | "till" | "next" | "this" | "last" | "every" | "before" | "after"
        )
}

/// "the second half", "The 5th Wave": an ordinal day followed by a word that is
/// not part of a request.
fn lone_ordinal(low: &str, after: &str, c: &Cand, first: bool) -> bool {
    static ORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(on )?the \w+$").expect("regex"));
    // A request that opens with its day: "on the 15th remind me to ...".
    static OPENS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^on the \d{1,2}(st|nd|rd|th)$").expect("regex"));
    ORD.is_match(low)
        && !(first && OPENS.is_match(low))
        && c.grain == super::Grain::Day
        && !after.is_empty()
        && !matches!(after, "at" | "to" | "for" | "in" | "and" | "by" | "please" | "of" | "around" | "from")
}

/// "I'm at 10", "we are at 101": a level or a score, not a time.
fn level_not_hour(low: &str, before: &str) -> bool {
    static BARE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^at \d+(\.\d+)?$").expect("regex"));
    static DOTTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\d{1,2}\.\d{2}(\.\d{2})?$").expect("regex"));
    BARE.is_match(low)
        && matches!(before, "i'm" | "im" | "am" | "is" | "are" | "we're" | "it's" | "was" | "were")
        || DOTTED.is_match(low)
}

/// "7m ago" (minutes or months?), "20s later", "4 h ago", "2h": compact units
/// that are not clearly a time.
fn ambiguous_compact(low: &str) -> bool {
    static AMB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d+\s*[ms]|\d+ h)\s+(ago|later|from now)$|^(in|within)\s+\d+\s*[ms]$|^\d+h$")
            .expect("regex")
    });
    AMB.is_match(low)
}

/// "February 29, 2014", "32 August": duckling keeps the month of a date that
/// does not exist, leaving its day number beside the phrase.
fn month_of_invalid_date(text: &str, c: &Cand) -> bool {
    let day_before = word_before(text, c.span.start);
    c.grain == super::Grain::Month
        && (text
            .get(c.span.end..)
            .is_some_and(|t| t.trim_start().starts_with(|ch: char| ch.is_ascii_digit()))
            || !day_before.is_empty()
                && day_before.len() <= 2
                && day_before.bytes().all(|b| b.is_ascii_digit()))
}

/// "1-2", "10 - 20", "2200-25": two numbers joined by a dash are a count, a
/// score or a code; a date written with dashes has three parts.
fn dashed_numbers(low: &str) -> bool {
    static PAIR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(at )?\d+\s*-\s*\d+$").expect("regex"));
    PAIR.is_match(low)
}

/// "am ago", "in am": the letters of a meridiem with no hour are no time ("half past
/// three pm" has one, in words).
fn meridiem_alone(low: &str) -> bool {
    static AM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[ap]\.?m\b").expect("regex"));
    static HOUR_WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b").expect("regex")
    });
    AM.is_match(low)
        && !low.contains(|ch: char| ch.is_ascii_digit())
        && !HOUR_WORD.is_match(low)
        && !["noon", "midnight", "morning", "night", "tonight", "evening", "afternoon"]
            .iter()
            .any(|w| low.contains(w))
}
