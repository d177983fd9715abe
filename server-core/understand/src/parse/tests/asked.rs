//! Questions of what is still to do and of another day's plans, asked in everyday
//! words; and news of one's day, which asks for nothing.

use super::*;

#[test]
fn what_is_still_to_do_reads_the_todos() {
    for said in [
        "what have I still not finished",
        "which chores are still open",
        "anything I haven't got round to?",
        "what am I behind with",
        "did I miss any deadlines",
        "pending errands",
        "show me the unfinished stuff",
        "what shall I tackle first",
    ] {
        assert_eq!(p(said).intent, Intent::QueryTodos, "{said}");
    }
    // Asked of a day, the todos due by then.
    let r = p("what's still outstanding for friday?");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert!(param(&r, "due_date").starts_with("2026-03-13"), "{:?}", r.params);
    // What is open elsewhere is no todo.
    assert_eq!(p("what shops are open on sunday").intent, Intent::GeneralChat);
}

#[test]
fn another_days_plans_are_its_calendar() {
    let r = p("what are the plans for saturday");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-14T00:00:00-07:00");
    let r = p("any conflicts on thursday?");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-12T00:00:00-07:00");
    // Today's plans are the day's briefing.
    assert_eq!(p("what's my plan for today").intent, Intent::DailyBriefing);
    // A briefing asked of another day reads that day.
    let r = p("give me a rundown of wednesday");
    assert_eq!(r.intent, Intent::QueryEvents, "{:?}", r.params);
    assert_eq!(param(&r, "start_time"), "2026-03-11T00:00:00-07:00");
}

#[test]
fn news_of_ones_day_is_talk() {
    for said in [
        "we saw the fireworks on saturday",
        "I went to the gym this morning",
        "I'm knackered today",
        "we were away last weekend",
        "I had lunch with Priya on monday",
    ] {
        let r = p(said);
        assert!(!r.intent.is_action(), "{said}: {:?}", r.intent);
    }
    // Plans still are plans.
    assert_eq!(p("I'm meeting Lou for coffee at 10 tomorrow").intent, Intent::CreateEvent);
}

#[test]
fn an_hour_said_roughly_is_kept() {
    let r = p("remind me to phone the school at 4ish");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "phone the school");
    assert_eq!(param(&r, "due_date"), "2026-03-10T16:00:00-07:00");
}

#[test]
fn a_thing_kept_written_down_is_looked_for_in_the_memos() {
    let r = p("what's the alarm code for the office");
    assert_eq!(r.intent, Intent::QueryMemos);
    assert_eq!(param(&r, "query"), "alarm code office");
    let r = p("remind me of Jo's postcode");
    assert_eq!(r.intent, Intent::QueryMemos);
    assert_eq!(param(&r, "query"), "Jo's postcode");
    // A number of the calendar's is the calendar's; a bare "number" names nothing.
    assert_ne!(p("what's the address of the meeting on friday").intent, Intent::QueryMemos);
    assert_ne!(p("what's the number").intent, Intent::QueryMemos);
}

#[test]
fn what_day_it_is_is_talk() {
    for said in ["thank god it's friday", "at least it's nearly the weekend", "it's monday again"] {
        assert!(!p(said).intent.is_action(), "{said}");
    }
}

#[test]
fn whether_someone_comes_on_a_day_reads_that_day() {
    let r = p("is the electrician still coming on friday");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-13T00:00:00-07:00");
    // A show coming out is no visit.
    assert_eq!(p("is the new album coming out on friday").intent, Intent::GeneralChat);
}

#[test]
fn advice_asked_about_a_calendar_thing_is_talk() {
    for said in ["where should we go for the anniversary", "what should I bring to the party on saturday"] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
    // Who is expected at a meeting is the calendar's to say.
    assert_eq!(p("who should I expect at the meeting today").intent, Intent::QueryEvents);
}

#[test]
fn jobs_asked_after_and_groceries_needed_read_the_list() {
    let r = p("which jobs are left for the weekend");
    assert_eq!(r.intent, Intent::QueryTodos);
    let r = p("what groceries should I pick up");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["shopping"])));
    // Jobs that are work to be had are no todos, and a question of food is talk.
    assert_eq!(p("what jobs are going in Bristol").intent, Intent::GeneralChat);
    assert_eq!(p("which groceries keep longest").intent, Intent::GeneralChat);
}
