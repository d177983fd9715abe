//! Moves by an amount and snoozes: the item and how far, for the store to add to the
//! item's own time. Phrasings written for these tests.

use super::{p, param};
use crate::intent::Intent;

fn minutes(r: &crate::parse::Parsed) -> i64 {
    r.params.get("shift_minutes").and_then(serde_json::Value::as_i64).unwrap_or_default()
}

#[test]
fn a_move_by_an_amount_names_the_item_and_how_far() {
    let r = p("push the piano lesson back 45 minutes");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "piano lesson");
    assert_eq!(minutes(&r), 45);
    let r = p("bring my call with Jo forward by half an hour");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "call with Jo");
    assert_eq!(minutes(&r), -30);
    let r = p("move the tax return task 2 days later");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "tax return");
    assert_eq!(minutes(&r), 2 * 24 * 60);
    let r = p("delay the school run by 10 mins");
    assert_eq!(minutes(&r), 10);
    let r = p("push the check-up back an hour and a half");
    assert_eq!(minutes(&r), 90);
}

#[test]
fn a_move_with_no_direction_or_no_item_is_not_guessed() {
    // "move X an hour" says neither later nor earlier; "it" names nothing to look up.
    for said in [
        "move the piano lesson an hour",
        "push it back an hour",
        "make the standup 15 minutes long",
        "push all my appointments back an hour",
        "snooze all my reminders for 10 minutes",
    ] {
        let r = p(said);
        assert!(!r.params.contains_key("shift_minutes"), "{said}: {:?}", r.params);
        assert!(!matches!(r.intent, Intent::CreateEvent | Intent::CreateTodo), "{said}: {:?}", r.intent);
    }
}

#[test]
fn a_snooze_gives_the_reminder_a_new_due_time() {
    let r = p("snooze the bins reminder until tonight");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "bins");
    assert!(param(&r, "due_date").starts_with("2026-03-10T"), "{:?}", r.params);
    let r = p("snooze the stretching reminder for 15 minutes");
    assert_eq!(param(&r, "due_date"), "2026-03-10T09:15:00-07:00");
}

#[test]
fn a_day_said_for_a_move_is_a_day_so_the_event_keeps_its_hour() {
    let r = p("reschedule the eye test appointment to thursday");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-12");
}

#[test]
fn a_deadline_changed_by_name_is_the_todos_new_due_date() {
    let r = p("set the essay's deadline to next tuesday");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "essay");
    assert_eq!(param(&r, "due_date"), "2026-03-17");
    let r = p("move the deadline for the grant report to april 2");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "grant report");
    assert_eq!(param(&r, "due_date"), "2026-04-02");
}

#[test]
fn a_bare_hour_to_move_to_is_the_one_the_item_means() {
    let r = p("move supper with the Okafors to 8");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-10T20:00:00-07:00");
}
