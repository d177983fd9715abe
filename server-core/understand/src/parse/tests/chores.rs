//! Chores said as bare orders, things called off told as news, where somebody will be at
//! a time, deadlines told as due, and tasks asked for by another verb.

use super::*;

#[test]
fn a_thing_called_off_told_as_news_deletes_that_thing_only() {
    let r = p("the call with the kitchen fitter is cancelled");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "call with the kitchen fitter");
    assert!(r.params.get("query").is_none(), "{:?}", r.params);
    let r = p("thursday's class got called off");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "class");
    assert_eq!(param(&r, "start_time"), "2026-03-12T00:00:00-07:00");
    // A meeting said as news is one meeting, never the whole calendar.
    // Somebody else calling off makes no delete of what follows.
    let r = p("the physio cancelled on me so I need a new appointment");
    assert!(!matches!(r.intent, Intent::DeleteEvent | Intent::DeleteTodo), "{:?}", r.params);
    let r = p("the meeting's been cancelled, sadly");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "meeting");
    assert!(r.params.get("query").is_none(), "{:?}", r.params);
}

#[test]
fn a_household_chore_said_as_a_bare_order_is_a_todo() {
    for said in ["mop the kitchen floor", "get the windows cleaned", "buy sellotape and wrapping paper"] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CreateTodo, "{said}");
        assert_eq!(param(&r, "title"), said);
    }
    // Orders to other services, and things bought for the user now, stay talk.
    for said in ["email the landlord", "buy me a coffee", "buy plane tickets to rome"] {
        assert!(!p(said).intent.is_action(), "{said}");
    }
}

#[test]
fn somebody_having_a_thing_at_a_time_is_an_event() {
    let r = p("the twins have gymnastics at 4 on friday");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-13T16:00:00-07:00");
    let r = p("we've got salsa at 8 tonight");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "salsa");
    // Having to do something is an errand; having nothing on is news.
    assert_eq!(p("I have to ring the garage at 2").intent, Intent::CreateTodo);
    assert!(!p("I have nothing on at 2").intent.is_action());
}

#[test]
fn a_thing_told_as_due_is_a_deadline() {
    let r = p("my dissertation is due on the 20th");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "dissertation");
    assert_eq!(param(&r, "due_date"), "2026-03-20");
    let r = p("I've got a book review due thursday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "book review");
    assert_eq!(param(&r, "due_date"), "2026-03-12");
    // Asked, or a change of the date, it is no new deadline.
    assert!(!p("when is the dissertation due").intent.adds_item());
    assert_eq!(p("move the essay's due date to monday").intent, Intent::UpdateTodo);
}

#[test]
fn a_task_asked_for_by_another_verb_keeps_only_the_task() {
    let r = p("set up a regular task to check the tyre pressure every month");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "check the tyre pressure");
    assert!(param(&r, "recurrence_rule").starts_with("FREQ=MONTHLY"), "{:?}", r.params);
    let r = p("schedule a todo to phone the garage");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "phone the garage");
}

#[test]
fn whether_everything_is_done_reads_the_todos() {
    assert_eq!(p("have I got through everything on my list").intent, Intent::QueryTodos);
    assert_eq!(p("did I do all my chores today").intent, Intent::QueryTodos);
}

#[test]
fn a_delete_with_its_reason_names_only_the_item() {
    let r = p("delete the repaint task, it's not happening");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "repaint");
}

#[test]
fn how_a_thing_went_is_talk() {
    for said in ["that lunch went on forever", "that meeting was a waste of time"] {
        let r = p(said);
        assert_eq!(r.intent, Intent::GeneralChat, "{said}: {:?}", r.params);
    }
}
