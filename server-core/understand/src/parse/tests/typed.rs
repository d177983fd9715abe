//! Requests as people type them: shorthand, a need said after its time, a day's own
//! thing called off, calls to family told as done; and what is no action: a thing gone
//! over (no briefing), a thing wished for, how a finished thing went.

use super::*;

#[test]
fn typed_shorthand_is_read_as_its_words() {
    let r = p("mtg w/ John tmrw 10am");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-11T10:00:00-07:00");
    let r = p("follow up with Jess re: contract next week");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "follow up with Jess re: contract");
}

#[test]
fn a_need_said_after_its_time_is_kept() {
    let r = p("next month I should get a haircut");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "get a haircut");
    assert_eq!(param(&r, "due_date"), "2026-04-01");
    // A regret is not.
    assert!(!p("last month I should have got a haircut").intent.is_action());
}

#[test]
fn a_days_own_thing_called_off_is_a_calendar_delete() {
    let r = p("cancel tonight's yoga");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "yoga");
    let r = p("call off friday's golf");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "golf");
    // With no day, or a day that may be when to do it, nothing is deleted.
    for said in ["cancel yoga", "cancel my netflix subscription tomorrow", "they called off the match"] {
        assert!(!matches!(p(said).intent, Intent::DeleteEvent | Intent::DeleteTodo), "{said}");
    }
}

#[test]
fn a_call_to_family_told_as_done_completes_it() {
    for said in ["I already called mum", "I just rang dad", "I've called grandma back"] {
        assert_eq!(p(said).intent, Intent::CompleteTodo, "{said}");
    }
    // News of the call is talk.
    assert_eq!(p("I called mum and we talked for an hour").intent, Intent::GeneralChat);
}

#[test]
fn a_thing_gone_over_is_no_briefing() {
    assert_eq!(p("summarise this article for me").intent, Intent::GeneralChat);
    let r = p("prep slides for monday's pitch");
    assert_eq!(r.intent, Intent::CreateTodo);
    // The day that owns the thing stays in its name.
    assert_eq!(param(&r, "title"), "prep slides for monday's pitch");
    assert_eq!(param(&r, "due_date"), "2026-03-16");
    assert_eq!(p("summarise my day").intent, Intent::DailyBriefing);
    // The briefing is today's; another day's is that day's calendar.
    let r = p("prep me for tomorrow");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-11T00:00:00-07:00");
}

#[test]
fn a_kind_said_alone_names_the_event() {
    let r = p("meeting from 6 to 8 on thursday");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "Meeting");
    assert_eq!(param(&r, "start_time"), "2026-03-12T18:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-12T20:00:00-07:00");
    assert_eq!(param(&p("schedule an appointment for tomorrow"), "title"), "Appointment");
}

#[test]
fn a_thing_wished_for_is_no_entry() {
    assert_eq!(p("I need a holiday").intent, Intent::GeneralChat);
    // A meeting wished for, or anything with a time or a person, still is one.
    assert_eq!(p("i want a meeting to be scheduled").intent, Intent::CreateEvent);
    assert_eq!(p("I need a meeting with Sam on friday").intent, Intent::CreateEvent);
}

#[test]
fn telling_how_a_finished_thing_went_is_talk() {
    assert_eq!(p("i finished the book, it was brilliant").intent, Intent::GeneralChat);
    assert_eq!(p("I finished the report and it was a relief").intent, Intent::GeneralChat);
    // "it's done" says it is done.
    assert_eq!(p("i paid the rent, it's done").intent, Intent::CompleteTodo);
}
