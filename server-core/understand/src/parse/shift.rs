//! A move by an amount rather than to a time: "push my haircut back an hour", "move
//! the standup 30 minutes later", "bring the review forward by 15 minutes", "push the
//! report todo back a day". The item and the minutes to move it by (`shift_minutes`,
//! negative for earlier), which the store adds to the item's own time: only it knows
//! when the item was. And a snooze: "snooze the plants reminder until tomorrow" gives
//! the reminder a new due time, as does a deadline changed by name ("set the essay's
//! deadline to next tuesday", "change the due date of the report to monday").

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, Duration};
use chrono_tz::Tz;
use regex::Regex;

use super::Plan;
use super::rules::{date_value, rfc, rx, tidy};
use crate::intent::Intent;
use crate::when::Lang;

/// The param the move is said in: minutes, later when positive.
pub const SHIFT_MINUTES: &str = "shift_minutes";

/// The farthest a move goes either way: a year. More is a slip of the tongue.
pub const MOST_SHIFT_MINUTES: i64 = 366 * 24 * 60;

static AMOUNT: &str = r"(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|half an?|a couple(?: of)?|\d+(?:\.\d+)?)\s*(?P<unit>hours?|hrs?|h|minutes?|mins?|m|days?|weeks?)(?P<half>\s+and a half)?";

static SHIFT: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?P<verb>push|move|shift|bump|slide|nudge|delay|put off|postpone|bring|pull|make|put)\s+(?:(?P<dir0>back|forward|up|out)\s+)?(?P<item>.+?)\s+(?:(?P<dir1>back|forward|later|earlier|out|up|ahead)\s+)?(?:by\s+)?{AMOUNT}(?:\s+(?P<dir2>back|forward|later|earlier|out|ahead|sooner))?$"
    ))
});

static SNOOZE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^snooze\s+(?P<item>.+?)(?:\s+(?:until|till|til|to)\s+(?P<until>.+)|\s+(?:for\s+)?{AMOUNT})?$"
    ))
});

/// Said of a todo: its kind named ("the report todo", "my reminder to ...").
static TODO_KIND: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?:^|\s)(?:todo|to-do|task|reminder|deadline)s?(?:\s|$)|^(?:the |my )?(?:reminder|task|todo) (?:to|about|for)\s",
    )
});

/// The kind word said with the item ("the report todo", "the reminder about the
/// plants"), left out of the title that finds it.
static KIND_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:the|my|our)\s+)?(?:(?:todo|to-do|task|reminder)\s+(?:to|about|for)\s+)?|\s+(?:todo|to-do|task|reminder|event|meeting|appointment)$",
    )
});

/// "make the call with Ana an hour long": a new length, which needs the item's own
/// start to say; not a new event. Left to conversation.
static RESIZE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(r"^(?:make|extend|shorten|cut)\s+.+?\s+(?:to\s+)?{AMOUNT}\s+(?:long|longer|shorter)$"))
});

/// "make the review an hour and a half": a length said without "long".
static MADE_LONG: LazyLock<Regex> =
    LazyLock::new(|| rx(&format!(r"^make\s+(?:the|my|our)\s+(?P<what>.+?)\s+{AMOUNT}(?:\s+instead)?$")));

/// Whether a new length is said: "make the call with Ana an hour long", "make the review
/// an hour and a half"; not "make the bread in 2 hours", a time to do it in.
fn resizes(l: &str) -> bool {
    RESIZE.is_match(l)
        || MADE_LONG.captures(l).and_then(|c| c.name("what")).is_some_and(|w| {
            let last = w.as_str().rsplit(' ').next().unwrap_or("");
            !matches!(last, "in" | "for" | "within" | "after" | "every" | "by")
        })
}

static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:set|change|move|update|push|make|extend)\s+(?:(?:the\s+)?(?:due date|deadline|due time|due day)\s+(?:of|for|on)\s+(?P<item2>.+?)|(?P<item>.+?)(?:'s|\u{2019}s)?\s+(?:due date|deadline|due time|due day))\s+(?:to|for|until|till)\s+(?P<when>.+)$",
    )
});

pub(super) fn shift(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    if let Some(c) = DEADLINE.captures(l) {
        let (_, title) = item(t, l, c.name("item").or_else(|| c.name("item2"))?.range())?;
        let (f, _) = super::slots::dates(t.get(c.name("when")?.range())?, now, Lang::ENGLISH)?;
        return Some(
            Plan::new(Intent::UpdateTodo, 0.85)
                .with("title", title)
                .with("due_date", date_value(&f, &f.start)),
        );
    }
    // A move of what is only pointed at ("push it back an hour", "snooze all my
    // reminders") names no one item to move: conversation, not a guess.
    let pointed = |c: &regex::Captures<'_>| {
        c.name("item").and_then(|m| l.get(m.range())).is_some_and(|i| super::rules::only_pointed(i.trim()))
    };
    let talk = || Some(Plan::new(Intent::GeneralChat, 0.5));
    if resizes(l) {
        return talk();
    }
    if let Some(c) = SHIFT.captures(l) {
        if pointed(&c) {
            return talk();
        }
        let verb = c.name("verb")?.as_str();
        let said = [c.name("dir0"), c.name("dir1"), c.name("dir2")].into_iter().flatten().map(|m| m.as_str());
        let mut later = match verb {
            "push" | "delay" | "put off" | "postpone" | "bump" => Some(true),
            "bring" | "pull" => Some(false),
            _ => None,
        };
        for d in said {
            later = Some(matches!(d, "back" | "later" | "out"));
        }
        // An amount past any sensible move ("back 99999999999999999999 minutes") is a
        // slip or a joke, not an item to keep.
        let Some(amount) = minutes(&c) else { return talk() };
        let minutes = amount * if later? { 1 } else { -1 };
        let (intent, title) = item(t, l, c.name("item")?.range())?;
        return Some(Plan::new(intent, 0.85).with("title", title).with(SHIFT_MINUTES, minutes));
    }
    let c = SNOOZE.captures(l)?;
    if pointed(&c) {
        return talk();
    }
    let (_, title) = item(t, l, c.name("item")?.range())?;
    let plan = Plan::new(Intent::UpdateTodo, 0.85).with("title", title);
    if let Some(r) = c.name("until").map(|m| m.range()) {
        let (f, _) = super::slots::dates(t.get(r)?, now, Lang::ENGLISH)?;
        return Some(plan.with("due_date", date_value(&f, &f.start)));
    }
    // "snooze it for 10 minutes", and a bare snooze: from now, as an alarm's snooze is.
    let mins = if c.name("n").is_some() { minutes(&c)? } else { 10 };
    Some(plan.with("due_date", rfc(&(now + Duration::minutes(mins)))))
}

/// The item moved, as a todo or an event: a todo when its kind says so, else an event
/// (things are moved on the calendar).
fn item(t: &str, l: &str, r: Range<usize>) -> Option<(Intent, String)> {
    let said = l.get(r.clone())?;
    let intent = if TODO_KIND.is_match(said) { Intent::UpdateTodo } else { Intent::UpdateEvent };
    let cut: Vec<Range<usize>> =
        KIND_WORDS.find_iter(said).map(|m| r.start + m.start()..r.start + m.end()).collect();
    Some((intent, tidy(t, r, &cut)?))
}

/// The first amount of time said in `l`, in minutes: "a 10 minute timer", "an hour and
/// a half".
pub(super) fn amount_minutes(l: &str) -> Option<i64> {
    static SAID: LazyLock<Regex> = LazyLock::new(|| rx(&format!(r"\b{AMOUNT}\b")));
    SAID.captures(l).and_then(|c| minutes(&c))
}

/// The minutes an amount of time says: `n` and `unit` (and an optional `half`) as
/// [`AMOUNT`] names them, from a minute up to [`MOST_SHIFT_MINUTES`].
pub(super) fn minutes(c: &regex::Captures<'_>) -> Option<i64> {
    let amount: f64 = match c.name("n")?.as_str() {
        "a" | "an" | "one" => 1.0,
        "two" | "a couple" | "a couple of" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "twelve" => 12.0,
        "half a" | "half an" => 0.5,
        digits => digits.parse().ok()?,
    } + if c.name("half").is_some() { 0.5 } else { 0.0 };
    let per = match c.name("unit")?.as_str().chars().next()? {
        'h' => 60.0,
        'd' => 24.0 * 60.0,
        'w' => 7.0 * 24.0 * 60.0,
        _ => 1.0,
    };
    let mins = (amount * per).round();
    (1.0..=MOST_SHIFT_MINUTES as f64).contains(&mins).then_some(mins as i64)
}
