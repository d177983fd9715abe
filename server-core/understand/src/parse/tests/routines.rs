//! Things kept again and again, things that last some days, clocks, and changes said
//! as "make it ... instead". Phrasings written for these tests (reference: Tuesday
//! 2026-03-10, 09:00 in Los Angeles).

use super::{p, param};
use crate::intent::Intent;

#[test]
fn an_order_with_how_often_is_a_routine_whatever_verb_opens_it() {
    for (said, title, rule, due) in [
        // "call" is heard as calling something off, "check" and "review" as questions.
        ("ring grandpa every saturday", "ring grandpa", "FREQ=WEEKLY;BYDAY=SA", "2026-03-14"),
        (
            "call the pharmacy every other monday",
            "call the pharmacy",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            "2026-03-16",
        ),
        ("check the smoke alarms every month", "check the smoke alarms", "FREQ=MONTHLY", "2026-03-10"),
        (
            "review the bank statement every friday",
            "review the bank statement",
            "FREQ=WEEKLY;BYDAY=FR",
            "2026-03-13",
        ),
        // The repetition said first.
        (
            "on the 15th of every month transfer the savings",
            "transfer the savings",
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "2026-03-15",
        ),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CreateTodo, "{said}");
        assert_eq!(param(&r, "title"), title, "{said}");
        assert_eq!(param(&r, "recurrence_rule"), rule, "{said}");
        assert_eq!(param(&r, "due_date"), due, "{said}");
    }
    // Asked, told as a habit, or cancelled, it makes nothing.
    for said in
        ["do I check the mail every day?", "I review my notes every evening", "cancel the call every monday"]
    {
        assert_ne!(p(said).intent, Intent::CreateTodo, "{said}");
    }
}

#[test]
fn three_weekdays_listed_repeat_on_those_days() {
    let r = p("pilates tuesday thursday saturday at 6pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "pilates");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=TU,TH,SA");
    assert_eq!(param(&r, "start_time"), "2026-03-10T18:00:00-07:00");
    // Two days are two days, not a routine.
    let r = p("the plumber comes monday and tuesday at 8am");
    assert!(r.params.get("recurrence_rule").is_none());
}

#[test]
fn a_thing_of_its_own_over_some_days_is_one_event() {
    let r = p("sales kickoff retreat may 11 to may 13");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "sales kickoff retreat");
    assert_eq!(param(&r, "start_time"), "2026-05-11");
    assert_eq!(param(&r, "end_time"), "2026-05-14");
    let r = p("family reunion from july 3 to july 5");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "family reunion");
    // The calendar's own words over some days ask what is there.
    assert_eq!(p("meetings from wednesday to friday").intent, Intent::QueryEvents);
}

#[test]
fn an_alarm_for_an_hour_on_a_day_keeps_the_hour() {
    // "for 6 tomorrow" is a time, not a party of six.
    let r = p("set an alarm for 6 tomorrow");
    assert_eq!(param(&r, "due_date"), "2026-03-11T06:00:00-07:00");
    let r = p("alarm for five thirty tomorrow morning");
    assert_eq!(param(&r, "due_date"), "2026-03-11T05:30:00-07:00");
    // A table for six is still how many.
    let r = p("dinner at Nopa for 6 on friday at 8");
    assert_eq!(param(&r, "start_time"), "2026-03-13T20:00:00-07:00");
}

#[test]
fn a_timer_said_by_its_length_rings_that_long_from_now() {
    for (said, due) in [
        ("start a 25 minute timer", "2026-03-10T09:25:00-07:00"),
        ("two hour timer please", "2026-03-10T11:00:00-07:00"),
        ("I need a 3 minute timer for the eggs", "2026-03-10T09:03:00-07:00"),
    ] {
        let r = p(said);
        assert_eq!(param(&r, "title"), "Timer", "{said}");
        assert_eq!(param(&r, "due_date"), due, "{said}");
    }
}

#[test]
fn later_today_is_today_and_leaves_the_title() {
    let r = p("remind me to ring the garage later today");
    assert_eq!(param(&r, "title"), "ring the garage");
    assert_eq!(param(&r, "due_date"), "2026-03-10");
    let r = p("later on tonight remind me to lock the shed");
    assert_eq!(param(&r, "title"), "lock the shed");
    assert!(param(&r, "due_date").starts_with("2026-03-10T"));
}

#[test]
fn a_verb_that_makes_or_starts_is_the_tasks_own_unless_it_names_the_item() {
    for (said, title) in [
        ("make the beds tomorrow morning", "make the beds"),
        ("start the slow cooker at noon", "start the slow cooker"),
        ("set the table at 6", "set the table"),
        ("make a reminder to renew the permit", "renew the permit"),
        ("set a daily reminder to take vitamins", "take vitamins"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CreateTodo, "{said}");
        assert_eq!(param(&r, "title"), title, "{said}");
    }
}

#[test]
fn made_instead_changes_the_item_it_names() {
    let r = p("make the bins reminder 8pm instead");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "bins");
    assert_eq!(param(&r, "due_date"), "2026-03-10T20:00:00-07:00");
    let r = p("make my physio appointment thursday");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "physio appointment");
    assert_eq!(param(&r, "start_time"), "2026-03-12");
    let r = p("make coffee with Jo at 11 instead");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "coffee with Jo");
    // Pointed at only, there is nothing to look up.
    assert!(!p("make it 5 instead").intent.is_action());
}

#[test]
fn a_rename_with_no_kind_said_renames_a_todo_or_an_event_by_its_words() {
    let r = p("rename 'buy paint' to 'buy primer and paint'");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "buy paint");
    assert_eq!(param(&r, "new_title"), "buy primer and paint");
    let r = p("rename the budget meeting to budget review");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "budget meeting");
    // What is renamed on the computer is not the organiser's.
    for said in ["rename the holiday photos folder to italy", "rename notes.md to ideas.md"] {
        assert!(!matches!(p(said).intent, Intent::UpdateTodo | Intent::UpdateEvent), "{said}");
    }
}

#[test]
fn an_alarm_said_with_how_often_rings_on_those_days_and_stays_an_alarm() {
    let r = p("wake me up at 6:45 on weekdays");
    assert_eq!(param(&r, "title"), "Alarm");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    assert_eq!(param(&r, "due_date"), "2026-03-11T06:45:00-07:00");
    let r = p("set an alarm for 8am weekends");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=SA,SU");
    assert_eq!(param(&r, "due_date"), "2026-03-14T08:00:00-07:00");
}

#[test]
fn an_errand_said_with_a_time_ahead_is_kept() {
    for (said, title, due) in [
        ("ring the insurer in two weeks' time", "ring the insurer", "2026-03-24"),
        ("repot the fern sometime this week", "repot the fern", "2026-03-15"),
        ("feed the sourdough starter in 4 hrs", "feed the sourdough starter", "2026-03-10T13:00:00-07:00"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CreateTodo, "{said}");
        assert_eq!(param(&r, "title"), title, "{said}");
        assert_eq!(param(&r, "due_date"), due, "{said}");
    }
    // A message or an order for another service, something asked for the user, or a
    // longer sentence with more in it is not an errand to keep.
    for said in
        ["send an email to my landlord saying the boiler is fixed tomorrow", "get me a taxi in 10 minutes"]
    {
        assert_ne!(p(said).intent, Intent::CreateTodo, "{said}");
    }
}

#[test]
fn days_people_name_without_a_date() {
    let r = p("remind me first thing tomorrow to book the vet");
    assert_eq!(param(&r, "title"), "book the vet");
    assert_eq!(param(&r, "due_date"), "2026-03-11T09:00:00-07:00");
    let r = p("on christmas eve remind me to fetch the turkey");
    assert_eq!(param(&r, "title"), "fetch the turkey");
    assert_eq!(param(&r, "due_date"), "2026-12-24");
    let r = p("remind me every last friday of the month to send the invoices");
    assert_eq!(param(&r, "title"), "send the invoices");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=MONTHLY;BYDAY=-1FR");
    assert_eq!(param(&r, "due_date"), "2026-03-27");
}
