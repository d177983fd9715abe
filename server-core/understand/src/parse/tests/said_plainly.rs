//! Requests said plainly with a word that carries the whole meaning: a search engine's
//! name as the verb, how urgent an errand is, "everything" to search, a note named by
//! its subject. Phrasings written for these tests.

use super::{p, param};
use crate::intent::Intent;

#[test]
fn a_search_engine_named_as_the_verb_searches_the_web() {
    let r = p("google cheapest flights to porto");
    assert_eq!(r.intent, Intent::WebSearch);
    assert_eq!(param(&r, "query"), "cheapest flights to porto");
    // Said as a wake word it only calls the assistant.
    let r = p("ok google, remind me to water the ferns at 6");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "water the ferns");
}

#[test]
fn an_errand_said_with_how_urgent_it_is_is_a_todo_at_that_priority() {
    let r = p("email the contractor asap");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "email the contractor");
    assert_eq!(param(&r, "priority"), "urgent");
    let r = p("high priority book the venue for the offsite");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "book the venue for the offsite");
    assert_eq!(param(&r, "priority"), "high");
    let r = p("reply to the landlord's email urgently");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "reply to the landlord's email");
    // Said as thanks or asked, it is talk.
    for said in ["thanks, I'll look at it asap", "is the plumber coming asap?", "sorry, urgent call"] {
        assert!(!p(said).intent.is_action(), "{said}");
    }
}

#[test]
fn everything_or_anything_to_find_searches_the_users_own_things() {
    for (said, q) in [
        ("search everything for dentist", "dentist"),
        ("find anything about the mortgage", "mortgage"),
        ("look for everything I have on the move", "move"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::Search, "{said}");
        assert_eq!(param(&r, "query"), q, "{said}");
    }
}

#[test]
fn a_note_named_by_its_subject_is_changed_or_dropped() {
    let r = p("change the alarm code note to say the code is now 8812");
    assert_eq!(r.intent, Intent::UpdateMemo);
    assert_eq!(param(&r, "query"), "alarm code");
    assert_eq!(param(&r, "content"), "the code is now 8812");
    let r = p("forget the note about the gym locker");
    assert_eq!(r.intent, Intent::DeleteMemo);
    assert_eq!(param(&r, "query"), "gym locker");
    let r = p("ditch my packing note");
    assert_eq!(r.intent, Intent::DeleteMemo);
    assert_eq!(param(&r, "query"), "packing");
}

#[test]
fn a_folder_named_in_words_is_opened_listed_or_worked_in() {
    let r = p("open my pictures folder");
    assert_eq!(r.intent, Intent::OpenApp);
    assert_eq!(param(&r, "target"), "~/Pictures");
    let r = p("what files are in my downloads");
    assert_eq!(r.intent, Intent::ExecutorShell);
    assert_eq!(param(&r, "command"), "ls -la ~/Downloads");
    let r = p("run npm test in ~/projects/site");
    assert_eq!(r.intent, Intent::ExecutorShell);
    assert_eq!(param(&r, "command"), "cd ~/projects/site && npm test");
    // Words that are no command stay words.
    assert_ne!(p("run errands in the city").intent, Intent::ExecutorShell);
}

#[test]
fn an_errand_for_a_calendar_thing_is_a_todo_not_a_calendar_read() {
    let r = p("order flowers for the anniversary dinner by thursday");
    assert_eq!(r.intent, Intent::CreateTodo, "{:?}", r.params);
    assert!(param(&r, "title").starts_with("order flowers"), "{:?}", r.params);
    // The calendar thing said alone is still looked up.
    assert_eq!(p("appointments next monday").intent, Intent::QueryEvents);
}

#[test]
fn something_missed_or_not_held_makes_nothing() {
    for said in ["I can't make the yoga class on thursday", "we won't make the parents evening tomorrow"] {
        let r = p(said);
        assert!(!matches!(r.intent, Intent::CreateTodo | Intent::CreateEvent), "{said}: {:?}", r.params);
    }
    // With a request after it, the request stands.
    let r = p("I can't make the gym so add a walk for this evening");
    assert_eq!(r.intent, Intent::CreateTodo);
}

#[test]
fn a_memo_said_with_save_this_or_remember_my_keeps_only_what_to_remember() {
    let r = p("save this: the bike lock code is 3390");
    assert_eq!(r.intent, Intent::CreateMemo);
    assert_eq!(param(&r, "content"), "the bike lock code is 3390");
    let r = p("remember our landlord's number is 555 0199");
    assert_eq!(r.intent, Intent::CreateMemo);
    assert_eq!(param(&r, "content"), "our landlord's number is 555 0199");
    // "remember to" is an errand.
    assert_eq!(p("remember to defrost the chicken tonight").intent, Intent::CreateTodo);
}

#[test]
fn a_change_names_its_item_without_the_part_that_changes() {
    let r = p("move the report's due date to friday");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "report");
    let r = p("change the essay's deadline to next tuesday");
    assert!(matches!(r.intent, Intent::UpdateTodo | Intent::UpdateEvent), "{:?}", r.intent);
    assert_eq!(param(&r, "title"), "essay");
}

#[test]
fn steering_the_talk_asks_for_nothing_and_leads_into_a_request() {
    for said in ["never mind", "nevermind!", "scratch that", "no worries", "maybe later"] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
    let r = p("actually, put oat milk on the shopping list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "oat milk");
    // An errand given up is not added.
    assert!(!p("we don't need to repaint the fence anymore").intent.is_action());
    // An errand told as done.
    assert_eq!(p("the boiler has been serviced").intent, Intent::CompleteTodo);
}

#[test]
fn a_calendar_thing_said_only_as_a_time_is_not_what_is_deleted_or_moved() {
    for said in ["wipe the whiteboard after the standup", "clear the chairs away before our board meeting"] {
        let r = p(said);
        assert_ne!(r.intent, Intent::DeleteEvent, "{said}: {:?}", r.params);
    }
    // "all my meetings" names no one event to move.
    let r = p("move all my appointments to thursday");
    assert!(
        !r.params.get("title").and_then(serde_json::Value::as_str).is_some_and(|t| t.starts_with("all")),
        "{:?}",
        r.params
    );
}

#[test]
fn clearing_what_is_done_says_so_and_clearing_a_list_does_not() {
    for said in ["wipe my completed to-dos", "clear everything I've ticked off", "bin the finished tasks"] {
        let r = p(said);
        assert_eq!(r.intent, Intent::DeleteTodo, "{said}");
        assert_eq!(r.params.get("completed"), Some(&serde_json::Value::Bool(true)), "{said}: {:?}", r.params);
    }
    let r = p("remove the done items from my packing list");
    assert_eq!(r.params.get("completed"), Some(&serde_json::Value::Bool(true)), "{:?}", r.params);
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["packing"])));
    // The whole list is no done part of it.
    let r = p("clear my packing list");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert!(!r.params.contains_key("completed"), "{:?}", r.params);
}

#[test]
fn an_order_said_with_how_often_is_a_routine_titled_without_it() {
    let r = p("feed the sourdough starter every other day");
    assert_eq!((r.intent, param(&r, "title")), (Intent::CreateTodo, "feed the sourdough starter"));
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=DAILY;INTERVAL=2");
    let r = p("every thursday evening wipe down the fridge");
    assert_eq!(param(&r, "title"), "wipe down the fridge", "{:?}", r.params);
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=TH");
    let r = p("remind me every saturday morning to check the tyre pressure");
    assert_eq!(param(&r, "title"), "check the tyre pressure", "{:?}", r.params);
    // Told of as a habit, it is no order.
    assert_eq!(p("we walk the dog every evening").intent, Intent::GeneralChat);
}

#[test]
fn the_groceries_are_a_list_said_without_the_word_list() {
    let r = p("add rye bread and capers to groceries");
    assert_eq!((r.intent, param(&r, "title")), (Intent::CreateTodo, "rye bread and capers"));
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["shopping"])));
    let r = p("take the oat milk off my groceries");
    assert_eq!((r.intent, param(&r, "title")), (Intent::DeleteTodo, "oat milk"));
    // Groceries to fetch are an errand, not the list.
    assert!(!p("collect the groceries from the depot").params.contains_key("tags"));
}

#[test]
fn a_change_said_with_instead_keeps_the_item_name_clean() {
    let r = p("make the vet visit at 2 instead");
    assert_eq!((r.intent, param(&r, "title")), (Intent::UpdateEvent, "vet visit"));
}

#[test]
fn a_service_booked_is_not_a_calendar_entry_named_after_it() {
    for said in [
        "reserve a table for four on friday at 7",
        "get us a cab at 6:30 tomorrow",
        "book two tickets for sunday",
    ] {
        let r = p(said);
        assert_ne!(r.intent, Intent::CreateEvent, "{said}: {:?}", r.params);
    }
    // A thing of the user's own booked is kept.
    assert_eq!(p("book the physio for thursday at 10").intent, Intent::CreateEvent);
}

#[test]
fn scratching_an_item_from_a_list_deletes_it() {
    let r = p("scratch the dry cleaning from my todos");
    assert_eq!((r.intent, param(&r, "title")), (Intent::DeleteTodo, "dry cleaning"));
}

#[test]
fn a_note_said_after_write_this_down_is_the_note() {
    for (said, content) in [
        ("write this down: locker 214, code 0092", "locker 214, code 0092"),
        ("jot this down - the plumber is Marek, 555 0134", "the plumber is Marek, 555 0134"),
        ("memo to self renew the ferry pass", "renew the ferry pass"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CreateMemo, "{said}");
        assert_eq!(param(&r, "content"), content, "{said}");
    }
    // Nothing said to note: nothing is stored.
    for said in ["write that down", "please note this", "save it"] {
        assert_ne!(p(said).intent, Intent::CreateMemo, "{said}");
    }
}
