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
