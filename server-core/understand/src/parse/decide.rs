//! One clause, slot first: the slots are cut out, the classifier says what the rest
//! asks for and how sure it is, and the guards here decide whether to act on it; the
//! params are then built from the slots and the rest ([`super::build`]).
//!
//! Where the classifier is unsure the clause is conversation, unless a rule that only
//! reads (a calendar question) or a rule that agrees with the classifier's own best
//! guess answers it. A delete needs the classifier, a rule and a word that deletes to
//! agree: a wrong delete costs the user far more than "I didn't catch that".

use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use super::build::{add_slots, build, query, repair, without};
use super::rules::{self, DELETE_WORDS, rx};
use super::slots::{self, Slots};
use super::{Plan, frames};
use crate::classify::{self, Prediction};
use crate::intent::Intent;
use crate::when::{Grain, Lang};

/// Below this the classifier's best guess is not acted on alone.
const SURE: f32 = classify::TAU;

/// The classifier overrules a rule from here up. Of 0.4, 0.5, 0.6 and 0.7 run through
/// `tests/eval/score.py`, 0.4 and 0.5 handled most of CLINC150 validation (0.7 changed
/// nothing) at the same false-action rate, and again with the weights retrained on the
/// wider templates (95.0 % handled, 0.9 % false actions, both); 0.4 also lets an item
/// said before its list ("out of coffee filters, stick them on the list") be added.
const OVERRULE: f32 = 0.4;

/// How sure the classifier must be of talk to overrule a rule's read that is not asked.
const SURELY_TALK: f32 = 0.9;

/// Whether the classifier is all but certain the clause is talk.
fn surely_talk(guess: &Prediction) -> bool {
    guess.label.intent() == Intent::GeneralChat && guess.p >= SURELY_TALK
}

/// How sure the classifier must be that a command with no verb that writes is a new todo.
const SURE_ERRAND: f32 = 0.6;

/// A rule that agrees with the classifier's best guess may act on a weaker guess.
const AGREE: f32 = 0.25;

/// Words that delete or cancel. Without one, nothing is deleted.
static DELETES: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:{DELETE_WORDS}|(?:is|are|was|were|been|got|'s) (?:cancell?ed|called off)|take .+ off|take out|take .+ out|cross .+ off|strike .+ off|scratch .+ off)\b",
    ))
});

/// "take the cake out of the oven", "remove the stain": a verb that deletes when it is
/// said of a list or the calendar, and is an errand otherwise. A todo is deleted from a
/// list, an event from the calendar.
static TODO_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:list|todos?|to-?dos?|tasks?|reminders?|alarms?|timers?|item)\b|\b(?:off|from) (?:the |my |our )?groceries$",
    )
});

static CALENDAR_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:calendar|schedule|agenda|events?|meetings?|appointments?|call|party|dinner|lunch|class|lessons?|session|booking|reservation|conferences?|interviews?|webinar|seminar|workshop|rehearsal|check-?up|catch[- ]?ups?|{}|{})\b",
        rules::VISITS,
        rules::OUTINGS
    ))
});

/// Whether the words name a list or a kind of item kept on one ("the reminder to ...").
pub(super) fn names_list_item(l: &str) -> bool {
    TODO_PLACE.is_match(l)
}

/// Whether a delete of this kind names where it deletes from.
fn names_place(intent: Intent, l: &str) -> bool {
    match intent {
        Intent::DeleteTodo => TODO_PLACE.is_match(l),
        // "erase the whiteboard before the meeting" names the meeting only as a time.
        _ => CALENDAR_PLACE.find_iter(l).any(|m| !rules::says_when(&l[..m.start()])),
    }
}

/// A plan of the organiser rules, kept unless it deletes where the classifier does not
/// see a delete and nothing names a list or the calendar ("remind me to take the cake
/// out of the oven"): then the clause is read afresh, slot first.
pub(super) fn checked(plan: Plan, full: &str, l: &str) -> Option<Plan> {
    if !matches!(plan.intent, Intent::DeleteTodo | Intent::DeleteEvent) {
        return Some(plan);
    }
    if rules::asks_for_new_item(l) {
        return None;
    }
    let said = classify::classify(full).label.intent();
    let agrees = matches!(said, Intent::DeleteTodo | Intent::DeleteEvent);
    (agrees || DELETES.is_match(l) && names_place(plan.intent, l)).then_some(plan)
}

/// "remove descale the kettle", "delete water the plants", `delete "tidy the shed"`:
/// what is deleted is said as a task is, an order, or quoted as a title, so it names a
/// todo.
fn deletes_a_task(l: &str) -> bool {
    static DELETED: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^(?:delete|remove|scrap|drop|bin|get rid of) (?P<task>.+)$"));
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| rx(r#"^(?:"[^"]+"|“[^”]+”|'[^']+'|‘[^’]+’)$"#));
    DELETED
        .captures(l)
        .and_then(|c| c.name("task"))
        .is_some_and(|m| ordered(m.as_str()) || QUOTED.is_match(m.as_str()))
}

/// "add this song to my workout playlist", "put tom in my contacts": a place that is
/// not the user's todos. Said of a thing, not a place ("email the landlord"), it is no
/// such list.
static OTHER_LIST: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:to|on|onto|into|in|from|off|of)\s+(?:my|the|our|your|this|that|a)\s+(?:[\w'-]+\s+){0,2}?(?:play ?lists?|contacts?|favou?rites?|mailing list|songs?|music|tracks?|albums?|emails?|inbox|stations?|podcasts?|queue|mix|library|movies?|watch ?list|reading list|bookmarks?)\b",
    )
});

/// Whether the clause puts something in a place that is not the user's todos. "Reply
/// to the insurance email" answers one: the place follows a verb that writes back.
fn other_list(l: &str) -> bool {
    OTHER_LIST.find_iter(l).any(|m| {
        let before = l.get(..m.start()).unwrap_or("").split_whitespace().last().unwrap_or("");
        !matches!(before, "reply" | "respond" | "answer" | "forward" | "write back")
    })
}

/// A completion is said as done or checked off, or told as a fact ([`FACT`]); "finish
/// the essay" is an errand, not a completion.
static COMPLETES: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"\b(?:done|finished|completed|did|mark|marked|(?:check|tick|cross)(?:ed)? (?:.+ )?off|crossed out)\b")
});

/// A thing wished done ("I need the tax forms done", "we want the report finished by
/// friday") is an errand still to do; asking for it to be marked is not.
static WISH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:i|we) (?:really |still |just )?(?:need|want|would like|'d like)\s+(?:the|my|our|this|that|these|those|a|an)\b.*\b(?:done|finished|completed|sorted(?: out)?|fixed|ready|cleaned|washed|paid)\b",
    )
});

/// A task told as done: a verb that finishes an errand, in the past, said of a thing
/// ("I paid the gas bill", "just booked the car service", "renewed the passport") or of
/// family one rings ("I already called mum").
/// Chat about one's day ("I went to the market", "I got soaked") has no such verb.
pub(super) static FACT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:i|we)(?:'ve| have)?(?: just| already| finally| now)? |(?:just|already|finally) )?(?:paid(?: off)?|called|rang|phoned|emailed|texted|messaged|booked|cleaned|washed|fixed|repaired|sent|posted|mailed|submitted|returned|renewed|cancell?ed|ordered|bought|picked up|dropped off|finished|completed|filed|signed|replied to|answered|watered|fed|walked|took out|taken out|scheduled|wrote|written|uploaded|backed up|printed|packed|tidied|vacuumed|mowed|charged|handed in|turned in|sorted(?: out)?|cleared out|dealt with|handled|took care of|taken care of) (?:the|my|our|a|an|that|this|those|these|all|up|off|out|[a-z]+'s)\b|^(?:i|we)(?:'ve| have)?(?: just| already| finally)? (?:took|taken|put) (?:the|my|our) [\w' ]+ out$|^(?:(?:i|we)(?:'ve| have)?(?: just| already| finally)? |(?:just|already|finally) )(?:called|rang|phoned|emailed|texted|messaged|replied to) (?:mum|mom|dad|mother|father|grandma|grandpa|grandad|granddad|gran|granny|nan|nana|auntie|aunty|(?:aunt|uncle|cousin) [a-z]+)(?: back)?(?: (?:already|at last|finally))?$",
    )
});

/// A todo a rule made, with the slots' say on its title and priority: no "Reminder"
/// title when the task was said before or after a time, no priority words in it.
pub(super) fn polish(mut plan: Plan, t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Plan {
    if matches!(plan.intent, Intent::UpdateTodo | Intent::UpdateEvent) {
        return changed_item(plan);
    }
    let frame = frames::Frame::of(plan.intent).filter(|_| plan.intent != Intent::DeleteEvent);
    let trimmed = frame.and_then(|f| {
        plan.params.get("title").and_then(Value::as_str).and_then(|title| frames::trim(title, f))
    });
    if let Some(title) = trimmed {
        plan.params.insert("title".into(), Value::String(title));
    }
    if matches!(plan.intent, Intent::QueryTodos | Intent::QueryEvents) {
        return query(plan, t, l, now, lang);
    }
    if plan.intent == Intent::CreateEvent {
        let slots = slots::find(t, l, now, lang);
        let Some(r) = &slots.repeat else { return plan };
        // Its first time and title as the slots read them: the weekdays said are how
        // often, not one date.
        let said: Vec<&str> = std::iter::once(&r.span)
            .chain(slots.when.iter().flat_map(|(_, spans)| spans))
            .filter_map(|span| t.get(span.clone()))
            .collect();
        let mut plan = without(plan, &said);
        if let Some((f, _)) = &slots.when {
            plan.params.insert("start_time".into(), Value::String(rules::date_value(f, &f.start)));
        }
        return add_slots(plan, &slots);
    }
    if plan.intent != Intent::CreateTodo {
        return plan;
    }
    // An alarm or a timer is named for what it is, and its rule read its time and how
    // often it rings.
    let clock = plan
        .params
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|t| matches!(t.as_str(), Some("alarm" | "timer"))));
    if clock {
        return plan;
    }
    let slots = slots::find(t, l, now, lang);
    let generic =
        plan.params.get("title").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("reminder"));
    // A date the English rules did not read (another language's): its phrase leaves
    // the title and becomes the due date.
    let unread = slots.when.as_ref().filter(|_| !plan.params.contains_key("due_date"));
    if !generic && slots.priority.is_none() && unread.is_none() && slots.repeat.is_none() {
        return plan;
    }
    let mut plan = repair(plan, &slots, &slots::remainder(t, &slots.cut));
    if let Some((f, _)) = unread {
        plan.params.insert("due_date".into(), Value::String(rules::due_on(f, now)));
    }
    plan
}

/// A change's plan with its item named without the part that changes.
fn changed_item(mut plan: Plan) -> Plan {
    let item = plan.params.get("title").and_then(Value::as_str).map(item_of);
    if let Some(item) = item.filter(|i| !i.is_empty()) {
        plan.params.insert("title".into(), Value::String(item));
    }
    plan
}

/// The item a change is said of, without the part of it that changes: "the report's
/// due date" is the report, "the time of the standup" the standup.
fn item_of(title: &str) -> String {
    static PART: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"(?:'s|\u{2019}s)?\s+(?:due date|due time|deadline|priority|start time|end time|time|date|title|name|location)$|^(?:the\s+)?(?:due date|due time|deadline|priority|start time|end time|time|date|title|name|location)\s+(?:of|for|on)\s+(?:the\s+|my\s+)?",
        )
    });
    let low = title.to_ascii_lowercase();
    let mut out = title.to_string();
    for m in PART.find_iter(&low).collect::<Vec<_>>().into_iter().rev() {
        out.replace_range(m.range(), "");
    }
    out.trim().to_string()
}

/// One clause: `full` is the clause as said (lowercased), `t` and `l` the request proper
/// (politeness stripped) as said and lowercased.
/// `rule` is what the organiser rules made of it, if anything.
pub(super) fn clause(
    full: &str,
    t: &str,
    l: &str,
    now: DateTime<Tz>,
    lang: Lang,
    rule: Option<Plan>,
) -> Option<Plan> {
    let guess = classify::classify(full);
    let noted = |rule| {
        // The slots once, for every form a note may take.
        let found = slots::find(t, l, now, lang);
        let said = labelled(t, l, &found)
            .or_else(|| urgent_errand(t, l, &found))
            .or_else(|| deadline_errand(l, &found, now))
            .or_else(|| dated_order(&guess, full, l, &found, now))
            .or_else(|| chore(&guess, full, l, &found))
            .or_else(|| needed_errand(&guess, l))
            .or_else(|| en_route(&guess, l))
            .or_else(|| FACT.is_match(l).then_some(Intent::CompleteTodo))
            .or_else(|| routine(&guess, l, now))
            .or_else(|| hedged(t, l, &found, now))
            .or_else(|| deletes_a_task(l).then_some(Intent::DeleteTodo))
            .or_else(|| {
                // "get rid of the attic task": a delete that opens the clause and names
                // the kind of item it deletes.
                let kind = named_kind(Intent::CreateTodo, l);
                matches!(kind, Intent::DeleteTodo | Intent::DeleteEvent).then_some(kind)
            });
        act(said?, NOTE, t, l, now, lang, rule)
    };
    match choose(&guess, rule.as_ref().map(|r| r.intent)) {
        // A reading the words cannot carry out ("high priority: fix the tap" read as a
        // change with nothing to change) leaves the note form its say.
        Some(intent) => act(intent, guess.p, t, l, now, lang, rule.clone()).or_else(|| noted(rule)),
        None => noted(rule),
    }
}

/// "water the plants every sunday", "pay rent on the 1st of every month": a task said
/// with how often it repeats is one to keep, unless it is asked about, told of as a
/// habit ("I run every morning"), or the classifier hears something else in it.
fn routine(guess: &Prediction, l: &str, now: DateTime<Tz>) -> Option<Intent> {
    static HABIT: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^(?:i|we|he|she|they|it|you|my|our|his|her|their|there)\b"));
    let r = super::repeat::find(l, now)?;
    let order = ordered_around(l, &r);
    if asks(l) && !order || HABIT.is_match(l) {
        return None;
    }
    match guess.label.intent() {
        Intent::CreateTodo | Intent::CreateEvent => Some(guess.label.intent()),
        // An order with how often ("water the tomatoes every other day") is a routine
        // however chatty its words sound; what opens with somebody stays talk.
        Intent::GeneralChat if guess.p < UNSURE_CHAT || order => Some(Intent::CreateTodo),
        // "call mom every sunday" heard as calling something off: an order with how
        // often that neither deletes nor completes is still a routine.
        _ if order && !DELETES.is_match(l) && !COMPLETES.is_match(l) => Some(Intent::CreateTodo),
        _ => None,
    }
}

/// "check the mail every morning", "on the 1st of every month pay the card": an order
/// with how often it repeats, the repetition said before or after it.
pub(super) fn routine_order(l: &str, now: DateTime<Tz>) -> bool {
    super::repeat::find(l, now).is_some_and(|r| ordered_around(l, &r))
}

/// [`routine_order`] for the repetition `r` already read from `l`.
fn ordered_around(l: &str, r: &super::repeat::Repeat) -> bool {
    let rest = rules::blanked(l, std::slice::from_ref(&r.span));
    !l.ends_with('?') && ordered(rest.trim_start_matches([' ', ',', ':', '-']))
}

/// A question, unless it is an order that repeats: "check the mail every morning"
/// opens like "check my calendar" but asks for a routine.
fn asks_now(l: &str, now: DateTime<Tz>) -> bool {
    asks(l) && !routine_order(l, now)
}

/// "I walk the dog", "we eat out": the user telling what they do, a plain verb after
/// "I" or "we" (not "I need to", "I'll", "I have to", which keep a plan).
fn told_habit(l: &str) -> bool {
    /// What after "I" or "we" still keeps a plan; a word with an apostrophe ("I'll")
    /// always does.
    const KEEPS_A_PLAN: &[&str] = &[
        "need", "needs", "have", "has", "must", "should", "want", "would", "will", "gotta", "got", "ought",
        "better", "am", "are", "was", "were", "can", "could", "shall", "may", "might", "plan", "intend",
        "mean", "hope", "wish", "like", "really", "still", "also", "just", "always", "usually",
    ];
    let mut words = l.split_whitespace();
    let (Some(who), Some(verb)) = (words.next(), words.next()) else { return false };
    matches!(who, "i" | "we") && !KEEPS_A_PLAN.contains(&verb) && !verb.contains('\'')
}

/// A clause that opens with a verb of doing, as an order does ("water the tomatoes
/// every day"), not with a question word, a name or a thing.
pub(super) fn ordered(l: &str) -> bool {
    static ORDER: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:water|feed|walk|take|put|clean|wash|change|check|check in with|follow up(?: with| on)?|chase|prep|call|text|email|pay|buy|get|pick up|drop off|empty|charge|stretch|exercise|run|go|do|make|cook|prepare|clear|tidy|vacuum|hoover|mow|sweep|mop|wipe|sort|file|back up|update|review|write|read|practice|practise|study|brush|floss|flip|rotate|refill|replace|renew|order|book|send|visit|meditate|journal|ring|phone|fix|repair|return|collect|fetch|bring|repot|prune|bake|wrap|post|mail|print|sign|submit|finish|plan|pack|iron|defrost)\b",
        )
    });
    ORDER.is_match(l)
}

/// "I should really call my sister this weekend", "we ought to book the vet for
/// monday", "I have to submit the expenses by the end of the month": a plan said as a
/// need or hedged with "should", with a day still ahead, is one to keep (the classifier
/// hears the date words as much as the errand). Without a day ("we should get dinner
/// sometime") it stays conversation, and so does a regret ("I should have called her
/// yesterday").
fn hedged(t: &str, l: &str, slots: &Slots, now: DateTime<Tz>) -> Option<Intent> {
    static SHOULD: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:i|we)(?:'d|'ve| had| have)?(?: really| probably| definitely| honestly| still)? (?:should|ought to|better|have to|need to|must|got to|gotta)(?: really| probably| definitely)? [a-z]",
        )
    });
    // Needing to know or see something is a question put another way.
    static LEARN: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"\b(?:to|should|better|must|gotta) (?:know|see|find out|learn|check (?:if|whether)|hear)\b")
    });
    // "next month I should get a haircut": the need said after its time.
    let cut = slots.when.as_ref().map_or(&[][..], |(_, cut)| cut.as_slice());
    let rest = rules::blanked(l, cut);
    if !SHOULD.is_match(rest.trim_start_matches([' ', ',', ':', '-']))
        || l.contains("should have")
        || l.contains("should've")
        || asks(l)
        || LEARN.is_match(l)
    {
        return None;
    }
    // A stretch said end to end ("a car for march 5th to march 8th") is a booking, not a
    // day to do it by.
    static JOINED: LazyLock<Regex> = LazyLock::new(|| rx(r"\b(?:to|through|thru|till|until)\b|\d\s*-\s*\d"));
    let (f, _) = slots.when.as_ref()?;
    let joined = t.get(f.span.clone()).is_some_and(|s| JOINED.is_match(&s.to_ascii_lowercase()));
    (rules::still_ahead(f, now) && !joined).then_some(Intent::CreateTodo)
}

/// Conversation heard this surely is not taken for a routine.
const UNSURE_CHAT: f32 = 0.5;

/// How sure a note in the "label: task" form is.
const NOTE: f32 = 0.7;

/// The plan for `intent`, unless a guard says no: a delete needs a word that deletes
/// said of a list or the calendar (or a rule that agrees), a completion a word that
/// completes, a todo a list that is the user's.
fn act(
    intent: Intent,
    p: f32,
    t: &str,
    l: &str,
    now: DateTime<Tz>,
    lang: Lang,
    rule: Option<Plan>,
) -> Option<Plan> {
    let intent = named_kind(intent, l);
    // "I took out the recycling": an errand told as done is no new one.
    let intent = if intent == Intent::CreateTodo && FACT.is_match(l) { Intent::CompleteTodo } else { intent };
    // "by monday I need the tax forms done": done is what is wished for, not told.
    let wished = |l: &str| WISH.is_match(l) && !l.contains("mark") && !l.contains(" off");
    let intent = if intent == Intent::CompleteTodo && wished(l) { Intent::CreateTodo } else { intent };
    let intent = remade(intent, t, l, now, lang);
    let intent =
        if intent == Intent::CreateTodo && held_at(t, l, now, lang) { Intent::CreateEvent } else { intent };
    if matches!(intent, Intent::DeleteTodo | Intent::DeleteEvent) {
        if rules::asks_for_new_item(l) {
            return None;
        }
        let agreed = rule.as_ref().is_some_and(|r| r.intent == intent);
        let task = intent == Intent::DeleteTodo && deletes_a_task(l);
        if !DELETES.is_match(l) || !(agreed || task || names_place(intent, l)) {
            return None;
        }
        // "cancel my reservation at the loft": a booking another service keeps.
        if intent == Intent::DeleteEvent && rules::booked_elsewhere(l) {
            return None;
        }
    }
    if matches!(intent, Intent::UpdateTodo | Intent::UpdateEvent) && rules::renames_other(l) {
        return None;
    }
    let creates = intent.adds_item();
    if creates && not_to_keep(intent, l, now) {
        return None;
    }
    if intent == Intent::CompleteTodo && !COMPLETES.is_match(l) && !FACT.is_match(l) {
        return None;
    }
    // "did I pay the phone bill?": asked whether it is done, not told that it is; "I
    // finished the book, it was brilliant" tells how it went.
    static HOW_IT_WENT: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"(?:,|\band)\s+(?:it|that|this|they|he|she)(?:'s| was| were| is| are)\s+(?P<how>[a-z]+)")
    });
    let went = HOW_IT_WENT.captures(l).and_then(|c| c.name("how")).is_some_and(|how| {
        !matches!(how.as_str(), "done" | "finished" | "complete" | "completed" | "sorted" | "paid" | "over")
    });
    if intent == Intent::CompleteTodo && (asks(l) || went) {
        return None;
    }
    // "clear all completed tasks": a clause that opens by clearing completes nothing.
    if intent == Intent::CompleteTodo && DELETES.find(l).is_some_and(|m| m.start() == 0) {
        return None;
    }
    // "add this song to my workout playlist": a list that is not the user's todos.
    let todo_write = matches!(intent, Intent::CreateTodo | Intent::CompleteTodo | Intent::DeleteTodo);
    if todo_write && other_list(l) {
        return None;
    }
    if intent == Intent::DailyBriefing && rule.as_ref().is_none_or(|r| r.intent != intent) && of_a_thing(l) {
        return None;
    }
    let slots = slots::find(t, l, now, lang);
    // "set the volume to 5", "turn the heating up": a device told what to do now, which
    // the assistant cannot; said with a time it may be a reminder to do it.
    static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:set|turn|put|change|make|switch|dim|raise|lower)\b.*\b(?:volume|brightness|lights?|lamp|thermostat|temperature|heating|aircon|a/c|fan|tv|television|radio|music|speaker|bluetooth|wi-?fi|screen)\b",
        )
    });
    if creates && slots.when.is_none() && DEVICE.is_match(l) {
        return None;
    }
    // "prep slides for monday's pitch": a day said as the owner of a thing stays in a
    // new item's title.
    let owner = |c: &&std::ops::Range<usize>| {
        c.start > 0 && t.get(c.end..).is_some_and(|s| s.starts_with("'s ") || s.starts_with("\u{2019}s "))
    };
    let cut: Vec<_> = slots.cut.iter().filter(|c| !(creates && owner(c))).cloned().collect();
    let rest = slots::remainder(t, &cut);
    let confidence = (p * 100.0).round() / 100.0;
    let plan = match rule {
        Some(r) if r.intent == intent => Some(repair(r, &slots, &rest)),
        _ => build(intent, &slots, &rest, now).map(|p| Plan { confidence, ..p }),
    };
    let plan = plan.map(|p| {
        if matches!(p.intent, Intent::UpdateTodo | Intent::UpdateEvent) { changed_item(p) } else { p }
    });
    // "it is done", "delete that": an item only pointed at is not one to look up.
    let looks_up = matches!(
        intent,
        Intent::CompleteTodo | Intent::DeleteTodo | Intent::UpdateTodo | Intent::UpdateEvent
    );
    plan.filter(|p| {
        !looks_up || !p.params.get("title").and_then(Value::as_str).is_some_and(rules::only_pointed)
    })
}

/// "how does thursday look", "what's my week looking like": the day's briefing asked
/// of another day than today is that day's calendar.
pub(super) fn briefing_of_another_day(plan: Plan, t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Plan {
    if plan.intent != Intent::DailyBriefing {
        return plan;
    }
    let Some((f, _)) = slots::find(t, l, now, lang).when else { return plan };
    if f.grain <= Grain::Day && f.start.date_naive() == now.date_naive() {
        return plan;
    }
    rules::with_span(Plan::new(Intent::QueryEvents, plan.confidence), &f, now)
}

/// "summarise this article", "prep slides for monday's pitch": what is gone over is a
/// thing, not the user's time, so no briefing.
fn of_a_thing(l: &str) -> bool {
    static GONE_OVER: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:please|can you|could you|would you)\s+)*(?:summari[sz]e|recap|prep|prepare|review|go over|go through|read(?: out)?|outline)\s+(?:(?:this|that|the|a|an|these|those)\s+)?(?P<what>[\w']+)",
        )
    });
    static TIME: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:me|us|my|our|what's|whats|what|today|tomorrow|tonight|day|days|week|weekend|morning|afternoon|evening|agenda|schedule|calendar|plans?|diary|briefing|brief|rundown|overview|summary|recap|(?:mon|tues|wednes|thurs|fri|satur|sun)day)$",
        )
    });
    GONE_OVER.captures(l).and_then(|c| c.name("what")).is_some_and(|w| !TIME.is_match(w.as_str()))
}

/// "make the gym reminder 7:30 instead", "make my dentist appointment friday": an item
/// named by its kind after "make", or anything made "instead", at a new time is a
/// change of it, not a new one.
fn remade(intent: Intent, t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Intent {
    static MADE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^make (?:(?:the|my|our|that|this) (?:[\w'-]+ ){0,3}?(?:(?P<todo>task|todo|to-do|reminder|alarm)|event|meeting|appointment|call|class|session)\b|.+\binstead$)",
        )
    });
    let creates = matches!(intent, Intent::CreateTodo | Intent::CreateEvent);
    let Some(c) = MADE.captures(l).filter(|_| creates) else { return intent };
    if slots::find(t, l, now, lang).when.is_none() {
        return intent;
    }
    if c.name("todo").is_some() { Intent::UpdateTodo } else { Intent::UpdateEvent }
}

/// "the kids have swimming at 5 on monday", "we've got pilates at 7": somebody has a
/// thing at a clock time, which is where they will be, not an errand.
fn held_at(t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> bool {
    static HAS: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:i|we|you|they)'ve got|(?:i|we|you|they|he|she|(?:the|my|our) [\w']+|[a-z][\w']*)(?: have| has| have got| has got|'s got| got))\s+(?P<next>[\w']+)",
        )
    });
    static NOT_A_THING: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:to|got|nothing|no|not|time|been|had|done|something|anything|plenty|lots|loads)$")
    });
    let Some(next) = HAS.captures(l).and_then(|c| c.name("next")) else { return false };
    if NOT_A_THING.is_match(next.as_str()) || l.contains(" due") || asks(l) {
        return false;
    }
    slots::find(t, l, now, lang).when.is_some_and(|(f, _)| f.grain <= Grain::Hour)
}

/// A rule's new item that [`remade`] reads as a change: the change, or conversation
/// where the item it changes cannot be named.
pub(super) fn recast(plan: Plan, t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Plan {
    let intent = remade(plan.intent, t, l, now, lang);
    if intent == plan.intent {
        return plan;
    }
    act(intent, plan.confidence, t, l, now, lang, None).unwrap_or_else(|| Plan::new(Intent::GeneralChat, 0.3))
}

/// Whether a new item of this kind is not to be made of the clause, though it asks for
/// one: a question, news, a habit told, or a service the assistant cannot give.
fn not_to_keep(intent: Intent, l: &str, now: DateTime<Tz>) -> bool {
    // "book a table for saturday at 8", "get me a taxi at 6": a service booked, which the
    // assistant cannot do; no calendar entry named "table" stands in for it.
    static SERVICE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:book|reserve|order|get|call|hail|rent)\s+(?:me\s+|us\s+)?(?:a|an|the|my|our|two|2)?\s*(?:table|taxi|uber|lyft|cab|ride|hotel|room|flight|train|bus|car|rental car|ticket|tickets|seat|seats)\b",
        )
    });
    // "get me a taxi in 10 minutes", "order us a pizza": a thing fetched for the user
    // now, which the assistant cannot do; no todo stands in for it.
    static FETCHED: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:get|call|book|order|find|hail|send|bring) (?:me|us) (?:a|an|the|some|two|2)\b")
    });
    // "the meeting was on monday": news of a thing gone by, not one to keep.
    static WAS: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:the|my|our|this|that|his|her|their)\s+(?:[\w'-]+\s+){0,3}?(?:was|were|went)\b")
    });
    asks_now(l, now)
        || nothing_to_make(l)
        || told_news(l)
        || intent == Intent::CreateEvent && (SERVICE.is_match(l) || WAS.is_match(l))
        || FETCHED.is_match(l)
        // "I walk the dog every evening": a habit told, not one to keep.
        || told_habit(l) && super::repeat::find(l, now).is_some()
}

/// "we went to the party on friday", "I'm busy tomorrow", "we had dinner at Mark's",
/// "I'm nervous about tomorrow": the user telling how things went, stand or feel, with
/// no errand in it ("I had to cancel the plumber" and "I'm seeing Jo at 8" still tell
/// of one).
fn told_news(l: &str) -> bool {
    static NEWS: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:i|we)(?: just| already| finally| all)? (?P<past>went|had|saw|met|visited|watched|ate|played|spent|enjoyed|loved|liked|hated|got back|came back|came home|was|were)\b(?P<to>\s+to\b)?|^(?:i'm|i am|we're|we are|i was|we were)(?: really| so| very| pretty| quite| a bit| totally| completely| fully| kind of| kinda)? (?:busy|free|tired|exhausted|knackered|shattered|swamped|snowed under|sick|ill|unwell|away|home|back|late|stressed|bored|fine|ok|okay|good|great|available|booked up|off work|on holiday|on leave|on call|nervous|anxious|worried|excited|scared|afraid|terrified|happy|sad|upset|angry|mad|annoyed|frustrated|overwhelmed|lonely|dreading|looking forward to|thrilled|proud|grateful|thankful|sorry|glad|confused|hopeful|relieved|disappointed)\b|^(?:at least |thank god |thank goodness |yay,? |oh well,? )?(?:it'?s|it is|it'll be) (?:nearly |almost |finally |only |already |just )?(?:the weekend|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
        )
    });
    // "I went to" tells where one went; "I had to" tells of a need, not news.
    NEWS.captures(l)
        .is_some_and(|c| c.name("to").is_none() || c.name("past").is_some_and(|p| p.as_str() != "had"))
}

/// "I have no meetings tomorrow", "there's no practice on monday", "I can't make the
/// dentist on tuesday", "yoga's off tonight": news of something not held, nothing to make ("I have no
/// oranges, put them on my list" still asks for a write).
pub(super) fn nothing_to_make(l: &str) -> bool {
    static NONE_HELD: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"\b(?:(?:have|has|got|there(?:'s| is| are| will be))(?: got)? (?:no|nothing)|no more)\b")
    });
    // "I don't need to buy stamps anymore", "never mind the last one", "we're not doing
    // the quiz anymore": an errand or a thing given up, not one to add.
    static GIVEN_UP: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:don'?t|do not|doesn'?t|no longer) (?:need|have|want|got) to\b|^(?:never ?mind|forget)\b|\b(?:not|no longer) (?:doing|having|holding|hosting|running|going to)\b.*\b(?:any ?more|any longer)$",
        )
    });
    if GIVEN_UP.is_match(l) {
        return true;
    }
    static CANT_MAKE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:i|we)(?: really| just)? (?:can'?t|cannot|won'?t|couldn'?t|will not|am not able to|'m not able to) (?:make|attend|go to|come to|do|be at)\b",
        )
    });
    // "rehearsal's off tomorrow", "the quiz is cancelled on friday", "the 🎉 isn't coming
    // tomorrow": a thing told as called off is not one to make.
    static TOLD_OFF: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"(?:'s|\b(?:is|are|was|were|been|got)) (?:now |just )?(?:off|cancell?ed|called off|not happening)\b|\b(?:isn'?t|is not|aren'?t|are not|won'?t be|will not be|is no longer|are no longer) (?:coming|happening|going ahead)\b",
        )
    });
    if let Some(m) = CANT_MAKE.find(l).or_else(|| TOLD_OFF.find(l)) {
        return !WRITES.is_match(&l[m.end()..]);
    }
    NONE_HELD.is_match(l) && !WRITES.is_match(l)
}

/// The item a clause names by its kind: "the task call the plumber", "my 3pm meeting".
static OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:the|my|this|that)\s+(?:[\w'-]+\s+){0,3}?(?:(?P<todo>task|todo|to-do|reminder)|(?P<event>event|meeting|appointment))\b",
    )
});

/// Whether the clause names its item as a todo ("rename my gym todo to yoga").
pub(super) fn names_todo(l: &str) -> bool {
    OBJECT.captures(l).is_some_and(|c| c.name("todo").is_some())
}

/// Whether a calendar word ends the item it names: "the team lunch", "the lunch with
/// Sam", "the class on friday"; not "the lunch box from my bag".
pub(super) fn names_event_item(l: &str) -> bool {
    static AFTER: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:$|[,.!?;:]|(?:with|on|at|for|in|from|tomorrow|today|tonight|this|next|please|off|out of)\b)")
    });
    CALENDAR_PLACE.find_iter(l).any(|m| AFTER.is_match(l[m.end()..].trim_start()))
}

/// The kind of item a clause names outright: "delete the task call the plumber" is a
/// todo whatever else its words suggest, and "erase the task 'order ink'" deletes one
/// (a clause that opens with a deleting verb and names its item is no new item).
fn named_kind(intent: Intent, l: &str) -> Intent {
    let Some(c) = OBJECT.captures(l) else {
        // "move the recruiter call to 3pm", "remove the team lunch": a change or a delete
        // said of a calendar thing, and of nothing on a list, is the event's.
        let of_event = CALENDAR_PLACE.is_match(l) && !TODO_PLACE.is_match(l);
        return match intent {
            Intent::UpdateTodo if of_event => Intent::UpdateEvent,
            // Only where the calendar word is the thing ("the lunch box" is no lunch).
            Intent::DeleteTodo if of_event && names_event_item(l) => Intent::DeleteEvent,
            other => other,
        };
    };
    let todo = c.name("todo").is_some();
    let opens_deleting = DELETES.find(l).is_some_and(|m| m.start() == 0);
    match intent {
        Intent::DeleteTodo | Intent::DeleteEvent => {
            if todo {
                Intent::DeleteTodo
            } else {
                Intent::DeleteEvent
            }
        }
        Intent::UpdateTodo | Intent::UpdateEvent => {
            if todo {
                Intent::UpdateTodo
            } else {
                Intent::UpdateEvent
            }
        }
        Intent::CreateTodo | Intent::CreateEvent | Intent::CreateMemo if opens_deleting => {
            if todo {
                Intent::DeleteTodo
            } else {
                Intent::DeleteEvent
            }
        }
        other => other,
    }
}

/// The classifier's reading where it is sure and a rule said something else: a
/// request read as a question ("i'm out of rice, put it on my list"), or a question
/// read as a request. A rule's delete, completion or change keeps its finer reading,
/// and a write needs a verb that writes ("my meeting with bob" stays a question).
pub(super) fn overrule(
    plan: &Plan,
    full: &str,
    t: &str,
    l: &str,
    now: DateTime<Tz>,
    lang: Lang,
) -> Option<Plan> {
    let fine = matches!(
        plan.intent,
        Intent::DeleteTodo
            | Intent::DeleteEvent
            | Intent::CompleteTodo
            | Intent::UpdateTodo
            | Intent::UpdateEvent
    );
    if !plan.intent.is_action() {
        if let Some(intent) = labelled(t, l, &slots::find(t, l, now, lang)) {
            return act(intent, NOTE, t, l, now, lang, None);
        }
    }
    let guess = classify::classify(full);
    let said = guess.label.intent();
    // "can you help me plan a trip to japan": a read a rule made of a calendar word in
    // what the classifier is all but certain is talk, is talk.
    if surely_talk(&guess) && !plan.intent.is_action() && !asks(l) {
        return Some(Plan::new(Intent::GeneralChat, guess.p));
    }
    if fine || said == plan.intent || said == Intent::GeneralChat || guess.p < OVERRULE {
        return None;
    }
    if plan.intent == Intent::CreateEvent && rules::placed_event(t, l, now) {
        return None;
    }
    let creates = said.adds_item();
    // "dinner with sam friday at 7": an event said as a thing at a time of day.
    let timed = || {
        said == Intent::CreateEvent
            && slots::find(t, l, now, lang).when.is_some_and(|(f, _)| f.grain <= crate::when::Grain::Hour)
    };
    // Only across reading and writing: a question read as a create said with a verb
    // that writes (or an event at a time of day), or a write read as a question. (A
    // create is never made of a question: `act` says no.)
    // A completion or a change read as a question ("just finished the slides", "make
    // the tax return task high priority") keeps the guards of `act`: a word that
    // completes, an item and a new value to change it to.
    let finer = matches!(said, Intent::CompleteTodo | Intent::UpdateTodo | Intent::UpdateEvent);
    let allowed = if said.is_action() {
        // An errand said as a command and read as a calendar question because it names a
        // calendar thing ("pick up a cake for the party before saturday") is the errand
        // where the classifier is sure of it.
        let errand = said == Intent::CreateTodo
            && guess.p >= SURE_ERRAND
            && !rules::is_question(l)
            && l.split_whitespace().count() >= 3;
        !plan.intent.is_action() && (creates && (WRITES.is_match(l) || timed() || errand) || finer)
    } else {
        plan.intent.is_action()
    };
    if !allowed {
        return None;
    }
    act(said, guess.p, t, l, now, lang, None)
}

/// A question about what is there ("did i set an alarm", "is there a reminder to ...",
/// "see if a room is free at 8"): never turned into a write.
fn asks(l: &str) -> bool {
    rules::is_question(l) || WHETHER.is_match(l)
}

static WHETHER: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:know|tell me|check|see|find out|ask|wonder(?:ing)?) (?:if|whether)\b|\b(?:available|availability|free slots?)\b",
    )
});

/// Verbs that ask for something to be written down or set up.
static WRITES: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:add|put|remind|set|schedule|book|create|make|note|write|jot|plan|arrange|organi[sz]e|save|keep|log|record|enter|insert|include|throw|stick|pop|pencil|block|reserve|set up|need|have to|got to|gotta|must)\b",
    )
});

/// A note in the form "label: task": "todo: renew the passport", "done - the tax
/// return", "urgent: email the landlord", "friday - return the library books". A
/// priority or a day said first and set off by a colon or dash is how people jot a
/// todo down.
fn labelled(t: &str, l: &str, slots: &Slots) -> Option<Intent> {
    if let Some(c) = LABEL.captures(l) {
        return Some(if c.name("done").is_some() { Intent::CompleteTodo } else { Intent::CreateTodo });
    }
    // "todo fix the shed door": the label said with no mark after it, before an errand
    // (not "todo list for today", "todo apps").
    if let Some(c) = BARE_LABEL.captures(l) {
        let word = c.name("word").map_or("", |w| w.as_str());
        let about_lists =
            ["list", "lists", "items", "item", "app", "apps", "is", "are", "was", "for", "of", "and", "or"];
        if !about_lists.contains(&word) && !asks(l) {
            return Some(Intent::CreateTodo);
        }
    }
    let first = slots.cut.first().filter(|c| c.start == 0)?;
    let head = l.get(..first.end).unwrap_or("").trim_end();
    // A comma sets off a priority ("high priority, fix the tap"), not a day ("monday,
    // I went to the gym" is news).
    let set_off = l.get(first.end..).is_some_and(|r| r.trim_start().starts_with(['-', ':', '\u{2013}']))
        || head.ends_with([':', '!', '-'])
        || head.ends_with(',') && slots::only_priority(head);
    let rest = slots::remainder(t, &slots.cut);
    let rest = rest.trim_start_matches(['-', ':', '\u{2013}', ' ']);
    let words = rest.split_whitespace().count();
    let question = asks(&rest.to_ascii_lowercase());
    (set_off && words >= 2 && !question).then_some(Intent::CreateTodo)
}

/// A clause that opens by telling of someone or asking, not with an order.
static SOMEONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:i|i'm|im|we|you|he|she|they|it|its|it's|this|that|these|those|there|my|our|your|his|her|their|the|a|an|is|are|was|were|do|does|did|can|could|will|would|should|not|no|please)\b",
    )
});

/// "high priority reply to the insurance email", "call the vet asap", "urgently renew
/// the passport": an errand said with how urgent it is and nothing else is a todo. A
/// level said outright (not "important", which also just describes), at either end of
/// an order; not a sentence about someone ("my boss needs it asap").
fn urgent_errand(t: &str, l: &str, slots: &Slots) -> Option<Intent> {
    static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:with |as |at |of )?(?:a )?(?:top|high|highest|low|lowest|medium)[- ]prio(?:rity)?|(?:as )?(?:urgent|urgently|asap|as soon as possible))\b",
        )
    });
    let said =
        |r: &std::ops::Range<usize>| l.get(r.clone()).unwrap_or("").trim_matches([' ', ',', ':', '!', '-']);
    let first = slots.cut.iter().find(|c| c.start == 0).filter(|c| LEVEL.is_match(said(c)));
    let last = slots.cut.iter().find(|c| c.end == l.len()).filter(|c| LEVEL.is_match(said(c)));
    if slots.priority.is_none() || first.is_none() && last.is_none() {
        return None;
    }
    let rest = slots::remainder(t, &slots.cut);
    let rest = rest.trim_matches(['-', ':', ',', ' ']).to_ascii_lowercase();
    let words = rest.split_whitespace().count();
    // Who the sentence is about is read from what was said before the level was cut.
    let opening =
        l.get(first.map_or(0, |c| c.end)..).unwrap_or("").trim_start_matches([' ', ',', ':', '!', '-']);
    (words >= 2
        && !asks(&rest)
        && !SOMEONE.is_match(opening)
        && !rest.contains("asap")
        && !is_chat_about(&rest))
    .then_some(Intent::CreateTodo)
}

/// "order flowers for the anniversary dinner by thursday", "renew the parking permit
/// by the end of the month": an order with a day it must be done by is a todo.
fn deadline_errand(l: &str, slots: &Slots, now: DateTime<Tz>) -> Option<Intent> {
    if SOMEONE.is_match(l) || asks(l) || l.split_whitespace().count() < 3 {
        return None;
    }
    let (f, cut) = slots.when.as_ref()?;
    if only_pointed_errand(l, cut) {
        return None;
    }
    // "before friday" ends where its value is; "by friday" runs from now to it.
    let deadline =
        f.period.is_some_and(|p| p.to == Some(f.start) || p.from == Some(now)) && rules::still_ahead(f, now);
    deadline.then_some(Intent::CreateTodo)
}

/// "call the insurer in two weeks' time", "mow the lawn sometime this week": an order
/// with a time still ahead is an errand to keep, unless it is asked for the user now
/// ("get me a coffee in 10 minutes"), points at nothing, or the classifier is sure it is
/// talk or another action.
fn dated_order(guess: &Prediction, full: &str, l: &str, slots: &Slots, now: DateTime<Tz>) -> Option<Intent> {
    static FOR_ME: LazyLock<Regex> = LazyLock::new(|| rx(r"^[a-z]+(?: up| off)? (?:me|us)\b"));
    // Messages sent and things ordered or booked now are asked of other services.
    static ELSEWHERE: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^(?:send|email|text|message|order|book|get|reserve|buy tickets)\b"));
    let (f, cut) = slots.when.as_ref()?;
    let rest = rules::blanked(l, cut);
    let rest = rest.trim_start_matches([' ', ',', ':', '-']);
    let talk = surely_talk(guess);
    let other = heard_other_action(guess);
    let order = (ordered(rest) && !ELSEWHERE.is_match(rest) || had_done(rest))
        && bare_order(full, rest)
        && !FOR_ME.is_match(rest)
        && !asks(l)
        && !only_pointed_errand(l, cut);
    (order && !talk && !other && rules::still_ahead(f, now)).then_some(Intent::CreateTodo)
}

/// "buy milk eggs and bread", "water the plants", "get the car washed": a household or
/// shopping errand said as a bare, short order with no day is one to keep. Orders to other
/// services ("email tom", "book a taxi", "buy me a ticket") stay talk: their verbs are
/// not here, and neither is anything the classifier is sure is talk.
fn chore(guess: &Prediction, full: &str, l: &str, slots: &Slots) -> Option<Intent> {
    static CHORE: LazyLock<Regex> = LazyLock::new(|| rx(&format!(r"^(?:{CHORE_VERBS})\s+\S")));
    if slots.when.is_some() || asks(l) || surely_talk(guess) {
        return None;
    }
    // A chore sounds like one done ("wash the car"): only a surer other reading wins.
    let other = heard_other_action(guess) && guess.p >= UNSURE_CHAT;
    let chore = CHORE.is_match(l) && !NOT_GOODS.is_match(l) || had_done(l);
    (bare_order(full, l) && !other && chore).then_some(Intent::CreateTodo)
}

/// Verbs of household and shopping errands: "water the plants", "descale the kettle".
const CHORE_VERBS: &str = r"water|feed|walk|wash|clean|tidy(?: up)?|mow|sweep|mop|iron|defrost|fix|repair|buy|pick up|drop off|take out|put out|bring in|empty|return|renew|repot|prune|pack|wrap|charge|refill|sort out|hang up|fold|unload|load|descale|dust|weed|shovel";

/// What is done to somebody, or bought as tickets and shares: not a thing to keep on a
/// list ("buy me a coffee", "fix it", "buy tickets for the game").
static NOT_GOODS: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^\S+(?: up| off| out| in)? (?:me|us|him|her|them|it|this|that)\b|\b(?:tickets?|flights?|seats?|shares|stocks?|crypto|bitcoin)\b",
    )
});

/// "I need to chase the council about the bin collection", "we have to pay the window
/// cleaner": the user's own errand said as a need is a todo, however its other words
/// sound, unless it is asked, the classifier is sure it is talk, or hears another action.
fn needed_errand(guess: &Prediction, l: &str) -> Option<Intent> {
    static NEED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:i|we)(?: really| still| just| definitely)? (?:need to|have to|must|'ve got to|have got to|got to|gotta)|need to|have to|gotta|must) (?P<rest>.+)$",
        )
    });
    static ERRAND: LazyLock<Regex> = LazyLock::new(|| {
        rx(&format!(
            r"^(?:{CHORE_VERBS}|call|ring|phone|email|e-mail|text|message|chase|contact|write to|reply to|pay|post|send|submit|sign|finish|print|order)\s+\S"
        ))
    });
    if asks(l) || surely_talk(guess) || heard_other_action(guess) && guess.p >= UNSURE_CHAT {
        return None;
    }
    let rest = NEED.captures(l)?.name("rest")?.as_str();
    (ERRAND.is_match(rest) && !NOT_GOODS.is_match(rest)).then_some(Intent::CreateTodo)
}

/// "get milk on the way home", "grab bread on my way back", "post the parcel while I'm
/// out": an errand said with where along the day it is done is one to keep, unless it is
/// asked or the classifier is sure it is talk.
fn en_route(guess: &Prediction, l: &str) -> Option<Intent> {
    static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
        rx(&format!(
            r"^(?:{CHORE_VERBS}|get|grab|fetch|collect|post|drop|send|pop (?:in|into|to|by)|stop (?:at|by)|swing by)\s+\S.*?\s+(?:on (?:the|my|our) way(?: (?:home|back|in|out|to [\w']+(?: [\w']+)?))?|while (?:i'm|i am|we're|we are) (?:out|in town|there|at the shops)|when (?:i'm|i am|i get|we're|we get) (?:out|in town|to (?:the )?[\w']+|home|back|there)|next time (?:i'm|i am|we're) (?:at|in|near) .+)$"
        ))
    });
    if asks(l) || surely_talk(guess) || NOT_GOODS.is_match(l) || l.split_whitespace().count() > 12 {
        return None;
    }
    ROUTE.is_match(l).then_some(Intent::CreateTodo)
}

/// Said as a bare order, the verb first, and short: a longer sentence says more. `rest`
/// is what is left of the clause `full` once its politeness and dates are out.
fn bare_order(full: &str, rest: &str) -> bool {
    let opens = full.trim_start_matches("please ").starts_with(rest.split_whitespace().next().unwrap_or(" "));
    opens && rest.split_whitespace().count() <= 7
}

/// The classifier hears an action other than a new item (a completion, a delete, ...).
fn heard_other_action(guess: &Prediction) -> bool {
    let said = guess.label.intent();
    said.is_action() && !matches!(said, Intent::CreateTodo | Intent::CreateEvent)
}

/// "get the car washed", "have the boiler serviced": an errand that somebody else does.
fn had_done(rest: &str) -> bool {
    static HAD_DONE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:get|have) (?:the|my|our|some|a|an)(?:\s+[\w'-]+){1,3}\s+(?:washed|serviced|fixed|repaired|cleaned|checked|cut|done|mended|valeted|tuned|looked at)\b",
        )
    });
    HAD_DONE.is_match(rest)
}

/// "finish it by end of day": a verb and a word that points, with nothing to name the
/// errand by.
fn only_pointed_errand(l: &str, cut: &[std::ops::Range<usize>]) -> bool {
    let rest = rules::blanked(l, cut);
    let words: Vec<&str> = rest.split_whitespace().collect();
    words.len() <= 2 && words.last().is_some_and(|w| matches!(*w, "it" | "that" | "this" | "them"))
}

/// Talk that only sounds like an errand ("thanks", "sorry").
fn is_chat_about(rest: &str) -> bool {
    rest.starts_with("thank") || rest.starts_with("sorry") || rest.starts_with("help")
}

static BARE_LABEL: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:todo|to-do)\s+(?P<word>[a-z']+)\s+\S"));

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"^(?:(?:todo|to-do|to do|task|reminder)|(?P<done>done|finished|completed))\s*[:\-\u{2013}]\s*\S")
});

/// The intent to act on: the classifier's when it is sure; else a reading rule, or an
/// acting rule the classifier's best guess agrees with; else none (conversation).
fn choose(guess: &Prediction, rule: Option<Intent>) -> Option<Intent> {
    let said = guess.label.intent();
    if guess.p >= SURE && said != Intent::GeneralChat {
        return Some(said);
    }
    let rule = rule?;
    let agrees = rule == said && guess.p >= AGREE;
    let reads = !rule.is_action() && (said != Intent::GeneralChat || guess.p < SURE);
    (agrees || reads).then_some(rule)
}
