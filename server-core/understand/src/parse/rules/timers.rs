//! Timers, alarms and reminders, with the verbs that delete, complete, update and create
//! an item.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use super::events::bare_hour;
use super::lists::LIST_NOUN;
use super::shared::{
    DELETE_WORDS, asks_for_new_item, cap, dates, due_by, due_on, is_question, rfc, rx, tidy,
};
use crate::intent::Intent;
use crate::parse::Plan;
use crate::when;

pub(super) static DELETE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:{DELETE_WORDS}|called off|cleared|deleted|removed|cancelled|canceled|erased|take (?:.+ )?(?:off|out)|turn off|switch off|disable|deactivate|unset|scratch (?:.+ )?off|purge|(?:don'?t|do not) want (?:this|that|my|the))\b",
    ))
});

/// "take the dentist off my calendar", "scratch the gym out": the item said between a
/// verb and its particle, where the match of [`DELETE_VERB`] holds it.
pub(super) fn split_verb_item(l: &str, m: &regex::Match<'_>) -> Option<Range<usize>> {
    let said = m.as_str();
    let verb = ["take ", "scratch "].iter().find(|v| said.starts_with(**v))?;
    let particle = [" off", " out"].iter().find(|p| said.ends_with(**p))?;
    let item = m.start() + verb.len()..m.end() - particle.len();
    l.get(item.clone()).filter(|i| !i.trim().is_empty()).map(|_| item)
}

/// "the meeting with the accountant is cancelled", "friday's golf got called off": a
/// thing called off, told as news, is said before the verb, with at most its day or a
/// new clause after it. The item's words, or `None` when the sentence is not so.
pub(super) fn called_off_before(l: &str, m: &regex::Match<'_>, cut: &[Range<usize>]) -> Option<Range<usize>> {
    static PARTICIPLE: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^(?:cancell?ed|called off|deleted|removed|scrapped)$"));
    static TOLD: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:oh|ugh|so|well|ok|okay|fyi|btw|heads up|apparently|sadly|looks like|just so you know)[,:!]?\s+)*(?P<item>.+?)(?:'s|\s+(?:is|are|was|were|has|have|had|got|gets|'ve|'s))?(?:\s+(?:now|just|been|all|officially|definitely))*\s*$",
        )
    });
    static AFTER: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:[,.!;:-]|(?:so|and|but|too|again|now|unfortunately|sadly|apparently|by the way|because|cos|coz|cause|due to)\b|$)",
        )
    });
    static NOT_ITEM: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:i|we|you|they|he|she|it|that|this|someone|somebody|everything|what|which|who)$")
    });
    if !PARTICIPLE.is_match(m.as_str()) {
        return None;
    }
    // What follows, with its dates taken out, must be nothing, or a new clause.
    let after: String = l
        .get(m.end()..)?
        .char_indices()
        .filter(|(i, _)| !cut.iter().any(|c| c.contains(&(m.end() + i))))
        .map(|(_, ch)| ch)
        .collect();
    if !AFTER.is_match(after.trim_start()) {
        return None;
    }
    let c = TOLD.captures(l.get(..m.start())?)?;
    let item = c.name("item")?;
    (!NOT_ITEM.is_match(item.as_str().trim())).then(|| item.range())
}

/// What an item is marked as when it is done: "mark the stamps as bought".
pub(super) const DONE_WORDS: &str = "done|complete|completed|finished|bought|purchased|paid|picked up";

pub(super) static COMPLETE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:(?:check|cross|tick|mark|strike) (?:.+ )?off|cross out|strike out|mark (?:.+ )?(?:as )?(?:{DONE_WORDS})|\bi (?:just |already )?(?:finished|completed|did|am done with)|is (?:done|finished|complete)|are (?:done|finished|complete)|complete (?:the |my )?(?:task|todo|item))\b"
    ))
});

pub(super) static UPDATE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:change|update|move|reschedule|rename|edit|modify|push|bump|postpone|shift|delay|bring forward|make)\b",
    )
});

pub(super) static CREATE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:add|put|set|setup|create|make|schedule|book|new|include|insert|write|jot|place|enter|log|pencil|mark|start|need|want|get|arrange|organi[sz]e|plan|would like|'d like|save|remember|program|give me)\b",
    )
});

static TIMER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:timer|timers|countdown|count down|counting down)\b"));

pub(super) fn timer(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    if !TIMER.is_match(l) {
        return None;
    }
    if DELETE_VERB.is_match(l) {
        return Some(Plan::new(Intent::DeleteTodo, 0.8).with("title", "Timer"));
    }
    let asks = is_question(l) && !l.starts_with("set") || l.contains("left on") || l.contains("remaining");
    if asks {
        return Some(Plan::new(Intent::QueryTodos, 0.75).with("query", "Timer"));
    }
    // "a 10 minute timer": the length said before the word rings that long from now.
    let due = dates(t, now).map(|(f, _)| f.start).or_else(|| {
        let minutes = crate::parse::shift::amount_minutes(l)?;
        now.checked_add_signed(chrono::Duration::minutes(minutes))
    });
    let mut plan = Plan::new(Intent::CreateTodo, if due.is_some() { 0.9 } else { 0.75 })
        .with("title", "Timer")
        .with("tags", vec![Value::from("timer")]);
    if let Some(at) = due {
        plan = plan.with("due_date", rfc(&at));
    }
    Some(plan)
}

static ALARM: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:alarms?|alarm clock|wake me|wake-up call|wake up call|wakeup call|wake me up|wake up alarm|woken up|waken me|be woken|ring my phone|ring me)\b|^(?:i (?:want|need|have) to |i'd like to |i would like to )?(?:wake up|get up) (?:at|by|tomorrow|in)\b",
    )
});

static ALARM_LABEL: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:label(?:l)?ed|called|named|titled|for|to)\s+(?P<label>(?:[a-z']+\s*){1,5})$"));

pub(super) fn alarm(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // "test the smoke alarms", "the car alarm went off": a thing, not a clock.
    static THING: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:smoke|fire|car|burglar|house|security|co|carbon monoxide) alarms?\b|\balarm (?:system|panel|company)\b",
        )
    });
    if !ALARM.is_match(l) || THING.is_match(l) {
        return None;
    }
    let when = dates(t, now);
    if DELETE_VERB.is_match(l) && !l.starts_with("set") {
        let mut plan = Plan::new(Intent::DeleteTodo, 0.8).with("title", "Alarm");
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_on(f, now));
        }
        return Some(plan);
    }
    if UPDATE_VERB.is_match(l) && when.is_some() && !l.starts_with("make") {
        let mut plan = Plan::new(Intent::UpdateTodo, 0.75).with("title", "Alarm");
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", rfc(&f.start));
        }
        return Some(plan);
    }
    let wake = l.contains("wake") || l.contains("get up");
    let creates = CREATE_VERB.is_match(l)
        || wake
        || l.contains("go off")
        || l.contains("ring")
        || l.contains("turn on")
        || l.contains("activate")
        || l.contains("enable");
    let asks = is_question(l) && !(l.starts_with("wake") || l.starts_with("i want to wake"));
    if asks || !creates && when.is_none() {
        let mut plan = Plan::new(Intent::QueryTodos, 0.75).with("query", "Alarm");
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_on(f, now));
        }
        return Some(plan);
    }
    // An alarm with a label ("set an alarm to work out") keeps the label.
    let mut title = "Alarm".to_string();
    if let Some(c) = ALARM_LABEL.captures(l) {
        if let Some(r) = cap(&c, "label") {
            let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
            if let Some(label) = tidy(t, r, &cut) {
                let lw = label.to_ascii_lowercase();
                if !lw.starts_with("me") && !lw.contains("alarm") && when::find(&label, now).is_none() {
                    title = format!("Alarm: {label}");
                }
            }
        }
    }
    // "an alarm at 6:15 on weekdays": how often it rings.
    let repeats = crate::parse::repeat::find(l, now).map(|r| r.rule);
    let mut plan = Plan::new(Intent::CreateTodo, if when.is_some() { 0.9 } else { 0.7 })
        .with("title", title)
        .with("tags", vec![Value::from("alarm")])
        .with_opt("recurrence_rule", repeats);
    // "set an alarm for 7": a bare hour is the next 7 o'clock, as clocks mean it.
    let at = when.map(|(f, _)| f.start).or_else(|| {
        let h = ALARM_HOUR.captures(l)?.name("h")?;
        bare_hour(h.as_str(), now).map(|f| f.start)
    });
    if let Some(at) = at.map(|at| if wake { morning(at, l, now) } else { at }) {
        plan = plan.with("due_date", rfc(&at));
    }
    Some(plan)
}

/// "wake me up at 6" said at noon: waking is in the morning, so an hour said without
/// "pm" or a part of the day is the next such morning hour, not this evening's.
fn morning(at: DateTime<Tz>, l: &str, now: DateTime<Tz>) -> DateTime<Tz> {
    use chrono::Timelike;
    static LATER: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"(?:\d\s*|\b)p\.?m\b|\b(?:evening|tonight|afternoon|night|noon|midnight)\b|\b(?:1[3-9]|2[0-3])[:.h]\d{2}\b",
        )
    });
    if !(13..24).contains(&at.hour()) || LATER.is_match(l) {
        return at;
    }
    let half = chrono::Duration::hours(12);
    let am = at.checked_sub_signed(half).unwrap_or(at);
    if am > now { am } else { at.checked_add_signed(half).unwrap_or(at) }
}

static ALARM_HOUR: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:for|at)\s+(?P<h>\d{1,2}(?::\d{2})?)(?:\s+(?:o'?clock|sharp))?$"));

static REMIND: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:remind|reminder|reminders|reminded|set a remainder|don'?t let me forget|do not let me forget|don'?t forget|do not forget)\b|^remember (?:to|me to)\b|^remember\b.*\b(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|next|at \w+|on the)\b|^i (?:need|want|would like|'d like) to (?:be|get) (?:notified|alerted) (?:to|that|about)\b",
    )
});

/// A reminder's bare hour: "reminder for 6 to ...", "reminder at 7:30pm to ...".
const REMINDER_AT: &str = r"reminder (?:for|at) (?P<h>\d{1,2}(?:[:.]\d{2})?(?: ?[ap]m)?) to";

static REMIND_HOUR: LazyLock<Regex> = LazyLock::new(|| rx(&format!(r"\b{REMINDER_AT}\b")));

static REMIND_BODY: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:{REMINDER_AT}|(?:don'?t|do not) (?:let me )?forget(?: to| about)?|^remember(?: me)?(?: to)?|(?:be|get|getting|being) (?:reminded|notified|alerted)(?: to| that| about| of)?|remind(?:er)?s?(?: (?:me|us|him|her|them))?(?: (?:to|that|about|of|for|regarding))|set a remainder(?: at [\w ]+?)? to|(?:set|create|make|add|new|give me|open up|put in)(?: up)? (?:a |an |another |the )?(?:new )?reminder(?: for me)?(?: (?:to|that|about|of|for|regarding|called|named|saying))?|reminder(?: (?:to|that|about|of|for|regarding|called|named|saying|,|:)))\s*(?P<body>.+)$",
    ))
});

static REMIND_QUERY_BODY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^remind me (?:of )?(?:what|the things|everything|my (?:list|reminders|tasks|todos))\b|^remind me (?:of |about )?(?:the |today's )?(?:date|time|day)\b|^can you remind me the\b",
    )
});

pub(super) fn reminder(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // "do you remember my name" asks what the assistant knows, not what is kept.
    let of_me = l.contains("you remember") && !l.contains("what");
    let recall = l.contains("remember") && (is_question(l) || l.contains("what")) && !of_me;
    if recall && !l.starts_with("remember") {
        // "what did I want to remember?" reads the reminders.
        return Some(Plan::new(Intent::QueryTodos, 0.7));
    }
    if !REMIND.is_match(l) {
        return None;
    }
    // "set a reminder for 6 to take the bins out": a bare hour said of the reminder.
    let when = dates(t, now).or_else(|| {
        let h = REMIND_HOUR.captures(l)?.name("h")?;
        let f = when::find(&format!("at {}", h.as_str()), now)?;
        Some((f, vec![h.range()]))
    });
    if LIST_NOUN.is_match(l) && (l.contains("list") || l.contains("to do") || l.contains("todo")) {
        // "what's on my reminder list" is about the list.
        return None;
    }
    if REMIND_QUERY_BODY.is_match(l) || is_question(l) && l.contains("remember") && !of_me {
        if l.contains("date") || l.contains("time") || l.contains(" day") {
            return None;
        }
        return Some(Plan::new(Intent::QueryTodos, 0.7));
    }
    let cut = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let title = REMIND_BODY.captures(l).and_then(|c| tidy(t, cap(&c, "body")?, &cut)).or_else(|| {
        // "I need to take out the trash, please remind me"
        let c = REMIND_AFTER.captures(l)?;
        tidy(t, cap(&c, "body")?, &cut)
    });
    if DELETE_VERB.is_match(l) && !l.starts_with("remind") && !asks_for_new_item(l) {
        let target = title.clone().or_else(|| when.as_ref().map(|_| "reminder".to_string()));
        let target = target?;
        return Some(Plan::new(Intent::DeleteTodo, 0.8).with("title", target));
    }
    // "when I get home remind me to defrost the mince": a condition, not a question.
    static ON_CONDITION: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:when|once|as soon as|after|before|if|whenever) (?:i|we|i'm|we're)\b[^?]*?,?\s*remind (?:me|us) to\b",
        )
    });
    let asks = is_question(l)
        && !ON_CONDITION.is_match(l)
        && !l.starts_with("remind")
        && !l.starts_with("set ")
        && !l.starts_with("give me")
        && !l.starts_with("add ");
    if asks {
        let q = REMINDER_ABOUT.captures(l).and_then(|c| cap(&c, "q")).and_then(|r| tidy(t, r, &cut));
        let mut plan = Plan::new(Intent::QueryTodos, 0.8).with_opt("query", q);
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_by(f));
        }
        return Some(plan);
    }
    if UPDATE_VERB.is_match(l) && !l.starts_with("make") {
        // "move the gym reminder to 7:30": the reminder is named before the word.
        static NAMED: LazyLock<Regex> =
            LazyLock::new(|| rx(r"\b(?:the|my|our|that) (?P<name>[\w' -]+?) reminder\b"));
        let named = || NAMED.captures(l).and_then(|c| tidy(t, cap(&c, "name")?, &cut));
        let title = title.or_else(named);
        let mut plan = Plan::new(Intent::UpdateTodo, 0.7).with_opt("title", title);
        if let Some((f, _)) = &when {
            plan = plan.with("due_date", due_on(f, now));
        }
        return Some(plan);
    }
    let title = title.unwrap_or_else(|| "Reminder".to_string());
    let mut plan =
        Plan::new(Intent::CreateTodo, if title == "Reminder" { 0.7 } else { 0.9 }).with("title", title);
    if let Some((f, _)) = &when {
        plan = plan.with("due_date", due_on(f, now));
    }
    Some(with_priority(plan, l))
}

static REMIND_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:i (?:need|have|want|got) to |i've got to |i gotta |i must )?(?P<body>.+?)[\s,]*(?:so |and |please |can you |could you )*remind me(?: about it| of it| to do it| later)?$",
    )
});

static REMINDER_ABOUT: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\breminders? (?:set )?(?:to|for|about|of)\s+(?P<q>.+)$|\bis (?P<q2>.+?) on my\b"));

static PRIORITY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:(?P<u>urgent|asap|urgently)|(?P<h>high[- ]priority|important|top priority)|(?P<lo>low[- ]priority))\b",
    )
});

pub(super) fn with_priority(plan: Plan, l: &str) -> Plan {
    match PRIORITY.captures(l) {
        Some(c) if c.name("u").is_some() => plan.with("priority", "urgent"),
        Some(c) if c.name("h").is_some() => plan.with("priority", "high"),
        Some(c) if c.name("lo").is_some() => plan.with("priority", "low"),
        _ => plan,
    }
}

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![
        &DELETE_VERB,
        &COMPLETE_VERB,
        &UPDATE_VERB,
        &CREATE_VERB,
        &TIMER,
        &ALARM,
        &ALARM_LABEL,
        &REMIND,
        &REMIND_BODY,
        &REMIND_QUERY_BODY,
        &REMINDER_ABOUT,
        &PRIORITY,
        &REMIND_HOUR,
    ]
}
