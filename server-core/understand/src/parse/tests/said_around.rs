//! Requests said around their order: after a reason, with the thing first and pointed
//! back at, as a need, on a condition; and questions of what is kept, of the day, and
//! of the assistant itself.

use super::*;

#[test]
fn an_order_after_its_reason_is_the_request() {
    let r = p("half the team is off sick so remove the team lunch");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "team lunch");
    let r = p("we're hosting on sunday so remind me to buy ice on saturday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "buy ice");
    assert_eq!(param(&r, "due_date"), "2026-03-14");
    // "so" that says how much gives no order.
    assert!(!p("it is so put together").intent.is_action());
}

#[test]
fn a_thing_said_first_and_put_in_the_calendar_is_an_event_of_that_name() {
    let r = p("book club at Priya's on the 17th at 7pm, pop it in my diary");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-17T19:00:00-07:00");
    assert!(param(&r, "title").starts_with("book club"), "{:?}", r.params);
}

#[test]
fn an_errand_said_as_a_need_is_a_todo() {
    let r = p("I need to email the letting agent about the deposit collection");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "email the letting agent about the deposit collection");
    // Asked, it stays talk.
    assert!(!p("do I need to call them?").intent.is_action());
}

#[test]
fn a_reminder_on_a_condition_is_kept_not_asked() {
    let r = p("when we get back from the beach remind me to rinse the wetsuits");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert!(param(&r, "title").contains("rinse the wetsuits"), "{:?}", r.params);
}

#[test]
fn chores_are_a_list_of_the_users_todos() {
    let r = p("add clearing the gutters to our chores");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "clearing the gutters");
}

#[test]
fn a_task_done_for_somebody_is_told_as_done() {
    let r = p("I've posted Leo's present");
    assert_eq!(r.intent, Intent::CompleteTodo);
}

#[test]
fn whether_a_thing_is_kept_is_a_look_in_the_memos() {
    let r = p("have we got the alarm code written down?");
    assert_eq!(r.intent, Intent::QueryMemos);
    assert_eq!(param(&r, "query"), "alarm code");
}

#[test]
fn what_to_know_about_the_day_is_its_briefing() {
    assert_eq!(p("anything I should know about today?").intent, Intent::DailyBriefing);
}

#[test]
fn a_move_told_as_news_or_put_off_is_a_change() {
    let r = p("my tutoring is now 4:30pm instead of 4");
    assert!(matches!(r.intent, Intent::UpdateEvent | Intent::UpdateTodo), "{:?}", r.intent);
    assert_eq!(param(&r, "title"), "tutoring");
    let r = p("put the budget review off until next monday");
    assert!(matches!(r.intent, Intent::UpdateEvent | Intent::UpdateTodo), "{:?}", r.intent);
    assert_eq!(param(&r, "title"), "budget review");
    // A value that is no time moves nothing.
    assert!(
        !p("the door code is now 4471").intent.is_action()
            || p("the door code is now 4471").intent == Intent::CreateMemo
    );
}

#[test]
fn a_file_opened_to_be_read_is_read() {
    let r = p("open ~/letters/draft.txt and read it out");
    assert_eq!(r.intent, Intent::FileRead);
    assert_eq!(param(&r, "path"), "~/letters/draft.txt");
    assert_eq!(r.steps.len(), 1);
    // The folder it is said to be in is read as a read request reads it.
    let r = p("open budget.csv on my desktop and read it");
    assert_eq!(r.intent, Intent::FileRead);
    assert_eq!(param(&r, "path"), "~/Desktop/budget.csv");
}

#[test]
fn asked_what_the_assistant_remembers_is_talk() {
    assert!(!p("do you remember my birthday").intent.is_action());
    assert_ne!(p("do you remember my birthday").intent, Intent::QueryTodos);
}

#[test]
fn a_feeling_told_of_a_day_is_talk() {
    for said in ["I'm anxious about thursday", "we're so excited for saturday night"] {
        let r = p(said);
        assert!(!r.intent.is_action(), "{said}: {:?}", r.intent);
    }
}

#[test]
fn notes_looked_through_by_an_order_are_read() {
    let r = p("pull up any notes about the boiler");
    assert_eq!(r.intent, Intent::QueryMemos);
    assert_eq!(param(&r, "query"), "boiler");
}
