//! The ways people really say things, by kind: each test is a kind of request the
//! parser once got wrong, in phrasings written for the test.

use super::{p, param};
use crate::intent::Intent;

#[test]
fn an_item_said_before_its_list_is_added_not_looked_up() {
    let r = p("we've run out of coffee filters, stick them on the shopping list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "coffee filters");
    let r = p("I'm low on dish soap so please put it on my list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "dish soap");
    let r = p("I need oat milk, add it to the shopping list");
    assert_eq!(param(&r, "title"), "oat milk");
}

#[test]
fn a_question_about_what_is_set_is_never_a_write() {
    for q in [
        "did i already set a reminder to call the vet",
        "is there an alarm for six tomorrow",
        "see if the big room is free at 3",
        "my brother is coming over next week",
        "our meeting with the landlord",
    ] {
        let r = p(q);
        assert!(!r.intent.is_action(), "{q}: {:?}", r.intent);
    }
}

#[test]
fn an_event_said_as_a_thing_at_a_time_is_made() {
    let r = p("brunch with Nadia on saturday at 11");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "brunch with Nadia");
    assert_eq!(param(&r, "start_time"), "2026-03-14T11:00:00-07:00");
    let r = p("tennis with the Garcias thursday 6pm");
    assert_eq!(r.intent, Intent::CreateEvent, "{:?}", r.params);
}

#[test]
fn a_note_jotted_as_label_and_task_is_a_todo() {
    let r = p("asap: chase the plumber's quote");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "chase the plumber's quote");
    assert_eq!(param(&r, "priority"), "urgent");
    let r = p("low priority - tidy the shed");
    assert_eq!(param(&r, "title"), "tidy the shed");
    assert_eq!(param(&r, "priority"), "low");
    let r = p("saturday - drop the parcel at the post office");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "drop the parcel at the post office");
    assert!(param(&r, "due_date").starts_with("2026-03-14"), "{:?}", r.params);
    let r = p("task: renew the parking permit");
    assert_eq!(param(&r, "title"), "renew the parking permit");
    let r = p("done - send the invoice to Marta");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "send the invoice to Marta");
    // A question with a label in front is still a question.
    assert!(!p("urgent: what time is it in Tokyo").intent.is_action());
}

#[test]
fn a_title_keeps_only_the_task() {
    let r = p("make sure I back up the laptop");
    assert_eq!(param(&r, "title"), "back up the laptop");
    let r = p("complete the task 'water the orchids'");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "water the orchids");
    let r = p("scrap the 'book the campsite' todo");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "book the campsite");
}

#[test]
fn a_list_that_is_not_a_todo_list_gets_no_todo() {
    for q in ["add the new single to my running mix", "put this track on my road trip playlist"] {
        assert!(!p(q).intent.is_action(), "{q}");
    }
    // Email as a task is still a task.
    let r = p("remind me to email the school about the trip");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "email the school about the trip");
}

#[test]
fn a_task_told_as_done_completes_it() {
    let r = p("I've renewed the home insurance");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "renewed the home insurance");
    let r = p("we finally tidied the loft");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "tidied the loft");
    let r = p("I bought the train tickets");
    assert_eq!(param(&r, "title"), "buy the train tickets");
    let r = p("just posted the parcel to Lena");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "posted the parcel to Lena");
    // News about one's day is conversation.
    for q in ["i went to the market this morning", "i got soaked on the way home", "my interview went well"] {
        assert!(!p(q).intent.is_action(), "{q}");
    }
}

#[test]
fn a_day_said_before_a_need_leaves_the_title_clean() {
    let r = p("on friday we need to book the plumber");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "book the plumber");
    assert!(param(&r, "due_date").starts_with("2026-03-13"), "{:?}", r.params);
}

#[test]
fn a_question_about_a_period_counts_its_last_day() {
    // The tool reads a bare date as that whole day: "today" must not reach tomorrow.
    let r = p("what is left to do today");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(param(&r, "due_date"), "2026-03-10");
    let r = p("which of my tasks are due this week");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(param(&r, "due_date"), "2026-03-15");
}

#[test]
fn a_list_of_the_users_own_naming_tags_the_item() {
    let r = p("put the headlamp on my camping list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "headlamp");
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["camping"])));
    let r = p("add wrapping paper to my christmas list");
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["christmas"])));
    assert!(r.params.get("due_date").is_none(), "{:?}", r.params);
    let r = p("clear the whole list");
    assert!(r.params.get("tags").is_none(), "{:?}", r.params);
}

#[test]
fn a_priority_change_carries_the_new_priority() {
    let r = p("make renew the lease low priority");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "renew the lease");
    assert_eq!(param(&r, "priority"), "low");
}

#[test]
fn a_priority_said_after_the_task_or_set_off_by_a_comma_is_a_slot() {
    let r = p("top priority, book the boiler service");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "book the boiler service");
    assert_eq!(param(&r, "priority"), "high");
    let r = p("add water the lawn to my list, priority low");
    assert_eq!(param(&r, "title"), "water the lawn");
    assert_eq!(param(&r, "priority"), "low");
    let r = p("low prio - sort the recycling");
    assert_eq!(param(&r, "priority"), "low");
    assert_eq!(param(&r, "title"), "sort the recycling");
    // A day set off by a comma is news, not a note.
    assert!(!p("tuesday, I finally saw the new film").intent.is_action());
}

#[test]
fn a_request_that_opens_with_its_day_keeps_the_day() {
    let r = p("on the 22nd remind me to renew the domain");
    assert_eq!(param(&r, "title"), "renew the domain");
    assert!(param(&r, "due_date").starts_with("2026-03-22"), "{:?}", r.params);
}

#[test]
fn the_kind_of_item_named_decides_what_is_deleted() {
    // "call" is also a calendar word; "the task" says which list.
    let r = p("delete the task call the accountant");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "call the accountant");
    // Opening with a deleting verb and naming the item is no new todo.
    let r = p("erase the task 'book the venue'");
    assert_ne!(r.intent, Intent::CreateTodo);
    // Said as a reminder to do, it is one.
    let r = p("remind me to cancel the meeting with the landlord");
    assert_eq!(r.intent, Intent::CreateTodo);
}

#[test]
fn a_question_asks_of_the_kind_of_item_it_names() {
    let r = p("show me my low priority chores");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(param(&r, "priority"), "low");
    let r = p("list my appointments on the 24th");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert!(param(&r, "start_time").starts_with("2026-03-24"), "{:?}", r.params);
}

#[test]
fn a_calendar_question_looks_in_the_stretch_it_names() {
    // Now is 09:00 on Tuesday 10 March in Los Angeles.
    let r = p("what have I got on thursday evening");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-12T18:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-13T00:00:00-07:00");
    let r = p("do I have any meetings before noon");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-10T09:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-10T12:00:00-07:00");
    let r = p("what's on my calendar after 3pm");
    assert_eq!(param(&r, "start_time"), "2026-03-10T15:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-11T00:00:00-07:00");
    // A day is that day alone, its end written as a moment (a date would be read as
    // the whole of the next day too).
    let r = p("what do I have on wednesday");
    assert_eq!(param(&r, "start_time"), "2026-03-11T00:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-12T00:00:00-07:00");
}

#[test]
fn direction_marks_and_invisible_characters_stay_out_of_titles() {
    let r = p("add \u{202E}spare batteries\u{202C} to my list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "spare batteries");
    let r = p("remind me to feed\u{200B} the cat\u{200F} tomorrow");
    assert_eq!(param(&r, "title"), "feed the cat");
}

#[test]
fn a_question_about_something_once_noted_looks_in_the_memos() {
    for (q, words) in [
        ("what's the alarm code I saved", "alarm code"),
        ("where did we say the camping stove was?", "camping stove"),
        ("what was the locker number I noted down", "locker number"),
        ("tell me what the router password I gave you is", "router password"),
        ("what did I jot down about the dentist", "dentist"),
    ] {
        let r = p(q);
        assert_eq!(r.intent, Intent::QueryMemos, "{q}");
        assert_eq!(param(&r, "query"), words, "{q}");
    }
    // Saying that something was saved is news, not a question.
    assert_ne!(p("I saved the receipts in the drawer").intent, Intent::QueryMemos);
}

#[test]
fn a_need_keeps_the_verb_of_its_task() {
    for (q, title) in [
        ("I need to set the table", "set the table"),
        ("I have to put the bins out", "put the bins out"),
        ("I need to start the laundry", "start the laundry"),
        ("must remember to make the bed", "make the bed"),
    ] {
        let r = p(q);
        assert_eq!(r.intent, Intent::CreateTodo, "{q}");
        assert_eq!(param(&r, "title"), title, "{q}");
    }
    // Asking the assistant to add something is still a request to add it.
    assert_eq!(param(&p("I need to add rice to my list"), "title"), "rice");
}

#[test]
fn a_reminder_whose_task_removes_something_is_a_new_reminder_not_a_delete() {
    for (said, title) in [
        ("set a reminder to remove the old bike lock", "remove the old bike lock"),
        ("remind me to cancel the free trial on friday", "cancel the free trial"),
        ("add a task to clear the gutters", "clear the gutters"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CreateTodo, "{said}");
        assert_eq!(param(&r, "title"), title, "{said}");
    }
    let r = p("set a reminder for 7 to take out the recycling");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "take out the recycling");
    assert_eq!(param(&r, "due_date"), "2026-03-10T19:00:00-07:00");
}

#[test]
fn an_item_said_first_and_pointed_back_at_is_the_one_acted_on() {
    let r = p("the brunch with Nadia on saturday is cancelled, delete it");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "brunch with Nadia");
    let r = p("the water bill is paid, tick it off");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "water bill");
    // One item, never the whole list.
    let r = p("the batteries, take them off my list");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "batteries");
    assert!(!r.params.contains_key("query"));
    let r = p("never mind the reminder to phone the garage, delete it");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "phone the garage");
}

#[test]
fn what_needs_getting_done_is_the_errands_not_the_shopping() {
    let r = p("what do I still need to get done this week");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert!(!r.params.contains_key("tags"), "{:?}", r.params);
    assert_eq!(param(&r, "due_date"), "2026-03-15");
    let r = p("what do we need to get at the market");
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["shopping"])));
}

#[test]
fn a_move_to_a_bare_hour_goes_to_that_hour_after_the_items_own() {
    let r = p("shift my 2pm standup to 3");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "standup");
    assert_eq!(param(&r, "start_time"), "2026-03-10T15:00:00-07:00");
    let r = p("bump the 4pm call with Ravi to 5");
    assert_eq!(param(&r, "title"), "call with Ravi");
    assert_eq!(param(&r, "start_time"), "2026-03-10T17:00:00-07:00");
    // Named by its time alone, it is looked up by that time.
    let r = p("move my 10am to 11");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "at_time"), "2026-03-10T10:00:00-07:00");
    assert_eq!(param(&r, "start_time"), "2026-03-10T11:00:00-07:00");
    assert!(!r.params.contains_key("title"), "{:?}", r.params);
}

#[test]
fn an_item_marked_as_bought_or_paid_is_done() {
    let r = p("mark the printer ink as bought");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "printer ink");
    let r = p("mark the council tax as paid");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "council tax");
}

#[test]
fn a_dated_plan_told_to_the_assistant_keeps_its_name() {
    let r = p("I've got a physio appointment on the 20th at 2pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "physio appointment");
    assert_eq!(param(&r, "start_time"), "2026-03-20T14:00:00-07:00");
}

#[test]
fn a_todo_for_a_period_already_under_way_is_due_at_its_end_not_a_day_gone_by() {
    let r = p("I have to book the boiler service this month");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "due_date"), "2026-03-31");
    let r = p("remind me to sort the tax papers this week");
    assert_eq!(param(&r, "due_date"), "2026-03-15");
    // A period still ahead starts when it starts.
    let r = p("remind me to sort the tax papers next month");
    assert_eq!(param(&r, "due_date"), "2026-04-01");
}

#[test]
fn a_plan_told_as_a_fact_leaves_its_verb_out_of_the_title() {
    let r = p("the electrician is booked for tuesday at 8");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "electrician");
}

#[test]
fn clearing_what_is_done_completes_nothing() {
    for said in ["clear all completed tasks", "remove the finished todos"] {
        assert_ne!(p(said).intent, Intent::CompleteTodo, "{said}");
    }
}

#[test]
fn a_task_said_with_how_often_repeats() {
    let r = p("feed the fish every evening");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "feed the fish");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=DAILY");
    let r = p("put out the recycling on wednesdays");
    assert_eq!(param(&r, "title"), "put out the recycling");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=WE");
    assert_eq!(param(&r, "due_date"), "2026-03-11");
    let r = p("remind me every friday at 4 to submit my hours");
    assert_eq!(param(&r, "title"), "submit my hours");
    assert_eq!(param(&r, "recurrence_rule"), "FREQ=WEEKLY;BYDAY=FR");
    assert_eq!(param(&r, "due_date"), "2026-03-13T16:00:00-07:00");
    let r = p("piano lesson every thursday at 5pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "piano lesson");
    assert_eq!(param(&r, "start_time"), "2026-03-12T17:00:00-07:00");
    // Said on a weekday after its hour has gone: the first is the next weekday.
    let r = p("daily scrum every weekday at 8:30");
    assert_eq!(param(&r, "start_time"), "2026-03-11T08:30:00-07:00", "{:?}", r.params);
    // One day is not a repetition, a habit is not a task, a question is not a write.
    assert!(!p("on thursday remind me to call the garage").params.contains_key("recurrence_rule"));
    assert!(!p("I cycle to work every day").intent.is_action());
    assert!(!p("what do I have on every tuesday").intent.is_action());
}

#[test]
fn an_errand_told_as_done_completes_it() {
    for (said, title) in [
        ("the car insurance is renewed", "car insurance"),
        ("the parcels were posted", "parcels"),
        ("I took the bins out", "take the bins"),
    ] {
        let r = p(said);
        assert_eq!(r.intent, Intent::CompleteTodo, "{said}");
        assert_eq!(param(&r, "title"), title, "{said}");
    }
    // Pointed at, it names nothing to look up.
    assert!(!p("it's done").intent.is_action());
}

#[test]
fn the_list_said_after_an_item_is_not_its_title() {
    let r = p("tick the lemons off the groceries list");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "lemons");
    let r = p("check off rice on my camping list");
    assert_eq!(param(&r, "title"), "rice");
}

#[test]
fn a_priority_said_as_a_change_updates_the_todo() {
    let r = p("make the passport renewal task urgent");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "passport renewal");
    assert_eq!(param(&r, "priority"), "urgent");
    let r = p("change the priority of the boiler service to low");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "boiler service");
    assert_eq!(param(&r, "priority"), "low");
    // A level said of something that is not a todo changes nothing.
    assert!(!p("set a warning for when my phone battery gets low").intent.is_action());
}

#[test]
fn clocks_and_nudges_read_the_hour_people_mean() {
    // 09:00 now: waking is in the morning, whatever hour comes next.
    assert_eq!(param(&p("wake me at 5"), "due_date"), "2026-03-11T05:00:00-07:00");
    assert_eq!(param(&p("wake me at 5pm"), "due_date"), "2026-03-10T17:00:00-07:00");
    let r = p("ping me tomorrow about renewing the lease");
    assert_eq!(param(&r, "title"), "renewing the lease");
    assert_eq!(param(&r, "due_date"), "2026-03-11");
}

#[test]
fn a_deadline_at_the_end_of_a_period_is_its_last_day() {
    let r = p("I need to file the expense report by the end of the week");
    assert_eq!(param(&r, "due_date"), "2026-03-15", "{:?}", r.params);
    let r = p("remind me to book the venue by the end of the month");
    assert_eq!(param(&r, "due_date"), "2026-03-31", "{:?}", r.params);
}

#[test]
fn a_calendar_thing_said_with_its_time_is_made() {
    let r = p("a meeting with the bank tomorrow at 11");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "meeting with the bank");
    let r = p("drinks with the neighbours saturday 7pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "drinks with the neighbours");
}

#[test]
fn items_named_with_their_kind_are_found_by_their_name() {
    let r = p("scrap the garage task");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "garage");
    let r = p("i no longer need the reminder about the passport any more");
    assert_eq!(param(&r, "title"), "passport");
    let r = p("rename the laundry task to fold the laundry");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "laundry");
    assert_eq!(param(&r, "new_title"), "fold the laundry");
    // A change of a calendar thing is a change of the event.
    let r = p("shift the call with the landlord to 5pm");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "start_time"), "2026-03-10T17:00:00-07:00");
}

#[test]
fn how_many_and_what_is_past_are_not_when() {
    // "for four" is the party, not 4 o'clock; a bare 7 is the evening's.
    let r = p("a table for four at 7 on friday");
    assert_eq!(param(&r, "title"), "table for four");
    assert!(param(&r, "start_time").starts_with("2026-03-13T19:00"), "{:?}", r.params);
    // A deadline word at the end of what remains is not part of the task.
    let r = p("I need to collect the suit before friday");
    assert_eq!(param(&r, "title"), "collect the suit");
    // Told of the past, not asked about the calendar.
    assert!(!p("we were at the cinema last night").intent.is_action());
    assert_eq!(p("sent the party invitations").intent, Intent::CompleteTodo);
}

#[test]
fn an_errand_that_names_a_calendar_thing_is_still_an_errand() {
    let r = p("pick up the suit for the wedding before friday");
    assert_eq!(r.intent, Intent::CreateTodo, "{:?}", r.params);
    assert_eq!(param(&r, "title"), "pick up the suit for the wedding");
    // Asked, it still reads the calendar.
    assert!(!p("is there a wedding before friday").intent.is_action());
}

#[test]
fn a_nudge_said_after_its_time_keeps_only_the_task() {
    let r = p("in half an hour tell me to move the laundry");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "move the laundry");
    assert_eq!(param(&r, "due_date"), "2026-03-10T09:30:00-07:00");
}

#[test]
fn a_thing_wished_done_is_still_to_do() {
    let r = p("by thursday i need the curtains done");
    assert_eq!(r.intent, Intent::CreateTodo, "{:?}", r.params);
    let r = p("i want the quarterly report finished by friday");
    assert_eq!(r.intent, Intent::CreateTodo, "{:?}", r.params);
    assert_eq!(param(&r, "due_date"), "2026-03-13");
    // Asked to be marked, it is a completion.
    assert_eq!(p("mark the quarterly report as done").intent, Intent::CompleteTodo);
}

#[test]
fn before_the_end_of_a_period_is_its_last_day() {
    let r = p("i have to submit the expenses before the end of the month");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "due_date"), "2026-03-31");
}

#[test]
fn an_item_told_of_first_and_pointed_back_at() {
    let r = p("i bought the stamps, tick them off");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "stamps");
}

#[test]
fn a_move_told_as_news_moves_it() {
    let r = p("the call with the bank has been moved to thursday at 11");
    assert_eq!(r.intent, Intent::UpdateEvent, "{:?}", r.params);
    assert_eq!(param(&r, "title"), "call with the bank");
    assert_eq!(param(&r, "start_time"), "2026-03-12T11:00:00-07:00");
    // News that is not a move is not one.
    assert!(!p("the printer is now at the office").intent.is_action());
}

#[test]
fn a_plan_hedged_with_should_and_a_day_is_kept() {
    let r = p("i really should email the landlord on monday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "email the landlord");
    assert_eq!(param(&r, "due_date"), "2026-03-16");
    // With no day, or as a regret, it is conversation.
    assert!(!p("we should catch up some time").intent.is_action());
    assert!(!p("i should have emailed the landlord last week").intent.is_action());
}

#[test]
fn a_meal_with_somebody_is_a_new_event_named_for_the_meal() {
    // A meal on a day with somebody, with no verb and no time, is told, not asked.
    let r = p("coffee with Ines on thursday");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "coffee with Ines");
    let r = p("breakfast with my sister on sunday");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "breakfast with my sister");
    // The library reads "lunch" as its hours; the meal still names the event.
    let r = p("office lunch on monday at 12:30");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "office lunch");
    assert!(param(&r, "start_time").starts_with("2026-03-16T12:30"), "{:?}", r.params);
    // A bare hour with the day after it is the afternoon's, in a range too.
    let r = p("book the meeting room on friday from 1 to 3");
    assert!(param(&r, "start_time").starts_with("2026-03-13T13:00"), "{:?}", r.params);
    assert!(param(&r, "end_time").starts_with("2026-03-13T15:00"), "{:?}", r.params);
    // But a plain question about the calendar is still a question.
    assert_eq!(p("do I have lunch with Ines on thursday?").intent, Intent::QueryEvents);
}

#[test]
fn asked_whether_something_was_done_is_no_completion_and_no_calendar_read() {
    for q in
        ["did I renew the car tax?", "have we sent the wedding invitations?", "did i ever email the school"]
    {
        let r = p(q);
        assert!(!r.intent.is_action(), "{q}: {:?}", r.intent);
        assert_ne!(r.intent, Intent::QueryEvents, "{q}");
    }
    // Who did something out in the world is conversation; who the user meets is the calendar's.
    assert_eq!(p("who scored in the match on saturday").intent, Intent::GeneralChat);
    assert_eq!(p("who am I meeting on friday?").intent, Intent::QueryEvents);
    // Whether one had a thing is still the calendar's.
    assert_eq!(p("did I have a meeting with Ola yesterday?").intent, Intent::QueryEvents);
}

#[test]
fn a_kind_said_after_the_item_names_it_and_a_note_to_self_is_the_note() {
    let r = p("rename my dentist reminder to dentist at 4");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "dentist");
    let r = p("note to self: the spare charger is in the blue bag");
    assert_eq!(r.intent, Intent::CreateMemo);
    assert_eq!(param(&r, "content"), "the spare charger is in the blue bag");
    let r = p("do I have anything due on thursday");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(param(&r, "due_date"), "2026-03-12");
}

#[test]
fn done_said_of_many_items_at_once_is_not_one_item_done() {
    // No one item is named: nothing is looked up and marked on a guess.
    for many in ["tick off all of this week's chores", "mark every task on the work list as complete"] {
        assert_ne!(p(many).intent, Intent::CompleteTodo, "{many}");
    }
    // "all done with" is how one says an item is finished.
    let r = p("all done with the ironing");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "ironing");
}

#[test]
fn an_item_between_a_verb_and_its_particle_is_the_one_deleted() {
    // Never the whole calendar: the item said inside "take ... off" is the one.
    let r = p("take the yoga class off my calendar");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "yoga class");
    assert!(!r.params.contains_key("query"), "{:?}", r.params);
    let r = p("I can't make the pottery workshop on saturday, take it off the calendar");
    assert_eq!(param(&r, "title"), "pottery workshop");
    assert!(!r.params.contains_key("query"), "{:?}", r.params);
}

#[test]
fn news_of_a_move_a_kind_with_a_colon_and_a_file_in_a_folder() {
    let r = p("the parents evening moved to tuesday at 6");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "parents evening");
    let r = p("new appointment: eye test on the 21st at 9am");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "eye test");
    let r = p("open the file budget.csv from my downloads folder");
    assert_eq!(r.intent, Intent::FileRead);
    assert_eq!(param(&r, "path"), "~/Downloads/budget.csv");
    // "show me" asks; it is no show on the calendar.
    assert_eq!(p("show me what I need to get done tomorrow").intent, Intent::QueryTodos);
}

#[test]
fn a_calendar_thing_cancelled_on_its_day_is_that_one_deleted() {
    let r = p("cancel the doctor on thursday");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "doctor");
    assert!(param(&r, "start_time").starts_with("2026-03-12"), "{:?}", r.params);
    assert!(!r.params.contains_key("query"), "{:?}", r.params);
    // Without its day, a weak calendar word deletes nothing; nor does a subscription.
    assert!(!p("cancel the doctor").intent.is_action());
    assert!(!p("cancel my streaming subscription on friday").intent.is_action());
}

#[test]
fn a_weekday_asked_of_the_past_is_the_last_one() {
    // Tuesday 2026-03-10; the last Thursday is before the clocks changed.
    let r = p("what did I have on thursday");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-05T00:00:00-08:00");
    assert_eq!(param(&r, "end_time"), "2026-03-06T00:00:00-08:00");
    // Said on that weekday, it is last week's.
    let r = p("was there anything on my calendar tuesday?");
    assert_eq!(param(&r, "start_time"), "2026-03-03T00:00:00-08:00");
    // Asked ahead, or of next week, it stays ahead.
    let r = p("what do I have on thursday");
    assert_eq!(param(&r, "start_time"), "2026-03-12T00:00:00-07:00");
    let r = p("what did I schedule for next monday?");
    assert_eq!(param(&r, "start_time"), "2026-03-16T00:00:00-07:00");
}

#[test]
fn a_meal_said_with_its_day_and_company_is_the_thing_and_the_day_is_when() {
    let r = p("cancel thursday's dinner with the Okafors");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "dinner with the Okafors");
    assert_eq!(param(&r, "start_time"), "2026-03-12T00:00:00-07:00");
    assert_eq!(param(&r, "end_time"), "2026-03-13T00:00:00-07:00");
    // Moved to an hour alone, it stays on its own day.
    let r = p("move tomorrow's coffee with Priya to 3pm");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "coffee with Priya");
    assert_eq!(param(&r, "start_time"), "2026-03-11T15:00:00-07:00");
}

#[test]
fn talk_that_names_a_calendar_thing_is_still_talk() {
    for said in ["can you help me plan a trip to lisbon", "help me revise for the chemistry exam"] {
        assert_eq!(p(said).intent, Intent::GeneralChat, "{said}");
    }
    // Asked of the calendar, it reads it.
    assert_eq!(p("what trips do I have next month").intent, Intent::QueryEvents);
    assert_eq!(p("when is my chemistry exam").intent, Intent::QueryEvents);
}

#[test]
fn a_list_emptied_is_cleared_and_a_device_told_what_to_do_is_talk() {
    let r = p("empty my packing list");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "query"), "*");
    // Emptying a thing is an errand or talk, never a clear.
    assert_ne!(p("empty the dishwasher").intent, Intent::DeleteTodo);
    for said in ["set the volume to 7", "turn the heating up", "dim the lights"] {
        assert!(!p(said).intent.is_action(), "{said}");
    }
    // Asked to be reminded, doing it is a todo.
    assert_eq!(p("remind me to turn off the porch light at 11pm").intent, Intent::CreateTodo);
    assert_eq!(p("talk me through my day").intent, Intent::DailyBriefing);
    // A reminder asked after by the part of the day is not looked up by those words.
    let r = p("do I have any reminders this evening");
    assert_eq!(r.intent, Intent::QueryTodos);
    assert_eq!(param(&r, "query"), "");
}

#[test]
fn a_meal_named_as_the_item_of_a_change_is_no_time() {
    let r = p("push the team lunch to next thursday");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "team lunch");
    assert_eq!(param(&r, "start_time"), "2026-03-19");
}

#[test]
fn a_list_named_before_its_items_leaves_the_title() {
    let r = p("add to my packing list: passport, adapters");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "passport, adapters");
    let r = p("add to my to do list - book the boiler service");
    assert_eq!(param(&r, "title"), "book the boiler service");
}
