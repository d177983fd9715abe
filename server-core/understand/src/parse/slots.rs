//! The spans of a clause that carry values rather than the request itself: when, how
//! important, which list. They are found first and cut out, so the intent is decided
//! on what remains and the title is made of what remains, whatever the word order.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;
use regex::Regex;

use super::repeat::{self, Repeat};
use super::rules::rx;
use crate::when::{self, Found, Lang};

/// The values a clause states, with the byte spans they were said in.
#[derive(Clone, Debug, Default)]
pub(super) struct Slots {
    /// The date or time of the request, and every phrase that went into it.
    pub when: Option<(Found, Vec<Range<usize>>)>,
    /// `urgent`, `high` or `low`.
    pub priority: Option<&'static str>,
    /// The list named ("my groceries list" gives `groceries`); `Some("")` for a
    /// list that is just the todo list.
    pub list: Option<String>,
    /// Whether the list phrase named the calendar ("to my calendar").
    pub calendar: bool,
    /// How often it repeats ("every sunday").
    pub repeat: Option<Repeat>,
    /// Every span above, to cut from the title.
    pub cut: Vec<Range<usize>>,
}

/// "high priority", "urgent:", "important -", "!!": the words that only say how much
/// something matters. A following "task" or "todo" goes with them ("add a high
/// priority task pay rent").
static PRIORITY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?:\b(?:(?:with|as|at|of)\s+)?(?:a\s+)?(?P<level>top|high|highest|low|lowest|medium|normal)[- ]prio(?:rity)?(?:\s+(?:task|todo|to-do|item|reminder))?\b|\bprio(?:rity)?\s*[:=]?\s*(?P<level2>top|high|highest|low|lowest|medium|normal|urgent)\b|\b(?:as\s+)?(?P<urgent>urgent|urgently|asap)\b|(?:^|\b)(?:as\s+)?(?P<important>important|importantly)\b)(?:\s*[:!,-]+)?|(?P<bang>!{2,})",
    )
});

/// "to my groceries list", "off the shopping list", "on my to-do list", "to my
/// calendar": where an item goes or comes from.
static LIST: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:to|on|onto|in|into|from|off(?:\s+of)?|for|under)\s+(?:my|the|our|a)\s+(?:(?P<name>[a-z][\w'-]*(?:\s+[a-z][\w'-]*)?)\s+)?(?P<noun>list|checklist|to-?do list|to do list|todo list|todos|to-?dos|tasks|reminders|calendar|schedule|agenda)\b",
    )
});

/// "a table for two at 8", "dinner for 4 on friday": how many, not when. A count is a
/// party only after what seats people or before who they are ("an alarm for 7
/// tomorrow" is a time).
static PARTY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:(?:table|dinner|lunch|brunch|breakfast|supper|reservation|booking|room|seats?)(?:\s+[\w'-]+){0,3}?\s+(?P<party>for (?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|\d{1,2})(?: (?:people|persons|guests|adults|of us))?)|(?P<people>for (?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|\d{1,2}) (?:people|persons|guests|adults|of us))) (?:at|on|this|next|tomorrow|tonight)\b",
    )
});

/// List names that are only the todo list itself, or say which part of it.
const PLAIN_LISTS: &[&str] = &[
    "to-do",
    "todo",
    "to do",
    "task",
    "tasks",
    "reminder",
    "reminders",
    "new",
    "whole",
    "entire",
    "full",
    "main",
    "current",
    "usual",
];

/// Whether `s` is all priority words ("high priority,", "urgent:").
pub(super) fn only_priority(s: &str) -> bool {
    PRIORITY.find(s).is_some_and(|m| m.start() == 0 && m.end() == s.len())
}

/// The name a list phrase gives ("my travel list" gives `travel`; "my list", "my to-do
/// list" and "the calendar" give none).
fn list_name<'a>(c: &regex::Captures<'a>) -> &'a str {
    let noun = c.name("noun").map_or("", |m| m.as_str());
    let name = c.name("name").map_or("", |m| m.as_str().trim());
    if matches!(noun, "list" | "checklist") && !PLAIN_LISTS.contains(&name) { name } else { "" }
}

/// The list a clause names, if it names one ("add socks to my travel list").
pub(super) fn named_list(l: &str) -> Option<&str> {
    LIST.captures(l).map(|c| list_name(&c)).filter(|n| !n.is_empty())
}

/// An item with the list it is on said after it taken off: "bread on the groceries
/// list" gives "bread".
pub(super) fn before_list(item: &str) -> &str {
    let low = item.to_ascii_lowercase();
    match LIST.find(&low) {
        Some(m) if m.start() > 0 && m.end() == low.len() => item.get(..m.start()).map_or(item, str::trim_end),
        _ => item,
    }
}

/// The slots of a clause: `t` is its text, `l` the same lowercased.
pub(super) fn find(t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Slots {
    // "asap" says how urgent, not when: a date read only in priority words is none.
    let said_priority: Vec<Range<usize>> = PRIORITY.find_iter(l).map(|m| m.range()).collect();
    let repeat = repeat::find(l, now);
    let when = match &repeat {
        Some(r) => repeated(t, r, now, lang),
        None => dates(t, now, lang),
    };
    let when = when.filter(|(_, spans)| {
        !spans.iter().all(|w| said_priority.iter().any(|p| p.start <= w.start && w.end <= p.end))
    });
    let mut s = Slots { when, repeat, ..Slots::default() };
    if let Some(r) = &s.repeat {
        s.cut.push(r.span.clone());
    }
    if let Some((_, spans)) = &s.when {
        s.cut.extend(spans.iter().cloned());
    }
    for c in PRIORITY.captures_iter(l) {
        let Some(whole) = c.get(0) else { continue };
        if s.cut.iter().any(|r| r.start < whole.end() && whole.start() < r.end) {
            continue;
        }
        let level = match c.name("level").or_else(|| c.name("level2")).map(|m| m.as_str()) {
            Some("low" | "lowest") => "low",
            Some("medium" | "normal") => "medium",
            Some("urgent") => "urgent",
            Some(_) => "high",
            None if c.name("urgent").is_some() => "urgent",
            None => "high",
        };
        s.priority.get_or_insert(level);
        s.cut.push(whole.range());
    }
    if let Some(c) = LIST.captures(l) {
        if let (Some(whole), Some(noun)) = (c.get(0), c.name("noun")) {
            let noun = noun.as_str();
            s.calendar = matches!(noun, "calendar" | "schedule" | "agenda");
            let name = list_name(&c);
            if !s.calendar {
                s.list = Some(name.to_string());
            }
            s.cut.push(whole.range());
        }
    }
    s.cut.sort_by_key(|r| r.start);
    s
}

/// Words that introduce a time rather than belong to a name before it.
const INTRO: &str = r"at|for|during|over|after|before|around|by|till|until|from|since|in|on|this|that|the|a|every|each|one|same|late|early|next|last|today|tomorrow|tonight|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekend|\d+(?:am|pm)?";

/// "lunch tomorrow with Dev", "team lunch on friday": the library reads a meal as its
/// hours, but a meal that is not introduced ("at lunch", "over dinner") is what the
/// request is about, so it stays in the title: only the rest of the phrase is cut.
fn past_meal(l: &str, span: Range<usize>) -> Option<Range<usize>> {
    static MEAL: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:breakfast|brunch|lunch|dinner|supper)\b\s*"));
    static INTRODUCED: LazyLock<Regex> = LazyLock::new(|| rx(&format!(r"\b(?:{INTRO})\s*$")));
    let head = l.get(..span.start).unwrap_or("").trim_end();
    let meal = l.get(span.clone()).and_then(|body| MEAL.find(body));
    match meal {
        Some(m) if !INTRODUCED.is_match(head) || head == "the" || head.ends_with(" the") => {
            (m.end() < span.len()).then(|| span.start + m.end()..span.end)
        }
        _ => Some(span),
    }
}

/// "the parents evening", "quiz night": a part of the day after a word it belongs to is
/// part of a name, not a time ("on tuesday evening", "tomorrow night" are times).
fn named_parts(l: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    static PART: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\b(?P<owner>[a-z][a-z']*)\s+(?P<part>morning|afternoon|evening|night)\b"));
    static INTRODUCES: LazyLock<Regex> =
        LazyLock::new(|| rx(&format!(r"^(?:{INTRO}|good|all|of|to|and|or|with|is|was)$")));
    PART.captures_iter(l)
        .filter(|c| c.name("owner").is_some_and(|o| !INTRODUCES.is_match(o.as_str())))
        .filter_map(|c| c.name("part").map(|m| m.range()))
}

/// The date of a clause, with the phrases that went into it. A list named after a day
/// ("my christmas list", "the weekend list") names the list, not a date, so the name
/// is hidden from the date reader; a possessive ("tomorrow's list") still dates it.
pub(super) fn dates(t: &str, now: DateTime<Tz>, lang: Lang) -> Option<(Found, Vec<Range<usize>>)> {
    let l = t.to_ascii_lowercase();
    let names: Vec<Range<usize>> = LIST
        .captures_iter(&l)
        .filter(|c| c.name("noun").is_some_and(|n| matches!(n.as_str(), "list" | "checklist")))
        .filter_map(|c| c.name("name"))
        .filter(|n| !n.as_str().ends_with("'s"))
        .map(|n| n.range())
        .chain(
            PARTY
                .captures_iter(&l)
                .filter_map(|c| c.name("party").or_else(|| c.name("people")))
                .map(|m| m.range()),
        )
        .chain(named_parts(&l))
        .chain(DAYS_MEAL.captures_iter(&l).filter_map(|c| c.name("meal")).map(|m| m.range()))
        .chain(CHANGED_MEAL.captures(&l).and_then(|c| c.name("meal")).map(|m| m.range()))
        .collect();
    let found = if names.is_empty() {
        when::find_combined_in(t, now, lang)
    } else {
        when::find_combined_within(&super::rules::blanked(t, &names), t, now, lang)
    };
    found.map(|(f, spans)| (f, spans.into_iter().filter_map(|s| past_meal(&l, s)).collect()))
}

/// "tomorrow's lunch with Dana", "friday's dinner with the Lees": the meal is the thing
/// said (with whom), not a time of the day; the day is when.
static DAYS_MEAL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:'s|\u{2019}s)\s+(?P<meal>breakfast|brunch|lunch|dinner|supper|drinks|coffee)\s+with\b",
    )
});

/// "push the team lunch to next wednesday", "cancel our dinner on friday": a meal named
/// as the item a change or a cancel is said of, not a time of the day.
static CHANGED_MEAL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:move|push|pull|reschedule|postpone|shift|delay|bump|bring|cancel|delete|remove|drop|call off|change|update)\b.*?\b(?:the|my|our|this|that)\s+(?:[\w'-]+\s+){0,2}?(?P<meal>breakfast|brunch|lunch|dinner|supper|drinks|coffee)\b",
    )
});

/// When something that repeats first comes: the date said beside how often ("every day
/// at 9pm" is 21:00 today), a time of day said with its weekdays on the first of them
/// ("on mondays and thursdays at 7am" is next Monday at 7), and nothing read inside how
/// often ("every 3 months" is not three months from now).
fn repeated(t: &str, r: &Repeat, now: DateTime<Tz>, lang: Lang) -> Option<(Found, Vec<Range<usize>>)> {
    let (mut f, spans) = dates(&super::rules::blanked(t, std::slice::from_ref(&r.span)), now, lang)?;
    if r.names_days() && f.grain <= when::Grain::Hour {
        // The first of its days whose hour is still to come.
        let at = |day: chrono::NaiveDate| {
            now.timezone().from_local_datetime(&day.and_time(f.start.time())).earliest()
        };
        f.start = r.days_from(r.first).filter_map(at).find(|start| *start > now)?;
        f.end = None;
        f.period = None;
    }
    Some((f, spans))
}

/// The clause with every slot cut out and the gaps closed, lowercased and as said.
pub(super) fn remainder(t: &str, cut: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(t.len());
    let mut pos = 0;
    for c in cut {
        if c.start > pos {
            out.push_str(t.get(pos..c.start).unwrap_or(""));
            out.push(' ');
        }
        pos = pos.max(c.end);
    }
    out.push_str(t.get(pos..).unwrap_or(""));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Tz> {
        chrono_tz::UTC
            .timestamp_opt(1_773_144_000, 0)
            .single()
            .unwrap_or_else(|| chrono_tz::UTC.timestamp_nanos(0))
    }

    fn rest(text: &str) -> (String, Slots) {
        let s = find(text, &text.to_ascii_lowercase(), now(), Lang::ENGLISH);
        (remainder(text, &s.cut), s)
    }

    #[test]
    fn a_list_named_after_a_day_is_a_list_not_a_date() {
        let (r, s) = rest("add fairy lights to my christmas list");
        assert_eq!(r, "add fairy lights");
        assert_eq!(s.list.as_deref(), Some("christmas"));
        assert!(s.when.is_none(), "{:?}", s.when);
        let (_, s) = rest("put sunscreen on the summer list for saturday");
        assert_eq!(s.list.as_deref(), Some("summer"));
        assert!(s.when.is_some_and(|(f, _)| f.start.date_naive().to_string() == "2026-03-14"));
        let (_, s) = rest("add milk to tomorrow's list");
        assert!(s.when.is_some());
    }

    #[test]
    fn a_priority_said_first_is_cut_and_kept() {
        let (r, s) = rest("important: ring the insurer");
        assert_eq!(r, "ring the insurer");
        assert_eq!(s.priority, Some("high"));
        let (r, s) = rest("put a low priority task sort the photos");
        assert_eq!(r, "put sort the photos");
        assert_eq!(s.priority, Some("low"));
        let (_, s) = rest("urgent - renew the car tax");
        assert_eq!(s.priority, Some("urgent"));
    }

    #[test]
    fn a_named_list_is_cut_and_named() {
        let (r, s) = rest("tick off bread from my weekend shopping list");
        assert_eq!(r, "tick off bread");
        assert_eq!(s.list.as_deref(), Some("weekend shopping"));
        let (r, s) = rest("add oat milk to my to-do list");
        assert_eq!(r, "add oat milk");
        assert_eq!(s.list.as_deref(), Some(""));
        let (_, s) = rest("put the quiz night on my calendar");
        assert!(s.calendar && s.list.is_none());
    }

    #[test]
    fn words_that_only_look_like_slots_stay() {
        let (r, s) = rest("the list of books I gave away");
        assert_eq!(r, "the list of books I gave away");
        assert!(s.list.is_none() && s.priority.is_none());
    }
}
