//! Calendar items named by their time ("cancel my 3 o'clock", "move my 2pm to 3"),
//! lengths and amounts that are no move, and deadlines said as the end of the day.
//! Phrasings written for these tests.

use super::{p, param};
use crate::intent::Intent;

#[test]
fn an_item_named_by_its_time_is_deleted_by_that_time() {
    let r = p("call off my 4:30 tomorrow");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-11T16:30:00-07:00");
    assert!(!r.params.contains_key("title"), "{:?}", r.params);
    let r = p("scrap the 11am meeting");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-10T11:00:00-07:00");
    assert!(!r.params.contains_key("title"), "'meeting' tells no item from another: {:?}", r.params);
    // What the item is, said after its time, goes along to tell it apart.
    let r = p("remove my 1pm physio");
    assert_eq!((r.intent, param(&r, "title")), (Intent::DeleteEvent, "physio"));
    assert_eq!(param(&r, "start_time"), "2026-03-10T13:00:00-07:00");
}

#[test]
fn an_item_named_by_its_time_moves_to_the_next_such_hour_on_the_dial() {
    let r = p("bump my 10 o'clock to 11");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "at_time"), "2026-03-10T10:00:00-07:00");
    assert_eq!(param(&r, "start_time"), "2026-03-10T11:00:00-07:00");
    // The evening's item moves within the evening, not to the next morning.
    let r = p("push the 8pm call to 9");
    assert_eq!(param(&r, "at_time"), "2026-03-10T20:00:00-07:00");
    assert_eq!(param(&r, "start_time"), "2026-03-10T21:00:00-07:00");
    let r = p("shift friday's 9am to 10:30");
    assert_eq!(param(&r, "at_time"), "2026-03-13T09:00:00-07:00");
    assert_eq!(param(&r, "start_time"), "2026-03-13T10:30:00-07:00");
    let r = p("move my 2pm to thursday at 4pm");
    assert_eq!(param(&r, "start_time"), "2026-03-12T16:00:00-07:00");
}

#[test]
fn a_time_that_names_no_item_is_not_read_as_one() {
    for said in ["cancel the 3", "what's on at 3pm", "add my 3pm meeting with Leo", "cancel 3pm"] {
        let r = p(said);
        assert!(!r.params.contains_key("at_time"), "{said}: {:?}", r.params);
        assert!(
            !(r.intent == Intent::DeleteEvent && r.params.len() == 1 && r.params.contains_key("start_time")),
            "{said}: {:?}",
            r.params
        );
    }
}

#[test]
fn a_new_length_or_a_wild_amount_is_conversation_not_a_new_item() {
    for said in [
        "make the piano lesson 45 minutes",
        "make my catch-up with Ravi an hour and a half",
        "push the recital back 10000000000 minutes",
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::GeneralChat, "{said}: {:?}", r.params);
    }
    // A time to do a thing in is no length.
    let r = p("make the dough in 3 hours");
    assert_ne!(r.intent, Intent::GeneralChat);
}

#[test]
fn a_deadline_at_the_end_of_the_day_is_today() {
    let r = p("post the parcel to grandma by end of day");
    assert_eq!((r.intent, param(&r, "title")), (Intent::CreateTodo, "post the parcel to grandma"));
    assert_eq!(param(&r, "due_date"), "2026-03-10");
    let r = p("get the slides to Omar by eod");
    assert_eq!((r.intent, param(&r, "due_date")), (Intent::CreateTodo, "2026-03-10"));
    // Only a pointing word to name the errand by: nothing to keep.
    let r = p("finish that by end of day");
    assert_eq!(r.intent, Intent::GeneralChat, "{:?}", r.params);
}

#[test]
fn asking_after_an_item_by_its_time_reads_that_minute_of_the_calendar() {
    let r = p("who's my 3:15 tomorrow");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-11T15:15:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-11T15:16:00-07:00");
}

#[test]
fn an_item_named_by_its_time_in_words_is_found_by_it() {
    let r = p("move my ten thirty to eleven");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "at_time"), "2026-03-10T10:30:00-07:00");
    assert_eq!(param(&r, "start_time"), "2026-03-10T11:00:00-07:00");
    let r = p("cancel my four o'clock tomorrow");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-11T16:00:00-07:00");
    // An alarm or a reminder named by its time is a todo, never an event.
    for said in ["get rid of my six am alarm", "cancel the 7pm reminder"] {
        assert_eq!(p(said).intent, Intent::DeleteTodo, "{said}");
    }
}

#[test]
fn a_working_days_end_or_its_first_thing_dates_the_errand() {
    let r = p("return the signed lease by close of business thursday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "return the signed lease");
    assert_eq!(param(&r, "due_date"), "2026-03-12");
    let r = p("chase the plumber first thing wednesday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "chase the plumber");
    assert_eq!(param(&r, "due_date"), "2026-03-11T09:00:00-07:00");
}
