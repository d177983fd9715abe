//! Requests without a domain word: nudges, what is on one's agenda, and when one's things are.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use super::calendar::EVENT_NOUN;
use super::events::{GENERIC_EVENT, WHOLE_CAL};
use super::shared::{cap, dates, due_by, due_on, rx, tidy, with_span};
use crate::intent::Intent;
use crate::parse::Plan;
use crate::when;

static NUDGE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:alert|notify|ping|buzz|nudge|warn) me\b(?:.*?\b(?:to|that|about)\s+(?P<body>.+)|.*)|(?:tell me to|let me know to)\s+(?P<body2>.+)|let me know (?:in|at|after)\b.*)$",
    )
});

/// "alert me in 20 minutes", "let me know in 15 minutes", "tell me to take out
/// the trash in an hour": a reminder when a future time is given.
pub(super) fn nudge(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // Every nudge says "me"; the dates are read only for a clause that does.
    if !l.split_whitespace().any(|w| w == "me") {
        return None;
    }
    let (f, cut) = dates(t, now)?;
    if f.start <= now {
        return None;
    }
    // "in 20 minutes tell me to check the oven": the time said first.
    let from = cut
        .iter()
        .find(|r| l.get(..r.start).is_some_and(|head| head.trim().is_empty()))
        .map_or(0, |r| l.len() - l.get(r.end..).unwrap_or("").trim_start_matches([' ', ',']).len());
    let c = NUDGE.captures(l.get(from..)?)?;
    let title = cap(&c, "body")
        .or_else(|| cap(&c, "body2"))
        .map(|r| r.start + from..r.end + from)
        .and_then(|r| tidy(t, r, &cut))
        .unwrap_or_else(|| "Reminder".to_string());
    Some(Plan::new(Intent::CreateTodo, 0.75).with("title", title).with("due_date", due_on(&f, now)))
}

static SHOPPING_Q: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:do|what do|what did|what else do|is there anything) (?:i|we) need\b.*\b(?:buy|get|pick up|stores?|shops?|shopping|grocer\w*|(?:super)?markets?)\b|^(?:what|which) (?:groceries|shopping) (?:do|did|should|must) (?:i|we) (?:need|get|buy|pick up)\b",
    )
});

/// "what are my current alerts", "show me my notifications": the reminders.
static MY_ALERTS_Q: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:what|what's|whats|which|show|list|read|tell me|do i have)\b.*\b(?:my|any) (?:[\w']+ )?(?:alerts|notifications)$",
    )
});

static AGENDA: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:what|what's|whats|do|does|is|are|am|have|anything|any|tell me|show me)\b.*?\b(?:(?:do|have) i (?:got |have )?(?:going on|planned|scheduled|on|booked|to do|lined up|coming up)|i have (?:going on|planned|scheduled|on|booked|to do|lined up|coming up)|(?:happening|going on|coming up|planned|scheduled)\b.*\b(?:today|tonight|tomorrow|week|weekend|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|am i (?:free|busy|available|doing|supposed)|i (?:have|got) (?:anything|something|plans|a date|to meet|to be|(?:any|some)where to be|any ?place to be)|(?:my|the) (?:day|morning|afternoon|evening|week|weekend) look|(?:happening|going on|planned|in the books) (?:on|for|this|next|tomorrow|today))\b|^(?:am i (?:free|busy|available)|what's happening|what is happening|what's on|what is on) |^how (?:busy|packed|full|booked(?: up)?|hectic|slammed|swamped|free)\b.*\b(?:am i|is my|are my|'s my|will i be|i am)\b",
    )
});

/// "When is my flight", "what time is the school play": a thing of the user's asked
/// after by name.
static WHEN_MINE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:when|what time)(?:'s| is| are| does| do)\s+(?:(?:my|our)\s+(?P<q>[\w' -]+?)|(?P<q2>[a-z]+'s\s+[\w' -]+?)|the\s+(?P<q3>[\w' -]+?))(?:\s+(?:start|starts|begin|begins|end|ends|finish|finishes))?$",
    )
});

/// "when is my flight", "what time is Sam's party": the user's own thing asked after,
/// its name without the date phrases `cut`. ("when is easter" is no thing of theirs;
/// "when is my next free afternoon" asks for a gap, not a thing.)
pub(super) fn asked_when(t: &str, l: &str, cut: &[Range<usize>]) -> Option<String> {
    let gap =
        ["free", "busy", "available", "spare", "open"].iter().any(|w| l.split_whitespace().any(|x| x == *w));
    let c = WHEN_MINE.captures(l).filter(|_| !gap)?;
    // "when's the dentist": a thing said with "the" is the user's when it is a calendar
    // thing ("when is the world cup" is not).
    let the = c.name("q3").filter(|q| EVENT_NOUN.is_match(q.as_str()));
    let q = c.name("q").or_else(|| c.name("q2")).or(the)?;
    let q = tidy(t, q.range(), cut)?;
    // What is said of the thing after its name ("the party scheduled", "the hockey game
    // start", "the meeting I have with John") is no word of its title.
    static SAID_OF: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\s+(?:(?:is|are)\s+)?(?:due|scheduled|planned|booked|set|happening|start|starts|starting|begin|begins|end|ends|finish|finishes)\b.*$",
        )
    });
    static MINE: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\s+(?:that\s+)?(?:i|we)\s+(?:have|'ve got|got|had)\b"));
    let q = match MINE.find(&q.to_ascii_lowercase()) {
        Some(m) => format!("{}{}", q.get(..m.start())?, q.get(m.end()..)?),
        None => q,
    };
    let low = q.to_ascii_lowercase();
    let from = ["next ", "upcoming "].iter().find(|w| low.starts_with(**w)).map_or(0, |w| w.len());
    let to = SAID_OF.find(&low).map_or(low.len(), |m| m.start()).max(from);
    let thing = low.get(from..to)?;
    // "my next meeting" names no one thing to look for.
    if GENERIC_EVENT.is_match(thing) || WHOLE_CAL.is_match(thing) {
        return None;
    }
    q.get(from..to).map(str::to_string)
}

/// "what haven't I done yet", "anything overdue", "what am I behind on", "open tasks":
/// a question of what is still to do asks of the todos, however it names them.
fn todos_left(l: &str) -> bool {
    static ASKED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what|what's|whats|what is|what are|which|show|list|any|anything|is there|are there|have i|do i have|did i|tell me|give me|remind me)\b",
        )
    });
    // Not done, said of the user, or a word for what is still open.
    static LEFT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:(?:haven'?t i|have i not|didn'?t i|did i not|i haven'?t|i have not|i didn'?t|i did not)\s+(?:yet\s+)?(?:done|do|finish|finished|complete|completed|got (?:round|around) to|get (?:round|around) to|gotten (?:round|around) to|ticked off|checked off|started|sorted)|outstanding|pending|overdue|unfinished|incomplete|undone|not (?:yet )?(?:done|finished|complete|completed)|still (?:open|to do|to be done|pending)|left to do|(?:am i|i'm) behind (?:on|with)|(?:have i|did i) (?:missed|miss) (?:any |a )?(?:deadlines?|due dates?)|(?:should|do|shall) i (?:work on|do|tackle|start on|focus on) (?:next|first)|(?:have i|did i|i've) (?:finished|finish|done|do|completed|complete|ticked off|got through|get through) (?:everything|it all|all (?:of )?(?:my|the) (?:tasks|todos|to-?dos|jobs|errands|chores|stuff)|my (?:tasks|todos|to-?dos|list|jobs|errands|chores)))\b",
        )
    });
    // "open tasks", "my overdue items please": the todos named by what they still are.
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:show (?:me )?)?(?:my |all |all my |the |any )?(?:open|overdue|pending|outstanding|unfinished|incomplete|late|undone)\s+(?:tasks|todos|to-?dos|items|jobs|things|stuff|errands|chores)(?:\s+please)?$",
        )
    });
    NAMED.is_match(l) || ASKED.is_match(l) && LEFT.is_match(l)
}

/// "What do I have going on next week?", "am I free on Friday?": reading the agenda.
pub(super) fn agenda_question(l: &str, now: DateTime<Tz>) -> Option<Plan> {
    if MY_ALERTS_Q.is_match(l) {
        return Some(Plan::new(Intent::QueryTodos, 0.7));
    }
    // "what do I need to get done": the errands, not the shopping.
    static GET_DONE: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\bget (?:done|finished|sorted|through|on with)\b"));
    if SHOPPING_Q.is_match(l) && !GET_DONE.is_match(l) {
        return Some(Plan::new(Intent::QueryTodos, 0.7).with("tags", vec![Value::from("shopping")]));
    }
    // "is there anything due today", "do I have anything due friday": what is due is
    // on the todo list.
    static DUE_Q: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:is there|are there|do i have|have i got|anything|something|what's|what is|whats)\b(?:\s+\w+){0,3}?\s+due\b",
        )
    });
    // "show me my low priority chores", "which errands are left", "any jobs due today": a
    // question that names the todos asks of them. Jobs are the todos only as they are
    // asked after ("what jobs are going in Leeds" is not).
    static TODOS_Q: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:show|list|what|what's|whats|what are|which|give me|tell me|read|display|any|how many)\b(?:\s+[\w']+){0,5}?\s+(?:tasks|todos|to-?dos|chores|errands|jobs (?:due|left|to do|outstanding|pending|(?:have|has) (?:i|we) got|do (?:i|we) have|for (?:today|tonight|tomorrow|the weekend|this week)))\b",
        )
    });
    // "anything urgent?", "what's important today", "any high priority stuff I'm
    // forgetting": the todos asked of by their priority.
    static PRESSING_Q: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what's|what is|whats|what|anything|any|is there anything|is anything|are there any|do i have anything|have i got anything|show me|show)(?: else)?(?: really| very| super)? (?:urgent|important|pressing|critical|high[- ]priority|top[- ]priority)(?: (?:stuff|things?|tasks?|items?|jobs?|todos?|to-?dos?))?(?: (?:for |on )?(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week|weekend)|next week))?(?: (?:that )?(?:i'm|i am|i've been) (?:forgetting|missing|overlooking)| (?:left|pending|open|due|coming up|on my (?:list|plate)))?$",
        )
    });
    // "what was I meant to get from the chemist", "what am I supposed to pick up": the
    // errands the user set themselves.
    static MEANT_TO_Q: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^what (?:was|were|am|are|is) (?:i|we) (?:meant|supposed|asked) to (?:get|buy|pick up|grab|collect|bring|do)\b",
        )
    });
    if DUE_Q.is_match(l)
        || TODOS_Q.is_match(l)
        || todos_left(l)
        || PRESSING_Q.is_match(l)
        || MEANT_TO_Q.is_match(l)
    {
        let when = when::find(l, now);
        return Some(crate::parse::build::todos_due(
            Plan::new(Intent::QueryTodos, 0.75),
            when.as_ref(),
            l,
            now,
        ));
    }
    // The dates are read only for a question of that form.
    if WHEN_MINE.is_match(l) {
        let found = dates(l, now);
        let cut: Vec<Range<usize>> = found.as_ref().map(|w| w.1.clone()).unwrap_or_default();
        if let Some(q) = asked_when(l, l, &cut) {
            let plan = Plan::new(Intent::QueryEvents, 0.75).with("query", q);
            return Some(match &found {
                Some((f, _)) => with_span(plan, f, now),
                None => plan,
            });
        }
    }
    // "what's the plan for tomorrow", "any clashes on wednesday": the plans of a day.
    static PLANS: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what's|what is|whats|what are|what're) (?:the|my|our) plans? (?:for|on|this|next|tomorrow|today|tonight)\b|^(?:any|are there any|do i have any|have i got any|is there a) (?:clash|clashes|conflicts?|double[ -]?bookings?|overlaps?)\b",
        )
    });
    // "is the plumber coming tomorrow", "are the Smiths visiting on sunday": whether a
    // thing is on a day is a look at that day.
    static ON_A_DAY: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:is|are) (?:the |my |our )?[\w' -]+? (?:coming|coming over|coming round|visiting|arriving|booked|happening|still on)\b",
        )
    });
    // "is the new series coming out on friday" is no visit.
    let visit = ON_A_DAY.find(l).is_some_and(|m| !l[m.end()..].trim_start().starts_with("out"));
    if visit {
        if let Some(f) = when::find(l, now) {
            return Some(with_span(Plan::new(Intent::QueryEvents, 0.7), &f, now));
        }
    }
    if PLANS.is_match(l) && !AGENDA.is_match(l) {
        // A day's plans are its briefing; another day's, that day's calendar (which the
        // parser makes of any briefing asked of another day).
        if l.contains("plan") {
            return Some(Plan::new(Intent::DailyBriefing, 0.7));
        }
        let plan = Plan::new(Intent::QueryEvents, 0.7);
        return Some(match when::find(l, now) {
            Some(f) => with_span(plan, &f, now),
            None => plan,
        });
    }
    if !AGENDA.is_match(l) {
        return None;
    }
    // "what do I have to get done by friday": the errands.
    let to_do = ["to do", "get done", "to finish", "get finished", "to sort"].iter().any(|w| l.contains(w));
    let mut plan = Plan::new(if to_do { Intent::QueryTodos } else { Intent::QueryEvents }, 0.7);
    if let Some(f) = when::find(l, now) {
        if to_do {
            plan = plan.with("due_date", due_by(&f));
        } else {
            plan = with_span(plan, &f, now);
        }
    }
    Some(plan)
}

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&NUDGE, &AGENDA, &MY_ALERTS_Q]
}
