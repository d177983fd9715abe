//! Changes asked as suggestions or needs, said by their part of the day or their
//! deadline; requests typed in a hurry; asking to be reminded of something now; where a
//! thing was put.

use super::*;

#[test]
fn a_change_asked_as_a_suggestion_or_a_need_is_made() {
    let r = p("could we reschedule the budget review to monday");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "budget review");
    assert_eq!(param(&r, "start_time"), "2026-03-16");
    let r = p("the site meeting has to move to thursday");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "site meeting");
    let r = p("put the school run back half an hour");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(r.params.get(SHIFT_MINUTES), Some(&serde_json::json!(30)));
}

#[test]
fn a_move_to_a_part_of_the_day_keeps_the_items_day() {
    let r = p("move friday's spin class to the morning");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "spin class");
    assert!(param(&r, "start_time").starts_with("2026-03-13T"), "{:?}", r.params);
}

#[test]
fn a_deadline_or_urgency_changed_is_the_todos() {
    let r = p("change the visa form deadline to the 18th");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "visa form");
    assert_eq!(param(&r, "due_date"), "2026-03-18");
    let r = p("bump the boiler quote to urgent");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "boiler quote");
    assert_eq!(param(&r, "priority"), "urgent");
}

#[test]
fn a_request_typed_in_a_hurry_is_read_as_meant() {
    let r = p("remnd me 2 book the mot tomorow");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "book the mot");
    assert_eq!(param(&r, "due_date"), "2026-03-11");
    let r = p("need 2 email Priya abt the rota");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "email Priya about the rota");
}

#[test]
fn asked_to_be_reminded_of_something_now_keeps_nothing() {
    for said in ["remind me why we booked this hotel", "remind me who's hosting on sunday"] {
        let r = p(said);
        assert!(!r.intent.adds_item(), "{said}: {:?}", r.intent);
    }
    let r = p("remind me what's on thursday");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-12T00:00:00-07:00");
}

#[test]
fn where_a_thing_was_put_is_looked_up_in_the_notes() {
    let r = p("where did we put the christmas lights");
    assert_eq!(r.intent, Intent::QueryMemos);
    assert_eq!(param(&r, "query"), "christmas lights");
    assert_eq!(param(&p("where did I park"), "query"), "park");
    assert_eq!(p("where did I go wrong").intent, Intent::GeneralChat);
}

#[test]
fn a_move_asked_for_is_made() {
    let r = p("could the piano lesson be pushed back to 5?");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "piano lesson");
    assert_eq!(param(&r, "start_time"), "2026-03-10T17:00:00-07:00");
    // What is moved must be a thing at a time.
    assert_eq!(p("can the sofa be moved to the other room").intent, Intent::GeneralChat);
}
