//! A calendar item named by its time rather than its title: "cancel my 3 o'clock",
//! "drop the 5pm call", "cancel tomorrow's 9am", "move my 2pm to 3", "push the 10:30
//! meeting to 11". People name their day's appointments this way as often as by what
//! they are, and a title read from such words ("the call", "9am") finds nothing or the
//! wrong thing.
//!
//! The plan says when the item starts now: a delete or a question ("what's my 3pm")
//! gives that time as its span
//! (`start_time`), a change gives it as [`AT_TIME`] beside the new time. A title goes
//! along only when the words say what the item is beyond "meeting" or "call" ("my 3pm
//! dentist").

use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use super::Plan;
use super::rules::{self, rfc, rx, tidy};
use crate::intent::Intent;
use crate::when::{self, Found, Grain};

/// The param of a change that says when the item to change starts now.
pub const AT_TIME: &str = "at_time";

/// A clock time said so that it names an item: with am/pm, minutes, "o'clock", or noon;
/// in figures or in words ("my ten thirty", "the eleven o'clock").
const CLOCK: &str = r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|\d{1,2}\s*o'?clock|noon|midday|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:\s+(?:thirty|fifteen|forty[- ]five|o'?clock)(?:\s*(?:am|pm|a\.m\.|p\.m\.))?|\s*(?:am|pm|a\.m\.|p\.m\.)))";

/// Whose item it is: "my", "the", "our", or a day's ("tomorrow's", "friday's").
const OWNER: &str =
    r"(?:my|the|our|(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday)'s)";

/// What may follow the time, naming the item: a few words, no verb of a new request.
const NOUN: &str = r"(?:\s+(?P<noun>[a-z][a-z' -]{0,30}?))??";

/// A day said after the item ("my 9am tomorrow", "the 3pm call on friday").
const DAY: &str = r"(?:\s+(?P<day>today|tonight|tomorrow|(?:on|this|next)\s+[a-z]+))?";

static DELETE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:cancel|delete|remove|drop|scrap|call off|clear|get rid of|bin)\s+(?P<item>{OWNER}\s+{CLOCK}{NOUN}{DAY})$"
    ))
});

static MOVE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:move|push(?: back)?|shift|bump|reschedule|change|put off|postpone)\s+(?P<item>{OWNER}\s+{CLOCK}{NOUN}{DAY})\s+(?:to|till|until|for)\s+(?P<to>.+)$"
    ))
});

static ASK: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(r"^(?:what|who|where)(?:'s| is)\s+(?P<item>{OWNER}\s+{CLOCK}{NOUN}{DAY})$"))
});

/// Words that say an item is on the calendar without saying which.
static GENERIC: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:one|thing|slot|meeting|call|appointment|appt|event|session|booking)s?$"));

/// A delete, a question or a change of an event named by its time, or none.
pub(super) fn event_at_time(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    if let Some(c) = DELETE.captures(l) {
        let (at, title) = item(t, &c, now)?;
        let plan = Plan::new(Intent::DeleteEvent, 0.8).with("start_time", rfc(&at.start));
        return Some(plan.with_opt("title", title));
    }
    // "what's my 3pm": the calendar at that minute.
    if let Some(c) = ASK.captures(l) {
        let (at, _) = item(t, &c, now)?;
        let until = at.start + chrono::Duration::minutes(1);
        return Some(
            Plan::new(Intent::QueryEvents, 0.85)
                .with("start_time", rfc(&at.start))
                .with("end_time", rfc(&until)),
        );
    }
    let c = MOVE.captures(l)?;
    let (at, title) = item(t, &c, now)?;
    let to = c.name("to")?;
    let new = new_time(to.as_str(), &at, l, now)?;
    let plan = Plan::new(Intent::UpdateEvent, 0.8)
        .with(AT_TIME, rfc(&at.start))
        .with("start_time", rules::date_value(&new, &new.start));
    Some(plan.with_opt("title", title))
}

/// When the item starts and what it is called, if the words say more than "meeting".
fn item(t: &str, c: &regex::Captures<'_>, now: DateTime<Tz>) -> Option<(Found, Option<String>)> {
    // "my eight am alarm", "the 6pm reminder": a todo's clock, not an event's.
    static TODO_NOUN: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"\b(?:alarms?|reminders?|timers?|todos?|to-dos?|tasks?|wake[- ]?up(?: call)?)$")
    });
    if c.name("noun").is_some_and(|n| TODO_NOUN.is_match(n.as_str().trim())) {
        return None;
    }
    let said = c.name("item")?;
    let at = when::find(said.as_str(), now).filter(|f| f.grain <= Grain::Minute || f.grain == Grain::Hour)?;
    let title =
        c.name("noun").filter(|n| !GENERIC.is_match(n.as_str().trim())).and_then(|n| tidy(t, n.range(), &[]));
    Some((at, title))
}

/// The new time: "to 3" is the next 3 o'clock after the item's own time, so "move my
/// 2pm to 3" is 15:00 that day and "push my 9pm call to 10" 22:00; a time with a day or
/// a half of the day ("to friday at 10", "to 9am") is that.
fn new_time(to: &str, at: &Found, sentence: &str, now: DateTime<Tz>) -> Option<Found> {
    if let Some(f) = next_on_the_dial(to, at) {
        return Some(f);
    }
    if let Some(f) = when::find(to, at.start) {
        return Some(when::as_meant(f, to, sentence, now));
    }
    rules::meant_hour(to, at.start, sentence, now)
}

/// A bare clock reading ("3", "4:30") read on the twelve-hour dial: the first time it
/// shows after `at`.
fn next_on_the_dial(to: &str, at: &Found) -> Option<Found> {
    let to = to.trim();
    let (h, m) = match to.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        Some(_) => return None,
        // "to eleven": an hour said as a word (not "a", which names no hour).
        None if !matches!(to, "a" | "an") => (to.parse::<u32>().ok().or_else(|| when::small_number(to))?, 0),
        None => return None,
    };
    if !(1..=12).contains(&h) || m > 59 {
        return None;
    }
    let tz = at.start.timezone();
    let day = at.start.date_naive();
    (0..=1)
        .flat_map(|d| [h % 12, h % 12 + 12].map(|hh| (d, hh)))
        .filter_map(|(d, hh)| {
            let date = day.checked_add_days(chrono::Days::new(d))?;
            when::localize(tz, date.and_hms_opt(hh, m, 0)?)
        })
        .find(|t| *t > at.start)
        .map(|start| Found {
            start,
            end: None,
            grain: Grain::Minute,
            span: 0..to.len(),
            zone: None,
            end_zone: None,
            period: None,
        })
}
