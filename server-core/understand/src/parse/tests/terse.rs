//! Calendar things said tersely, the way people type into quick add: a name and a time
//! with no verb, hours beside a day, time kept for something, and a thing told as being
//! at a time. Phrasings written for these tests.

use super::{p, param};
use crate::intent::Intent;

#[test]
fn a_named_thing_at_a_time_is_a_new_event_whatever_words_name_it() {
    let r = p("choir rehearsal wednesday 7:30pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "choir rehearsal");
    assert_eq!(param(&r, "start_time"), "2026-03-11T19:30:00-07:00");
    let r = p("quarterly budget review april 7 at 10");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "quarterly budget review");
    let r = p("trivia night thursday 8pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "trivia night");
    // A thing of its own on a day is kept for that day.
    let r = p("grandpa's birthday on may 9");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "start_time"), "2026-05-09");
}

#[test]
fn a_terse_question_or_news_about_a_calendar_thing_is_no_new_one() {
    // The calendar's own words on a day ask what is there.
    assert_eq!(p("appointments friday").intent, Intent::QueryEvents);
    assert_eq!(p("lessons on thursday").intent, Intent::QueryEvents);
    // Said with a question mark, it is looked up.
    assert_eq!(p("rehearsal saturday?").intent, Intent::QueryEvents);
    // News of one, or a sentence about one, makes nothing.
    for said in [
        "swim practice got moved indoors on monday",
        "what rehearsal is on saturday at 10",
        "I have no meetings tomorrow at 9",
    ] {
        let r = p(said);
        assert_ne!(r.intent, Intent::CreateEvent, "{said}: {:?}", r.params);
    }
}

#[test]
fn hours_beside_a_day_give_the_event_its_start_and_end() {
    let r = p("vendor demo monday 2-3");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "vendor demo");
    assert_eq!(param(&r, "start_time"), "2026-03-16T14:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-16T15:00:00-07:00");
    let r = p("schedule the design sync 10 to 11 on thursday");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-12T10:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-12T11:00:00-07:00");
}

#[test]
fn time_kept_for_something_is_an_event_named_for_it() {
    let r = p("block off wednesday morning for the tax return");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "tax return");
    assert!(param(&r, "start_time").starts_with("2026-03-11T"), "{:?}", r.params);
    assert!(r.params.contains_key("end_time"), "{:?}", r.params);
    let r = p("set aside 90 minutes on friday at 1 for writing");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "writing");
    assert_eq!(param(&r, "start_time"), "2026-03-13T13:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-13T14:30:00-07:00");
    let r = p("reserve 4 to 5 tomorrow for a call with the bank");
    assert_eq!(param(&r, "title"), "call with the bank");
    assert_eq!(param(&r, "end_time"), "2026-03-11T17:00:00-07:00");
    // Keeping a thing, not a time, is something else.
    for said in
        ["keep the receipts for the tax return", "hold the door for the movers", "save this recipe for later"]
    {
        assert_ne!(p(said).intent, Intent::CreateEvent, "{said}");
    }
}

#[test]
fn weekdays_said_as_a_list_repeat_on_each_of_them() {
    let r = p("pilates class every tuesday thursday and saturday at 8am");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=TU,TH,SA");
    assert_eq!(param(&r, "title"), "pilates class");
    let r = p("choir practice mondays and wednesdays at 7pm");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=MO,WE");
    assert_eq!(param(&r, "title"), "choir practice");
    // A plural weekday in talk repeats nothing.
    assert!(!p("mondays and fridays are always busy").intent.is_action());
}

#[test]
fn the_time_said_first_then_the_thing_is_a_new_event() {
    let r = p("thursday at noon lunch with the new hire");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "lunch with the new hire");
    assert_eq!(param(&r, "start_time"), "2026-03-12T12:00:00-07:00");
}

#[test]
fn a_day_of_the_month_said_as_a_word_repeats_monthly() {
    let r = p("descale the coffee machine on the second of every month");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=MONTHLY;BYMONTHDAY=2");
    assert_eq!(param(&r, "title"), "descale the coffee machine");
}

#[test]
fn a_thing_said_to_be_at_a_time_is_one_to_keep() {
    let r = p("Nina's leaving drinks are on friday at 5:30");
    assert_eq!(r.intent, Intent::CreateEvent, "{:?}", r.params);
    assert_eq!(param(&r, "title"), "Nina's leaving drinks");
    assert_eq!(param(&r, "start_time"), "2026-03-13T17:30:00-07:00");
    let r = p("our anniversary is on april 9");
    assert_eq!((r.intent, param(&r, "title")), (Intent::CreateEvent, "anniversary"));
    assert_eq!(param(&r, "start_time"), "2026-04-09");
    let r = p("the piano recital's at 4 on sunday");
    assert_eq!((r.intent, param(&r, "title")), (Intent::CreateEvent, "piano recital"));
    let r = p("the chess club meeting is on thursday");
    assert_eq!((r.intent, param(&r, "title")), (Intent::CreateEvent, "chess club meeting"));
}

#[test]
fn a_thing_told_as_gone_by_or_asked_about_is_not_kept() {
    for said in [
        "the recital was on sunday",
        "the school concert is at 6?",
        "the deadline is tomorrow",
        "my meetings are on monday",
        "the party was great on saturday",
    ] {
        let r = p(said);
        assert_ne!(r.intent, Intent::CreateEvent, "{said}: {:?}", r.params);
        assert_ne!(r.intent, Intent::CreateTodo, "{said}: {:?}", r.params);
    }
}

#[test]
fn asking_when_ones_own_thing_is_looks_it_up() {
    let r = p("what time is Leo's recital");
    assert_eq!(r.intent, Intent::QueryEvents);
    let r = p("when is my eye test on thursday");
    assert_eq!((r.intent, param(&r, "query")), (Intent::QueryEvents, "eye test"));
    assert_eq!(param(&r, "start_time"), "2026-03-12T00:00:00-07:00");
    let r = p("when's the school play");
    assert_eq!(r.intent, Intent::QueryEvents);
    // Not the user's: general knowledge, or a gap in the day.
    assert_eq!(p("when is easter").intent, Intent::GeneralChat);
    assert!(!p("when is my next free evening").params.contains_key("query"));
}
