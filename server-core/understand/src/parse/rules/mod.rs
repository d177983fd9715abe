//! The hand-written rules: high-precision overrides for what the classifier has no
//! labels for (host tools, searches, memos, delegation), and the organiser rules that
//! extract params once the classifier has decided what is asked.
//!
//! The files follow the sections of the rules: `shared` helpers; `host` tools; `search`
//! and the briefing; `memos`; `timers`, alarms and reminders; `lists` and todos; the
//! `calendar` words and its `events`; explicit `edits` of one item; and `plain` requests
//! without a domain word.

mod calendar;
mod edits;
mod events;
mod host;
mod lists;
mod memos;
mod plain;
mod search;
mod shared;
mod timers;
mod venue;

pub(super) use calendar::{OUTINGS, VISITS, booked_elsewhere, names_event, names_in, says_when};
pub(super) use edits::renames_other;
pub(super) use events::{meant_hour, placed_event};
pub(super) use host::{is_shell_command, opened_to_read};
pub(super) use memos::pointed_note;
pub(super) use search::delegate;
pub(super) use shared::{
    DELETE_WORDS, NAMED_DAY, asks_for_new_item, blanked, date_value, dates, due_by, due_on, is_question,
    only_pointed, rfc, rx, still_ahead, tidy, with_span,
};

use chrono::DateTime;
use chrono_tz::Tz;

use super::Plan;
use calendar::{mark_day, notification};
use edits::{due_told, todo_add, todo_edit};
use events::event;
use host::host_tool;
use lists::{list, ran_out};
use memos::memo;
use plain::{agenda_question, nudge};
use search::{briefing, kept_asked, local_search, web_search};
use timers::{alarm, reminder, timer};

/// What no classifier label covers, each rule precise enough to win outright: host
/// tools, searches, the briefing's own phrasings, memos, and calendar items named by
/// their time ("cancel my 3 o'clock").
pub(super) fn overrides(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    super::folders::folder_tool(t, l)
        .or_else(|| host_tool(t, l))
        .or_else(|| web_search(t, l))
        .or_else(|| local_search(t, l))
        .or_else(|| briefing(l))
        .or_else(|| memo(t, l))
        .or_else(|| super::at_time::event_at_time(t, l, now))
        .or_else(|| due_told(t, l, now))
}

/// The organiser rules: once the classifier has said what is asked, the params they
/// find (a timer's length, "my next meeting", a list item, a range to look at).
/// `asked`: the clause was said with a question mark (which `t` and `l` no longer have).
pub(super) fn organiser(t: &str, l: &str, now: DateTime<Tz>, asked: bool) -> Option<Plan> {
    super::shift::shift(t, l, now)
        .or_else(|| todo_edit(t, l))
        .or_else(|| todo_add(t, l, now))
        .or_else(|| timer(t, l, now))
        .or_else(|| alarm(t, l, now))
        .or_else(|| reminder(t, l, now))
        .or_else(|| list(t, l, now))
        .or_else(|| ran_out(t, l))
        .or_else(|| notification(t, l, now))
        .or_else(|| mark_day(t, l, now))
        .or_else(|| super::block::block_time(t, l, now))
        .or_else(|| venue::venue(t, l, now))
        .or_else(|| event(t, l, now, asked))
        .or_else(|| super::block::ranged(t, l, now, asked))
        .or_else(|| nudge(t, l, now))
        .or_else(|| kept_asked(t, l))
        .or_else(|| agenda_question(l, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::never;

    #[test]
    fn constant_regexes_compile() {
        for re in [
            shared::patterns(),
            host::patterns(),
            search::patterns(),
            memos::patterns(),
            timers::patterns(),
            lists::patterns(),
            calendar::patterns(),
            events::patterns(),
            edits::patterns(),
            plain::patterns(),
            venue::patterns(),
        ]
        .concat()
        {
            assert_ne!(re.as_str(), never().as_str());
        }
    }
}
