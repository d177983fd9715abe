//! Errands told as done in other words, things of the house run out of, moves said
//! with their direction, and the end of a day's work, which is talk.

use super::*;

#[test]
fn an_errand_told_as_done_another_way_completes_it() {
    let r = p("the council tax's paid");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "council tax");
    let r = p("I've dealt with the insurance letter");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "deal with the insurance letter");
    assert_eq!(p("we've sorted the garage").intent, Intent::CompleteTodo);
}

#[test]
fn the_end_of_a_days_work_completes_nothing() {
    for said in [
        "I'm done for today",
        "finished for the day!",
        "that's me done for the week",
        "phew, done for the day!",
        "right, that's me finished for the week",
    ] {
        let r = p(said);
        assert!(!r.intent.is_action(), "{said}: {:?}", r.intent);
    }
}

#[test]
fn a_thing_run_out_of_goes_on_the_shopping_list() {
    for (said, item) in [
        ("we've run out of washing powder", "washing powder"),
        ("we're nearly out of teabags", "teabags"),
        ("we need more AA batteries", "AA batteries"),
        ("running low on olive oil", "olive oil"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CreateTodo, "{said}");
        assert_eq!(param(&r, "title"), item, "{said}");
        assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["shopping"])), "{said}");
    }
    // Time and patience run out too.
    for said in [
        "I'm running out of time",
        "we're out of ideas for the party",
        "I'm out of patience with the builders",
    ] {
        assert!(!p(said).intent.is_action(), "{said}");
    }
}

#[test]
fn a_move_said_with_its_direction_names_the_item() {
    let r = p("pull the school run forward to 8");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "school run");
    let r = p("push the team lunch back to 2pm");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "team lunch");
    assert_eq!(param(&r, "start_time"), "2026-03-10T14:00:00-07:00");
}

#[test]
fn a_school_or_farewell_do_on_a_day_is_an_event() {
    let r = p("add the sports day on the 22nd at 1pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-22T13:00:00-07:00");
    let r = p("Amir's leaving do thursday 7pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "Amir's leaving do");
    // Where it is goes apart from what it is.
    let r = p("parents evening at the school on monday at 6pm");
    assert_eq!(param(&r, "title"), "parents evening");
    assert_eq!(param(&r, "location"), "school");
}
