//! Calendar events: made, moved, deleted and asked about.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use super::calendar::{
    CAL_TAIL, CALENDAR_WORD, EVENT_CREATE, EVENT_NOUN, EVENT_TITLE, LOCATION, STRONG_EVENT, VISITS,
    booked_elsewhere, names_thing, not_calendar_question, only_when,
};
use super::edits::renames_other;
use super::lists::QUESTIONISH;
use super::plain::asked_when;
use super::shared::{
    OWN_NEED, STATEMENT, blanked, cap, date_value, dates, is_question, only_pointed, rx, still_ahead, tidy,
    with_span,
};
use super::timers::{CREATE_VERB, DELETE_VERB, UPDATE_VERB, called_off_before, split_verb_item};
use crate::intent::Intent;
use crate::parse::Plan;
use crate::when::{self, Found, Grain};

pub(super) fn event(t: &str, l: &str, now: DateTime<Tz>, asked: bool) -> Option<Plan> {
    // "cancel tonight's yoga": a day's own thing called off is on the calendar, whatever
    // it is called ("cancel my subscription tomorrow" may be an errand for tomorrow).
    static CALLED_OFF: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:please )?(?:cancel|call off) (?:my |the )?(?:(?:this|next) )?(?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|morning|afternoon|evening|weekend)'s\b",
        )
    });
    let when = dates(t, now);
    let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    // "swimming's cancelled tomorrow": a thing told as called off on a day was to happen
    // then, whatever it is called.
    let told_off_on_a_day =
        when.is_some() && DELETE_VERB.find(l).is_some_and(|m| called_off_before(l, &m, &cut).is_some());
    let called_off = CALLED_OFF.is_match(l) && when.is_some() || told_off_on_a_day;
    if !(EVENT_NOUN.is_match(l) || called_off)
        || not_calendar_question(l)
        || crate::parse::decide::names_todo(l)
    {
        return None;
    }
    // "I need to know what is on my calendar" reads, whatever verbs it contains.
    // A clause led by a command verb is a command even when it says "everything".
    // "review the budget every friday" opens like "review my week" but keeps a routine.
    let is_q = is_question(l) && !crate::parse::decide::routine_order(l, now)
        || QUESTIONISH.is_match(l) && !COMMAND_START.is_match(l);
    // A visit is the calendar thing of its clause: a strong word beside it ("make sure I
    // call the vet") is what is done about it, not a second thing.
    static VISIT: LazyLock<Regex> = LazyLock::new(|| rx(&format!(r"^(?:{VISITS})$")));
    let mut nouns = EVENT_NOUN.find_iter(l).peekable();
    let visits_only = nouns.peek().is_some() && nouns.all(|m| VISIT.is_match(m.as_str()));
    let strong = STRONG_EVENT.is_match(l) && !visits_only;
    let not_event = booked_elsewhere(l);

    // Deletes: explicit verb plus an item that is clearly a calendar entry.
    if let Some(m) = DELETE_VERB.find(l) {
        // "cancel the dentist on tuesday": a weaker calendar word will do when the day
        // of the item is said too.
        let told = called_off_before(l, &m, &cut);
        // "the eye exam was cancelled": a visit told as called off names itself.
        if !is_q && (strong || when.is_some() || visits_only && told.is_some()) && !not_event {
            let rest = split_verb_item(l, &m).or_else(|| told.clone()).unwrap_or(m.end()..l.len());
            // "erase the whiteboard before the meeting": the calendar thing only says
            // when; the thing erased is no event.
            if only_when(l.get(rest.clone())?) {
                return None;
            }
            // "delete the event X": the kind word names the list, not the item.
            let title = tidy_event_title(t, rest.clone(), &cut).map(|s| match s.get(..6) {
                Some(head) if head.eq_ignore_ascii_case("event ") => s[6..].to_owned(),
                _ => s,
            });
            // "delete my next meeting": the soonest one, whatever it is called, or the soonest
            // of those named ("cancel my next dentist appointment").
            if let Some(c) = NEXT_EVENT.captures(&l[rest.clone()]) {
                let what = c.name("what").map(|w| rest.start + w.start()..rest.start + w.end());
                let title = what
                    .and_then(|w| tidy(t, w, &cut))
                    .filter(|w| !GENERIC_EVENT.is_match(&w.to_ascii_lowercase()));
                return Some(
                    Plan::new(Intent::DeleteEvent, 0.8).with("target", "next").with_opt("title", title),
                );
            }
            let mut plan = Plan::new(Intent::DeleteEvent, 0.8);
            // "the meeting is cancelled" names one meeting, not the calendar.
            let everything = told.is_none()
                && title.as_deref().map(|s| WHOLE_CAL.is_match(&s.to_ascii_lowercase())).unwrap_or(true);
            if everything {
                if when.is_none()
                    && title.is_none()
                    && !l.contains("calendar")
                    && !l.contains("schedule")
                    && !l.contains("meeting")
                    && !l.contains("event")
                {
                    return None;
                }
                plan = plan.with("query", "*");
            } else {
                plan = plan.with_opt("title", title);
            }
            if let Some((f, _)) = &when {
                plan = with_span(plan, f, now);
            }
            return Some(plan);
        }
        if !is_q {
            return None;
        }
    }
    // Updates: "move my meeting with Sam to 4pm", "reschedule the dentist to Friday".
    // A move changes nothing for good, so a weaker calendar word will do ("move the
    // dentist to thursday"); the item's own time ("my 3pm call") names which one.
    if UPDATE_VERB.is_match(l) && !is_q && !not_event && !l.starts_with("make") && !renames_other(l) {
        let c = EVENT_UPDATE.captures(l)?;
        let item = cap(&c, "item")?;
        let title = tidy_event_title(t, item.clone(), &cut).filter(|title| !only_pointed(title))?;
        let mut plan = Plan::new(Intent::UpdateEvent, 0.75).with("title", title);
        if let Some(r) = cap(&c, "to") {
            let new_part = t.get(r.clone())?;
            if let Some(f) = new_time(new_part, t.get(item)?, now) {
                // A day alone is said as a day: the event keeps its time of day.
                plan = plan.with("start_time", date_value(&f, &f.start));
                if let Some(e) = f.end {
                    plan = plan.with("end_time", date_value(&f, &e));
                }
            } else if l.starts_with("rename") {
                let nt = tidy(t, r, &[])?;
                plan = plan.with("new_title", nt);
            } else {
                return None;
            }
        }
        return Some(plan);
    }
    // "I have a flight on the 15th": telling the assistant of a dated plan.
    let dated_plan = when.is_some() && I_HAVE_EVENT.is_match(l);
    // "drinks with the team friday 6pm", "the dentist tomorrow at 3": a calendar thing
    // said first, at a time of day and with no verb, is one to keep; so is one with
    // somebody on a day ("lunch with Dev tomorrow").
    // Asked with a question mark ("practice tomorrow?"), it is looked up.
    // A thing of its own on a day is one too ("date night saturday", "mom's birthday
    // june 3"); the calendar's general words on a day ask ("meetings tomorrow").
    // News of it ("soccer practice was great on saturday") is no new one.
    static NEWS_VERB: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:is|are|was|were|isn'?t|wasn'?t|aren'?t|weren'?t|went|got|gets|has|had|have|been|did|does|do|will|won'?t|can'?t|'s)\b",
        )
    });
    let named = named_noun(l, &cut);
    // "Sam's birthday party is on the 21st at 6pm": a thing said to be at a time, and
    // nothing else said of it, is one to keep.
    let said_at = |m: &regex::Match<'_>| placed_at(l, m, when.as_ref(), now);
    let placed = named.and_then(|m| said_at(&m));
    let noun = named.filter(|m| !NEWS_VERB.is_match(&l[m.end()..]) || placed.is_some());
    let told = !is_q
        && !asked
        && noun.is_some_and(|m| {
            when.as_ref().is_some_and(|(f, _)| {
                // "the team offsite april 3 to 5": a thing of its own over some days.
                let over_days = f.end.is_some() && !CALENDAR_WORD.is_match(m.as_str());
                f.grain <= Grain::Hour
                    || f.grain == Grain::Day && over_days
                    || f.grain == Grain::Day
                        && f.end.is_none()
                        && (l.contains(" with ")
                            || !CALENDAR_WORD.is_match(m.as_str())
                            || placed.is_some() && own_name(blanked(l, &cut).get(..m.start()).unwrap_or("")))
            })
        })
        && (!STATEMENT.is_match(l) || placed.is_some());
    // "I need a holiday": a thing wished for, with no time, nobody to see and no
    // calendar named, is no entry ("I want a meeting to be scheduled" is one).
    static WISHED: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^i (?:really |just )?(?:need|want|would like|'d like) (?:a|an) [\w' -]+$"));
    static BOOKED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:with|calendar|meeting|appointment|call|event|session|slot|reservation|schedul\w*|book\w*)\b",
        )
    });
    let wished = WISHED.is_match(l) && when.is_none() && !BOOKED.is_match(l);
    let creates = !is_q
        && ((EVENT_CREATE.is_match(l) || ADDED_TO_CAL.is_match(l)) && strong || dated_plan || told)
        && !not_event
        && !wished;
    if creates {
        let title = EVENT_TITLE
            .captures(l)
            .and_then(|c| cap(&c, "title"))
            .or_else(|| {
                let c = ADDED_TO_CAL.captures(l)?;
                cap(&c, "title").or_else(|| cap(&c, "title2"))
            })
            .or_else(|| {
                // "I've got a dentist appointment on the 14th": what the user has.
                let what = I_HAVE_EVENT.captures(l)?.name("what")?;
                Some(what.start()..l.len())
            })
            .or_else(|| told.then_some(0..placed.unwrap_or(l.len())))
            .and_then(|r| tidy_event_title(t, r, &cut));
        // "meeting from 6 to 8 on thursday": the kind said alone names the event.
        let kind = title.as_deref().and_then(|s| {
            let s = s.to_ascii_lowercase();
            let last = s.rsplit(' ').next().filter(|_| s.split(' ').count() <= 2)?;
            Some(match last {
                "meeting" => "Meeting",
                "appointment" => "Appointment",
                _ => return None,
            })
        });
        let title = title.filter(|s| {
            let s = s.to_ascii_lowercase();
            !WHOLE_CAL.is_match(&s) && !matches!(s.as_str(), "it" | "that" | "this")
        });
        let title = title.or(kind.map(str::to_string)).unwrap_or_else(|| "Event".to_string());
        let mut plan =
            Plan::new(Intent::CreateEvent, if when.is_some() { 0.9 } else { 0.75 }).with("title", title);
        if let Some((f, _)) = &when {
            plan = plan.with("start_time", date_value(f, &f.start));
            if let Some(e) = f.end {
                plan = plan.with("end_time", date_value(f, &e));
            }
        }
        if let Some(c) = LOCATION.captures(t.to_ascii_lowercase().as_str()) {
            if let Some(r) = cap(&c, "loc") {
                plan = plan.with_opt("location", tidy(t, r, &[]));
            }
        }
        return Some(plan);
    }
    if !is_q && !l.starts_with("what") && CREATE_VERB.is_match(l) && !not_event {
        // A write verb we could not pin to a calendar item: do not guess. How urgent it
        // is may be said first ("high priority book the venue for the party").
        static URGENCY: LazyLock<Regex> = LazyLock::new(|| {
            rx(r"^(?:(?:top|high|low)[- ]priority|urgent(?:ly)?|asap|important)\b[\s:,!-]*")
        });
        let first = l.get(URGENCY.find(l).map_or(0, |m| m.end())..).unwrap_or("");
        let first = first.split_whitespace().next().unwrap_or("");
        if matches!(first, "add" | "put" | "schedule" | "book" | "create" | "make" | "set") {
            return None;
        }
    }
    // A statement about one's day is news, not a question ("my meeting went well",
    // "I paid the gas bill"): the rest of the parser decides what it is.
    if !is_q
        && (STATEMENT.is_match(l)
            || OWN_NEED.is_match(l)
            || crate::parse::decide::FACT.is_match(l)
            || crate::parse::decide::nothing_to_make(l))
    {
        return None;
    }
    // An errand done for a calendar thing ("text mom happy birthday tomorrow", "buy a
    // gift for the party"): not a calendar read.
    static ERRAND: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:text|call|email|phone|ring|message|buy|get|pick up|send|bring|order|wrap|bake|cook|make|prepare|prep|wish|write|print|pack|clean|decorate|rsvp|pay|renew|return|study|revise|practi[cs]e|train|plan|get ready)\b",
        )
    });
    if !is_q && ERRAND.is_match(l) && named.is_none() || crate::parse::decide::routine_order(l, now) {
        return None;
    }
    // A visit alone is read where it is asked of on a day or asked when ("is the vet
    // tomorrow?", "what time is my haircut"): "do I need a vaccination for spain" and
    // "next month I should get a haircut" ask nothing of the calendar.
    static ASKS_WHEN: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:when|what time|what day|which day)\b"));
    if visits_only && !((is_q || asked) && (when.is_some() || ASKS_WHEN.is_match(l))) {
        return None;
    }
    // Read the calendar.
    let mut plan = Plan::new(Intent::QueryEvents, if is_q { 0.85 } else { 0.7 });
    if let Some((f, _)) = &when {
        plan = with_span(plan, f, now);
    }
    if let Some(c) = EVENT_QUERY_ABOUT.captures(l) {
        if let Some(r) = cap(&c, "q") {
            plan = plan.with_opt("query", tidy(t, r, &cut));
        }
    }
    if !plan.params.contains_key("query") {
        plan = plan.with_opt("query", asked_when(t, l, &cut));
    }
    Some(plan)
}

/// Where the verb begins when what follows `from` says only that the thing is at a time
/// still to come: "is on the 21st at 6pm", "'s at 7:45 on friday" (the date phrases are
/// `cut`). A deadline is a task's, not a thing of its own to keep.
fn placed_at(
    l: &str,
    noun: &regex::Match<'_>,
    when: Option<&(Found, Vec<Range<usize>>)>,
    now: DateTime<Tz>,
) -> Option<usize> {
    let (f, cut) = when?;
    if noun.as_str() == "deadline" || !still_ahead(f, now) {
        return None;
    }
    let from = noun.end();
    let all = blanked(l, cut);
    let left = all.get(from..)?;
    let dated = cut.iter().any(|c| c.start >= from);
    // Each word with where it starts; the thing's name may go on a word or two past its
    // noun ("birthday party").
    let mut words = Vec::new();
    let mut at = 0;
    for w in left.split_whitespace() {
        let start = left.get(at..)?.find(w)? + at;
        at = start + w.len();
        words.push((start, w));
    }
    let verb = words.iter().take(3).position(|(_, w)| matches!(*w, "is" | "are" | "'s"))?;
    let name_goes_on = words[..verb].iter().all(|(_, w)| w.chars().all(|c| c.is_alphanumeric() || c == '\''));
    let only_when = words[verb + 1..]
        .iter()
        .all(|(_, w)| matches!(*w, "on" | "at" | "in" | "from" | "for" | "this" | "next"));
    (dated && name_goes_on && only_when).then(|| from + words[verb].0)
}

/// Whether the words before a calendar word name which one ("the book club meeting"),
/// beyond whose it is ("my meeting").
fn own_name(before: &str) -> bool {
    before.split_whitespace().any(|w| !matches!(w, "a" | "an" | "the" | "my" | "our" | "this" | "that"))
}

/// Whether the clause tells of a calendar thing at a time and says nothing else of it
/// ("my mom's birthday is on june 12"): news of one to keep, which no reading of it as a
/// question overrules.
pub(in crate::parse) fn placed_event(t: &str, l: &str, now: DateTime<Tz>) -> bool {
    if is_question(l) {
        return false;
    }
    let when = dates(t, now);
    let cut = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    named_noun(l, &cut).is_some_and(|m| placed_at(l, &m, when.as_ref(), now).is_some())
}

/// The calendar thing said as a name ("soccer practice", "the board meeting"): its noun,
/// when the words before it name it. The time may come first ("tomorrow at noon lunch
/// with Jake"): those words are read without the date phrases `cut`.
fn named_noun<'l>(l: &'l str, cut: &[Range<usize>]) -> Option<regex::Match<'l>> {
    EVENT_NOUN.find(l).filter(|m| names_thing(blanked(l, cut).get(..m.start()).unwrap_or("")))
}

/// The new time of a move: "to friday at 10", or a bare hour ("push my 3pm meeting to
/// 4"), which is the next such hour after the item's own time when it says one.
fn new_time(new_part: &str, item: &str, now: DateTime<Tz>) -> Option<Found> {
    // "move the gym to the evening": the part of the day of the item's own day.
    static THE_PART: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^the (?P<part>morning|afternoon|evening|night)\b"));
    let new_part = &*THE_PART.replace(new_part, "this $part");
    // The item says whose hour it is: "move dinner with Sam to 8" is the evening's.
    let sentence = format!("{item} {new_part}");
    // "move tomorrow's lunch with Dana to 1pm": an hour alone goes on the item's own day.
    static DAY_SAID: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:today|tonight|tomorrow|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day|next|week|month|\d+(?:st|nd|rd|th)|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|/",
        )
    });
    let item_at = when::find(item, now).map(|f| f.start);
    let item_day = item_at
        .filter(|at| at.date_naive() != now.date_naive())
        .and_then(|at| when::midnight(now.timezone(), at.date_naive()));
    if let Some(f) = when::find(new_part, now) {
        let on_its_day = item_day.filter(|_| f.grain <= Grain::Hour && !DAY_SAID.is_match(new_part));
        if let Some((day, g)) = on_its_day.and_then(|day| Some((day, when::find(new_part, day)?))) {
            return Some(when::as_meant(g, new_part, &sentence, day));
        }
        return Some(when::as_meant(f, new_part, &sentence, now));
    }
    meant_hour(new_part, item_at.unwrap_or(now), &sentence, now)
}

/// [`bare_hour`] as the sentence around it means it: the evening's 8 beside a dinner.
pub(in crate::parse) fn meant_hour(
    words: &str,
    from: DateTime<Tz>,
    sentence: &str,
    now: DateTime<Tz>,
) -> Option<Found> {
    bare_hour(words, from).map(|f| when::as_meant(f, words, sentence, now))
}

/// "4", "4:30": an hour said bare, the next one after `from`.
pub(super) fn bare_hour(words: &str, from: DateTime<Tz>) -> Option<Found> {
    let words = words.trim();
    let bare = !words.is_empty() && words.len() <= 5 && words.chars().all(|c| c.is_ascii_digit() || c == ':');
    bare.then(|| when::find(&format!("at {words}"), from)).flatten()
}

/// Writes phrased around the calendar rather than led by a verb: "I have to add
/// the farm trip to my calendar", "the staff meeting needs to be added to my calendar".
static ADDED_TO_CAL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:add|put|schedule|enter|pencil in|write down|mark)\s+(?P<title>.+?)\s+(?:to|on|in|into) (?:the |my |our )?calend[ae]r\b|^(?P<title2>.+?)\s+(?:needs|has|have|need) to be (?:added|put|scheduled) (?:to|on|in|into) (?:the |my |our )?calend[ae]r\b|\b(?:add|added|put) (?:to|on|in) (?:the |my )?calend[ae]r\b|^(?:i (?:have|need|must|want|would like|'d like) to |i must |i need |i want )(?:have )?(?:add|put|schedule|book)\b",
    )
});

static I_HAVE_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^i(?: have|'ve got| got) (?:a|an|my) (?P<what>(?:[\w']+ ){0,2}?(?:meeting|appointment|call|event|birthday|party|flight|class|lesson|interview|exam|test|dinner|lunch|breakfast|date|trip|game|concert|wedding|recital|rehearsal|practice|checkup|check-up))\b",
    )
});

static COMMAND_START: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"^(?:add|put|remove|delete|clear|cancel|erase|wipe|get rid of|schedule|book|create)\b")
});

pub(super) static WHOLE_CAL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:all|every|everything|any)(?: of)?(?: my| the)?(?: calendar)?(?: events?| meetings?| appointments?| entries| data| information)?(?: and (?:schedules?|information))?|(?:my |the |this )?(?:entire |whole )?(?:calendar|schedule|day|week|agenda|calendar events?)|(?:an |the |that |this )?(?:event|meeting|appointment)|(?:the )?(?:next|last|past|previous|upcoming) (?:event|meeting|appointment)s?)$",
    )
});

/// "my next meeting", "the upcoming dentist appointment": the item after "next".
static NEXT_EVENT: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^\s*(?:my\s+|the\s+|our\s+)?(?:very\s+)?(?:next|upcoming)\s+(?P<what>\S.*?)\s*$"));

/// Words that name an event without telling which one.
pub(super) static GENERIC_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"^(?:calendar\s+)?(?:event|meeting|appointment|entry|thing)s?(?:\s+on\s+(?:my|the)\s+calendar)?$")
});

static EVENT_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:change|update|move|reschedule|rename|edit|modify|push|bump|postpone|shift|delay|bring forward)(?: back)?\s+(?P<item>.+?)\s+(?:to|until|till|for)\s+(?P<to>.+)$",
    )
});

static EVENT_QUERY_ABOUT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:my|the) (?P<q>(?:meeting|appointment|call|lunch|dinner|event) with [\w ]+?)(?:\s+(?:today|tomorrow|on|at|this|next|scheduled|start|begin)\b|$)|\b(?:event|meeting|appointment) (?:called|titled|named) (?P<q2>[\w' ]+)",
    )
});

fn tidy_event_title(t: &str, r: Range<usize>, cut: &[Range<usize>]) -> Option<String> {
    let raw = t.get(r.clone())?;
    let low = raw.to_ascii_lowercase();
    // Drop "to my calendar" and similar, keeping everything the user said about the item.
    let mut extra: Vec<Range<usize>> = cut.to_vec();
    // A date said as a possessive ("tomorrow's dentist appointment") takes its "'s" along.
    for c in cut {
        let after = t.get(c.end..).unwrap_or_default();
        if let Some(apostrophe) = ["'s", "\u{2019}s"].iter().find(|a| after.starts_with(**a)) {
            extra.push(c.end..c.end + apostrophe.len());
        }
    }
    for m in CAL_TAIL.find_iter(&low) {
        extra.push(r.start + m.start()..r.start + m.end());
    }
    if let Some(c) = LOCATION.captures(&low) {
        if let Some(m) = c.get(0) {
            extra.push(r.start + m.start()..r.start + m.end());
        }
    }
    tidy(t, r, &extra)
}

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&WHOLE_CAL, &EVENT_UPDATE, &EVENT_QUERY_ABOUT, &COMMAND_START, &I_HAVE_EVENT]
}
