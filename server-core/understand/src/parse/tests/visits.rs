//! Visits booked with a person or a practice, tasks no longer needed, things that can
//! wait, memos kept of something, questions of what is pressing, and a file's contents
//! asked for by its path.

use super::*;

#[test]
fn a_visit_said_with_its_time_is_an_event_and_called_off_is_deleted() {
    let r = p("chiropractor monday 8:15am");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "chiropractor");
    assert_eq!(param(&r, "start_time"), "2026-03-16T08:15:00-07:00");
    let r = p("please cancel my pedicure");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "pedicure");
    let r = p("the eye exam was cancelled");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "eye exam");
    // Asked of on a day, it is read.
    assert_eq!(p("is the optician on friday?").intent, Intent::QueryEvents);
}

#[test]
fn a_visit_named_in_an_errand_or_a_wish_is_no_calendar_thing() {
    let r = p("drive mum to the optician on thursday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "drive mum to the optician");
    let r = p("make sure i ring the orthodontist tomorrow afternoon");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert!(param(&r, "title").contains("ring the orthodontist"), "{:?}", r.params);
    for said in ["does my dog need a flu shot", "in june I should book a massage"] {
        let r = p(said);
        assert!(!matches!(r.intent, Intent::QueryEvents | Intent::CreateEvent), "{said}: {:?}", r.intent);
    }
}

#[test]
fn a_task_no_longer_needed_and_pointed_back_at_is_deleted() {
    let r = p("we don't have to repaint the shed after all, remove it");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "repaint the shed");
    let r = p("forget about the spare batteries, take them off the list");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "spare batteries");
    // Without a word that deletes, nothing is deleted.
    assert!(!matches!(p("I don't need to repaint the shed anymore").intent, Intent::DeleteTodo));
}

#[test]
fn a_thing_that_can_wait_is_moved() {
    let r = p("the tax return can wait till the 20th");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "tax return");
    assert_eq!(param(&r, "due_date"), "2026-03-20");
    assert!(!p("it can wait").intent.is_action());
}

#[test]
fn a_memo_kept_of_something_holds_what_follows() {
    let r = p("keep a note of the boiler serial: 88-AC-21");
    assert_eq!(r.intent, Intent::CreateMemo);
    assert_eq!(param(&r, "content"), "the boiler serial: 88-AC-21");
}

#[test]
fn what_is_pressing_asks_the_todos_by_priority() {
    let r = p("anything important?");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert!(r.params.contains_key("priority"), "{:?}", r.params);
    let r = p("what's high priority this week");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(param(&r, "priority"), "high");
    for said in ["what's important in a friendship", "is anything important to you"] {
        assert!(!p(said).intent.is_action(), "{said}");
        assert_ne!(p(said).intent, Intent::QueryTodos, "{said}");
    }
}

#[test]
fn a_path_with_an_extension_is_read_and_a_folder_listed() {
    let r = p("what's inside ~/work/notes.txt");
    assert_eq!(r.intent, Intent::FileRead);
    assert_eq!(param(&r, "path"), "~/work/notes.txt");
    let r = p("what's inside ~/work");
    assert_eq!(r.intent, Intent::ExecutorShell);
    assert_eq!(param(&r, "command"), "ls -la ~/work");
}
