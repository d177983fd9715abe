//! Helpers shared by the rules: building patterns, telling questions, reading dates and
//! cutting titles.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat};
use chrono_tz::Tz;
use regex::Regex;

use crate::parse::{Plan, never};
use crate::when::{self, Found, Grain};

pub(in crate::parse) fn rx(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|e| bad_pattern(&e))
}

/// A constant pattern the regex crate refused (a name given to two groups, say): the
/// crate's tests fail on it; a build in use matches nothing rather than stop.
#[allow(clippy::panic)]
fn bad_pattern(e: &regex::Error) -> Regex {
    if cfg!(test) {
        panic!("a constant pattern does not compile: {e}");
    }
    never()
}

/// A day said by its name or its number: "tomorrow", "thursday", "the 14th". The
/// restatements that must see a day in a sentence before they say it again build on it.
pub(in crate::parse) const NAMED_DAY: &str =
    r"(?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|the \d{1,2}(?:st|nd|rd|th)?)";

/// The words that delete or call off a thing, said as an order or as a need given up
/// ("delete", "get rid of", "call off", "I no longer need", "I won't be needing"): the
/// one list that the gate on deleting and the rules that find what is deleted both read.
pub(in crate::parse) const DELETE_WORDS: &str = r"delete|remove|cancel|call off|clear|erase|wipe|scrap|drop|discard|empty|^bin|^scratch|get rid of|no longer (?:want|need)|don'?t need|won'?t (?:be )?need(?:ing)?";

/// Starts like a question or a request to be told something.
static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:what|what's|whats|when|when's|where|which|who|how|is|are|am|do|does|did|have (?:i|you|we)|has|will|was|were|any|anything|tell me|show|list|read|check|review|view|display|see|give me|go over|go through|let me (?:see|know|hear)|i (?:want|need|would like|'d like) to (?:see|know|hear|check|review)|i need to know|can i see|could i see|repeat|describe|recite|open my|pull up|bring up|look at|search|find|confirm|how's|how is|should i|did you|at what|provide|hear|walk me through|speak|iterate|recite|go through|look to see|look if|i (?:want|need|would like|'d like) to (?:hear|go over)|please tell|tell my|what are|let me hear|i had)\b|\b(?:is|are) what$|\?$",
    )
});

/// A sentence that tells rather than asks: a subject and a verb in the past, or the
/// present of being, having and going.
/// "I should book a checkup", "we need to plan the party": the user's own task, never
/// a question about the calendar.
pub(super) static OWN_NEED: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:i|we)(?: really| still| also| probably| definitely)? (?:need|have|must|should|ought|gotta|got|'ve got|'d better|'ll have)\b",
    )
});

pub(super) static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:i|we|he|she|they|it)(?:'ve| have| had|'d)?(?: just| already| finally| now)? (?:\w+ed|paid|bought|sent|made|wrote|got|took|gave|sold|brought|went|ran|found|fed|rang|met|told|put|read|cut|did|saw|spoke|left|forgot|heard|was|were|had|came|began|overran)|(?:just|finally|already) \w+ed|(?:my|our|the|his|her|their|that|this) [\w' -]+? (?:is|are|was|were|went|has|have|had|got|said|says|looks|looked|seems|seemed|ran|overran|ended|finished|lasted|dragged|began|started|got cancelled)) ",
    )
});

pub(in crate::parse) fn is_question(l: &str) -> bool {
    QUESTION.is_match(l)
}

/// A clause that asks for something new to be kept: a reminder or a task whose own
/// words may remove or cancel ("set a reminder to remove the stickers", "remind me to
/// cancel the trial"). What such a clause says is the new item's content, never a
/// command to delete.
static NEW_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:remind (?:me|us)\b|(?:set|add|create|make|put in|give me|schedule|i need|i want|i'd like)(?: up)?(?: me)? (?:a|an|another|one more|one|new) (?:new |quick )?(?:reminder|task|todo|to-do|to do)\b|(?:don'?t|do not) (?:let me )?forget\b|remember to\b)",
    )
});

pub(in crate::parse) fn asks_for_new_item(l: &str) -> bool {
    NEW_ITEM.is_match(l)
}

/// The value of a found date for a given param: a bare date for day-or-coarser
/// values (a day-level due date), a full RFC 3339 instant otherwise.
pub(in crate::parse) fn date_value(f: &Found, at: &DateTime<Tz>) -> String {
    if f.grain >= Grain::Day && at.format("%H:%M:%S").to_string() == "00:00:00" {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.to_rfc3339_opts(SecondsFormat::Secs, false)
    }
}

pub(in crate::parse) fn rfc(at: &DateTime<Tz>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The span a found value names, as the `start_time` and `end_time` of a calendar read
/// or clear: the period the phrase names where it names one ("this evening" is 18:00 to
/// midnight, "before 11am" runs from now, "after 2pm" to the end of that day), else the
/// value to the end of its day, week, month or year ("tomorrow", "next week").
pub(in crate::parse) fn with_span(plan: Plan, f: &Found, now: DateTime<Tz>) -> Plan {
    let (from, to) = match f.period {
        Some(p) => {
            let to =
                p.to.or_else(|| p.from.filter(|_| f.grain <= Grain::Hour).and_then(|from| next_day(&from)));
            let mut from = p.from.unwrap_or(now);
            if let Some(to) = to.filter(|t| *t <= from) {
                // "before 9am" asked at noon: that morning.
                from = to
                    .date_naive()
                    .and_time(chrono::NaiveTime::MIN)
                    .and_local_timezone(to.timezone())
                    .earliest()
                    .unwrap_or(to);
            }
            (from, to)
        }
        None => (f.start, period_end(f)),
    };
    let plan = plan.with("start_time", rfc(&from));
    match to {
        Some(to) => plan.with("end_time", rfc(&to)),
        None => plan,
    }
}

/// The start of the day after `at`'s.
fn next_day(at: &DateTime<Tz>) -> Option<DateTime<Tz>> {
    when::localize(at.timezone(), at.date_naive().succ_opt()?.and_time(chrono::NaiveTime::MIN))
}

/// End of the period a found value denotes, for query ranges.
pub(super) fn period_end(f: &Found) -> Option<DateTime<Tz>> {
    if let Some(e) = f.end {
        return Some(e);
    }
    let tz = f.start.timezone();
    let d = f.start.date_naive();
    let next = match f.grain {
        Grain::Day => d.succ_opt()?,
        Grain::Week => d + chrono::Duration::weeks(1),
        Grain::Month => d.checked_add_months(chrono::Months::new(1))?,
        Grain::Quarter => d.checked_add_months(chrono::Months::new(3))?,
        Grain::Year => d.checked_add_months(chrono::Months::new(12))?,
        _ => return None,
    };
    when::localize(tz, next.and_time(chrono::NaiveTime::MIN))
}

/// `l` with the phrases `cut` blanked out by spaces: every other word stays where it was
/// said, so offsets into `l` hold in it.
pub(in crate::parse) fn blanked(l: &str, cut: &[Range<usize>]) -> String {
    let mut out = l.to_string();
    for c in cut.iter().filter(|c| l.get((*c).clone()).is_some()) {
        out.replace_range(c.clone(), &" ".repeat(c.len()));
    }
    out
}

/// Whether what was found is still to come: a time after now, or a day (week, month)
/// not yet over ("send it by end of day" said at noon).
pub(in crate::parse) fn still_ahead(f: &Found, now: DateTime<Tz>) -> bool {
    f.start > now || f.grain >= Grain::Day && period_end(f).is_some_and(|end| end > now)
}

/// How late a todo may be due to count for the period a question names: the last day
/// of a day, week or month ("what's due this week" is due by Sunday; the tool reads a
/// bare date as the whole day), else the end of the span.
/// When a todo said for a time is due: that time, or for a week, month or year already
/// under way ("renew the insurance this month") its last day, never a day gone by.
pub(in crate::parse) fn due_on(f: &Found, now: DateTime<Tz>) -> String {
    if f.grain >= Grain::Week && f.start < now { due_by(f) } else { date_value(f, &f.start) }
}

pub(in crate::parse) fn due_by(f: &Found) -> String {
    match period_end(f) {
        Some(end) if f.grain >= Grain::Day => {
            let last = end.date_naive().pred_opt().unwrap_or(end.date_naive()).max(f.start.date_naive());
            last.format("%Y-%m-%d").to_string()
        }
        Some(end) => rfc(&end),
        None => date_value(f, &f.start),
    }
}

/// A title that only points at an item ("it", "that", "everything") or at many ("all of
/// today's tasks", "every reminder"): no one item to look up.
pub(in crate::parse) fn only_pointed(title: &str) -> bool {
    let low = title.to_ascii_lowercase();
    matches!(low.as_str(), "it" | "that" | "this" | "them" | "everything" | "all")
        || ["all ", "every ", "everything "].iter().any(|w| low.starts_with(w))
}

/// Find dates in a clause: the resolved value and the spans to cut from titles.
pub(in crate::parse) fn dates(t: &str, now: DateTime<Tz>) -> Option<(Found, Vec<Range<usize>>)> {
    crate::parse::slots::dates(t, now, when::Lang::ENGLISH)
}

static EDGE_JUNK: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:a|an|the|my|our|some|new|another|that|to|for|about|of|on|at|in|by|from|called|named|titled|labelled|labeled|saying|that says|me|please|,|:|-)\s+)+|(?:\s+(?:on|at|in|for|by|before|after|from|to|until|till|due|of|the|and|please|for me|thanks|thank you|now|instead|then|sometime|some time|at some point|whenever|when i (?:can|get (?:a |the )?(?:chance|minute|moment))|'\s*time|\x{2019}\s*time|(?:is|are|was|were|will be)(?: (?:booked|scheduled|set|planned|happening|coming))?|,|:|-))+$",
    )
});

/// Clean a title cut out of the user's words: drop date phrases, edge filler,
/// and surrounding quotes, but keep everything else verbatim.
pub(in crate::parse) fn tidy(t: &str, range: Range<usize>, cut: &[Range<usize>]) -> Option<String> {
    let mut s = String::new();
    let mut pos = range.start;
    let mut spans: Vec<&Range<usize>> =
        cut.iter().filter(|c| c.start < range.end && c.end > range.start).collect();
    spans.sort_by_key(|c| c.start);
    for c in spans {
        if c.start > pos {
            s.push_str(t.get(pos..c.start.min(range.end))?);
            s.push(' ');
        }
        pos = pos.max(c.end);
    }
    if pos < range.end {
        s.push_str(t.get(pos..range.end)?);
    }
    // Direction marks and zero-width characters steer how a text is shown, not what it
    // says: a title keeps none of them (a stray override would flip the rest of a list).
    s.retain(|c| !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'));
    let mut s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for _ in 0..4 {
        let low = s.to_ascii_lowercase();
        let (a, b) = match EDGE_JUNK.find(&low) {
            // A capitalised lead word is part of a name ("The 5th Wave"), not filler.
            Some(m) if m.start() == 0 && m.end() > 0 && !s.chars().next().is_some_and(char::is_uppercase) => {
                (m.end(), low.len())
            }
            Some(m) if m.end() == low.len() && m.start() > 0 => (0, m.start()),
            _ => break,
        };
        s = s.get(a..b).unwrap_or("").trim().to_string();
    }
    let s = s.trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | ',' | '.' | ':' | ' ')).to_string();
    (!s.is_empty()).then_some(s)
}

pub(super) fn cap(c: &regex::Captures<'_>, name: &str) -> Option<Range<usize>> {
    c.name(name).map(|m| m.range())
}

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&QUESTION, &EDGE_JUNK, &NEW_ITEM]
}
