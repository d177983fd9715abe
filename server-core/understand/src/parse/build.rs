//! Making a plan once its intent is chosen: the parameters from the slots and from what
//! remains of the clause once they are cut.

use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use super::rules::{date_value, due_by, due_on, rfc, rx, tidy, with_span};
use super::slots::{self, Slots};
use super::{Plan, frames};
use crate::intent::Intent;
use crate::when::{Found, Lang};

/// A rule's query, asked of what the words name: "my high priority tasks" are todos
/// (with that priority), "my appointments for the 20th" events.
pub(super) fn query(plan: Plan, t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Plan {
    static TODOS: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\b(?:tasks?|todos?|to-?dos?|to do list|reminders?|chores?|errands?)\b"));
    static EVENTS: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\b(?:events?|meetings?|appointments?|appts?|calendar|schedule|agenda)\b"));
    let slots = slots::find(t, l, now, lang);
    let named = match (TODOS.is_match(l), EVENTS.is_match(l)) {
        (true, false) => Intent::QueryTodos,
        (false, true) => Intent::QueryEvents,
        _ => plan.intent,
    };
    if named == plan.intent {
        return add_slots(plan, &slots);
    }
    let rest = slots::remainder(t, &slots.cut);
    let confidence = plan.confidence;
    build(named, &slots, &rest, now).map_or(plan, |p| Plan { confidence, ..p })
}

/// A todo question's due date: by the end of the period it names ("what's due this
/// week"), or now for what is overdue.
pub(super) fn todos_due(plan: Plan, when: Option<&Found>, said: &str, now: DateTime<Tz>) -> Plan {
    match when {
        Some(f) => plan.with("due_date", due_by(f)),
        None if said.to_ascii_lowercase().contains("overdue") => plan.with("due_date", rfc(&now)),
        None => plan,
    }
}

/// A rule's plan with what the slots say better: a todo's title made of what remains
/// once the slots are cut (no "Reminder", no date, priority or list words), the
/// priority, and the list as a tag. A rule keeps its title where nothing remains ("set a
/// timer for 10 minutes" stays "Timer").
pub(super) fn repair(mut plan: Plan, slots: &Slots, rest: &str) -> Plan {
    if matches!(plan.intent, Intent::CreateTodo | Intent::CompleteTodo | Intent::DeleteTodo) {
        if let Some(title) = frames::Frame::of(plan.intent).and_then(|f| frames::title(rest, f)) {
            plan.params.insert("title".into(), Value::String(title));
        }
    }
    add_slots(plan, slots)
}

/// The plan with `said` taken out of its title: "team standup every weekday" is the
/// event "team standup", repeating; "every monday morning review the budget" the event
/// "review the budget".
pub(super) fn without(mut plan: Plan, said: &[&str]) -> Plan {
    // What a repetition leaves once the date reader took a weekday of it: "yoga every",
    // "swim class and thursdays".
    static LEFT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"(?:\s+(?:every|each|on)(?:\s+other)?|(?:\s*(?:,|and|&))?\s+(?:mon|tues|wednes|thurs|fri|satur|sun)days?)+$",
        )
    });
    let Some(title) = plan.params.get("title").and_then(Value::as_str) else { return plan };
    let low = title.to_ascii_lowercase();
    let mut cut: Vec<std::ops::Range<usize>> = said
        .iter()
        .filter(|s| !s.trim().is_empty())
        .filter_map(|s| low.find(&s.trim().to_ascii_lowercase()).map(|at| at..at + s.trim().len()))
        .collect();
    cut.sort_by_key(|r| r.start);
    // The same said first: "every review the budget" once "monday morning" went.
    static LEFT_FIRST: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:every|each)(?:\s+other)?\s+"));
    if let Some(mut kept) = tidy(title, 0..title.len(), &cut) {
        if let Some(m) = LEFT.find(&kept.to_ascii_lowercase()) {
            kept.truncate(m.start());
        }
        if let Some(m) = LEFT_FIRST.find(&kept.to_ascii_lowercase()) {
            kept.replace_range(..m.end(), "");
        }
        plan.params.insert("title".into(), Value::String(kept));
    }
    plan
}

/// Priority and list from the slots, where the plan writes a todo.
pub(super) fn add_slots(mut plan: Plan, slots: &Slots) -> Plan {
    if plan.intent == Intent::CreateTodo || plan.intent == Intent::QueryTodos {
        if let Some(p) = slots.priority {
            plan.params.entry("priority").or_insert_with(|| Value::String(p.into()));
        }
    }
    if let Some(r) =
        slots.repeat.as_ref().filter(|_| matches!(plan.intent, Intent::CreateTodo | Intent::CreateEvent))
    {
        plan.params.insert("recurrence_rule".into(), Value::String(r.rule.clone()));
        // A todo that repeats needs its first time.
        if plan.intent == Intent::CreateTodo {
            plan.params.entry("due_date").or_insert_with(|| Value::String(r.first.to_string()));
        }
    }
    if plan.intent == Intent::CreateTodo {
        if let Some(list) = slots.list.as_deref().filter(|l| !l.is_empty()) {
            plan.params
                .entry("tags")
                .or_insert_with(|| Value::Array(vec![Value::String(list.to_lowercase())]));
        }
    }
    plan
}

/// The plan for `intent` from the slots and what remains.
pub(super) fn build(intent: Intent, slots: &Slots, rest: &str, now: DateTime<Tz>) -> Option<Plan> {
    let when = slots.when.as_ref().map(|(f, _)| f);
    let title = || frames::Frame::of(intent).and_then(|f| frames::title(rest, f));
    let plan = Plan::new(intent, 0.8);
    let plan = match intent {
        Intent::CreateTodo => {
            let plan = plan.with("title", title()?);
            match when {
                Some(f) => plan.with("due_date", due_on(f, now)),
                None => plan,
            }
        }
        Intent::CreateEvent => match when {
            Some(f) => {
                let plan = plan.with("title", title()?).with("start_time", date_value(f, &f.start));
                match f.end {
                    Some(e) => plan.with("end_time", rfc(&e)),
                    None => plan,
                }
            }
            // An event with no time is a todo to arrange it.
            None => Plan::new(Intent::CreateTodo, 0.7).with("title", title()?),
        },
        Intent::CompleteTodo | Intent::DeleteTodo => plan.with("title", title()?),
        Intent::DeleteEvent => {
            let plan = plan.with_opt("title", title());
            let plan = match when {
                Some(f) => with_span(plan, f, now),
                None => plan,
            };
            if plan.params.is_empty() {
                return None;
            }
            plan
        }
        Intent::UpdateTodo | Intent::UpdateEvent => update(intent, rest, when, slots.priority, now)?,
        Intent::QueryTodos => todos_due(plan, when, rest, now),
        Intent::QueryEvents => match when {
            Some(f) => with_span(plan, f, now),
            None => plan,
        },
        Intent::CreateMemo => plan.with("content", tidy(rest, 0..rest.len(), &[])?),
        _ => plan,
    };
    Some(add_slots(plan, slots))
}

/// "rename X to Y", "move X to friday", "push X back an hour", "make X high priority".
fn update(
    intent: Intent,
    rest: &str,
    when: Option<&Found>,
    priority: Option<&str>,
    now: DateTime<Tz>,
) -> Option<Plan> {
    let field = if intent == Intent::UpdateEvent { "start_time" } else { "due_date" };
    let (title, new_title) = frames::change(rest)?;
    // "bump my 2pm call to 3": the time said names the item, the bare hour after "to"
    // is where it goes.
    let moved = MOVED_TO.captures(&title).and_then(|c| {
        let from = when.map_or(now, |f| f.start);
        let to = super::rules::meant_hour(c.name("hour")?.as_str(), from, rest, now)?;
        Some((c.name("item")?.as_str().to_string(), to))
    });
    let (title, when) = match &moved {
        Some((item, to)) => (item.clone(), Some(to)),
        None => (title, when),
    };
    // "move my 10am to 11" names its item by the time alone: no title to look it up by.
    if matches!(title.to_ascii_lowercase().as_str(), "my" | "the" | "it" | "that" | "this" | "our") {
        return None;
    }
    let priority = priority.filter(|_| intent == Intent::UpdateTodo).map(str::to_string);
    let plan = Plan::new(intent, 0.75)
        .with("title", title)
        .with_opt("new_title", new_title)
        .with_opt("priority", priority);
    let plan = match when {
        Some(f) => plan.with(field, date_value(f, &f.start)),
        None => plan,
    };
    (plan.params.len() > 1).then_some(plan)
}

static MOVED_TO: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?P<item>.+?)\s+to\s+(?P<hour>\d{1,2}(?::\d{2})?)$"));
