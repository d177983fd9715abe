//! Things said to the assistant that ask it for nothing, however many organiser words
//! they hold: a request taken back, a hypothetical, a question of opinion or of the
//! world. Each would otherwise make, move or delete something nobody asked for.

use super::*;

#[test]
fn a_request_taken_back_is_talk() {
    for said in [
        "no, don't add that",
        "please don't move it yet",
        "leave the dentist as it is",
        "I'd rather not book the restaurant tonight",
        "I'm not going to cancel the plumber",
        "I'm not going to delete the swimming reminder, even though I never go",
        "I don't need an alarm for that",
        "the vet already rang, there's no need to do anything",
    ] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
    // What is not to be forgotten is still asked for.
    let r = p("don't let me forget to buy stamps");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "buy stamps");
    assert_eq!(p("don't forget the bins on thursday").intent, Intent::CreateTodo);
    // A thing no longer wanted kept is given up.
    assert_eq!(p("I don't need the reminder about the passports anymore").intent, Intent::DeleteTodo);
}

#[test]
fn a_hypothetical_makes_nothing() {
    for said in [
        "if we booked the cottage for june would it be cheaper",
        "supposing I skipped the gym on friday, would it matter",
        "hypothetically, if the launch moved to may would we be ready",
    ] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
    // A condition on a real request leaves the request.
    let r = p("if I have time, remind me to call Jo");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "call Jo");
}

#[test]
fn a_question_of_opinion_or_of_the_world_is_talk() {
    for said in [
        "why do my reminders always pile up",
        "who came up with daylight saving",
        "is it okay to reschedule a dentist appointment twice",
        "are 6am meetings too early",
        "what does TBC stand for on an invite",
        "how do people keep a calendar and a todo list apart",
    ] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
    // Asked of the user's own calendar, it is a query.
    assert_eq!(p("who am I meeting on friday").intent, Intent::QueryEvents);
}

#[test]
fn someone_elses_words_quoted_are_told() {
    let said = r#"my gran always says "write it on the calendar or it won't happen""#;
    assert_eq!(p(said).intent, Intent::GeneralChat);
    // Asked outright, the same words are a request.
    assert_eq!(p("put the quiz on the calendar for friday at 8pm").intent, Intent::CreateEvent);
}

#[test]
fn a_thing_done_or_held_long_ago_is_told_not_ticked_off() {
    for said in [
        "we cancelled the camping trip last summer because of the rain",
        "I paid off the car loan years ago",
        "I booked a table at that place last year and it was awful",
        "the parents evening yesterday at 6 was a bit of a disaster",
    ] {
        assert!(!p(said).intent.is_action(), "{said}");
    }
    // Nearer, a thing done is still ticked off, and a day gone by is kept when asked.
    assert_eq!(p("I paid the water bill yesterday").intent, Intent::CompleteTodo);
    assert_eq!(p("log my run yesterday at 6").intent, Intent::CreateEvent);
}

#[test]
fn a_request_said_aloud_with_pauses_and_asides_is_the_request() {
    let r = p("um, remind me to erm ring the surgery tomorrow");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "ring the surgery");
    assert_eq!(p("ok uh can you give me a quick summary of today").intent, Intent::DailyBriefing);
    // A reason said of someone aside is no part of what is deleted.
    let r = p("the meeting with Omar, he's off sick, so cancel it");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "meeting with Omar");
    let r = p("find the bin collection days online");
    assert_eq!(r.intent, Intent::WebSearch);
    assert_eq!(param(&r, "query"), "bin collection days");
}
