//! Bare clock hours read as people mean them.
//!
//! "pick up the kids at 3 tomorrow", "from 2 to 4 on friday", "dinner at 8 on saturday":
//! with no am/pm the library reads the morning's hour wherever a date stands beside the
//! time. People mean the waking hours: an hour from 1 to 7 is the afternoon's, and one
//! from 8 to 11 is the evening's when the sentence names an evening thing (dinner, a
//! concert, drinks). A phrase or a sentence that says the morning keeps the morning.
//! Applied last, to whichever reading won, so the library's reading and the rules'
//! agree on it.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDateTime, Timelike};
use chrono_tz::Tz;
use regex::Regex;

use super::{Found, Grain, Period, localize};

/// Marks in the phrase that settle the hour already: a meridiem, a 24-hour clock, a
/// part of the day, or a length of time shorter than a day ("in 2 hours" lands on
/// whatever hour it lands; "in 2 days at 3" keeps the hour said).
static SETTLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\d\s*(?:[ap]\.?m\b|[ap]\b|h\b)|\b(?:0\d|1[3-9]|2[0-3]):\d\d\b|\b[ap]\.?m(?:\W|$)|",
        r"\b(?:noon|midday|midnight|morning|afternoon|evening|tonight|tonite|night|overnight|",
        r"hours?|hrs?|minutes?|mins?|seconds?|secs?)\b"
    ))
    .expect("regex")
});

/// A sentence about the morning keeps a bare hour in it.
static MORNING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:breakfast|brunch|mornings?|early|wake|waking|alarm|sunrise|dawn|a\.m\.?)(?:\W|$)")
        .expect("regex")
});

/// Things done in the evening: with one of them, 8 to 11 is the evening's too. A class
/// or a club may meet in the morning ("ballet at 10", "chess club at 9"): only a night
/// out at one is the evening's ("the ballet at 8").
static EVENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:dinner|supper|drinks|cocktails|party|concert|gig|movies?|cinema|theat(?:er|re)|",
        r"opera|the ballet|pub|bar|nightclub|clubbing|tonight|tonite|evening|night)\b"
    ))
    .expect("regex")
});

/// A night out named by what is done at it ("quiz night", "games night").
static NAMED_NIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:quiz|games?|movie|film|date|poker|girls'?|guys'?|ladies'?|lads'?|family|pizza|taco|wine|",
        r"karaoke|bingo|trivia|board game|open mic|curry|pub|bonfire|comedy|cocktail) nights?\b"
    ))
    .expect("regex")
});

/// Words and numbers that name a day.
static DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:today|tomorrow|tmrw?|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|",
        r"\d(?:st|nd|rd|th)\b|\d[/.-]\d|\bthe \d"
    ))
    .expect("regex")
});

const HOUR_WORDS: [&str; 11] =
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"];

/// `found` with its bare hours moved to the waking hours. `phrase` is what was said
/// for it (the phrases it was read from, joined), `sentence` the whole text. With no
/// day said, a morning hour already gone was read as tomorrow's; its afternoon may
/// still be to come today ("from 2 to 3" said at noon).
pub(super) fn waking(found: Found, phrase: &str, sentence: &str, now: DateTime<Tz>) -> Found {
    let phrase = phrase.to_lowercase();
    let sentence = sentence.to_lowercase();
    // "quiz night saturday at 8:30": the night is the name's, not the hour's.
    let own = match phrase.strip_prefix("night ").or_else(|| phrase.strip_prefix("nights ")) {
        Some(rest) if NAMED_NIGHT.is_match(&sentence) => rest,
        _ => phrase.as_str(),
    };
    if found.grain > Grain::Hour || SETTLED.is_match(own) || MORNING.is_match(&sentence) {
        return found;
    }
    let evening = EVENING.is_match(&sentence);
    let tz = found.start.timezone();
    let start = found.start.naive_local();
    let later = |h: u32| (1..=7).contains(&h) || (evening && (8..=11).contains(&h));
    if !later(start.hour()) || !said_bare(&phrase, start) {
        return found;
    }
    // "4 today" said at 9: the morning's 4 was gone, so tomorrow's was read; today's
    // afternoon is meant.
    let today = phrase.split(|c: char| !c.is_ascii_alphabetic()).any(|w| w == "today");
    let undated = (today || !DATED.is_match(&phrase))
        && start.date() == now.date_naive().succ_opt().unwrap_or_default();
    let half_day = if undated && start - Duration::hours(12) > now.naive_local() {
        Duration::hours(-12)
    } else {
        Duration::hours(12)
    };
    let end = match found.end.map(|e| e.naive_local()) {
        None => None,
        // "from 2 to 4": both ends move; a range whose end is already past noon
        // ("9 to 5") or on another day was read whole.
        Some(e) if e.date() == start.date() && e.hour() < 12 && e > start && said_bare(&phrase, e) => {
            Some(localize(tz, e + half_day))
        }
        Some(_) => return found,
    };
    let Some(moved) = localize(tz, start + half_day) else { return found };
    // A deadline ends at its value and moves with it; a part of the day must still hold it.
    let period = match found.period {
        Some(p) if p.to == Some(found.start) => Some(Period { to: Some(moved), ..p }),
        // An open start ("after 4") moves with its value too.
        Some(p) if p.from == Some(found.start) && p.to.is_none() => Some(Period { from: Some(moved), ..p }),
        Some(p) if !p.holds(moved) => return found,
        p => p,
    };
    match end {
        Some(None) => found,
        Some(Some(e)) => Found { start: moved, end: Some(e), period, ..found },
        None => Found { start: moved, period, ..found },
    }
}

/// Whether the phrase says `at`'s hour as a bare number ("3", "3:30", "three"), roughly
/// ("5ish", "sevenish"), or as a clock is read aloud ("half past 2", "half 2", "quarter
/// to 5", "20 past three").
fn said_bare(phrase: &str, at: NaiveDateTime) -> bool {
    let (hour, minute) = (at.hour(), at.minute());
    let clock = format!("{hour}:{minute:02}");
    let is_hour = |w: &str, h: u32| {
        w == h.to_string() || (h as usize).checked_sub(1).and_then(|i| HOUR_WORDS.get(i)) == Some(&w)
    };
    let words: Vec<&str> = phrase
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .filter(|w| !w.is_empty())
        .map(|w| w.strip_suffix("ish").filter(|n| !n.is_empty()).unwrap_or(w))
        .collect();
    let aloud = |pair: &[&str]| match pair {
        ["half", w] => minute == 30 && is_hour(w, hour),
        ["past" | "after", w] => minute > 0 && is_hour(w, hour),
        ["to" | "of" | "till" | "til", w] => minute > 0 && is_hour(w, hour % 12 + 1),
        _ => false,
    };
    words.iter().any(|&w| (minute == 0 && is_hour(w, hour)) || w == clock) || words.windows(2).any(aloud)
}
