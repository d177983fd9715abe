//! Where a calendar thing is held, changed: "change the location of the book club to
//! Anna's", "move the staff meeting to the library", "the leaving drinks are at the
//! Crown now, not the Swan". The event is found by its title and given the new place;
//! a new time is a move, read elsewhere.

use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use super::calendar::names_event;
use super::shared::{cap, dates, rx, tidy};
use crate::intent::Intent;
use crate::parse::Plan;

/// The place named outright: "change the location of X to Y", "set the venue for X to
/// Y", "update X's room to Y".
static SET: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:change|update|set|switch|make)\s+(?:the\s+)?(?:location|venue|place|room|address)\s+(?:of|for)\s+(?P<item>.+?)\s+to\s+(?P<place>.+)$|^(?:change|update|set|switch)\s+(?P<item2>.+?)(?:'s|\s+to)?\s+(?:location|venue|room)\s+to\s+(?P<place2>.+)$",
    )
});

/// A move to somewhere ("move the staff meeting to the library"), or news of one ("the
/// drinks are at the Crown now", "the 1:1 has moved to room 4"). A word that it changed
/// ("now", "moved", "instead", "not ...") must be there: "the meeting is in the library"
/// alone may only say where it always is.
static MOVED: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:move|switch|shift)\s+(?P<item>(?:the|my|our)\s+.+?)\s+(?:over\s+)?to\s+(?:at\s+|in\s+)?(?P<place>.+?)(?:\s+instead)?$|^(?P<item2>(?:the|my|our)\s+.+?|[\w'](?:[\w'-]+ ){0,3}?with [\w'-]+(?: [\w'-]+)?)\s+(?:(?:is|are|'s)\s+(?P<now1>now\s+)?(?P<now>(?:in|at)\s+)|(?:has|have|'s)\s+(?:been\s+)?moved\s+(?:to|into)\s+)(?P<place2>.+?)(?P<now2>\s+now)?(?P<said>\s+instead|,?\s+(?:not|instead of|rather than)\s+.+)?$",
    )
});

/// A place, not a list or the calendar itself ("move the gym to my calendar").
static NOT_A_PLACE: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:calendar|calender|diary|schedule|agenda|list|todos?|reminders?|notes?)\b"));

pub(super) fn venue(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let (item, place) = if let Some(c) = SET.captures(l) {
        (cap(&c, "item").or_else(|| cap(&c, "item2"))?, cap(&c, "place").or_else(|| cap(&c, "place2"))?)
    } else {
        let c = MOVED.captures(l)?;
        // "the party is at Sam's" with nothing saying it changed is no change.
        let changed = c.name("item").is_some()
            || c.name("now1").is_some()
            || c.name("now2").is_some()
            || c.name("said").is_some()
            || c.name("now").is_none();
        if !changed {
            return None;
        }
        let item = cap(&c, "item").or_else(|| cap(&c, "item2"))?;
        // Only a calendar thing is held somewhere.
        if !names_event(&l[item.clone()]) {
            return None;
        }
        (item, cap(&c, "place").or_else(|| cap(&c, "place2"))?)
    };
    let said = &l[place.clone()];
    // A new time is a move, read with the word before it ("is now at half 3" is a time
    // only with its "at"); a list or the calendar is no place to be held.
    let before = l[..place.start].trim_end();
    let with_prep = before.rfind(' ').map_or(0, |i| i + 1);
    static CLOCK: LazyLock<Regex> = LazyLock::new(|| rx(r"^\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?\b"));
    if dates(&t[with_prep..place.end], now).is_some() || CLOCK.is_match(said) || NOT_A_PLACE.is_match(said) {
        return None;
    }
    // "set the location to ..." names no event.
    if matches!(l[item.clone()].trim(), "the" | "my" | "its" | "it" | "this" | "that" | "our") {
        return None;
    }
    let title = tidy(t, item, &[])?;
    let location = tidy(t, place, &[])?;
    Some(Plan::new(Intent::UpdateEvent, 0.8).with("title", title).with("location", location))
}

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&SET, &MOVED, &NOT_A_PLACE]
}
