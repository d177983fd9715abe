//! Things told as news rather than ordered: a thing called off on a day, a visit or a
//! gathering no longer on, a thing to keep said first and pointed back at with no place
//! named, a question whether something was kept, a shop's errands asked after.

use super::*;

#[test]
fn a_thing_told_as_called_off_on_a_day_is_deleted_from_the_calendar() {
    // Whatever it is called: the day says it was to happen then.
    let r = p("netball's cancelled on thursday");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "netball");
    assert_eq!(param(&r, "start_time"), "2026-03-12T00:00:00-07:00");
    let r = p("the choir is off this week");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "choir");
    // Told as off, it is never made.
    for said in ["rehearsal's off tomorrow", "yoga's off tonight"] {
        assert!(!p(said).intent.adds_item(), "{said}");
    }
    // What is off but no calendar thing stays news.
    for said in ["the heating is off this week", "the milk is off", "I'm not doing veganuary anymore"] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
}

#[test]
fn a_visit_no_longer_coming_is_deleted_from_the_calendar() {
    let r = p("the window cleaner isn't coming tomorrow");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "window cleaner");
    assert_eq!(param(&r, "start_time"), "2026-03-11T00:00:00-07:00");
    let r = p("our guests aren't coming after all");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "guests");
    let r = p("we're not having the book club on the 20th anymore");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "book club");
    // Said of someone by name, or of somewhere else they go, it is news.
    assert!(!p("Jo isn't coming to the barbecue").intent.is_action());
    assert!(!p("my brother isn't coming to the wedding anymore").intent.is_action());
    // Nor is anything made of it.
    assert!(!p("Auntie Pam isn't coming on sunday").intent.adds_item());
}

#[test]
fn a_thing_said_first_and_added_with_no_place_named_is_kept_on_the_calendar() {
    let r = p("Ella's nativity is on the 18th at 2pm, add it");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "Ella's nativity");
    assert_eq!(param(&r, "start_time"), "2026-03-18T14:00:00-07:00");
    let r = p("I've got a smear test on the 24th at 10, can you pop that in");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "smear test");
    // Gone by already, it is not kept.
    assert!(!p("the meeting was yesterday at 2, add it").intent.adds_item());
}

#[test]
fn whether_something_was_kept_is_a_look_for_it() {
    let r = p("did I write down the bike lock code anywhere");
    assert_eq!(r.intent, Intent::QueryMemos);
    assert_eq!(param(&r, "query"), "bike lock code");
    let r = p("have I got anything saved about the loft conversion");
    assert_eq!(r.intent, Intent::Search);
    assert_eq!(param(&r, "query"), "loft conversion");
    let r = p("did I already add renewing the railcard");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(param(&r, "query"), "renewing the railcard");
    assert_eq!(p("have I put the school play in the calendar").intent, Intent::QueryEvents);
    let r = p("dig up whatever I've got on the extension");
    assert_eq!(r.intent, Intent::Search);
    assert_eq!(param(&r, "query"), "extension");
}

#[test]
fn the_errands_of_a_shop_are_asked_after() {
    let r = p("what do we need from the supermarket");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["shopping"])));
    assert_eq!(p("what was I meant to pick up from the post office").intent, Intent::QueryTodos);
    assert_eq!(p("how many chores are left").intent, Intent::QueryTodos);
    assert_eq!(p("have I got anything on the 14th").intent, Intent::QueryEvents);
}

#[test]
fn an_errand_given_up_or_labelled_is_read_as_said() {
    let r = p("todo descale the kettle");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "descale the kettle");
    assert_eq!(p("todo list for saturday").intent, Intent::QueryTodos);
    let r = p("knock the gym bag off my list");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "gym bag");
    let r = p("forget about the hedge thing");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(p("I won't be needing the reminder about the parking permit").intent, Intent::DeleteTodo);
}

#[test]
fn a_reminder_counted_from_a_thing_keeps_the_thing_and_no_past_time() {
    // Only the meeting knows when it is: no due time from now, which was already past.
    let r = p("remind me 20 minutes before the parents meeting");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "due_date"), "");
    assert_eq!(param(&r, "title"), "20 minutes before the parents meeting");
}

#[test]
fn a_fact_said_first_and_pointed_back_at_is_a_note() {
    let r = p("the alarm code at the office is 4471, can you remember that");
    assert_eq!(r.intent, Intent::CreateMemo);
    assert_eq!(param(&r, "content"), "the alarm code at the office is 4471");
    let r = p("Dad's shoe size is 10, save that");
    assert_eq!(r.intent, Intent::CreateMemo);
    assert_eq!(param(&r, "content"), "Dad's shoe size is 10");
}

#[test]
fn an_appointment_told_as_seeing_someone_is_named_by_whom() {
    let r = p("I'm seeing the chiropodist on friday at 11");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "chiropodist");
    // A number that names a house or a room is no hour.
    let r = p("drinks at number 9 on saturday at 8pm");
    assert_eq!(param(&r, "start_time"), "2026-03-14T20:00:00-07:00");
}
