//! Changes told rather than ordered: a new place, a move told as news with no "the", a
//! move by an amount, a corrected time, a quoted title changed to another.

use super::*;

#[test]
fn a_new_place_for_a_calendar_thing_is_its_location() {
    for (said, title, place) in [
        ("change the location of the pub quiz to the Red Lion", "pub quiz", "Red Lion"),
        ("move the team meeting to room 6", "team meeting", "room 6"),
        ("the christmas party is at Luigi's now, not the Plough", "christmas party", "Luigi's"),
        ("the yoga class has moved to the church hall", "yoga class", "church hall"),
        ("the staff meeting is now in the library", "staff meeting", "library"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::UpdateEvent, "{said}");
        assert_eq!(param(&r, "title"), title, "{said}");
        assert_eq!(param(&r, "location"), place, "{said}");
    }
    // A new time is a move, not a place.
    let r = p("the team meeting is now at 3");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "location"), "");
    assert_eq!(param(&r, "start_time"), "2026-03-10T15:00:00-07:00");
    // Where a thing is, with nothing saying it changed, is no change.
    assert!(!p("the party is at Sam's").intent.is_action());
}

#[test]
fn a_move_told_as_news_is_the_move() {
    let r = p("sports day got moved to the 20th");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "sports day");
    assert_eq!(param(&r, "start_time"), "2026-03-20");
    let r = p("the trustees meeting has been pushed back half an hour");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(r.params.get("shift_minutes"), Some(&serde_json::json!(30)));
    // Said of a person, it is news.
    assert!(!p("I got moved to the night shift").intent.is_action());
}

#[test]
fn a_corrected_time_moves_the_thing() {
    let r = p("the recycling reminder should be for thursday not wednesday");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "due_date"), "2026-03-12");
    let r = p("actually the dissertation's due on the 30th now");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "dissertation");
    // A deadline told with no word that it changed is a task.
    assert_eq!(p("the dissertation is due on the 30th").intent, Intent::CreateTodo);
}

#[test]
fn a_quoted_title_changed_to_another_is_renamed() {
    let r = p(r#"change "book flights" to "book flights and hotel""#);
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "book flights");
    assert_eq!(param(&r, "new_title"), "book flights and hotel");
}

#[test]
fn one_standing_for_a_thing_is_no_hour() {
    // "the car tax one" is the car tax reminder, not one o'clock.
    let r = p("move the car tax one to the 28th");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "due_date"), "2026-03-28");
    let r = p("lunch at one on friday");
    assert_eq!(param(&r, "start_time"), "2026-03-13T13:00:00-07:00");
}
