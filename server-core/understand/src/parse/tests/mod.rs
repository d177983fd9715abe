//! The parser's behaviour, one request at a time.

use super::*;
use chrono::TimeZone;
use chrono_tz::America::Los_Angeles;

fn now() -> DateTime<Tz> {
    // Tuesday 2026-03-10 09:00 in Los Angeles.
    Los_Angeles
        .with_ymd_and_hms(2026, 3, 10, 9, 0, 0)
        .single()
        .unwrap_or_else(|| Los_Angeles.timestamp_opt(0, 0).unwrap())
}

fn p(text: &str) -> Parsed {
    parse(text, now())
}

fn param<'a>(r: &'a Parsed, k: &str) -> &'a str {
    r.params.get(k).and_then(Value::as_str).unwrap_or("")
}

#[test]
fn constant_regexes_compile() {
    for re in [
        &THEN_SPLIT,
        &AND_VERB,
        &PRONOUN,
        &LEAD,
        &talk::HOW_TO,
        &EMPHATIC_DO,
        &ASKED_TOGETHER,
        &talk::DAY_DONE,
    ] {
        assert_ne!(re.as_str(), never().as_str());
    }
}

#[test]
fn reminder_becomes_todo_with_local_due_time() {
    let r = p("remind me to call the dentist tomorrow at 3pm");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "call the dentist");
    assert_eq!(param(&r, "due_date"), "2026-03-11T15:00:00-07:00");
    assert_eq!(r.steps.len(), 1);
    assert_eq!(r.steps.first().map(|t| t.intent), Some(Intent::CreateTodo));
}

#[test]
fn add_to_todo_list_keeps_title() {
    let r = p("add buy milk to my todo list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "buy milk");
    let r = p("add The 5th Wave to my reading todo list");
    assert_eq!(param(&r, "title"), "The 5th Wave");
}

#[test]
fn shopping_list_add_is_tagged() {
    let r = p("put bread on my shopping list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "bread");
    assert_eq!(r.params.get("tags"), Some(&serde_json::json!(["shopping"])));
}

#[test]
fn alarms_and_timers_are_todos_with_due_times() {
    let r = p("set an alarm for 7am");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "Alarm");
    assert_eq!(param(&r, "due_date"), "2026-03-11T07:00:00-07:00");
    let r = p("set a timer for 10 minutes");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "Timer");
    assert_eq!(param(&r, "due_date"), "2026-03-10T09:10:00-07:00");
}

#[test]
fn todo_queries_updates_completes_deletes() {
    assert_eq!(p("what's on my to do list").intent, Intent::QueryTodos);
    assert_eq!(p("is milk on my shopping list").intent, Intent::QueryTodos);
    let r = p("cross laundry off my to do list");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "laundry");
    let r = p("remove fries from my shopping list");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "fries");
    let r = p("change my reminder to call mom to 6pm");
    assert_eq!(r.intent, Intent::UpdateTodo);
}

#[test]
fn events_create_query_update_delete() {
    let r = p("schedule a meeting with Tom tomorrow at 4pm");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "meeting with Tom");
    assert_eq!(param(&r, "start_time"), "2026-03-11T16:00:00-07:00");
    let r = p("what's on my calendar for friday");
    assert_eq!(r.intent, Intent::QueryEvents);
    assert_eq!(param(&r, "start_time"), "2026-03-13T00:00:00-07:00");
    let r = p("move my meeting with Sam to 4pm");
    assert_eq!(r.intent, Intent::UpdateEvent);
    assert_eq!(param(&r, "title"), "meeting with Sam");
    let r = p("cancel my dentist appointment on friday");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "dentist appointment");
}

#[test]
fn the_next_meeting_is_one_event_not_the_whole_calendar() {
    for said in ["delete my next meeting", "remove the next event", "cancel my upcoming appointment"] {
        let r = p(said);
        assert_eq!(r.intent, Intent::DeleteEvent, "{said}");
        assert_eq!(param(&r, "target"), "next", "{said}");
        assert!(r.params.get("query").is_none() && r.params.get("title").is_none(), "{said}: {:?}", r.params);
    }
    let r = p("cancel my next dentist appointment");
    assert_eq!(param(&r, "target"), "next");
    assert_eq!(param(&r, "title"), "dentist appointment");
    // Clearing a day is still every event of it.
    let r = p("clear my calendar for friday");
    assert_eq!(param(&r, "query"), "*");
    assert_eq!(param(&r, "start_time"), "2026-03-13T00:00:00-07:00");
}

#[test]
fn a_day_said_as_a_possessive_leaves_no_s_in_the_title() {
    let r = p("delete tomorrow's dentist appointment");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "dentist appointment");
    assert_eq!(param(&r, "start_time"), "2026-03-11T00:00:00-07:00");
    let r = p("schedule friday\u{2019}s standup at 9am");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "standup");
}

#[test]
fn memos_create_query_update_delete() {
    let r = p("take a note that the wifi password is hunter2");
    assert_eq!(r.intent, Intent::CreateMemo);
    assert_eq!(param(&r, "content"), "the wifi password is hunter2");
    assert_eq!(p("show me my notes").intent, Intent::QueryMemos);
    let r = p("update my note about wifi to say the password changed");
    assert_eq!(r.intent, Intent::UpdateMemo);
    assert_eq!(param(&r, "query"), "wifi");
    let r = p("delete the memo about wifi");
    assert_eq!(r.intent, Intent::DeleteMemo);
    assert_eq!(param(&r, "query"), "wifi");
}

#[test]
fn adding_a_todo_by_name_keeps_the_words_and_the_date() {
    let r = p("add a todo to buy milk tomorrow");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "buy milk");
    assert!(!param(&r, "due_date").is_empty());
    let r = p("new task: file the taxes");
    assert_eq!(param(&r, "title"), "file the taxes");
}

#[test]
fn explicit_edits_name_the_item() {
    let r = p("mark buy milk as done");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "buy milk");
    let r = p("check off Call Mom");
    assert_eq!(r.intent, Intent::CompleteTodo);
    assert_eq!(param(&r, "title"), "Call Mom");
    let r = p("rename the todo buy milk to buy oat milk");
    assert_eq!(r.intent, Intent::UpdateTodo);
    assert_eq!(param(&r, "title"), "buy milk");
    assert_eq!(param(&r, "new_title"), "buy oat milk");
    assert_eq!(p("finish the essay").intent, Intent::GeneralChat);
    let r = p("delete the event lunch with Ana");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "lunch with Ana");
}

#[test]
fn host_tools_target_the_host() {
    let r = p("read ~/notes/ideas.txt");
    assert_eq!(r.intent, Intent::FileRead);
    assert_eq!(param(&r, "path"), "~/notes/ideas.txt");
    assert_eq!(r.steps.first().map(|t| t.intent), Some(Intent::FileRead));
    let r = p("create a file notes.txt with hello");
    assert_eq!(r.intent, Intent::FileCreate);
    assert_eq!(param(&r, "path"), "notes.txt");
    assert_eq!(param(&r, "content"), "hello");
    let r = p("open firefox");
    assert_eq!(r.intent, Intent::OpenApp);
    assert_eq!(param(&r, "target"), "firefox");
    let r = p("run ls -la");
    assert_eq!(r.intent, Intent::ExecutorShell);
    assert_eq!(param(&r, "command"), "ls -la");
}

#[test]
fn search_briefing_and_delegation() {
    let r = p("search the web for rust async book");
    assert_eq!(r.intent, Intent::WebSearch);
    assert_eq!(param(&r, "query"), "rust async book");
    let r = p("find my notes and todos about the garden");
    assert_eq!(r.intent, Intent::Search);
    assert_eq!(param(&r, "query"), "garden");
    // A look through the notes alone is a look in the notes.
    let r = p("find my notes about the garden");
    assert_eq!(r.intent, Intent::QueryMemos);
    assert_eq!(param(&r, "query"), "garden");
    assert_eq!(p("what's on today").intent, Intent::DailyBriefing);
    assert_eq!(p("give me my briefing").intent, Intent::DailyBriefing);
    let r = p("research flights to Lisbon and summarise them");
    assert_eq!(r.intent, Intent::DelegateTask);
    assert_eq!(r.steps.len(), 1);
}

#[test]
fn compound_request_wires_dependencies() {
    let r = p("read ~/notes/ideas.txt and save it as a memo");
    assert_eq!(r.intent, Intent::FileRead);
    assert_eq!(r.steps.len(), 2);
    let t2 = r.steps.get(1);
    assert_eq!(t2.map(|t| t.id.as_str()), Some("t2"));
    assert_eq!(t2.map(|t| t.intent), Some(Intent::CreateMemo));
    assert_eq!(t2.map(|t| t.depends_on.clone()), Some(vec!["t1".to_string()]));
    assert_eq!(t2.and_then(|t| t.inputs.get("content")).and_then(Value::as_str), Some("{{t1.content}}"));
    let r = p("open firefox and then run ls -la");
    assert_eq!(r.steps.len(), 2);
}

#[test]
fn half_understood_compound_is_not_acted_on() {
    let r = p("open the uber app and get me a car please");
    assert_eq!(r.intent, Intent::GeneralChat);
    assert!(r.steps.is_empty());
}

#[test]
fn garbage_and_chit_chat_are_general_chat() {
    for text in [
        "",
        "asdf qwer zxcv",
        "tell me a joke",
        "what's the weather like",
        "what time is it in london",
        "what's today's date",
        "can you remind me of the date",
        "how do i schedule a meeting",
        "play some jazz",
        "turn off the lights",
        "add that song to my top ten favorites list",
        "please add tom to my contact list",
        "book a taxi",
        "run indian folk song",
        "open pandora play rock station",
        "I may be late. May the force be with you",
        "cancel",
    ] {
        let r = p(text);
        assert!(!r.intent.is_action(), "{text} -> {:?}", r.intent);
    }
}

#[test]
fn deletes_need_an_explicit_verb_and_item() {
    assert!(!p("my meeting with bob").intent.is_action());
    assert!(!p("delete").intent.is_action());
    assert!(!p("remove it").intent.is_action());
}

#[test]
fn confidence_is_within_bounds() {
    for text in ["remind me to x", "blah", "open firefox", "what's on my list"] {
        let c = p(text).confidence;
        assert!((0.0..=1.0).contains(&c));
    }
}

#[test]
fn no_panic_on_arbitrary_unicode() {
    let pieces = [
        "remind me to",
        "İ",
        "🙂",
        "add",
        "to my list",
        "\u{0}",
        "ß",
        "at 5",
        "and then",
        "read ~/ä/ö.txt",
        "\u{202e}",
        "delete",
        "\"",
        "'",
        "tomorrow",
        "𝟙𝟚",
        "、",
        "'s",
    ];
    let mut seed: u32 = 11;
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..6 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let idx = (seed >> 16) as usize % pieces.len();
            if let Some(piece) = pieces.get(idx) {
                s.push_str(piece);
                if seed & 1 == 0 {
                    s.push(' ');
                }
            }
        }
        let r = p(&s);
        assert!((0.0..=1.0).contains(&r.confidence));
    }
}
#[test]
fn a_command_verb_saying_everything_is_not_a_question() {
    let r = p("delete everything on my calendar for friday");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "query"), "*");
    assert_eq!(param(&r, "start_time"), "2026-03-13T00:00:00-07:00");
    // A question that says "everything" still only reads.
    assert_eq!(p("is everything on my calendar for friday").intent, Intent::QueryEvents);
}

#[test]
fn emphatic_do_and_find_and_lead_ins() {
    let r = p("do cancel the dentist appointment on thursday");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "dentist appointment");
    let r = p("find and remove the book club meeting from my calendar");
    assert_eq!(r.intent, Intent::DeleteEvent);
    assert_eq!(param(&r, "title"), "book club meeting");
    assert_eq!(r.steps.len(), 1);
    // "do" as a question word still asks.
    assert_eq!(p("do i have a meeting on thursday").intent, Intent::QueryEvents);
}

#[test]
fn a_clause_without_a_list_borrows_its_neighbours_list() {
    let r = p("take out the butter and put yoghurt on my grocery list");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "title"), "butter");
    assert_eq!(r.steps.len(), 2);
    let tags = r.params.get("tags").and_then(Value::as_array).map(Vec::len);
    assert_eq!(tags, Some(1));
    // Opening the list first adds no step of its own.
    let r = p("pull up my grocery list and add oat milk");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "oat milk");
    assert_eq!(r.steps.len(), 1);
    // Without any list named, the clause is still not understood.
    assert_eq!(p("take out the butter and then sing").intent, Intent::GeneralChat);
}

#[test]
fn an_item_that_needs_to_go_on_a_list() {
    let r = p("watering the plants needs to be on my to do list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "watering the plants");
    let r = p("batteries have to go on the shopping list");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "batteries");
}

#[test]
fn not_wanting_a_list_deletes_it_and_nothing_else() {
    let r = p("i don't want my packing list anymore");
    assert_eq!(r.intent, Intent::DeleteTodo);
    assert_eq!(param(&r, "query"), "*");
    assert_eq!(p("i don't want pizza tonight").intent, Intent::GeneralChat);
}

#[test]
fn a_dated_plan_told_to_the_assistant_is_an_event() {
    let r = p("i have a job interview on friday at 10am");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "job interview");
    assert_eq!(param(&r, "start_time"), "2026-03-13T10:00:00-07:00");
    let r = p("i have a concert on saturday add it");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "concert");
    // Without a date it is small talk.
    assert_ne!(p("i have a flight, wish me luck").intent, Intent::CreateEvent);
}

#[test]
fn marking_a_date_as_something_is_an_all_day_event() {
    let r = p("mark next friday as my day off");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "day off");
    assert_eq!(param(&r, "start_time"), "2026-03-20");
    assert_eq!(param(&r, "end_time"), "2026-03-21");
    let r = p("tomorrow has to be marked as a rest day");
    assert_eq!(r.intent, Intent::CreateEvent);
    assert_eq!(param(&r, "title"), "rest day");
    // Marking something that is not a date is no calendar write.
    for text in
        ["mark this email as read", "flag the message from tom as spam", "mark friday's report as done"]
    {
        let r = p(text);
        assert_ne!(r.intent, Intent::CreateEvent, "{text}");
    }
}

#[test]
fn a_notification_for_something_at_a_time_is_a_reminder() {
    let r = p("set a notification for the budget review on thursday at 2pm");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "budget review");
    assert_eq!(param(&r, "due_date"), "2026-03-12T14:00:00-07:00");
    let r = p("alert for the standup in 30 minutes");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "due_date"), "2026-03-10T09:30:00-07:00");
    // No time, or a notification setting: no write.
    for text in ["notification for the budget review", "turn on notifications for sports news tomorrow"] {
        let intent = p(text).intent;
        assert!(!matches!(intent, Intent::CreateTodo | Intent::CreateEvent), "{text}: {intent:?}");
    }
}

#[test]
fn agenda_and_alert_questions_read() {
    assert_eq!(p("do i have somewhere to be this afternoon").intent, Intent::QueryEvents);
    // Which alerts are meant is unclear: reading something is fine, acting is not.
    assert!(!p("which alerts do i have").intent.is_action());
    assert_eq!(p("what are all my pending alerts").intent, Intent::QueryTodos);
    assert_eq!(p("what time is the chess tournament on sunday").intent, Intent::QueryEvents);
}

// ---------------------------------------------------------------------------
// The kinds of everyday phrasing a rule-per-case parser missed, each in new words.

#[test]
fn a_need_or_an_obligation_is_a_todo() {
    let r = p("I need to get the bike serviced by saturday");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "get the bike serviced");
    assert!(param(&r, "due_date").starts_with("2026-03-14"));
    let r = p("i have to renew the parking permit on the 20th");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "renew the parking permit");
    assert!(param(&r, "due_date").starts_with("2026-03-20"));
}

#[test]
fn a_priority_said_first_is_a_priority_not_a_title() {
    let r = p("important: phone the landlord about the boiler");
    assert_eq!(r.intent, Intent::CreateTodo);
    assert_eq!(param(&r, "title"), "phone the landlord about the boiler");
    assert_eq!(param(&r, "priority"), "high");
    let r = p("add a high priority task send the invoice");
    assert_eq!(param(&r, "title"), "send the invoice");
    assert_eq!(param(&r, "priority"), "high");
}

#[test]
fn taking_something_out_is_an_errand_not_a_delete() {
    for q in [
        "remind me to take the bread out of the oven in 40 minutes",
        "I need to take the recycling out tonight",
        "how do I remove red wine from a carpet",
        "take the dog out at 7",
    ] {
        let r = p(q);
        assert!(!matches!(r.intent, Intent::DeleteTodo | Intent::DeleteEvent), "{q}: {:?}", r.intent);
    }
    let r = p("remind me to take the bread out of the oven in 40 minutes");
    assert_eq!(r.intent, Intent::CreateTodo);
}

mod asked;
mod by_time;
mod changed_as_news;
mod changes;
mod chores;
mod errands;
mod everyday;
mod moves;
mod not_asked;
mod routines;
mod said_around;
mod said_aside;
mod said_plainly;
mod terse;
mod told_off;
mod typed;
mod visits;
