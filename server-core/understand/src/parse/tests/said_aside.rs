//! Requests said aside from the usual way: a thing given up and pointed at, a time made
//! "instead", an errand noted down, an errand done by having it done or done on the
//! way somewhere, a stretch of the day that is no hours, a short reason, a question
//! mark on a thing at a time, what is on one's plate, a thing given up on its own, a
//! quoted title deleted and an outing named by where it is held.

use super::*;

#[test]
fn a_thing_given_up_and_pointed_at_is_deleted_from_where_it_is() {
    let r = p("forget about the bin bags, delete it");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "bin bags");
    // A calendar thing given up is the calendar's.
    let r = p("never mind the dinner with Ola, cancel it");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "dinner with Ola");
}

#[test]
fn an_item_made_to_be_at_another_time_instead_is_moved() {
    let r = p("could we make the catch-up with Tom 4pm instead");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "catch-up with Tom");
    assert_eq!(param(&r, "start_time"), "2026-03-10T16:00:00-07:00");
}

#[test]
fn an_errand_noted_down_is_a_todo_and_a_fact_stays_a_note() {
    let r = p("make a note to renew the parking permit");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "renew the parking permit");
    let r = p("note to self: ring the garage on thursday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "ring the garage");
    assert_eq!(param(&r, "due_date"), "2026-03-12");
    assert_eq!(p("note to self: the gate code is 4471").intent, Intent::CreateMemo);
}

#[test]
fn an_errand_had_done_is_complete() {
    let r = p("finally got the fence repaired");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "fence");
}

#[test]
fn an_errand_on_the_way_somewhere_is_a_todo_unless_asked() {
    let r = p("grab batteries on the way back");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert!(param(&r, "title").starts_with("grab batteries"), "{:?}", r.params);
    assert!(!p("should I grab batteries on the way back?").intent.is_action());
}

#[test]
fn an_errand_after_school_is_a_todo_not_an_event_of_those_hours() {
    let r = p("collect the parcel after school");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "collect the parcel");
    // Hours said as clock readings still make the event.
    let r = p("window fitters tuesday 9-12");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "end_time"), "2026-03-17T12:00:00-07:00");
}

#[test]
fn a_reminder_moved_is_named_by_the_words_before_it() {
    let r = p("push the pilates reminder to 6:45");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "pilates");
}

#[test]
fn a_short_reason_that_says_how_things_are_leads_to_its_order() {
    let r = p("Dad's away so move the family lunch to saturday");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "family lunch");
    assert_eq!(param(&r, "start_time"), "2026-03-14");
}

#[test]
fn a_thing_at_a_time_asked_with_a_question_mark_makes_nothing() {
    let r = p("lunch with Ana at 1?");
    assert!(!r.intent.adds_item(), "{:?}", r.intent);
}

#[test]
fn what_is_on_ones_plate_today_is_the_briefing() {
    assert_eq!(p("what's on my plate for today").intent, Intent::DailyBriefing);
    assert_eq!(p("what have I got on today").intent, Intent::DailyBriefing);
}

#[test]
fn a_thing_told_as_called_off_and_pointed_at_is_deleted_from_the_calendar() {
    let r = p("bowling with the kids got cancelled, remove it");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "bowling with the kids");
}

#[test]
fn a_task_deleted_by_its_own_words_is_a_todo() {
    let r = p("delete water the plants");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "water the plants");
}

#[test]
fn thanks_for_something_is_talk() {
    assert!(!p("thanks for the reminder").intent.is_action());
    assert!(!p("cheers for sorting the calendar").intent.is_action());
}

#[test]
fn a_meeting_over_coffee_or_drinks_is_a_calendar_thing_to_cancel() {
    let r = p("cancel tea with Nan");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "tea with Nan");
}

#[test]
fn whats_the_day_look_like_is_the_briefing() {
    assert_eq!(p("what's the day look like").intent, Intent::DailyBriefing);
}

#[test]
fn a_thing_given_up_on_its_own_is_deleted_and_never_made() {
    let r = p("never mind the extension lead");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "extension lead");
    let r = p("forget about the brunch with Kemi");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "brunch with Kemi");
    // Giving up the talk deletes nothing and makes nothing.
    for said in ["never mind my previous message", "forget the whole idea", "never mind the last one"] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
    // A correction still leads to its order.
    let r = p("never mind, add oat milk");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "oat milk");
}

#[test]
fn not_going_any_more_and_pointed_at_is_the_calendar_delete() {
    let r = p("we're not going to the ballet after all, cancel it");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "ballet");
}

#[test]
fn a_quoted_title_deleted_is_a_todo() {
    let r = p("remove \"sand the banister\"");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "sand the banister");
}

#[test]
fn an_outing_or_a_call_named_by_where_it_is_held_is_a_calendar_thing() {
    let r = p("scrap the facetime with grandad");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "facetime with grandad");
    let r = p("cancel the cinema on saturday");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "cinema");
    // A move told as news with the time first and "now" last.
    let r = p("the facetime with grandad is at 5 now");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-10T17:00:00-07:00");
}

#[test]
fn an_errand_told_as_done_to_someone_is_complete() {
    let r = p("the birthday card was posted to auntie Jo this morning");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "birthday card");
}

#[test]
fn a_night_out_named_by_what_is_done_keeps_its_evening_hour() {
    let r = p("bingo night on friday at 8:15");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "bingo night");
    assert_eq!(param(&r, "start_time"), "2026-03-13T20:15:00-07:00");
    // A morning named keeps the morning's hour.
    let r = p("my morning swim at 6 on thursday");
    assert_eq!(param(&r, "start_time"), "2026-03-12T06:00:00-07:00");
}

#[test]
fn an_errand_ticked_off_in_two_words_is_complete() {
    for (said, title) in [("gutters cleaned", "gutters"), ("parking fine paid", "parking fine")] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CompleteTodo, "{said}");
        assert_eq!(param(&r, "title"), title, "{said}");
    }
    // Not done is no completion.
    assert_eq!(p("form not sent").intent, Intent::GeneralChat);
}

#[test]
fn scratching_a_named_item_deletes_it_and_a_thing_with_someone_can_move() {
    let r = p("scratch the reminder to order logs");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "order logs");
    assert_eq!(p("scratch my elbow").intent, Intent::GeneralChat);
    let r = p("brunch with Mo is now at 12");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "brunch with Mo");
}
